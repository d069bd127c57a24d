"""matcher batch: every row in exactly one output, resumable after kill -9, safe CSV."""

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run

pytestmark = pytest.mark.slow

MALFORMED = (
    b"ref,title,body\n"
    b"E1,Viral vectors,GMP AAV manufacturing for gene therapy\n"
    b"E2,,\n"
    b'E3,"Organoids","liver organoid models, with a\nquoted line break"\n'
    b"E1,dup,duplicate id row\n"
    b'E4,"broken quote,never closed\n'
    b"E5,Wound care,antimicrobial dressings manufacturer\n"
    b"E6,too,many,cells\n"
    b"=E7,=HYPERLINK(x),echocardiography study\n"
    b"E8,nul\x00here,text\n"
    b"E9,caf\xe9 latin-1,cardiac trials\n"
    b"E10,\x81\x8d undecodable,x\n"
    b"E11,big," + b"x" * 20_001 + b"\n"
)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_lands_in_exactly_one_file(tmp_path, mini_index):
    source = tmp_path / "in.csv"
    source.write_bytes(MALFORMED)
    result = run("batch", source, "--index", mini_index, "--id-column", "ref",
                 "--text-column", "title", "--text-column", "body", "-k", "2", "--quiet")
    assert result.exit_code == 0, result.stderr
    out = read_csv(tmp_path / "in.matches.csv")
    rejects = read_csv(tmp_path / "in.matches.rejects.csv")
    scored_lines = {int(r["line"]) for r in out}
    rejected_lines = {int(r["line"]): r["reason"] for r in rejects}
    assert scored_lines == {2, 4, 8, 10, 12}  # E1, E3 (quoted newline), E5, =E7, E9 (cp1252)
    assert not scored_lines & set(rejected_lines)
    assert len(scored_lines) + len(rejected_lines) == 12  # 13 records, E3 spans two lines
    assert rejected_lines[3] == "empty text"
    assert rejected_lines[6].startswith("duplicate id 'E1' (first at line 2)")
    assert rejected_lines[7] == "broken quoting (a quote is never closed)"
    assert rejected_lines[9] == "4 cells but the header has 3"
    assert rejected_lines[11] == "contains NUL bytes"
    assert rejected_lines[13].startswith("undecodable")
    assert rejected_lines[14].startswith("over the size limit")
    assert "read 12 rows: 5 scored" in result.stderr and "7 rejected" in result.stderr
    assert "1 line(s) were not UTF-8 and were read as cp1252" in result.stderr
    # the duplicate's reject keeps the original row
    assert next(r for r in rejects if r["line"] == "6")["row"] == "E1,dup,duplicate id row"


def test_csv_output_neutralises_formulas(tmp_path, mini_index):
    source = tmp_path / "in.csv"
    source.write_text("ref,text\n=cmd|' /C calc'!A0,echocardiography\n+SUM(1),organoids\n",
                      encoding="utf-8")
    run("batch", source, "--index", mini_index, "--id-column", "ref", "-k", "1", "--quiet")
    ids = [r["enquiry_id"] for r in read_csv(tmp_path / "in.matches.csv")]
    assert ids == ["'=cmd|' /C calc'!A0", "'+SUM(1)"]


def test_jsonl_stdin_wide_layout(tmp_path, mini_index):
    rows = ['{"id": "a", "text": "viral vector manufacturing"}', '{"id": "b"}', "{oops",
            '{"id": "c", "text": "liver organoids"}']
    out = tmp_path / "wide.jsonl"
    result = run("batch", "-", "--index", mini_index, "--id-column", "id", "-o", out,
                 "--layout", "wide", "-k", "2", "--quiet", input="\n".join(rows) + "\n")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["enquiry_id"] for r in lines] == ["a", "c"]
    assert lines[0]["match1_entity_id"] == "test-vector-works"
    assert "match2_evidence" in lines[0]
    rejects = [json.loads(line) for line in (tmp_path / "wide.rejects.jsonl").read_text()
               .splitlines()]
    assert [(r["line"], r["reason"].split(" (")[0]) for r in rejects] == [
        (2, "missing column text"), (3, "not valid JSON")]


