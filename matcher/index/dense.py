"""Dense passage vectors in faiss: exact inner product at corpus scale, HNSW for large ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Above this many passages an exact scan stops being the cheap choice; HNSW keeps queries
# in milliseconds at the cost of a slower build and approximate recall.
EXACT_LIMIT = 200_000


class DenseIndex:
    """Inner-product search over L2-normalised vectors (so scores are cosines)."""

    def __init__(self, index) -> None:
        self.index = index

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self.index).__name__ else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "auto") -> DenseIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if kind == "auto":
            kind = "flat" if len(vectors) <= EXACT_LIMIT else "hnsw"
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 128
        else:
            raise ValueError(f"unknown dense index kind '{kind}' (use auto, flat or hnsw)")
        index.add(vectors)
        return cls(index)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, passage ids) per query; ``allowed`` restricts to those passage ids."""
        import faiss

        k = max(1, min(k, self.size if allowed is None else len(allowed)))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if allowed is None:
            return self.index.search(queries, k)
        params = (
            faiss.SearchParametersHNSW() if self.kind == "hnsw" else faiss.SearchParameters()
        )
        params.sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        return self.index.search(queries, k, params=params)

    def similarities(self, queries: np.ndarray) -> np.ndarray | None:
        """Every passage's cosine for each query, (queries x passages), for an exact (flat)
        index: one matrix product over the stored vectors, read in place. None for HNSW,
        which is searched instead."""
        if self.kind != "flat":
            return None
        import faiss

        stored = faiss.rev_swig_ptr(self.index.get_xb(), self.size * self.dimension)
        stored = stored.reshape(self.size, self.dimension)
        return np.ascontiguousarray(queries, dtype=np.float32) @ stored.T

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of these passages (to score candidates found lexically)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.index.reconstruct_batch(ids)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(path)))
