"""Embeddings cached by content hash, so a rebuild only embeds passages that changed.

A small SQLite file per model weights hash (stdlib, no pickle): key = sha1 of the text,
value = the float32 vector's bytes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np


class EmbeddingCache:
    def __init__(self, path: Path, dimension: int | None = None):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(
        self, texts: list[str], encode: Callable[[list[str]], np.ndarray]
    ) -> tuple[np.ndarray, int]:
        """Vectors for texts, encoding only the ones not cached; returns (vectors, n_encoded)."""
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
            return self.embed(texts, encode)
        return np.vstack([found[k] for k in keys]).astype(np.float32), len(missing)

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM vectors")

    def close(self) -> None:
        self.db.close()
