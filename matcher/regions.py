"""The region answer: which UK regions cover a brief's needs, with their front doors.

For every need of the brief (each aspect, or the whole brief when it has one need) a region
scores the best match among the entities based there; a region's score is the mean over the
needs, so a region that covers every need beats one with a single star. Each region lists its
front-door clusters (best first) and its best partner organisation per need. National bodies
(an area covering the whole UK) are left out of the region answer: they serve every region
alike, and counting them where they are based would put London second for every brief.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .corpus import Entity
from .priors import ALL_REGIONS


@dataclass(frozen=True)
class RegionAnswer:
    region: str
    score: float  # mean over needs of the region's best entity score for that need
    coverage: float  # share of needs whose best match here is at least half the best anywhere
    front_doors: tuple[str, ...]  # cluster ids based in the region, best first
    partners: tuple[tuple[str, str], ...]  # (need, organisation id): the best per need
    names: tuple[tuple[str, str], ...] = ()  # (id, name) of the entities above, for display

    def name(self, entity_id: str) -> str:
        return dict(self.names).get(entity_id, entity_id)

    def to_dict(self) -> dict:
        return {"region": self.region, "score": round(self.score, 4),
                "coverage": round(self.coverage, 3),
                "front_doors": [{"entity_id": e, "name": self.name(e)} for e in self.front_doors],
                "partners": [{"need": need, "entity_id": e, "name": self.name(e)}
                             for need, e in self.partners]}


class RegionTable:
    """Which entities are based in which region, as arrays for quick answers."""

    def __init__(self, entities: Sequence[Entity], national: np.ndarray | None = None):
        self.entities = list(entities)
        self.national = (np.zeros(len(entities), dtype=bool) if national is None
                         else np.asarray(national, dtype=bool))
        index = {r: i for i, r in enumerate(ALL_REGIONS)}
        self.based = np.zeros((len(ALL_REGIONS), len(entities)), dtype=bool)
        for e, entity in enumerate(entities):
            for region in entity.regions:
                if region in index:
                    self.based[index[region], e] = True
        self.is_cluster = np.array([e.kind == "cluster" for e in entities], dtype=bool)
        self.names = {e.id: e.name for e in entities}
        self.position = {e.id: i for i, e in enumerate(entities)}

    def answer(self, need_scores: np.ndarray, need_labels: Sequence[str], scores: np.ndarray,
               eligible: np.ndarray, front_doors: int = 2) -> list[RegionAnswer]:
        """Regions best first. ``need_scores`` is (needs x entities), ``scores`` the final
        entity scores (for ordering front doors), ``eligible`` the entities allowed."""
        eligible = eligible & ~self.national
        need_scores = np.where(eligible[None, :], need_scores, -np.inf)
        best_anywhere = need_scores.max(axis=1)  # (needs,)
        answers = []
        for r, region in enumerate(ALL_REGIONS):
            here = self.based[r] & eligible
            if not here.any():
                continue
            local = np.where(here[None, :], need_scores, -np.inf)
            best = local.max(axis=1)
            finite = np.where(np.isfinite(best), best, 0.0)
            covered = np.isfinite(best) & (finite >= 0.5 * np.maximum(best_anywhere, 1e-9))
            clusters = np.nonzero(here & self.is_cluster)[0]
            clusters = clusters[np.argsort(-scores[clusters], kind="stable")][:front_doors]
            organisations = np.where(here & ~self.is_cluster, 1.0, 0.0)[None, :] > 0
            partners = []
            for n, label in enumerate(need_labels):
                row = np.where(organisations[0], need_scores[n], -np.inf)
                if np.isfinite(row.max()):
                    partners.append((label, self.entities[int(np.argmax(row))].id))
            doors = tuple(self.entities[int(c)].id for c in clusters)
            shown = {*doors, *(e for _need, e in partners)}
            answers.append(RegionAnswer(
                region=region, score=float(finite.mean()), coverage=float(covered.mean()),
                front_doors=doors, partners=tuple(partners),
                names=tuple((e, self.names[e]) for e in sorted(shown, key=self.position.get))))
        return sorted(answers, key=lambda a: -a.score)
