"""Choose the ranking constants on the dev split, by cross-validation, never on test.

    python scripts/tune_ranking.py [--folds 5] [--out models/tuning-minilm.json]

1. Every configuration of a grid (fusion and its weight, pooling, profile passages, aspects
   and their weight, roll-up and its weight) ranks every dev enquiry; nDCG@10 is kept per
   enquiry.
2. Cross-validation: the dev enquiries are cut into folds; for each fold the configuration
   with the best mean nDCG@10 on the other folds is scored on it. The mean of those held-out
   scores estimates how well choosing-by-dev generalises (it is not used to choose).
3. The configuration best on all dev enquiries is the choice. With it, a logistic
   regression of "grade >= 2" on the entity score (top 10 of every dev enquiry) gives the
   strength calibration, and the "no good match" threshold is the strength that best
   separates out-of-scope from in-scope dev enquiries (F1).
Paste the printed RankingConfig values into matcher/ranking.py; the JSON keeps the evidence.
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
from matcher.evaluate import default_eval_dir, load_qrels, load_queries, run_config, with_memo
from matcher.metrics import ndcg_at_k
from matcher.ranking import RankingConfig


def grid() -> dict[str, RankingConfig]:
    base = RankingConfig()
    fusions = [("weighted", w, 60) for w in (0.6, 0.7, 0.8, 0.9)] + [("rrf", 0.8, k)
                                                                        for k in (20, 60)]
    poolings = [("max", 3, 0.05), ("topk", 2, 0.05), ("softmax", 3, 0.05)]
    fields = [("profile", "description", "capability"), ("description", "capability")]
    aspects = [(False, 0.5), (True, 0.3), (True, 0.5), (True, 0.7)]
    rollups = [(False, 0.3), (True, 0.3), (True, 0.6)]
    configs = {}
    for (fusion, w, rrf_k), (pooling, pk, t), fl, (asp, ww), (ru, rw) in itertools.product(
        fusions, poolings, fields, aspects, rollups
    ):
        name = (f"{fusion}{w if fusion == 'weighted' else rrf_k}|{pooling}"
                f"{pk if pooling == 'topk' else ''}|{'profile' if 'profile' in fl else 'noprof'}"
                f"|asp{ww if asp else 0}|roll{rw if ru else 0}")
        configs[name] = base.with_(fusion=fusion, dense_weight=w, rrf_k=rrf_k, pooling=pooling,
                                   pool_k=pk, temperature=t, fields=list(fl), aspects=asp,
                                   whole_weight=ww, rollup=ru, rollup_weight=rw)
    return configs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("models/tuning-minilm.json"))
    parser.add_argument("--calibrate-only", action="store_true",
                        help="skip the grid: calibrate the current RankingConfig defaults")
    args = parser.parse_args()

    matcher = with_memo(Matcher.load(ensure_default_index()))
    queries = [q for q in load_queries(default_eval_dir() / "queries.jsonl") if q.split == "dev"]
    qrels = load_qrels(default_eval_dir() / "qrels.txt")
    in_scope = [q for q in queries if not q.out_of_scope and qrels.get(q.id)]
    configs = {"current defaults": RankingConfig()} if args.calibrate_only else grid()
    print(f"{len(configs)} configurations x {len(in_scope)} in-scope dev enquiries")

    per_query: dict[str, dict[str, float]] = {}
    for i, (name, config) in enumerate(configs.items(), 1):
        run, _ = run_config(matcher, config, in_scope, depth=10)
        per_query[name] = {q.id: ndcg_at_k(run[q.id], qrels[q.id], 10) for q in in_scope}
        if i % 50 == 0:
            print(f"  {i}/{len(configs)}")

    def best_on(ids: list[str]) -> str:
        return max(per_query, key=lambda n: (mean(per_query[n][i] for i in ids), n))

    ids = [q.id for q in in_scope]
    random.Random(13).shuffle(ids)
    folds = [ids[f :: args.folds] for f in range(args.folds)]
    held_out = []
    for f, fold in enumerate(folds):
        train = [i for g, other in enumerate(folds) if g != f for i in other]
        chosen = best_on(train)
        held_out.append(mean(per_query[chosen][i] for i in fold))
        print(f"fold {f + 1}: chose {chosen}, held-out nDCG@10 {held_out[-1]:.3f}")
    choice = best_on(ids)
    ranked = sorted(per_query, key=lambda n: -mean(per_query[n].values()))
    print(f"\ncross-validated nDCG@10 of choosing on dev: {mean(held_out):.3f}")
    print(f"chosen on all dev: {choice} (dev nDCG@10 {mean(per_query[choice].values()):.3f})")
    print("top 10 on dev:")
    for name in ranked[:10]:
        print(f"  {mean(per_query[name].values()):.3f}  {name}")

    # Strength calibration and the abstention threshold, with the chosen configuration.
    from sklearn.linear_model import LogisticRegression

    config = configs[choice]
    run, extras = run_config(matcher, config, queries, depth=10)
    scores, labels = [], []
    for q in queries:
        for entity_id, score in zip(run[q.id], extras[q.id]["similarities"], strict=True):
            scores.append(score)
            labels.append(int(qrels.get(q.id, {}).get(entity_id, 0) >= 2))
    # Strength is fitted on the match's best dense cosine (see RankingConfig.calibration).
    model = LogisticRegression().fit(np.array(scores)[:, None], labels)
    a, b = float(model.coef_[0][0]), float(model.intercept_[0])
    calibrated = config.with_(calibration=[round(a, 3), round(b, 3)])
    top_strength = {q.id: 100 / (1 + np.exp(-(a * max(extras[q.id]["similarities"] or [0])
                                                + b))) for q in queries}
    best_threshold, best_f1 = 0.0, -1.0
    for threshold in range(5, 80):
        flagged = {i for i, s in top_strength.items() if s < threshold}
        truth = {q.id for q in queries if q.out_of_scope}
        hits = len(flagged & truth)
        precision = hits / len(flagged) if flagged else 0.0
        recall = hits / len(truth) if truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        if f1 > best_f1:
            best_threshold, best_f1 = float(threshold), f1
    calibrated = calibrated.with_(abstain_below=best_threshold)
    print(f"\ncalibration: strength = 100 * sigmoid({a:.3f} * similarity + {b:.3f})")
    print(f"no-good-match threshold: strength < {best_threshold:.0f} (dev F1 {best_f1:.2f})")
    print("\nRankingConfig:", json.dumps(calibrated.to_dict()))
    if args.calibrate_only:
        return
    args.out.write_text(json.dumps({
        "chosen": choice,
        "config": calibrated.to_dict(),
        "cross_validated_ndcg10": mean(held_out),
        "folds": args.folds,
        "dev_ndcg10": {name: mean(v.values()) for name, v in per_query.items()},
    }, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
