"""What the API and the page share: calling the library and shaping its answers as data.

Ranking happens in the library alone (``Matcher.match_many``); this module only turns request
values into ``Filters`` and library objects into plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import MatcherError
from ..feedback import brief_sha256
from ..filters import Filters

if TYPE_CHECKING:
    from ..corpus import Entity
    from ..matcher import Matcher
    from ..results import Ranking


class UnknownEntity(MatcherError):
    """No entity with this id in the index."""


@dataclass(frozen=True)
class Search:
    """One search as the page and the API receive it (the CLI's options, as values)."""

    brief: str
    k: int = 10
    kind: str = "all"
    regions: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    explain: bool = False
    infer: bool = True
    ignore: tuple[str, ...] = ()  # places / partner types read from the brief, set aside

    @property
    def filters(self) -> Filters:
        return Filters(kind=self.kind, regions=self.regions, org_types=self.org_types,
                       tags=self.tags, member_of=self.clusters, exclude=self.exclude)


def run_search(matcher: Matcher, search: Search) -> Ranking:
    """The library's ranking for one search (QueryError for bad briefs or filters)."""
    return matcher.match_many([search.brief], k=search.k, filters=search.filters,
                              explain=search.explain, infer=search.infer,
                              ignore=search.ignore)[0]


def ranking_dict(matcher: Matcher, ranking: Ranking) -> dict[str, Any]:
    """``Ranking.to_dict()`` plus what a client needs to send feedback on it."""
    return {**ranking.to_dict(), "brief_sha256": brief_sha256(ranking.query),
            "corpus_sha256": corpus_sha256(matcher)}


def corpus_sha256(matcher: Matcher) -> str:
    return str(matcher.manifest.get("corpus_sha256", ""))


def entity(matcher: Matcher, entity_id: str) -> Entity:
    found = matcher.by_id.get(entity_id)
    if found is None:
        raise UnknownEntity(f"no entity with id '{entity_id}'")
    return found


def entity_dict(matcher: Matcher, entity_id: str) -> dict[str, Any]:
    """One entity's profile with its links named, statements and sources in one shape."""
    e = entity(matcher, entity_id)

    def ref(other: str) -> dict[str, str]:
        linked = matcher.by_id.get(other)
        return {"id": other, "name": linked.name if linked else other}

    return {
        "id": e.id, "kind": e.kind, "name": e.name, "org_type": e.org_type,
        "regions": list(e.regions), "city": e.city, "area": e.area, "remit": e.remit,
        "description": e.description,
        "capabilities": [_statement(s) for s in e.capabilities],
        "offers": [_statement(s) for s in e.offers],
        "tags": list(e.tags), "url": e.url,
        "sources": [{"url": s.url, "date": s.date, "read": s.read} for s in e.sources],
        "coverage": e.coverage,
        "member_of": [ref(i) for i in e.member_of],
        "members": [ref(i) for i in e.members],
        "part_of": ref(e.part_of) if e.part_of else None,
        "parts": [ref(i) for i in e.parts],
    }


def _statement(s) -> dict[str, Any]:
    return {"text": s.text, "as_of": s.as_of, "sources": list(s.sources)}


def health_dict(engine) -> dict[str, Any]:
    import time

    out: dict[str, Any] = {"status": engine.status, "uptime_s": round(time.time() - engine.started, 1),
                           "error": engine.error}
    if engine.status == "ok":
        manifest = engine.get().manifest
        model = manifest.get("model", {})
        out["model"] = {"id": model.get("id"), "dimension": model.get("dimension"),
                        "weights_sha256": model.get("weights_sha256")}
        out["index"] = {key: manifest.get(key) for key in (
            "format_version", "matcher_version", "built_at", "entity_count", "passage_count",
            "corpus_sha256", "dense")}
    return out
