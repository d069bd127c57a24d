"""Text encoders: sentence-transformers (builds indexes) and ONNX Runtime (answers queries).

Importing sentence-transformers costs 4-6 s (torch + transformers); onnxruntime and tokenizers
import in well under a second. Queries therefore use an ONNX export of the same weights when
one exists (made and checked at index build, see onnx_export.py), and every heavy import
happens inside the function that needs it.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError
from .models import ModelSpec, weights_sha256
from .resources import cache_dir


class Encoder(Protocol):
    model_id: str
    max_tokens: int

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (batch_size: the encoder's own
        default when None)."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for this text (special tokens included)."""


PRECISIONS = ("auto", "fp32", "bf16")


@lru_cache(maxsize=1)
def native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16). There bf16
    inference runs about twice as fast as fp32; elsewhere it is emulated and slower."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: no cheap, reliable way to tell, so stay with fp32
        return False
    return re.search(r"\b(amx_bf16|avx512_bf16)\b", cpuinfo) is not None


def resolve_precision(precision: str) -> str:
    """``auto`` becomes bf16 where the CPU has native bf16 and fp32 elsewhere."""
    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision '{precision}': use one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bf16" if native_bf16() else "fp32"
    return precision


class SentenceTransformerEncoder:
    """The reference encoder, used to build indexes; in bf16, the batch encoder for models
    that bert.py does not run (slow to start: it imports transformers).

    bf16 runs the matrix products in bfloat16 under torch autocast (layer norms and softmax
    stay fp32). Its vectors agree with fp32 to a cosine above 0.9999, but they depend
    slightly (about 1e-3 per component) on which texts share an encoding batch.
    """

    def __init__(self, spec: ModelSpec, precision: str = "fp32"):
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
        self.precision = resolve_precision(precision)
        # bf16 matrix tiles fill better with more rows: 256 encodes about 1.5x faster than 64
        # on short enquiries (measured with AMX); fp32 gains nothing from it.
        self.batch_size = 256 if self.precision == "bf16" else 64
        dimension = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension())

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        batch_size = batch_size or self.batch_size
        if self.precision == "fp32":
            vectors = self.model.encode(
                list(texts), batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            return np.ascontiguousarray(vectors, dtype=np.float32)
        import torch

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            vectors = self.model.encode(list(texts), batch_size=batch_size,
                                        convert_to_tensor=True, show_progress_bar=False)
        # Normalise in fp32: the pooled bf16 vector is only 3 significant digits.
        vectors = vectors.float().numpy()
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])


