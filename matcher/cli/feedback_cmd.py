"""`matcher feedback`: the judgements made on the web page, as an evaluation set."""

from __future__ import annotations

from pathlib import Path

import click

from .options import say


def _db_option(func):
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="The feedback store. Default: feedback.sqlite in the user data directory.")(func)


@click.group()
def feedback() -> None:
    """Judgements on matches (useful, not useful, contacted) stored by `matcher serve`."""


@feedback.command("export")
@click.option("--queries", "queries_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("feedback-queries.jsonl"), show_default=True,
              help="Queries file (JSON lines: id, text, split, ...).")
@click.option("--qrels", "qrels_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("feedback-qrels.txt"), show_default=True,
              help="TREC qrels file (query 0 entity grade).")
@click.option("--split", default="test", show_default=True,
              help="The split stamped on every query (matcher eval scores --split test by default).")
@click.option("--corpus-hash", default=None,
              help="Only judgements made on this corpus (see `matcher info`).")
@_db_option
def export(queries_path, qrels_path, split, corpus_hash, db) -> None:
    """Write the judgements as queries and TREC qrels for `matcher eval`.

    Grades: contacted 3, useful 2, not useful 0; the latest judgement of a brief and entity
    counts.

    \b
    Examples:
      matcher feedback export --queries fb.jsonl --qrels fb.txt
      matcher eval --queries fb.jsonl --qrels fb.txt
    """
    from ..feedback import FeedbackStore

    store = FeedbackStore(db)
    report = store.export(queries_path, qrels_path, split=split, corpus_sha256=corpus_hash)
    say(f"wrote {report.queries} queries -> {queries_path} and {report.judgements} judgements "
        f"-> {qrels_path} (from {store.path})")
    if report.queries:
        say(f"score them with: matcher eval --queries {queries_path} --qrels {qrels_path}"
            + (f" --split {split}" if split != "test" else ""))


@feedback.command("stats")
@_db_option
def stats(db) -> None:
    """How many judgements of each kind the store holds, and where it is."""
    from collections import Counter

    from ..feedback import FeedbackStore

    store = FeedbackStore(db)
    judgements = store.judgements()
    counts = Counter(j.judgement for j in judgements)
    briefs = len({j.brief_sha256 for j in judgements})
    click.echo(f"{store.path}: {len(judgements)} judgements on {briefs} briefs"
               + "".join(f"; {k} {v}" for k, v in sorted(counts.items())))
