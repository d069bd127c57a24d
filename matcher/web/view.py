"""Presentation helpers for the page: the UK tile map, query strings, highlighting, grouping.

Nothing here ranks: the order of regions and matches is the library's; these functions only
lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from ..results import Ranking
from .service import Search

# The UK's twelve ITL1 nations and regions as a tile map: (column, row, short label). Tiles keep
# each region's rough place (Scotland top, London beside the South East, Wales to the west)
# at one size each, so a small region such as London stays clickable.
TILES: dict[str, tuple[int, int, str]] = {
    "Scotland": (1, 0, "SCO"),
    "Northern Ireland": (0, 1, "NI"),
    "North East": (2, 1, "NE"),
    "North West": (1, 2, "NW"),
    "Yorkshire and The Humber": (2, 2, "YH"),
    "Wales": (0, 3, "WAL"),
    "West Midlands": (1, 3, "WM"),
    "East Midlands": (2, 3, "EM"),
    "East of England": (3, 3, "EE"),
    "South West": (1, 4, "SW"),
    "London": (2, 4, "LON"),
    "South East": (3, 4, "SE"),
}
TILE = 64  # px per tile in the SVG's coordinates
GAP = 4


@dataclass(frozen=True)
class Tile:
    region: str
    label: str
    x: int
    y: int
    rank: int | None  # place in the region answer (1 = best), None when not in it
    shade: int  # 0 (no fit) .. 5 (the best region)
    href: str


def tiles(ranking: Ranking | None, search: Search | None) -> list[Tile]:
    """One tile per region, shaded by its score relative to the best region's."""
    answers = list(ranking.regions) if ranking else []
    best = max((a.score for a in answers), default=0.0)
    rank = {a.region: i for i, a in enumerate(answers, 1)}
    score = {a.region: a.score for a in answers}
    out = []
    for region, (col, row, label) in TILES.items():
        share = score.get(region, 0.0) / best if best > 0 else 0.0
        shade = 0 if region not in rank else max(1, min(5, round(share ** 3 * 5)))
        href = search_url(search, regions=(region,)) if search else ""
        out.append(Tile(region, label, col * (TILE + GAP), row * (TILE + GAP), rank.get(region),
                        shade, href))
    return out


def query_pairs(search: Search) -> list[tuple[str, str]]:
    """The search as query-string pairs (the page's form field names)."""
    pairs: list[tuple[str, str]] = [("brief", search.brief)]
    if search.k != 10:
        pairs.append(("k", str(search.k)))
    if search.kind != "all":
        pairs.append(("kind", search.kind))
    for name, values in (("region", search.regions), ("org_type", search.org_types),
                         ("tag", search.tags), ("cluster", search.clusters),
                         ("exclude", search.exclude), ("ignore", search.ignore)):
        pairs.extend((name, v) for v in values)
    if not search.infer:
        pairs.append(("infer", "0"))
    return pairs


def search_url(search: Search, path: str = "/", **changes) -> str:
    """A link to this search (or to it with some values changed): the link that reproduces it."""
    from dataclasses import replace

    return f"{path}?{urlencode(query_pairs(replace(search, **changes)))}"


_WORD = re.compile(r"\w+", re.UNICODE)


def highlight(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (segment, marked) pieces: words that start with a shared term (the
    terms are stems, "manufactur") are marked. The template escapes every segment."""
    stems = [t.casefold() for t in terms if len(t) >= 3]
    if not stems:
        return [(text, False)]
    pieces, last = [], 0
    for word in _WORD.finditer(text):
        if any(word.group().casefold().startswith(s) for s in stems):
            if word.start() > last:
                pieces.append((text[last:word.start()], False))
            pieces.append((word.group(), True))
            last = word.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def group_by_cluster(ranking: Ranking, partners_shown: int = 3):
    """Cluster matches, each with the organisation matches of this ranking that belong to it
    (in ranking order), and the organisation matches."""
    organisations = [m for m in ranking.matches if m.kind != "cluster"]
    clusters = []
    for m in ranking.matches:
        if m.kind == "cluster":
            members = [o for o in organisations if m.entity_id in o.member_of]
            clusters.append((m, members[:partners_shown]))
    return clusters, organisations


def safe_url(url: str) -> str:
    """Only http(s) links from the corpus become hrefs (a javascript: URL would run)."""
    return url if urlsplit(url or "").scheme in ("http", "https") else ""
