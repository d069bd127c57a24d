"""`matcher eval`: ranking configurations side by side on judged enquiries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import index_option, say


@click.command("eval")
@click.option("--queries", "queries_path", type=click.Path(path_type=Path), default=None,
              help="Queries as JSON lines (id, text, kind, split, out_of_scope). "
                   "Default: the shipped evaluation set.")
@click.option("--qrels", "qrels_path", type=click.Path(path_type=Path), default=None,
              help="TREC qrels (query 0 entity grade). Default: the shipped judgements.")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="test",
              show_default=True, help="Which queries to score.")
@click.option("--config", "names", multiple=True,
              help="Only these configurations (repeatable); default: all of them.")
@index_option
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)
def eval_(queries_path, qrels_path, split, names, index_dir, fmt) -> None:
    """Score ranking configurations side by side: nDCG@10, MRR, R@10, R@50, P@5.

    Rows go from the naive baselines (BM25 only; one vector per entity, as a user would build
    with sentence-transformers' semantic_search) to matcher's default. Columns give the
    overall means over in-scope enquiries, nDCG@10 per enquiry kind, and the precision and
    recall of the "no good match" verdict on the out-of-scope enquiries.

    \b
    Examples:
      matcher eval                      # the shipped test split
      matcher eval --split dev --config "hybrid, max" --config default
    """
    from ..default_index import ensure_default_index
    from ..evaluate import CONFIGS, compare, default_eval_dir, load_qrels, load_queries, render_comparison
    from ..matcher import Matcher

    queries = load_queries(queries_path or default_eval_dir() / "queries.jsonl")
    qrels = load_qrels(qrels_path or default_eval_dir() / "qrels.txt")
    if split != "all":
        queries = [q for q in queries if q.split == split]
    if not queries:
        raise click.UsageError(f"no queries in split '{split}'")
    chosen = [_find_config(n, CONFIGS) for n in names]
    configs = {n: CONFIGS[n] for n in chosen} if chosen else CONFIGS
    matcher = Matcher.load(index_dir or ensure_default_index(None, say))
    results = compare(matcher, configs, queries, qrels, progress=say)
    if fmt == "json":
        click.echo(json.dumps(results, indent=2))
    else:
        click.echo(f"{len(queries)} queries ({split} split), "
                   f"{sum(not q.out_of_scope for q in queries)} in scope\n")
        click.echo(render_comparison(results))


def _find_config(name: str, configs) -> str:
    """A configuration by its full name, its bracketed tag ("default"), or any part of its
    name that fits only one."""
    if name in configs:
        return name
    wanted = name.lower()
    tagged = [n for n in configs if n.lower().endswith(f"({wanted})")]
    found = tagged or [n for n in configs if wanted in n.lower()]
    if len(found) == 1:
        return found[0]
    known = "; ".join(found or configs)
    problem = "is ambiguous" if found else "is unknown"
    raise click.UsageError(f"configuration {name!r} {problem}: give one of: {known}")
