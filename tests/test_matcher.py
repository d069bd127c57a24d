"""The library facade on the fictional mini corpus, with the real model."""

import numpy as np
import pytest

from matcher import Filters
from matcher.errors import QueryError
from matcher.matcher import MAX_BRIEF_CHARS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("brief, expected", [
    ("GMP manufacturing of AAV viral vectors for a gene therapy", "test-vector-works"),
    ("organoid models of liver fibrosis with access to patient samples", "test-organoid-lab"),
    ("echocardiography study partner for a cardiac ultrasound device", "test-teaching-hospital"),
    ("antimicrobial wound dressing manufacturer", "test-dressings-co"),
])
def test_targeted_briefs_rank_the_right_entity_first(mini_matcher, brief, expected):
    ranking = mini_matcher.match(brief, k=3)
    assert ranking[0].entity_id == expected
    assert ranking[0].evidence, "every match carries evidence"
    assert ranking[0].score >= ranking[1].score >= ranking[2].score


def test_evidence_is_the_entitys_own_passages(mini_matcher):
    top = mini_matcher.match("viral vector process development and scale-up", k=1)[0]
    entity = mini_matcher.by_id[top.entity_id]
    own = {*(s.text for _field, s in entity.statements()), entity.description, entity.remit}
    for evidence in top.evidence:
        assert evidence.field == "profile" or any(evidence.text in text for text in own)
    # the hand-set score of a small profile is its best passage's (the learned re-ranking
    # reports its own probability instead)
    from matcher import Matcher
    from matcher.ranking import RankingConfig

    hand = Matcher(mini_matcher.data, mini_matcher.spec, encoder=mini_matcher.encoder,
                   config=RankingConfig(rerank=""))
    plain = hand.match("viral vector process development and scale-up", k=1)[0]
    assert plain.evidence[0].score == plain.score
    assert [e.score for e in top.evidence] == sorted((e.score for e in top.evidence), reverse=True)


def test_filters_change_the_result_set(mini_matcher):
    brief = "manufacturing site"
    everything = {m.entity_id for m in mini_matcher.match(brief, k=10)}
    wales = {m.entity_id for m in mini_matcher.match(brief, k=10, filters=Filters(regions=("Wales",)))}
    clusters = mini_matcher.match(brief, k=10, filters=Filters(kind="cluster"))
    assert wales == {"test-wales-cluster", "test-organoid-lab", "test-dressings-co"}
    assert wales < everything
    assert {m.kind for m in clusters} == {"cluster"}


def test_k_limits_results(mini_matcher):
    assert len(mini_matcher.match("hospital", k=2)) == 2
    assert len(mini_matcher.match("hospital", k=50)) == 6
    with pytest.raises(QueryError):
        mini_matcher.match("hospital", k=0)


@pytest.mark.parametrize("brief", ["", "   \n\t "])
def test_empty_brief(mini_matcher, brief):
    with pytest.raises(QueryError, match="the brief is empty"):
        mini_matcher.match(brief)


def test_huge_brief_is_refused_with_the_limit(mini_matcher):
    with pytest.raises(QueryError, match="limit is 20,000"):
        mini_matcher.match("x " * MAX_BRIEF_CHARS)


def test_brief_over_the_token_limit_is_matched_in_parts_with_a_warning(mini_matcher):
    filler = " ".join(f"Our team also values partnership number {i}." for i in range(60))
    brief = filler + " We need GMP manufacturing of AAV viral vectors."
    ranking = mini_matcher.match(brief, k=3)
    assert len(ranking.parts) > 1
    assert ranking.warnings and "matched in" in ranking.warnings[0]
    vector = next(m for m in ranking if m.entity_id == "test-vector-works")
    assert "viral vector" in vector.evidence[0].text
    assert "GMP manufacturing of AAV" in vector.evidence[0].answers  # the part that matched


def test_match_many_equals_match(mini_matcher):
    briefs = ["liver organoids", "viral vectors", "wound dressings"]
    many = mini_matcher.match_many(briefs, k=3)
    for brief, ranking in zip(briefs, many, strict=True):
        single = mini_matcher.match(brief, k=3)
        assert [m.entity_id for m in ranking] == [m.entity_id for m in single]


def test_filters_that_exclude_everything_say_so(mini_matcher):
    ranking = mini_matcher.match("anything", filters=Filters(regions=("Wales",), kind="cluster",
                                                             tags=("organoids",)))
    assert len(ranking) == 0
    assert "no entity passes these filters" in ranking.warnings


def test_out_of_domain_brief_gets_no_good_match_verdict(mini_matcher):
    ranking = mini_matcher.match("recycling lithium batteries from scrapped electric cars")
    assert ranking.no_good_match
    assert ranking.verdict == "no good match"
    assert all(m.band == "weak" for m in ranking)


