"""Embeddings cached by content hash, so a rebuild only embeds passages that changed.

A small SQLite file per model weights hash (stdlib, no pickle): key = sha1 of the text,
value = the float32 vector's bytes. Below it sit the shipped embeddings: the shipped
corpus's passages embedded when the package was made (models/shipped-embeddings.npz, float16,
keyed the same way and by the weights' sha256), so a first build after install encodes only
what was edited since. scripts/build_shipped_embeddings.py writes that file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

SHIPPED_FILE = "shipped-embeddings.npz"


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def shipped_embeddings_path() -> Path:
    """Beside the model registry, in a checkout and in an installed wheel alike."""
    from .resources import model_registry_path

    return model_registry_path().parent / SHIPPED_FILE


class ShippedEmbeddings:
    """Read-only vectors of the shipped passages for one model's weights."""

    def __init__(self, keys: np.ndarray, vectors: np.ndarray):
        self.rows = {k.decode("ascii"): i for i, k in enumerate(keys)}
        self.vectors = vectors

    def get(self, key: str) -> np.ndarray | None:
        row = self.rows.get(key)
        if row is None:
            return None
        vector = self.vectors[row].astype(np.float32)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)  # undo float16 rounding of the norm

    def lookup(self, texts: list[str]) -> np.ndarray | None:
        """Vectors for all of ``texts``, or None if any is missing."""
        found = [self.get(text_key(t)) for t in texts]
        return None if any(v is None for v in found) else np.vstack(found)


def write_shipped(path: Path, weights_sha256: str, texts: list[str], vectors: np.ndarray,
                  **info: str | int) -> None:
    """Write the shipped-embeddings file (atomically): float16 vectors keyed by text hash."""
    work = path.with_name(f".{path.name}.tmp.npz")
    np.savez_compressed(work, weights_sha256=np.array(weights_sha256),
                        keys=np.array([text_key(t) for t in texts], dtype="S40"),
                        vectors=np.asarray(vectors, dtype=np.float16),
                        **{k: np.array(v) for k, v in info.items()})
    work.replace(path)


@lru_cache(maxsize=4)
def _load_shipped(path: str, mtime_ns: int) -> tuple[str, ShippedEmbeddings] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return str(data["weights_sha256"]), ShippedEmbeddings(data["keys"], data["vectors"])
    except (OSError, KeyError, ValueError):  # absent or damaged: everything is just encoded
        return None


def shipped_embeddings(weights_sha256: str, path: Path | None = None) -> ShippedEmbeddings | None:
    """The shipped vectors if they were made with these exact weights, else None."""
    path = path or shipped_embeddings_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    loaded = _load_shipped(str(path), stamp)
    if loaded is None or loaded[0] != weights_sha256:
        return None
    return loaded[1]


class EmbeddingCache:
    def __init__(self, path: Path, dimension: int | None = None,
                 shipped: ShippedEmbeddings | None = None):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.shipped = shipped
        self.db = sqlite3.connect(str(path), timeout=60)  # concurrent builds share the file
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")

    key = staticmethod(text_key)

    def embed(
        self, texts: list[str], encode: Callable[[list[str]], np.ndarray]
    ) -> tuple[np.ndarray, int]:
        """Vectors for texts, encoding only the ones neither cached nor shipped; returns
        (vectors, n_encoded)."""
        keys = [self.key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self.db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        if self.shipped is not None:  # not copied into SQLite: the package already holds them
            for key in unique:
                if key not in found and (vector := self.shipped.get(key)) is not None:
                    found[key] = vector
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            vectors = encode(list(missing.values()))
            rows = []
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = np.asarray(vector, dtype=np.float32)
                rows.append((key, found[key].tobytes()))
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        dims = {v.shape[0] for v in found.values()}
        if len(dims) > 1:  # a corrupt or mixed cache: start again rather than mix dimensions
            self.clear()
            self.shipped = None
            return self.embed(texts, encode)
        return np.vstack([found[k] for k in keys]).astype(np.float32), len(missing)

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM vectors")

    def close(self) -> None:
        self.db.close()
