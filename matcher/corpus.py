"""Corpus entities: reading YAML, JSONL and CSV files, and validating them as a whole.

Every problem is reported as ``file:record: field: problem`` and all of them are collected
before anything is refused, so a curator fixes a file in one pass.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .vocabulary import Vocabulary

KINDS = ("cluster", "organisation")
DATA_SUFFIXES = (".yaml", ".yml", ".jsonl", ".json", ".csv")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LIST_FIELDS = ("region", "tags", "member_of", "members", "parts")
STATEMENT_FIELDS = ("capabilities", "offers")  # lists of statements: text, or {text, source, as_of}
TEXT_FIELDS = ("id", "kind", "name", "org_type", "city", "area", "remit", "description", "url",
               "coverage", "part_of")
KNOWN_FIELDS = frozenset(LIST_FIELDS + STATEMENT_FIELDS + TEXT_FIELDS + ("sources",))
CSV_LIST_FIELDS = frozenset(LIST_FIELDS + STATEMENT_FIELDS + ("sources",))
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
EARLIEST_YEAR = 1800
CSV_REQUIRED_COLUMNS = ("id", "name", "description")
COVERAGE_VALUES = ("thin",)


@dataclass(frozen=True)
class Source:
    """A page a fact came from: ``date`` is when it was published (if it says), ``read`` when
    it was consulted; both as YYYY, YYYY-MM or YYYY-MM-DD."""

    url: str
    date: str = ""
    read: str = ""

    @property
    def year(self) -> int | None:
        """The year the page speaks for: its publication year, else the year it was read."""
        value = self.date or self.read
        return int(value[:4]) if value else None

    def to_dict(self) -> dict[str, str] | str:
        extra = {k: v for k, v in (("date", self.date), ("read", self.read)) if v}
        return {"url": self.url, **extra} if extra else self.url

    @classmethod
    def coerce(cls, value: Source | str | Mapping[str, Any]) -> Source:
        if isinstance(value, Source):
            return value
        if isinstance(value, str):
            return cls(value)
        return cls(str(value["url"]), str(value.get("date") or ""), str(value.get("read") or ""))


@dataclass(frozen=True)
class Statement:
    """One claim (a capability or an offer), with the year it is tied to and its own pages."""

    text: str
    as_of: int | None = None  # the year a figure or superlative was true
    sources: tuple[str, ...] = ()  # pages supporting this statement (else the entity's sources)

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any] | str:
        if self.as_of is None and not self.sources:
            return self.text
        data: dict[str, Any] = {"text": self.text}
        if self.as_of is not None:
            data["as_of"] = self.as_of
        if self.sources:
            data["sources"] = list(self.sources)
        return data

    @classmethod
    def coerce(cls, value: Statement | str | Mapping[str, Any]) -> Statement:
        if isinstance(value, Statement):
            return value
        if isinstance(value, str):
            return cls(value)
        return cls(str(value["text"]), value.get("as_of"), tuple(value.get("sources") or ()))


@dataclass(frozen=True)
class Entity:
    """A cluster or organisation and what it says it can do."""

    id: str
    kind: str
    name: str
    org_type: str = ""
    regions: tuple[str, ...] = ()
    city: str = ""
    area: str = ""  # the places a cluster or national body covers, in words
    remit: str = ""  # what a cluster is there to do, in one sentence
    description: str = ""
    capabilities: tuple[Statement, ...] = ()  # what it has, does or knows
    offers: tuple[Statement, ...] = ()  # what an enquirer can get from it
    tags: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    part_of: str = ""  # the parent of a named unit (an institute inside a university)
    parts: tuple[str, ...] = ()  # the named units inside this entity
    url: str = ""
    sources: tuple[Source, ...] = ()
    coverage: str = ""
    origin: str = ""  # "file:record", for messages

    def __post_init__(self) -> None:
        # Plain strings are accepted for statements and sources (code and old index metadata).
        for name, kind in (("capabilities", Statement), ("offers", Statement), ("sources", Source)):
            value = getattr(self, name)
            if any(not isinstance(v, kind) for v in value):
                object.__setattr__(self, name, tuple(kind.coerce(v) for v in value))

    def statements(self) -> list[tuple[str, Statement]]:
        """Capabilities and offers with their field name, in corpus order."""
        return [("capability", c) for c in self.capabilities] + [("offer", o) for o in self.offers]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (the index's entity metadata)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "org_type": self.org_type,
            "regions": list(self.regions),
            "city": self.city,
            "area": self.area,
            "remit": self.remit,
            "description": self.description,
            "capabilities": [c.to_dict() for c in self.capabilities],
            "offers": [o.to_dict() for o in self.offers],
            "tags": list(self.tags),
            "member_of": list(self.member_of),
            "members": list(self.members),
            "part_of": self.part_of,
            "parts": list(self.parts),
            "url": self.url,
            "sources": [s.to_dict() for s in self.sources],
            "coverage": self.coverage,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entity:
        fields = dict(data)
        for name in ("regions", "capabilities", "offers", "tags", "member_of", "members", "parts",
                     "sources"):
            fields[name] = tuple(fields.get(name) or ())
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})


@dataclass
class Corpus:
    """A validated set of entities with symmetric membership links."""

    entities: tuple[Entity, ...]
    fingerprint: str
    files: tuple[str, ...] = ()
    by_id: dict[str, Entity] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.entities}

    def __len__(self) -> int:
        return len(self.entities)


# ---------------------------------------------------------------------------- reading


@dataclass
class _Record:
    data: dict[str, Any]
    origin: str  # file:line where the record starts
    field_lines: dict[str, int] = field(default_factory=dict)  # YAML: line of each field

    def where(self, field_name: str) -> str:
        """file:line of a field when known (YAML), else of the record."""
        line = self.field_lines.get(field_name)
        return f"{self.origin.rsplit(':', 1)[0]}:{line}" if line else self.origin


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """The data files behind the given files or directories, in a stable order.

    Inside a directory, ``vocabulary.yaml``, README files and anything under ``eval/`` or
    ``examples/`` are not entity files.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if (
                    child.is_file()
                    and child.suffix.lower() in DATA_SUFFIXES
                    and child.name != "vocabulary.yaml"
                    and not {"eval", "examples"} & set(rel.parts[:-1])
                ):
                    found.append(child)
        elif path.is_file():
            found.append(path)
        else:
            raise CorpusError([f"{path}: no such file or directory"])
    return found


