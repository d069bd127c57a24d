"""Evaluation: named ranking configurations scored side by side on judged enquiries.

Exchange format (as in ranx): a run is ``{query_id: [entity ids, best first]}`` and qrels are
``{query_id: {entity_id: grade}}``. Metrics are in metrics.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from .errors import MatcherError
from .metrics import METRICS, evaluate_query
from .ranking import RankingConfig
from .resources import shipped_corpus_dir

KINDS = ("brief", "researcher", "terse")
DEPTH = 50  # ranks kept per query: enough for R@50


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    kind: str = ""
    split: str = ""
    out_of_scope: bool = False
    expected_regions: tuple[str, ...] = ()  # the region(s) the enquiry implies, if any
    expected_clusters: tuple[str, ...] = ()  # front-door clusters it should reach (ids)


@dataclass(frozen=True)
class EvalSet:
    """One judged set: its queries and qrels (qrels may hold explicit 0 grades: judged, not
    relevant; a pair absent from them is unjudged)."""

    name: str
    queries: list[Query]
    qrels: dict[str, dict[str, int]]

    @classmethod
    def load(cls, name: str, folder: Path) -> EvalSet:
        return cls(name, load_queries(folder / "queries.jsonl"), load_qrels(folder / "qrels.txt"))

    def split(self, which: str) -> EvalSet:
        if which == "all":
            return self
        return EvalSet(self.name, [q for q in self.queries if q.split == which], self.qrels)


# The shipped sets: "own" was judged by reading the corpus's profiles; "blind" was written by
# someone who had not read the corpus, its answers named before they were mapped to ids.
SHIPPED_SETS = {"own": "", "blind": "blind"}


def shipped_set(name: str) -> EvalSet:
    sub = SHIPPED_SETS[name]
    return EvalSet.load(name, default_eval_dir() / sub if sub else default_eval_dir())


def default_eval_dir() -> Path:
    return shipped_corpus_dir() / "eval"


def load_queries(path: Path) -> list[Query]:
    """Queries as JSON lines: id, text, and optionally kind, split, out_of_scope."""
    queries = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MatcherError(f"cannot read queries {path}: {exc}") from exc
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            queries.append(Query(
                id=str(row["id"]), text=str(row["text"]), kind=str(row.get("kind", "")),
                split=str(row.get("split", "")), out_of_scope=bool(row.get("out_of_scope")),
                expected_regions=tuple(row.get("expected_regions") or ()),
                expected_clusters=tuple(row.get("expected_clusters") or ()),
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise MatcherError(f"{path}:{lineno}: not a query object with id and text ({exc})") from exc
    return queries


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: ``query_id iteration doc_id grade`` per line."""
    qrels: dict[str, dict[str, int]] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MatcherError(f"cannot read qrels {path}: {exc}") from exc
    for lineno, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
            raise MatcherError(f"{path}:{lineno}: expected 'query 0 doc grade'")
        qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


# ---------------------------------------------------------------------------- configurations

BASE = RankingConfig()

# The configurations `matcher eval` compares by default, from naive to the full method.
UNREAD = BASE.with_(place_weight=0.0, partner_weight=0.0, convening_weight=0.0, exclude_weight=0.0,
                    rerank="")
HAND_SET = BASE.with_(rerank="")  # the default without its learned re-ranking step

# The configurations `matcher eval` compares by default, from naive to the full method. The
# passage-level rows up to "+ roll-up" do not read the brief (no place or partner priors):
# they are the ladder the default was built up from.
CONFIGS: dict[str, RankingConfig | str] = {
    "lexical (BM25, passages, max)": UNREAD.with_(retrieval="lexical", pooling="max",
                                                  aspects=False, rollup=False),
    "naive: one vector per entity": "naive",
    "BM25, one document per entity": "bm25-entity",
    "dense, passages, max": UNREAD.with_(retrieval="dense", pooling="max", aspects=False,
                                         rollup=False),
    "hybrid, max": UNREAD.with_(pooling="max", aspects=False, rollup=False),
    "hybrid, top-fraction pooling": UNREAD.with_(aspects=False, rollup=False),
    "hybrid + aspects": UNREAD.with_(rollup=False),
    "hybrid + aspects + roll-up": UNREAD,
    "hybrid + aspects + roll-up + reading": HAND_SET,
    "hybrid + aspects + roll-up + reading + learned re-rank (default)": BASE,
    "default with RRF fusion": BASE.with_(fusion="rrf"),
    "default + per-cluster cap 2": BASE.with_(cluster_cap=2),
    "hybrid, max + reading": HAND_SET.with_(pooling="max", aspects=False, rollup=False),
}
BASELINES = ("naive: one vector per entity", "BM25, one document per entity",
             "lexical (BM25, passages, max)")
