"""The index of the shipped corpus, built on first use into the user cache and reused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .corpus import corpus_files, fingerprint_files
from .resources import cache_dir, shipped_corpus_dir, vocabulary_path

# The current default index and the newest other one per model are kept: two checkouts or
# versions sharing a cache then do not rebuild each other's index on every switch.
KEEP = 2


def indexes_dir() -> Path:
    return cache_dir() / "indexes"


def _slug(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", model_id).strip("-")[-40:]


def _version() -> str:
    """<format and passage scheme>-<hash of the corpus files>: the part of a default index's
    name that changes when the shipped corpus or the index format does."""
    from .index.store import FORMAT_VERSION
    from .passages import PASSAGE_SCHEME

    fingerprint = fingerprint_files(corpus_files([shipped_corpus_dir()]), vocabulary_path())
    return f"f{FORMAT_VERSION}p{PASSAGE_SCHEME}-{fingerprint[:16]}"


def default_index_dir(model_id: str) -> Path:
    """Keyed by model and by a hash of the corpus files, so an edit triggers a rebuild."""
    return indexes_dir() / f"{_slug(model_id)}-{_version()}"


def superseded_indexes() -> list[Path]:
    """Default indexes (of any model) built from another corpus version or index format."""
    folder = indexes_dir()
    if not folder.is_dir():
        return []
    current = _version()
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and not p.name.endswith(current))


def ensure_default_index(
    model: str | None = None, say: Callable[[str], None] = lambda _m: None
) -> Path:
    """The shipped corpus's index folder, building it first if it does not exist yet.
    One process builds; others asking at the same time wait for it and reuse its index."""
    from .cache import build_lock
    from .models import resolve_model

    spec = resolve_model(model)
    folder = default_index_dir(spec.id)
    if (folder / "manifest.json").is_file():
        return folder
    with build_lock(folder, say):
        if (folder / "manifest.json").is_file():  # built while this process waited
            return folder
        from .matcher import Matcher

        say(f"building the index of the shipped corpus into {folder} (first use only)")
        Matcher.build([shipped_corpus_dir()], model=spec.id, progress=say).save(folder)
        prune_default_indexes(folder)
    return folder


def old_default_indexes(current: Path, keep: int = KEEP) -> list[Path]:
    """Default indexes of the same model as ``current`` beyond the newest ``keep`` (current
    counted), oldest last."""
    from .index.store import MANIFEST

    model = current.name.rsplit("-", 2)[0]  # names are <model>-<version>-<fingerprint>
    others = [p for p in current.parent.iterdir()
              if p != current and p.name.rsplit("-", 2)[0] == model and (p / MANIFEST).is_file()]
    others.sort(key=lambda p: (p / MANIFEST).stat().st_mtime, reverse=True)
    return others[keep - 1:]


def prune_default_indexes(current: Path, keep: int = KEEP) -> int:
    """Remove superseded default indexes and stale build leftovers; returns bytes freed."""
    from .cache import clean_stale, remove_tree

    freed = clean_stale(current.parent, (".*.tmp-*", ".*.old-*"))
    for old in old_default_indexes(current, keep):
        freed += remove_tree(old)
    return freed
