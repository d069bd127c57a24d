"""The ONNX query encoder gives the sentence-transformers vectors (within 1e-3 cosine)."""

import numpy as np
import pytest

from matcher.encoders import OnnxEncoder, SentenceTransformerEncoder, onnx_export_ready
from matcher.models import resolve_model, weights_sha256

pytestmark = pytest.mark.slow

TEXTS = [
    "Patient-derived liver organoid models of fibrosis.",
    "We are a US medtech company building AI-assisted cardiac ultrasound.",
    "GMP",
    "Une phrase en français pour changer.",
    "word " * 400,  # longer than the window: both must truncate the same way
]


def test_onnx_export_matches_sentence_transformers(mini_index):
    spec = resolve_model()
    folder = onnx_export_ready(weights_sha256(spec.path))
    assert folder is not None, "index build should have exported and verified an ONNX encoder"
    onnx = OnnxEncoder(folder, spec.id, spec.max_tokens)
    reference = SentenceTransformerEncoder(spec)
    cosines = np.sum(onnx.encode(TEXTS) * reference.encode(TEXTS), axis=1)
    assert cosines.min() >= 1 - 1e-3
    assert onnx.count_tokens("GMP viral vectors") == reference.count_tokens("GMP viral vectors")
    assert onnx.count_tokens("word " * 400) == 402


def test_registry_weights_hash_matches_installed_package():
    spec = resolve_model()
    assert weights_sha256(spec.path) == spec.expected_sha256
