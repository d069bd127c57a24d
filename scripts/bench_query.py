"""Query-speed benchmark: prints figures and ratios measured in one run.

    python scripts/bench_query.py [--queries 200] [--synthetic 100000]

Measures, on this machine:
  * warm single-query latency (p50/p95) of Matcher.match over the shipped corpus;
  * the same for what a user would otherwise pick, in the same process: plain BM25
    (bm25s over one document per entity) and plain sentence-transformers semantic_search
    over one averaged vector per entity;
  * warm latency over a synthetic index of 100k passages (random unit vectors for the dense
    side, since faiss cost does not depend on content; real corpus words for BM25);
  * the first `matcher match` after install: a fresh process on an empty cache, so it builds
    the shipped corpus's index (seeded from the shipped embeddings) and exports the ONNX
    query encoder; against the same run with the shipped embeddings left out (everything
    encoded, as before they shipped), and with the machine's load average;
  * index build time for the shipped corpus in this process (empty cache, then warm);
  * cold `matcher match` wall time on a built index (a fresh process each time);
  * peak resident memory of this process and of the cold CLI runs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

BRIEFS = [
    "We are a US medtech company building AI-assisted cardiac ultrasound and need NHS clinical "
    "validation partners and a UK manufacturing site",
    "organoid models of liver fibrosis with access to patient samples",
    "GMP viral vector manufacturing for a phase I gene therapy trial",
    "lab space near Cambridge for a 20-person antibody discovery team",
    "digital pathology AI partner",
    "first-in-human trial unit for a small molecule",
    "real-world evidence from linked primary and secondary care records in the North",
    "vaccine fill and finish capacity",
    "wearable sensors for remote monitoring of older people at home",
    "mental health digital therapeutics evaluation with an NHS trust",
    "radiopharmaceutical manufacturing and PET imaging",
    "antimicrobial resistance diagnostics point of care",
]


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50, p95


def time_calls(fn, queries: list[str], repeats: int) -> list[float]:
    fn(queries[0])  # warm-up
    samples = []
    for i in range(repeats):
        q = queries[i % len(queries)]
        start = time.perf_counter()
        fn(q)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def baselines(matcher, repeats: int) -> dict[str, list[float]]:
    """What a user would build from off-the-shelf parts, over the same entities."""
    import bm25s
    from sentence_transformers import SentenceTransformer, util

    entities = matcher.data.entities
    docs = [" ".join([e.name, e.remit, e.description, *(st.text for _f, st in e.statements())])
            for e in entities]
    tokens = bm25s.tokenize(docs, stopwords="en", show_progress=False)
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)

    def plain_bm25(q: str):
        return bm25.retrieve(bm25s.tokenize([q], stopwords="en", show_progress=False), k=10,
                             show_progress=False)

    model = SentenceTransformer(str(matcher.spec.path), device="cpu")
    entity_vectors = model.encode(docs, convert_to_tensor=True, normalize_embeddings=True)

    def plain_semantic_search(q: str):
        query = model.encode([q], convert_to_tensor=True, normalize_embeddings=True)
        return util.semantic_search(query, entity_vectors, top_k=10)

    return {
        "plain BM25 (bm25s, one doc per entity)": time_calls(plain_bm25, BRIEFS, repeats),
        "plain semantic_search (one vector per entity)": time_calls(
            plain_semantic_search, BRIEFS, repeats),
    }


def synthetic_matcher(matcher, n_passages: int):
    """A Matcher over n synthetic passages built from the shipped corpus's words."""
    from matcher.corpus import Entity
    from matcher.index.dense import DenseIndex
    from matcher.index.lexical import LexicalIndex
    from matcher.index.store import IndexData
    from matcher.matcher import Matcher
    from matcher.passages import Passage

    rng = random.Random(7)
    words = [w for p in matcher.data.passages for w in p.text.split()]
    per_entity = 6
    entities, passages = [], []
    for i in range(n_passages // per_entity):
        entity_id = f"synthetic-{i}"
        entities.append(Entity(id=entity_id, kind="organisation", name=f"Synthetic {i}",
                               org_type="industry", regions=("London",)))
        for _ in range(per_entity):
            passages.append(Passage(entity_id, "capability",
                                    " ".join(rng.choices(words, k=rng.randint(8, 24)))))
    vectors = np.random.default_rng(7).standard_normal((len(passages), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    manifest = dict(matcher.manifest, passage_count=len(passages), entity_count=len(entities))
    data = IndexData(manifest, entities, passages, DenseIndex.build(vectors),
                     LexicalIndex.build([p.text for p in passages]))
    return Matcher(data, matcher.spec, encoder=matcher.encoder)


# A small wrapper process runs the CLI, so the child's peak RSS is its own and not inherited
# from this (large) process at fork time.
_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def cold_cli_runs(index_dir: Path, runs: int) -> tuple[list[float], float]:
    """Wall seconds of each fresh `matcher match` process, and the largest peak RSS (MB)."""
    exe = shutil.which("matcher") or str(Path(sys.executable).parent / "matcher")
    samples, peak = [], 0.0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, exe, "match", "--index", str(index_dir), BRIEFS[0]],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        samples.append(float(out[0]))
        peak = max(peak, float(out[1]))
    return samples, peak


# The first run as it was before the embeddings shipped: the lookup finds nothing.
_NO_SHIPPED = """
import sys
import matcher.embed_cache
matcher.embed_cache.shipped_embeddings = lambda *args, **kwargs: None
from matcher.cli import main
sys.argv = ["matcher", *sys.argv[1:]]
main()
"""


def first_match(brief: str, shipped: bool = True) -> tuple[float, str]:
    """Wall seconds of `matcher match` on an empty cache, and its 'embedded ...' line."""
    exe = shutil.which("matcher") or str(Path(sys.executable).parent / "matcher")
    command = [exe] if shipped else [sys.executable, "-c", _NO_SHIPPED]
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, MATCHER_CACHE_DIR=scratch)
        start = time.perf_counter()
        result = subprocess.run([*command, "match", brief], check=True, capture_output=True,
                                text=True, env=env)
        seconds = time.perf_counter() - start
    embedded = next((line for line in result.stderr.splitlines() if "embedded" in line), "")
    return seconds, embedded.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--first-runs", type=int, default=3,
                        help="first `matcher match` runs on an empty cache")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the first run without the shipped embeddings (minutes)")
    args = parser.parse_args()

    # First, while this process holds nothing: a new user's first match, each on a fresh cache.
    load_before = os.getloadavg()[0]
    firsts = [first_match(BRIEFS[0]) for _ in range(args.first_runs)]
    baseline = None if args.no_baseline else first_match(BRIEFS[0], shipped=False)
    load_after = os.getloadavg()[0]

    from matcher import Matcher
    from matcher.default_index import ensure_default_index
    from matcher.resources import shipped_corpus_dir

    index_dir = ensure_default_index()
    matcher = Matcher.load(index_dir)
    rows: list[tuple[str, float, float]] = []

    ours = time_calls(lambda q: matcher.match(q, k=10), BRIEFS, args.queries)
    rows.append(("matcher.match, shipped corpus", *percentiles(ours)))
    for name, samples in baselines(matcher, args.queries).items():
        rows.append((name, *percentiles(samples)))

    encode_only = time_calls(lambda q: matcher.encoder.encode([q]), BRIEFS, args.queries)
    rows.append(("  of which: query encoding (ONNX)", *percentiles(encode_only)))

    if args.synthetic:
        big = synthetic_matcher(matcher, args.synthetic)
        big_samples = time_calls(lambda q: big.match(q, k=10), BRIEFS, args.queries)
        rows.append((f"matcher.match, {len(big.data.passages):,} synthetic passages",
                     *percentiles(big_samples)))

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["MATCHER_CACHE_DIR"] = scratch  # empty embedding cache, shipped vectors
        start = time.perf_counter()
        Matcher.build([shipped_corpus_dir()], export_onnx=False)
        cold_build = time.perf_counter() - start
        start = time.perf_counter()
        Matcher.build([shipped_corpus_dir()], export_onnx=False)
        warm_build = time.perf_counter() - start
        del os.environ["MATCHER_CACHE_DIR"]

    cold, cold_rss = cold_cli_runs(index_dir, args.cold_runs)

    base = rows[0][1]
    print(f"\nmatcher query benchmark ({args.queries} queries, k=10, {os.cpu_count()} CPUs)\n")
    print(f"{'what':<52} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs matcher':>15}")
    for name, p50, p95 in rows:
        print(f"{name:<52} {p50:8.2f} {p95:8.2f} {p50 / base:14.2f}x")
    first_s = [seconds for seconds, _ in firsts]
    print(f"\nfirst `matcher match` after install, empty cache: median "
          f"{statistics.median(first_s):.1f} s, max {max(first_s):.1f} s over {len(firsts)} runs "
          f"({firsts[0][1]})")
    if baseline is not None:
        print(f"  the same without the shipped embeddings: {baseline[0]:.1f} s ({baseline[1]}); "
              f"{statistics.median(first_s) / baseline[0]:.2f}x")
    print(f"  load average {load_before:.1f} before, {load_after:.1f} after, on "
          f"{os.cpu_count()} CPUs")
    print(f"index build, shipped corpus ({matcher.manifest['passage_count']} passages), in "
          f"process: {cold_build:.1f} s on an empty cache (shipped embeddings), "
          f"{warm_build:.1f} s warm")
    print(f"cold `matcher match` on a built index: median {statistics.median(cold):.2f} s, "
          f"max {max(cold):.2f} s over {len(cold)} runs")
    print(f"peak RSS: this process {peak_rss_mb():.0f} MB (holds both baselines' models and "
          f"the synthetic index); a cold CLI run {cold_rss:.0f} MB")


if __name__ == "__main__":
    main()
