"""Reading and writing an index directory, atomically and with its manifest checked.

Layout: manifest.json, dense.faiss, lexical/ (bm25s .npy + JSON), passages.jsonl,
entities.jsonl. Nothing is pickled; loading refuses a format or model mismatch.
"""

from __future__ import annotations

import json
import shutil
import time
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


def rebuild_hint(folder: Path) -> str:
    return f"rebuild it with `matcher index build --index {folder}`"


@dataclass
class IndexData:
    manifest: dict[str, Any]
    entities: list[Entity]
    passages: list[Passage]
    dense: DenseIndex
    lexical: LexicalIndex


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
            f"matcher reads version {FORMAT_VERSION}; {rebuild_hint(folder)}"
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
            f"the index at {folder} is damaged ({type(exc).__name__}: {exc}); {rebuild_hint(folder)}"
        ) from exc
    expected = manifest.get("passage_count")
    if not (dense.size == lexical.size == len(passages) == expected):
        raise IndexCorruptError(
            f"the index at {folder} is inconsistent ({dense.size} vectors, {lexical.size} "
            f"lexical rows, {len(passages)} passages, manifest says {expected}); "
            f"{rebuild_hint(folder)}"
        )
    if manifest.get("entity_count") != len(entities):
        raise IndexCorruptError(f"the index at {folder} lists the wrong entity count; {rebuild_hint(folder)}")
    if dense.dimension != manifest.get("model", {}).get("dimension"):
        raise IndexCorruptError(
            f"the index at {folder} has vectors of the wrong size; {rebuild_hint(folder)}"
        )
    return IndexData(manifest, entities, passages, dense, lexical)
