"""The batch loop with chunks in flight (as the Ray engine runs it): same output as one chunk
at a time, identical texts scored once, and ids checkpointed only once their rows are written.
A fake scorer stands in for the model, so these run in milliseconds."""

import sqlite3

import pytest

from matcher.batch import runner
from matcher.batch.rows import RowSource
from matcher.batch.sinks import BatchSink
from matcher.results import Evidence, Match, Ranking


class DeferredScorer:
    """Returns a function that waits for the rankings, like a Ray chunk in flight."""

    def __init__(self):
        self.scored: list[str] = []
        self.waiting = 0
        self.most_waiting = 0

    def ranking(self, text: str) -> Ranking:
        match = Match(rank=1, entity_id=f"e-{len(text)}", name=text.upper(), kind="organisation",
                      org_type="university", regions=("Wales",), score=0.5, similarity=0.5,
                      strength=50.0, band="possible",
                      evidence=(Evidence(text=f"about {text}", field="capability", score=0.5,
                                         dense=0.5, lexical=0.0),))
        return Ranking(text, [match], [text], [], [])

    def __call__(self, texts):
        self.scored.extend(texts)
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)

        def wait():
            self.waiting -= 1
            return [self.ranking(t) for t in texts]

        return wait


def write_input(path, n=40):
    lines = ["id,text"]
    for i in range(n):
        text = "" if i % 13 == 5 else f"need {i % 23}"  # empty rows; texts repeat across chunks
        lines.append(f"r{i if i != 20 else 3},{text}")  # r3 twice: a duplicate id
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_once(tmp_path, name, ahead, monkeypatch, chunk=4):
    monkeypatch.setattr(runner, "CHUNK", chunk)
    source = tmp_path / "in.csv"
    out, rejects = tmp_path / f"{name}.csv", tmp_path / f"{name}.rejects.csv"
    scorer = DeferredScorer()
    sink = BatchSink(out, rejects, "csv", "long", 1, {"input": "x"}, resume=False)
    report = runner.run_batch(RowSource(str(source), None, "id", ("text",)), sink, scorer,
                              quiet=True, ahead=ahead)
    return report, out.read_text(), rejects.read_text(), scorer


@pytest.mark.parametrize("ahead", [1, 3, 50])
def test_chunks_in_flight_write_what_one_at_a_time_writes(tmp_path, monkeypatch, ahead):
    write_input(tmp_path / "in.csv")
    base_report, base_out, base_rejects, base_scorer = run_once(tmp_path, "base", 0, monkeypatch)
    report, out, rejects, scorer = run_once(tmp_path, f"ahead{ahead}", ahead, monkeypatch)
    assert (out, rejects) == (base_out, base_rejects)
    assert report.balanced and (report.scored, report.rejected) == (base_report.scored,
                                                                    base_report.rejected)
    assert scorer.most_waiting > 1 and base_scorer.most_waiting == 1
    # Each distinct text is scored once, even when its first chunk is still in flight.
    assert sorted(scorer.scored) == sorted(set(scorer.scored)) == sorted(base_scorer.scored)
    assert "duplicate id 'r3'" in rejects and rejects.count("empty text") == 3


def test_ids_reach_the_checkpoint_only_with_their_rows(tmp_path, monkeypatch):
    """A checkpoint must never list ids of rows still in flight: after a crash, --resume
    would reject those rows as duplicates of themselves."""
    write_input(tmp_path / "in.csv")
    monkeypatch.setattr(runner, "CHUNK", 4)
    out = tmp_path / "o.csv"
    sink = BatchSink(out, tmp_path / "r.csv", "csv", "long", 1, {"input": "x"}, resume=False)
    checkpoint = sqlite3.connect(out.with_name(out.name + ".checkpoint.sqlite"))
    commit = sink.commit
    seen = []

    def checked_commit(records_done):
        commit(records_done)
        ids = {row[0] for row in checkpoint.execute("SELECT id FROM ids")}
        written = len(out.read_text().splitlines()) - 1  # k=1: a line per scored row
        seen.append(len(ids))
        assert len(ids) == written  # the ids of exactly the rows written so far

    sink.commit = checked_commit
    runner.run_batch(RowSource(str(tmp_path / "in.csv"), None, "id", ("text",)), sink,
                     DeferredScorer(), quiet=True, ahead=3)
    assert len(seen) == 10 and seen[-1] == 36  # 40 rows: 3 empty, 1 duplicate id
