"""Plain result types: what a match is and the evidence behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """One passage that supports a match, with the scores that ranked it."""

    text: str
    field: str  # capability | description | profile
    score: float  # fused score of this passage
    dense: float  # cosine similarity to the brief (or the part of it that matched best)
    lexical: float  # BM25 score, normalised to the best passage for this brief (0-1)
    part: int = 0  # which part of a long brief this passage answered (0-based)


@dataclass(frozen=True)
class Match:
    """A ranked entity."""

    rank: int
    entity_id: str
    name: str
    kind: str
    org_type: str
    regions: tuple[str, ...]
    score: float
    evidence: tuple[Evidence, ...]
    url: str = ""
    member_of: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regions"] = list(self.regions)
        data["member_of"] = list(self.member_of)
        data["score"] = round(self.score, 4)
        data["evidence"] = [
            {**asdict(e), "score": round(e.score, 4), "dense": round(e.dense, 4),
             "lexical": round(e.lexical, 4)}
            for e in self.evidence
        ]
        return data


@dataclass
class Ranking:
    """The answer to one brief: ranked matches, the parts the brief was read in, warnings."""

    query: str
    matches: list[Match]
    parts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, i):
        return self.matches[i]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "parts": self.parts,
            "warnings": self.warnings,
            "matches": [m.to_dict() for m in self.matches],
        }
