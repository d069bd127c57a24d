"""Soft priors from how a brief was read: the place and the kind of partner it asks for.

Each entity gets a multiplicative factor on its score (1 = no opinion): raised when it is in
(or covers) a region the brief asks for, lowered when every region it is in was excluded
("outside London"), raised when it is the kind of partner asked for. Nothing is filtered: a
strong match elsewhere can still outrank a weak local one. The weights live in RankingConfig.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .corpus import Entity
from .reading import Gazetteer, Reading, default_gazetteer, read_brief
from .rerank import Intent
from .vocabulary import ENGLISH_REGIONS

ALL_REGIONS = (*sorted(ENGLISH_REGIONS), "Wales", "Scotland", "Northern Ireland")
_WHOLE_UK = ("the whole uk", "the uk", "united kingdom", "all of the uk", "uk-wide", "across the uk",
             "great britain", "nationwide", "four nations", "all four nations", "britain")


def covered_regions(entity: Entity, gazetteer: Gazetteer | None = None) -> tuple[str, ...]:
    """The regions an entity is in or, by its stated area, covers ("the whole UK": all)."""
    regions = list(entity.regions)
    if entity.area:
        area = entity.area.lower()
        if any(phrase in area for phrase in _WHOLE_UK):
            return ALL_REGIONS
        regions += read_brief(entity.area, gazetteer or default_gazetteer()).regions
    return tuple(dict.fromkeys(regions))


class PriorTable:
    """Per-entity region coverage and partner types, so a reading becomes factors quickly."""

    def __init__(self, entities: Sequence[Entity], gazetteer: Gazetteer | None = None):
        gazetteer = gazetteer or default_gazetteer()
        self.region_names = list(ALL_REGIONS)
        index = {r: i for i, r in enumerate(self.region_names)}
        self.in_region = np.zeros((len(entities), len(index)), dtype=bool)  # based there
        self.covers = np.zeros_like(self.in_region)  # based there, or its area covers it
        for e, entity in enumerate(entities):
            for region in entity.regions:
                if region in index:
                    self.in_region[e, index[region]] = True
            for region in covered_regions(entity, gazetteer):
                if region in index:
                    self.covers[e, index[region]] = True
        self.kind = np.array([entity.kind for entity in entities])
        self.org_type = np.array([entity.org_type for entity in entities])

    def factors(self, reading: Reading, place_weight: float, partner_weight: float,
                exclude_weight: float, use_place: bool = True, use_partner: bool = True,
                convening_weight: float | None = None) -> np.ndarray:
        """(E,) multiplicative factors for one reading. A request for a network, introductions
        or a front door raises clusters by ``convening_weight`` (default: ``partner_weight``)."""
        out = np.ones(len(self.kind), dtype=np.float64)
        index = {r: i for i, r in enumerate(self.region_names)}
        if use_place:
            asked = [index[r] for r in reading.regions if r in index]
            if asked and place_weight:
                out *= np.where(self.covers[:, asked].any(axis=1), 1.0 + place_weight, 1.0)
            excluded = [index[r] for r in reading.excluded_regions if r in index]
            if excluded and exclude_weight:
                elsewhere = np.delete(self.in_region, excluded, axis=1).any(axis=1)
                out *= np.where(self.in_region[:, excluded].any(axis=1) & ~elsewhere,
                                1.0 - exclude_weight, 1.0)
        if use_partner and reading.partner_types:
            convening = partner_weight if convening_weight is None else convening_weight
            wanted = np.zeros(len(self.kind), dtype=bool)
            for partner in reading.partner_types:
                if partner != "cluster":
                    wanted |= self.org_type == partner
            out *= np.where(wanted, 1.0 + partner_weight, 1.0)
            if "cluster" in reading.partner_types:
                out *= np.where(self.kind == "cluster", 1.0 + convening, 1.0)
        return out

    def intent(self, reading: Reading) -> Intent:
        """Per entity, whether it is in a place and of a partner type the brief asks for (the
        learned re-ranking's features; the factors above are the hand-set priors)."""
        asked = [self.region_names.index(r) for r in reading.regions if r in self.region_names]
        place = self.covers[:, asked].any(axis=1) if asked else np.zeros(len(self.kind), bool)
        wanted = np.zeros(len(self.kind), dtype=bool)
        for partner in reading.partner_types:
            wanted |= (self.kind == "cluster") if partner == "cluster" else (self.org_type == partner)
        return Intent(place.astype(float), wanted.astype(float), "cluster" in reading.partner_types)
