"""Reading a brief before ranking it: the UK places it asks for, and the kind of partner.

Places come from the shipped gazetteer (``corpus/gazetteer.tsv``: nations, ITL1 regions,
counties, cities, towns and phrases such as "the North" or "the Oxford-Cambridge arc", each
mapped to ITL1 regions). The partner types come from the small table ``PARTNER_TYPES`` below.
The result is a ``Reading``: soft priors for the ranker and a line shown back to the user
("Read as: place Wales; partners: NHS, academic"). Nothing here filters anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .resources import shipped_corpus_dir

# "New England", "New South Wales", "New York": a UK name after "New" is somewhere else.
_NEW_PREFIX = re.compile(r"\bNew\s+$")
# A place followed by one of these ("Cambridge, Massachusetts", "Boston, MA") is abroad.
FOREIGN_QUALIFIERS = (
    "USA", "U.S.", "US", "United States", "America", "Canada", "Australia", "New Zealand",
    "Ireland", "Jamaica", "Tasmania", "Ontario", "Quebec", "Nova Scotia", "Alabama", "Alaska",
    "Arizona", "California", "Colorado", "Connecticut", "Delaware", "Florida", "Georgia", "Illinois",
    "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts",
    "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "MA", "CA",
    "NY", "NJ", "NC", "PA", "TX", "WA", "OH", "MD", "CT", "NH", "VA", "IL", "FL", "GA", "MI",
    "WA", "Western Australia", "Queensland", "Victoria", "New South Wales",
)
# Countries and states outside the UK that a brief may ask for ("a clinical site in Bavaria").
FOREIGN_PLACES = (
    "Ireland", "France", "Germany", "Bavaria", "Netherlands", "Belgium", "Switzerland", "Spain",
    "Italy", "Denmark", "Sweden", "Norway", "Finland", "Poland", "Austria", "Portugal", "Europe",
    "European Union", "United States", "USA", "America", "Canada", "Japan", "China", "India",
    "Singapore", "Australia", "Israel", "Korea", "Brazil", "Mexico", "Boston, Massachusetts",
    "California", "Massachusetts", "Texas", "New York", "New Jersey", "North Carolina",
    "Ontario", "Berlin", "Munich", "Paris", "Amsterdam", "Dublin", "Basel", "Zurich", "Copenhagen",
    "Stockholm", "Tokyo", "Shanghai", "Beijing", "San Francisco", "San Diego", "Seattle",
)
# An enquirer's own origin abroad: with it, an ambiguous name in "based in X" is its home, not a
# UK place it asks for ("a US company based in Boston").
_FOREIGN_ORIGIN = re.compile(
    r"\b(US|U\.S\.|USA|American|Canadian|Australian|German|French|Dutch|Swiss|Danish|Swedish|"
    r"Japanese|Chinese|Indian|Korean|Israeli|Irish|Singaporean|European|Belgian|Italian|Spanish)\b")
_ORIGIN_CONTEXT = re.compile(r"(?:based|headquartered|located|HQ'd)\s+in\s+$|\bfrom\s+$", re.I)
# Context that makes an ambiguous name a place: "in Reading", "near Bath", "Reading-based".
_PLACE_BEFORE = re.compile(
    r"\b(?:in|near|around|at|across|outside|within|covering|throughout|to|from|of|between|and|or|"
    r"based in|sited in|located in)\s+(?:the\s+)?$", re.I)
_PLACE_AFTER = re.compile(r"^(?:-based|\s+based|\s+area\b|\s+region\b|\s+city\b|,\s*(?:UK|England|"
                          r"Scotland|Wales|Northern Ireland)\b)")
# "outside London", "not in the South East", "excluding London": a place asked to be avoided.
_EXCLUDING = re.compile(
    r"\b(?:outside(?:\s+of)?|not\s+in|excluding|except|other\s+than|beyond|away\s+from|"
    r"anywhere\s+but|rather\s+than)\s+(?:the\s+)?$", re.I)

# Partner types a brief can ask for, each a label and the phrases that ask for it. A type is
# an organisation type of the vocabulary, or "cluster" for a convening body or front door.
PARTNER_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cluster": ("network or cluster", (
        r"networks?", r"introductions?", r"introduc(?:e|ing)", r"front door", r"clusters?",
        r"conven\w*", r"single point of contact", r"ecosystems?", r"alliances?",
        r"which region", r"regional (?:partners?|bod(?:y|ies)|support|agency)", r"inward investment",
        r"soft[- ]landing", r"set(?:ting)? up (?:in|a base)", r"health innovation networks?",
        r"connect(?:ed|ing)? (?:us|me|with)", r"signpost\w*", r"broker\w*",
        r"where (?:in the uk|to locate)", r"relocat\w*", r"expand(?:ing)? (?:in)?to the uk",
        r"adopt(?:ion|ed)", r"innovation agenc(?:y|ies)")),
    "nhs": ("NHS", (
        r"nhs", r"trusts?", r"health boards?", r"hospitals?", r"clinicians?",
        r"clinical (?:partners?|sites?|collaborators?|teams?|settings?)",
        r"integrated care (?:boards?|systems?)",
        r"icbs?", r"gp practices?", r"primary care", r"trial sites?", r"patients?")),
    "academic": ("academic", (
        r"universit(?:y|ies)", r"academic\w*", r"research groups?", r"phd", r"ktps?",
        r"knowledge transfer partnerships?", r"professors?", r"researchers?", r"medical schools?")),
    "industry": ("industry", (
        r"cdmos?", r"cmos?", r"contract (?:development and )?manufactur\w*",
        r"manufacturing (?:sites?|partners?|capacity|facilit(?:y|ies))", r"cros?",
        r"contract research organi[sz]ations?", r"suppliers?", r"commercial partners?",
        r"(?:pharma|biotech|medtech) (?:partners?|compan(?:y|ies))")),
    "science-park": ("lab space or campus", (
        r"lab(?:oratory)? space", r"office space", r"campus(?:es)?", r"incubat\w*", r"science parks?",
        r"wet labs?", r"grow[- ]on space", r"premises", r"co-?locat\w*", r"space to (?:rent|lease)",
        r"accommodation for (?:our|a) (?:team|company)")),
    "catapult": ("Catapult", (r"catapults?",)),
    "institute": ("research institute", (r"institutes?", r"research centres?")),
    "government": ("public body", (r"regulators?", r"regulatory (?:advice|body|guidance)", r"mhra",
                                   r"government (?:support|funding|agenc(?:y|ies))")),
}


@dataclass(frozen=True)
class PlaceMention:
    text: str  # as written in the brief
    regions: tuple[str, ...]  # the ITL1 regions it stands for
    kind: str  # nation | region | phrase | county | city | town
    excluded: bool = False  # "outside London"


@dataclass(frozen=True)
class Reading:
    """How a brief was read: the places and partner types it asks for (soft priors)."""

    places: tuple[PlaceMention, ...] = ()
    partner_types: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()  # places abroad that the brief names ("Bavaria")
    inferred: bool = True  # False when the caller turned reading off (--no-infer)

    @property
    def regions(self) -> tuple[str, ...]:
        """Regions asked for, in the order first named."""
        asked = [r for p in self.places if not p.excluded for r in p.regions]
        return tuple(dict.fromkeys(r for r in asked if r not in self.excluded_regions))

    @property
    def excluded_regions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for p in self.places if p.excluded for r in p.regions))

    def without(self, ignored: Iterable[str]) -> Reading:
        """The reading without the places, places abroad and partner types the user set
        aside (by the text read, e.g. "Wales", or the partner type key, e.g. "nhs")."""
        drop = {i.casefold() for i in ignored}
        if not drop:
            return self
        return replace(self, places=tuple(p for p in self.places if p.text.casefold() not in drop),
                       partner_types=tuple(t for t in self.partner_types if t not in drop),
                       foreign=tuple(f for f in self.foreign if f.casefold() not in drop))

    def describe(self) -> str:
        """One line for people: "place Wales; partners: NHS, academic"; "" when nothing."""
        parts = []
        asked = [p.text for p in self.places if not p.excluded]
        if asked:
            regions = ", ".join(self.regions)
            named = ", ".join(dict.fromkeys(asked))
            parts.append(f"place {named}" + (f" ({regions})" if regions != named else ""))
        avoided = [p.text for p in self.places if p.excluded]
        if avoided:
            parts.append(f"not {', '.join(dict.fromkeys(avoided))}")
        if self.foreign:
            parts.append(f"abroad: {', '.join(self.foreign)}")
        if self.partner_types:
            parts.append("partners: " + ", ".join(PARTNER_TYPES[t][0] for t in self.partner_types))
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "regions": list(self.regions),
            "excluded_regions": list(self.excluded_regions),
            "places": [{"text": p.text, "regions": list(p.regions), "kind": p.kind,
                        "excluded": p.excluded} for p in self.places],
            "partner_types": list(self.partner_types),
            "foreign": list(self.foreign),
            "read_as": self.describe(),
        }


@dataclass(frozen=True)
class _Entry:
    regions: tuple[str, ...]
    kind: str
    ambiguous: bool


@dataclass
class Gazetteer:
    """Place names and phrases mapped to ITL1 regions, matched longest first."""

    entries: dict[str, _Entry]
    source: str = ""
    _exact: re.Pattern = field(init=False, repr=False)
    _folded: re.Pattern = field(init=False, repr=False)
    _lower: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = sorted(self.entries, key=len, reverse=True)
        # Ambiguous names only as written (capitalised); the rest in any case ("north wales").
        plain = [n for n in names if not self.entries[n].ambiguous]
        self._exact = _alternation(names, flags=0)
        self._folded = _alternation(plain, flags=re.IGNORECASE)
        self._lower = {n.lower(): n for n in plain}

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        path = path or gazetteer_path()
        entries = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#") or line.startswith("name\t"):
                continue
            name, regions, kind, ambiguous = (line.split("\t") + [""] * 4)[:4]
            entries[name] = _Entry(tuple(r for r in regions.split(";") if r), kind, ambiguous == "yes")
        return cls(entries, str(path))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical name) of every gazetteer name in the text, longest first,
        without overlaps, in text order."""
        spans: list[tuple[int, int, str]] = []
        for pattern in (self._exact, self._folded):
            for m in _overlapping(pattern, text):
                name = m.group(0)
                canonical = name if name in self.entries else (
                    self._lower.get(name.lower()) or self._lower.get(name.lower().replace("-", " ")))
                if canonical:
                    spans.append((m.start(), m.end(), canonical))
        # Of overlapping names the longest wins, wherever it starts: "the North East" is the
        # North East, not "the North"; "North East of England" is not "East of England".
        spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        kept: list[tuple[int, int, str]] = []
        for span in spans:
            if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
                kept.append(span)
        return sorted(kept)


