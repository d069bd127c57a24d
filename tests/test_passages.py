from matcher.corpus import Entity
from matcher.passages import entity_passages, profile_sentence


def test_passages_are_profile_sentences_and_capabilities_without_repeats():
    entity = Entity(
        id="x", kind="organisation", name="X Labs", org_type="industry", regions=("Wales",),
        city="Cardiff", description="Makes vectors. Tests them.",
        capabilities=("Makes vectors.", "GMP suite for AAV."),
    )
    passages = entity_passages(entity)
    assert [(p.field, p.text) for p in passages] == [
        ("profile", "X Labs: company in Cardiff, Wales."),
        ("description", "Makes vectors."),
        ("description", "Tests them."),
        ("capability", "GMP suite for AAV."),
    ]
    assert all(p.entity_id == "x" for p in passages)


def test_cluster_profile_says_cluster_and_lists_regions():
    entity = Entity(id="c", kind="cluster", name="C", org_type="network",
                    regions=("North East", "North West"))
    assert profile_sentence(entity) == (
        "C: life-science cluster (network) in North East and North West."
    )


def test_remit_and_offers_are_passages_with_their_field_and_year():
    from matcher.corpus import Statement

    entity = Entity(
        id="h", kind="cluster", name="Hub", org_type="network", regions=("Wales",),
        area="all of Wales", remit="Helps companies into NHS Wales.",
        capabilities=(Statement("Ran 40 assessments.", as_of=2023),),
        offers=("Introductions to health boards.",),
    )
    passages = entity_passages(entity)
    assert [(p.field, p.text, p.as_of) for p in passages] == [
        ("profile", "Hub: life-science cluster (network) in Wales, covering all of Wales.", None),
        ("remit", "Helps companies into NHS Wales.", None),
        ("offer", "Introductions to health boards.", None),
        ("capability", "Ran 40 assessments.", 2023),
    ]
    assert passages[-1].to_dict()["as_of"] == 2023 and "as_of" not in passages[0].to_dict()
