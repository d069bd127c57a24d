"""Embed the shipped corpus's passages for the package: models/shipped-embeddings.npz.

    python scripts/build_shipped_embeddings.py [--reuse-cache]

Re-run it after editing corpus/ (a passage edited since is simply embedded at the user's first
build, so a stale file costs time, never correctness). The file holds the default model's
weights sha256, the sha1 of each passage's text (the embedding cache's key) and its vector in
float16, plus the encoder probes (encoders.PROBES), against which the ONNX export is verified
without loading sentence-transformers. Vectors come from sentence-transformers in float32, as
in an index build; --reuse-cache takes those already in your embedding cache instead of
encoding every passage again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.corpus import load_corpus  # noqa: E402
from matcher.embed_cache import SHIPPED_FILE, EmbeddingCache, write_shipped  # noqa: E402
from matcher.encoders import PROBES, SentenceTransformerEncoder  # noqa: E402
from matcher.models import resolve_model, weights_sha256  # noqa: E402
from matcher.passages import PASSAGE_SCHEME, entity_passages  # noqa: E402
from matcher.resources import cache_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / SHIPPED_FILE)
    parser.add_argument("--reuse-cache", action="store_true",
                        help="take vectors already in the user's embedding cache")
    args = parser.parse_args()

    started = time.perf_counter()
    spec = resolve_model()
    weights = weights_sha256(spec.path)
    corpus = load_corpus([ROOT / "corpus"])
    texts = list(dict.fromkeys(
        [p.text for e in corpus.entities for p in entity_passages(e)] + PROBES))
    encoder = SentenceTransformerEncoder(spec)
    if args.reuse_cache:
        cache = EmbeddingCache(cache_dir() / "embeddings" / f"{weights[:16]}.sqlite")
        vectors, encoded = cache.embed(texts, encoder.encode)
        cache.close()
    else:
        vectors, encoded = encoder.encode(texts), len(texts)
    half = vectors.astype(np.float16)
    restored = half.astype(np.float32)
    restored /= np.linalg.norm(restored, axis=1, keepdims=True)
    worst = float(np.min(np.sum(restored * vectors, axis=1)))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_shipped(args.out, weights, texts, half, model_id=spec.id,
                  passage_scheme=PASSAGE_SCHEME, corpus_sha256=corpus.fingerprint)
    print(f"wrote {args.out}: {len(texts)} vectors ({len(texts) - len(PROBES)} passages, "
          f"{len(PROBES)} probes; {encoded} encoded now), {args.out.stat().st_size / 1e6:.1f} MB, "
          f"float16 min cosine to float32 {worst:.6f}, model {spec.id} ({weights[:12]}), "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
