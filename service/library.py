"""The transcript library: SQLite with an FTS5 index over segments, keyed by audio hash and options.

The same episode with the same options is never transcribed twice, and search spans every episode.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from service.transcript import Transcript

SCHEMA = """
CREATE TABLE IF NOT EXISTS transcripts (
    key TEXT PRIMARY KEY,
    audio_sha256 TEXT NOT NULL,
    options TEXT NOT NULL,
    name TEXT NOT NULL,
    title TEXT,
    source TEXT,
    media_path TEXT,
    created REAL NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    transcript_key TEXT NOT NULL REFERENCES transcripts(key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_by_transcript ON segments(transcript_key, position);
CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts USING fts5(
    text, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER IF NOT EXISTS segments_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS segments_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Entry:
    key: str
    name: str
    title: str | None
    source: str | None
    media_path: str | None
    transcript: Transcript


@dataclass
class Hit:
    key: str
    name: str
    title: str | None
    source: str | None
    start: float
    end: float
    text: str
    highlighted: str  # the text with matches wrapped in [ ]


def fts_query(query: str) -> str | None:
    """A safe FTS5 query: every word must occur, each as a prefix ('fastna' finds 'fastnade')."""
    words = _WORD.findall(query.lower())
    return " ".join(f'"{word}"*' for word in words) if words else None


class Library:
    """All transcripts made so far, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        try:
            with db:
                yield db
        finally:
            db.close()

    def get(self, key: str) -> Entry | None:
        """The stored transcript for ``key``, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT key, name, title, source, media_path, document FROM transcripts WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return Entry(*row[:5], Transcript.from_dict(json.loads(row[5])))

    def put(
        self, key: str, audio_sha256: str, options: dict, name: str, media_path: str, transcript: Transcript
    ) -> None:
        """Store (or replace) a transcript and index its segments, in one transaction."""
        document = json.dumps(transcript.to_dict(words=True), ensure_ascii=False)
        with self._connect() as db:
            db.execute("DELETE FROM segments WHERE transcript_key = ?", (key,))
            db.execute(
                "INSERT OR REPLACE INTO transcripts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    audio_sha256,
                    json.dumps(options, sort_keys=True),
                    name,
                    transcript.title,
                    transcript.source,
                    media_path,
                    time.time(),
                    document,
                ),
            )
            db.executemany(
                "INSERT INTO segments (transcript_key, position, start, end, text) VALUES (?, ?, ?, ?, ?)",
                [(key, i, s.start, s.end, s.text.strip()) for i, s in enumerate(transcript.segments)],
            )

    def entries(self) -> list[tuple[str, str, str | None, float]]:
        """(key, name, title, created) of every transcript, newest first."""
        with self._connect() as db:
            return db.execute("SELECT key, name, title, created FROM transcripts ORDER BY created DESC").fetchall()

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Segments matching every word of ``query``, best first."""
        match = fts_query(query)
        if match is None:
            return []
        with self._connect() as db:
            rows = db.execute(
                """
                SELECT t.key, t.name, t.title, t.source, s.start, s.end, s.text,
                       highlight(segments_fts, 0, '[', ']')
                FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid
                JOIN transcripts t ON t.key = s.transcript_key
                WHERE segments_fts MATCH ? ORDER BY bm25(segments_fts), t.created DESC, s.start LIMIT ?
                """,
                (match, limit),
            ).fetchall()
        return [Hit(*row) for row in rows]
