"""Evaluation bookkeeping on hand-worked runs: judged@10, front-door metrics, intervals."""

import pytest

from matcher.evaluate import Query, front_door_values, intervals, judged_at_k, per_query, score_run

QUERIES = [
    Query("a", "wales wound care", kind="brief", expected_regions=("Wales",),
          expected_clusters=("hub",)),
    Query("b", "viral vectors", kind="terse"),
    Query("c", "car batteries", kind="brief", out_of_scope=True),
]
QRELS = {"a": {"hub": 3, "lab": 0}, "b": {"vec": 2}}
RUN = {"a": ["lab", "x", "hub"], "b": ["y", "vec"], "c": ["z"]}


def test_judged_at_k_counts_zero_grades_as_judged():
    assert judged_at_k(["lab", "x", "hub"], QRELS["a"]) == pytest.approx(2 / 3)
    assert judged_at_k([], QRELS["a"]) == 0.0


def test_front_door_values():
    assert front_door_values(QUERIES[0], RUN["a"], "Wales") == {
        "region": 1.0, "cluster_hit@10": 1.0, "cluster_recall@10": 1.0}
    assert front_door_values(QUERIES[0], ["lab"], "London")["region"] == 0.0
    assert front_door_values(QUERIES[1], RUN["b"], None) == {}


def test_score_run_skips_out_of_scope_and_counts_each_metric():
    summary = score_run(RUN, QRELS, QUERIES, {"a": {"top_region": "South West"}})
    assert summary["all"]["n"] == 2 and summary["all"]["n:region"] == 1
    assert summary["all"]["region"] == 0.0
    assert summary["brief"]["MRR"] == pytest.approx(1 / 3)
    assert summary["terse"]["MRR"] == pytest.approx(1 / 2)


def test_intervals_compare_the_default_with_each_baseline():
    mine = {"per_query": per_query(RUN, {}, QRELS, QUERIES)}
    worse = {"per_query": per_query({"a": ["x"], "b": ["y"]}, {}, QRELS, QUERIES)}
    [row] = intervals({"d": mine, "base": worse}, system="d", against=["base"], metrics=["MRR"])
    assert row["n"] == 2 and row["mean"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert row["low"] > 0
