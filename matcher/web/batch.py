"""POST /batch: an uploaded enquiry list through the batch scorer, returned as one zip.

The upload is written to a temporary folder and given to the same reader, runner and sink as
`matcher batch`, so the same row contract holds: every input row ends in exactly one of
results.csv and rejects.csv, and summary.json gives the counts.
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MatcherError

if TYPE_CHECKING:
    from ..filters import Filters
    from ..matcher import Matcher

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # about 20,000 short enquiries; larger lists: `matcher batch`
INPUT_FORMATS = ("csv", "tsv", "jsonl", "json", "xlsx")
# One batch at a time per server process: a second would halve the first's speed and the
# page's, for no gain on two cores.
_running = threading.Lock()


class BatchBusy(MatcherError):
    """Another batch is being scored by this server process."""


@dataclass(frozen=True)
class BatchResult:
    archive: bytes
    read: int
    scored: int
    rejected: int


def score_upload(matcher: Matcher, data: bytes, filename: str, *, id_column: str | None,
                 text_columns: tuple[str, ...], k: int, filters: Filters, infer: bool,
                 format_in: str | None, layout: str = "long") -> BatchResult:
    """Score an uploaded list; raises BatchInputError (unreadable table) or QueryError."""
    from ..batch.rows import RowSource
    from ..batch.runner import input_signature, run_batch
    from ..batch.sinks import BatchSink

    matcher.check_filters(filters)
    if not _running.acquire(blocking=False):
        raise BatchBusy("a batch is already being scored; try again when it has finished")
    try:
        with tempfile.TemporaryDirectory(prefix="matcher-batch-") as tmp:
            folder = Path(tmp)
            suffix = Path(filename or "").suffix.lower().lstrip(".")
            source_path = folder / f"input.{suffix if suffix in INPUT_FORMATS else 'upload'}"
            source_path.write_bytes(data)
            results, rejects = folder / "results.csv", folder / "rejects.csv"
            options = {"id_column": id_column, "text_columns": list(text_columns), "k": k}

            def score(texts):
                return matcher.match_many(texts, k=k, filters=filters, explain=False,
                                          regions=False, infer=infer)

            source = RowSource(str(source_path), format_in, id_column, text_columns)
            sink = BatchSink(results, rejects, "csv", layout, k,
                             input_signature(str(source_path), options), resume=False)
            report = run_batch(source, sink, score, quiet=True)
            if not report.balanced:
                raise MatcherError("row counts do not add up: read != scored + rejected")
            summary = {"input": filename, "read": report.read, "scored": report.scored,
                       "rejected": report.rejected, "cp1252_lines": report.cp1252_lines,
                       "seconds": round(report.seconds, 2), "k": k, "layout": layout}
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(results, "results.csv")
                archive.write(rejects, "rejects.csv")
                archive.writestr("summary.json", json.dumps(summary, indent=2))
            return BatchResult(buffer.getvalue(), report.read, report.scored, report.rejected)
    finally:
        _running.release()
