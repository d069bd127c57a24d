"""Streaming the rows of an enquiry list: CSV, TSV, JSONL, JSON, XLSX or standard input.

Every input record comes out exactly once, either as a Row to score or as a Reject with its
line number and reason; one bad row never stops the file. Decoding is per line: UTF-8 (with
or without BOM), else cp1252 (counted and reported), else the line is rejected.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import MatcherError
from ..matcher import MAX_BRIEF_CHARS
from ..text import decode_text

FORMATS = ("csv", "tsv", "jsonl", "json", "xlsx")
MAX_RECORD_LINES = 200  # a quoted CSV field may span lines, but not the rest of the file
MAX_RECORD_BYTES = 1 << 20
QUOTE_MARK = b"\x00unclosed-quote\x00"  # tags a line rejected for an unclosed quote


class BatchInputError(MatcherError):
    """The input cannot be read as a table at all (wrong format, no such column)."""

    exit_code = 2


@dataclass(frozen=True)
class Row:
    index: int  # 0-based position among all input records (for resuming)
    line: int  # 1-based line (or sheet row) where the record starts
    id: str
    text: str
    original: str = ""  # the record as read, for a reject decided later (duplicate id)


@dataclass(frozen=True)
class Reject:
    index: int
    line: int
    reason: str
    original: str  # the record as it was read (decoded text, or a JSON rendering)


@dataclass
class ReadStats:
    cp1252_lines: list[int] = field(default_factory=list)


def detect_format(path: str, head: bytes) -> str:
    """From the file extension, else from the first non-blank character."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("ndjson",):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"PK"):
        return "xlsx"
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"["):
        return "json"
    first_line = stripped.split(b"\n", 1)[0]
    return "tsv" if first_line.count(b"\t") > first_line.count(b",") else "csv"


# What a file that is not an enquiry list usually is, by its first bytes.
_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"),
          (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls/.doc)"),
          (b"SQLite format 3", "an SQLite database"))
EXPECTED = "expected CSV, TSV, JSON lines, a JSON list or an .xlsx workbook"


def sniff(path: str, head: bytes, fmt: str) -> None:
    """Refuse, in one line that says what the file looks like, an input that cannot be an
    enquiry list of format ``fmt``: empty, UTF-16/32, an image, an archive, binary."""
    name = "standard input" if path == "-" else path
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise BatchInputError(f"{name} is empty: {EXPECTED}, with a header row or a 'text' field")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(head) >= 4 and head.count(b"\x00") * 3 >= len(head)):
        raise BatchInputError(f"{name} looks like UTF-16 text (NUL bytes between the letters): "
                              "re-save it as UTF-8 (in Excel: CSV UTF-8)")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise BatchInputError(f"{name} looks like {what}, not an enquiry list: {EXPECTED}")
    if fmt == "xlsx":
        if not head.startswith(b"PK"):
            raise BatchInputError(f"{name} is not an .xlsx workbook (no ZIP signature): "
                                  "give --format-in for a text file, or re-save it as .xlsx")
    elif head.startswith(b"PK"):
        raise BatchInputError(f"{name} looks like a ZIP archive or an .xlsx workbook read as "
                              f"{fmt}: name it .xlsx or pass --format-in xlsx")


def _decode(raw: bytes, line: int, stats: ReadStats) -> str | None:
    text, cp1252 = decode_text(raw)
    if cp1252:
        stats.cp1252_lines.append(line)
    return text


def quote_left_open(text: str, delimiter: str, inside: bool = False) -> bool:
    """Whether a quoted field is still open at the end of ``text`` (one physical line).

    ``inside``: the line continues a quoted field opened on an earlier line. A quote opens a
    field only at the field's start; inside a quoted field a doubled quote is a literal one.
    """
    at_field_start = not inside
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if inside:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                inside = False
        elif c == delimiter:
            at_field_start = True
        elif c == '"' and at_field_start:
            inside = True
            at_field_start = False
        elif c not in "\r\n":
            at_field_start = False
        i += 1
    return inside


class _Lines:
    """Physical lines as (line number, decoded text or None, raw bytes), BOM removed."""

    def __init__(self, handle: BinaryIO, stats: ReadStats):
        self.handle = handle
        self.stats = stats
        self.number = 0

    def __iter__(self) -> Iterator[tuple[int, str | None, bytes]]:
        for raw in self.handle:
            self.number += 1
            if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield self.number, _decode(raw, self.number, self.stats), raw


