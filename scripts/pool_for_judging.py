"""Pool the top 10 of several systems for every query of an evaluation set, and write the
pairs that have no judgement yet as judging packets (one JSON line per query, with a short
profile of every candidate), split into parts for several judges.

    python scripts/pool_for_judging.py --set blind --out /tmp/judging --parts 4
    python scripts/pool_for_judging.py --set own --out /tmp/judging --parts 4

Systems pooled (POOLED below): the default, the default without reading the brief, the
naive one-vector baseline, BM25 over passages and over one document per entity, dense and
hybrid max over passages (the first round pooled the passage baselines with the brief's
priors on; `--all-configs` pools every configuration of `matcher eval` for a top-up round).
Judges follow corpus/eval/RUBRIC.md and write TSV lines
``query_id<TAB>entity_id<TAB>grade<TAB>reason``; merge them with scripts/merge_judgements.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from matcher.default_index import ensure_default_index
from matcher.evaluate import CONFIGS, run_config, shipped_set, with_memo
from matcher.matcher import Matcher

POOL_DEPTH = 10
POOLED = ("hybrid + aspects + roll-up + reading + learned re-rank (default)",
          "hybrid + aspects + roll-up + reading", "hybrid + aspects + roll-up",
          "naive: one vector per entity", "lexical (BM25, passages, max)",
          "BM25, one document per entity", "dense, passages, max", "hybrid, max")


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def profile(entity) -> dict:
    """What a judge needs to grade an entity, kept short: who, where, what it offers and does."""
    out = {"id": entity.id, "name": entity.name,
           "type": f"{entity.kind}/{entity.org_type}", "regions": ", ".join(entity.regions),
           "about": _short(entity.remit or entity.description, 300)}
    if entity.area:
        out["area"] = _short(entity.area, 120)
    if entity.offers:
        out["offers"] = [_short(o.text) for o in entity.offers[:3]]
    if entity.capabilities:
        out["does"] = [_short(c.text) for c in entity.capabilities[:3]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="set_name", choices=["own", "blind"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--all-configs", action="store_true",
                        help="pool every configuration of matcher eval, not just POOLED")
    args = parser.parse_args()
    eval_set = shipped_set(args.set_name)
    queries = [q for q in eval_set.queries if not q.out_of_scope]
    matcher = with_memo(Matcher.load(ensure_default_index(None, print)))
    pool: dict[str, dict[str, list[str]]] = {q.id: {} for q in queries}
    systems = list(CONFIGS) if args.all_configs else list(POOLED)
    for name in systems:
        run, _extras = run_config(matcher, CONFIGS[name], queries, depth=POOL_DEPTH)
        for qid, ids in run.items():
            for entity_id in ids[:POOL_DEPTH]:
                pool[qid].setdefault(entity_id, []).append(name)
    by_id = matcher.by_id
    packets, pairs, judged = [], 0, 0
    for q in queries:
        known = eval_set.qrels.get(q.id, {})
        todo = [e for e in pool[q.id] if e not in known]
        judged += len(pool[q.id]) - len(todo)
        pairs += len(todo)
        if todo:
            packets.append({"query_id": q.id, "kind": q.kind, "text": q.text,
                            "candidates": [profile(by_id[e]) for e in todo]})
    args.out.mkdir(parents=True, exist_ok=True)
    size = -(-len(packets) // args.parts)
    for part in range(args.parts):
        chunk = packets[part * size:(part + 1) * size]
        if chunk:
            path = args.out / f"{args.set_name}-{part + 1}.jsonl"
            path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in chunk),
                            encoding="utf-8")
            print(f"{path}: {len(chunk)} queries, {sum(len(p['candidates']) for p in chunk)} pairs")
    print(f"{args.set_name}: pool of {pairs + judged} pairs over {len(queries)} queries from "
          f"{len(systems)} systems; {judged} already judged, {pairs} to judge")


if __name__ == "__main__":
    main()