def fingerprint_files(files: Sequence[Path], vocabulary: Path | None = None) -> str:
    """A content hash of the corpus files (and vocabulary), computed without parsing them."""
    digest = hashlib.sha256()
    for path in [*files, *([vocabulary] if vocabulary else [])]:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _decode(path: Path, problems: list[str]) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot read: {exc.strerror}")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            f"{path}:{line}: file: not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8"
        )
        return None


def _read_yaml(path: Path, text: str, problems: list[str]) -> list[_Record]:
    import yaml

    # libyaml's loader when PyYAML has it (about 5x faster on the shipped corpus, which a
    # first run reads before anything else); its nodes carry the same line marks.
    class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    def construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
        mapping = loader.construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {
            str(key.value): key.start_mark.line + 1 for key, _value in node.value
        }
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    # Dates stay text, checked by the validator: YAML's own timestamp parsing crashes on 2024-13-01.
    LineLoader.add_constructor("tag:yaml.org,2002:timestamp",
                               lambda loader, node: loader.construct_scalar(node))
    try:
        data = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(f"{where}: file: not valid YAML ({reason}); fix the syntax at that line")
        return []
    if isinstance(data, dict) and "entities" in data:
        data = data["entities"]
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{path}: file: expected a list of entities under 'entities:'")
        return []
    records = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            problems.append(f"{path}:{i}: record: expected a mapping of fields")
            continue
        line = item.pop("__line__", i)
        field_lines = item.pop("__lines__", {})
        records.append(_Record(_strip_lines(item), f"{path}:{line}", field_lines))
    return records


