"""The batch loop: read rows, score them in chunks, write results and rejects, checkpoint.

Scoring is pluggable: a function from one chunk's distinct new texts to their rankings, or
to a function that waits for them. The local engine calls Matcher.match_many in-process; the
Ray engine sends each chunk whole to one of a pool of actors and keeps several chunks in
flight. Everything else (reading, rejects, ids, deduplication, resuming, the row-count
invariant) is shared, and chunks are cut and written in the same order by both engines, so
their output is the same in fp32 (bf16 vectors also depend on the thread count, which differs
in a Ray actor).
"""

from __future__ import annotations

import os
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..results import Ranking
from .rows import Reject, Row, RowSource
from .sinks import BatchSink, BatchStateError

CHUNK = 256  # rows scored per call: enough to batch the encoder, small enough to checkpoint
CACHE = 4096  # distinct enquiry texts whose rankings are remembered across chunks

Scorer = Callable[[Sequence[str]], "list[Ranking] | Callable[[], list[Ranking]]"]


@dataclass
class BatchReport:
    read: int
    scored: int
    rejected: int
    cp1252_lines: int
    seconds: float
    resumed_from: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.scored + self.rejected


class Progress:
    """A tqdm bar on a terminal; a plain line every few seconds otherwise; or nothing."""

    def __init__(self, total: int | None, quiet: bool, initial: int = 0):
        self.quiet, self.total, self.count = quiet, total, initial
        self.started = self.last = time.monotonic()
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="row", file=sys.stderr,
                            dynamic_ncols=True)

    def update(self, n: int) -> None:
        self.count += n
        if self.bar is not None:
            self.bar.update(n)
        elif not self.quiet and time.monotonic() - self.last >= 5:
            self.last = time.monotonic()
            rate = self.count / max(1e-9, self.last - self.started)
            of = f"/{self.total}" if self.total else ""
            print(f"{self.count}{of} rows, {rate:.0f} rows/s", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def count_records(path: str) -> int | None:
    """A cheap upper bound for the progress bar: lines in a text file (None for stdin)."""
    if path == "-" or path.lower().endswith((".xlsx", ".json")):
        return None
    with open(path, "rb") as handle:
        return max(0, sum(1 for _ in handle) - (0 if path.lower().endswith(".jsonl") else 1))


class _Cell:
    """The ranking of one distinct text; empty while its chunk is being scored."""

    __slots__ = ("ranking",)

    def __init__(self) -> None:
        self.ranking: Ranking | None = None


class _Memo:
    """Recently seen texts and their cells: identical enquiries are scored once."""

    def __init__(self, size: int):
        self.size, self.items = size, OrderedDict()

    def cell(self, text: str) -> tuple[_Cell, bool]:
        """The text's cell, and whether it is new (so the text must be scored)."""
        found = self.items.get(text)
        if found is not None:
            self.items.move_to_end(text)
            return found, False
        found = self.items[text] = _Cell()
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return found, True


@dataclass
class _Chunk:
    rows: list[Row]
    rejects: list[Reject]
    records: int  # input records consumed up to the end of this chunk (the checkpoint)
    cells: list[_Cell]  # one per row
    new: list[_Cell]  # the cells this chunk scores, in the order of its texts
    pending: Any  # the rankings, or a function that waits for them


def run_batch(source: RowSource, sink: BatchSink, score: Scorer, quiet: bool = False,
              total: int | None = None, ahead: int = 0) -> BatchReport:
    """Score every row of ``source`` into ``sink``. Up to ``ahead`` chunks are sent to the
    scorer before the oldest is waited for and written (0: one chunk at a time)."""
    started = time.perf_counter()
    resumed_from = sink.done
    progress = Progress(total, quiet, initial=resumed_from)
    memo = _Memo(CACHE)
    in_flight: deque[_Chunk] = deque()
    rows: list[Row] = []
    rejects: list[Reject] = []
    records = 0

    def submit() -> None:
        nonlocal rows, rejects
        cells, new, texts = [], [], []
        for row in rows:
            cell, is_new = memo.cell(row.text)
            cells.append(cell)
            if is_new:
                new.append(cell)
                texts.append(row.text)
        in_flight.append(_Chunk(rows, rejects, records, cells, new,
                                score(texts) if texts else []))
        rows, rejects = [], []
        while len(in_flight) > ahead:
            complete(in_flight.popleft())

    def complete(chunk: _Chunk) -> None:
        rankings = chunk.pending() if callable(chunk.pending) else chunk.pending
        for cell, ranking in zip(chunk.new, rankings, strict=True):
            cell.ranking = ranking
        sink.write([(r, c.ranking) for r, c in zip(chunk.rows, chunk.cells, strict=True)],
                   chunk.rejects)
        sink.commit(chunk.records)
        progress.update(len(chunk.rows) + len(chunk.rejects))

    try:
        for item in source:
            if item.index < resumed_from:
                continue  # done before the interruption
            records = item.index + 1
            if isinstance(item, Row):
                first = sink.duplicate_of(item)
                if first is not None:
                    rejects.append(Reject(item.index, item.line,
                                          f"duplicate id '{item.id}' (first at line {first})",
                                          item.original))
                else:
                    sink.remember(item)
                    rows.append(item)
            else:
                rejects.append(item)
            if len(rows) + len(rejects) >= CHUNK:
                submit()
        if rows or rejects:
            submit()
        while in_flight:
            complete(in_flight.popleft())
    finally:
        progress.close()
    report = BatchReport(read=sink.done, scored=sink.scored, rejected=sink.rejected,
                         cp1252_lines=len(source.stats.cp1252_lines),
                         seconds=time.perf_counter() - started, resumed_from=resumed_from)
    sink.finish()
    return report


def input_signature(path: str, options: dict[str, Any]) -> dict[str, Any]:
    """What must match for --resume to continue a run: the input file and the options."""
    if path == "-":
        return {"input": "-", "options": options}
    stat = os.stat(path)
    return {"input": str(Path(path).resolve()), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns, "options": options}


def check_resumable(path: str, resume: bool) -> None:
    if resume and path == "-":
        raise BatchStateError("--resume needs an input file: standard input cannot be re-read")
