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
