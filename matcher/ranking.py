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

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from .errors import IndexCorruptError
from .index.lexical import shared_terms
from .index.store import IndexData
from .rerank import FEATURES, Intent, candidate_features
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
    fields: tuple[str, ...] = ("profile", "remit", "description", "offer", "capability")
    aspects: bool = True
    whole_weight: float = 0.5  # with aspects: weight of the whole brief against the aspects
    rollup: bool = True
    rollup_weight: float = 0.9
    rollup_members: int = 3
    cluster_cap: int = 0  # diversity: at most this many organisations per cluster (0 = off)
    candidates: int = 256  # passages taken from each retriever per query text
    evidence: int = 3  # passages shown per match
    # strength = 100 * sigmoid(a * similarity + b), similarity = the match's best dense cosine:
    # an absolute measure, unlike fused or rank-based scores, so it means the same per brief.
    # Soft priors from reading the brief (see priors.py): a score is multiplied by 1 + weight
    # for an entity in a region the brief asks for, or of the partner type it asks for, and by
    # 1 - exclude_weight for one only in a region it excludes ("outside London").
    # From scripts/tune_front_door.py (models/tuning-front-door.json, dev splits of both
    # sets): reading the brief raises the dev score (mean of nDCG@10, region accuracy and
    # cluster hit@10 per enquiry) from 0.610 to 0.723; among the configurations that read it,
    # the top ones tie within 0.002 and choosing among them by cross-validation is no
    # better than these values, so the softer place weight 1.0 is kept (2.5 acts almost as a
    # filter: a strong match elsewhere should still outrank a weak local one).
    place_weight: float = 1.0
    partner_weight: float = 0.1
    convening_weight: float = 0.1  # clusters, when the brief asks for a network or front door
    exclude_weight: float = 0.5
    calibration: tuple[float, float] = (3.494, -2.298)
    # The verdict's thresholds (verdict.py): best dev F1 among those that flag no README brief;
    # the vocabulary share ties on dev at 0 and 0.3, and 0.3 is kept as a guard for terse
    # out-of-domain rows.
    abstain_below: float = 32.0  # "no good match" when the best strength is below this
    min_known_share: float = 0.3  # ... or when fewer of the brief's words occur in the corpus
    # Learned re-ranking of the top candidates (rerank.py): "shipped" is models/reranker.json
    # on an index of the shipped corpus (the hand-set order elsewhere), "" is off, anything
    # else a model file used on any index. scripts/train_reranker.py fits it on judged dev
    # pairs of both sets; out of fold on dev it lifts nDCG@10 from 0.643 to 0.693 (+0.050,
    # 95% interval +0.023 to +0.075) and cluster hit@10 from 0.77 to 0.82.
    rerank: str = "shipped"

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


# Rows of query texts scored together: bounds the (texts x passages) matrices at about 2M
# cells (8 MB each), whatever the corpus size.
BLOCK_CELLS = 1 << 21


