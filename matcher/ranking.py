"""From a brief's vectors to ranked entities: hybrid passage scores, pooled per entity.

1. Each query text (the whole brief, and with ``aspects`` each of its needs) scores candidate
   passages: dense cosine and BM25 fused by a normalised weighted sum or by reciprocal rank.
2. An entity's score for that text pools its passages' scores (max, mean of the top k, or a
   softmax-weighted mean), never an averaged profile vector.
3. With aspects, the entity score mixes the whole-brief score with the mean over aspects of
   the entity's best score per aspect, so covering several needs is rewarded.
4. With roll-up, a cluster's score is raised towards the mean of its best members' scores.
5. Scores map to a 0-100 strength (a logistic calibration fitted on the dev set) with bands.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from .index.lexical import shared_terms
from .index.store import IndexData
from .results import Evidence, Match

BANDS = ((60.0, "strong"), (30.0, "possible"), (0.0, "weak"))


@dataclass(frozen=True)
class RankingConfig:
    """Every constant of the ranking; the defaults are the best measured on the dev set."""

    retrieval: str = "hybrid"  # hybrid | dense | lexical
    fusion: str = "weighted"  # weighted | rrf
    dense_weight: float = 0.8  # weighted fusion: dense share (BM25 gets the rest)
    rrf_k: int = 20
    pooling: str = "topfrac"  # max | topk | topfrac | softmax
    pool_k: int = 3  # topk: mean of the best k passages
    pool_frac: float = 0.2  # topfrac: mean of the best round(frac * n) of n passages (>= 1)
    temperature: float = 0.05
    fields: tuple[str, ...] = ("profile", "description", "capability")
    aspects: bool = True
    whole_weight: float = 0.5  # with aspects: weight of the whole brief against the aspects
    rollup: bool = True
    rollup_weight: float = 0.6
    rollup_members: int = 3
    cluster_cap: int = 0  # diversity: at most this many organisations per cluster (0 = off)
    candidates: int = 256  # passages taken from each retriever per query text
    evidence: int = 3  # passages shown per match
    # strength = 100 * sigmoid(a * similarity + b), similarity = the match's best dense cosine:
    # an absolute measure, unlike fused or rank-based scores, so it means the same per brief.
    calibration: tuple[float, float] = (3.617, -2.726)
    abstain_below: float = 30.0  # "no good match" when the best strength is below this

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = list(self.fields)
        data["calibration"] = list(self.calibration)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RankingConfig:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        for name in ("fields", "calibration"):
            if name in known:
                known[name] = tuple(known[name])
        return cls(**known)

    def with_(self, **changes: Any) -> RankingConfig:
        return RankingConfig.from_dict({**self.to_dict(), **changes})


def band_of(strength: float) -> str:
    return next(name for floor, name in BANDS if strength >= floor)


@dataclass
class _TextScores:
    """One query text's pooled entity scores and each entity's best passage for it."""

    entity: np.ndarray  # (E,) pooled score, 0 where the entity had no candidate passage
    best_passage: np.ndarray  # (E,) passage id, -1 where none
    candidates: np.ndarray  # sorted passage ids that were scored
    scores: np.ndarray  # (C, 3): fused, dense, normalised lexical per candidate

    def passage_score(self, passage: int) -> tuple[float, float, float]:
        fused, dense, lexical = self.scores[np.searchsorted(self.candidates, passage)]
        return float(fused), float(dense), float(lexical)


class Ranker:
    """Scores passages for a brief and pools them into entity matches."""

    def __init__(self, data: IndexData, config: RankingConfig):
        self.data = data
        self.config = config
        index_of = {e.id: i for i, e in enumerate(data.entities)}
        self.n_entities = len(data.entities)
        self.passage_entity = np.array(
            [index_of[p.entity_id] for p in data.passages], dtype=np.int64
        )
        self.field_ok = np.array([p.field in config.fields for p in data.passages], dtype=bool)
        counts = np.bincount(self.passage_entity[self.field_ok], minlength=self.n_entities)
        # topfrac pooling: a small profile pools like max (a specialist stays sharp), a broad
        # one (a researcher with twenty papers) rewards depth over a single lucky match.
        self.pool_sizes = np.maximum(1, np.round(config.pool_frac * counts)).astype(np.int64)
        self.members = [
            np.array([index_of[m] for m in e.members if m in index_of], dtype=np.int64)
            for e in data.entities
        ]
        self.is_cluster = np.array([e.kind == "cluster" for e in data.entities], dtype=bool)
        # Roll-up as array work: a (clusters x widest membership) table of member indices,
        # padded with -1, so one query's roll-up is a few vector operations.
        self.rollup_clusters = np.array(
            [i for i, m in enumerate(self.members) if self.is_cluster[i] and len(m)], dtype=np.int64)
        width = max((len(self.members[i]) for i in self.rollup_clusters), default=0)
        self.rollup_table = np.full((len(self.rollup_clusters), width), -1, dtype=np.int64)
        for row, c in enumerate(self.rollup_clusters):
            self.rollup_table[row, : len(self.members[c])] = self.members[c]

    # ---------------------------------------------------------------- passages

    def _allowed(self, entity_mask: np.ndarray | None) -> np.ndarray | None:
        ok = self.field_ok if entity_mask is None else self.field_ok & entity_mask[self.passage_entity]
        return None if ok.all() else np.nonzero(ok)[0]

    def _passage_scores(self, vector: np.ndarray, text: str, allowed: np.ndarray | None):
        """Candidate passage ids with fused, dense and normalised lexical scores."""
        cfg = self.config
        use_dense = cfg.retrieval in ("hybrid", "dense")
        use_lexical = cfg.retrieval in ("hybrid", "lexical")
        lexical = self.data.lexical.scores(text) if use_lexical else None
        if lexical is not None and allowed is not None:
            masked = np.zeros_like(lexical)
            masked[allowed] = lexical[allowed]
            lexical = masked
        pools = []
        if use_dense:
            _, ids = self.data.dense.search(vector[None, :], cfg.candidates, allowed)
            pools.append(ids[0][ids[0] >= 0])
        if lexical is not None:
            positive = np.nonzero(lexical > 0)[0]
            if len(positive) > cfg.candidates:
                positive = positive[np.argpartition(-lexical[positive], cfg.candidates)[: cfg.candidates]]
            pools.append(positive)
        candidates = np.unique(np.concatenate(pools)).astype(np.int64) if pools else np.zeros(0, np.int64)
        dense = self.data.dense.vectors(candidates) @ vector
        if lexical is not None and len(candidates):
            best = float(lexical.max())
            lex = lexical[candidates] / best if best > 0 else np.zeros(len(candidates), np.float32)
        else:
            lex = np.zeros(len(candidates), dtype=np.float32)
        if cfg.retrieval == "dense":
            fused = dense
        elif cfg.retrieval == "lexical":
            fused = lex
        elif cfg.fusion == "rrf":
            fused = _rrf(dense, lex, cfg.rrf_k)
        else:
            fused = cfg.dense_weight * dense + (1 - cfg.dense_weight) * lex
        return candidates, fused.astype(np.float32), dense, lex

    # ---------------------------------------------------------------- pooling

    def _pool(self, candidates: np.ndarray, fused: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Entity scores from candidate passage scores, and each entity's best passage."""
        cfg = self.config
        owners = self.passage_entity[candidates]
        order = np.lexsort((-fused, owners))  # by entity, best passage first
        owners, scores, ids = owners[order], fused[order], candidates[order]
        starts = np.r_[0, np.nonzero(np.diff(owners))[0] + 1] if len(owners) else np.zeros(0, int)
        entity = np.zeros(self.n_entities, dtype=np.float32)
        best = np.full(self.n_entities, -1, dtype=np.int64)
        if not len(owners):
            return entity, best
        best[owners[starts]] = ids[starts]
        if cfg.pooling == "max":
            entity[owners[starts]] = scores[starts]
            return entity, best
        group = np.cumsum(np.r_[0, np.diff(owners) != 0])  # group number of each passage
        present = owners[starts]
        if cfg.pooling in ("topk", "topfrac"):
            sizes = np.full(self.n_entities, cfg.pool_k) if cfg.pooling == "topk" else self.pool_sizes
            keep = np.arange(len(owners)) - starts[group] < sizes[owners]  # best k per entity
            # Passages outside the candidates count as 0 towards the mean.
            sums = np.bincount(owners[keep], weights=scores[keep], minlength=self.n_entities)
            entity[present] = sums[present] / sizes[present]
        else:  # softmax-weighted mean: close to max for a small temperature
            weights = np.exp((scores - scores[starts][group]) / cfg.temperature)
            num = np.bincount(owners, weights=weights * scores, minlength=self.n_entities)
            den = np.bincount(owners, weights=weights, minlength=self.n_entities)
            entity[present] = num[present] / den[present]
        return entity, best

    def _score_text(self, vector: np.ndarray, text: str, allowed: np.ndarray | None) -> _TextScores:
        candidates, fused, dense, lexical = self._passage_scores(vector, text, allowed)
        entity, best = self._pool(candidates, fused)
        return _TextScores(entity, best, candidates, np.column_stack([fused, dense, lexical]))

    # ---------------------------------------------------------------- ranking

    def entity_scores(
        self,
        whole_vectors: np.ndarray,
        whole_texts: list[str],
        aspect_vectors: np.ndarray,
        aspect_texts: list[str],
        entity_mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray, list[_TextScores]]:
        """Final entity scores (E,) and the per-text scores behind them.

        ``whole_*`` are the windows of the full brief (one unless it is very long); their
        scores combine by max. ``aspect_*`` are the brief's needs (empty without aspects).
        """
        allowed = self._allowed(entity_mask)
        texts = [self._score_text(v, t, allowed) for v, t in zip(whole_vectors, whole_texts, strict=True)]
        whole = np.max([t.entity for t in texts], axis=0)
        aspects = [self._score_text(v, t, allowed) for v, t in zip(aspect_vectors, aspect_texts, strict=True)]
        scores = whole
        if aspects:
            w = self.config.whole_weight
            scores = w * whole + (1 - w) * np.mean([a.entity for a in aspects], axis=0)
        if self.config.rollup:
            scores = self._rollup(scores)
        return scores, texts + aspects

    def _diversify(self, order: np.ndarray, k: int) -> np.ndarray:
        """Keep at most ``cluster_cap`` organisations per cluster (by their first cluster), so
        one cluster's members do not fill the list; the rest move down, not out."""
        kept, deferred, seen = [], [], {}
        for e in order:
            entity = self.data.entities[int(e)]
            home = entity.member_of[0] if entity.kind == "organisation" and entity.member_of else None
            if home is not None and seen.get(home, 0) >= self.config.cluster_cap:
                deferred.append(e)
                continue
            if home is not None:
                seen[home] = seen.get(home, 0) + 1
            kept.append(e)
            if len(kept) == k:
                break
        return np.array((kept + deferred)[:k], dtype=np.int64)

    def _rollup(self, scores: np.ndarray) -> np.ndarray:
        """Raise each cluster towards the mean of its best members, never lower it."""
        out = scores.copy()
        if not len(self.rollup_clusters):
            return out
        cfg = self.config
        member_scores = np.where(self.rollup_table >= 0, scores[self.rollup_table], -np.inf)
        top = -np.sort(-member_scores, axis=1)[:, : cfg.rollup_members]
        counts = np.minimum((self.rollup_table >= 0).sum(axis=1), cfg.rollup_members)
        support = np.where(np.isfinite(top), top, 0).sum(axis=1) / counts
        own = scores[self.rollup_clusters]
        out[self.rollup_clusters] = np.where(
            support > own, own + cfg.rollup_weight * (support - own), own)
        return out

    def strength(self, similarity: float) -> float:
        a, b = self.config.calibration
        return float(100.0 / (1.0 + np.exp(-(a * similarity + b))))

    def rank(
        self,
        whole_vectors: np.ndarray,
        whole_texts: list[str],
        aspect_vectors: np.ndarray,
        aspect_texts: list[str],
        k: int,
        entity_mask: np.ndarray | None = None,
        kind: str = "all",
    ) -> list[Match]:
        if entity_mask is not None and not entity_mask.any():
            return []
        scores, per_text = self.entity_scores(
            whole_vectors, whole_texts, aspect_vectors, aspect_texts, entity_mask
        )
        eligible = np.ones(self.n_entities, dtype=bool) if entity_mask is None else entity_mask.copy()
        if kind != "all":
            eligible &= self.is_cluster if kind == "cluster" else ~self.is_cluster
        has_evidence = np.any([t.best_passage >= 0 for t in per_text], axis=0)
        eligible &= has_evidence | (scores > 0)
        order = np.nonzero(eligible)[0]
        order = order[np.argsort(-scores[order], kind="stable")]
        order = self._diversify(order, k) if self.config.cluster_cap else order[:k]
        # What each scored text is called in the evidence: "" for the brief as a whole,
        # the window for a very long brief, the aspect's own words for an aspect.
        labels = ([""] if len(whole_texts) == 1 else list(whole_texts)) + list(aspect_texts)
        return [
            self._match(rank, int(e), float(scores[e]), per_text, labels, scores,
                        " ".join(whole_texts))
            for rank, e in enumerate(order, 1)
        ]

    def _match(self, rank: int, e: int, score: float, per_text: list[_TextScores],
               labels: list[str], scores: np.ndarray, query: str) -> Match:
        entity = self.data.entities[e]
        found: dict[int, Evidence] = {}
        for text, label in zip(per_text, labels, strict=True):
            p = int(text.best_passage[e])
            if p < 0:
                continue
            fused, dense, lexical = text.passage_score(p)
            current = found.get(p)
            # A passage that answers a specific aspect is shown with that aspect.
            if current is None or (label and not current.answers) or (
                bool(label) == bool(current.answers) and fused > current.score
            ):
                found[p] = Evidence(
                    text=self.data.passages[p].text, field=self.data.passages[p].field,
                    score=fused, dense=dense, lexical=lexical, answers=label,
                )
        evidence = sorted(found.values(), key=lambda ev: -ev.score)[: self.config.evidence]
        evidence = [replace(ev, shared_terms=tuple(shared_terms(ev.text, ev.answers or query)))
                    for ev in evidence]
        if self.config.rollup and entity.kind == "cluster" and len(self.members[e]):
            best_member = int(self.members[e][np.argmax(scores[self.members[e]])])
            member_evidence = self._best_member_evidence(best_member, per_text)
            if member_evidence is not None:
                evidence = [*evidence[: self.config.evidence - 1], member_evidence]
        similarity = max((ev.dense for ev in evidence), default=0.0)
        strength = float(round(self.strength(similarity)))  # whole points; band from the same
        return Match(
            rank=rank, entity_id=entity.id, name=entity.name, kind=entity.kind,
            org_type=entity.org_type, regions=entity.regions, score=score,
            similarity=similarity, strength=strength, band=band_of(strength),
            evidence=tuple(evidence),
            url=entity.url, member_of=entity.member_of,
        )

    def _best_member_evidence(self, member: int, per_text: list[_TextScores]) -> Evidence | None:
        best = None
        for text in per_text:
            p = int(text.best_passage[member])
            if p >= 0 and (best is None or text.passage_score(p)[0] > best[1][0]):
                best = (p, text.passage_score(p))
        if best is None:
            return None
        p, (fused, dense, lexical) = best
        return Evidence(text=self.data.passages[p].text, field=self.data.passages[p].field,
                        score=fused, dense=dense, lexical=lexical,
                        via=self.data.entities[member].id)


def _rrf(dense: np.ndarray, lexical: np.ndarray, k: int) -> np.ndarray:
    """Reciprocal rank fusion (Cormack et al., 2009): sum of 1 / (k + rank) per retriever,
    scaled by (k + 1) / 2 so a passage ranked first by both scores 1."""
    def ranks(values: np.ndarray) -> np.ndarray:
        order = np.argsort(-values, kind="stable")
        out = np.empty(len(values), dtype=np.float64)
        out[order] = np.arange(1, len(values) + 1)
        return out

    fused = 1.0 / (k + ranks(dense)) + np.where(lexical > 0, 1.0 / (k + ranks(lexical)), 0.0)
    return (fused * (k + 1) / 2).astype(np.float32)
