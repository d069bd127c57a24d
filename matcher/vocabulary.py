"""The controlled vocabulary: the regions, organisation types and tags an entity may use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError
from .resources import vocabulary_path

# England's nine ITL1 regions roll up to the nation; used for "nation" statistics and filters.
ENGLISH_REGIONS = frozenset(
    {
        "North East",
        "North West",
        "Yorkshire and The Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
    }
)


def nation_of(region: str) -> str:
    """The UK nation a region belongs to."""
    return "England" if region in ENGLISH_REGIONS else region


@dataclass(frozen=True)
class Vocabulary:
    regions: tuple[str, ...]
    org_types: tuple[str, ...]
    tags: tuple[str, ...]
    tag_groups: dict[str, tuple[str, ...]]
    source: str = "vocabulary.yaml"

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        """Read a vocabulary file (the shipped one by default)."""
        import yaml

        path = Path(path) if path else vocabulary_path()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CorpusError([f"{path}: cannot read vocabulary: {exc}"]) from exc
        if not isinstance(data, dict):
            raise CorpusError([f"{path}: vocabulary must be a mapping with regions, org_types, tags"])
        groups = {str(k): tuple(v or ()) for k, v in (data.get("tags") or {}).items()}
        return cls(
            regions=tuple(data.get("regions") or ()),
            org_types=tuple(data.get("org_types") or ()),
            tags=tuple(t for group in groups.values() for t in group),
            tag_groups=groups,
            source=str(path),
        )

    def match_region(self, value: str) -> str | None:
        """The canonical spelling of a region, ignoring case; None if unknown."""
        return _casefold_lookup(self.regions, value)

    def match_org_type(self, value: str) -> str | None:
        return _casefold_lookup(self.org_types, value)

    def match_tag(self, value: str) -> str | None:
        return _casefold_lookup(self.tags, value)


def _casefold_lookup(options: tuple[str, ...], value: str) -> str | None:
    wanted = value.strip().casefold()
    for option in options:
        if option.casefold() == wanted:
            return option
    return None
