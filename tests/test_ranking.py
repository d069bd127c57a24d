"""Fusion, pooling, aspects, roll-up, diversity and abstention, on hand-worked cases."""

import numpy as np
import pytest

from matcher.aspects import split_aspects
from matcher.corpus import Entity
from matcher.index.store import IndexData
from matcher.passages import Passage
from matcher.ranking import Ranker, RankingConfig, _rrf, _TextScores, _top_per_row, band_of


def ranker(config: RankingConfig, entities, passages) -> Ranker:
    return Ranker(IndexData({}, entities, passages, dense=None, lexical=None), config)


ENTITIES = [
    Entity(id="a", kind="organisation", name="A", member_of=("c",)),
    Entity(id="b", kind="organisation", name="B", member_of=("c",)),
    Entity(id="c", kind="cluster", name="C", members=("a", "b")),
]
PASSAGES = [Passage("a", "capability", f"a{i}") for i in range(2)] + [
    Passage("b", "capability", f"b{i}") for i in range(3)] + [Passage("c", "capability", "c0")]


def test_rrf_by_hand():
    # dense ranks 1,3,2; lexical ranks 3,1,2 but passage 0 has no lexical match (no term).
    # Passage 3 is not a candidate: its high dense score must not take a rank.
    candidate = np.array([[True, True, True, False]])
    fused = _rrf(np.array([[0.9, 0.5, 0.7, 0.95]]), np.array([[0.0, 1.0, 0.5, 0.0]]),
                 candidate, k=1)
    assert fused[0, :3] == pytest.approx([0.5, 0.75, 2 / 3], abs=1e-6)


NO = -np.inf  # not a candidate


@pytest.mark.parametrize("pooling, extra, expected_a, expected_b", [
    ("max", {}, 0.9, 0.6),
    ("topk", {"pool_k": 2}, 0.55, 0.6),
    # topfrac 0.5: A has 2 passages -> mean of best 1; B has 3 -> round(1.5) = 2 best
    ("topfrac", {"pool_frac": 0.5}, 0.9, 0.6),
    # softmax at temperature 0.05: A's 0.2 weighs exp(-14) against its 0.9
    ("softmax", {}, 0.9, 0.6),
])
def test_pooling_by_hand(pooling, extra, expected_a, expected_b):
    r = ranker(RankingConfig(pooling=pooling, **extra), ENTITIES, PASSAGES)
    fused = np.array([[0.9, 0.2, 0.6, 0.6, 0.6, NO]], dtype=np.float32)
    scores, has = r._pool(fused)
    assert scores[0, :2] == pytest.approx([expected_a, expected_b], abs=1e-5)
    assert scores[0, 2] == 0.0 and not has[0, 2]  # the cluster had no candidate passage
    row = _TextScores(scores[0], has[0], fused[0], fused[0], fused[0], r.bounds)
    assert (row.best_passage(0), row.best_passage(1), row.best_passage(2)) == (0, 2, -1)


def test_pooling_rows_are_independent_and_keep_negative_candidates():
    r = ranker(RankingConfig(pooling="topk", pool_k=2), ENTITIES, PASSAGES)
    fused = np.array([[0.9, 0.2, 0.6, 0.6, 0.6, NO],
                      [-0.5, 0.3, NO, 0.1, NO, 0.4]], dtype=np.float32)
    scores, has = r._pool(fused)
    assert scores[0, :2] == pytest.approx([0.55, 0.6])
    # a negative candidate still counts among the best two; a missing one counts as 0
    assert scores[1] == pytest.approx([-0.1, 0.05, 0.2])
    assert has[1].all() and not has[0, 2]


def test_topk_counts_missing_candidates_as_zero():
    r = ranker(RankingConfig(pooling="topk", pool_k=3), ENTITIES, PASSAGES)
    scores, _ = r._pool(np.array([[0.9, NO, NO, NO, NO, NO]], dtype=np.float32))
    assert scores[0, 0] == pytest.approx(0.3)


def test_top_per_row_keeps_ties_at_the_cut():
    scores = np.array([[0.9, 0.5, 0.5, 0.1, -np.inf], [1.0, 2.0, 3.0, 4.0, 5.0]])
    assert _top_per_row(scores, 2).tolist() == [[True, True, True, False, False],
                                                [False, False, False, True, True]]


def test_rollup_raises_a_cluster_towards_its_best_members():
    r = ranker(RankingConfig(rollup_weight=0.5, rollup_members=2), ENTITIES, PASSAGES)
    out = r._rollup(np.array([0.8, 0.6, 0.2], dtype=np.float32))
    assert out[2] == pytest.approx(0.2 + 0.5 * (0.7 - 0.2))
    assert out[:2] == pytest.approx([0.8, 0.6])
    # a cluster already better than its members is left alone
    assert r._rollup(np.array([0.1, 0.1, 0.5], dtype=np.float32))[2] == pytest.approx(0.5)


def test_cluster_cap_moves_extra_members_down_not_out():
    entities = [Entity(id=f"o{i}", kind="organisation", name=str(i), member_of=("c",))
                for i in range(3)] + [Entity(id="x", kind="organisation", name="x"),
                                      Entity(id="c", kind="cluster", name="c")]
    passages = [Passage(e.id, "capability", e.id) for e in entities]
    r = ranker(RankingConfig(cluster_cap=2), entities, passages)
    assert list(r._diversify(np.array([0, 1, 2, 3, 4]), 4)) == [0, 1, 3, 4]
    assert list(r._diversify(np.array([0, 1, 2]), 3)) == [0, 1, 2]  # nothing else to show


def test_bands():
    assert [band_of(s) for s in (95, 60, 59.9, 30, 5)] == [
        "strong", "strong", "possible", "possible", "weak"]


def test_split_aspects():
    brief = ("We make a cardiac ultrasound AI. We need NHS validation partners; we also need a "
             "UK manufacturing site. Thanks. Finally, investors for our Series B.")
    assert split_aspects(brief) == [
        "We make a cardiac ultrasound AI.",
        "We need NHS validation partners",
        "we also need a UK manufacturing site. Thanks.",
        "Finally, investors for our Series B.",
    ]
    assert split_aspects("organoid models of liver fibrosis") == []
    assert split_aspects("- GMP vector suite needed\n- phase I unit in London") == [
        "GMP vector suite needed", "phase I unit in London"]
    assert len(split_aspects(" ".join(f"Need number {i} here." for i in range(20)))) == 8


def test_config_round_trips_through_a_manifest_dict():
    config = RankingConfig(fusion="rrf", fields=("capability",), calibration=(2.0, -1.0))
    assert RankingConfig.from_dict(config.to_dict()) == config
    assert RankingConfig.from_dict({"unknown": 1}) == RankingConfig()


def test_strength_never_rises_down_a_ranking():
    from matcher.ranking import band_of, monotone_strength
    from matcher.results import Match

    matches = [Match(rank=i, entity_id=str(i), name=str(i), kind="organisation", org_type="",
                     regions=(), score=1 - i / 10, evidence=(), strength=s, band=band_of(s))
               for i, s in enumerate([55.0, 70.0, 40.0, 45.0, 20.0], 1)]
    shown = monotone_strength(matches)
    assert [m.strength for m in shown] == [55.0, 55.0, 40.0, 40.0, 20.0]
    assert [m.band for m in shown] == ["possible", "possible", "possible", "possible", "weak"]
    assert [m.entity_id for m in shown] == ["1", "2", "3", "4", "5"]
