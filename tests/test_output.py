import csv
import io
import json

from matcher.output import neutralise, render
from matcher.results import Evidence, Match, Ranking


def ranking(name="=HYPERLINK(\"http://x\")", evidence_text="-2+3 cells") -> Ranking:
    evidence = (Evidence(text=evidence_text, field="capability", score=0.61, dense=0.7,
                         lexical=0.25),)
    matches = [
        Match(rank=1, entity_id="a", name=name, kind="organisation", org_type="industry",
              regions=("Wales",), score=0.61, evidence=evidence),
        Match(rank=2, entity_id="b", name="A very long organisation name that goes on and on "
              "well past the column", kind="cluster", org_type="network",
              regions=("North East", "North West", "Yorkshire and The Humber"), score=0.5,
              evidence=(Evidence(text="word " * 60, field="description", score=0.5, dense=0.5,
                                 lexical=0.0),)),
    ]
    return Ranking(query="a brief " * 30, matches=matches, parts=["a brief"])


def test_neutralise_formula_cells():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+44 20") == "'+44 20"
    assert neutralise("-x") == "'-x"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("safe = fine") == "safe = fine"
    assert neutralise(3) == 3


def test_csv_output_is_parseable_and_neutralised():
    rows = list(csv.DictReader(io.StringIO(render(ranking(), "csv"))))
    assert [r["entity_id"] for r in rows] == ["a", "b"]
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["evidence"] == "'-2+3 cells"
    assert rows[1]["regions"] == "North East; North West; Yorkshire and The Humber"


def test_json_and_jsonl():
    data = json.loads(render(ranking(), "json"))
    assert data["matches"][0]["evidence"][0]["dense"] == 0.7
    lines = render(ranking(), "jsonl").splitlines()
    assert [json.loads(line)["rank"] for line in lines] == [1, 2]


def test_markdown_escapes_pipes():
    text = render(ranking(name="A | B"), "markdown")
    assert "A \\| B" in text
    assert text.splitlines()[0].startswith("| # | name |")


def test_table_fits_80_columns_and_shows_evidence():
    from matcher.output import render_table

    text = render_table(ranking(), width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "-2+3 cells" in text
    assert "North East +2" in text


def test_table_explain_shows_scores():
    from matcher.output import render_table

    text = render_table(ranking(), explain=True, width=80)
    assert "dense 0.70, lexical 0.25" in text
