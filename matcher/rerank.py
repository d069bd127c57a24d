"""A learned re-ranking of the hand-set ranking's top candidates: a linear model over a
handful of interpretable features, trained only on judged dev enquiries
(scripts/train_reranker.py, which also measures it out of fold) and shipped as JSON.

The features are computed from what the ranking already holds for a brief (no new index
data): its score and parts, the best dense cosine, BM25 summed and maxed over the entity's
passages, whether the entity is in the place and of the partner type the brief asks for,
whether it is a cluster (and whether a cluster was asked for), its members' support and the
size of its profile. Scores are divided by the brief's best candidate's, so one set of weights
serves every brief. Entities below the re-ranked depth keep their hand-set order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import MatcherError

FEATURES = ("score", "whole", "needs_mean", "need_coverage", "dense_max", "lexical_sum",
            "lexical_max", "place_match", "partner_match", "is_cluster", "cluster_asked",
            "member_support", "log_passages")


@dataclass(frozen=True)
class Intent:
    """What the brief asks for, per entity: in an asked-for place, of an asked-for type."""

    place: np.ndarray  # (E,) 1.0 where the entity covers a region the brief asks for
    partner: np.ndarray  # (E,) 1.0 where it is of a partner type the brief asks for
    cluster_asked: bool  # the brief asks for a network, a front door or introductions


def candidate_features(ranker, whole, aspects, scores: np.ndarray, order: np.ndarray,
                       intent: Intent | None) -> np.ndarray:
    """(len(order), len(FEATURES)) feature rows of the candidates ``order`` (entity indices)."""
    n = ranker.n_entities
    scores = scores.astype(np.float64)  # the same features whether or not a prior was applied
    w = np.max([t.entity for t in whole], axis=0).astype(np.float64)
    needs = np.vstack([a.entity for a in aspects]) if aspects else w[None, :]
    best_need = needs.max(axis=1, keepdims=True)
    coverage = (needs >= 0.8 * np.maximum(best_need, 1e-9)).mean(axis=0)
    starts, nonempty = ranker.bounds[:-1], ranker.nonempty

    def per_entity(values: np.ndarray, reduce) -> np.ndarray:
        out = np.zeros(n)
        if len(nonempty):
            out[nonempty] = reduce.reduceat(values, starts[nonempty])
        return out

    dense = np.max([np.where(np.isfinite(t.fused), t.dense, -1.0) for t in (*whole, *aspects)],
                   axis=0)
    lexical = whole[0].lexical
    support = np.zeros(n)
    if len(ranker.rollup_clusters):
        support[ranker.rollup_clusters] = ranker.member_support(w)
    place = intent.place if intent is not None else np.zeros(n)
    partner = intent.partner if intent is not None else np.zeros(n)
    asked = float(intent.cluster_asked) if intent is not None else 0.0

    def relative(values: np.ndarray) -> np.ndarray:
        top = values[order].max() if len(order) else 0.0
        return values / top if top > 0 else values

    is_cluster = ranker.is_cluster.astype(float)
    rows = np.column_stack([
        relative(scores), relative(w), relative(needs.mean(axis=0)), coverage,
        per_entity(dense, np.maximum), relative(per_entity(lexical, np.add)),
        per_entity(lexical, np.maximum), place, partner, is_cluster, is_cluster * asked,
        relative(support), np.log1p(np.diff(ranker.bounds).astype(np.float64)),
    ])
    return rows[order]


@dataclass(frozen=True)
class LinearReranker:
    """Standardised features times coefficients: the model scripts/train_reranker.py fits."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    depth: int

    @classmethod
    def load(cls, path: str | Path) -> LinearReranker:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if tuple(data["features"]) != FEATURES:
                raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
            return cls(np.array(data["mean"]), np.array(data["scale"]), np.array(data["coef"]),
                       float(data["intercept"]), int(data["depth"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MatcherError(f"cannot read the re-ranking model {path}: {exc}; retrain it with "
                               "`python scripts/train_reranker.py --out PATH`") from exc

    def score(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept


_LOADED: dict[str, LinearReranker] = {}


def load_reranker(path: str) -> LinearReranker:
    """A model file, read once per process (every Ranker of a config shares it)."""
    if path not in _LOADED:
        _LOADED[path] = LinearReranker.load(path)
    return _LOADED[path]


def default_reranker_path() -> Path:
    from .resources import models_dir

    return models_dir() / "reranker.json"
