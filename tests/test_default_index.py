"""Rebuild hints name the corpus an index was built from; `index build` refuses to replace
another corpus's index; the shipped embeddings seed the first build."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers import run
from test_cache import tiny_index

from matcher.errors import IndexCorruptError
from matcher.index.store import corpus_record, read_index, write_index

CUSTOM = {"shipped": False, "paths": ["/data/my_orgs"], "columns": ["name=Organisation"]}


def tree_digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_rebuild_hint_of_a_custom_index_names_its_corpus(tmp_path):
    write_index(tmp_path / "idx", tiny_index(corpus=CUSTOM))
    (tmp_path / "idx" / "dense.faiss").write_bytes(b"broken")
    with pytest.raises(IndexCorruptError) as caught:
        read_index(tmp_path / "idx")
    hint = str(caught.value).split("rebuild it with ")[1]
    assert hint == (f"`matcher index build --index {tmp_path / 'idx'} --corpus /data/my_orgs "
                    "--column name=Organisation --model fake`")


def test_an_unreadable_manifest_gets_no_hint_that_names_the_shipped_corpus(tmp_path):
    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / "manifest.json").write_text("{oops")
    with pytest.raises(IndexCorruptError, match="--corpus <the corpus it was built from>"):
        read_index(tmp_path / "idx")


def test_index_build_refuses_to_replace_another_corpus_index(tmp_path, mini_dir):
    write_index(tmp_path / "idx", tiny_index(corpus=CUSTOM))
    before = tree_digest(tmp_path / "idx")
    for corpus in ([], ["--corpus", mini_dir]):  # the shipped corpus, then another one
        result = run("index", "build", "--index", tmp_path / "idx", *corpus)
        assert result.exit_code == 3
        assert "/data/my_orgs (columns name=Organisation)" in result.output
        assert "--overwrite" in result.output
    assert tree_digest(tmp_path / "idx") == before


def test_index_build_refuses_a_folder_that_is_not_an_index(tmp_path, mini_dir):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    result = run("index", "build", "--corpus", mini_dir, "--index", tmp_path / "notes")
    assert result.exit_code == 3 and "not a readable matcher index" in result.output
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


@pytest.mark.slow
def test_index_build_rebuilds_the_same_corpus_and_overwrites_only_when_told(
        mini_index_copy, mini_dir, tmp_path):
    manifest = json.loads((mini_index_copy / "manifest.json").read_text())
    assert manifest["corpus"] == corpus_record([mini_dir])
    assert run("index", "build", "--corpus", mini_dir, "--index", mini_index_copy).exit_code == 0
    write_index(tmp_path / "other", tiny_index(corpus=CUSTOM))
    result = run("index", "build", "--corpus", mini_dir, "--index", tmp_path / "other",
                 "--overwrite")
    assert result.exit_code == 0
    assert json.loads((tmp_path / "other" / "manifest.json").read_text())["entity_count"] == 6
