"""`matcher eval`: ranking configurations side by side on judged enquiries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import index_option, say


@click.command("eval")
@click.option("--set", "set_name", type=click.Choice(["both", "own", "blind"]), default="both",
              show_default=True,
              help="Which shipped set: 'own' (judged from the corpus's profiles), 'blind' (written "
                   "by someone who had not read the corpus), or both side by side.")
@click.option("--queries", "queries_path", type=click.Path(path_type=Path), default=None,
              help="Your own queries as JSON lines (id, text, kind, split, out_of_scope, "
                   "expected_regions, expected_clusters); use with --qrels.")
@click.option("--qrels", "qrels_path", type=click.Path(path_type=Path), default=None,
              help="TREC qrels (query 0 entity grade) for --queries.")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="test",
              show_default=True, help="Which queries to score.")
@click.option("--config", "names", multiple=True,
              help="Only these configurations (repeatable); default: all of them.")
@index_option
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)
def eval_(set_name, queries_path, qrels_path, split, names, index_dir, fmt) -> None:
    """Score ranking configurations side by side on judged enquiries.

    For each set: nDCG@10, MRR, R@10, R@50, P@5 and judged@10 (the share of the top 10 that
    was judged: unjudged results count as not relevant, so a low judged@10 means the other
    figures are a floor), nDCG@10 per enquiry kind, the front-door metrics (region accuracy:
    is the expected region first in the region answer; cluster hit@10: is an expected cluster
    in the top 10) where the set states them, the "no good match" verdict's precision and
    recall on out-of-scope enquiries, and paired bootstrap intervals of the default against
    the naive baselines (one vector per entity; BM25 over one document per entity; BM25 over
    passages).

    \b
    Examples:
      matcher eval                      # both shipped sets, test split
      matcher eval --set blind --split dev --config "hybrid, max" --config default
    """
    from ..default_index import ensure_default_index
    from ..evaluate import (
        CONFIGS,
        DEFAULT_NAME,
        EvalSet,
        compare,
        intervals,
        load_qrels,
        load_queries,
        render_comparison,
        render_intervals,
        shipped_set,
    )
    from ..matcher import Matcher

    if bool(queries_path) != bool(qrels_path):
        raise click.UsageError("give --queries and --qrels together")
    if queries_path:
        sets = [EvalSet("yours", load_queries(queries_path), load_qrels(qrels_path))]
    else:
        sets = [shipped_set(n) for n in (("own", "blind") if set_name == "both" else (set_name,))]
    sets = [s.split(split) for s in sets]
    if not any(s.queries for s in sets):
        raise click.UsageError(f"no queries in split '{split}'")
    chosen = [_find_config(n, CONFIGS) for n in names]
    configs = {n: CONFIGS[n] for n in chosen} if chosen else CONFIGS
    matcher = Matcher.load(index_dir or ensure_default_index(None, say))
    report = {}
    for eval_set in sets:
        results = compare(matcher, configs, eval_set.queries, eval_set.qrels, progress=say)
        report[eval_set.name] = {"results": results, "intervals": intervals(results)}
    if fmt == "json":
        click.echo(json.dumps({name: {"metrics": {c: r["metrics"] for c, r in v["results"].items()},
                                      "intervals": v["intervals"]}
                               for name, v in report.items()}, indent=2))
        return
    for eval_set in sets:
        entry = report[eval_set.name]
        click.echo(f"## {eval_set.name} set: {len(eval_set.queries)} queries ({split} split), "
                   f"{sum(not q.out_of_scope for q in eval_set.queries)} in scope\n")
        click.echo(render_comparison(entry["results"]))
        table = render_intervals(entry["intervals"])
        if table:
            click.echo("\n" + table)
        bands = entry["results"].get(DEFAULT_NAME, {}).get("bands")
        if bands:
            shares = ", ".join(f"{band} {v['relevant']:.0%} (n={v['n']})" for band, v in
                               sorted(bands.items(), key=lambda kv: -kv[1]["relevant"]))
            click.echo(f"\nDefault's judged top-10 matches judged clearly relevant, by band: {shares}")
        click.echo("")


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
