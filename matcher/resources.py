"""Where the shipped data lives: inside an installed wheel, or beside a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    return candidates[-1]


def shipped_corpus_dir() -> Path:
    """The corpus that ships with matcher (used when no --corpus is given)."""
    return _first_existing(_PACKAGE / "_data" / "corpus", _CHECKOUT / "corpus")


def vocabulary_path() -> Path:
    """The controlled vocabulary: regions, org types and tags."""
    return shipped_corpus_dir() / "vocabulary.yaml"


def model_registry_path() -> Path:
    """The registry of known encoders."""
    return _first_existing(
        _PACKAGE / "_data" / "models" / "registry.yaml", _CHECKOUT / "models" / "registry.yaml"
    )


def models_dir() -> Path:
    """Derived model artefacts that ship with matcher (the re-ranking model)."""
    return _first_existing(_PACKAGE / "_data" / "models", _CHECKOUT / "models")


def cache_dir() -> Path:
    """Per-user cache: default indexes, embedding cache, ONNX exports.

    ``MATCHER_CACHE_DIR`` overrides it (tests and CI point it at a temporary folder).
    """
    override = os.environ.get("MATCHER_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("matcher"))
