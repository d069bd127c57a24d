"""Filters that narrow which entities a brief is matched against."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .corpus import KINDS, Entity
from .errors import QueryError
from .vocabulary import ENGLISH_REGIONS

NATIONS = {"England": tuple(sorted(ENGLISH_REGIONS))}


@dataclass(frozen=True)
class Filters:
    """All given conditions must hold. Within regions, org types and clusters any value may
    match; every tag given must be present."""

    kind: str = "all"
    regions: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self != Filters()

    def resolved(self, entities: Iterable[Entity]) -> Filters:
        """Canonical spellings, checked against the values the index holds.

        An unknown value raises QueryError listing the valid ones.
        """
        entities = list(entities)
        if self.kind not in (*KINDS, "all"):
            raise QueryError(f"unknown kind '{self.kind}' (valid: {', '.join((*KINDS, 'all'))})")
        regions = sorted({r for e in entities for r in e.regions})
        org_types = sorted({e.org_type for e in entities if e.org_type})
        tags = sorted({t for e in entities for t in e.tags})
        clusters = sorted(e.id for e in entities if e.kind == "cluster")
        expanded: list[str] = []
        for value in self.regions:
            nation = next((n for n in NATIONS if n.casefold() == value.strip().casefold()), None)
            expanded.extend(NATIONS[nation] if nation else [_canon("region", value, regions)])
        return replace(
            self,
            regions=tuple(dict.fromkeys(expanded)),
            org_types=tuple(_canon("org type", v, org_types) for v in self.org_types),
            tags=tuple(_canon("tag", v, tags) for v in self.tags),
            member_of=tuple(_canon("cluster", v, clusters) for v in self.member_of),
        )

    def allows(self, entity: Entity) -> bool:
        if self.kind != "all" and entity.kind != self.kind:
            return False
        if entity.id in self.exclude:
            return False
        if self.regions and not set(self.regions) & set(entity.regions):
            return False
        if self.org_types and entity.org_type not in self.org_types:
            return False
        if self.tags and not set(self.tags) <= set(entity.tags):
            return False
        return not (
            self.member_of
            and not (set(self.member_of) & set(entity.member_of) or entity.id in self.member_of)
        )


def _canon(what: str, value: str, valid: list[str]) -> str:
    wanted = value.strip().casefold()
    for option in valid:
        if option.casefold() == wanted:
            return option
    extra = " (or England)" if what == "region" else ""
    raise QueryError(f"unknown {what} '{value}'; valid: {', '.join(valid)}{extra}")
