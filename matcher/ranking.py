"""From a brief's vectors to ranked entities: hybrid passage scores, pooled per entity.

Dense cosine and BM25 are fused per passage (BM25 normalised by its best passage for the
brief, so the two live on comparable 0-1 scales); an entity's score is its best passage's
score (max pooling), and the passages that scored highest are its evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .index.store import IndexData
from .results import Evidence, Match


@dataclass(frozen=True)
class RankingConfig:
    dense_weight: float = 0.8
    lexical_weight: float = 0.2
    candidates: int = 256  # passages taken from each retriever per part of the brief
    evidence: int = 3  # passages shown per match

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RankingConfig:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


class Ranker:
    """Scores passages for a brief and pools them into entity matches."""

    def __init__(self, data: IndexData, config: RankingConfig):
        self.data = data
        self.config = config
        index_of = {e.id: i for i, e in enumerate(data.entities)}
        self.passage_entity = np.array(
            [index_of[p.entity_id] for p in data.passages], dtype=np.int64
        )

    def allowed_passages(self, entity_mask: np.ndarray | None) -> np.ndarray | None:
        if entity_mask is None:
            return None
        return np.nonzero(entity_mask[self.passage_entity])[0]

    def _score_part(self, vector: np.ndarray, text: str, allowed: np.ndarray | None):
        cfg = self.config
        lexical = self.data.lexical.scores(text)
        if allowed is not None:
            masked = np.zeros_like(lexical)
            masked[allowed] = lexical[allowed]
            lexical = masked
        _, dense_ids = self.data.dense.search(vector[None, :], cfg.candidates, allowed)
        dense_ids = dense_ids[0][dense_ids[0] >= 0]
        positive = np.nonzero(lexical > 0)[0]
        if len(positive) > cfg.candidates:
            top = np.argpartition(-lexical[positive], cfg.candidates)[: cfg.candidates]
            positive = positive[top]
        candidates = np.union1d(dense_ids, positive).astype(np.int64)
        dense = self.data.dense.vectors(candidates) @ vector
        best_lexical = float(lexical.max()) if len(lexical) else 0.0
        lexical_norm = lexical[candidates] / best_lexical if best_lexical > 0 else np.zeros(
            len(candidates), dtype=np.float32
        )
        fused = cfg.dense_weight * dense + cfg.lexical_weight * lexical_norm
        return candidates, fused, dense, lexical_norm

    def rank(
        self,
        vectors: np.ndarray,
        parts: list[str],
        k: int,
        entity_mask: np.ndarray | None = None,
    ) -> list[Match]:
        allowed = self.allowed_passages(entity_mask)
        if allowed is not None and len(allowed) == 0:
            return []
        n = len(self.data.passages)
        fused_all = np.full(n, -np.inf, dtype=np.float32)
        dense_all = np.zeros(n, dtype=np.float32)
        lexical_all = np.zeros(n, dtype=np.float32)
        part_all = np.zeros(n, dtype=np.int64)
        # A passage keeps its best score over the parts of a long brief.
        for part, (vector, text) in enumerate(zip(vectors, parts, strict=True)):
            ids, fused, dense, lexical = self._score_part(vector, text, allowed)
            better = fused > fused_all[ids]
            chosen = ids[better]
            fused_all[chosen] = fused[better]
            dense_all[chosen] = dense[better]
            lexical_all[chosen] = lexical[better]
            part_all[chosen] = part
        candidates = np.nonzero(np.isfinite(fused_all))[0]
        order = candidates[np.argsort(-fused_all[candidates], kind="stable")]
        owners = self.passage_entity[order]
        # First appearance of an entity in passage order = its best passage (max pooling).
        _, first = np.unique(owners, return_index=True)
        top_entities = owners[np.sort(first)][:k]
        evidence: dict[int, list[int]] = {int(e): [] for e in top_entities}
        for passage, owner in zip(order, owners, strict=True):
            bucket = evidence.get(int(owner))
            if bucket is not None and len(bucket) < self.config.evidence:
                bucket.append(int(passage))
        matches = []
        for rank, entity_idx in enumerate(top_entities, 1):
            entity = self.data.entities[int(entity_idx)]
            passages = evidence[int(entity_idx)]
            matches.append(Match(
                rank=rank,
                entity_id=entity.id,
                name=entity.name,
                kind=entity.kind,
                org_type=entity.org_type,
                regions=entity.regions,
                score=float(fused_all[passages[0]]),
                evidence=tuple(
                    Evidence(
                        text=self.data.passages[p].text,
                        field=self.data.passages[p].field,
                        score=float(fused_all[p]),
                        dense=float(dense_all[p]),
                        lexical=float(lexical_all[p]),
                        part=int(part_all[p]),
                    )
                    for p in passages
                ),
                url=entity.url,
                member_of=entity.member_of,
            ))
        return matches
