"""Which query encoder for batch scoring? Speed and dev nDCG@10 of each against fp32, one run.

    python scripts/bench_encoders.py

Encoders compared, all giving vectors for the same fp32 index:
  * fp32: the verified ONNX export (the default query encoder);
  * int8: that export with dynamic int8 weights (ONNX Runtime's quantize_dynamic);
  * bf16: matcher's plain-torch BERT in bfloat16 (`--precision bf16`, matcher/bert.py), fast
    only on CPUs with native bf16 (AMX or AVX512-BF16; this script says which it has).
For each: encoding rate on short enquiries at the encoder's own batch size, the lowest cosine
between its query vectors and fp32's, and nDCG@10 on the dev split of the evaluation set.
The rule: an encoder is usable only if nDCG@10 stays within 1% of fp32.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from bench_batch import write_short  # noqa: E402  (the batch benchmark's enquiries)


def rate(encoder, texts: list[str]) -> float:
    encoder.encode(texts[:256])  # warm up (bf16 kernels are compiled per shape)
    start = time.perf_counter()
    encoder.encode(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from matcher import Matcher
    from matcher.default_index import ensure_default_index
    from matcher.encoders import OnnxEncoder, native_bf16, onnx_export_ready, query_encoder
    from matcher.evaluate import default_eval_dir, load_qrels, load_queries, run_config, score_run

    matcher = Matcher.load(ensure_default_index())
    fp32_dir = onnx_export_ready(matcher.data.manifest["model"]["weights_sha256"])
    if fp32_dir is None:
        raise SystemExit("no verified ONNX export: run `matcher index build` first")
    queries = [q for q in load_queries(default_eval_dir() / "queries.jsonl") if q.split == "dev"]
    qrels = load_qrels(default_eval_dir() / "qrels.txt")
    with tempfile.TemporaryDirectory() as scratch:
        texts = write_short(Path(scratch) / "short.csv", 2048)
        int8_dir = Path(scratch) / "int8"
        int8_dir.mkdir()
        quantize_dynamic(str(fp32_dir / "model.onnx"), str(int8_dir / "model.onnx"),
                         weight_type=QuantType.QInt8)
        shutil.copy(fp32_dir / "tokenizer.json", int8_dir / "tokenizer.json")
        spec = matcher.spec
        encoders = {
            "fp32": OnnxEncoder(fp32_dir, spec.id, spec.max_tokens),
            "int8": OnnxEncoder(int8_dir, spec.id, spec.max_tokens),
            "bf16": query_encoder(spec, matcher.data.manifest["model"]["weights_sha256"],
                                  "bf16"),
        }
        reference = encoders["fp32"].encode(texts)
        results = {}
        for name, encoder in encoders.items():
            cosine = float(np.min(np.sum(reference * encoder.encode(texts), axis=1)))
            variant = Matcher(matcher.data, spec, encoder=encoder)
            run, _ = run_config(variant, variant.config, queries)
            ndcg = score_run(run, qrels, queries)["all"]["nDCG@10"]
            results[name] = (rate(encoder, texts), ndcg, cosine)
    base_rate, base_ndcg, _ = results["fp32"]
    print(f"\nquery encoders, {len(texts)} short enquiries, {os.cpu_count()} CPUs, "
          f"native bf16: {'yes' if native_bf16() else 'no'}\n")
    print(f"{'encoder':<8} {'texts/s':>8} {'vs fp32':>8} {'dev nDCG@10':>12} {'vs fp32':>8} "
          f"{'min cosine':>11}  verdict")
    for name, (r, ndcg, cosine) in results.items():
        verdict = "usable" if ndcg >= 0.99 * base_ndcg else "more than 1% worse: not used"
        print(f"{name:<8} {r:8.0f} {r / base_rate:7.2f}x {ndcg:12.3f} {ndcg / base_ndcg - 1:+8.1%} "
              f"{cosine:11.5f}  {verdict}")


if __name__ == "__main__":
    main()
