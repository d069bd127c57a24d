"""Does a learned re-ranking of the default's top 50 beat the hand-set combination?

    python scripts/train_reranker.py [--label 2] [--out models/reranker.json]

Features per (enquiry, candidate), all computed from what the ranking already holds (no new
index data): the default score and its parts (whole brief, mean over needs, need coverage),
the best dense cosine, BM25 summed and maxed over the entity's passages, place match, partner
match, the cluster flag and a cluster-asked flag, member support (roll-up), profile size.
Scores are divided by the enquiry's best, so features compare across enquiries.

Trained only on judged pairs of the dev splits of both shipped sets (logistic regression on
grade >= --label); measured out of fold (5-fold GroupKFold by enquiry) against the default's
own order on the same enquiries. The test splits are not read. With --out, the model fitted
on all dev enquiries is written as JSON (feature names, scaler, coefficients): no pickle.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from matcher.evaluate import shipped_set, with_memo
from matcher.metrics import ndcg_at_k

DEPTH = 50


def features_for(matcher, texts: list[str]) -> list[tuple[list[int], np.ndarray]]:
    """For each brief: the hand-set ranking's top-DEPTH entity indices and their feature rows
    (the library's own feature code, so training and use cannot drift apart)."""
    from matcher.reading import read_brief
    from matcher.rerank import candidate_features

    ranker = matcher.ranker
    read = [matcher._read(t) for t in texts]
    flat = [p for _, windows, aspects, _ in read for p in (*windows, *aspects)]
    scored = ranker.score_texts(matcher.encoder.encode(flat), flat, None)
    out, offset = [], 0
    for text, (_, windows, aspects, _) in zip(texts, read, strict=True):
        whole = scored[offset: offset + len(windows)]
        offset += len(windows)
        own = scored[offset: offset + len(aspects)]
        offset += len(aspects)
        reading = read_brief(text)
        scores = ranker.entity_scores(whole, own, matcher._prior(reading, None))
        order = np.argsort(-scores, kind="stable")[:DEPTH]
        rows = candidate_features(ranker, whole, own, scores, order,
                                  matcher.priors.intent(reading))
        out.append((order.tolist(), rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", type=int, default=2, help="grade counted as relevant")
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    from matcher.default_index import ensure_default_index
    from matcher.matcher import Matcher
    from matcher.ranking import RankingConfig
    from matcher.rerank import FEATURES

    loaded = Matcher.load(ensure_default_index())
    matcher = with_memo(Matcher(loaded.data, loaded.spec, encoder=loaded.encoder,
                                config=RankingConfig().with_(rerank="")))
    ids = [e.id for e in matcher.data.entities]
    queries, qrels = [], {}
    for name in ("own", "blind"):
        s = shipped_set(name).split("dev")
        queries += [(name, q) for q in s.queries if not q.out_of_scope]
        qrels.update({f"{name}:{k}": v for k, v in s.qrels.items()})
    feats = features_for(matcher, [q.text for _, q in queries])
    X, y, group = [], [], []
    for qi, ((name, q), (order, rows)) in enumerate(zip(queries, feats, strict=True)):
        judged = qrels.get(f"{name}:{q.id}", {})
        for e, row in zip(order, rows, strict=True):
            if ids[e] in judged:
                X.append(row)
                y.append(int(judged[ids[e]] >= args.label))
                group.append(qi)
    X, y, group = np.array(X), np.array(y), np.array(group)
    print(f"{len(queries)} dev enquiries, {len(y)} judged candidate pairs, {y.mean():.2f} "
          f"relevant at grade >= {args.label}")

    def ndcgs(weights_for) -> tuple[list[float], list[float], list[float]]:
        learned, default, hits = [], [], []
        for qi, ((name, q), (order, rows)) in enumerate(zip(queries, feats, strict=True)):
            judged = qrels.get(f"{name}:{q.id}", {})
            model = weights_for(qi)
            if model is None:
                continue
            scaler, clf = model
            p = clf.decision_function(scaler.transform(rows))
            reranked = [ids[order[i]] for i in np.argsort(-p, kind="stable")]
            base = [ids[e] for e in order]
            if any(g > 0 for g in judged.values()):
                learned.append(ndcg_at_k(reranked, judged, 10))
                default.append(ndcg_at_k(base, judged, 10))
            if q.expected_clusters:
                hits.append((bool(set(reranked[:10]) & set(q.expected_clusters)),
                             bool(set(base[:10]) & set(q.expected_clusters))))
        return learned, default, hits

    folds = {}
    for train, test in GroupKFold(n_splits=5).split(X, y, group):
        scaler = StandardScaler().fit(X[train])
        clf = LogisticRegression(C=args.C, max_iter=2000).fit(scaler.transform(X[train]), y[train])
        for g in set(group[test]):
            folds[g] = (scaler, clf)
    learned, default, hits = ndcgs(folds.get)
    print(f"out of fold, dev: nDCG@10 learned {np.mean(learned):.3f} vs default "
          f"{np.mean(default):.3f} (n={len(learned)}); cluster hit@10 learned "
          f"{np.mean([h[0] for h in hits]):.3f} vs default {np.mean([h[1] for h in hits]):.3f} "
          f"(n={len(hits)})")
    diffs = np.array(learned) - np.array(default)
    rng = np.random.default_rng(0)
    boot = [rng.choice(diffs, len(diffs)).mean() for _ in range(2000)]
    print(f"difference {diffs.mean():+.3f} [{np.percentile(boot, 2.5):+.3f}, "
          f"{np.percentile(boot, 97.5):+.3f}]")
    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(C=args.C, max_iter=2000).fit(scaler.transform(X), y)
    for name, coef in sorted(zip(FEATURES, clf.coef_[0], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:15s} {coef:+.3f}")
    if args.out:
        args.out.write_text(json.dumps({
            "features": list(FEATURES), "mean": scaler.mean_.tolist(),
            "scale": scaler.scale_.tolist(), "coef": clf.coef_[0].tolist(),
            "intercept": float(clf.intercept_[0]), "label": args.label, "depth": DEPTH,
            "C": args.C,
            "trained_on": "judged pairs of the dev splits of the own and blind sets",
        }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
