"""The index of the shipped corpus, built on first use into the user cache and reused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .corpus import corpus_files, fingerprint_files
from .resources import cache_dir, shipped_corpus_dir, vocabulary_path


def default_index_dir(model_id: str) -> Path:
    """Keyed by model and by a hash of the corpus files, so an edit triggers a rebuild."""
    from .index.store import FORMAT_VERSION
    from .passages import PASSAGE_SCHEME

    files = corpus_files([shipped_corpus_dir()])
    fingerprint = fingerprint_files(files, vocabulary_path())
    slug = re.sub(r"[^A-Za-z0-9]+", "-", model_id).strip("-")[-40:]
    version = f"f{FORMAT_VERSION}p{PASSAGE_SCHEME}"
    return cache_dir() / "indexes" / f"{slug}-{version}-{fingerprint[:16]}"


def ensure_default_index(
    model: str | None = None, say: Callable[[str], None] = lambda _m: None
) -> Path:
    """The shipped corpus's index folder, building it first if it does not exist yet."""
    from .models import resolve_model

    spec = resolve_model(model)
    folder = default_index_dir(spec.id)
    if (folder / "manifest.json").is_file():
        return folder
    from .matcher import Matcher

    say(f"building the index of the shipped corpus into {folder} (first use only)")
    Matcher.build([shipped_corpus_dir()], model=spec.id, progress=say).save(folder)
    return folder
