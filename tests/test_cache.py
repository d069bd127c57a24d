"""The cache's housekeeping: shareable permissions, stale leftovers, old default indexes,
build locks, `matcher cache info|clean`. No model is loaded: indexes are tiny fakes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from matcher.cache import clean_stale, is_stale, owner_tag
from matcher.corpus import Entity
from matcher.index.dense import DenseIndex
from matcher.index.lexical import LexicalIndex
from matcher.index.store import IndexData, new_manifest, read_index, write_index
from matcher.passages import Passage


def tiny_index(n: int = 3, corpus: dict | None = None) -> IndexData:
    vectors = np.eye(n, 8, dtype=np.float32)
    passages = [Passage(f"e{i}", "capability", f"passage number {i} about vectors")
                for i in range(n)]
    entities = [Entity(id=f"e{i}", kind="organisation", name=f"E{i}") for i in range(n)]
    manifest = new_manifest(model={"id": "fake", "weights_sha256": "0" * 64, "dimension": 8},
                            passage_count=n, entity_count=n, corpus=corpus or {})
    return IndexData(manifest, entities, passages, DenseIndex.build(vectors),
                     LexicalIndex.build([p.text for p in passages]))


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_index_folder_follows_the_umask_so_other_users_can_read_it(tmp_path, umask_022):
    write_index(tmp_path / "shared", tiny_index())
    assert (tmp_path / "shared").stat().st_mode & 0o777 == 0o755
    assert read_index(tmp_path / "shared").manifest["passage_count"] == 3


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_builds_temporaries_are_removed_by_the_next_build(tmp_path):
    host = owner_tag().rsplit("-", 1)[0]
    dead = tmp_path / f".idx.tmp-{host}-{dead_pid()}-abcd1234"
    (dead / "lexical").mkdir(parents=True)
    (dead / "dense.faiss").write_bytes(b"x" * 100)
    old_style = tmp_path / ".idx.tmp-k2j4h5g6"  # named before writers were tagged: by age
    old_style.mkdir()
    os.utime(old_style, (time.time() - 2 * 86400,) * 2)
    live = tmp_path / f".idx.tmp-{host}-{os.getppid()}-abcd1234"  # a live process's build
    live.mkdir()
    other = tmp_path / f".other.tmp-{host}-{dead_pid()}-abcd1234"  # another index's: not ours
    other.mkdir()
    write_index(tmp_path / "idx", tiny_index())
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["idx", live.name, other.name])


def test_staleness_by_writer_and_by_age(tmp_path):
    host = owner_tag().rsplit("-", 1)[0]
    assert is_stale(tmp_path / f".export-{host}-{dead_pid()}-abc")
    assert not is_stale(tmp_path / f".export-{owner_tag()}-abc")  # this process
    foreign = tmp_path / ".export-elsewhere-123-abc"  # another host: only by age
    foreign.mkdir()
    assert not is_stale(foreign)
    assert is_stale(foreign, now=time.time() + 2 * 86400)
    assert clean_stale(tmp_path, (".export-*",)) == 0


class FakeBuild:
    """Stands in for Matcher.build: slow enough for concurrent callers to overlap."""

    def __init__(self):
        self.calls = 0

    def __call__(self, corpus, model=None, progress=None, **_kw):
        self.calls += 1
        time.sleep(0.3)
        return self

    def save(self, folder):
        write_index(folder, tiny_index())


@pytest.fixture
def fake_build(monkeypatch, tmp_path):
    from matcher.matcher import Matcher

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    fake = FakeBuild()
    monkeypatch.setattr(Matcher, "build", fake)
    return fake


def test_concurrent_first_uses_build_the_default_index_once(fake_build):
    from matcher.default_index import ensure_default_index

    folders, said = [], []
    threads = [threading.Thread(target=lambda: folders.append(ensure_default_index(say=said.append)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake_build.calls == 1
    assert len(set(folders)) == 1 and (folders[0] / "manifest.json").is_file()
    assert sum("waiting for another matcher process" in m for m in said) == 3


def test_only_the_last_two_default_indexes_are_kept(fake_build, tmp_path):
    from matcher.default_index import ensure_default_index

    indexes = tmp_path / "cache" / "indexes"
    for age, name in enumerate(["all-MiniLM-L6-v2-f1p3-aaaa", "all-MiniLM-L6-v2-f1p3-bbbb",
                                "all-mpnet-base-v2-f1p3-cccc"]):
        write_index(indexes / name, tiny_index())
        os.utime(indexes / name / "manifest.json", (time.time() - 100 + age,) * 2)
    current = ensure_default_index()
    assert sorted(p.name for p in indexes.iterdir() if not p.name.startswith(".")) == sorted(
        [current.name, "all-MiniLM-L6-v2-f1p3-bbbb", "all-mpnet-base-v2-f1p3-cccc"])


def test_a_killed_onnx_export_is_cleaned_at_the_next_build(tmp_path, monkeypatch):
    from matcher.onnx_export import export_onnx

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path))
    weights = "ab" * 32
    ready = tmp_path / "onnx" / weights[:16]
    ready.mkdir(parents=True)
    (ready / "model.onnx").write_bytes(b"")
    (ready / "export.json").write_text(f'{{"verified": true, "weights_sha256": "{weights}"}}')
    host = owner_tag().rsplit("-", 1)[0]
    killed = tmp_path / "onnx" / f".export-{host}-{dead_pid()}-abcd1234"
    killed.mkdir()
    (killed / "model.onnx").write_bytes(b"x" * 1000)
    assert export_onnx(None, weights, reference=None) == ready
    assert not killed.exists()


def test_cache_info_and_clean(tmp_path, monkeypatch):
    from helpers import run

    from matcher.default_index import default_index_dir

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path))
    current = default_index_dir("all-MiniLM-L6-v2")
    old = current.with_name("all-MiniLM-L6-v2-f1p3-0123456789abcdef")
    for folder in (current, old):
        write_index(folder, tiny_index())
    host = owner_tag().rsplit("-", 1)[0]
    (tmp_path / "onnx" / f".export-{host}-{dead_pid()}-abcd1234").mkdir(parents=True)
    info = run("cache", "info").output
    assert "default indexes    2" in info
    assert "1 superseded default index(es), 1 leftover temporary folder(s)" in info
    assert "freed" in run("cache", "clean").output
    assert [p.name for p in (tmp_path / "indexes").iterdir() if p.is_dir()] == [current.name]
    assert not list((tmp_path / "onnx").iterdir())
    run("cache", "clean", "--all")
    assert not list(tmp_path.iterdir())