def _overlapping(pattern: re.Pattern, text: str):
    """Every match, including those that start inside an earlier one (finditer would let
    "the North" hide the "North East" of "the North East"); the longest at each start."""
    position = 0
    while (m := pattern.search(text, position)) is not None:
        yield m
        position = m.start() + 1


def _name_pattern(name: str) -> str:
    """A name as a pattern: a hyphen or dash matches either ("Stockton–on–Tees"), and a space
    also a hyphen ("North-East" finds "North East")."""
    out = []
    for part in re.split(r"([-– ])", name):
        out.append("[-–]" if part in ("-", "–") else "[ -]" if part == " " else re.escape(part))
    return "".join(out)


def _alternation(names: list[str], flags: int) -> re.Pattern:
    body = "|".join(_name_pattern(n) for n in names)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w]|-(?!based))", flags)


def gazetteer_path() -> Path:
    return shipped_corpus_dir() / "gazetteer.tsv"


@functools.lru_cache(maxsize=4)
def _default_gazetteer(path: str) -> Gazetteer:
    return Gazetteer.load(Path(path))


def default_gazetteer() -> Gazetteer:
    return _default_gazetteer(str(gazetteer_path()))


_PARTNER_PATTERNS = {
    key: re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)
    for key, (_label, patterns) in PARTNER_TYPES.items()
}
_FOREIGN_PATTERN = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in sorted(FOREIGN_PLACES, key=len, reverse=True))
    + r")(?!\w)")
