"""The shipped evaluation sets are well formed and large enough to measure with."""

import json
from collections import Counter

import pytest

from matcher.corpus import load_corpus
from matcher.evaluate import SHIPPED_SETS, default_eval_dir
from matcher.resources import shipped_corpus_dir
from matcher.vocabulary import Vocabulary

EVAL = default_eval_dir()
BLIND = EVAL / "blind"


def read_queries(folder):
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(folder):
    rows = [line.split() for line in (folder / "qrels.txt").read_text().splitlines() if line.strip()]
    return [(q, doc, int(grade)) for q, _zero, doc, grade in rows]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([shipped_corpus_dir()])


@pytest.mark.parametrize("name", list(SHIPPED_SETS))
def test_enquiries_of_every_kind(name):
    queries = read_queries(EVAL / SHIPPED_SETS[name])
    assert len(queries) >= 80
    assert len({q["id"] for q in queries}) == len(queries)
    kinds = Counter(q["kind"] for q in queries)
    assert set(kinds) == {"brief", "researcher", "terse"} and min(kinds.values()) >= 14
    assert sum(q["out_of_scope"] for q in queries) >= 6
    assert {q["split"] for q in queries} == {"dev", "test"}
    for q in queries:
        words = len(q["text"].split())
        if q["kind"] == "terse":
            assert words <= 12, q["id"]


@pytest.mark.parametrize("name", list(SHIPPED_SETS))
def test_judgements_point_at_real_entities_and_queries(name, corpus):
    folder = EVAL / SHIPPED_SETS[name]
    query_ids = {q["id"] for q in read_queries(folder)}
    qrels = read_qrels(folder)
    assert all(doc in corpus.by_id for _q, doc, _g in qrels)
    assert all(q in query_ids for q, _doc, _g in qrels)
    assert all(0 <= g <= 3 for _q, _doc, g in qrels)
    assert len({(q, doc) for q, doc, _g in qrels}) == len(qrels)


@pytest.mark.parametrize("name", list(SHIPPED_SETS))
def test_in_scope_enquiries_have_a_good_answer_and_out_of_scope_ones_none(name):
    folder = EVAL / SHIPPED_SETS[name]
    best = Counter()
    for q, _doc, g in read_qrels(folder):
        best[q] = max(best[q], g)
    queries = read_queries(folder)
    for q in queries:
        if q["out_of_scope"]:
            assert best[q["id"]] <= 1, q["id"]
    in_scope = [q for q in queries if not q["out_of_scope"]]
    assert sum(best[q["id"]] >= 2 for q in in_scope) >= 0.9 * len(in_scope)


def test_blind_set_is_mostly_placed_briefs_and_front_door_requests(corpus):
    queries = [q for q in read_queries(BLIND) if not q["out_of_scope"]]
    assert len(queries) >= 60
    briefs = [q for q in queries if q["kind"] == "brief"]
    assert len(briefs) >= len(queries) / 2
    assert sum(bool(q["expected_regions"]) for q in briefs) >= len(queries) / 2
    assert sum(q["asks_for"] == "convening" for q in queries) >= len(queries) / 3
    regions = set(Vocabulary.load().regions)
    for q in queries:
        assert set(q["expected_regions"]) <= regions, q["id"]
        assert all(corpus.by_id[c].kind == "cluster" for c in q["expected_clusters"]), q["id"]
    assert sum(bool(q["expected_clusters"]) for q in queries) >= len(queries) / 2


def test_blind_answers_were_named_before_mapping():
    """Every judgement the blind author gave by name is kept, with how it was mapped."""
    written = [json.loads(line) for line in (BLIND / "expected-by-name.jsonl").open(encoding="utf-8")]
    named = sum(len(row["expected"]) for row in written)
    mapping = (BLIND / "mapping.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(mapping) == named
    mapped = {(m.split("\t")[0], m.split("\t")[4]) for m in mapping if m.split("\t")[4]}
    qrels = {(q, doc) for q, doc, _g in read_qrels(BLIND)}
    assert mapped <= qrels
