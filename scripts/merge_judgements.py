"""Merge pooled judgements (TSV from the judges) into an evaluation set's qrels.

    python scripts/merge_judgements.py --set blind /tmp/judging/blind-*.judged.tsv

Writes ``judged-pool.tsv`` (every pooled judgement with its reason, for review) and rewrites
``qrels.txt`` as the set's base judgements (``qrels-named.txt`` for the blind set: the
grades its author gave by name; the original ``qrels.txt`` lines for the own set) plus the
pooled ones, 0 grades included, so judged@10 can tell judged from unjudged. A pair judged in
the base keeps its base grade. Refuses grades outside 0-3 and pairs for unknown queries.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.evaluate import SHIPPED_SETS, default_eval_dir, load_qrels, load_queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="set_name", choices=list(SHIPPED_SETS), required=True)
    parser.add_argument("tsv", nargs="+", type=Path)
    args = parser.parse_args()
    folder = default_eval_dir() / SHIPPED_SETS[args.set_name]
    base_file = folder / ("qrels-named.txt" if args.set_name == "blind" else "qrels-base.txt")
    if not base_file.exists():  # the own set's original judgements, kept once before merging
        base_file.write_text((folder / "qrels.txt").read_text(encoding="utf-8"), encoding="utf-8")
    base = load_qrels(base_file)
    query_ids = {q.id for q in load_queries(folder / "queries.jsonl")}
    pooled: dict[tuple[str, str], tuple[int, str]] = {}
    problems = []
    for path in args.tsv:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) < 3 or parts[0] not in query_ids or not parts[2].strip().isdigit() \
                    or not 0 <= int(parts[2]) <= 3:
                problems.append(f"{path}:{lineno}: expected query_id, entity_id, grade 0-3: {line[:80]}")
                continue
            pooled[(parts[0], parts[1])] = (int(parts[2]), parts[3].strip() if len(parts) > 3 else "")
    if problems:
        sys.exit("\n".join(problems[:20]) + f"\n{len(problems)} bad line(s); nothing written")
    merged = {q: dict(d) for q, d in base.items()}
    added = 0
    for (qid, entity), (grade, _reason) in pooled.items():
        if entity not in merged.get(qid, {}):
            merged.setdefault(qid, {})[entity] = grade
            added += 1
    with (folder / "judged-pool.tsv").open("w", encoding="utf-8") as out:
        out.write("query\tentity\tgrade\treason\n")
        for (qid, entity), (grade, reason) in sorted(pooled.items()):
            out.write(f"{qid}\t{entity}\t{grade}\t{reason}\n")
    with (folder / "qrels.txt").open("w", encoding="utf-8") as out:
        for qid in sorted(merged):
            for entity, grade in sorted(merged[qid].items()):
                out.write(f"{qid} 0 {entity} {grade}\n")
    print(f"{args.set_name}: {len(pooled)} pooled judgements, {added} added to "
          f"{sum(len(v) for v in base.values())} base ones -> {folder / 'qrels.txt'}")


if __name__ == "__main__":
    main()