@dataclass
class _TextScores:
    """One query text's scores: rows of its block's (texts x passages) matrices."""

    entity: np.ndarray  # (E,) pooled score, 0 where the entity had no candidate passage
    has_candidate: np.ndarray  # (E,) bool
    fused: np.ndarray  # (N,) fused score, -inf outside the candidates
    dense: np.ndarray  # (N,) cosine (meaningful at the candidates)
    lexical: np.ndarray  # (N,) BM25 over the text's best BM25 score
    bounds: np.ndarray  # (E + 1,) each entity's passages are bounds[e]:bounds[e + 1]

    def best_passage(self, e: int) -> int:
        """The entity's best candidate passage for this text (first of equals), or -1."""
        if not self.has_candidate[e]:
            return -1
        start = self.bounds[e]
        return int(start + np.argmax(self.fused[start : self.bounds[e + 1]]))

    def best_evidence(self, e: int, is_profile: np.ndarray) -> int:
        """The best candidate passage to show as evidence: the generated profile sentence
        ("X: company in Cardiff") only when no passage of the entity's own text is a candidate."""
        if not self.has_candidate[e]:
            return -1
        start, end = self.bounds[e], self.bounds[e + 1]
        run = np.where(is_profile[start:end], -np.inf, self.fused[start:end])
        if np.isfinite(run.max()):
            return int(start + np.argmax(run))
        return self.best_passage(e)

    def passage_score(self, passage: int) -> tuple[float, float, float]:
        return (float(self.fused[passage]), float(self.dense[passage]),
                float(self.lexical[passage]))


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
        if np.any(np.diff(self.passage_entity) < 0):
            raise IndexCorruptError("the index's passages are not grouped by entity; rebuild it "
                                    "with `matcher index build`")
        # Each entity's passages are one contiguous run, so pooling is a segmented reduction.
        self.bounds = np.searchsorted(self.passage_entity, np.arange(self.n_entities + 1))
        self.nonempty = np.nonzero(np.diff(self.bounds) > 0)[0]  # entities with passages
        self.field_ok = np.array([p.field in config.fields for p in data.passages], dtype=bool)
        self.is_profile = np.array([p.field == "profile" for p in data.passages], dtype=bool)
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
        self._reranker = None

    @property
    def reranker(self):
        """The learned re-ranking model, read on first use (building an index needs none)."""
        rerank = self.config.rerank
        if self._reranker is None and rerank:
            from .rerank import default_reranker_path, load_reranker

            if rerank != "shipped":
                self._reranker = load_reranker(rerank)
            elif (self.data.manifest.get("corpus") or {}).get("shipped"):
                # The shipped model was fitted on the shipped corpus's judged enquiries; on
                # another corpus (a researcher pool, your own organisations) the hand-set
                # combination stands unless a model is named (measured: README, quality).
                self._reranker = load_reranker(str(default_reranker_path()))
        return self._reranker

    # ---------------------------------------------------------------- scoring

    def _allowed(self, entity_mask: np.ndarray | None) -> np.ndarray:
        """(N,) bool: passages of the scored fields and of entities passing the filters."""
        if entity_mask is None:
            return self.field_ok
        return self.field_ok & entity_mask[self.passage_entity]

    def score_texts(self, vectors: np.ndarray, texts: Sequence[str],
                    entity_mask: np.ndarray | None = None) -> list[_TextScores]:
        """Each query text's passage and pooled entity scores. Texts are scored in blocks as
        matrices (a dense product, a sparse BM25 product, segmented pooling), so a batch
        costs far less per text than one text at a time."""
        allowed = self._allowed(entity_mask)
        rows = max(1, BLOCK_CELLS // max(1, len(self.passage_entity)))
        out: list[_TextScores] = []
        for start in range(0, len(texts), rows):
            out.extend(self._score_block(vectors[start : start + rows],
                                         list(texts[start : start + rows]), allowed))
        return out

    def _score_block(self, vectors: np.ndarray, texts: list[str],
                     allowed: np.ndarray) -> list[_TextScores]:
        cfg = self.config
        n_texts, n_passages = len(texts), len(self.passage_entity)
        use_dense = cfg.retrieval in ("hybrid", "dense")
        use_lexical = cfg.retrieval in ("hybrid", "lexical")
        candidate = np.zeros((n_texts, n_passages), dtype=bool)

        dense = self.data.dense.similarities(vectors) if n_passages else None
        if use_dense and dense is not None:
            candidate |= _top_per_row(np.where(allowed, dense, -np.inf), cfg.candidates)
        elif use_dense:  # HNSW: search, then score only what was found
            restrict = None if allowed.all() else np.nonzero(allowed)[0]
            _, ids = self.data.dense.search(vectors, cfg.candidates, restrict)
            for row, found in enumerate(ids):
                candidate[row, found[found >= 0]] = True

        lexical = np.zeros((n_texts, n_passages), dtype=np.float32)
        if use_lexical:
            lexical = np.where(allowed, self.data.lexical.score_matrix(texts), 0.0)
            positive = lexical > 0
            candidate |= _top_per_row(np.where(positive, lexical, -np.inf), cfg.candidates)
            best = lexical.max(axis=1, initial=0.0)[:, None]
            lexical = np.divide(lexical, best, out=np.zeros_like(lexical), where=best > 0)
        candidate &= allowed

        if dense is None:  # HNSW: cosines of the candidates only
            dense = np.zeros((n_texts, n_passages), dtype=np.float32)
            for row in range(n_texts):
                ids = np.nonzero(candidate[row])[0]
                dense[row, ids] = self.data.dense.vectors(ids) @ vectors[row]

        if cfg.retrieval == "dense":
            fused = dense
        elif cfg.retrieval == "lexical":
            fused = lexical
        elif cfg.fusion == "rrf":
            fused = _rrf(dense, lexical, candidate, cfg.rrf_k)
        else:
            fused = cfg.dense_weight * dense + (1 - cfg.dense_weight) * lexical
        fused = np.where(candidate, fused, -np.inf).astype(np.float32)
        entity, has_candidate = self._pool(fused)
        return [_TextScores(entity[i], has_candidate[i], fused[i], dense[i], lexical[i],
                            self.bounds) for i in range(n_texts)]

    def _pool(self, fused: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(texts x entities) pooled scores from (texts x passages) fused scores (-inf outside
        the candidates, which count as 0 towards a mean), and which entities had candidates."""
        cfg = self.config
        entity = np.zeros((len(fused), self.n_entities), dtype=np.float32)
        starts = self.bounds[self.nonempty]
        if not len(starts):
            return entity, entity > 0
        best = np.maximum.reduceat(fused, starts, axis=1)
        has = np.zeros(entity.shape, dtype=bool)
        has[:, self.nonempty] = np.isfinite(best)
        if cfg.pooling == "max":
            pooled = best
        elif cfg.pooling in ("topk", "topfrac"):
            sizes = (np.full(self.n_entities, cfg.pool_k) if cfg.pooling == "topk"
                     else self.pool_sizes)
            ranked = self._sort_within_entities(fused)
            position = np.arange(fused.shape[1]) - self.bounds[self.passage_entity]
            keep = (position < sizes[self.passage_entity]) & np.isfinite(ranked)
            pooled = np.add.reduceat(np.where(keep, ranked, 0.0), starts, axis=1)
            pooled = pooled / sizes[self.nonempty]
        else:  # softmax-weighted mean: close to max for a small temperature
            spread = fused - np.repeat(np.where(np.isfinite(best), best, 0.0),
                                       np.diff(self.bounds)[self.nonempty], axis=1)
            weights = np.where(np.isfinite(fused), np.exp(spread / cfg.temperature), 0.0)
            values = np.where(np.isfinite(fused), fused, 0.0)
            num = np.add.reduceat(weights * values, starts, axis=1)
            den = np.add.reduceat(weights, starts, axis=1)
            pooled = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        entity[:, self.nonempty] = np.where(has[:, self.nonempty], pooled, 0.0)
        return entity, has

    def _sort_within_entities(self, fused: np.ndarray) -> np.ndarray:
        """Each entity's run of passage scores sorted best first, -inf last, in place of the
        run: one row sort of keys (entity number, then descending score), since fused scores
        lie in [-1, 1]."""
        owner = self.passage_entity.astype(np.float64) * 4.0
        exact = fused.astype(np.float64)  # float64 holds owner and score exactly
        keys = owner + np.where(np.isfinite(exact), 2.0 - exact, 3.5)
        keys.sort(axis=1)
        values = 2.0 - (keys - owner)
        return np.where(values < -1.25, -np.inf, values)

    # ---------------------------------------------------------------- ranking

    def entity_scores(self, whole: list[_TextScores], aspects: list[_TextScores],
                      prior: np.ndarray | None = None) -> np.ndarray:
        """Final entity scores (E,) from the scored windows of the full brief (one unless it
        is very long; they combine by max) and of its needs (empty without aspects), times
        the brief's soft priors when given."""
        scores = np.max([t.entity for t in whole], axis=0)
        if aspects:
            w = self.config.whole_weight
            scores = w * scores + (1 - w) * np.mean([a.entity for a in aspects], axis=0)
        if self.config.rollup:
            scores = self._rollup(scores)
        if prior is not None:
            scores = scores * prior
        return scores

    def need_scores(self, whole: list[_TextScores], aspects: list[_TextScores],
                    prior: np.ndarray | None = None) -> np.ndarray:
        """(needs x entities): each need's pooled entity scores (the aspects, or the whole
        brief when it has none), times the soft priors; the region answer is built on them."""
        rows = [a.entity for a in aspects] or [np.max([t.entity for t in whole], axis=0)]
        matrix = np.vstack(rows).astype(np.float64)
        return matrix * prior[None, :] if prior is not None else matrix

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

    def member_support(self, scores: np.ndarray) -> np.ndarray:
        """(clusters with members,) the mean score of each one's best ``rollup_members``
        members, in the order of ``rollup_clusters``."""
        limit = self.config.rollup_members
        member_scores = np.where(self.rollup_table >= 0, scores[self.rollup_table], -np.inf)
        top = -np.sort(-member_scores, axis=1)[:, :limit]
        counts = np.minimum((self.rollup_table >= 0).sum(axis=1), limit)
        return np.where(np.isfinite(top), top, 0).sum(axis=1) / counts

    def _rollup(self, scores: np.ndarray) -> np.ndarray:
        """Raise each cluster towards the mean of its best members, never lower it."""
        out = scores.copy()
        if not len(self.rollup_clusters):
            return out
        support = self.member_support(scores)
        own = scores[self.rollup_clusters]
        out[self.rollup_clusters] = np.where(
            support > own, own + self.config.rollup_weight * (support - own), own)
        return out

    def strength(self, similarity: float) -> float:
        a, b = self.config.calibration
        return float(100.0 / (1.0 + np.exp(-(a * similarity + b))))

    def rank(
        self,
        whole: list[_TextScores],
        whole_texts: list[str],
        aspects: list[_TextScores],
        aspect_texts: list[str],
        k: int,
        entity_mask: np.ndarray | None = None,
        kind: str = "all",
        explain: bool = True,
        prior: np.ndarray | None = None,
        intent: Intent | None = None,
    ) -> list[Match]:
        """The top ``k`` matches of one brief from its scored texts (see score_texts).
        ``explain=False`` leaves out the shared terms of the evidence (batch output has none);
        ``intent`` (what the brief asks for) feeds the learned re-ranking's features."""
        if entity_mask is not None and not entity_mask.any():
            return []
        scores = self.entity_scores(whole, aspects, prior)
        per_text = whole + aspects
        eligible = np.ones(self.n_entities, dtype=bool) if entity_mask is None else entity_mask.copy()
        if kind != "all":
            eligible &= self.is_cluster if kind == "cluster" else ~self.is_cluster
        has_evidence = np.any([t.has_candidate for t in per_text], axis=0)
        eligible &= has_evidence | (scores > 0)
        order = np.nonzero(eligible)[0]
        order = order[np.argsort(-scores[order], kind="stable")]
        features: dict[int, dict[str, float]] = {}
        shown = scores  # the score each match reports: the one its place in the list follows
        if self.reranker is not None and len(order) > 1:
            top = order[: self.reranker.depth]
            rows = candidate_features(self, whole, aspects, scores, top, intent)
            learned = self.reranker.score(rows)
            if explain:
                features = {int(e): {**dict(zip(FEATURES, map(float, row), strict=True)),
                                     "learned": float(value)}
                            for e, row, value in zip(top, rows, learned, strict=True)}
            # Re-ranked matches report the model's probability; the rest keep their hand-set
            # order and spacing, shifted below the last re-ranked one, so scores still fall
            # down the list and every pair below the depth stays ordered as before.
            shown = scores.astype(np.float64)
            probability = 1.0 / (1.0 + np.exp(-learned))
            rest = order[self.reranker.depth:]
            if len(rest):
                shown[rest] = shown[rest] - shown[rest].max() + probability.min() - 1e-6
            shown[top] = probability
            order = np.concatenate([top[np.argsort(-learned, kind="stable")], rest])
        order = self._diversify(order, k) if self.config.cluster_cap else order[:k]
        # What each scored text is called in the evidence: "" for the brief as a whole,
        # the window for a very long brief, the aspect's own words for an aspect.
        labels = ([""] if len(whole_texts) == 1 else list(whole_texts)) + list(aspect_texts)
        query = " ".join(whole_texts) if explain else None
        matches = [
            self._match(rank, int(e), float(shown[e]), per_text, labels, scores, query,
                        features.get(int(e)))
            for rank, e in enumerate(order, 1)
        ]
        return monotone_strength(matches)

    def _match(self, rank: int, e: int, score: float, per_text: list[_TextScores],
               labels: list[str], scores: np.ndarray, query: str | None,
               features: dict[str, float] | None = None) -> Match:
        entity = self.data.entities[e]
        found: dict[int, Evidence] = {}
        for text, label in zip(per_text, labels, strict=True):
            p = text.best_evidence(e, self.is_profile)
            if p < 0:
                continue
            fused, dense, lexical = text.passage_score(p)
            current = found.get(p)
            # A passage that answers a specific aspect is shown with that aspect.
            if current is None or (label and not current.answers) or (
                bool(label) == bool(current.answers) and fused > current.score
            ):
                passage = self.data.passages[p]
                found[p] = Evidence(
                    text=passage.text, field=passage.field, as_of=passage.as_of,
                    score=fused, dense=dense, lexical=lexical, answers=label,
                )
        evidence = sorted(found.values(), key=lambda ev: -ev.score)[: self.config.evidence]
        if query is not None:
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
            url=entity.url, member_of=entity.member_of, features=features or {},
        )

    def _best_member_evidence(self, member: int, per_text: list[_TextScores]) -> Evidence | None:
        best = None
        for text in per_text:
            p = text.best_evidence(member, self.is_profile)
            if p >= 0 and (best is None or text.passage_score(p)[0] > best[1][0]):
                best = (p, text.passage_score(p))
        if best is None:
            return None
        p, (fused, dense, lexical) = best
        passage = self.data.passages[p]
        return Evidence(text=passage.text, field=passage.field, as_of=passage.as_of,
                        score=fused, dense=dense, lexical=lexical,
                        via=self.data.entities[member].id)


def monotone_strength(matches: list[Match]) -> list[Match]:
    """Strength never rises down a ranking: a match shows at most the fit of the one above it,
    so a reader never sees a weaker fit ranked above a stronger one."""
    out, ceiling = [], float("inf")
    for m in matches:
        strength = min(m.strength, ceiling)
        ceiling = strength
        out.append(m if strength == m.strength else replace(m, strength=strength,
                                                            band=band_of(strength)))
    return out


def _top_per_row(scores: np.ndarray, k: int) -> np.ndarray:
    """(rows x items) bool: each row's k best finite scores, and any equal to the k-th (ties
    at the cut are all kept, so the result does not depend on an arbitrary order)."""
    if scores.shape[1] <= k:
        return np.isfinite(scores)
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
    return (scores >= kth) & np.isfinite(scores)


def _rrf(dense: np.ndarray, lexical: np.ndarray, candidate: np.ndarray, k: int) -> np.ndarray:
    """Reciprocal rank fusion (Cormack et al., 2009) over each row's candidates: sum of
    1 / (k + rank) per retriever, scaled by (k + 1) / 2 so a passage ranked first by both
    scores 1. Ranks break ties by passage order."""
    def ranks(values: np.ndarray) -> np.ndarray:
        order = np.argsort(np.where(candidate, -values, np.inf), axis=1, kind="stable")
        out = np.empty(values.shape, dtype=np.float64)
        np.put_along_axis(out, order, np.arange(1, values.shape[1] + 1, dtype=np.float64)[None, :]
                          .repeat(len(values), axis=0), axis=1)
        return out

    fused = 1.0 / (k + ranks(dense)) + np.where(lexical > 0, 1.0 / (k + ranks(lexical)), 0.0)
    return (fused * (k + 1) / 2).astype(np.float32)
