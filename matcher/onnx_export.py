"""Export the encoder to ONNX for fast, light query encoding.

The export puts mean pooling and L2 normalisation inside the graph, so ONNX Runtime returns
the same vectors sentence-transformers does. It is verified on probe sentences (cosine within
1e-3 of the reference) and used only if that check passes.

BERT-family models are exported from their weights on plain torch (the graph of bert.py, in
float32), checked against the reference vectors of the probes that ship with the corpus's
embeddings: the first build after install then never imports sentence-transformers and
transformers (5-6 s). Other models, or when that check cannot be made or fails, go through
sentence-transformers' own model.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .cache import clean_stale, make_temp_dir
from .encoders import (
    PROBES,
    TOLERANCE,
    OnnxEncoder,
    SentenceTransformerEncoder,
    onnx_dir,
    onnx_export_ready,
)
from .models import ModelSpec

Reference = Callable[[], SentenceTransformerEncoder]


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


def _mean_pooled(hidden, attention_mask):
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(mean, p=2, dim=1)


def _bert_graph(spec: ModelSpec):
    """bert.py's forward pass in float32 as a traceable module (no size-dependent Python:
    positions come from a cumulative sum, shapes from the weights)."""
    import torch

    from .bert import BertEncoderNet

    net = BertEncoderNet(spec.path, "float32")
    width, heads = int(net.word.shape[1]), net.heads

    class Graph(torch.nn.Module):
        def forward(self, input_ids, attention_mask, token_type_ids):
            f = torch.nn.functional
            positions = torch.cumsum(torch.ones_like(input_ids), 1) - 1
            hidden = net.word[input_ids] + net.position[positions] + net.token_type[token_type_ids]
            hidden = f.layer_norm(hidden, (width,), *net.embedding_norm, net.eps)
            attend = attention_mask.bool()[:, None, None, :]
            for layer in net.layers:
                qkv = f.linear(hidden, *layer["qkv"]).unflatten(-1, (3, heads, width // heads))
                q, k, v = qkv.permute(2, 0, 3, 1, 4)
                context = f.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                context = context.transpose(1, 2).flatten(2)
                hidden = f.layer_norm(hidden + f.linear(context, *layer["attention_out"]),
                                      (width,), *layer["attention_norm"], net.eps)
                inner = f.gelu(f.linear(hidden, *layer["up"]))
                hidden = f.layer_norm(hidden + f.linear(inner, *layer["down"]),
                                      (width,), *layer["output_norm"], net.eps)
            return _mean_pooled(hidden, attention_mask)

    return Graph()


def _sentence_transformers_graph(reference: SentenceTransformerEncoder):
    import torch

    transformer = reference.model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            named = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                named["token_type_ids"] = token_type_ids
            return _mean_pooled(self.model(**named).last_hidden_state, attention_mask)

    return Pooled(transformer)


def _candidates(spec: ModelSpec, reference: Reference) -> Iterator[tuple[str, Callable, Path]]:
    """(label, graph maker, tokenizer.json source) to try in order."""
    from . import bert

    if bert.supported(spec.path):
        yield "bert", lambda: _bert_graph(spec), spec.path / "tokenizer.json"
    st = reference()
    if _supported(st):
        yield "sentence-transformers", lambda: _sentence_transformers_graph(st), None


def export_onnx(spec: ModelSpec, weights_hash: str, reference: Reference,
                expected: np.ndarray | None = None) -> Path | None:
    """Export and verify; returns the folder, or None if this model cannot be exported.
    ``reference`` makes the sentence-transformers encoder (only called when needed);
    ``expected``: its vectors for PROBES when already known (shipped with the corpus)."""
    target = onnx_dir(weights_hash)
    clean_stale(target.parent, (".export-*",))  # a killed export's leftovers
    ready = onnx_export_ready(weights_hash)
    if ready is not None:
        return ready

    def reference_vectors() -> np.ndarray:
        nonlocal expected
        if expected is None:
            expected = reference().encode(PROBES)
        return expected

    for label, make_graph, tokenizer_file in _candidates(spec, reference):
        work = make_temp_dir(target.parent, ".export-")
        try:
            try:
                verified = _export(label, make_graph(), work, spec, tokenizer_file, reference,
                                   weights_hash, reference_vectors)
            except Exception:  # the exporter raises many types; the next graph may still do
                if label != "bert":
                    raise
                verified = False
            if verified:
                if onnx_export_ready(weights_hash):  # a concurrent build finished first
                    return target
                if target.exists():
                    shutil.rmtree(target)
                work.rename(target)
                return target
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    return None


def _export(label, graph, work: Path, spec: ModelSpec, tokenizer_file: Path | None,
            reference: Reference, weights_hash: str, reference_vectors) -> bool:
    import torch
    from tokenizers import Tokenizer

    if tokenizer_file is not None:
        shutil.copyfile(tokenizer_file, work / "tokenizer.json")
    else:
        reference().model.tokenizer.backend_tokenizer.save(str(work / "tokenizer.json"))
    tokenizer = Tokenizer.from_file(str(work / "tokenizer.json"))
    tokenizer.enable_padding()
    sample = tokenizer.encode_batch(PROBES[:2])
    tensors = {"input_ids": [e.ids for e in sample],
               "attention_mask": [e.attention_mask for e in sample],
               "token_type_ids": [e.type_ids for e in sample]}
    # BERT-style models take token_type_ids, MPNet-style ones do not.
    names = ["input_ids", "attention_mask"]
    if label == "bert" or "token_type_ids" in reference().model.tokenizer.model_input_names:
        names.append("token_type_ids")
    axes = {0: "batch", 1: "seq"}
    # The exporter warns at length about tracing internals that do not apply here (the
    # result is verified numerically below), so its warnings are silenced.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            tuple(torch.tensor(tensors[n], dtype=torch.int64) for n in names),
            str(work / "model.onnx"),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**{n: axes for n in names}, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
            # ONNX Runtime folds constants itself when it loads the model; folding here as
            # well took 1.2 s of a 3 s export (measured), for the same query speed.
            do_constant_folding=False,
        )
    candidate = OnnxEncoder(work, spec.id, spec.max_tokens)
    worst = float(np.min(np.sum(candidate.encode(PROBES) * reference_vectors(), axis=1)))
    verified = worst >= 1.0 - TOLERANCE
    (work / "export.json").write_text(json.dumps({
        "model_id": spec.id,
        "weights_sha256": weights_hash,
        "graph": label,
        "min_cosine_vs_sentence_transformers": worst,
        "tolerance": TOLERANCE,
        "verified": verified,
    }, indent=2), encoding="utf-8")
    return verified