def test_xlsx_in_and_out(tmp_path, mini_index):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Ref", "Need"])
    sheet.append(["x1", "AAV vector GMP manufacturing"])
    sheet.append(["x2", None])
    sheet.append(["x3", "echocardiography partner"])
    book.save(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    result = run("batch", tmp_path / "in.xlsx", "--index", mini_index, "--id-column", "Ref",
                 "--text-column", "Need", "-o", out, "-k", "1", "--quiet")
    assert result.exit_code == 0, result.stderr
    values = list(load_workbook(out).active.iter_rows(values_only=True))
    assert values[0][0] == "enquiry_id"
    assert [v[0] for v in values[1:]] == ["x1", "x3"]
    assert not list(tmp_path.glob("*.partial.jsonl")) and not list(tmp_path.glob("*.sqlite"))
    rejects = read_csv(tmp_path / "out.rejects.csv")
    assert [(r["line"], r["reason"]) for r in rejects] == [("3", "empty text")]


def test_missing_text_column_is_one_clear_error(tmp_path, mini_index):
    source = tmp_path / "in.csv"
    source.write_text("ref,body\n1,x\n", encoding="utf-8")
    result = run("batch", source, "--index", mini_index, "--quiet")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"Error: {source}: no 'text' column; name the text with --text-column")


def _enquiries(path: Path, n: int) -> None:
    topics = ["viral vector manufacturing", "liver organoids", "echocardiography study",
              "wound dressings", "clinical research facility", "biobank samples"]
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,text\n")
        for i in range(n):
            handle.write(f"r{i},{topics[i % len(topics)]} project {i} for partner {i % 97}\n")


def _batch_command(source, out, index, *extra):
    return [sys.executable, "-m", "matcher", "batch", str(source), "--index", str(index),
            "--id-column", "id", "-o", str(out), "-k", "3", "--quiet", *extra]


def test_resume_after_kill_matches_an_uninterrupted_run(tmp_path, mini_index):
    source = tmp_path / "big.csv"
    _enquiries(source, 3000)
    env = dict(os.environ)
    reference = tmp_path / "reference.csv"
    subprocess.run(_batch_command(source, reference, mini_index), env=env, check=True)

    out = tmp_path / "out.csv"
    process = subprocess.Popen(_batch_command(source, out, mini_index), env=env)
    checkpoint = tmp_path / "out.csv.checkpoint.sqlite"
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            # read-only: the poll must never create the checkpoint itself
            row = sqlite3.connect(f"file:{checkpoint}?mode=ro", uri=True).execute(
                "SELECT value FROM meta WHERE key = 'state'").fetchone()
            done = json.loads(row[0])["records_done"] if row else 0
        except sqlite3.Error:
            done = 0
        if done >= 512:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < done < 3000

    refused = subprocess.run(_batch_command(source, out, mini_index), env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "add --resume" in refused.stderr
    resumed = subprocess.run(_batch_command(source, out, mini_index, "--resume"), env=env,
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "read 3000 rows (resumed after" in resumed.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert not checkpoint.exists()


def test_resume_refuses_other_options(tmp_path, mini_index):
    source = tmp_path / "in.csv"
    _enquiries(source, 10)
    checkpoint = tmp_path / "out.csv.checkpoint.sqlite"
    db = sqlite3.connect(str(checkpoint))
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('signature', '{\"input\": \"elsewhere\"}')")
    db.execute("INSERT INTO meta VALUES ('state', '{}')")
    db.commit()
    result = run("batch", source, "--index", mini_index, "--id-column", "id", "-o",
                 tmp_path / "out.csv", "--resume", "--quiet")
    assert result.exit_code == 2
    assert "differ from the interrupted run" in result.stderr


def test_large_input_in_constant_memory(tmp_path, mini_index):
    """Peak memory of a 30k-row run stays within a few MB of a 6k-row run: rows stream, and
    the caches (4,096 remembered rankings, the encoder's kernels and freed memory) are
    bounded; 6k rows already fill them."""
    wrapper = ("import resource, subprocess, sys\n"
               "subprocess.run(sys.argv[1:], check=True)\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    peaks = []
    for n in (6_000, 30_000):
        source = tmp_path / f"rows{n}.csv"
        _enquiries(source, n)
        out = subprocess.run([sys.executable, "-c", wrapper,
                              *_batch_command(source, tmp_path / f"o{n}.csv", mini_index)],
                             check=True, capture_output=True, text=True).stdout
        peaks.append(int(out.split()[-1]) / 1024)
    assert peaks[1] - peaks[0] < 30, peaks  # MB; 5x the rows


def test_resume_needs_a_file_and_a_checkpoint(tmp_path, mini_index):
    stdin = run("batch", "-", "--index", mini_index, "--resume", "--quiet", input="id,text\n")
    assert stdin.exit_code == 2
    assert "standard input cannot be re-read" in stdin.stderr
    source = tmp_path / "in.csv"
    _enquiries(source, 3)
    nothing = run("batch", source, "--index", mini_index, "--id-column", "id", "--resume",
                  "--quiet")
    assert nothing.exit_code == 2
    assert "nothing to resume" in nothing.stderr
    assert not (tmp_path / "in.matches.csv").exists()