def _strip_lines(value: Any) -> Any:
    """Remove the loader's line markers from nested mappings."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _read_jsonl(path: Path, text: str, problems: list[str]) -> list[_Record]:
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{exc.lineno}: file: not valid JSON ({exc.msg})")
            return []
        if isinstance(data, dict) and "entities" in data:
            data = data["entities"]
        if not isinstance(data, list):
            problems.append(f"{path}: file: expected a JSON list of entities")
            return []
        records = []
        for i, item in enumerate(data, 1):
            if isinstance(item, dict):
                records.append(_Record(item, f"{path}:{i}"))
            else:
                problems.append(f"{path}:{i}: record: expected a JSON object")
        return records
    records = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{lineno}: record: not valid JSON ({exc.msg})")
            continue
        if not isinstance(item, dict):
            problems.append(f"{path}:{lineno}: record: expected a JSON object")
            continue
        records.append(_Record(item, f"{path}:{lineno}"))
    return records


def _split_cell(value: str) -> list[str]:
    """A CSV list cell: one item per line, or items separated by ';'."""
    parts = value.splitlines() if "\n" in value else value.split(";")
    return [p.strip() for p in parts if p.strip()]


def _read_csv(
    path: Path, text: str, problems: list[str], column_map: Mapping[str, str]
) -> list[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(f"{path}:1: file: empty CSV file; add a header row")
        return []
    header = [h.strip() for h in header]
    to_field = {column: name for name, column in column_map.items()}
    fields_by_col = [to_field.get(col, col) for col in header]
    missing = [c for c in CSV_REQUIRED_COLUMNS if c not in fields_by_col]
    if missing:
        wanted = ", ".join(
            f"'{column_map.get(c, c)}'" + (f" (for {c})" if c in column_map else "")
            for c in missing
        )
        problems.append(
            f"{path}:1: header: missing required column(s) {wanted}; "
            f"found {', '.join(header) or 'none'} (map columns with --column FIELD=COLUMN)"
        )
        return []
    records = []
    try:
        for row in reader:
            lineno = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(
                    f"{path}:{lineno}: record: {len(row)} cells but the header has "
                    f"{len(header)}; check the quoting on that line"
                )
                continue
            item: dict[str, Any] = {}
            for name, cell in zip(fields_by_col, row, strict=True):
                cell = cell.strip()
                if not cell:
                    continue
                item[name] = _split_cell(cell) if name in CSV_LIST_FIELDS else cell
            records.append(_Record(item, f"{path}:{lineno}"))
    except csv.Error as exc:
        problems.append(f"{path}:{reader.line_num}: file: broken CSV ({exc}); check the quoting")
    return records


def _read_file(path: Path, problems: list[str], column_map: Mapping[str, str]) -> list[_Record]:
    text = _decode(path, problems)
    if text is None:
        return []
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, text, problems)
    if suffix in (".jsonl", ".json"):
        return _read_jsonl(path, text, problems)
    if suffix == ".csv":
        return _read_csv(path, text, problems, column_map)
    problems.append(f"{path}: file: unsupported type (use {', '.join(DATA_SUFFIXES)})")
    return []


# ---------------------------------------------------------------------------- validation


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def _parse_date(value: Any) -> str | None:
    """A YYYY, YYYY-MM or YYYY-MM-DD date (YAML may hand over a date object), else None."""
    text = value.isoformat()[:10] if isinstance(value, datetime.date) else str(value).strip()
    match = DATE_PATTERN.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        parsed = datetime.date(year, month, day)
    except ValueError:
        return None
    # A day's grace for time zones; nothing older than the earliest plausible page.
    if year < EARLIEST_YEAR or parsed > datetime.date.today() + datetime.timedelta(days=1):
        return None
    return text


def _parse_sources(value: Any, problem) -> list[Source]:
    """``sources``: URLs, or mappings with ``url`` and optional ``date`` / ``read``."""
    items = [value] if isinstance(value, str | dict) else value
    if items is None:
        return []
    if not isinstance(items, list):
        problem("sources", "must be a list of URLs or of {url, date} mappings")
        return []
    sources = []
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            problem("sources", f"item {i}: give a URL, or a mapping with a 'url' key")
            continue
        unknown = set(item) - {"url", "date", "read"}
        if unknown:
            problem("sources", f"item {i}: unknown key(s) {', '.join(sorted(unknown))} "
                               "(known: url, date, read)")
        url = item["url"].strip()
        if not url.startswith(("http://", "https://")):
            problem("sources", f"item {i}: '{url}' is not an http(s) address")
            continue
        dates = {}
        for key in ("date", "read"):
            if item.get(key) is None:
                continue
            parsed = _parse_date(item[key])
            if parsed is None:
                problem("sources", f"item {i}: {key} '{item[key]}' is not a past date "
                                   "written YYYY, YYYY-MM or YYYY-MM-DD")
            else:
                dates[key] = parsed
        sources.append(Source(url, dates.get("date", ""), dates.get("read", "")))
    return sources


def _parse_statements(name: str, value: Any, problem) -> list[Statement]:
    """A list of statements: plain text, or ``{text, source(s), as_of}``."""
    items = [value] if isinstance(value, str | dict) else value
    if items is None:
        return []
    if not isinstance(items, list):
        problem(name, "must be a list of statements (texts, or {text, source, as_of} mappings)")
        return []
    statements: dict[str, Statement] = {}
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            problem(name, f"item {i}: give a text, or a mapping with a 'text' key")
            continue
        unknown = set(item) - {"text", "source", "sources", "as_of"}
        if unknown:
            problem(name, f"item {i}: unknown key(s) {', '.join(sorted(unknown))} "
                          "(known: text, source, as_of)")
        text = " ".join(item["text"].split())
        if not text:
            continue
        as_of = item.get("as_of")
        if as_of is not None:
            this_year = datetime.date.today().year
            if isinstance(as_of, bool) or not isinstance(as_of, int) or not (
                EARLIEST_YEAR <= as_of <= this_year
            ):
                problem(name, f"item {i}: as_of '{as_of}' is not a year (YYYY, {this_year} or earlier)")
                as_of = None
        urls = item.get("sources", item.get("source")) or []
        urls = [urls] if isinstance(urls, str) else urls
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            problem(name, f"item {i}: source must be a URL or a list of URLs")
            urls = []
        bad = [u for u in urls if not u.strip().startswith(("http://", "https://"))]
        for url in bad:
            problem(name, f"item {i}: source '{url}' is not an http(s) address")
        statements.setdefault(
            text, Statement(text, as_of, tuple(u.strip() for u in urls if u not in bad))
        )
    return list(statements.values())


def _entity_from_record(
    record: _Record, vocab: Vocabulary, problems: list[str]
) -> Entity | None:
    data, where = record.data, record.origin

    def problem(field_name: str, message: str) -> None:
        problems.append(f"{record.where(field_name)}: {field_name}: {message}")

    for key in data:
        if key not in KNOWN_FIELDS:
            problem(str(key), f"unknown field (known: {', '.join(sorted(KNOWN_FIELDS))})")
    text: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is None:
            text[name] = ""
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            text[name] = " ".join(str(value).split())
        else:
            problem(name, "must be a single text value")
            text[name] = ""
    lists: dict[str, list[str]] = {}
    for name in LIST_FIELDS:
        value = _as_list(data.get(name))
        if value is None:
            problem(name, "must be a text or a list of texts")
            value = []
        lists[name] = [" ".join(v.split()) for v in value]

    statements = {name: _parse_statements(name, data.get(name), problem) for name in STATEMENT_FIELDS}
    sources = _parse_sources(data.get("sources"), problem)
    # A statement's own pages are the entity's pages too.
    known_urls = {s.url for s in sources}
    for statement in (s for group in statements.values() for s in group):
        for url in statement.sources:
            if url not in known_urls:
                known_urls.add(url)
                sources.append(Source(url))

    entity_id = text["id"]
    if not entity_id:
        problem("id", "missing; give a stable slug such as 'university-of-leeds'")
    elif not ID_PATTERN.match(entity_id):
        problem("id", f"'{entity_id}' is not a slug (lowercase letters, digits and hyphens)")
    kind = text["kind"] or "organisation"
    if kind not in KINDS:
        problem("kind", f"'{kind}' is not one of {', '.join(KINDS)}")
    if not text["name"]:
        problem("name", "missing")
    if text["org_type"] and not vocab.match_org_type(text["org_type"]):
        problem("org_type", f"unknown '{text['org_type']}' (valid: {', '.join(vocab.org_types)})")
    regions = []
    for region in lists["region"]:
        canonical = vocab.match_region(region)
        if canonical is None:
            problem("region", f"unknown '{region}' (valid: {', '.join(vocab.regions)})")
        else:
            regions.append(canonical)
    tags = []
    for tag in lists["tags"]:
        canonical = vocab.match_tag(tag)
        if canonical is None:
            problem("tags", f"unknown tag '{tag}' (add it to {Path(vocab.source).name} first)")
        else:
            tags.append(canonical)
    if text["coverage"] and text["coverage"] not in COVERAGE_VALUES:
        problem("coverage", f"'{text['coverage']}' is not one of {', '.join(COVERAGE_VALUES)}")
    if text["url"] and not text["url"].startswith(("http://", "https://")):
        problem("url", f"'{text['url']}' is not an http(s) address")
    if not text["description"] and not statements["capabilities"] and not statements["offers"]:
        problem("profile", "empty: give a description, a capability or an offer")
    if kind == "organisation" and lists["members"]:
        problem("members", "only clusters have members; use member_of on the organisation")
    for name in ("member_of", "members", "parts"):
        if entity_id and entity_id in lists[name]:
            problem(name, "an entity cannot be linked to itself")
    if entity_id and text["part_of"] == entity_id:
        problem("part_of", "an entity cannot be part of itself")
    return Entity(
        id=entity_id,
        kind=kind,
        name=text["name"],
        org_type=(vocab.match_org_type(text["org_type"]) or "") if text["org_type"] else "",
        regions=tuple(dict.fromkeys(regions)),
        city=text["city"],
        area=text["area"],
        remit=text["remit"],
        description=text["description"],
        capabilities=tuple(statements["capabilities"]),
        offers=tuple(statements["offers"]),
        tags=tuple(dict.fromkeys(tags)),
        member_of=tuple(dict.fromkeys(lists["member_of"])),
        members=tuple(dict.fromkeys(lists["members"])),
        part_of=text["part_of"],
        parts=tuple(dict.fromkeys(lists["parts"])),
        url=text["url"],
        sources=tuple(sources),
        coverage=text["coverage"],
        origin=where,
    )


def _link(entities: list[Entity], problems: list[str],
          where: Mapping[str, _Record] | None = None) -> list[Entity]:
    """Check membership and part-of links and make them symmetric (either side may declare one)."""
    by_id = {e.id: e for e in entities}
    member_of: dict[str, list[str]] = {e.id: list(e.member_of) for e in entities}
    members: dict[str, list[str]] = {e.id: list(e.members) for e in entities}
    part_of: dict[str, str] = {e.id: e.part_of for e in entities}
    parts: dict[str, list[str]] = {e.id: list(e.parts) for e in entities}

    def at(entity: Entity, field_name: str) -> str:
        record = (where or {}).get(entity.id)
        return record.where(field_name) if record else entity.origin

    for entity in entities:
        for cluster_id in entity.member_of:
            target = by_id.get(cluster_id)
            if target is None:
                problems.append(f"{at(entity, 'member_of')}: member_of: no entity with id '{cluster_id}'")
            elif target.kind != "cluster":
                problems.append(
                    f"{at(entity, 'member_of')}: member_of: '{cluster_id}' is an organisation, "
                    "not a cluster"
                )
            elif entity.id not in members[cluster_id]:
                members[cluster_id].append(entity.id)
        for member_id in entity.members:
            if member_id not in by_id:
                problems.append(f"{at(entity, 'members')}: members: no entity with id '{member_id}'")
            elif entity.id not in member_of[member_id]:
                member_of[member_id].append(entity.id)
        if entity.part_of:
            if entity.part_of not in by_id:
                problems.append(f"{at(entity, 'part_of')}: part_of: no entity with id '{entity.part_of}'")
            elif entity.id not in parts[entity.part_of]:
                parts[entity.part_of].append(entity.id)
        for part_id in entity.parts:
            if part_id not in by_id:
                problems.append(f"{at(entity, 'parts')}: parts: no entity with id '{part_id}'")
            elif part_of[part_id] and part_of[part_id] != entity.id:
                problems.append(
                    f"{at(entity, 'parts')}: parts: '{part_id}' is already part of '{part_of[part_id]}'"
                )
            else:
                part_of[part_id] = entity.id
    for entity in entities:  # a unit inside a unit inside itself is a loop, not a hierarchy
        seen, parent = {entity.id}, part_of[entity.id]
        while parent and parent in by_id:
            if parent in seen:
                problems.append(f"{at(entity, 'part_of')}: part_of: the chain from '{entity.id}' "
                                "loops back on itself")
                break
            seen.add(parent)
            parent = part_of[parent]
    return [
        replace(e, member_of=tuple(member_of[e.id]), members=tuple(members[e.id]),
                part_of=part_of[e.id], parts=tuple(parts[e.id]))
        for e in entities
    ]


def parse_column_map(pairs: Iterable[str]) -> dict[str, str]:
    """``FIELD=COLUMN`` pairs (from --column) as a mapping; refuses unknown fields."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise CorpusError([], f"--column '{pair}': write it as FIELD=COLUMN, e.g. name=Org")
        if name not in KNOWN_FIELDS:
            raise CorpusError(
                [], f"--column '{pair}': unknown field '{name}' (known: {', '.join(sorted(KNOWN_FIELDS))})"
            )
        mapping[name] = column
    return mapping


