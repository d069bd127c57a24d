"""`matcher corpus validate` and `matcher corpus stats`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from .options import say


@click.group()
def corpus() -> None:
    """Check and describe corpus files."""


_paths = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
_columns = click.option("--column", "columns", multiple=True, metavar="FIELD=COLUMN",
                        help="Map a CSV column to a corpus field, e.g. --column name=Organisation.")


def _load(paths, columns):
    from ..corpus import load_corpus, parse_column_map
    from ..resources import shipped_corpus_dir

    return load_corpus(paths or [shipped_corpus_dir()], column_map=parse_column_map(columns))


@corpus.command()
@_paths
@_columns
@click.option("--stale", "stale_years", type=click.IntRange(min=0), metavar="YEARS",
              help="Also list dated facts older than YEARS years (by as_of, or their source's date).")
def validate(paths, columns, stale_years) -> None:
    """Check corpus files; print every problem as file:record: field: problem.

    \b
    Examples:
      matcher corpus validate                 # the shipped corpus
      matcher corpus validate my_orgs.csv --column name=Organisation
      matcher corpus validate --stale 5       # and list facts dated more than 5 years ago
    """
    loaded = _load(paths, columns)
    kinds = Counter(e.kind for e in loaded.entities)
    click.echo(f"ok: {len(loaded)} entities ({kinds['cluster']} clusters, "
               f"{kinds['organisation']} organisations) in {len(loaded.files)} file(s)")
    if stale_years is not None:
        from ..freshness import stale_facts

        stale = stale_facts(loaded.entities, stale_years)
        click.echo(f"\n{len(stale)} dated fact(s) older than {stale_years} years:")
        for fact in stale:
            click.echo(f"  {fact.describe()}")


@corpus.command()
@_paths
@_columns
def stats(paths, columns) -> None:
    """Counts by kind, nation, region, org type and tag; flags thin profiles."""
    from ..vocabulary import nation_of

    loaded = _load(paths, columns)
    entities = loaded.entities

    def section(title: str, counts: Counter) -> None:
        click.echo(f"\n{title}")
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {n:>5}  {key}")

    click.echo(f"{len(entities)} entities in {len(loaded.files)} file(s)")
    section("by kind", Counter(e.kind for e in entities))
    section("by nation", Counter(n for e in entities for n in {nation_of(r) for r in e.regions}))
    section("by region", Counter(r for e in entities for r in e.regions))
    section("by org type", Counter(e.org_type or "(none)" for e in entities))
    section("by tag", Counter(t for e in entities for t in e.tags))
    for name in ("capabilities", "offers"):
        counts = [len(getattr(e, name)) for e in entities]
        with_any = sum(1 for n in counts if n)
        click.echo(f"\n{name} per entity: min {min(counts)}, mean {sum(counts) / len(counts):.1f}, "
                   f"max {max(counts)}; {with_any} entities have {name}")
    clusters = [e for e in entities if e.kind == "cluster"]
    front_doors = sum(1 for e in clusters if e.area and e.remit and len(e.offers) >= 3)
    click.echo(f"clusters with an area, a remit and at least three offers: {front_doors} of "
               f"{len(clusters)}")
    units = sum(1 for e in entities if e.part_of)
    click.echo(f"named units (part_of a parent): {units}")
    from ..freshness import age_profile

    click.echo("\nage profile")
    for line in age_profile(entities).lines():
        click.echo(f"  {line}")
    thin = [e for e in entities
            if e.coverage == "thin" or len(e.capabilities) + len(e.offers) < 3]
    click.echo(f"\nthin profiles ({len(thin)}): coverage: thin or fewer than 3 capabilities "
               "and offers")
    for e in thin:
        click.echo(f"  {e.id} ({len(e.capabilities)} capabilities, {len(e.offers)} offers)")
    no_sources = [e.id for e in entities if not e.sources]
    if no_sources:
        say(f"warning: {len(no_sources)} entities have no sources: {', '.join(no_sources[:10])}")