def test_targeted_brief_is_not_abstained_and_bands_follow_strength(mini_matcher):
    ranking = mini_matcher.match("GMP manufacturing suite for AAV and lentiviral vectors")
    assert not ranking.no_good_match
    top = ranking[0]
    assert top.entity_id == "test-vector-works" and top.band in ("strong", "possible")
    assert 0 <= top.strength <= 100
    assert top.similarity == max(e.dense for e in top.evidence)


def test_multi_need_brief_is_split_and_evidence_names_the_need(mini_matcher):
    brief = ("We need GMP manufacturing of AAV viral vectors for our gene therapy. "
             "We also need a hospital that runs echocardiography studies for our heart trial.")
    ranking = mini_matcher.match(brief, k=6)
    assert len(ranking.aspects) == 2
    answered = {e.answers for m in ranking for e in m.evidence}
    assert set(ranking.aspects) <= answered
    vector = next(m for m in ranking if m.entity_id == "test-vector-works")
    assert vector.evidence[0].answers == ranking.aspects[0]
    assert "GMP" in vector.evidence[0].shared_terms


def test_cluster_rolls_up_its_members_and_shows_member_evidence(mini_matcher):
    ranking = mini_matcher.match("AAV viral vector manufacturing", k=6,
                                 filters=Filters(kind="cluster"))
    north = next(m for m in ranking if m.entity_id == "test-north-cluster")
    assert ranking[0].entity_id == "test-north-cluster"
    assert any(e.via == "test-vector-works" for e in north.evidence)


def test_hnsw_index_ranks_like_the_exact_one(mini_matcher):
    """Above 200k passages the dense side is HNSW, searched rather than multiplied out; on a
    small corpus its search is exact, so rankings must agree with the flat index's."""
    from dataclasses import replace

    from matcher import Matcher
    from matcher.index.dense import DenseIndex

    flat = mini_matcher.data.dense
    hnsw = DenseIndex.build(flat.vectors(np.arange(flat.size)), kind="hnsw")
    assert hnsw.kind == "hnsw" and hnsw.similarities(np.zeros((1, flat.dimension))) is None
    approximate = Matcher(replace(mini_matcher.data, dense=hnsw), mini_matcher.spec,
                          encoder=mini_matcher.encoder)
    for brief, filters in (("viral vector manufacturing", None),
                           ("manufacturing site", Filters(regions=("Wales",)))):
        exact = mini_matcher.match(brief, k=6, filters=filters)
        found = approximate.match(brief, k=6, filters=filters)
        assert [m.entity_id for m in found] == [m.entity_id for m in exact]
        assert [m.score for m in found] == pytest.approx([m.score for m in exact], abs=1e-5)


def test_a_place_in_the_brief_is_read_and_raises_entities_there(mini_matcher):
    brief = "a manufacturer of wound dressings or viral vectors in Wales"
    ranking = mini_matcher.match(brief, k=6)
    assert ranking.reading.regions == ("Wales",)
    assert ranking.to_dict()["reading"]["read_as"].startswith("place Wales")
    plain = mini_matcher.match(brief, k=6, infer=False)
    assert plain.reading.inferred is False and plain.reading.describe() == ""
    rank = {m.entity_id: m.rank for m in ranking}
    plain_rank = {m.entity_id: m.rank for m in plain}
    # the Welsh manufacturer rises (or stays first); the North East one does not rise
    assert rank["test-dressings-co"] <= plain_rank["test-dressings-co"]
    assert rank["test-vector-works"] >= plain_rank["test-vector-works"]
    welsh = {m.entity_id: m.score for m in ranking if "Wales" in m.regions}
    welsh_plain = {m.entity_id: m.score for m in plain if "Wales" in m.regions}
    assert all(welsh[e] > welsh_plain[e] for e in welsh)


def test_an_explicit_region_filter_overrides_the_place_read(mini_matcher):
    brief = "AAV viral vectors in Wales"  # a place, no partner type
    filtered = mini_matcher.match(brief, k=6, filters=Filters(regions=("North East",)))
    unread = mini_matcher.match(brief, k=6, filters=Filters(regions=("North East",)), infer=False)
    assert [(m.entity_id, m.score) for m in filtered] == [(m.entity_id, m.score) for m in unread]


def test_a_read_place_set_aside_is_not_used_and_is_said(mini_matcher):
    brief = "wound dressings manufacturer in Wales"
    read = mini_matcher.match(brief, k=3)
    aside = mini_matcher.match(brief, k=3, ignore=["Wales"])
    assert read.reading.regions == ("Wales",) and aside.reading.regions == ()
    assert "set aside from the reading: Wales" in aside.warnings
    unread = mini_matcher.match(brief, k=3, infer=False)
    assert [m.entity_id for m in aside] == [m.entity_id for m in unread]
