"""Judgements on matches, stored in SQLite, exported as an evaluation set.

The web page's useful / not useful / contacted buttons write here; `matcher feedback export`
turns the judgements into TREC qrels and JSON-lines queries that `matcher eval --queries
--qrels` reads, so the people who use the page build the next evaluation set. Each judgement
keeps the hash of the brief it was made on and the corpus hash of the index that ranked it,
so a judgement on an older corpus can be told apart (or left out with ``corpus_sha256``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import MatcherError

# Grades on the 0-3 scale of corpus/eval/RUBRIC.md: having contacted a partner is the
# strongest evidence of relevance a user can give; "not useful" is a judged 0.
JUDGEMENTS = {"not_useful": 0, "useful": 2, "contacted": 3}
MAX_NOTE_CHARS = 2000
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS briefs (
    sha256 TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS judgements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brief_sha256 TEXT NOT NULL REFERENCES briefs(sha256),
    entity_id TEXT NOT NULL,
    judgement TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    corpus_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS judgements_brief ON judgements(brief_sha256, entity_id);
"""


class FeedbackError(MatcherError):
    """The feedback store cannot be opened, or a judgement is not valid."""

    exit_code = 2


def default_feedback_path() -> Path:
    """``feedback.sqlite`` in the user data directory (``MATCHER_DATA_DIR`` overrides it)."""
    override = os.environ.get("MATCHER_DATA_DIR")
    if override:
        return Path(override) / "feedback.sqlite"
    from platformdirs import user_data_dir

    return Path(user_data_dir("matcher")) / "feedback.sqlite"


def normalise_brief(text: str) -> str:
    return " ".join(text.split())


def brief_sha256(text: str) -> str:
    """The hash a brief is stored under: whitespace does not make a new brief."""
    return hashlib.sha256(normalise_brief(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Judgement:
    id: int
    brief_sha256: str
    entity_id: str
    judgement: str
    note: str
    corpus_sha256: str
    created_at: str

    @property
    def grade(self) -> int:
        return JUDGEMENTS[self.judgement]


@dataclass(frozen=True)
class ExportReport:
    queries: int
    judgements: int  # (brief, entity) pairs written to the qrels


class FeedbackStore:
    """One SQLite file; a connection per call, so web worker threads and processes can share it."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_feedback_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"cannot open the feedback store {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer
        return db

    def record(self, brief: str, entity_id: str, judgement: str, corpus_sha256: str,
               note: str = "") -> Judgement:
        """Store one judgement on one match of one brief; returns it as stored."""
        if judgement not in JUDGEMENTS:
            raise FeedbackError(f"unknown judgement '{judgement}'; valid: {', '.join(JUDGEMENTS)}")
        if not normalise_brief(brief):
            raise FeedbackError("the brief is empty")
        if not entity_id or len(entity_id.split()) != 1:
            raise FeedbackError(f"not an entity id: {entity_id!r}")  # qrels are space-separated
        if len(note) > MAX_NOTE_CHARS:
            raise FeedbackError(f"the note is {len(note):,} characters; the limit is {MAX_NOTE_CHARS:,}")
        digest = brief_sha256(brief)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self._connect() as db:
                db.execute("INSERT OR IGNORE INTO briefs VALUES (?, ?, ?)",
                           (digest, normalise_brief(brief), now))
                cursor = db.execute(
                    "INSERT INTO judgements (brief_sha256, entity_id, judgement, note, "
                    "corpus_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (digest, entity_id, judgement, note, corpus_sha256, now))
        except sqlite3.Error as exc:
            raise FeedbackError(f"cannot write to the feedback store {self.path}: {exc}") from exc
        return Judgement(int(cursor.lastrowid), digest, entity_id, judgement, note,
                         corpus_sha256, now)

    def judgements(self, corpus_sha256: str | None = None) -> list[Judgement]:
        """Every judgement, oldest first (optionally only those made on one corpus)."""
        query = ("SELECT id, brief_sha256, entity_id, judgement, note, corpus_sha256, created_at "
                 "FROM judgements")
        args: tuple[str, ...] = ()
        if corpus_sha256:
            query += " WHERE corpus_sha256 = ?"
            args = (corpus_sha256,)
        with self._connect() as db:
            return [Judgement(*row) for row in db.execute(query + " ORDER BY id", args)]

    def brief_texts(self) -> dict[str, str]:
        with self._connect() as db:
            return dict(db.execute("SELECT sha256, text FROM briefs"))

    def export(self, queries_path: str | Path, qrels_path: str | Path, split: str = "test",
               corpus_sha256: str | None = None) -> ExportReport:
        """Write the judgements as JSON-lines queries and TREC qrels for ``matcher eval``.

        The latest judgement of a (brief, entity) pair wins: a user who marked a match useful
        and later contacted it gave grade 3. ``split`` is stamped on every query because
        ``matcher eval`` scores one split (``--split test`` by default)."""
        latest: dict[tuple[str, str], Judgement] = {}
        for j in self.judgements(corpus_sha256):
            latest[(j.brief_sha256, j.entity_id)] = j
        texts = self.brief_texts()
        briefs = list(dict.fromkeys(digest for digest, _ in latest))
        try:
            with open(queries_path, "w", encoding="utf-8") as handle:
                for digest in briefs:
                    mine = [j for (d, _), j in latest.items() if d == digest]
                    handle.write(json.dumps({
                        "id": query_id(digest), "text": texts[digest], "kind": "feedback",
                        "split": split, "out_of_scope": False, "brief_sha256": digest,
                        "corpus_sha256": sorted({j.corpus_sha256 for j in mine}),
                    }, ensure_ascii=False) + "\n")
            with open(qrels_path, "w", encoding="utf-8") as handle:
                for (digest, entity_id), j in latest.items():
                    handle.write(f"{query_id(digest)} 0 {entity_id} {j.grade}\n")
        except OSError as exc:
            raise FeedbackError(f"cannot write the export: {exc}") from exc
        return ExportReport(queries=len(briefs), judgements=len(latest))


def query_id(digest: str) -> str:
    return f"fb-{digest[:12]}"