DEFAULT_NAME = "hybrid + aspects + roll-up + reading + learned re-rank (default)"


def run_config(matcher, config: RankingConfig | str, queries: Iterable[Query],
               depth: int = DEPTH) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Rank every query with one configuration; returns the run and per-query extras."""
    queries = list(queries)
    if config in ("naive", "bm25-entity"):
        run = (naive_run if config == "naive" else bm25_entity_run)(matcher, queries, depth)
        # A baseline's region answer is the region of its first result, as a user reads it.
        first = {e.id: e.regions[0] for e in matcher.data.entities if e.regions}
        return run, {qid: {"top_region": first.get(ids[0]) if ids else None}
                     for qid, ids in run.items()}
    from .matcher import Matcher

    variant = Matcher(matcher.data, matcher.spec, encoder=matcher.encoder, config=config)
    rankings = variant.match_many([q.text for q in queries], k=depth, explain=False)
    run = {q.id: [m.entity_id for m in r] for q, r in zip(queries, rankings, strict=True)}
    extras = {
        q.id: {"no_good_match": r.no_good_match, "scores": [m.score for m in r],
               "similarities": [m.similarity for m in r], "strengths": [m.strength for m in r],
               "best_strength": max((variant.ranker.strength(m.similarity) for m in r),
                                    default=0.0),
               "top_region": r.regions[0].region if r.regions else None}
        for q, r in zip(queries, rankings, strict=True)
    }
    return run, extras


def bm25_entity_run(matcher, queries: list[Query], depth: int = DEPTH) -> dict[str, list[str]]:
    """Plain bm25s over one document per entity: the first thing a user would try."""
    import bm25s

    entities = matcher.data.entities
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize([entity_document(e) for e in entities], stopwords="en",
                              show_progress=False), show_progress=False)
    tokens = bm25s.tokenize([q.text for q in queries], stopwords="en", show_progress=False)
    docs, _scores = bm25.retrieve(tokens, k=min(depth, len(entities)), show_progress=False)
    return {q.id: [entities[int(i)].id for i in row] for q, row in zip(queries, docs, strict=True)}


def entity_document(entity) -> str:
    """The whole profile as one text, as a user would embed it for semantic_search."""
    return " ".join([entity.name, entity.remit, entity.description,
                     *(statement.text for _field, statement in entity.statements())])


def naive_run(matcher, queries: list[Query], depth: int = DEPTH) -> dict[str, list[str]]:
    """One embedding per entity (whole profile, truncated by the model), ranked by cosine."""
    docs = matcher.encoder.encode([entity_document(e) for e in matcher.data.entities])
    ids = [e.id for e in matcher.data.entities]
    vectors = matcher.encoder.encode([q.text for q in queries])
    run = {}
    for q, v in zip(queries, vectors, strict=True):
        order = np.argsort(-(docs @ v))[:depth]
        run[q.id] = [ids[i] for i in order]
    return run


class MemoEncoder:
    """Remembers vectors by text, so comparing many configurations encodes each text once."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.model_id = encoder.model_id
        self.max_tokens = encoder.max_tokens
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if missing:
            for text, vector in zip(missing, self.encoder.encode(missing, batch_size), strict=True):
                self.memo[text] = vector
        return np.vstack([self.memo[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    def count_tokens(self, text: str) -> int:
        return self.encoder.count_tokens(text)


def with_memo(matcher):
    """The same matcher with a remembering encoder (for evaluation loops)."""
    from .matcher import Matcher

    encoder = matcher.encoder if isinstance(matcher.encoder, MemoEncoder) else MemoEncoder(
        matcher.encoder)
    return Matcher(matcher.data, matcher.spec, encoder=encoder, config=matcher.config)


# ---------------------------------------------------------------------------- scoring


def judged_at_k(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """Share of the top k that carries a judgement (0 grades included): how far the other
    metrics, which count an unjudged result as not relevant, can be trusted."""
    top = ranked[:k]
    return sum(1 for doc in top if doc in judged) / len(top) if top else 0.0


def front_door_values(q: Query, ranked: list[str], top_region: str | None) -> dict[str, float]:
    """Region accuracy (is the expected region the first one in the answer) and cluster
    hit / recall in the top 10, for a query that states what it expects."""
    values: dict[str, float] = {}
    if q.expected_regions:
        values["region"] = float(top_region in q.expected_regions)
    if q.expected_clusters:
        found = set(ranked[:10]) & set(q.expected_clusters)
        values["cluster_hit@10"] = float(bool(found))
        values["cluster_recall@10"] = len(found) / len(set(q.expected_clusters))
    return values


def per_query(run: dict[str, list[str]], extras: dict[str, Any], qrels: dict[str, dict[str, int]],
              queries: Iterable[Query]) -> dict[str, dict[str, float]]:
    """Every metric of every in-scope query: ranking metrics where it has judgements,
    front-door metrics where it states expectations."""
    out = {}
    for q in queries:
        if q.out_of_scope:
            continue
        ranked = run.get(q.id, [])
        values: dict[str, float] = {}
        judged = qrels.get(q.id, {})
        if any(g > 0 for g in judged.values()):
            values.update(evaluate_query(ranked, judged))
            values["judged@10"] = judged_at_k(ranked, judged)
        values.update(front_door_values(q, ranked, extras.get(q.id, {}).get("top_region")))
        if values:
            out[q.id] = values
    return out


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]],
              queries: Iterable[Query], extras: dict[str, Any] | None = None
              ) -> dict[str, dict[str, float]]:
    """Mean of each metric, overall and per enquiry kind, over the in-scope queries that have
    it (each metric's own count is ``n:<metric>``)."""
    queries = list(queries)
    values = per_query(run, extras or {}, qrels, queries)
    kind_of = {q.id: q.kind or "other" for q in queries}
    groups: dict[str, list[dict[str, float]]] = {"all": []}
    for qid, row in values.items():
        groups["all"].append(row)
        groups.setdefault(kind_of[qid], []).append(row)
    summary = {}
    for group, rows in groups.items():
        names = dict.fromkeys(name for row in rows for name in row)
        summary[group] = {name: mean(r[name] for r in rows if name in r) for name in names}
        summary[group]["n"] = sum(1 for r in rows if "nDCG@10" in r)
        for name in names:
            summary[group][f"n:{name}"] = sum(1 for r in rows if name in r)
    return summary


def abstention(extras: dict[str, Any], queries: Iterable[Query]) -> dict[str, float]:
    """Precision and recall of the "no good match" verdict against out-of-scope labels."""
    queries = [q for q in queries if q.id in extras]
    said = {q.id for q in queries if extras[q.id]["no_good_match"]}
    truth = {q.id for q in queries if q.out_of_scope}
    hits = len(said & truth)
    return {
        "precision": hits / len(said) if said else 0.0,
        "recall": hits / len(truth) if truth else 0.0,
        "flagged": len(said),
        "out_of_scope": len(truth),
    }


def compare(matcher, configs: dict[str, RankingConfig | str], queries: list[Query],
            qrels: dict[str, dict[str, int]],
            progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Score every configuration on the same queries: {name: {"metrics", "abstention"}}."""
    matcher = with_memo(matcher)
    results = {}
    for name, config in configs.items():
        progress(f"evaluating {name}")
        run, extras = run_config(matcher, config, queries)
        results[name] = {
            "metrics": score_run(run, qrels, queries, extras),
            "per_query": per_query(run, extras, qrels, queries),
            "abstention": abstention(extras, queries) if extras and any(
                "no_good_match" in e for e in extras.values()) else None,
            "run": {qid: ids[:10] for qid, ids in run.items()},
            "bands": band_precision(run, extras, qrels, queries),
        }
    return results


def band_precision(run: dict[str, list[str]], extras: dict[str, Any],
                   qrels: dict[str, dict[str, int]], queries: Iterable[Query]) -> dict[str, Any]:
    """For each strength band, the share of judged top-10 matches judged clearly relevant
    (grade >= 2): what "strong", "possible" and "weak" mean on these enquiries."""
    from .ranking import band_of

    counts: dict[str, list[int]] = {}
    for q in queries:
        strengths = extras.get(q.id, {}).get("strengths")
        if q.out_of_scope or not strengths:
            continue
        judged = qrels.get(q.id, {})
        for entity_id, strength in zip(run[q.id][:10], strengths[:10], strict=False):
            if entity_id in judged:
                counts.setdefault(band_of(strength), []).append(int(judged[entity_id] >= 2))
    return {band: {"relevant": mean(v), "n": len(v)} for band, v in counts.items()}


def intervals(results: dict[str, Any], system: str = DEFAULT_NAME,
              against: Iterable[str] = BASELINES,
              metrics: Iterable[str] = ("nDCG@10", "region", "cluster_hit@10")) -> list[dict[str, Any]]:
    """Paired bootstrap intervals of ``system`` minus each baseline, per metric, over the
    queries both have the metric for."""
    from .bootstrap import paired_bootstrap

    rows = []
    if system not in results:
        return rows
    mine = results[system]["per_query"]
    for other in against:
        if other not in results:
            continue
        theirs = results[other]["per_query"]
        for metric in metrics:
            ids = [q for q in mine if metric in mine[q] and metric in theirs.get(q, {})]
            if len(ids) < 2:
                continue
            diff = paired_bootstrap([mine[q][metric] for q in ids], [theirs[q][metric] for q in ids])
            rows.append({"against": other, "metric": metric, "n": len(ids), "mean": diff.mean,
                         "low": diff.low, "high": diff.high,
                         "system": mean(mine[q][metric] for q in ids),
                         "baseline": mean(theirs[q][metric] for q in ids)})
    return rows


def render_comparison(results: dict[str, Any], metric: str = "nDCG@10") -> str:
    """A Markdown table: one row per configuration, overall metrics, judged@10, nDCG@10 per
    kind, the front-door metrics where the set states them, and the no-match verdict."""
    kinds = [k for k in KINDS if any(k in r["metrics"] for r in results.values())]
    front = [m for m in ("region", "cluster_hit@10", "cluster_recall@10")
             if any(m in r["metrics"].get("all", {}) for r in results.values())]
    head = ["configuration", *METRICS, "judged@10", *(f"{metric} {k}" for k in kinds),
            *(FRONT_LABELS[m] for m in front), "no-match P/R"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    nan = float("nan")
    for name, result in results.items():
        overall = result["metrics"].get("all", {})
        cells = [name, *(f"{overall.get(m, nan):.3f}" for m in (*METRICS, "judged@10"))]
        cells += [f"{result['metrics'].get(k, {}).get(metric, nan):.3f}" for k in kinds]
        cells += [f"{overall.get(m, nan):.3f}" for m in front]
        a = result["abstention"]
        cells.append(f"{a['precision']:.2f}/{a['recall']:.2f}" if a else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


FRONT_LABELS = {"region": "region acc", "cluster_hit@10": "cluster hit@10",
                "cluster_recall@10": "cluster R@10"}


def render_intervals(rows: list[dict[str, Any]], system: str = DEFAULT_NAME) -> str:
    if not rows:
        return ""
    lines = [f"Paired bootstrap (2,000 resamples, 95%): {system} minus each baseline", "",
             "| metric | against | n | default | baseline | difference [95% interval] |",
             "|---|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {FRONT_LABELS.get(r['metric'], r['metric'])} | {r['against']} | {r['n']} | "
                     f"{r['system']:.3f} | {r['baseline']:.3f} | "
                     f"{r['mean']:+.3f} [{r['low']:+.3f}, {r['high']:+.3f}] |")
    return "\n".join(lines)
