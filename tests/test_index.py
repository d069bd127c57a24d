"""Index save/load, atomic writes and refusal of damaged or mismatched indexes."""

import json

import numpy as np
import pytest

from matcher import Matcher
from matcher.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from matcher.index.store import MANIFEST, read_index

pytestmark = pytest.mark.slow


def edit_manifest(folder, **changes):
    path = folder / MANIFEST
    manifest = json.loads(path.read_text())
    for key, value in changes.items():
        target = manifest
        *parents, last = key.split(".")
        for p in parents:
            target = target[p]
        target[last] = value
    path.write_text(json.dumps(manifest))


def test_manifest_describes_the_build(mini_index):
    manifest = json.loads((mini_index / MANIFEST).read_text())
    assert manifest["format"] == "matcher-index"
    assert manifest["model"]["id"] == "all-MiniLM-L6-v2"
    assert len(manifest["model"]["weights_sha256"]) == 64
    assert manifest["model"]["dimension"] == 384
    assert manifest["entity_count"] == 6
    assert manifest["passage_count"] == 25
    assert len(manifest["corpus_sha256"]) == 64
    assert manifest["dense"]["kind"] == "flat"


def test_saved_arrays_load_without_pickle(mini_index):
    for path in (mini_index / "lexical").glob("*.npy"):
        np.load(path, allow_pickle=False)


def test_save_load_round_trip_gives_same_ranking(mini_matcher, tmp_path):
    mini_matcher.save(tmp_path / "again")
    again = Matcher.load(tmp_path / "again")
    brief = "viral vector manufacturing"
    first = [(m.entity_id, round(m.score, 5)) for m in mini_matcher.match(brief)]
    second = [(m.entity_id, round(m.score, 5)) for m in again.match(brief)]
    assert first == second


def test_save_replaces_an_existing_index_and_leaves_no_temporary_folders(mini_matcher, tmp_path):
    target = tmp_path / "idx"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    mini_matcher.save(target)
    assert not (target / "stale.txt").exists()
    assert (target / MANIFEST).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx"]


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="matcher index build --index"):
        Matcher.load(tmp_path / "nothing")


def test_folder_without_manifest(tmp_path):
    with pytest.raises(IndexCorruptError, match="not a matcher index"):
        Matcher.load(tmp_path)


def test_unreadable_manifest(mini_index_copy):
    (mini_index_copy / MANIFEST).write_text("{not json")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        Matcher.load(mini_index_copy)


def test_truncated_dense_file(mini_index_copy):
    path = mini_index_copy / "dense.faiss"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="damaged"):
        read_index(mini_index_copy)


def test_passages_out_of_step_with_vectors(mini_index_copy):
    path = mini_index_copy / "passages.jsonl"
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(IndexCorruptError, match="inconsistent"):
        read_index(mini_index_copy)


def test_other_format_version(mini_index_copy):
    edit_manifest(mini_index_copy, format_version=99)
    with pytest.raises(IndexMismatchError, match="format version 99"):
        Matcher.load(mini_index_copy)


def test_manifest_from_another_model(mini_index_copy, tmp_path):
    edit_manifest(mini_index_copy, **{"model.id": str(tmp_path)})
    with pytest.raises(IndexMismatchError, match="built with model"):
        Matcher.load(mini_index_copy, model="all-MiniLM-L6-v2")


def test_changed_weights_are_refused_when_no_onnx_export_matches(mini_index_copy):
    edit_manifest(mini_index_copy, **{"model.weights_sha256": "0" * 64})
    matcher = Matcher.load(mini_index_copy)
    with pytest.raises(IndexMismatchError, match="rebuild it"):
        matcher.match("anything")


def test_query_tokenizer_agrees_with_bm25s_on_the_shipped_passages():
    import bm25s

    from matcher.corpus import load_corpus
    from matcher.index.lexical import _stemmer, tokenize
    from matcher.passages import entity_passages
    from matcher.resources import shipped_corpus_dir

    entities = load_corpus([shipped_corpus_dir()]).entities
    texts = [p.text for e in entities for p in entity_passages(e)]
    texts += ["The NHS's phase-I/II trials: 3D-printed, co-operative", "a I x", ""]
    expected = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False,
                              show_progress=False)
    assert [tokenize(t) for t in texts] == expected