def _original(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n").replace("\x00", "\\0")


class RowSource:
    """Reads one input and yields Row or Reject for each record, in order."""

    def __init__(self, path: str, fmt: str | None = None, id_column: str | None = None,
                 text_columns: tuple[str, ...] = ()):
        self.path = path
        self.id_column = id_column
        self.text_columns = tuple(text_columns)
        self.stats = ReadStats()
        self.fmt = fmt
        self.columns: list[str] = []

    def _open(self) -> BinaryIO:
        if self.path == "-":
            return sys.stdin.buffer
        try:
            return open(self.path, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise BatchInputError(f"cannot read {self.path}: {exc.strerror}") from exc

    def check(self) -> None:
        """Read just enough of a file input to refuse it now if it cannot be an enquiry list
        (format, header, named columns): before any output is opened or the model loaded.
        Standard input cannot be read twice; it is checked as it is read."""
        if self.path == "-":
            return
        records = iter(self)
        try:
            next(records, None)
        finally:
            records.close()
        self.stats = ReadStats()

    def __iter__(self) -> Iterator[Row | Reject]:
        handle = self._open()
        try:
            if self.path == "-":
                handle = io.BufferedReader(handle)  # type: ignore[arg-type]
            head = handle.peek(4096)[:4096] if hasattr(handle, "peek") else b""
            fmt = self.fmt or detect_format(self.path, head)
            self.fmt = fmt
            sniff(self.path, head, fmt)
            if fmt in ("csv", "tsv"):
                yield from self._delimited(handle, "\t" if fmt == "tsv" else ",")
            elif fmt == "jsonl":
                yield from self._jsonl(handle)
            elif fmt == "json":
                yield from self._json(handle)
            elif fmt == "xlsx":
                yield from self._xlsx(handle)
            else:
                raise BatchInputError(f"unknown input format '{fmt}' (use {', '.join(FORMATS)})")
        finally:
            if self.path != "-":
                handle.close()

    # ------------------------------------------------------------------ shared checks

    def _resolve_columns(self, columns: list[str]) -> None:
        self.columns = columns
        if not self.text_columns:
            if "text" in columns:
                self.text_columns = ("text",)
            else:
                raise BatchInputError(
                    f"{self.path}: no 'text' column; name the text with --text-column "
                    f"(columns: {', '.join(columns) or 'none'})")
        missing = [c for c in (*self.text_columns, *([self.id_column] if self.id_column else []))
                   if c not in columns]
        if missing:
            raise BatchInputError(
                f"{self.path}: no column {', '.join(repr(c) for c in missing)} "
                f"(columns: {', '.join(columns) or 'none'})")

    def _row(self, index: int, line: int, values: dict[str, Any], original: str,
             data_row: int) -> Row | Reject:
        missing = [c for c in self.text_columns if c not in values]
        if self.id_column and self.id_column not in values:
            missing.insert(0, self.id_column)
        if missing:
            return Reject(index, line, f"missing column {', '.join(missing)}", original)
        parts = [str(values[c]).strip() for c in self.text_columns
                 if values[c] is not None and str(values[c]).strip()]
        text = " ".join(" \n".join(parts).split()) if parts else ""
        row_id = str(values[self.id_column]).strip() if self.id_column else str(data_row)
        if self.id_column and not row_id:
            return Reject(index, line, "empty id", original)
        if "\x00" in text or "\x00" in row_id:
            return Reject(index, line, "contains NUL bytes", original)
        if not text:
            return Reject(index, line, "empty text", original)
        if len(text) > MAX_BRIEF_CHARS:
            return Reject(index, line, f"over the size limit ({len(text):,} characters; "
                                       f"limit {MAX_BRIEF_CHARS:,})", original)
        return Row(index, line, row_id, text, original)

    # ------------------------------------------------------------------ formats

    def _records(self, lines: _Lines, delimiter: str) -> Iterator[tuple[int, str | None, bytes]]:
        """Logical CSV records: physical lines joined while a quoted field is open.

        Only a quote that opens a field opens a quoted field (as Python's csv module reads
        it), so an inch mark or an apostrophe inside an unquoted field is just a character.
        An unclosed quote is cut off after MAX_RECORD_LINES lines (or at the end of the
        file): its first line is rejected and reading resumes on the next line. A line that
        cannot be decoded or holds NUL bytes is yielded with text None (to be rejected).
        """
        pushed_back: deque[tuple[int, str | None, bytes]] = deque()
        source = iter(lines)

        def take() -> tuple[int, str | None, bytes] | None:
            return pushed_back.popleft() if pushed_back else next(source, None)

        while (item := take()) is not None:
            number, text, raw = item
            if text is None or "\x00" in text:
                yield number, None, raw
                continue
            pending, size = [item], len(text)
            still_open = quote_left_open(text, delimiter)
            while still_open and len(pending) < MAX_RECORD_LINES and size <= MAX_RECORD_BYTES:
                following = take()
                if following is None:
                    break
                if following[1] is None:
                    pushed_back.appendleft(following)
                    break
                pending.append(following)
                size += len(following[1])
                still_open = quote_left_open(following[1], delimiter, inside=True)
            joined = "".join(t for _, t, _ in pending)
            if still_open or (len(pending) > 1 and not self._fits(joined, delimiter)):
                # An opening quote never closed, or closed by a stray mark lines later: the
                # record is its first line alone, and reading resumes on the next line.
                yield number, None, QUOTE_MARK + raw
                pushed_back.extendleft(reversed(pending[1:]))
                continue
            yield number, joined, b"".join(r for _, _, r in pending)

    def _fits(self, record: str, delimiter: str) -> bool:
        """Whether a record spanning lines parses into as many cells as the header has
        (before the header is read, any strict parse fits)."""
        try:
            cells = next(csv.reader([record], delimiter=delimiter, strict=True))
        except (csv.Error, StopIteration):
            return False
        return not self.columns or len(cells) == len(self.columns)

    def _delimited(self, handle: BinaryIO, delimiter: str) -> Iterator[Row | Reject]:
        records = self._records(_Lines(handle, self.stats), delimiter)
        header = next(records, None)
        if header is None or header[1] is None:
            raise BatchInputError(f"{self.path}: no readable header row")
        try:
            columns = [c.strip() for c in next(csv.reader([header[1]], delimiter=delimiter,
                                                          strict=True))]
        except (csv.Error, StopIteration) as exc:
            raise BatchInputError(f"{self.path}:1: the header row is not valid CSV ({exc})") from exc
        self._resolve_columns(columns)
        index = 0
        for line, text, raw in records:
            data_row = index + 1
            if text is None:
                if raw.startswith(QUOTE_MARK):
                    reason = "broken quoting (a quote is never closed)"
                elif b"\x00" in raw:
                    reason = "contains NUL bytes"
                else:
                    reason = "undecodable (neither UTF-8 nor cp1252)"
                yield Reject(index, line, reason, _original(raw.removeprefix(QUOTE_MARK)))
                index += 1
                continue
            if not text.strip():
                continue  # blank lines are not records
            original = text.rstrip("\r\n")
            try:
                cells = next(csv.reader([text], delimiter=delimiter, strict=True))
            except csv.Error as exc:
                yield Reject(index, line, f"broken quoting ({exc})", original)
                index += 1
                continue
            if len(cells) != len(columns):
                yield Reject(index, line, f"{len(cells)} cells but the header has "
                                          f"{len(columns)}", original)
                index += 1
                continue
            yield self._row(index, line, dict(zip(columns, cells, strict=True)), original,
                            data_row)
            index += 1

    def _jsonl(self, handle: BinaryIO) -> Iterator[Row | Reject]:
        # No header: each record is judged on its own, so one odd first object cannot decide
        # the columns of the whole file; a record without the fields is rejected alone.
        self.text_columns = self.text_columns or ("text",)
        index = 0
        for line, text, raw in _Lines(handle, self.stats):
            if text is not None and not text.strip():
                continue
            if text is None:
                yield Reject(index, line, "undecodable (neither UTF-8 nor cp1252)", _original(raw))
            else:
                original = text.rstrip("\r\n")
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    value = None
                    reason = f"not valid JSON ({exc.msg})"
                else:
                    reason = "" if isinstance(value, dict) else "not a JSON object"
                if reason:
                    yield Reject(index, line, reason, original)
                else:
                    yield self._row(index, line, value, original, index + 1)
            index += 1

    def _json(self, handle: BinaryIO) -> Iterator[Row | Reject]:
        try:
            data = json.loads(handle.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BatchInputError(f"{self.path}: not valid UTF-8 JSON ({exc})") from exc
        if not isinstance(data, list):
            raise BatchInputError(f"{self.path}: expected a JSON list of objects")
        first = next((d for d in data if isinstance(d, dict)), None)
        self._resolve_columns(list(first) if first else [])
        for index, value in enumerate(data):
            original = json.dumps(value, ensure_ascii=False)
            if not isinstance(value, dict):
                yield Reject(index, index + 1, "not a JSON object", original)
            else:
                yield self._row(index, index + 1, value, original, index + 1)

    def _xlsx(self, handle: BinaryIO) -> Iterator[Row | Reject]:
        try:
            from openpyxl import load_workbook
        except ImportError as exc:
            raise BatchInputError("reading .xlsx needs openpyxl: pip install 'matcher[xlsx]'") from exc
        try:
            # read_only streams the sheet from a file; standard input has to be buffered.
            source = self.path if self.path != "-" else io.BytesIO(handle.read())
            book = load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise BatchInputError(f"{self.path}: not a readable .xlsx workbook ({exc})") from exc
        rows = book.active.iter_rows(values_only=True)
        header = next(rows, None)
        columns = [str(c).strip() if c is not None else "" for c in (header or ())]
        self._resolve_columns(columns)
        index = 0
        for number, values in enumerate(rows, 2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            record = {c: v for c, v in zip(columns, values, strict=False) if c}
            original = json.dumps([None if v is None else str(v) for v in values],
                                  ensure_ascii=False)
            yield self._row(index, number, record, original, index + 1)
            index += 1
        book.close()
