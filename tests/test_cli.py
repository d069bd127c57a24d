"""Every CLI command and output format, and every bad input: one clear line, no traceback."""

import csv
import io
import json

import pytest
from helpers import run


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# ---------------------------------------------------------------- corpus (fast)


def test_corpus_validate_ok(mini_dir):
    result = run("corpus", "validate", mini_dir)
    assert result.exit_code == 0
    assert "ok: 6 entities (2 clusters, 4 organisations)" in result.stdout


def test_corpus_validate_lists_every_problem(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "entities:\n  - id: a\n    name: A\n    region: Mars\n    tags: [nope]\n")
    result = run("corpus", "validate", tmp_path)
    assert result.exit_code == 2
    lines = error_lines(result)
    assert any(":4: region: unknown 'Mars'" in line for line in lines)
    assert any("tags: unknown tag 'nope'" in line for line in lines)
    assert any("profile: empty" in line for line in lines)
    assert lines[-1] == "Error: corpus has 3 problem(s)"


def test_corpus_validate_not_utf8(tmp_path):
    (tmp_path / "x.jsonl").write_bytes('{"id": "a", "name": "Caf\xe9"}\n'.encode("cp1252"))
    result = run("corpus", "validate", tmp_path / "x.jsonl")
    assert result.exit_code == 2
    assert "not valid UTF-8" in result.stderr


def test_corpus_validate_csv_missing_columns_and_mapping(tmp_path):
    (tmp_path / "orgs.csv").write_text("ref,Organisation,About\nx-1,X,Does things.\n")
    result = run("corpus", "validate", tmp_path)
    assert result.exit_code == 2
    assert "missing required column(s) 'id'" in result.stderr
    mapped = run("corpus", "validate", tmp_path, "--column", "id=ref", "--column",
                 "name=Organisation", "--column", "description=About")
    assert mapped.exit_code == 0, mapped.stderr


def test_corpus_stats(mini_dir):
    result = run("corpus", "stats", mini_dir)
    assert result.exit_code == 0
    assert "6 entities" in result.stdout
    assert "by nation" in result.stdout and "Wales" in result.stdout
    assert "thin profiles (3)" in result.stdout  # three fixtures have fewer than 3 capabilities
    assert "test-dressings-co (1 capabilities, 0 offers)" in result.stdout
    assert "offers per entity: min 0, mean 0.0, max 0; 0 entities have offers" in result.stdout
    assert "clusters with an area, a remit and at least three offers: 0 of 2" in result.stdout
    assert "age profile" in result.stdout and "6 undated)" in result.stdout


DATED = """\
entities:
  - id: old-firm
    name: Old Firm
    description: A fictional firm.
    capabilities:
      - text: Employs 250 people.
        as_of: 2009
      - text: Opened a lab.
        source: https://example.org/news
    offers: [Rents lab space.]
    sources:
      - url: https://example.org/news
        date: 2024-02-01
"""


def test_corpus_stats_shows_offers_and_ages(tmp_path):
    (tmp_path / "c.yaml").write_text(DATED)
    result = run("corpus", "stats", tmp_path)
    assert "offers per entity: min 1, mean 1.0, max 1; 1 entities have offers" in result.stdout
    assert "statements: 3 (2 dated: 1 by as_of, 1 by their own source's date; 1 undated)" in result.stdout
    assert "sources: 1 (1 with a publication date" in result.stdout


def test_corpus_validate_stale_lists_old_facts(tmp_path):
    (tmp_path / "c.yaml").write_text(DATED)
    result = run("corpus", "validate", tmp_path, "--stale", "10")
    assert result.exit_code == 0
    assert "1 dated fact(s) older than 10 years:" in result.stdout
    assert "old-firm: capability: (as of 2009) Employs 250 people." in result.stdout
    assert "Opened a lab" not in result.stdout
    bad = run("corpus", "validate", tmp_path, "--stale", "-1")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


# ---------------------------------------------------------------- index and match (slow)

BRIEF = "GMP manufacturing of AAV viral vectors for a gene therapy"


@pytest.mark.slow
def test_index_build_and_info(tmp_path, mini_dir):
    result = run("index", "build", "--corpus", mini_dir, "--index", tmp_path / "idx")
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr
    info = run("info", "--index", tmp_path / "idx")
    manifest = json.loads(info.stdout)
    assert manifest["entity_count"] == 6
    assert manifest["model"]["id"] == "all-MiniLM-L6-v2"


def test_index_build_own_corpus_needs_index_dir(mini_dir):
    result = run("index", "build", "--corpus", mini_dir)
    assert result.exit_code == 2
    assert "give --index DIR" in result.stderr


