"""Passages: the retrieval unit. Every capability and description sentence is one passage."""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import Entity
from .text import split_sentences

# Bump when the way entities become passages changes: cached default indexes are keyed by it.
PASSAGE_SCHEME = 2

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


@dataclass(frozen=True)
class Passage:
    entity_id: str
    field: str  # "capability" | "description" | "profile"
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"entity_id": self.entity_id, "field": self.field, "text": self.text}


def profile_sentence(entity: Entity) -> str:
    """Who and where, in words: lets a brief that names a place or type find the entity."""
    regions = " and ".join(entity.regions)
    place = ", ".join(p for p in dict.fromkeys((entity.city, regions)) if p)
    label = ORG_TYPE_LABELS.get(entity.org_type, "organisation")
    if entity.kind == "cluster":
        label = f"life-science cluster ({label})"
    return f"{entity.name}: {label}" + (f" in {place}." if place else ".")


def entity_passages(entity: Entity, profile: bool = True) -> list[Passage]:
    """The passages of one entity, in profile, description, capabilities order, no repeats."""
    texts: dict[str, str] = {profile_sentence(entity): "profile"} if profile else {}
    for sentence in split_sentences(entity.description):
        texts.setdefault(sentence, "description")
    for capability in entity.capabilities:
        texts.setdefault(" ".join(capability.split()), "capability")
    return [Passage(entity.id, field, text) for text, field in texts.items()]
