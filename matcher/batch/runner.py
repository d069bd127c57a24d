"""The batch loop: read rows, score them in chunks, write results and rejects, checkpoint.

Scoring is pluggable (a function from texts to rankings): the local engine calls
Matcher.match_many in-process; the Ray engine sends the same chunk to a pool of actors.
Everything else (reading, rejects, ids, resuming, the row-count invariant) is shared.
"""

from __future__ import annotations

import os
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..results import Ranking
from .rows import Reject, Row, RowSource
from .sinks import BatchSink, BatchStateError

CHUNK = 256  # rows scored per call: enough to batch the encoder, small enough to checkpoint
CACHE = 4096  # distinct enquiry texts whose rankings are remembered across chunks

Scorer = Callable[[Sequence[str]], list[Ranking]]


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


class _Memo:
    """Rankings of recently seen texts: identical enquiries are scored once."""

    def __init__(self, size: int):
        self.size, self.items = size, OrderedDict()

    def get(self, text: str) -> Ranking | None:
        value = self.items.get(text)
        if value is not None:
            self.items.move_to_end(text)
        return value

    def put(self, text: str, ranking: Ranking) -> None:
        self.items[text] = ranking
        if len(self.items) > self.size:
            self.items.popitem(last=False)


def run_batch(source: RowSource, sink: BatchSink, score: Scorer, quiet: bool = False,
              total: int | None = None) -> BatchReport:
    started = time.perf_counter()
    resumed_from = sink.done
    progress = Progress(total, quiet, initial=resumed_from)
    memo = _Memo(CACHE)
    rows: list[Row] = []
    rejects: list[Reject] = []
    records = 0

    def flush() -> None:
        nonlocal rows, rejects
        texts = list(dict.fromkeys(r.text for r in rows if memo.get(r.text) is None))
        for text, ranking in zip(texts, score(texts) if texts else [], strict=True):
            memo.put(text, ranking)
        sink.write([(r, memo.get(r.text)) for r in rows], rejects)
        sink.commit(records)
        progress.update(len(rows) + len(rejects))
        rows, rejects = [], []

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
                flush()
        if rows or rejects:
            flush()
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
