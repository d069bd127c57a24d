"""Would an int8 ONNX query encoder be worth it? Speed and dev nDCG@10 against fp32, one run.

    python scripts/bench_int8.py

Quantises the verified fp32 ONNX export of the default encoder (dynamic int8 weights, ONNX
Runtime's quantize_dynamic) into a temporary folder, then measures encoding rate on short
enquiries, the cosine between int8 and fp32 query vectors, and nDCG@10 on the dev split of
the evaluation set with each (index vectors stay fp32). The rule: keep it only if nDCG@10
stays within 1% of fp32.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def rate(encoder, texts: list[str]) -> float:
    encoder.encode(texts[:64])
    start = time.perf_counter()
    encoder.encode(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from matcher import Matcher
    from matcher.default_index import ensure_default_index
    from matcher.encoders import OnnxEncoder, onnx_export_ready
    from matcher.evaluate import default_eval_dir, load_qrels, load_queries, run_config, score_run

    matcher = Matcher.load(ensure_default_index())
    fp32_dir = onnx_export_ready(matcher.data.manifest["model"]["weights_sha256"])
    if fp32_dir is None:
        raise SystemExit("no verified ONNX export: run `matcher index build` first")
    texts = [f"viral vector manufacturing project {i} for a partner" for i in range(512)]
    with tempfile.TemporaryDirectory() as scratch:
        int8_dir = Path(scratch)
        quantize_dynamic(str(fp32_dir / "model.onnx"), str(int8_dir / "model.onnx"),
                         weight_type=QuantType.QInt8)
        shutil.copy(fp32_dir / "tokenizer.json", int8_dir / "tokenizer.json")
        spec = matcher.spec
        fp32 = OnnxEncoder(fp32_dir, spec.id, spec.max_tokens)
        int8 = OnnxEncoder(int8_dir, spec.id, spec.max_tokens)
        cosine = float(np.min(np.sum(fp32.encode(texts) * int8.encode(texts), axis=1)))
        queries = [q for q in load_queries(default_eval_dir() / "queries.jsonl")
                   if q.split == "dev"]
        qrels = load_qrels(default_eval_dir() / "qrels.txt")
        results = {}
        for name, encoder in (("fp32", fp32), ("int8", int8)):
            variant = Matcher(matcher.data, spec, encoder=encoder)
            run, _ = run_config(variant, variant.config, queries)
            results[name] = (rate(encoder, texts), score_run(run, qrels, queries)["all"]["nDCG@10"])
    base_rate, base_ndcg = results["fp32"]
    print(f"\n{'query encoder':<14} {'texts/s':>8} {'dev nDCG@10':>12} {'vs fp32':>8}")
    for name, (r, ndcg) in results.items():
        print(f"{name:<14} {r:8.0f} {ndcg:12.3f} {ndcg / base_ndcg - 1:+8.1%}")
    print(f"lowest cosine between int8 and fp32 query vectors: {cosine:.3f}")
    keep = results["int8"][1] >= 0.99 * base_ndcg
    print("verdict:", "within 1%: usable" if keep else "more than 1% worse: not used")


if __name__ == "__main__":
    main()
