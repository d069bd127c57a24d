"""Plain result types: what a match is and the evidence behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .reading import Reading
    from .regions import RegionAnswer


@dataclass(frozen=True)
class Evidence:
    """One passage that supports a match, with the scores that ranked it."""

    text: str
    field: str  # capability | offer | remit | description | profile
    score: float  # fused score of this passage
    dense: float  # cosine similarity to the brief (or the part of it that matched best)
    lexical: float  # BM25 score, normalised to the best passage for this brief (0-1)
    answers: str = ""  # the aspect of the brief this passage answered ("" = the whole brief)
    via: str = ""  # for a cluster: the member organisation this passage belongs to
    shared_terms: tuple[str, ...] = ()  # words the passage shares with the brief (by stem)
    as_of: int | None = None  # the year a dated figure was true


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
    similarity: float = 0.0  # best dense cosine among the evidence (what strength is fitted on)
    strength: float = 0.0  # 0-100, calibrated so bands mean the same across briefs
    band: str = ""  # strong | possible | weak
    url: str = ""
    member_of: tuple[str, ...] = ()
    # With explain: the learned re-ranking's features of this match and its learned score
    # (rerank.py); empty when re-ranking is off or the match ranked below its depth.
    features: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regions"] = list(self.regions)
        data["member_of"] = list(self.member_of)
        data["score"] = round(self.score, 4)
        data["similarity"] = round(self.similarity, 4)
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
    parts: list[str] = field(default_factory=list)  # the brief as read (windows if very long)
    aspects: list[str] = field(default_factory=list)  # the needs it was split into, if any
    warnings: list[str] = field(default_factory=list)
    no_good_match: bool = False  # see verdict.py: a weak best fit, a place abroad, unknown words
    verdict_reasons: list[str] = field(default_factory=list)
    reading: Reading | None = None  # the places and partner types read from the brief
    regions: list[RegionAnswer] = field(default_factory=list)  # regions best first

    @property
    def verdict(self) -> str:
        return "no good match" if self.no_good_match else "matches found"

    def __iter__(self):
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, i):
        return self.matches[i]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "verdict": self.verdict,  # the text form of no_good_match, as in batch output
            "no_good_match": self.no_good_match,
            "verdict_reasons": self.verdict_reasons,
            "parts": self.parts,
            "aspects": self.aspects,
            "warnings": self.warnings,
            "reading": self.reading.to_dict() if self.reading else None,
            "regions": [r.to_dict() for r in self.regions],
            "matches": [m.to_dict() for m in self.matches],
        }
