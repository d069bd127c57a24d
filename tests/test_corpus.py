from pathlib import Path

import pytest

from matcher.corpus import load_corpus, parse_column_map
from matcher.errors import CorpusError


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(*paths, **kwargs) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(paths, **kwargs)
    return info.value.problems


def test_mini_corpus_loads_with_symmetric_links(mini_dir):
    corpus = load_corpus([mini_dir])
    assert len(corpus) == 6
    north = corpus.by_id["test-north-cluster"]
    vector = corpus.by_id["test-vector-works"]
    hospital = corpus.by_id["test-teaching-hospital"]
    wales = corpus.by_id["test-wales-cluster"]
    # declared on the cluster side only -> added to the organisation
    assert "test-north-cluster" in hospital.member_of
    # declared on the organisation side only -> added to the cluster
    assert set(wales.members) == {"test-organoid-lab", "test-dressings-co"}
    assert vector.member_of == ("test-north-cluster",)
    assert north.regions == ("North East", "Yorkshire and The Humber")
    for entity in corpus.entities:
        for cluster in entity.member_of:
            assert entity.id in corpus.by_id[cluster].members


def test_fingerprint_changes_when_a_file_changes(tmp_path, mini_dir):
    target = tmp_path / "c"
    target.mkdir()
    source = (mini_dir / "entities.yaml").read_text(encoding="utf-8")
    write(target / "e.yaml", source)
    first = load_corpus([target]).fingerprint
    write(target / "e.yaml", source.replace("at scale.", "at large scale."))
    assert load_corpus([target]).fingerprint != first


def test_every_problem_is_reported_with_file_record_and_field(tmp_path):
    path = write(tmp_path / "bad.yaml", """\
entities:
  - id: a-lab
    kind: organisation
    name: A Lab
    region: Atlantis
    org_type: spaceport
    tags: [oncology, not-a-tag]
    description: Makes things.
    member_of: [ghost-cluster]
  - id: a-lab
    name: Copy
    description: Duplicate id.
  - id: Bad Id
    name: ""
  - id: empty-one
    name: Empty
  - id: org-b
    name: B
    description: Points at an organisation.
    member_of: [a-lab]
""")
    problems = problems_of(path)
    joined = "\n".join(problems)
    assert f"{path}:5: region: unknown 'Atlantis' (valid: North East" in joined
    assert f"{path}:6: org_type: unknown 'spaceport' (valid: academic" in joined
    assert f"{path}:7: tags: unknown tag 'not-a-tag'" in joined
    # Link problems point at the link's own line, not the record's first line.
    assert f"{path}:9: member_of: no entity with id 'ghost-cluster'" in joined
    assert f"{path}:10: id: duplicate 'a-lab' (first defined at {path}:2)" in joined
    assert f"{path}:13: id: 'Bad Id' is not a slug" in joined
    assert f"{path}:14: name: missing" in joined
    assert f"{path}:15: profile: empty" in joined
    assert f"{path}:20: member_of: 'a-lab' is an organisation, not a cluster" in joined
    assert f"{path}:13: profile: empty" in joined
    assert len(problems) == 10


def test_unknown_field_is_refused(tmp_path):
    path = write(tmp_path / "x.yaml", "entities:\n  - id: a\n    name: A\n    descripton: typo\n")
    problems = problems_of(path)
    assert any("descripton: unknown field" in p for p in problems)


