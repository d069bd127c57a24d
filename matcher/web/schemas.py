"""The JSON API's request and response shapes (they make the OpenAPI schema at /docs).

Responses mirror the library's ``to_dict()`` forms (results.py, regions.py, reading.py) and
allow extra fields, so a field the library adds later passes through instead of vanishing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..corpus import ID_PATTERN
from ..feedback import MAX_NOTE_CHARS
from ..matcher import MAX_BRIEF_CHARS

# A character that is not whitespace as Python's str.split() sees it (the library's own test
# of an empty brief). Spelt out, because \s means other sets in Python and in JSON Schema.
BRIEF_PATTERN = r"[^\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
Value = Annotated[str, Field(min_length=1, max_length=200)]
Values = Annotated[list[Value], Field(max_length=50)]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# ------------------------------------------------------------------ requests


# Strict: a JSON 0 is not false, "5" is not 5; the schema says what is accepted.
class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    brief: str = Field(min_length=1, max_length=MAX_BRIEF_CHARS, pattern=BRIEF_PATTERN,
                       description="The need to match: a company brief, a research need, ...")
    k: int = Field(10, ge=1, le=100, description="How many matches.")
    kind: Literal["cluster", "organisation", "all"] = "all"
    regions: Values = Field(default_factory=list,
                            description="Keep entities in these ITL1 regions (a nation such as "
                                        "Wales or England works too).")
    org_types: Values = Field(default_factory=list, description="academic, nhs, industry, ...")
    tags: Values = Field(default_factory=list, description="All must be present.")
    clusters: Values = Field(default_factory=list, description="Keep members of these cluster ids.")
    exclude: Values = Field(default_factory=list, description="Leave out these entity ids.")
    explain: bool = Field(False, description="Add the words each evidence passage shares with "
                                             "the brief.")
    infer: bool = Field(True, description="Read places and partner types from the brief (soft "
                                          "priors); false turns the reading off.")
    ignore: Values = Field(default_factory=list,
                           description="Places or partner types read from the brief to set "
                                       "aside, as read ('Wales') or by partner key ('nhs').")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    brief: str = Field(min_length=1, max_length=MAX_BRIEF_CHARS, pattern=BRIEF_PATTERN,
                       description="The brief the match was made for (stored with its hash).")
    entity_id: str = Field(min_length=1, max_length=200, pattern=ID_PATTERN.pattern)
    judgement: Literal["useful", "not_useful", "contacted"]
    note: str = Field("", max_length=MAX_NOTE_CHARS)


# ------------------------------------------------------------------ responses


class ErrorOut(BaseModel):
    detail: str
    errors: list[dict] | None = None


class EvidenceOut(Out):
    text: str
    field: str
    score: float
    dense: float
    lexical: float
    answers: str = ""
    via: str = ""
    shared_terms: list[str] = []
    as_of: int | None = None


class MatchOut(Out):
    rank: int
    entity_id: str
    name: str
    kind: str
    org_type: str
    regions: list[str]
    score: float
    evidence: list[EvidenceOut]
    similarity: float
    strength: float
    band: str
    url: str
    member_of: list[str]


class Ref(BaseModel):
    entity_id: str
    name: str


class PartnerRef(Ref):
    need: str


class RegionOut(Out):
    region: str
    score: float
    coverage: float
    front_doors: list[Ref]
    partners: list[PartnerRef]


class PlaceOut(Out):
    text: str
    regions: list[str]
    kind: str
    excluded: bool


class ReadingOut(Out):
    regions: list[str]
    excluded_regions: list[str]
    places: list[PlaceOut]
    partner_types: list[str]
    foreign: list[str]
    read_as: str


class RankingOut(Out):
    query: str
    verdict: str
    verdict_reasons: list[str]
    parts: list[str]
    aspects: list[str]
    warnings: list[str]
    reading: ReadingOut | None
    regions: list[RegionOut]
    matches: list[MatchOut]
    brief_sha256: str = Field(description="What feedback on this brief is stored under.")
    corpus_sha256: str = Field(description="The corpus the index was built from.")


class StatementOut(BaseModel):
    text: str
    as_of: int | None = None
    sources: list[str] = []


class SourceOut(BaseModel):
    url: str
    date: str = Field("", description="Published (YYYY, YYYY-MM or YYYY-MM-DD), where shown.")
    read: str = Field("", description="When the page was read.")


class EntityRef(BaseModel):
    id: str
    name: str


class EntityOut(BaseModel):
    id: str
    kind: str
    name: str
    org_type: str
    regions: list[str]
    city: str
    area: str
    remit: str
    description: str
    capabilities: list[StatementOut]
    offers: list[StatementOut]
    tags: list[str]
    url: str
    sources: list[SourceOut]
    coverage: str
    member_of: list[EntityRef]
    members: list[EntityRef]
    part_of: EntityRef | None
    parts: list[EntityRef]


class FeedbackOut(BaseModel):
    id: int
    brief_sha256: str
    entity_id: str
    judgement: str
    grade: int
    corpus_sha256: str
    created_at: str


class IndexSummary(Out):
    format_version: int | None = None
    matcher_version: str | None = None
    built_at: str | None = None
    entity_count: int | None = None
    passage_count: int | None = None
    corpus_sha256: str | None = None
    dense: dict | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "loading", "failed"]
    model: dict | None = None
    index: IndexSummary | None = None
    uptime_s: float
    error: str = ""
