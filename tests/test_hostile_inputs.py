"""Hostile and careless input to the CLI: nothing is lost, nothing prints a traceback.

The numbered tests reproduce the defects of issue 11 (each failed before its fix); the
property-based battery at the end generates CSV and JSONL enquiry lists (random quoting,
encodings, NULs, huge cells, formula prefixes, duplicate ids) and checks, after each run,
that every input record is in exactly one of the results and the rejects, that no output
cell starts with = + - @, and that nothing printed a traceback. Its example count is small
for CI; run a longer battery with MATCHER_FUZZ_EXAMPLES=500 (or --hypothesis-profile=long).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.matcher import Matcher

pytestmark = pytest.mark.slow

settings.register_profile("ci", max_examples=int(os.environ.get("MATCHER_FUZZ_EXAMPLES", 25)),
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=500, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def loaded_once(monkeypatch, mini_index, mini_matcher):
    """Every CLI call in this module reuses one loaded mini index (the model loads once)."""
    real = Matcher.load.__func__

    def load(cls, folder, model=None, precision="fp32"):
        if Path(folder) == Path(mini_index) and precision == "fp32":
            return mini_matcher
        return real(cls, folder, model=model, precision=precision)

    monkeypatch.setattr(Matcher, "load", classmethod(load))


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def batch(source, index, *extra, input=None):
    return run("batch", source, "--index", index, "-k", "2", "--quiet", "--precision", "fp32",
               *extra, input=input)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- 1. input errors lose nothing


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book, buffer = Workbook(), io.BytesIO()
    book.active.append(["text"])
    book.active.append(["viral vectors"])
    book.save(buffer)
    return buffer.getvalue()


BAD_INPUTS = {
    "empty.csv": (b"", "is empty"),
    "image.csv": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "looks like a PNG image"),
    "damaged.xlsx": (_xlsx_bytes()[:300], "not a readable .xlsx workbook"),
    "utf16.csv": ("text\nviral vectors\n".encode("utf-16"), "looks like UTF-16"),
    "nobom16.csv": ("text\nviral vectors\n".encode("utf-16-le"), "looks like UTF-16"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_leaves_a_finished_output_untouched(tmp_path, mini_index, name):
    good = tmp_path / "good.csv"
    good.write_text("text\nviral vector manufacturing\nliver organoids\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert batch(good, mini_index, "-o", out).exit_code == 0
    before = snapshot(tmp_path)
    content, message = BAD_INPUTS[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    before[name] = content
    result = batch(bad, mini_index, "-o", out)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before  # nothing truncated, no checkpoint left


def test_mistyped_column_then_corrected_command(tmp_path, mini_index):
    good = tmp_path / "in.csv"
    good.write_text("ref,need\nA,viral vector manufacturing\nB,liver organoids\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    first = batch(good, mini_index, "-o", out, "--id-column", "ref", "--text-column", "need")
    assert first.exit_code == 0
    before = snapshot(tmp_path)
    typo = batch(good, mini_index, "-o", out, "--id-column", "ref", "--text-column", "needs")
    assert typo.exit_code == 2 and "no column 'needs'" in typo.stderr
    assert snapshot(tmp_path) == before
    # the corrected command is not refused as an "unfinished run"; it asks for --overwrite
    again = batch(good, mini_index, "-o", out, "--id-column", "ref", "--text-column", "need")
    assert again.exit_code == 2 and "--overwrite" in again.stderr
    assert snapshot(tmp_path) == before
    resumed = batch(good, mini_index, "-o", out, "--id-column", "ref", "--text-column", "need",
                    "--resume")
    assert resumed.exit_code == 2 and "nothing to resume" in resumed.stderr
    replaced = batch(good, mini_index, "-o", out, "--id-column", "ref", "--text-column", "need",
                     "--overwrite")
    assert replaced.exit_code == 0
    assert [r["enquiry_id"] for r in read_csv(out)][::2] == ["A", "B"]


def test_a_run_that_fails_before_scoring_leaves_no_checkpoint(tmp_path, mini_index, monkeypatch):
    from matcher.errors import MatcherError

    source = tmp_path / "in.csv"
    source.write_text("text\nviral vectors\n", encoding="utf-8")

    def broken(*_args, **_kwargs):
        raise MatcherError("the encoder failed")

    monkeypatch.setattr(Matcher, "match_many", broken)
    result = batch(source, mini_index, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1 and "the encoder failed" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    monkeypatch.undo()


def test_a_checkpoint_from_a_run_that_scored_nothing_is_not_a_dead_end(tmp_path, mini_index):
    """A run killed before its first chunk was committed (checkpoint without progress)."""
    source = tmp_path / "in.csv"
    source.write_text("text\nviral vectors\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    db = sqlite3.connect(str(tmp_path / "out.csv.checkpoint.sqlite"))
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('signature', '{}')")
    db.commit()
    db.close()
    out.write_text("enquiry_id\n", encoding="utf-8")
    resumed = batch(source, mini_index, "-o", out, "--resume")
    assert resumed.exit_code == 2
    assert "stopped before scoring any row; run the same command without --resume" in resumed.stderr
    fresh = batch(source, mini_index, "-o", out)
    assert fresh.exit_code == 0, fresh.stderr
    assert len(read_csv(out)) == 2


def test_refusing_an_unfinished_run_does_not_load_the_model(tmp_path, mini_index, monkeypatch):
    source = tmp_path / "in.csv"
    source.write_text("text\nviral vectors\n", encoding="utf-8")
    db = sqlite3.connect(str(tmp_path / "out.csv.checkpoint.sqlite"))
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('state', '{}')")
    db.commit()
    db.close()

    def no_load(*_args, **_kwargs):
        raise AssertionError("the model was loaded before the cheap checks")

    monkeypatch.setattr(Matcher, "load", classmethod(no_load))
    for extra in ((), ("--overwrite",)):
        refused = batch(source, mini_index, "-o", tmp_path / "out.csv", *extra)
        assert refused.exit_code == 2 and "unfinished run" in refused.stderr


# ---------------------------------------------------------------- 2. stray quotes


def test_inch_marks_and_apostrophes_are_text_and_a_broken_quote_rejects_one_line(tmp_path,
                                                                                 mini_index):
    lines = [
        "id,text",
        'a,wound sensor with a 5" display for clinics',
        "b,the patient's own cells for cell therapy",
        'c,"quoted, with a comma" and more',  # a quote that opens a field and closes early
        'd,"never closed quote for viral vectors',
        "e,organoids at 12\" scale and 3' height",
        'f,"a proper ""quoted"" field"',
        'g,liver organoids 7" tablet',
        "h,biobank samples",
    ]
    source = tmp_path / "in.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = batch(source, mini_index, "--id-column", "id")
    assert result.exit_code == 0, result.stderr
    scored = {r["enquiry_id"] for r in read_csv(tmp_path / "in.matches.csv")}
    rejects = {int(r["line"]): r["reason"] for r in read_csv(tmp_path / "in.matches.rejects.csv")}
    assert scored == {"a", "b", "e", "f", "g", "h"}
    assert set(rejects) == {4, 5}  # c: text after the closing quote; d: never closed
    assert rejects[5] == "broken quoting (a quote is never closed)"
    assert "read 8 rows: 6 scored" in result.stderr  # one record per data line


# ---------------------------------------------------------------- 3. JSONL records on their own


def test_jsonl_bad_first_record_rejects_only_itself(tmp_path, mini_index):
    rows = ['{"id": "x", "body": "no text field"}', '{"id": "y", "text": "viral vectors"}',
            '["not", "an", "object"]', '{"id": "z", "text": "liver organoids", "extra": 1}']
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = batch(source, mini_index, "--id-column", "id", "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    scored = [json.loads(x)["enquiry_id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert sorted(set(scored)) == ["y", "z"]
    rejects = [json.loads(x) for x in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (1, "missing column text"), (3, "not a JSON object")]


# ---------------------------------------------------------------- 4. empty corpus


@pytest.mark.parametrize("content", ["", "[]\n", "entities: []\n", "# nothing yet\n"])
@pytest.mark.parametrize("command", [("corpus", "validate"), ("corpus", "stats"),
                                     ("index", "build")])
def test_an_empty_corpus_is_one_line_everywhere(tmp_path, content, command):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "orgs.yaml").write_text(content, encoding="utf-8")
    extra = ["--index", tmp_path / "idx"] if command[0] == "index" else []
    args = [*command, "--corpus", tmp_path / "corpus"] if command[0] == "index" else \
        [*command, tmp_path / "corpus"]
    result = run(*args, *extra)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("Error: no entities in")
    assert not (tmp_path / "idx").exists()


# ---------------------------------------------------------------- 9. one decoding rule


def test_match_and_batch_read_cp1252_and_refuse_nul_alike(tmp_path, mini_index):
    brief = tmp_path / "brief.txt"
    brief.write_bytes("caf\xe9 owners want viral vector manufacturing".encode("cp1252"))
    read = run("match", "--index", mini_index, "-i", brief, "--format", "json")
    assert read.exit_code == 0, read.stderr
    assert "read as Windows-1252" in read.stderr
    assert json.loads(read.stdout)["query"].startswith("café")
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"viral\x00vectors")
    refused = run("match", "--index", mini_index, "-i", nul)
    assert refused.exit_code == 5 and "NUL bytes" in refused.stderr
    assert "NUL bytes" in run("match", "--index", mini_index, "viral\x00vectors").stderr
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"text\ncaf\xe9 viral vectors\nviral\x00vectors\n")
    result = batch(rows, mini_index)
    assert "1 line(s) were not UTF-8 and were read as cp1252" in result.stderr
    rejects = read_csv(tmp_path / "rows.matches.rejects.csv")
    assert [r["reason"] for r in rejects] == ["contains NUL bytes"]


# ---------------------------------------------------------------- 10-12. limits and names


def test_fewer_than_k_says_why(mini_index, mini_matcher):
    result = run("match", "--index", mini_index, "-k", "1000", "--format", "json",
                 "viral vector manufacturing")
    data = json.loads(result.stdout)
    assert len(data["matches"]) < 1000
    assert any(w.startswith(f"{len(data['matches'])} of the 1000 matches asked")
               for w in data["warnings"])
    assert f"Note: {len(data['matches'])} of the 1000 matches asked" in result.stderr


def test_batch_takes_the_same_k_and_model_as_match(tmp_path, mini_index, mini_matcher):
    source = tmp_path / "in.csv"
    source.write_text("text\nviral vectors\n", encoding="utf-8")
    model = mini_matcher.manifest["model"]["id"]
    result = run("batch", source, "--index", mini_index, "-k", "1000", "--model", model,
                 "--quiet")
    assert result.exit_code == 0, result.stderr
    other = run("batch", source, "--index", mini_index, "--model", "no-such-model", "--quiet",
                "--overwrite")
    assert other.exit_code in (3, 4) and "no-such-model" in other.stderr


def test_json_verdict_carries_the_library_attribute(mini_index, mini_matcher):
    for brief in ("viral vector manufacturing", "second-hand car batteries for e-scooters"):
        data = json.loads(run("match", "--index", mini_index, "--format", "json", brief).stdout)
        ranking = mini_matcher.match(brief)
        assert data["no_good_match"] is ranking.no_good_match
        assert data["verdict"] == ranking.verdict


# ---------------------------------------------------------------- the property-based battery

_CELL_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",),
                                            exclude_characters="\r\n\x00\"\u2028\u2029\x85"),
                     max_size=40)
_STRAY = st.sampled_from(['5" display', "it's", "a \"b", "12''", ""])
_PREFIX = st.sampled_from(["", "=", "+", "-", "@", "=HYPERLINK(", "\t"])


@st.composite
def csv_records(draw):
    """(bytes of one physical line or a quoted multi-line record, lines it spans)."""
    rid = draw(st.sampled_from(["r1", "r2", "r3", "=r4", "+r5", "@r6"]))  # duplicates likely
    text = draw(_PREFIX) + draw(_CELL_TEXT) + " " + draw(_STRAY) + "x"  # no quote at a cell end
    kind = draw(st.sampled_from(["plain", "plain", "quoted", "multiline", "broken", "nul",
                                 "cp1252", "huge", "cells"]))
    if kind == "quoted":
        line = f'{rid},"{text.replace(chr(34), chr(34) * 2)}"'.encode()
    elif kind == "multiline":
        return f'{rid},"{text.replace(chr(34), chr(34) * 2)}\nsecond line"'.encode(), 2
    elif kind == "broken":
        line = f'{rid},"{text}'.encode()
    elif kind == "nul":
        line = f"{rid},{text}".encode() + b"\x00"
    elif kind == "cp1252":
        line = f"{rid},".encode() + text.encode("cp1252", errors="replace") + b"\xe9"
    elif kind == "huge":
        line = f"{rid},".encode() + b"organoid " * 2_300
    elif kind == "cells":
        line = f"{rid},{text},extra".encode()
    else:
        line = f"{rid},{text}".encode()
    return line, 1


def _assert_every_record_once(out: Path, rejects: Path, starts: list[int], fmt: str) -> None:
    if fmt == "csv":
        scored, rejected = read_csv(out), read_csv(rejects)
    else:
        scored = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        rejected = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    scored_lines = {int(r["line"]) for r in scored}
    rejected_lines = [int(r["line"]) for r in rejected]
    assert len(rejected_lines) == len(set(rejected_lines))
    assert not scored_lines & set(rejected_lines)
    assert sorted(scored_lines | set(rejected_lines)) == starts
    for row in scored + rejected:
        for value in row.values():
            if fmt == "csv" and isinstance(value, str):
                assert not value.startswith(("=", "+", "-", "@")), value


@given(records=st.lists(csv_records(), min_size=1, max_size=12))
def test_fuzzed_csv_every_record_lands_once(tmp_path_factory, mini_index, records):
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / "in.csv"
    starts, line = [], 2
    for _, span in records:
        starts.append(line)
        line += span
    source.write_bytes(b"id,text\n" + b"\n".join(r for r, _ in records) + b"\n")
    result = batch(source, mini_index, "--id-column", "id")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output
    _assert_every_record_once(folder / "in.matches.csv", folder / "in.matches.rejects.csv",
                              starts, "csv")
    assert f"read {len(records)} rows" in result.stderr


_JSON_VALUE = st.one_of(st.none(), st.integers(), st.text(max_size=30), st.booleans(),
                        st.lists(st.integers(), max_size=2))


@st.composite
def jsonl_records(draw):
    kind = draw(st.sampled_from(["ok", "ok", "nofield", "notobject", "broken", "nul", "huge"]))
    rid = draw(st.sampled_from(["a", "b", "c", "=d"]))
    text = draw(_PREFIX) + draw(_CELL_TEXT) + "x"
    if kind == "nofield":
        return json.dumps({"id": rid, "other": draw(_JSON_VALUE)}).encode()
    if kind == "notobject":
        return json.dumps(draw(st.lists(_JSON_VALUE, max_size=3))).encode()
    if kind == "broken":
        return b'{"id": "' + rid.encode() + b'", "text": "unterminated'
    if kind == "nul":
        return json.dumps({"id": rid, "text": text + "\x00"}).encode()
    if kind == "huge":
        return json.dumps({"id": rid, "text": "organoid " * 2_300}).encode()
    return json.dumps({"id": rid, "text": text, "n": draw(_JSON_VALUE)}).encode()


@given(records=st.lists(jsonl_records(), min_size=1, max_size=12))
def test_fuzzed_jsonl_every_record_lands_once(tmp_path_factory, mini_index, records):
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / "in.jsonl"
    source.write_bytes(b"\n".join(records) + b"\n")
    result = batch(source, mini_index, "--id-column", "id", "-o", folder / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output
    _assert_every_record_once(folder / "out.jsonl", folder / "out.rejects.jsonl",
                              list(range(1, len(records) + 1)), "jsonl")