def test_not_utf8_file(tmp_path):
    path = write(tmp_path / "latin.yaml", "entities:\n  - id: a\n    name: Caf\xe9\n".encode("latin-1"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3: file: not valid UTF-8")
    assert "re-save the file as UTF-8" in problem


def test_invalid_yaml_gives_line(tmp_path):
    path = write(tmp_path / "broken.yaml", "entities:\n  - id: a\n    name: [unclosed\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:")
    assert "not valid YAML" in problem


def test_invalid_jsonl_line_is_reported_and_others_still_checked(tmp_path):
    path = write(tmp_path / "e.jsonl",
                 '{"id": "a", "name": "A", "description": "ok"}\n{"id": "b", oops}\n'
                 '{"id": "c", "name": "C", "region": "Mars", "description": "x"}\n')
    problems = problems_of(path)
    assert problems[0].startswith(f"{path}:2: record: not valid JSON")
    assert problems[1].startswith(f"{path}:3: region: unknown 'Mars'")


def test_csv_missing_required_columns(tmp_path):
    path = write(tmp_path / "orgs.csv", "Organisation,About\nA,Does things\n")
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{path}:1: header: missing required column(s) 'id', 'name', 'description'")
    assert "--column FIELD=COLUMN" in problem


def test_csv_with_column_map_and_list_cells(tmp_path):
    write(tmp_path / "orgs.csv",
          "id,Organisation,About,Region,capabilities,tags\n"
          'x-lab,X Lab,Makes organoids.,Wales,"Liver organoids; Biobank of tissue",organoids;biobank\n')
    corpus = load_corpus([tmp_path], column_map=parse_column_map(
        ["name=Organisation", "description=About", "region=Region"]))
    entity = corpus.by_id["x-lab"]
    assert entity.name == "X Lab"
    assert entity.kind == "organisation"
    assert entity.regions == ("Wales",)
    assert [c.text for c in entity.capabilities] == ["Liver organoids", "Biobank of tissue"]
    assert entity.tags == ("organoids", "biobank")


def test_csv_row_with_broken_quoting_is_reported(tmp_path):
    path = write(tmp_path / "orgs.csv",
                 'id,name,description\na,A,"fine"\nb,B,"unterminated, extra\n')
    problems = problems_of(path)
    assert problems and all(str(path) in p for p in problems)


def test_bad_column_map():
    with pytest.raises(CorpusError, match="write it as FIELD=COLUMN"):
        parse_column_map(["name"])
    with pytest.raises(CorpusError, match="unknown field 'nam'"):
        parse_column_map(["nam=Organisation"])


def test_missing_path(tmp_path):
    problems = problems_of(tmp_path / "nope")
    assert problems == [f"{tmp_path / 'nope'}: no such file or directory"]


def test_eval_folder_and_vocabulary_are_not_entity_files(tmp_path, mini_dir):
    write(tmp_path / "entities.yaml", (mini_dir / "entities.yaml").read_text(encoding="utf-8"))
    write(tmp_path / "eval" / "queries.jsonl", '{"id": "q1", "text": "x"}\n')
    assert len(load_corpus([tmp_path])) == 6


# ---------------------------------------------------------------- offers, dates and units

FRONT_DOOR = """\
entities:
  - id: a-hub
    kind: cluster
    name: A Hub
    org_type: network
    region: Wales
    area: all of Wales
    remit: Helps companies into the health service.
    description: A fictional hub.
    offers:
      - text: Introduces companies to health boards.
        source: https://example.org/offer
      - Plain offer supported by the entity's pages.
    capabilities:
      - text: Ran 40 assessments.
        as_of: 2023
        source: https://example.org/report
    sources:
      - url: https://example.org/offer
        date: 2024-05-01
      - https://example.org/plain
  - id: a-lab
    name: A Lab
    description: A fictional university.
  - id: a-unit
    name: A Unit
    description: A fictional institute inside the lab.
    part_of: a-lab
    sources: [{url: "https://example.org/unit", read: 2026-11-27}]
"""


def test_offers_dates_and_units_load(tmp_path):
    corpus = load_corpus([write(tmp_path / "c.yaml", FRONT_DOOR)])
    hub = corpus.by_id["a-hub"]
    assert hub.area == "all of Wales" and hub.remit.startswith("Helps companies")
    assert [o.text for o in hub.offers] == ["Introduces companies to health boards.",
                                            "Plain offer supported by the entity's pages."]
    assert hub.offers[0].sources == ("https://example.org/offer",)
    assert hub.capabilities[0].as_of == 2023
    # a statement's own page joins the entity's sources; dates are kept as written
    assert [(s.url, s.date) for s in hub.sources] == [
        ("https://example.org/offer", "2024-05-01"), ("https://example.org/plain", ""),
        ("https://example.org/report", "")]
    assert corpus.by_id["a-unit"].sources[0].read == "2026-11-27"
    # part_of is made symmetric, like membership
    assert corpus.by_id["a-lab"].parts == ("a-unit",)
    assert corpus.by_id["a-unit"].part_of == "a-lab"


def test_parts_declared_on_the_parent_are_made_symmetric(tmp_path):
    text = FRONT_DOOR.replace("    part_of: a-lab\n", "").replace(
        "    description: A fictional university.\n",
        "    description: A fictional university.\n    parts: [a-unit]\n")
    corpus = load_corpus([write(tmp_path / "c.yaml", text)])
    assert corpus.by_id["a-unit"].part_of == "a-lab"


def test_bad_dates_years_and_links_are_reported_at_their_field(tmp_path):
    text = FRONT_DOOR.replace("date: 2024-05-01", "date: 2024-13-01").replace(
        "as_of: 2023", "as_of: 3023").replace("part_of: a-lab", "part_of: ghost")
    problems = problems_of(write(tmp_path / "c.yaml", text))
    joined = "\n".join(problems)
    assert "sources: item 1: date '2024-13-01' is not a past date written YYYY, YYYY-MM" in joined
    assert "capabilities: item 1: as_of '3023' is not a year" in joined
    assert f"{tmp_path / 'c.yaml'}:28: part_of: no entity with id 'ghost'" in joined
    assert len(problems) == 3


def test_future_source_date_is_refused(tmp_path):
    text = FRONT_DOOR.replace("date: 2024-05-01", "date: 2999-01-01")
    [problem] = problems_of(write(tmp_path / "c.yaml", text))
    assert "date '2999-01-01' is not a past date" in problem


def test_statement_with_unknown_key_or_no_text_is_refused(tmp_path):
    text = FRONT_DOOR.replace("        source: https://example.org/offer\n",
                              "        source: https://example.org/offer\n        year: 2020\n")
    text = text.replace("      - Plain offer supported by the entity's pages.\n",
                        "      - {as_of: 2020}\n")
    problems = problems_of(write(tmp_path / "c.yaml", text))
    assert any("offers: item 1: unknown key(s) year" in p for p in problems)
    assert any("offers: item 2: give a text, or a mapping with a 'text' key" in p for p in problems)


def test_part_of_loop_is_refused(tmp_path):
    text = FRONT_DOOR.replace("    description: A fictional university.\n",
                              "    description: A fictional university.\n    part_of: a-unit\n")
    problems = problems_of(write(tmp_path / "c.yaml", text))
    assert any("part_of: the chain from" in p and "loops back" in p for p in problems)


def test_offer_only_profile_is_not_empty(tmp_path):
    text = "entities:\n  - id: x\n    name: X\n    offers: [Lab space to rent.]\n"
    assert load_corpus([write(tmp_path / "x.yaml", text)]).by_id["x"].offers[0].text == "Lab space to rent."


def test_entity_round_trips_through_its_dict_form(tmp_path):
    from matcher.corpus import Entity

    hub = load_corpus([write(tmp_path / "c.yaml", FRONT_DOOR)]).by_id["a-hub"]
    again = Entity.from_dict(hub.to_dict())
    assert again.offers == hub.offers and again.sources == hub.sources
    assert again.capabilities[0].as_of == 2023
