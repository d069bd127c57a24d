"""Ranking metrics over one query: a ranked list of ids and graded judgements {id: grade}.

Unjudged ids count as grade 0. Binary metrics (MRR, recall, precision) count an id as relevant
when its grade is at least ``min_grade`` (default 2, "clearly relevant" in the evaluation set).
Definitions follow Järvelin & Kekäläinen (2002) for nDCG, with exponential gain 2^g - 1 as in
trec_eval's ndcg_cut and ranx, and Voorhees (1999) for MRR.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

DEFAULT_MIN_GRADE = 2


def dcg_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Discounted cumulative gain: sum over ranks i=1..k of (2^g_i - 1) / log2(i + 1)."""
    return sum(
        (2 ** qrels.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k])
    )


def ndcg_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """DCG@k divided by the DCG@k of the ideal ordering of the judged ids; 0 if none judged."""
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal[:k]))
    return dcg_at_k(ranked, qrels, k) / best if best > 0 else 0.0


def reciprocal_rank(
    ranked: Sequence[str], qrels: Mapping[str, int], min_grade: int = DEFAULT_MIN_GRADE
) -> float:
    """1 / rank of the first relevant id (0 if none is retrieved); MRR is its mean."""
    for i, doc in enumerate(ranked, 1):
        if qrels.get(doc, 0) >= min_grade:
            return 1.0 / i
    return 0.0


def recall_at_k(
    ranked: Sequence[str], qrels: Mapping[str, int], k: int, min_grade: int = DEFAULT_MIN_GRADE
) -> float:
    """Share of the relevant ids found in the top k (0 if there are none)."""
    relevant = {doc for doc, g in qrels.items() if g >= min_grade}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def precision_at_k(
    ranked: Sequence[str], qrels: Mapping[str, int], k: int, min_grade: int = DEFAULT_MIN_GRADE
) -> float:
    """Share of the top k that is relevant (missing ranks count as not relevant)."""
    return sum(1 for doc in ranked[:k] if qrels.get(doc, 0) >= min_grade) / k


METRICS = {
    "nDCG@10": lambda r, q: ndcg_at_k(r, q, 10),
    "MRR": reciprocal_rank,
    "R@10": lambda r, q: recall_at_k(r, q, 10),
    "R@50": lambda r, q: recall_at_k(r, q, 50),
    "P@5": lambda r, q: precision_at_k(r, q, 5),
}


def evaluate_query(ranked: Sequence[str], qrels: Mapping[str, int]) -> dict[str, float]:
    """Every metric in METRICS for one query."""
    return {name: fn(ranked, qrels) for name, fn in METRICS.items()}
