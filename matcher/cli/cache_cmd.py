"""`matcher cache info|clean`: what the user cache holds, and freeing it."""

from __future__ import annotations

from pathlib import Path

import click

from .options import say

# (label, folder under the cache, what lives there)
PARTS = (
    ("default indexes", "indexes", "the shipped corpus's index, one per model and corpus version"),
    ("embeddings", "embeddings", "passage vectors by text hash, so rebuilds embed only edits"),
    ("ONNX exports", "onnx", "the fast query encoder, one per model"),
    ("models", "models", "models unzipped from split packages"),
)
TEMPORARIES = {"indexes": (".*.tmp-*", ".*.old-*"), "onnx": (".export-*",), "models": (".*-*",)}


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _stale(root: Path) -> list[Path]:
    from ..cache import stale_temporaries

    return [p for part, patterns in TEMPORARIES.items()
            for p in stale_temporaries(root / part, patterns) if p.is_dir()]


@click.group()
def cache() -> None:
    """Show or free the user cache (default indexes, embeddings, ONNX exports)."""


@cache.command("info")
def info() -> None:
    """Sizes of what the cache holds, and what `matcher cache clean` would free."""
    from ..cache import tree_size
    from ..default_index import superseded_indexes
    from ..resources import cache_dir

    root = cache_dir()
    click.echo(f"cache: {root}  (MATCHER_CACHE_DIR overrides it)")
    total = 0
    for label, part, what in PARTS:
        folder = root / part
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")] if folder.is_dir() else []
        size = tree_size(folder) if folder.is_dir() else 0
        total += size
        click.echo(f"  {label:<16} {len(entries):>3} {_mb(size):>11}  {what}")
    old = superseded_indexes()
    stale = _stale(root)
    freeable = sum(tree_size(p) for p in old + stale)
    click.echo(f"  {'total':<16} {'':>3} {_mb(tree_size(root) if root.is_dir() else 0):>11}")
    click.echo(f"`matcher cache clean` frees {_mb(freeable)}: {len(old)} superseded default "
               f"index(es), {len(stale)} leftover temporary folder(s)")


@cache.command("clean")
@click.option("--all", "everything", is_flag=True,
              help="Remove the whole cache: the next command rebuilds what it needs.")
def clean(everything: bool) -> None:
    """Remove superseded default indexes and what killed builds left behind."""
    from ..cache import remove_tree
    from ..default_index import superseded_indexes
    from ..resources import cache_dir

    root = cache_dir()
    if not root.is_dir():
        say(f"nothing to clean: {root} does not exist")
        return
    targets = sorted(root.iterdir()) if everything else superseded_indexes() + _stale(root)
    freed = sum(remove_tree(p) for p in targets)
    say(f"freed {_mb(freed)} in {root} ({len(targets)} item(s) removed)")
