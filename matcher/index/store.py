"""Reading and writing an index directory, atomically and with its manifest checked.

Layout: manifest.json, dense.faiss, lexical/ (bm25s .npy + JSON), passages.jsonl,
entities.jsonl. Nothing is pickled; loading refuses a format or model mismatch.
"""

from __future__ import annotations

import json
import shlex
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..cache import clean_stale, make_temp_dir, owner_tag
from ..corpus import Entity
from ..errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from ..passages import Passage
from .dense import DenseIndex
from .lexical import LexicalIndex

FORMAT = "matcher-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DENSE_FILE = "dense.faiss"
LEXICAL_DIR = "lexical"
PASSAGES_FILE = "passages.jsonl"
ENTITIES_FILE = "entities.jsonl"


def corpus_record(paths: Sequence[str | Path], columns: Sequence[str] = ()) -> dict[str, Any]:
    """What an index was built from, for the manifest: enough to rebuild it from the same
    corpus (the shipped one is recorded as such, since its path moves with the install)."""
    from ..resources import shipped_corpus_dir

    resolved = [str(Path(p).resolve()) for p in paths]
    if resolved == [str(shipped_corpus_dir().resolve())] and not columns:
        return {"shipped": True, "paths": [], "columns": []}
    return {"shipped": False, "paths": resolved, "columns": list(columns)}


