"""Export a sentence-transformers encoder to ONNX for fast, light query encoding.

The export puts mean pooling and L2 normalisation inside the graph, so ONNX Runtime returns
the same vectors sentence-transformers does. It is verified on probe sentences (cosine within
1e-3 of the reference) and used only if that check passes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .encoders import (
    PROBES,
    TOLERANCE,
    OnnxEncoder,
    SentenceTransformerEncoder,
    onnx_dir,
    onnx_export_ready,
)


def _supported(reference: SentenceTransformerEncoder) -> bool:
    """Only the common mean-pooling + normalise pipeline is exported; others stay on torch."""
    names = [type(m).__name__ for m in reference.model]
    if names[:2] != ["Transformer", "Pooling"] or names[2:] not in ([], ["Normalize"]):
        return False
    pooling = reference.model[1]
    mode = getattr(pooling, "pooling_mode", None)
    if isinstance(mode, str):  # sentence-transformers >= 6
        return mode == "mean"
    return getattr(pooling, "pooling_mode_mean_tokens", False) and not any(
        getattr(pooling, f"pooling_mode_{m}", False)
        for m in ("cls_token", "max_tokens", "mean_sqrt_len_tokens")
    )


def export_onnx(reference: SentenceTransformerEncoder, weights_hash: str) -> Path | None:
    """Export and verify; returns the folder, or None if this model cannot be exported."""
    ready = onnx_export_ready(weights_hash)
    if ready is not None:
        return ready
    if not _supported(reference):
        return None
    import torch

    transformer = reference.model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module, names: list[str]):
            super().__init__()
            self.model = model
            self.names = names

        def forward(self, *inputs):
            named = dict(zip(self.names, inputs, strict=True))
            attention_mask = named["attention_mask"]
            hidden = self.model(**named).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target = onnx_dir(weights_hash)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".export-"))
    try:
        tok = reference.model.tokenizer
        sample = tok(PROBES[:2], padding=True, return_tensors="pt")
        # BERT-style models take token_type_ids, MPNet-style ones do not.
        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
        axes = {0: "batch", 1: "seq"}
        # The exporter warns at length about tracing internals that do not apply here (the
        # result is verified numerically below), so its warnings are silenced.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled(transformer, names),
                tuple(sample[n] for n in names),
                str(work / "model.onnx"),
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={**{n: axes for n in names}, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        tok.backend_tokenizer.save(str(work / "tokenizer.json"))
        candidate = OnnxEncoder(work, reference.model_id, reference.max_tokens)
        worst = float(np.min(np.sum(
            candidate.encode(PROBES) * reference.encode(PROBES), axis=1
        )))
        verified = worst >= 1.0 - TOLERANCE
        (work / "export.json").write_text(json.dumps({
            "model_id": reference.model_id,
            "weights_sha256": weights_hash,
            "min_cosine_vs_sentence_transformers": worst,
            "tolerance": TOLERANCE,
            "verified": verified,
        }, indent=2), encoding="utf-8")
        if not verified:
            return None
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
        return target
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
