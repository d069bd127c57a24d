"""Writing batch results and rejects incrementally, with a checkpoint for resuming.

Results and rejects are appended as chunks finish. After each chunk both files are flushed
and synced, then the checkpoint (a small SQLite file beside the output) records how many
input records are done, the byte length of both files and the ids seen so far, in one
transaction. Resuming truncates both files to the recorded lengths (dropping anything
written after the last checkpoint) and skips the records already done, so a run killed at
any moment resumes with no duplicated and no missing rows. XLSX output is written as JSON
lines while the run lasts and converted when it completes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import MatcherError
from ..output import evidence_line, neutralise
from ..results import Ranking
from .rows import Reject, Row

LONG_COLUMNS = ("enquiry_id", "line", "verdict", "rank", "entity_id", "name", "kind",
                "regions", "strength", "band", "score", "evidence")
REJECT_COLUMNS = ("line", "reason", "row")


class BatchStateError(MatcherError):
    """An output or checkpoint is in a state that the requested run cannot continue from."""

    exit_code = 2


def long_rows(row: Row, ranking: Ranking) -> list[dict[str, Any]]:
    """One row per match; an enquiry with no match still gets one row, with its verdict."""
    base = {"enquiry_id": row.id, "line": row.line, "verdict": ranking.verdict}
    if not ranking.matches:
        return [{**base, "rank": 0, "entity_id": "", "name": "", "kind": "", "regions": "",
                 "strength": "", "band": "", "score": "", "evidence": ""}]
    return [
        {**base, "rank": m.rank, "entity_id": m.entity_id, "name": m.name, "kind": m.kind,
         "regions": "; ".join(m.regions), "strength": m.strength, "band": m.band,
         "score": round(m.score, 4),
         "evidence": evidence_line(m.evidence[0]) if m.evidence else ""}
        for m in ranking.matches
    ]


def wide_columns(k: int) -> tuple[str, ...]:
    per_match = ("entity_id", "name", "strength", "band", "evidence")
    return ("enquiry_id", "line", "verdict", *(f"match{i}_{c}" for i in range(1, k + 1)
                                               for c in per_match))


def wide_row(row: Row, ranking: Ranking, k: int) -> dict[str, Any]:
    out: dict[str, Any] = {"enquiry_id": row.id, "line": row.line, "verdict": ranking.verdict}
    for i in range(1, k + 1):
        m = ranking.matches[i - 1] if i <= len(ranking.matches) else None
        out[f"match{i}_entity_id"] = m.entity_id if m else ""
        out[f"match{i}_name"] = m.name if m else ""
        out[f"match{i}_strength"] = m.strength if m else ""
        out[f"match{i}_band"] = m.band if m else ""
        out[f"match{i}_evidence"] = (evidence_line(m.evidence[0]) if m and m.evidence else "")
    return out


class _Table:
    """An append-only CSV or JSON-lines file with a byte length we can roll back to."""

    def __init__(self, path: Path, fmt: str, columns: tuple[str, ...]):
        self.path, self.fmt, self.columns = path, fmt, columns
        self.handle = None

    def open(self, truncate_to: int | None) -> None:
        if truncate_to is None:
            self.handle = self.path.open("w+b")
            if self.fmt == "csv":
                self._write([dict(zip(self.columns, self.columns, strict=True))], header=True)
        else:
            self.handle = self.path.open("r+b")
            self.handle.truncate(truncate_to)
            self.handle.seek(truncate_to)

    def _write(self, rows: Iterable[dict[str, Any]], header: bool = False) -> None:
        buffer = io.StringIO()
        if self.fmt == "csv":
            writer = csv.writer(buffer, lineterminator="\n")
            for row in rows:
                values = [row.get(c, "") for c in self.columns]
                writer.writerow(values if header else [neutralise(v) for v in values])
        else:
            for row in rows:
                buffer.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.handle.write(buffer.getvalue().encode("utf-8"))

    def append(self, rows: Iterable[dict[str, Any]]) -> None:
        self._write(rows)

    def sync(self) -> int:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        return self.handle.tell()

    def close(self) -> None:
        if self.handle:
            self.handle.close()


class Checkpoint:
    """Progress of one run, beside its output: records done, file lengths, seen ids."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY, line INTEGER)")
        self.db.commit()

    def get(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def first_line_of(self, row_id: str) -> int | None:
        row = self.db.execute("SELECT line FROM ids WHERE id = ?", (row_id,)).fetchone()
        return row[0] if row else None

    def save(self, state: dict[str, Any], new_ids: list[tuple[str, int]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO ids VALUES (?, ?)", new_ids)
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [(k, json.dumps(v)) for k, v in state.items()])

    def close(self) -> None:
        self.db.close()


def checkpoint_path(output: Path) -> Path:
    return output.with_name(output.name + ".checkpoint.sqlite")


def _started(path: Path) -> bool:
    """Whether a checkpoint records at least one finished chunk (else the run that left it
    stopped before scoring anything, and there is nothing to continue)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT 1 FROM meta WHERE key = 'state'").fetchone() is not None
        finally:
            db.close()
    except sqlite3.Error:
        return False


def preflight(output: Path, rejects: Path, resume: bool, overwrite: bool) -> None:
    """Refuse, before the model is loaded or any file touched, a run that would lose work:
    an unfinished run not resumed, a resume with nothing to resume, a finished output that
    would be replaced without --overwrite. A checkpoint left by a run that scored nothing
    (killed before its first chunk was committed) is no obstacle."""
    checkpoint = checkpoint_path(output)
    if checkpoint.exists() and not _started(checkpoint):
        if resume:
            raise BatchStateError(
                f"nothing to resume: the last run into {output} stopped before scoring any "
                "row; run the same command without --resume")
        # The files beside it were started by that run and hold no results: a new run may
        # replace them (and takes the checkpoint over when it writes its first chunk).
        return
    if checkpoint.exists() and not resume:
        raise BatchStateError(
            f"{output} has an unfinished run (checkpoint {checkpoint.name}); add --resume to "
            "continue it, or delete that checkpoint to start again")
    if resume and not checkpoint.exists():
        raise BatchStateError(f"nothing to resume: no checkpoint beside {output}; run the "
                              "command without --resume")
    if not resume and not overwrite:
        existing = [str(p) for p in (output, rejects) if p.exists()]
        if existing:
            raise BatchStateError(
                f"{' and '.join(existing)} already exist(s); add --overwrite to replace, or "
                "choose another file with -o")


class BatchSink:
    """Results, rejects and checkpoint of one batch run.

    Nothing is created or truncated until the first chunk is written, so a run that fails
    on its input (or before scoring anything) leaves every existing file as it was.
    """

    def __init__(self, output: Path, rejects: Path, fmt: str, layout: str, k: int,
                 signature: dict[str, Any], resume: bool, overwrite: bool = False):
        self.output, self.rejects, self.final_format = output, rejects, fmt
        self.layout, self.k = layout, k
        self.signature, self.resume = signature, resume
        self.table_format = "jsonl" if fmt in ("jsonl", "xlsx") else "csv"
        self.results_path = output.with_name(output.name + ".partial.jsonl") if fmt == "xlsx" \
            else output
        preflight(output, rejects, resume, overwrite)
        columns = LONG_COLUMNS if layout == "long" else wide_columns(k)
        self.results = _Table(self.results_path, self.table_format, columns)
        self.reject_table = _Table(rejects, "jsonl" if fmt == "jsonl" else "csv", REJECT_COLUMNS)
        self.checkpoint: Checkpoint | None = None
        self.done = self.scored = self.rejected = 0
        if resume:
            self.checkpoint = Checkpoint(checkpoint_path(output))
            if self.checkpoint.get("signature") != signature:
                self.checkpoint.close()
                raise BatchStateError(
                    "--resume: the input or options differ from the interrupted run's; run it "
                    "with the same input and options, or delete the checkpoint to start again")
            state = self.checkpoint.get("state")
            self.done, self.scored = state["records_done"], state["scored"]
            self.rejected = state["rejected"]
            self.results.open(state["results_bytes"])
            self.reject_table.open(state["rejects_bytes"])
        self.pending_ids: list[tuple[str, int]] = []  # written, not yet in the checkpoint
        self.batch_seen: dict[str, int] = {}  # read in this process, not yet in the checkpoint

    def _start(self) -> None:
        """Create the checkpoint and the (empty) files: on the first write, not before."""
        if self.checkpoint is not None:
            return
        self.checkpoint = Checkpoint(checkpoint_path(self.output))
        self.checkpoint.save({"signature": self.signature}, [])
        self.results.open(None)
        self.reject_table.open(None)

    def duplicate_of(self, row: Row) -> int | None:
        """The line where this id was first seen (in this run, resumed or not), if any."""
        if self.batch_seen.get(row.id):
            return self.batch_seen[row.id]
        return self.checkpoint.first_line_of(row.id) if self.checkpoint else None

    def remember(self, row: Row) -> None:
        """Note an accepted row's id as soon as it is read (its chunk may be scored later)."""
        self.batch_seen[row.id] = row.line

    def write(self, scored: list[tuple[Row, Ranking]], rejects: list[Reject]) -> None:
        self._start()
        rows: list[dict[str, Any]] = []
        for row, ranking in scored:
            if self.layout == "long":
                rows.extend(long_rows(row, ranking))
            else:
                rows.append(wide_row(row, ranking, self.k))
        self.results.append(rows)
        self.pending_ids.extend((row.id, row.line) for row, _ in scored)
        self.reject_table.append(
            {"line": r.line, "reason": r.reason, "row": r.original} for r in rejects)
        self.scored += len(scored)
        self.rejected += len(rejects)

    def commit(self, records_done: int) -> None:
        """Make everything written so far durable, then record it in the checkpoint."""
        self._start()
        self.done = records_done
        state = {"records_done": records_done, "scored": self.scored, "rejected": self.rejected,
                 "results_bytes": self.results.sync(), "rejects_bytes": self.reject_table.sync()}
        self.checkpoint.save({"state": state}, self.pending_ids)
        for row_id, _ in self.pending_ids:
            self.batch_seen.pop(row_id, None)
        self.pending_ids = []

    def finish(self) -> None:
        self._start()  # an input with no records still gets its (empty) files
        self.results.close()
        self.reject_table.close()
        self.checkpoint.close()
        if self.final_format == "xlsx":
            _jsonl_to_xlsx(self.results_path, self.output, self.results.columns)
            self.results_path.unlink()
        self.checkpoint.path.unlink()


def _jsonl_to_xlsx(source: Path, target: Path, columns: tuple[str, ...]) -> None:
    try:
        from openpyxl import Workbook
    except ImportError as exc:
        raise MatcherError("writing .xlsx needs openpyxl: pip install 'matcher[xlsx]'") from exc
    book = Workbook(write_only=True)
    sheet = book.create_sheet("matches")
    sheet.append(list(columns))
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sheet.append([neutralise(row.get(c, "")) for c in columns])
    book.save(str(target))
