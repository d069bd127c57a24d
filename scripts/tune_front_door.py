"""Choose the front-door constants on the dev splits of both evaluation sets, by
cross-validation; the test splits are never looked at.

    python scripts/tune_front_door.py [--folds 5] [--out models/tuning-front-door.json]

1. Every configuration of a small grid (place and partner-type prior weights, roll-up
   weight, whole-brief weight; see grid() for why the fusion and pooling are fixed) ranks
   every dev enquiry
   of both sets. Each enquiry's score is the mean of the metrics it has: nDCG@10 (judged
   enquiries), region accuracy (enquiries that imply a region) and cluster hit@10
   (enquiries that name an expected cluster).
2. Cross-validation over the dev enquiries (both sets pooled, folds seeded): the
   configuration best on the other folds is scored on each fold; the mean of those held-out
   scores estimates how well the choice generalises, next to the same figure for the
   current defaults.
3. With the configuration best on all dev enquiries, the strength calibration is refitted:
   a logistic regression of "grade >= 2" on the match's best dense cosine, over the judged
   top 10 of every dev enquiry of both sets.
Paste the printed values into RankingConfig; the JSON keeps every configuration's scores.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from pathlib import Path
from statistics import mean

import numpy as np

from matcher import Matcher
from matcher.default_index import ensure_default_index
from matcher.evaluate import per_query, run_config, shipped_set, with_memo
from matcher.ranking import RankingConfig


def grid() -> dict[str, RankingConfig]:
    """The front-door constants. The fusion's dense share (0.8) and the pooling (top 20%)
    stay where the public benchmark needs them: a wider grid (dense 0.6-0.8, top 10%/20%,
    max) scored 0.745 at best on dev against 0.724 here, but dense 0.6 with top-10% pooling
    raises the gold-standard loss from 0.208 to 0.242 (scripts/bench_goldstandard.py)."""
    base = RankingConfig()
    configs = {"current defaults": base}
    for place, partner, convening, rollup, whole in itertools.product(
        (0.0, 0.7, 1.0, 1.5, 2.5), (0.0, 0.1, 0.25), (0.0, 0.1, 0.3, 0.6, 1.0), (0.6, 0.9),
        (0.3, 0.5),
    ):
        name = f"place{place}|partner{partner}|convening{convening}|roll{rollup}|whole{whole}"
        configs[name] = base.with_(place_weight=place, partner_weight=partner,
                                   convening_weight=convening, rollup_weight=rollup,
                                   whole_weight=whole, dense_weight=0.8, pooling="topfrac",
                                   pool_frac=0.2)
    return configs


# Briefs the README and `make demo` show: the verdict must never call these "no good match"
# (they are in-scope needs with good answers), so thresholds that flag one are not chosen.
README_BRIEFS = (
    "organoid models of liver fibrosis with access to patient samples",
    "AI cardiac ultrasound, NHS validation, UK manufacturing",
    "wound care dressings manufacturer",
    "early phase oncology unit",
    "early phase oncology trials unit",
    "viral vector CDMO",
    "lentiviral vector manufacturing",
    "We are a US medtech company building AI-assisted cardiac ultrasound and need NHS clinical "
    "validation partners and a UK manufacturing site",
    "A US medtech start-up with a CE-marked wound sensor wants help getting it adopted by health "
    "boards in Wales and a clinical partner for a real-world evidence study",
)


def composite(values: dict[str, float]) -> float:
    parts = [values[m] for m in ("nDCG@10", "region", "cluster_hit@10") if m in values]
    return mean(parts) if parts else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("models/tuning-front-door.json"))
    args = parser.parse_args()
    matcher = with_memo(Matcher.load(ensure_default_index()))
    sets = [shipped_set(name).split("dev") for name in ("own", "blind")]
    configs = grid()
    print(f"{len(configs)} configurations x "
          f"{sum(len(s.queries) for s in sets)} dev enquiries (both sets)")
    scores: dict[str, dict[str, float]] = {}
    for i, (name, config) in enumerate(configs.items(), 1):
        scores[name] = {}
        for eval_set in sets:
            run, extras = run_config(matcher, config, eval_set.queries, depth=10)
            for qid, values in per_query(run, extras, eval_set.qrels, eval_set.queries).items():
                scores[name][f"{eval_set.name}:{qid}"] = composite(values)
        if i % 25 == 0:
            print(f"  {i}/{len(configs)}")

    ids = sorted(scores["current defaults"])
    random.Random(13).shuffle(ids)
    folds = [ids[f :: args.folds] for f in range(args.folds)]

    def best_on(subset: list[str]) -> str:
        return max(scores, key=lambda n: (mean(scores[n][i] for i in subset), n))

    held_out, held_out_default = [], []
    for f, fold in enumerate(folds):
        train = [i for g, other in enumerate(folds) if g != f for i in other]
        chosen = best_on(train)
        held_out.append(mean(scores[chosen][i] for i in fold))
        held_out_default.append(mean(scores["current defaults"][i] for i in fold))
        print(f"fold {f + 1}: chose {chosen}: held-out {held_out[-1]:.3f} "
              f"(current defaults {held_out_default[-1]:.3f})")
    choice = best_on(ids)
    print(f"\ncross-validated score of choosing on dev: {mean(held_out):.3f} "
          f"(current defaults on the same folds: {mean(held_out_default):.3f})")
    print(f"chosen on all dev: {choice} ({mean(scores[choice].values()):.3f})")
    for name in sorted(scores, key=lambda n: -mean(scores[n].values()))[:8]:
        print(f"  {mean(scores[name].values()):.3f}  {name}")

    from sklearn.linear_model import LogisticRegression

    config = configs[choice]
    similarities, labels = [], []
    for eval_set in sets:
        run, extras = run_config(matcher, config, eval_set.queries, depth=10)
        for q in eval_set.queries:
            judged = eval_set.qrels.get(q.id, {})
            for entity_id, sim in zip(run[q.id], extras[q.id]["similarities"], strict=True):
                if entity_id in judged:  # unjudged results are left out, not counted as 0
                    similarities.append(sim)
                    labels.append(int(judged[entity_id] >= 2))
    model = LogisticRegression().fit(np.array(similarities)[:, None], labels)
    a, b = round(float(model.coef_[0][0]), 3), round(float(model.intercept_[0]), 3)
    print(f"\ncalibration on {len(labels)} judged dev results: strength = 100 * sigmoid({a} * "
          f"similarity + {b})")
    chosen = config.with_(calibration=[a, b])

    # The verdict's thresholds: best F1 at telling out-of-scope dev enquiries from in-scope
    # ones (ties go to the lower thresholds: fewer false alarms on real briefs).
    from matcher.reading import read_brief
    from matcher.verdict import decide

    rows = []
    for eval_set in sets:
        run, extras = run_config(matcher, chosen, eval_set.queries, depth=10)
        for q in eval_set.queries:
            rows.append((q, extras[q.id]["best_strength"], matcher.data.lexical.known_share(q.text),
                         read_brief(q.text)))
    from matcher.evaluate import Query

    examples = [Query(f"readme{i}", text) for i, text in enumerate(README_BRIEFS)]
    _run, example_extras = run_config(matcher, chosen, examples, depth=10)
    example_rows = [(q, example_extras[q.id]["best_strength"],
                     matcher.data.lexical.known_share(q.text), read_brief(q.text)) for q in examples]

    def flags(rows_, below, share):
        return {q.id for q, top, known, reading in rows_
                if decide(q.text, 0.0, reading, known, 0, share).no_good_match or top < below}

    best = (-1.0, 0.0, 0.0)
    for below in range(10, 62, 2):
        for share in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7):
            if flags(example_rows, below, share):
                continue  # would call a README example "no good match"
            flagged = flags(rows, below, share)
            truth = {q.id for q, *_ in rows if q.out_of_scope}
            hits = len(flagged & truth)
            f1 = 2 * hits / (len(flagged) + len(truth)) if hits else 0.0
            if f1 > best[0] + 1e-9:
                best = (f1, float(below), share)
    f1, below, share = best
    chosen = chosen.with_(abstain_below=below, min_known_share=share)
    print(f"verdict: strength below {below:.0f} or known words below {share:.0%} "
          f"(or a place abroad only): dev F1 {f1:.2f}")
    print("RankingConfig:", json.dumps(chosen.to_dict()))
    args.out.write_text(json.dumps({
        "chosen": choice, "config": chosen.to_dict(), "folds": args.folds,
        "cross_validated": mean(held_out), "cross_validated_current_defaults": mean(held_out_default),
        "dev_score": {name: mean(v.values()) for name, v in scores.items()},
    }, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