def same_corpus(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    keys = ("shipped", "paths", "columns")
    return bool(a and b) and all(a.get(k) == b.get(k) for k in keys)


def rebuild_command(folder: Path, manifest: dict[str, Any] | None = None,
                    model: str | None = None) -> str:
    """The `matcher index build` that rebuilds this index from the corpus it was built from.
    Without a record of that corpus it says so rather than name the shipped one."""
    from ..resources import cache_dir

    words = ["matcher index build"]
    corpus = (manifest or {}).get("corpus")
    if Path(folder).parent == cache_dir() / "indexes":  # a default index: the shipped corpus
        corpus = {"shipped": True}
    else:
        words += ["--index", shlex.quote(str(folder))]
    if not isinstance(corpus, dict):
        words += ["--corpus", "<the corpus it was built from>"]
    elif not corpus.get("shipped"):
        for path in corpus.get("paths", []):
            words += ["--corpus", shlex.quote(path)]
        for column in corpus.get("columns", []):
            words += ["--column", shlex.quote(column)]
    model = model or ((manifest or {}).get("model") or {}).get("id")
    if model and model != _default_model():
        words += ["--model", shlex.quote(model)]
    return " ".join(words)


def _default_model() -> str | None:
    from ..errors import ModelError
    from ..models import default_model_id

    try:
        return default_model_id()
    except ModelError:
        return None


def rebuild_hint(folder: Path, manifest: dict[str, Any] | None = None,
                 model: str | None = None) -> str:
    return f"rebuild it with `{rebuild_command(folder, manifest, model)}`"


def check_replaceable(folder: Path, corpus: dict[str, Any], overwrite: bool) -> None:
    """Refuse to build into ``folder`` over anything but an index of the same corpus (or an
    empty folder) unless ``overwrite``: a rebuild must never swap a custom index for another
    corpus, nor delete a folder that is not an index."""
    folder = Path(folder)
    if overwrite or not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return
    try:
        manifest = read_manifest(folder)
    except (IndexCorruptError, IndexMismatchError, IndexNotFoundError):
        raise IndexMismatchError(
            f"{folder} exists and is not a readable matcher index; choose another --index, "
            "or give --overwrite to replace it (its contents are deleted)"
        ) from None
    built_from = manifest.get("corpus")
    if not same_corpus(built_from, corpus):
        described = _describe(built_from) if isinstance(built_from, dict) else "an unrecorded corpus"
        raise IndexMismatchError(
            f"the index at {folder} was built from {described}, not {_describe(corpus)}; "
            "choose another --index, or give --overwrite to replace it"
        )


def _describe(corpus: dict[str, Any]) -> str:
    if corpus.get("shipped"):
        return "the shipped corpus"
    columns = f" (columns {', '.join(corpus['columns'])})" if corpus.get("columns") else ""
    return ", ".join(corpus.get("paths", [])) + columns


@dataclass
class IndexData:
    manifest: dict[str, Any]
    entities: list[Entity]
    passages: list[Passage]
    dense: DenseIndex
    lexical: LexicalIndex
    folder: Path | None = None  # where it was read from (None when built in memory)


def new_manifest(**fields: Any) -> dict[str, Any]:
    from .. import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "matcher_version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **fields,
    }


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_index(folder: Path, data: IndexData) -> None:
    """Write into a temporary sibling, then rename into place: never a half-written index.
    What an earlier, killed write of this index left behind is removed first."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(folder.parent, (f".{folder.name}.tmp-*", f".{folder.name}.old-*"))
    work = make_temp_dir(folder.parent, f".{folder.name}.tmp-")
    try:
        data.dense.save(work / DENSE_FILE)
        (work / LEXICAL_DIR).mkdir()
        data.lexical.save(work / LEXICAL_DIR)
        _write_jsonl(work / PASSAGES_FILE, [p.to_dict() for p in data.passages])
        _write_jsonl(work / ENTITIES_FILE, [e.to_dict() for e in data.entities])
        # The manifest goes last: its presence marks a complete index.
        (work / MANIFEST).write_text(json.dumps(data.manifest, indent=2), encoding="utf-8")
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{owner_tag()}-{time.time_ns()}")
            folder.rename(old)
        work.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an index directory, checked for format; raises a clear error if not."""
    folder = Path(folder)
    if not folder.is_dir():
        raise IndexNotFoundError(
            f"no index at {folder}: build one with `matcher index build --index {folder}`"
        )
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(
            f"{folder} is not a matcher index (no {MANIFEST}); {rebuild_hint(folder)}"
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(
            f"the index manifest {folder / MANIFEST} is unreadable ({exc}); {rebuild_hint(folder)}"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexCorruptError(f"{folder / MANIFEST} is not a matcher manifest; {rebuild_hint(folder)}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"the index at {folder} has format version {manifest.get('format_version')}, this "
            f"matcher reads version {FORMAT_VERSION}; {rebuild_hint(folder, manifest)}"
        )
    return manifest


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_index(folder: Path) -> IndexData:
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        dense = DenseIndex.load(folder / DENSE_FILE)
        lexical = LexicalIndex.load(folder / LEXICAL_DIR)
        passages = [Passage(**row) for row in _read_jsonl(folder / PASSAGES_FILE)]
        entities = [Entity.from_dict(row) for row in _read_jsonl(folder / ENTITIES_FILE)]
    except Exception as exc:  # faiss, numpy and json raise many types for a damaged file
        raise IndexCorruptError(
            f"the index at {folder} is damaged ({type(exc).__name__}: {exc}); "
            f"{rebuild_hint(folder, manifest)}"
        ) from exc
    expected = manifest.get("passage_count")
    if not (dense.size == lexical.size == len(passages) == expected):
        raise IndexCorruptError(
            f"the index at {folder} is inconsistent ({dense.size} vectors, {lexical.size} "
            f"lexical rows, {len(passages)} passages, manifest says {expected}); "
            f"{rebuild_hint(folder, manifest)}"
        )
    if manifest.get("entity_count") != len(entities):
        raise IndexCorruptError(
            f"the index at {folder} lists the wrong entity count; {rebuild_hint(folder, manifest)}")
    if dense.dimension != manifest.get("model", {}).get("dimension"):
        raise IndexCorruptError(
            f"the index at {folder} has vectors of the wrong size; {rebuild_hint(folder, manifest)}"
        )
    return IndexData(manifest, entities, passages, dense, lexical, folder)
