"""Batch-scoring benchmark: rows/s of `matcher batch` against a naive loop, in one run.

    python scripts/bench_batch.py [--rows 10000] [--briefs 300]

Generates an enquiry list of short, distinct enquiries (no repeated text, so deduplication
does not flatter the result) and one of 150-word briefs, then measures on the shipped
corpus's index:
  * naive: a loop calling Matcher.match once per row (one model load, like a user script);
  * matcher batch (local engine, the real command in a subprocess: reading, checkpointing,
    writing included), first on an empty cache as a new user runs it (the command builds the
    shipped corpus's index and checks its encoder first), then the same command again, warm;
    the first run's extra seconds are split into what came before scoring and scoring;
  * peak resident memory of the batch process for the list and for a 10x longer list
    (streaming means it should not grow with the input);
  * start-up: a one-row `matcher batch` in each precision this CPU runs natively, against the
    bare import of sentence-transformers (what the bf16 encoder avoids).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

NEEDS = ["viral vector manufacturing", "phase I unit", "liver organoid models", "biobank access",
         "AI pathology partner", "wound care device testing", "vaccine fill and finish",
         "real-world evidence data", "lab space", "dementia trial sites", "radiopharmaceuticals",
         "digital therapeutics evaluation", "antibody discovery", "GMP cell therapy suite",
         "medtech manufacturing", "AMR diagnostics", "genomic sequencing service",
         "health economics support", "wearable remote monitoring", "inhaler formulation"]
QUALIFIERS = ["for a spin-out", "for a US company", "urgently", "in the North",
              "near London", "in Scotland", "in Wales", "for a phase II study", "at scale",
              "with NHS partners", "for an SME", "for a Series A biotech"]

_WRAPPER = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "subprocess.run(sys.argv[1:], check=True)\n"
            "print(time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n")


def write_short(path: Path, n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    texts = [f"{rng.choice(NEEDS)} {rng.choice(QUALIFIERS)} (ref {i})" for i in range(n)]
    path.write_text("id,text\n" + "".join(f"e{i},{t}\n" for i, t in enumerate(texts)),
                    encoding="utf-8")
    return texts


def write_briefs(path: Path, n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        needs = rng.sample(NEEDS, 6)
        sentences = [f"We are company {i} and we need {needs[0]} {rng.choice(QUALIFIERS)}."]
        sentences += [f"We also want {need} {rng.choice(QUALIFIERS)}, ideally with a partner "
                      f"that has done this before for companies like ours." for need in needs[1:]]
        words = " ".join(sentences).split()
        while len(words) < 150:
            words += f"Our timeline is tight and {rng.choice(NEEDS)} matters most.".split()
        texts.append(" ".join(words[:150]))
    path.write_text("id,text\n" + "".join(f'b{i},"{t}"\n' for i, t in enumerate(texts)),
                    encoding="utf-8")
    return texts


def batch_run(source: Path, index: Path | None, out: Path, *extra: str,
              env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `matcher batch` (index None: the default one)."""
    seconds, peak, _scoring = batch_run_timed(source, index, out, *extra, env=env)
    return seconds, peak


def batch_run_timed(source: Path, index: Path | None, out: Path, *extra: str,
                    env: dict | None = None) -> tuple[float, float, float]:
    """Also the seconds spent scoring, as the command reports them."""
    exe = str(Path(sys.executable).parent / "matcher")
    where = ["--index", str(index)] if index is not None else []
    result = subprocess.run(
        [sys.executable, "-c", _WRAPPER, exe, "batch", str(source), *where,
         "--id-column", "id", "-o", str(out), "-k", "5", "--quiet", *extra],
        check=True, capture_output=True, text=True, env=env)
    seconds, peak = result.stdout.split()[-2:]
    scoring = re.search(r"\((\d+(?:\.\d+)?)s\)\s*$", result.stderr.strip())
    return float(seconds), float(peak), float(scoring.group(1)) if scoring else float("nan")


def startup_seconds(folder: Path, index: Path, precision: str) -> float:
    (folder / "one.csv").write_text("id,text\nx1,viral vector manufacturing\n", encoding="utf-8")
    seconds, _ = batch_run(folder / "one.csv", index, folder / f"one.{precision}.csv",
                           "--precision", precision)
    return seconds


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.split()[-1])


