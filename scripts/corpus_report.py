"""A curator's report on the shipped corpus: coverage floors, front-door fields, links, dates.

    python scripts/corpus_report.py [--stale 5] [corpus/]

Run it after editing the corpus (the loader has already refused broken links, bad dates and
duplicate ids); it prints what the loader cannot judge: regions below their floor, clusters
without an area, remit or three offers, home pages on a domain no source was read from, units
whose parent is in another region, and how many facts are dated and how old they are.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

from matcher.corpus import load_corpus
from matcher.freshness import age_profile, stale_facts
from matcher.resources import shipped_corpus_dir
from matcher.vocabulary import Vocabulary

REGION_FLOOR = 30
NORTHERN_IRELAND_FLOOR = 35


def domain(url: str) -> str:
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--stale", type=int, default=5, help="list facts older than this many years")
    args = parser.parse_args()
    corpus = load_corpus(args.paths or [shipped_corpus_dir()])
    entities = corpus.entities
    print(f"{len(entities)} entities in {len(corpus.files)} files")

    by_region = Counter(r for e in entities for r in e.regions)
    print("\nentities by region (floor 30; Northern Ireland 35)")
    for region in Vocabulary.load().regions:
        floor = NORTHERN_IRELAND_FLOOR if region == "Northern Ireland" else REGION_FLOOR
        flag = "" if by_region[region] >= floor else "   <-- below floor"
        print(f"  {by_region[region]:>5}  {region}{flag}")

    print("\nfront doors missing an area, a remit or three offers")
    for e in entities:
        if e.kind == "cluster" or e.org_type == "network":
            missing = [name for name, ok in (("area", e.area), ("remit", e.remit),
                                             ("3 offers", len(e.offers) >= 3)) if not ok]
            if missing:
                print(f"  {e.id}: {', '.join(missing)}")

    print("\nhome pages on a domain that no source of the entity was read from")
    for e in entities:
        if e.url and domain(e.url) not in {domain(s.url) for s in e.sources}:
            print(f"  {e.id}: {e.url}")

    print("\nunits and their parents")
    units = [e for e in entities if e.part_of]
    print(f"  {len(units)} units; parents with units: {len({e.part_of for e in units})}")
    for e in units:
        parent = corpus.by_id[e.part_of]
        if not set(e.regions) & set(parent.regions):
            print(f"  {e.id} ({', '.join(e.regions)}) is part of {parent.id} "
                  f"({', '.join(parent.regions)}): check the region")

    organisations = [e for e in entities if e.kind == "organisation"]
    with_offers = Counter(e.org_type for e in organisations if e.offers)
    all_types = Counter(e.org_type for e in organisations)
    print("\norganisations with offers, by type")
    for org_type, n in all_types.most_common():
        print(f"  {with_offers[org_type]:>4} of {n:<4} {org_type}")

    print("\nage profile")
    for line in age_profile(entities).lines():
        print(f"  {line}")
    stale = stale_facts(entities, args.stale)
    print(f"\n{len(stale)} dated facts older than {args.stale} years")
    for fact in stale:
        print(f"  {fact.describe()}")


if __name__ == "__main__":
    main()