@pytest.mark.slow
def test_match_table(mini_index):
    result = run("match", "--index", mini_index, "-k", "3", BRIEF)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Brief: GMP manufacturing")
    assert "Test Vector Works" in lines[2]
    assert lines[3].startswith("    - ")  # evidence under the match
    assert all(len(line) <= 80 for line in lines)


@pytest.mark.slow
def test_match_json(mini_index):
    result = run("match", "--index", mini_index, "--format", "json", BRIEF)
    data = json.loads(result.stdout)
    top = data["matches"][0]
    assert top["entity_id"] == "test-vector-works"
    assert isinstance(top["score"], float)
    assert top["evidence"][0]["text"]
    assert {"dense", "lexical", "field", "answers", "via"} <= set(top["evidence"][0])
    assert top["band"] in ("strong", "possible", "weak") and 0 <= top["strength"] <= 100


@pytest.mark.slow
def test_match_jsonl_csv_markdown(mini_index):
    jsonl = run("match", "--index", mini_index, "--format", "jsonl", "-k", "2", BRIEF).stdout
    assert [json.loads(line)["rank"] for line in jsonl.splitlines()] == [1, 2]
    rows = list(csv.DictReader(io.StringIO(
        run("match", "--index", mini_index, "--format", "csv", "-k", "2", BRIEF).stdout)))
    assert rows[0]["entity_id"] == "test-vector-works" and rows[0]["evidence"]
    markdown = run("match", "--index", mini_index, "--format", "markdown", BRIEF).stdout
    assert markdown.splitlines()[2].startswith("| 1 | Test Vector Works |")


@pytest.mark.slow
def test_match_filters(mini_index):
    def ids(*extra):
        out = run("match", "--index", mini_index, "--format", "jsonl", *extra, BRIEF).stdout
        return [json.loads(line)["entity_id"] for line in out.splitlines()]

    assert set(ids("--region", "Wales")) == {"test-wales-cluster", "test-organoid-lab",
                                             "test-dressings-co"}
    assert set(ids("--kind", "cluster")) == {"test-north-cluster", "test-wales-cluster"}
    assert ids("--org-type", "nhs") == ["test-teaching-hospital"]
    assert ids("--tag", "viral-vectors") == ["test-vector-works"]
    assert set(ids("--cluster", "test-wales-cluster", "--kind", "organisation")) == {
        "test-organoid-lab", "test-dressings-co"}
    assert "test-vector-works" not in ids("--exclude", "test-vector-works")


@pytest.mark.slow
def test_match_from_file_and_stdin(mini_index, tmp_path):
    brief = tmp_path / "brief.txt"
    brief.write_text(BRIEF, encoding="utf-8")
    from_file = run("match", "--index", mini_index, "--format", "jsonl", "-k", "1", "-i", brief)
    from_stdin = run("match", "--index", mini_index, "--format", "jsonl", "-k", "1", "-i", "-",
                     input=BRIEF)
    assert json.loads(from_file.stdout)["entity_id"] == "test-vector-works"
    assert from_file.stdout == from_stdin.stdout


@pytest.mark.slow
def test_long_brief_warns_on_stderr(mini_index):
    brief = " ".join(f"We value partnership number {i}." for i in range(80)) + " " + BRIEF
    result = run("match", "--index", mini_index, "--format", "json", brief)
    assert result.exit_code == 0
    assert "Note: the brief is" in result.stderr
    assert json.loads(result.stdout)["warnings"]


# ---------------------------------------------------------------- bad input


@pytest.mark.slow
@pytest.mark.parametrize("args, code, message", [
    (["   "], 5, "Error: the brief is empty"),
    (["--region", "Atlantis", "x"], 5, "Error: unknown region 'Atlantis'; valid: North East"),
    (["--org-type", "spaceport", "x"], 5, "Error: unknown org type 'spaceport'; valid: academic"),
    (["--tag", "nope", "x"], 5, "Error: unknown tag 'nope'; valid:"),
    (["--exclude", "ghost", "x"], 5, "Error: --exclude: no entity with id ghost"),
])
def test_match_bad_input_is_one_clear_line(mini_index, args, code, message):
    result = run("match", "--index", mini_index, *args)
    assert result.exit_code == code
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith(message), lines


def test_match_without_brief_is_a_usage_error(tmp_path):
    result = run("match", "--index", tmp_path)
    assert result.exit_code == 2
    assert "give a brief" in result.stderr


