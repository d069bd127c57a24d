"""The shipped evaluation set is well formed and large enough to measure with."""

import json
from collections import Counter

import pytest

from matcher.corpus import load_corpus
from matcher.resources import shipped_corpus_dir

EVAL = shipped_corpus_dir() / "eval"


@pytest.fixture(scope="module")
def queries():
    with (EVAL / "queries.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def qrels():
    rows = [line.split() for line in (EVAL / "qrels.txt").read_text().splitlines() if line.strip()]
    return [(q, doc, int(grade)) for q, _zero, doc, grade in rows]


def test_enquiries_of_every_kind(queries):
    assert len(queries) >= 80
    assert len({q["id"] for q in queries}) == len(queries)
    kinds = Counter(q["kind"] for q in queries)
    assert set(kinds) == {"brief", "researcher", "terse"} and min(kinds.values()) >= 20
    assert sum(q["out_of_scope"] for q in queries) >= 8
    assert {q["split"] for q in queries} == {"dev", "test"}
    for q in queries:
        words = len(q["text"].split())
        if q["kind"] == "brief":
            assert 60 <= words <= 200, q["id"]
        elif q["kind"] == "terse":
            assert words <= 10, q["id"]


def test_judgements_point_at_real_entities_and_queries(queries, qrels):
    ids = set(load_corpus([shipped_corpus_dir()]).by_id)
    query_ids = {q["id"] for q in queries}
    assert all(doc in ids for _q, doc, _g in qrels)
    assert all(q in query_ids for q, _doc, _g in qrels)
    assert all(1 <= g <= 3 for _q, _doc, g in qrels)
    assert len({(q, doc) for q, doc, _g in qrels}) == len(qrels)


def test_in_scope_enquiries_have_a_strong_answer_and_out_of_scope_ones_none(queries, qrels):
    best = Counter()
    for q, _doc, g in qrels:
        best[q] = max(best[q], g)
    for q in queries:
        if q["out_of_scope"]:
            assert best[q["id"]] <= 1, q["id"]
        else:
            assert best[q["id"]] >= 2, q["id"]