def load_corpus(
    paths: Iterable[str | Path],
    vocabulary: Vocabulary | None = None,
    column_map: Mapping[str, str] | None = None,
) -> Corpus:
    """Read and validate entity files; raise CorpusError listing every problem found."""
    paths = list(paths)
    files = corpus_files(paths)
    if not files:
        raise CorpusError([], "no corpus files found (expected .yaml, .jsonl, .json or .csv)")
    if vocabulary is None:
        # A corpus directory may carry its own vocabulary; otherwise the shipped one applies.
        own = [Path(p) / "vocabulary.yaml" for p in paths if (Path(p) / "vocabulary.yaml").is_file()]
        vocabulary = Vocabulary.load(own[0] if own else None)
    vocab = vocabulary
    problems: list[str] = []
    entities: list[Entity] = []
    seen: dict[str, _Record] = {}
    for path in files:
        for record in _read_file(path, problems, column_map or {}):
            entity = _entity_from_record(record, vocab, problems)
            if entity is None or not entity.id:
                continue
            if entity.id in seen:
                problems.append(
                    f"{record.where('id')}: id: duplicate '{entity.id}' "
                    f"(first defined at {seen[entity.id].origin})"
                )
                continue
            seen[entity.id] = record
            entities.append(entity)
    linked = _link(entities, problems, seen)
    if problems:
        raise CorpusError(problems)
    if not linked:  # every command downstream needs at least one entity to rank
        raise CorpusError([], f"no entities in {', '.join(str(f) for f in files)}: add entity "
                              "records (a YAML list under `entities:`, see corpus/README.md)")
    return Corpus(
        entities=tuple(linked),
        fingerprint=fingerprint_files(files, Path(vocab.source)),
        files=tuple(str(f) for f in files),
    )
