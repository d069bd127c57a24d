"""Draw a seeded random sample of corpus statements added since a git revision, each with the
page it cites, for a person to check against the page (supported? in our own words?).

    python scripts/spot_check.py --since ff7feb6 [--n 20] [--seed 9]

A statement is new when its text does not appear anywhere in the revision's corpus files.
Its page is its own ``source`` when it has one, else the entity's first source.
"""

from __future__ import annotations

import argparse
import random
import subprocess

from matcher.corpus import load_corpus
from matcher.resources import shipped_corpus_dir


def old_text(rev: str) -> str:
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "corpus/entities"],
                           check=True, capture_output=True, text=True).stdout.split()
    return "\n".join(subprocess.run(["git", "show", f"{rev}:{n}"], check=True, capture_output=True,
                                    text=True).stdout for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", required=True, help="git revision before the additions")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    before = " ".join(old_text(args.since).split())
    corpus = load_corpus([shipped_corpus_dir()])
    new = [(e, field, s) for e in corpus.entities for field, s in e.statements()
           if s.text not in before]
    sample = random.Random(args.seed).sample(new, min(args.n, len(new)))
    print(f"{len(new)} new statements; {len(sample)} drawn with seed {args.seed}\n")
    for i, (entity, field, statement) in enumerate(sample, 1):
        page = statement.sources[0] if statement.sources else (
            entity.sources[0].url if entity.sources else "")
        year = f" (as of {statement.as_of})" if statement.as_of else ""
        print(f"{i}. {entity.id} [{field}]: {statement.text}{year}\n   page: {page}")


if __name__ == "__main__":
    main()
