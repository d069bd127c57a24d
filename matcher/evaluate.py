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
CONFIGS: dict[str, RankingConfig | str] = {
    "lexical (BM25, passages, max)": BASE.with_(retrieval="lexical", pooling="max",
                                                aspects=False, rollup=False),
    "naive: one vector per entity": "naive",
    "dense, passages, max": BASE.with_(retrieval="dense", pooling="max", aspects=False,
                                       rollup=False),
    "hybrid, max": BASE.with_(pooling="max", aspects=False, rollup=False),
    "hybrid, top-fraction pooling": BASE.with_(aspects=False, rollup=False),
    "hybrid + aspects": BASE.with_(rollup=False),
    "hybrid + aspects + roll-up (default)": BASE,
    "default with RRF fusion": BASE.with_(fusion="rrf"),
    "default + per-cluster cap 2": BASE.with_(cluster_cap=2),
}


def run_config(matcher, config: RankingConfig | str, queries: Iterable[Query],
               depth: int = DEPTH) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Rank every query with one configuration; returns the run and per-query extras."""
    queries = list(queries)
    if config == "naive":
        return naive_run(matcher, queries, depth), {}
    from .matcher import Matcher

    variant = Matcher(matcher.data, matcher.spec, encoder=matcher.encoder, config=config)
    rankings = variant.match_many([q.text for q in queries], k=depth, explain=False)
    run = {q.id: [m.entity_id for m in r] for q, r in zip(queries, rankings, strict=True)}
    extras = {
        q.id: {"no_good_match": r.no_good_match, "scores": [m.score for m in r],
               "similarities": [m.similarity for m in r], "strengths": [m.strength for m in r]}
        for q, r in zip(queries, rankings, strict=True)
    }
    return run, extras


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


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]],
              queries: Iterable[Query]) -> dict[str, dict[str, float]]:
    """Mean of each metric, overall and per enquiry kind, over in-scope queries."""
    groups: dict[str, list[dict[str, float]]] = {"all": []}
    for q in queries:
        if q.out_of_scope or not qrels.get(q.id):
            continue
        values = evaluate_query(run.get(q.id, []), qrels[q.id])
        groups["all"].append(values)
        groups.setdefault(q.kind or "other", []).append(values)
    return {
        group: {name: mean(v[name] for v in rows) for name in METRICS} | {"n": len(rows)}
        for group, rows in groups.items() if rows
    }


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
            "metrics": score_run(run, qrels, queries),
            "abstention": abstention(extras, queries) if extras else None,
        }
    return results


def render_comparison(results: dict[str, Any], metric: str = "nDCG@10") -> str:
    """A Markdown table: one row per configuration, overall metrics and nDCG@10 per kind."""
    kinds = [k for k in KINDS if any(k in r["metrics"] for r in results.values())]
    head = ["configuration", *METRICS, *(f"{metric} {k}" for k in kinds), "no-match P/R"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for name, result in results.items():
        overall = result["metrics"]["all"]
        cells = [name, *(f"{overall[m]:.3f}" for m in METRICS)]
        cells += [f"{result['metrics'].get(k, {}).get(metric, float('nan')):.3f}" for k in kinds]
        a = result["abstention"]
        cells.append(f"{a['precision']:.2f}/{a['recall']:.2f}" if a else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