class _TokenEncoder:
    """Encoders that tokenize with the fast `tokenizers` library and run one forward pass per
    batch; texts are batched by length (less padding) and returned in input order."""

    batch_size = 64

    def __init__(self, tokenizer_file: Path, model_id: str, max_tokens: int):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding()
        self.model_id = model_id
        self.max_tokens = max_tokens

    def _forward(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        batch_size = batch_size or self.batch_size
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((0, 0), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            batch = self.tokenizer.encode_batch([texts[i] for i in rows])
            vectors = self._forward(np.array([e.ids for e in batch], dtype=np.int64),
                                    np.array([e.attention_mask for e in batch], dtype=np.int64),
                                    np.array([e.type_ids for e in batch], dtype=np.int64))
            if not start:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out

    def count_tokens(self, text: str) -> int:
        self.tokenizer.no_truncation()
        try:
            return len(self.tokenizer.encode(text).ids)
        finally:
            self.tokenizer.enable_truncation(max_length=self.max_tokens)


class OnnxEncoder(_TokenEncoder):
    """Mean-pooled, normalised embeddings from an ONNX export (pooling is inside the graph)."""

    def __init__(self, folder: Path, model_id: str, max_tokens: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, os.cpu_count() or 1)
        options.log_severity_level = 3
        # Idle threads must not spin: they would take the cores the ranking's numpy needs
        # (measured: a 0.1 ms matrix product took 3 ms after each encode).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
            super().__init__(folder / "tokenizer.json", model_id, max_tokens)
        except Exception as exc:
            raise ModelError(
                f"cannot load the ONNX encoder in {folder}: {exc}; delete that folder and run "
                "`matcher index build` to export it again"
            ) from exc
        self.inputs = {i.name for i in self.session.get_inputs()}

    def _forward(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]


class BertBf16Encoder(_TokenEncoder):
    """BERT-family models in bfloat16 on plain torch (bert.py): the fast batch encoder on
    CPUs with native bf16. Its vectors depend slightly (about 1e-3 per component) on which
    texts share a batch, as any bf16 encoder's do."""

    batch_size = 256  # bf16 matrix tiles fill better with more rows (measured 1.5x over 64)

    def __init__(self, spec: ModelSpec):
        from .bert import BertEncoderNet

        try:
            self.net = BertEncoderNet(spec.path, "bfloat16")
        except ImportError as exc:
            raise ModelError("bf16 encoding needs torch: pip install torch==2.13.0") from exc
        super().__init__(spec.path / "tokenizer.json", spec.id, spec.max_tokens)

    def _forward(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        return self.net(ids, mask, types)


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


def query_encoder(spec: ModelSpec, weights_hash: str, precision: str = "fp32",
                  rebuild: str = "rebuild it with `matcher index build`") -> Encoder:
    """The fastest encoder that gives the index's vectors. fp32: the verified ONNX export if
    any (it starts in well under a second). bf16: the plain-torch BERT encoder once verified
    for these weights, else sentence-transformers under autocast (slower to start).
    ``rebuild``: how to rebuild the index if the installed weights differ."""
    if resolve_precision(precision) == "bf16":
        check_weights(spec, weights_hash, rebuild)
        return _bf16_encoder(spec, weights_hash)
    folder = onnx_export_ready(weights_hash)
    if folder is not None:
        return OnnxEncoder(folder, spec.id, spec.max_tokens)
    check_weights(spec, weights_hash, rebuild)
    return SentenceTransformerEncoder(spec)


def check_weights(spec: ModelSpec, expected: str,
                  rebuild: str = "rebuild it with `matcher index build`") -> str:
    """Hash the spec's weights and refuse if they differ from what an index was built with."""
    from .errors import IndexMismatchError

    actual = weights_sha256(spec.path)
    if expected and actual != expected:
        raise IndexMismatchError(
            f"the installed weights of '{spec.id}' (sha256 {actual[:12]}) differ from those the "
            f"index was built with ({expected[:12]}); {rebuild}"
        )
    return actual


# Sentences of several lengths that every derived encoder must reproduce (cosine within
# TOLERANCE of sentence-transformers in fp32) before it is used.
TOLERANCE = 1e-3
PROBES = [
    "GMP viral vector manufacturing for cell and gene therapy trials",
    "Organoid models of liver fibrosis with access to patient samples.",
    "We are a US medtech company building AI-assisted cardiac ultrasound and need NHS clinical "
    "validation partners and a UK manufacturing site.",
    "biobank",
    "Wales",
    " ".join(["Phase I unit with early-phase oncology trial experience, a GMP cell therapy "
              "suite, genomics and biobank access, and NHS partners across the region."] * 8),
]


def _bf16_encoder(spec: ModelSpec, weights_hash: str) -> Encoder:
    from . import bert

    if bert.supported(spec.path):
        candidate = BertBf16Encoder(spec)
        if _verified(candidate, spec, weights_hash):
            return candidate
    return SentenceTransformerEncoder(spec, precision="bf16")


def _verified(candidate: Encoder, spec: ModelSpec, weights_hash: str) -> bool:
    """Whether the candidate reproduces the reference on PROBES; checked once per weights
    and remembered in the cache. The reference is sentence-transformers' own vectors for the
    probes where they ship with the package (nothing to load), else the verified ONNX export
    (no need to import sentence-transformers), else sentence-transformers itself."""
    from .embed_cache import shipped_embeddings

    record = cache_dir() / "checks" / f"{weights_hash[:16]}-{type(candidate).__name__}.json"
    try:
        return bool(json.loads(record.read_text(encoding="utf-8"))["verified"])
    except (OSError, ValueError, KeyError):
        pass
    shipped = shipped_embeddings(weights_hash)
    expected = shipped.lookup(PROBES) if shipped is not None else None
    if expected is None:
        folder = onnx_export_ready(weights_hash)
        reference = (OnnxEncoder(folder, spec.id, spec.max_tokens) if folder is not None
                     else SentenceTransformerEncoder(spec))
        expected = reference.encode(PROBES)
    worst = float(np.min(np.sum(candidate.encode(PROBES) * expected, axis=1)))
    verified = worst >= 1.0 - TOLERANCE
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"model_id": spec.id, "weights_sha256": weights_hash,
                                  "min_cosine": worst, "tolerance": TOLERANCE,
                                  "verified": verified}, indent=2), encoding="utf-8")
    return verified
