"""Load benchmark of `matcher serve`: POST /match with 1, 8 and 32 concurrent clients.

Measured in one run, on the same briefs (the shipped evaluation enquiries, k = 10):
  - the library: Matcher.match latency in this process, and the throughput of one and of two
    library processes each matching in a loop (the figure a server on two cores competes with);
  - the server: `matcher serve --workers N` in a subprocess, driven by an asyncio + httpx
    client with C concurrent connections; requests/s and p50/p99 latency.
The client runs on the same machine and takes some of its CPU; that cost is in the figures.

    python scripts/bench_serve.py                      # workers 1 and 2, clients 1, 8, 32
    python scripts/bench_serve.py --workers 2 --clients 8 --seconds 20 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_briefs(limit: int) -> list[str]:
    from matcher.evaluate import default_eval_dir, load_queries

    texts = [q.text for q in load_queries(default_eval_dir() / "queries.jsonl")]
    texts += [q.text for q in load_queries(default_eval_dir() / "blind" / "queries.jsonl")]
    return texts[:limit]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# ------------------------------------------------------------------ the library


def library_latency(index: Path, briefs: list[str], repeats: int) -> dict:
    from matcher.matcher import Matcher

    matcher = Matcher.load(index)
    for brief in briefs[:5]:
        matcher.match(brief, k=10)
    times = []
    for _ in range(repeats):
        for brief in briefs:
            started = time.perf_counter()
            matcher.match(brief, k=10)
            times.append(time.perf_counter() - started)
    return {"p50_ms": 1000 * percentile(times, 50), "p99_ms": 1000 * percentile(times, 99),
            "mean_ms": 1000 * statistics.fmean(times), "n": len(times)}


def _loop(index: str, briefs: list[str], seconds: float, start, out) -> None:
    from matcher.matcher import Matcher

    matcher = Matcher.load(index)
    for brief in briefs[:5]:
        matcher.match(brief, k=10)
    start.wait()
    done, deadline, i = 0, time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline:
        matcher.match(briefs[i % len(briefs)], k=10)
        done, i = done + 1, i + 1
    out.put(done / seconds)


def library_throughput(index: Path, briefs: list[str], processes: int, seconds: float) -> float:
    """Matches per second of ``processes`` library processes looping side by side."""
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_loop, args=(str(index), briefs, seconds, start, out))
               for _ in range(processes)]
    for w in workers:
        w.start()
    time.sleep(8)  # let every process load its index and encoder before the clock starts
    start.set()
    rates = [out.get(timeout=seconds + 120) for _ in workers]
    for w in workers:
        w.join()
    return sum(rates)


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, workers: int, feedback: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "matcher", "serve", "--index", str(index), "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--feedback-db", str(feedback)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    ok, deadline = 0, time.monotonic() + 180
    while ok < 10 * workers:  # every worker answers (requests land on any of them)
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("matcher serve did not start")
        try:
            ok = ok + 1 if httpx.get(f"{base}/health", timeout=2).status_code == 200 else 0
        except httpx.HTTPError:
            ok = 0
            time.sleep(0.3)
    return process, base


async def drive(base: str, briefs: list[str], clients: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        for brief in briefs[:clients]:  # warm every connection and worker
            try:
                await client.post("/match", json={"brief": brief, "k": 10})
            except httpx.TransportError:
                errors += 1
        deadline = time.perf_counter() + seconds

        async def one(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                i += clients
                try:
                    response = await client.post("/match", json={
                        "brief": briefs[(i - clients) % len(briefs)], "k": 10})
                except httpx.TransportError:  # a dropped connection is an error, not a crash
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(one(c) for c in range(clients)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None,
                        help="Index folder (default: the shipped corpus's).")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=15.0, help="Per measurement.")
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    import tempfile

    from matcher.default_index import ensure_default_index

    index = args.index or ensure_default_index(None, print)
    briefs = load_briefs(args.briefs)
    print(f"{len(briefs)} briefs, index {index}, {os.cpu_count()} CPUs", file=sys.stderr)
    library = library_latency(index, briefs, repeats=1)
    library["rps_1_process"] = library_throughput(index, briefs, 1, args.seconds)
    library["rps_2_processes"] = library_throughput(index, briefs, 2, args.seconds)
    print(f"library: {json.dumps(library)}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            process, base = start_server(index, workers, Path(tmp) / "feedback.sqlite")
            try:
                for clients in args.clients:
                    result = asyncio.run(drive(base, briefs, clients, args.seconds))
                    result.update(workers=workers, clients=clients)
                    rows.append(result)
                    print(f"server: {json.dumps(result)}", file=sys.stderr)
            finally:
                process.terminate()
                process.wait(30)
    lib_p50, two = library["p50_ms"], library["rps_2_processes"]
    print(f"\n`Matcher.match` in-process: p50 {lib_p50:.1f} ms, p99 {library['p99_ms']:.1f} ms; "
          f"throughput {library['rps_1_process']:.0f}/s in one process, {two:.0f}/s in two.\n")
    print("| workers | clients | req/s | vs 2 library processes | p50 ms | p99 ms | "
          "p50 vs `Matcher.match` | errors |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['workers']} | {r['clients']} | {r['rps']:.0f} | {r['rps'] / two:.2f}x | "
              f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['p50_ms'] / lib_p50:.2f}x | "
              f"{r['errors']} |")
    if args.json:
        args.json.write_text(json.dumps({"library": library, "server": rows}, indent=2))


if __name__ == "__main__":
    main()
