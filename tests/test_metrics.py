"""Each metric on a hand-worked example.

ranked = a, b, c, d; judged: b=3, c=1, e=2 (a and d unjudged, so 0).
DCG@4  = 0 + 7/log2(3) + 1/log2(4) + 0 = 4.416508 + 0.5 = 4.916508
IDCG@4 = 7/log2(2) + 3/log2(3) + 1/log2(4) = 7 + 1.892789 + 0.5 = 9.392789
nDCG@4 = 0.523434
"""

import pytest

from matcher.metrics import (
    dcg_at_k,
    evaluate_query,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    reciprocal_rank,
)

RANKED = ["a", "b", "c", "d"]
QRELS = {"b": 3, "c": 1, "e": 2}


def test_dcg():
    assert dcg_at_k(RANKED, QRELS, 4) == pytest.approx(4.916508, abs=1e-6)
    assert dcg_at_k(RANKED, QRELS, 1) == 0.0


def test_ndcg():
    assert ndcg_at_k(RANKED, QRELS, 4) == pytest.approx(0.523434, abs=1e-6)
    assert ndcg_at_k(["b", "e", "c"], QRELS, 10) == pytest.approx(1.0)
    assert ndcg_at_k(RANKED, {}, 10) == 0.0


def test_reciprocal_rank():
    assert reciprocal_rank(RANKED, QRELS) == 0.5  # b at rank 2
    assert reciprocal_rank(["c", "b"], QRELS, min_grade=1) == 1.0
    assert reciprocal_rank(["c", "d"], QRELS) == 0.0


def test_recall():
    assert recall_at_k(RANKED, QRELS, 2) == 0.5  # b of {b, e}
    assert recall_at_k(RANKED, QRELS, 10, min_grade=1) == pytest.approx(2 / 3)
    assert recall_at_k(RANKED, {}, 10) == 0.0


def test_precision():
    assert precision_at_k(RANKED, QRELS, 5) == 0.2
    assert precision_at_k(["b", "e"], QRELS, 2) == 1.0


def test_evaluate_query_has_every_metric():
    assert set(evaluate_query(RANKED, QRELS)) == {"nDCG@10", "MRR", "R@10", "R@50", "P@5"}
