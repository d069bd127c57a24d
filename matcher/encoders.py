"""Text encoders: sentence-transformers (builds indexes) and ONNX Runtime (answers queries).

Importing sentence-transformers costs 4-6 s (torch + transformers); onnxruntime and tokenizers
import in well under a second. Queries therefore use an ONNX export of the same weights when
one exists (made and checked at index build, see onnx_export.py), and every heavy import
happens inside the function that needs it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError
from .models import ModelSpec, weights_sha256
from .resources import cache_dir


class Encoder(Protocol):
    model_id: str
    max_tokens: int

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for this text (special tokens included)."""


class SentenceTransformerEncoder:
    """The reference encoder, used to build indexes."""

    def __init__(self, spec: ModelSpec):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(
                "sentence-transformers is not installed: pip install torch==2.13.0 "
                "sentence-transformers"
            ) from exc
        try:
            self.model = SentenceTransformer(str(spec.path), device="cpu")
        except Exception as exc:  # library raises many types for a bad folder
            raise ModelError(f"cannot load model '{spec.id}' from {spec.path}: {exc}") from exc
        self.model.max_seq_length = spec.max_tokens
        self.model_id = spec.id
        self.max_tokens = spec.max_tokens
        dimension = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])


class OnnxEncoder:
    """Mean-pooled, normalised embeddings from an ONNX export (pooling is inside the graph)."""

    def __init__(self, folder: Path, model_id: str, max_tokens: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, os.cpu_count() or 1)
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:
            raise ModelError(
                f"cannot load the ONNX encoder in {folder}: {exc}; delete that folder and run "
                "`matcher index build` to export it again"
            ) from exc
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.model_id = model_id
        self.max_tokens = max_tokens

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(list(texts[start : start + batch_size]))
            feeds = {
                "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64),
            }
            feeds = {k: v for k, v in feeds.items() if k in self.inputs}
            out.append(self.session.run(None, feeds)[0])
        if not out:
            return np.zeros((0, 0), dtype=np.float32)
        return np.ascontiguousarray(np.vstack(out), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        self.tokenizer.no_truncation()
        try:
            return len(self.tokenizer.encode(text).ids)
        finally:
            self.tokenizer.enable_truncation(max_length=self.max_tokens)


def onnx_dir(weights_hash: str) -> Path:
    """Where the ONNX export of the weights with this hash lives."""
    return cache_dir() / "onnx" / weights_hash[:16]


def onnx_export_ready(weights_hash: str) -> Path | None:
    folder = onnx_dir(weights_hash)
    try:
        meta = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = meta.get("verified") and meta.get("weights_sha256") == weights_hash
    return folder if ok and (folder / "model.onnx").is_file() else None


def query_encoder(spec: ModelSpec, weights_hash: str) -> Encoder:
    """The fastest encoder that gives the index's vectors: the verified ONNX export if any."""
    folder = onnx_export_ready(weights_hash)
    if folder is not None:
        return OnnxEncoder(folder, spec.id, spec.max_tokens)
    check_weights(spec, weights_hash)
    return SentenceTransformerEncoder(spec)


def check_weights(spec: ModelSpec, expected: str) -> str:
    """Hash the spec's weights and refuse if they differ from what an index was built with."""
    from .errors import IndexMismatchError

    actual = weights_sha256(spec.path)
    if expected and actual != expected:
        raise IndexMismatchError(
            f"the installed weights of '{spec.id}' (sha256 {actual[:12]}) differ from those the "
            f"index was built with ({expected[:12]}); rebuild it with `matcher index build`"
        )
    return actual
