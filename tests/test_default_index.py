"""Rebuild hints name the corpus an index was built from; `index build` refuses to replace
another corpus's index; the shipped embeddings seed the first build."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
from helpers import run
from test_cache import tiny_index

from matcher.embed_cache import text_key
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


class CountingEncoder:
    """Stands in for sentence-transformers: records what it is asked to encode."""

    model_id = "all-MiniLM-L6-v2"

    def __init__(self):
        self.asked: list[str] = []

    def encode(self, texts):
        self.asked += texts
        rng = np.random.default_rng(len(self.asked))
        vectors = rng.standard_normal((len(texts), 384)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def shipped_mini(tmp_path, monkeypatch, mini_dir):
    """A shipped-embeddings file holding every passage of the mini corpus, an empty cache."""
    from matcher import embed_cache
    from matcher.corpus import load_corpus
    from matcher.models import resolve_model, weights_sha256
    from matcher.passages import entity_passages

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "shipped.npz"
    monkeypatch.setattr(embed_cache, "shipped_embeddings_path", lambda: path)
    texts = [p.text for e in load_corpus([mini_dir]).entities for p in entity_passages(e)]
    vectors = CountingEncoder().encode(texts)
    embed_cache.write_shipped(path, weights_sha256(resolve_model().path), texts, vectors)
    return dict(zip(texts, vectors, strict=True))


def test_a_first_build_takes_shipped_vectors_and_embeds_only_edited_passages(
        shipped_mini, mini_dir, tmp_path):
    from matcher import Matcher

    encoder = CountingEncoder()
    built = Matcher.build([mini_dir], encoder=encoder, export_onnx=False)
    assert encoder.asked == []  # nothing encoded, nothing loaded
    texts = [p.text for p in built.data.passages]
    found = built.data.dense.index.reconstruct_n(0, len(texts))
    expected = np.vstack([shipped_mini[t] for t in texts])
    assert np.sum(found * expected, axis=1).min() > 0.9999  # float16, renormalised

    edited = tmp_path / "edited"
    shutil.copytree(mini_dir, edited)
    yaml_file = next(edited.glob("*.yaml"))
    text = yaml_file.read_text()
    old = next(t for t in texts if t in text and len(t) > 40)
    yaml_file.write_text(text.replace(old, old.rstrip(".") + " and more."))
    again = Matcher.build([edited], encoder=encoder, export_onnx=False)
    assert encoder.asked == [old.rstrip(".") + " and more."]
    assert len(again.data.passages) == len(texts)


def test_shipped_vectors_of_other_weights_are_ignored(shipped_mini, mini_dir):
    from matcher.embed_cache import shipped_embeddings

    assert shipped_embeddings("0" * 64) is None
    from matcher import Matcher
    from matcher.models import resolve_model, weights_sha256

    assert shipped_embeddings(weights_sha256(resolve_model().path)) is not None
    encoder = CountingEncoder()
    Matcher.build([mini_dir], encoder=encoder, export_onnx=False)
    assert encoder.asked == []


@pytest.mark.slow
def test_the_shipped_float16_vectors_rank_like_fresh_ones():
    """The packaged file against sentence-transformers now: same vectors, same top results."""
    from matcher.corpus import load_corpus
    from matcher.embed_cache import shipped_embeddings
    from matcher.encoders import SentenceTransformerEncoder
    from matcher.models import resolve_model, weights_sha256
    from matcher.passages import entity_passages
    from matcher.resources import shipped_corpus_dir

    spec = resolve_model()
    shipped = shipped_embeddings(weights_sha256(spec.path))
    assert shipped is not None, "run scripts/build_shipped_embeddings.py"
    texts = [p.text for e in load_corpus([shipped_corpus_dir()]).entities
             for p in entity_passages(e) if shipped.get(text_key(p.text)) is not None]
    assert len(texts) > 3000
    sample = texts[:: len(texts) // 160][:160]
    encoder = SentenceTransformerEncoder(spec)
    fresh, seeded = encoder.encode(sample), shipped.lookup(sample)
    assert np.sum(fresh * seeded, axis=1).min() > 0.999
    queries = encoder.encode(["viral vector manufacturing", "NHS trial sites in Wales",
                              "AI for digital pathology", "lab space in Cambridge"])
    for q in queries:
        assert list(np.argsort(-(fresh @ q))[:10]) == list(np.argsort(-(seeded @ q))[:10])