def naive_rate(matcher, texts: list[str], limit: int) -> float:
    sample = texts[:limit]
    matcher.match(sample[0], k=5)
    start = time.perf_counter()
    for text in sample:
        matcher.match(text, k=5)
    return len(sample) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--briefs", type=int, default=300)
    parser.add_argument("--naive-sample", type=int, default=1000,
                        help="rows timed for the naive loop (its rate is steady)")
    args = parser.parse_args()

    from matcher import Matcher
    from matcher.default_index import ensure_default_index
    from matcher.encoders import native_bf16

    index = ensure_default_index()
    matcher = Matcher.load(index)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        short = write_short(folder / "short.csv", args.rows)
        briefs = write_briefs(folder / "briefs.csv", args.briefs)
        write_short(folder / "long.csv", args.rows * 10, seed=3)

        naive_short = naive_rate(matcher, short, args.naive_sample)
        naive_briefs = naive_rate(matcher, briefs, min(args.briefs, 100))
        # A new user's first batch: empty cache, no --index; then the same command, warm.
        fresh = dict(os.environ, MATCHER_CACHE_DIR=str(folder / "fresh-cache"))
        first = batch_run_timed(folder / "short.csv", None, folder / "o0.csv", env=fresh)
        again = batch_run_timed(folder / "short.csv", None, folder / "o0b.csv", env=fresh)
        seconds_short, peak_short = batch_run(folder / "short.csv", index, folder / "o1.csv")
        seconds_briefs, _ = batch_run(folder / "briefs.csv", index, folder / "o2.csv")
        seconds_long, peak_long = batch_run(folder / "long.csv", index, folder / "o3.csv")
        precisions = ["fp32", "bf16"] if native_bf16() else ["fp32"]
        startup = {p: startup_seconds(folder, index, p) for p in precisions}
    bare_import = import_seconds("sentence_transformers")

    rate_short = args.rows / seconds_short
    rate_briefs = args.briefs / seconds_briefs
    print(f"\nbatch benchmark, shipped corpus, k=5, {os.cpu_count()} CPUs\n")
    print(f"{'what':<66} {'rows/s':>8} {'vs naive':>9}")
    print(f"{'naive loop of Matcher.match, short enquiries':<66} {naive_short:8.0f} {1:8.2f}x")
    for label, (seconds, _peak, _scoring) in (("first run, empty cache", first),
                                              ("same command again, warm", again)):
        rate = args.rows / seconds
        print(f"{f'matcher batch, {args.rows:,} short enquiries, {label}':<66} {rate:8.0f} "
              f"{rate / naive_short:8.2f}x")
    print(f"{f'matcher batch, {args.rows:,} short enquiries (warm, --index)':<66} "
          f"{rate_short:8.0f} {rate_short / naive_short:8.2f}x")
    print(f"{'naive loop of Matcher.match, 150-word briefs':<66} {naive_briefs:8.1f} {1:8.2f}x")
    print(f"{f'matcher batch, {args.briefs} 150-word briefs':<66} {rate_briefs:8.1f} "
          f"{rate_briefs / naive_briefs:8.2f}x")
    print(f"{f'matcher batch, {args.rows * 10:,} short enquiries':<66} "
          f"{args.rows * 10 / seconds_long:8.0f}")
    print(f"\nfirst run {first[0]:.1f} s against {again[0]:.1f} s warm: before scoring "
          f"{first[0] - first[2]:.1f} s against {again[0] - again[2]:.1f} s (the first builds "
          f"the index), scoring {first[2]:.1f} s against {again[2]:.1f} s; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"peak RSS of matcher batch: {peak_short:.0f} MB for {args.rows:,} rows, "
          f"{peak_long:.0f} MB for {args.rows * 10:,} rows")
    print("start-up, one-row matcher batch: " + ", ".join(
        f"{p} {seconds:.1f} s" for p, seconds in startup.items())
        + f" (import sentence_transformers alone: {bare_import:.1f} s)")


if __name__ == "__main__":
    main()
