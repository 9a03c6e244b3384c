"""Articles in SQLite: the record of truth the index is built from."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .articles import Article
from .errors import IndexUnusable, NotFound

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- ingest order: the index numbers documents by it
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    date TEXT,
    section TEXT,
    page TEXT,
    authors TEXT NOT NULL DEFAULT '[]',     -- JSON list
    kind TEXT NOT NULL DEFAULT 'article',
    source TEXT,
    position INTEGER,
    editor TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',    -- JSON list
    content_hash TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished_at TEXT NOT NULL,
    files INTEGER NOT NULL,
    added INTEGER NOT NULL,
    replaced INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    skipped INTEGER NOT NULL
);
"""

_COLUMNS = ("id", "title", "body", "date", "section", "page", "authors", "kind", "source", "position", "editor",
            "warnings")


@dataclass(frozen=True)
class UpsertCounts:
    added: list[str]
    replaced: list[str]
    unchanged: list[str]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _row_to_article(row: sqlite3.Row) -> Article:
    return Article(id=row["id"], title=row["title"], body=row["body"], date=row["date"], section=row["section"],
                   page=row["page"], authors=tuple(json.loads(row["authors"])), kind=row["kind"],
                   source=row["source"], position=row["position"], editor=row["editor"],
                   warnings=tuple(json.loads(row["warnings"])))


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row["value"]) != SCHEMA_VERSION:
                raise IndexUnusable(f"article store {self.path} has schema version {row['value']}, "
                                    f"this Jiansuo reads version {SCHEMA_VERSION}", code="store_schema")

    def _connect(self) -> sqlite3.Connection:
        # One connection per thread: the web server answers on several threads.
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def upsert(self, articles: Iterable[Article]) -> UpsertCounts:
        """Add new articles, replace changed ones, leave identical ones alone; all in one transaction."""
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        conn = self._connect()
        with conn:
            for article in articles:
                content_hash = article.content_hash
                row = conn.execute("SELECT content_hash FROM articles WHERE id = ?", (article.id,)).fetchone()
                values = (article.id, article.title, article.body, article.date, article.section, article.page,
                          json.dumps(list(article.authors), ensure_ascii=False), article.kind, article.source,
                          article.position, article.editor, json.dumps(list(article.warnings), ensure_ascii=False))
                if row is None:
                    conn.execute(
                        f"INSERT INTO articles({', '.join(_COLUMNS)}, content_hash, added_at) "
                        f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})", (*values, content_hash, _now()))
                    added.append(article.id)
                elif row["content_hash"] != content_hash:
                    assignments = ", ".join(f"{c} = ?" for c in _COLUMNS[1:])
                    conn.execute(f"UPDATE articles SET {assignments}, content_hash = ? WHERE id = ?",
                                 (*values[1:], content_hash, article.id))
                    replaced.append(article.id)
                else:
                    unchanged.append(article.id)
        return UpsertCounts(added, replaced, unchanged)

    def record_ingest(self, files: int, counts: UpsertCounts, skipped: int) -> None:
        conn = self._connect()
        with conn:
            conn.execute("INSERT INTO ingests(finished_at, files, added, replaced, unchanged, skipped) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (_now(), files, len(counts.added), len(counts.replaced), len(counts.unchanged), skipped))

    def last_ingest(self) -> str | None:
        row = self._connect().execute("SELECT finished_at FROM ingests ORDER BY id DESC LIMIT 1").fetchone()
        return row["finished_at"] if row else None

    def get(self, article_id: str) -> Article:
        row = self._connect().execute(f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE id = ?",
                                      (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}", code="article_not_found")
        return _row_to_article(row)

    def get_many(self, article_ids: list[str]) -> dict[str, Article]:
        found: dict[str, Article] = {}
        conn = self._connect()
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE id IN "
                                f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            for row in rows:
                found[row["id"]] = _row_to_article(row)
        return found

    def iter_articles(self) -> Iterator[Article]:
        """Every article in ingest order."""
        cursor = self._connect().execute(f"SELECT {', '.join(_COLUMNS)} FROM articles ORDER BY seq")
        for row in cursor:
            yield _row_to_article(row)

    def iter_dates_and_sections(self) -> Iterator[tuple[str, str | None, str | None]]:
        """(id, date, section) of every article, without reading bodies: what filters and facets need."""
        for row in self._connect().execute("SELECT id, date, section FROM articles"):
            yield row["id"], row["date"], row["section"]

    def count(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM articles").fetchone()[0])
