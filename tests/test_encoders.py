"""The derived encoders (ONNX fp32, plain-torch BERT in bf16) give the sentence-transformers
vectors within 1e-3 cosine, and precision is chosen as documented."""

import numpy as np
import pytest

from matcher import bert, encoders
from matcher.encoders import (
    BertBf16Encoder,
    OnnxEncoder,
    SentenceTransformerEncoder,
    onnx_export_ready,
    query_encoder,
    resolve_precision,
)
from matcher.errors import ModelError
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


def test_bf16_bert_matches_sentence_transformers_in_input_order():
    spec = resolve_model()
    assert bert.supported(spec.path)
    fast = BertBf16Encoder(spec)
    reference = SentenceTransformerEncoder(spec)
    texts = TEXTS + [f"{t} {i}" for i, t in enumerate(TEXTS[:3] * 30)]  # 3 batches of 32
    vectors = fast.encode(texts, batch_size=32)
    cosines = np.sum(vectors * reference.encode(texts), axis=1)
    assert cosines.min() >= 1 - 1e-3  # also fails if length sorting mixed up the rows
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert fast.encode([]).shape[0] == 0


def test_bf16_encoder_is_verified_once_and_the_verdict_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path))
    spec = resolve_model()
    weights = weights_sha256(spec.path)
    assert isinstance(query_encoder(spec, weights, "bf16"), BertBf16Encoder)
    [record] = (tmp_path / "checks").glob("*.json")
    assert '"verified": true' in record.read_text()
    # A failed verification is remembered too, and the reference encoder is used instead.
    record.write_text('{"verified": false}')
    assert isinstance(query_encoder(spec, weights, "bf16"), SentenceTransformerEncoder)


def test_precision_choices(monkeypatch):
    monkeypatch.setattr(encoders, "native_bf16", lambda: False)
    assert resolve_precision("auto") == "fp32"
    monkeypatch.setattr(encoders, "native_bf16", lambda: True)
    assert resolve_precision("auto") == "bf16" and resolve_precision("fp32") == "fp32"
    with pytest.raises(ModelError, match="unknown precision 'fp8'"):
        resolve_precision("fp8")


def test_only_bert_models_with_mean_pooling_run_on_plain_torch(tmp_path):
    spec = resolve_model()
    assert bert.supported(spec.path)
    folder = tmp_path / "m"
    folder.mkdir()
    for name in ("modules.json", "model.safetensors", "tokenizer.json"):
        (folder / name).symlink_to(spec.path / name)
    (folder / "1_Pooling").mkdir()
    pooling = (spec.path / "1_Pooling" / "config.json").read_text()
    config = (spec.path / "config.json").read_text()
    (folder / "1_Pooling" / "config.json").write_text(pooling)
    (folder / "config.json").write_text(config)
    assert bert.supported(folder)
    (folder / "config.json").write_text(config.replace('"bert"', '"mpnet"'))
    assert not bert.supported(folder)
    (folder / "config.json").write_text(config)
    (folder / "1_Pooling" / "config.json").write_text(
        pooling.replace('"pooling_mode_cls_token": false', '"pooling_mode_cls_token": true'))
    assert not bert.supported(folder)