_QUALIFIER_PATTERN = re.compile(
    r"^,?\s*(?:" + "|".join(re.escape(q) for q in sorted(FOREIGN_QUALIFIERS, key=len, reverse=True))
    + r")(?!\w)")


_QUALIFIED_BY = re.compile(r"^(?:,\s*|\s+in\s+|\s+on\s+the\s+|\s+\()(?:the\s+)?$")
_ASKED_FOR = re.compile(r"\b(?:in|to|near|across|into|within|for|around)\s+(?:the\s+)?$", re.I)


def read_brief(text: str, gazetteer: Gazetteer | None = None) -> Reading:
    """The UK places and partner types a brief asks for."""
    gazetteer = gazetteer or default_gazetteer()
    foreign_origin = bool(_FOREIGN_ORIGIN.search(text))
    spans = gazetteer.find(text)
    places: list[PlaceMention] = []
    skip_next = False
    for i, (start, end, name) in enumerate(spans):
        if skip_next:
            skip_next = False
            continue
        entry = gazetteer.entries[name]
        before, after = text[max(0, start - 40):start], text[end:end + 40]
        if _NEW_PREFIX.search(before) or _QUALIFIER_PATTERN.match(after):
            continue  # New England; Cambridge, Massachusetts
        regions = entry.regions
        following = spans[i + 1] if i + 1 < len(spans) else None
        if (following and entry.kind in ("city", "town")
                and gazetteer.entries[following[2]].kind in ("county", "region", "nation", "phrase")
                and _QUALIFIED_BY.match(text[end:following[0]])):
            # "Newport on the Isle of Wight", "Richmond, North Yorkshire": the qualifier decides.
            regions = gazetteer.entries[following[2]].regions
            end, skip_next = following[1], True
        elif entry.ambiguous:
            if not (_PLACE_BEFORE.search(before) or _PLACE_AFTER.match(after)):
                continue  # "reading the data", "a March deadline"
            if foreign_origin and _ORIGIN_CONTEXT.search(before):
                continue  # a US company based in Boston: its home, not a UK request
        if not regions:
            continue  # "Channel Islands": named, but no ITL1 region
        places.append(PlaceMention(text[start:end], regions, entry.kind,
                                   excluded=bool(_EXCLUDING.search(before))))
    uk_spans = [(s, e) for s, e, _n in spans]
    foreign = tuple(dict.fromkeys(
        m.group(0) for m in _FOREIGN_PATTERN.finditer(text)
        if not any(us <= m.start() < ue for us, ue in uk_spans)
        # "a US company" names its origin; "a site in Bavaria" asks for a place abroad
        and _ASKED_FOR.search(text[max(0, m.start() - 30):m.start()])))
    partner_types = tuple(key for key, pattern in _PARTNER_PATTERNS.items() if pattern.search(text))
    return Reading(tuple(places), partner_types, foreign)
