"""Map the blind set's expected answers (written as names, before anyone read the corpus) to
corpus ids, and write the set's queries and name-derived judgements.

    python scripts/map_blind_names.py RAW.jsonl [--aliases corpus/eval/blind/aliases.tsv] \
        [--out corpus/eval/blind]

Each expected name is matched to an entity by its normalised name, then by an alias file
(name TAB id, or name TAB - for "not in the corpus"), then by the closest name above a
similarity cut. Every decision is written to ``mapping.tsv`` for review; names with no
entity stay unmapped (the corpus lacks them: that is a coverage finding, not an error).
Queries alternate dev/test within each kind so both splits hold every kind.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
from collections import defaultdict
from pathlib import Path

from matcher.corpus import load_corpus
from matcher.resources import shipped_corpus_dir

CUT = 0.9  # difflib ratio for an automatic near-match; lower ones go to review
_STOP = re.compile(r"\b(the|nhs|foundation|trust|university|of|and|&|ltd|limited|plc|uk)\b")


def norm(name: str) -> str:
    name = name.lower().replace("’", "'")
    name = re.sub(r"\(.*?\)", " ", name)
    name = " ".join(re.sub(r"[^a-z0-9' ]+", " ", name).split())
    return name[4:] if name.startswith("the ") else name


def loose(name: str) -> str:
    return " ".join(_STOP.sub(" ", norm(name)).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--aliases", type=Path, default=Path("corpus/eval/blind/aliases.tsv"))
    parser.add_argument("--out", type=Path, default=Path("corpus/eval/blind"))
    args = parser.parse_args()
    corpus = load_corpus([shipped_corpus_dir()])
    exact = {norm(e.name): e.id for e in corpus.entities}
    relaxed: dict[str, str | None] = {}
    for e in corpus.entities:  # a loose key two entities share decides nothing
        key = loose(e.name)
        relaxed[key] = None if key in relaxed else e.id
    aliases = {}
    if args.aliases.exists():
        for line in args.aliases.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, _tab, target = line.partition("\t")
                aliases[norm(name)] = target.strip()
    rows = [json.loads(line) for line in args.raw.read_text(encoding="utf-8").splitlines() if line.strip()]
    mapping, queries, qrels = [], [], []
    seen_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        key = ("x" if not row.get("in_scope", True) else "") + row["kind"]
        split = "dev" if seen_kind[key] % 2 == 0 else "test"
        seen_kind[key] += 1
        clusters, grades = [], {}
        for item in row.get("expected", []):
            name = item["name"]
            how, target = "exact", exact.get(norm(name))
            if target is None and norm(name) in aliases:
                how, target = "alias", aliases[norm(name)]
            if target is None:
                how, target = "loose", relaxed.get(loose(name))
            if target is None:
                close = difflib.get_close_matches(norm(name), list(exact), n=1, cutoff=CUT)
                how, target = ("near", exact[close[0]]) if close else ("unmapped", None)
            if target in (None, "-"):
                how = how if target is None else "absent"
                mapping.append((row["id"], name, item.get("grade", ""), how, ""))
                continue
            mapping.append((row["id"], name, item.get("grade", ""), how, target))
            grades[target] = max(grades.get(target, 0), int(item.get("grade", 1)))
            if item.get("role") == "front-door" and corpus.by_id[target].kind == "cluster":
                clusters.append(target)
        queries.append({
            "id": row["id"], "kind": row["kind"], "split": split,
            "out_of_scope": not row.get("in_scope", True), "text": row["text"],
            "asks_for": row.get("asks_for", ""), "expected_regions": row.get("expected_regions", []),
            "expected_clusters": list(dict.fromkeys(clusters)), "note": row.get("notes", ""),
        })
        qrels += [(row["id"], e, g) for e, g in grades.items()]
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "mapping.tsv").open("w", encoding="utf-8") as out:
        out.write("query\texpected name\tgrade\thow\tentity id\n")
        for q, name, grade, how, target in mapping:
            out.write(f"{q}\t{name}\t{grade}\t{how}\t{target}\n")
    with (args.out / "queries.jsonl").open("w", encoding="utf-8") as out:
        for q in queries:
            out.write(json.dumps(q, ensure_ascii=False) + "\n")
    with (args.out / "qrels-named.txt").open("w", encoding="utf-8") as out:
        for q, e, g in qrels:
            out.write(f"{q} 0 {e} {g}\n")
    mapped = sum(1 for m in mapping if m[4])
    print(f"{len(queries)} queries; {mapped} of {len(mapping)} expected names mapped; "
          f"review {args.out / 'mapping.tsv'}")


if __name__ == "__main__":
    main()
