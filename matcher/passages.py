"""Passages: the retrieval unit. Every capability, offer, remit and description sentence is one
passage."""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import Entity
from .text import split_sentences

# Bump when the way entities become passages changes: cached default indexes are keyed by it.
PASSAGE_SCHEME = 3

ORG_TYPE_LABELS = {
    "academic": "university or academic institution",
    "nhs": "NHS trust or health board",
    "industry": "company",
    "institute": "research institute",
    "catapult": "Catapult innovation centre",
    "science-park": "science park or campus",
    "network": "network",
    "government": "public body",
    "charity": "charity",
}


# Fields a passage can come from, in the order an entity's passages are listed.
PASSAGE_FIELDS = ("profile", "remit", "description", "offer", "capability")


@dataclass(frozen=True)
class Passage:
    entity_id: str
    field: str  # one of PASSAGE_FIELDS
    text: str
    as_of: int | None = None  # the year a dated figure was true, shown beside it

    def to_dict(self) -> dict[str, str | int]:
        data: dict[str, str | int] = {"entity_id": self.entity_id, "field": self.field,
                                      "text": self.text}
        if self.as_of is not None:
            data["as_of"] = self.as_of
        return data


def profile_sentence(entity: Entity) -> str:
    """Who and where, in words: lets a brief that names a place or type find the entity."""
    regions = " and ".join(entity.regions)
    place = ", ".join(p for p in dict.fromkeys((entity.city, regions)) if p)
    label = ORG_TYPE_LABELS.get(entity.org_type, "organisation")
    if entity.kind == "cluster":
        label = f"life-science cluster ({label})"
    sentence = f"{entity.name}: {label}" + (f" in {place}" if place else "")
    if entity.area:
        sentence += f", covering {entity.area}"
    return sentence + "."


def entity_passages(entity: Entity, profile: bool = True) -> list[Passage]:
    """The passages of one entity in PASSAGE_FIELDS order, no repeats."""
    texts: dict[str, tuple[str, int | None]] = (
        {profile_sentence(entity): ("profile", None)} if profile else {}
    )
    if entity.remit:
        texts.setdefault(" ".join(entity.remit.split()), ("remit", None))
    for sentence in split_sentences(entity.description):
        texts.setdefault(sentence, ("description", None))
    for field, statement in sorted(entity.statements(), key=lambda fs: fs[0] != "offer"):
        texts.setdefault(" ".join(statement.text.split()), (field, statement.as_of))
    return [Passage(entity.id, field, text, as_of) for text, (field, as_of) in texts.items()]
