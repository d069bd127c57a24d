"""`matcher index build` and `matcher info`."""

from __future__ import annotations

import json
import time
from contextlib import nullcontext
from pathlib import Path

import click

from .options import index_option, model_option, say


@click.group()
def index() -> None:
    """Build search indexes."""


@index.command("build")
@click.option("--corpus", "corpus_paths", multiple=True, type=click.Path(path_type=Path),
              help="Corpus file or directory (repeatable). Default: the shipped corpus.")
@index_option
@model_option
@click.option("--column", "columns", multiple=True, metavar="FIELD=COLUMN",
              help="Map a CSV column to a corpus field, e.g. --column name=Organisation.")
@click.option("--dense-index", type=click.Choice(["auto", "flat", "hnsw"]), default="auto",
              show_default=True, help="faiss index type; auto is exact up to 200k passages.")
@click.option("--overwrite", is_flag=True,
              help="Replace --index even if it holds an index of another corpus (or no index).")
def build(corpus_paths, index_dir, model, columns, dense_index, overwrite) -> None:
    """Embed a corpus and write its index directory.

    \b
    Examples:
      matcher index build                                  # shipped corpus, default cache
      matcher index build --corpus my_orgs/ --index idx/   # your own CSV/JSONL/YAML folder
      matcher index build --corpus orgs.csv --column name=Organisation --index idx/

    An existing --index is replaced only by a rebuild from the same corpus, unless
    --overwrite is given.
    """
    from ..cache import build_lock
    from ..corpus import load_corpus, parse_column_map
    from ..default_index import default_index_dir, prune_default_indexes
    from ..index.store import check_replaceable, corpus_record
    from ..matcher import Matcher
    from ..models import resolve_model
    from ..resources import shipped_corpus_dir

    started = time.perf_counter()
    paths = list(corpus_paths) or [shipped_corpus_dir()]
    record = corpus_record(paths, columns)
    default = index_dir is None
    if default:
        if not record["shipped"]:
            raise click.UsageError("give --index DIR when building from your own --corpus")
        index_dir = default_index_dir(resolve_model(model).id)
    else:  # before any work: refuse to replace another corpus's index
        check_replaceable(index_dir, record, overwrite)
    corpus = load_corpus(paths, column_map=parse_column_map(columns))
    say(f"loaded {len(corpus)} entities from {len(corpus.files)} file(s)")
    with build_lock(index_dir, say) if default else nullcontext():
        matcher = Matcher.build(corpus, model=model, dense_index=dense_index, progress=say)
        matcher.manifest["corpus"] = record
        matcher.save(index_dir)
        if default:
            prune_default_indexes(index_dir)
    m = matcher.manifest
    say(f"wrote {index_dir}: {m['entity_count']} entities, {m['passage_count']} passages, "
        f"model {m['model']['id']}, in {time.perf_counter() - started:.1f}s")


@click.command()
@index_option
def info(index_dir) -> None:
    """Print an index's manifest (model, counts, corpus hash, build time) as JSON."""
    from ..default_index import default_index_dir
    from ..index.store import read_manifest
    from ..models import default_model_id

    folder = index_dir or default_index_dir(default_model_id())
    manifest = read_manifest(folder)
    click.echo(json.dumps({"index": str(folder), **manifest}, indent=2))