def test_match_brief_utf16_is_refused_in_one_line(tmp_path):
    (tmp_path / "b.txt").write_bytes("cardiac trials".encode("utf-16"))
    result = run("match", "--index", tmp_path, "-i", tmp_path / "b.txt")
    assert result.exit_code == 5
    assert error_lines(result) == [
        f"Error: {tmp_path / 'b.txt'} is UTF-16 text; re-save it as UTF-8"]


def test_match_missing_index(tmp_path):
    result = run("match", "--index", tmp_path / "none", "anything")
    assert result.exit_code == 3
    assert error_lines(result) == [
        f"Error: no index at {tmp_path / 'none'}: build one with "
        f"`matcher index build --index {tmp_path / 'none'}`"]


def test_match_corrupt_index(tmp_path):
    (tmp_path / "manifest.json").write_text("garbage")
    result = run("match", "--index", tmp_path, "anything")
    assert result.exit_code == 3
    [line] = error_lines(result)
    assert "unreadable" in line and "matcher index build" in line


@pytest.mark.slow
def test_match_index_from_another_model(mini_index_copy):
    path = mini_index_copy / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["model"]["id"] = "some-other-model"
    path.write_text(json.dumps(manifest))
    result = run("match", "--index", mini_index_copy, "--model", "all-MiniLM-L6-v2", "x")
    assert result.exit_code == 3
    [line] = error_lines(result)
    assert "built with model 'some-other-model'" in line and "rebuild" in line


def test_unknown_model_is_one_line(tmp_path, mini_dir):
    result = run("index", "build", "--corpus", mini_dir, "--index", tmp_path / "i",
                 "--model", "no-such-model-anywhere")
    assert result.exit_code == 4
    errors = [line for line in error_lines(result) if line.startswith("Error:")]
    assert len(errors) == 1
    assert "not in the registry" in errors[0] and "local model folder" in errors[0]


def test_readme_example_csv_validates_with_the_documented_mapping():
    from matcher.resources import shipped_corpus_dir

    example = shipped_corpus_dir() / "examples" / "partners.csv"
    result = run("corpus", "validate", example, "--column", "id=Ref", "--column",
                 "name=Organisation", "--column", "org_type=Type", "--column", "region=Region",
                 "--column", "description=About", "--column", "capabilities=Capabilities",
                 "--column", "tags=Tags")
    assert result.exit_code == 0, result.stderr
    assert "ok: 2 entities" in result.stdout


# ---------------------------------------------------------------- eval (slow: loads the model)


def _tiny_eval_set(folder):
    queries = folder / "q.jsonl"
    queries.write_text(
        '{"id": "v", "text": "GMP viral vector manufacturing", "kind": "terse", "split": "test", '
        '"expected_regions": ["North East"]}\n'
        '{"id": "h", "text": "echocardiography imaging study", "kind": "terse", "split": "test"}\n',
        encoding="utf-8")
    qrels = folder / "qrels.txt"
    qrels.write_text("v 0 test-vector-works 2\nh 0 test-teaching-hospital 2\n", encoding="utf-8")
    return queries, qrels


@pytest.mark.slow
def test_eval_picks_configurations_by_tag_or_unique_part(tmp_path, mini_index):
    queries, qrels = _tiny_eval_set(tmp_path)
    result = run("eval", "--index", mini_index, "--queries", queries, "--qrels", qrels,
                 "--config", "default", "--config", "lexical")
    assert result.exit_code == 0, result.stderr
    first_table = result.stdout.split("\n\n")[1]
    rows = [line for line in first_table.splitlines() if line.startswith("| ")][1:]
    assert [r.split(" | ")[0] for r in rows] == [
        "| hybrid + aspects + roll-up + reading + learned re-rank (default)",
        "| lexical (BM25, passages, max)"]
    # both enquiries find their one relevant entity first, so nDCG@10 is 1
    assert all(r.split(" | ")[1] == "1.000" for r in rows)
    # the region column: the viral-vector query expects the North East, where its entity is
    assert "region acc" in first_table
    assert "Paired bootstrap" in result.stdout
    assert "| nDCG@10 | lexical (BM25, passages, max) | 2 |" in result.stdout


def test_eval_ambiguous_configuration_is_one_line(tmp_path):
    queries, qrels = _tiny_eval_set(tmp_path)
    result = run("eval", "--queries", queries, "--qrels", qrels, "--config", "hybrid")
    assert result.exit_code == 2
    [line] = [x for x in error_lines(result) if x.startswith("Error:")]
    assert "'hybrid' is ambiguous" in line and "hybrid, max" in line
