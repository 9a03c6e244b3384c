"""Articles in SQLite: the record of truth the index is built from.

Articles are kept in ingest order (``seq``), the order the index numbers them
in; a replaced article moves to the end, as if added anew. A ``revision`` in
``meta`` counts committed changes; every index generation records the revision
it was built from, and the content hash of every article it holds, so a stale
index is noticed and brought up to date by analysing only what changed.

The schema is versioned. An older store is migrated in place when opened, one
step per version (``_MIGRATIONS``), inside one transaction: a store is either
wholly at the old version or wholly at the new one.

Every article row carries a checksum of all its columns (``row_checksum``),
verified whenever the whole row is read: a byte changed on disk inside a row
is an error naming the article and its repair (``StoreDamaged``), never a
wrong article or an exception from SQLite's text decoding.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .articles import Article
from .errors import IndexUnusable, JiansuoError, NotFound, StoreDamaged, StoreUnusable, disk_full

SCHEMA_VERSION = 10

# The schema as version 1 created it. A new store is created at version 1 and then
# migrated like any old one, so the migrations below run on every store there is.
_SCHEMA_V1 = """
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


# _MIGRATIONS[n] takes a store from version n to n + 1. Append a step to change the schema;
# never edit a step that has shipped, stores out there have already run it.
def _add_column_if_missing(table: str, column: str, kind: str) -> Callable[[sqlite3.Connection], None]:
    """A step that adds a column a table may already have (it was once added outside these migrations)."""
    def step(conn: sqlite3.Connection) -> None:
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    return step


def _seal_rows(conn: sqlite3.Connection) -> None:
    """Give every existing article row its checksum, a thousand rows at a time. A row whose text is not valid
    UTF-8 is damaged already: it is left without one, so that `jiansuo check` names it."""
    _add_column_if_missing("articles", "row_checksum", "INTEGER")(conn)
    last = 0
    while True:
        rows = conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE seq > ? ORDER BY seq LIMIT 1000",
                            (last,)).fetchall()
        if not rows:
            return
        sealed = []
        for seq, _, *raw in rows:
            try:
                for value in raw:
                    if value is not None:
                        value.decode("utf-8")
            except UnicodeDecodeError:
                continue
            sealed.append((row_checksum(raw), seq))
        conn.executemany("UPDATE articles SET row_checksum = ? WHERE seq = ?", sealed)
        last = rows[-1][0]


# A row's authors as json_each reads them: a value that is not JSON (a damaged row, which `check` names) as none,
# rather than failing the statement that writes the row.
_AUTHORS_JSON = "CASE WHEN json_valid({row}.authors) THEN {row}.authors ELSE '[]' END"

_MIGRATIONS: dict[int, tuple[str | Callable[[sqlite3.Connection], None], ...]] = {
    1: (
        "ALTER TABLE articles ADD COLUMN kicker TEXT",
        "ALTER TABLE articles ADD COLUMN subtitle TEXT",
        "ALTER TABLE articles ADD COLUMN source_page INTEGER",
        # An article's terms as the index counts them (title, kicker, subtitle, body), and which
        # analyzer produced them: a rebuild reuses them while the fingerprint matches.
        """CREATE TABLE terms (
            article_id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,  -- of the article text the terms were made from
            fingerprint TEXT NOT NULL,
            length INTEGER NOT NULL,     -- number of terms
            counts TEXT NOT NULL         -- JSON object: term -> occurrences
        )""",
        "ALTER TABLE ingests ADD COLUMN removed INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE ingests ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0",
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('revision', '0')",
    ),
    # Index generations keep every article's content hash; they, not per-article term rows, say what is
    # indexed, and a new generation is merged from the live one without analysing its articles again.
    2: (
        "DROP TABLE IF EXISTS terms",
    ),
    # Each article's generic summary, keywords and summary data (`summaries.extras`), kept beside it and
    # never altering `articles`. Stores of version 3 may have the table already, made by the extras store
    # itself, with or without its summary_data column.
    3: (
        """CREATE TABLE IF NOT EXISTS article_extras (
            id TEXT PRIMARY KEY,          -- articles.id
            content_hash TEXT NOT NULL,   -- articles.content_hash when this row was made
            fingerprint TEXT NOT NULL,    -- analyzer and settings that made it
            summary TEXT NOT NULL,
            keywords TEXT NOT NULL,       -- JSON list of [term, text, weight]
            summary_data BLOB             -- SummaryData.to_bytes() (b"" when the text could not be kept so)
        )""",
        _add_column_if_missing("article_extras", "summary_data", "BLOB"),
    ),
    # A checksum over every column of each article row (`row_checksum`), worked out for the rows there are.
    4: (
        _seal_rows,
    ),
    # Browsing by date and page (`service.browse`): the dates there are, a day's pages, the next day, each
    # read from this index alone rather than from every row. Only an index is added: a store of version 5
    # holds the same rows.
    5: (
        "CREATE INDEX IF NOT EXISTS articles_by_date ON articles(date, page, position)",
    ),
    # The same story printed twice (`service.reprints`): each article's sketch, its LSH band keys indexed so a
    # new article finds its candidates by look-up, and the verified pairs of copies. Kept in the store, in the
    # transaction that changes the articles, so copies never name an article the store lacks. A store migrated
    # from version 6 has none yet: the next write finds the copies of every article (`reprints_fingerprint`).
    6: (
        """CREATE TABLE IF NOT EXISTS reprint_sketches (
            n INTEGER PRIMARY KEY,         -- what band rows name, smaller than the id
            id TEXT NOT NULL UNIQUE,       -- articles.id
            content_hash TEXT NOT NULL,    -- articles.content_hash it was made from
            keys BLOB NOT NULL             -- its band keys, int64 little-endian (none: too short to compare)
        )""",
        "CREATE TABLE IF NOT EXISTS reprint_bands (key INTEGER NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (key, n)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS reprint_pairs (a TEXT NOT NULL, b TEXT NOT NULL, "  # a < b
        "PRIMARY KEY (a, b)) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS reprint_pairs_by_b ON reprint_pairs(b)",
    ),
    # The people, places and organisations each article names (`service.mentions`), kept beside it and never
    # altering `articles`: one row per article and folded name, and which articles the recogniser has read, of
    # which text. Triggers drop an article's rows when its row goes (a delete, or a replacement, which deletes
    # and inserts), so no writer of `articles` has to know of them.
    7: (
        """CREATE TABLE IF NOT EXISTS mentions (
            article_id TEXT NOT NULL,     -- articles.id
            type TEXT NOT NULL,           -- PER, LOC or ORG
            name TEXT NOT NULL,           -- folded as the analyzer folds (Simplified, width, case): the key
            text TEXT NOT NULL,           -- as first written in the article
            count INTEGER NOT NULL,       -- mentions in the title and body
            PRIMARY KEY (article_id, type, name)
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS mentions_by_name ON mentions(type, name)",
        """CREATE TABLE IF NOT EXISTS mentions_read (
            article_id TEXT PRIMARY KEY,  -- articles.id
            content_hash TEXT NOT NULL,   -- articles.content_hash of the text read
            version TEXT NOT NULL         -- the recogniser that read it (`mentions.VERSION`)
        )""",
        """CREATE TRIGGER IF NOT EXISTS mentions_of_gone_article AFTER DELETE ON articles BEGIN
            DELETE FROM mentions WHERE article_id = OLD.id;
            DELETE FROM mentions_read WHERE article_id = OLD.id;
        END""",
    ),
    # Each article's authors, one row per name, for `author:` filters and for the names a query that found
    # nothing may mean: read by name, not by a pass over every row's JSON (the column comes after the body, so
    # such a pass reads the whole store). Triggers keep it as `articles` is, whichever program writes the rows;
    # the migration fills it from the rows there are.
    8: (
        """CREATE TABLE IF NOT EXISTS article_authors (
            name TEXT NOT NULL,           -- as the article writes it (an element of articles.authors)
            article_id TEXT NOT NULL,     -- articles.id
            PRIMARY KEY (name, article_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS article_authors_by_article ON article_authors(article_id)",
        f"""CREATE TRIGGER IF NOT EXISTS authors_of_new_article AFTER INSERT ON articles BEGIN
            INSERT OR IGNORE INTO article_authors(name, article_id)
                SELECT value, NEW.id FROM json_each({_AUTHORS_JSON.format(row="NEW")}) WHERE type = 'text';
        END""",
        """CREATE TRIGGER IF NOT EXISTS authors_of_gone_article AFTER DELETE ON articles BEGIN
            DELETE FROM article_authors WHERE article_id = OLD.id;
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS authors_of_changed_article AFTER UPDATE OF id, authors ON articles BEGIN
            DELETE FROM article_authors WHERE article_id = OLD.id;
            INSERT OR IGNORE INTO article_authors(name, article_id)
                SELECT value, NEW.id FROM json_each({_AUTHORS_JSON.format(row="NEW")}) WHERE type = 'text';
        END""",
        f"""INSERT OR IGNORE INTO article_authors(name, article_id)
            SELECT j.value, a.id FROM articles a, json_each({_AUTHORS_JSON.format(row="a")}) j
            WHERE a.authors != '[]' AND j.type = 'text'""",
    ),
    # A page read again from its file with its text corrected gets new ids (they hash the page's text): each
    # article of the earlier reading that the new one corrects names its successor, so that links to it and
    # citations of it lead to the corrected text.
    9: (
        """CREATE TABLE IF NOT EXISTS superseded (
            old_id TEXT PRIMARY KEY,      -- an id no longer stored
            new_id TEXT NOT NULL          -- the article that corrects it (articles.id when it was written)
        ) WITHOUT ROWID""",
    ),
}

class TableBeside:
    """Tables kept in the article store's file beside `articles` (made by its migrations), read and written on a
    connection of each thread's own: the web server answers on several threads."""

    row_factory = None

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = self.row_factory
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def begin_write(conn: sqlite3.Connection, path: Path) -> None:
    """Take the store's write lock for a transaction, or say the store is busy with another write."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise IndexUnusable(f"article store {path} is busy: another ingest may be running ({exc})",
                            code="store_busy") from exc


_COLUMNS = ("id", "title", "body", "date", "section", "page", "authors", "kind", "source", "position", "editor",
            "kicker", "subtitle", "source_page", "warnings")
# What a row's checksum covers: every column but `seq` (its key, not its content), in this order.
_CHECKED = _COLUMNS + ("content_hash", "added_at")
_INTEGER_COLUMNS = frozenset({"position", "source_page"})
# Every column is read as the bytes it holds: a damaged row comes back as it lies on disk for its checksum to
# judge, rather than failing inside SQLite's UTF-8 decoding without a word of which article it is.
_SELECT_CHECKED = "seq, row_checksum, " + ", ".join(f"CAST({c} AS BLOB)" for c in _CHECKED)
_BY_ID_UP_TO = 5000  # articles a reading fetches by id; more are picked out of one pass over every row
_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: another connection holds the store, nothing is damaged


def store_problem(path: Path, exc: sqlite3.Error) -> str:
    """What is wrong with the store, for a person: SQLite's words, what they mean, and what to do."""
    if disk_full(exc):
        return f"article store {path} cannot be written: the disk is full ({exc}); free some space and run again"
    if type(exc) is sqlite3.DatabaseError:  # "file is not a database", "database disk image is malformed"
        return (f"article store {path} is damaged or is not a Jiansuo store ({exc}); the index cannot rebuild "
                "it: put back a copy of the file from a backup")
    return f"article store {path} cannot be used ({exc})"


@dataclass
class UpsertCounts:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _row_to_article(row) -> Article:
    return Article(id=row["id"], title=row["title"], body=row["body"], date=row["date"], section=row["section"],
                   page=row["page"], authors=tuple(json.loads(row["authors"])), kind=row["kind"],
                   source=row["source"], position=row["position"], editor=row["editor"], kicker=row["kicker"],
                   subtitle=row["subtitle"], source_page=row["source_page"],
                   warnings=tuple(json.loads(row["warnings"])))


def row_checksum(raw: Iterable[bytes | None]) -> int:
    """CRC-32 of a row's columns as stored (text as UTF-8, numbers as their digits), each marked as NULL or
    prefixed with its length, so that no two different rows run together into the same bytes."""
    crc = 0
    for value in raw:
        if value is None:
            crc = zlib.crc32(b"N", crc)
        else:
            crc = zlib.crc32(value, zlib.crc32(b"V%d:" % len(value), crc))
    return crc


def _as_stored(values: tuple) -> list[bytes | None]:
    """Row values as `_SELECT_CHECKED` reads them back."""
    return [None if v is None else b"%d" % v if isinstance(v, int) else v.encode("utf-8") for v in values]


def _readable(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


@dataclass(frozen=True)
class DamagedRow:
    """An article row that fails its checksum or that SQLite cannot read."""

    seq: int
    id: str  # as far as it can be read
    source: str | None  # the file it came from, when that much can be read
    reason: str

    def error(self, path: Path) -> StoreDamaged:
        again = f"`jiansuo ingest {self.source}`" if self.source else "`jiansuo ingest` of the file it came from"
        return StoreDamaged(
            f"article {self.id!r} is damaged in the article store {path}: its stored row {self.reason}; "
            f"repair it by ingesting its source again ({again}), remove it with `jiansuo delete {self.id}`, "
            "or restore the archive from a backup (`jiansuo backup`)", code="article_damaged")


def _inspect(row: tuple, known_id: str | None = None) -> tuple[dict | None, DamagedRow | None]:
    """A `_SELECT_CHECKED` row as (its columns, None) when it matches its checksum, else (None, the damage)."""
    seq, stored, *raw = row
    reason = None
    if stored is None:
        reason = "has no checksum (it was not valid text when checksums were added)"
    elif not isinstance(stored, int) or row_checksum(raw) != stored:
        reason = "does not match its checksum"
    else:
        try:
            return {c: None if v is None else int(v) if c in _INTEGER_COLUMNS else v.decode("utf-8")
                    for c, v in zip(_CHECKED, raw)}, None
        except ValueError:  # UnicodeDecodeError too: the checksum held, but what was written is not text
            reason = "is not valid text"
    source = _readable(raw[_CHECKED.index("source")]) if len(raw) == len(_CHECKED) else None
    return None, DamagedRow(seq, known_id or _readable(raw[0]) or f"#{seq}", source, reason)


def sqlite_failure(exc: sqlite3.Error, path: Path | None = None) -> JiansuoError:
    """The error to show for SQLite failing to read the store: busy, or damaged on disk."""
    where = f" {path}" if path else ""
    if ((getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF) in _BUSY_CODES:
        return IndexUnusable(f"article store{where} is busy: another ingest may be running ({exc})",
                             code="store_busy")
    return StoreDamaged(f"the article store{where} cannot be read ({exc}): it is damaged on disk; `jiansuo check` "
                        "names the damaged articles and how to repair them", code="store_damaged")


def _values(article: Article) -> tuple:
    return (article.id, article.title, article.body, article.date, article.section, article.page,
            json.dumps(list(article.authors), ensure_ascii=False), article.kind, article.source, article.position,
            article.editor, article.kicker, article.subtitle, article.source_page,
            json.dumps(list(article.warnings), ensure_ascii=False))


def _band_keys(blob: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(blob) // 8}q", blob)


def schema_version(conn: sqlite3.Connection) -> int | None:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if not has_meta:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


class Writer:
    """Changes made inside one transaction (`Store.writing()`); all of them land, or none."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self.changed = False
        self.copies_changed = False  # pairs or sketches of copies changed: `Store.copies_revision` counts these
        self.copies_dropped = False  # some were dropped, not only added: `Store.copy_links_since` starts afresh

    def upsert(self, article: Article) -> str:
        """'added', 'replaced' or 'unchanged'."""
        return self.upsert_many([article])[0]

    def upsert_many(self, articles: list[Article]) -> list[str]:
        """'added', 'replaced' or 'unchanged' for each article, with one look-up for the lot. A replaced
        article moves to the end of ingest order, keeping when it was first added."""
        found = self._stored(list(dict.fromkeys(a.id for a in articles)))
        outcomes: list[str] = []
        pending: dict[str, tuple] = {}  # id -> row to insert, in the order they go to the end
        stored_before = set(found)
        now = _now()
        for article in articles:
            content_hash = article.content_hash
            row = found.get(article.id)
            # The printed position is no part of the content hash (a page's articles keep their hashes), but an
            # article file may give it: a new one replaces the row.
            if row is not None and row["content_hash"] == content_hash and row.get("position") == article.position:
                outcomes.append("unchanged")
                continue
            outcomes.append("added" if row is None else "replaced")
            pending.pop(article.id, None)
            values = (*_values(article), content_hash, row["added_at"] if row is not None else now)
            pending[article.id] = (*values, row_checksum(_as_stored(values)))
            found[article.id] = {"content_hash": content_hash, "added_at": values[-1], "position": article.position}
        moved = [(i,) for i in pending if i in stored_before]
        if moved:
            self._conn.executemany("DELETE FROM articles WHERE id = ?", moved)
            self.forget_copies([i for i, in moved])
        if pending:
            self._conn.executemany(
                f"INSERT INTO articles({', '.join(_CHECKED)}, row_checksum) "
                f"VALUES ({', '.join('?' * (len(_CHECKED) + 1))})", list(pending.values()))
            self.changed = True
        return outcomes

    def _stored(self, ids: list[str]) -> dict[str, dict]:
        """Content hash and first-added time of those of `ids` that are stored. A damaged row has no content
        hash here, so the same article read again replaces it: ingesting its file again repairs it."""
        found: dict[str, dict] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            # The ids from the id index (a covering read), the rows by their key: a row whose own id is damaged
            # is still found under the id it was stored with.
            seqs = dict(self._conn.execute(f"SELECT seq, id FROM articles WHERE id IN "
                                           f"({', '.join('?' * len(chunk))})", chunk).fetchall())
            rows = self._conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE seq IN "
                                      f"({', '.join('?' * len(seqs))})", list(seqs)).fetchall() if seqs else []
            for row in rows:
                values, damage = _inspect(row)
                if damage is None:
                    found[seqs[row[0]]] = values
                else:
                    added_at = _readable(row[2 + _CHECKED.index("added_at")]) or ""
                    found[seqs[row[0]]] = {"content_hash": None,
                                           "added_at": added_at if added_at.isascii() and added_at else _now()}
        return found

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        """Delete these articles; returns the ids that were there."""
        deleted = []
        for article_id in dict.fromkeys(article_ids):
            if self._conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount:
                deleted.append(article_id)
        if deleted:
            self.changed = True
            self.forget_copies(deleted)
        return deleted

    # --- copies (`service.reprints`) -------------------------------------------------------------------------

    def forget_copies(self, article_ids: list[str]) -> None:
        """Drop the sketches and pairs of these articles (deleted, or replaced and to be compared anew)."""
        conn = self._conn
        self.copies_changed = self.copies_changed or bool(article_ids)
        self.copies_dropped = self.copies_dropped or bool(article_ids)
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for n, keys in conn.execute(f"SELECT n, keys FROM reprint_sketches WHERE id IN ({marks})", chunk):
                conn.executemany("DELETE FROM reprint_bands WHERE key = ? AND n = ?",
                                 [(key, n) for key in _band_keys(keys)])
            conn.execute(f"DELETE FROM reprint_sketches WHERE id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM reprint_pairs WHERE a IN ({marks})", chunk)
            conn.execute(f"DELETE FROM reprint_pairs WHERE b IN ({marks})", chunk)

    def forget_all_copies(self) -> None:
        self.copies_changed = self.copies_dropped = True
        for table in ("reprint_bands", "reprint_sketches", "reprint_pairs"):
            self._conn.execute(f"DELETE FROM {table}")

    def unsketched(self, among: list[str] | None = None) -> list[str]:
        """Ids of the stored articles without a sketch, in ingest order. `among`: the articles a write added or
        replaced, looked up alone when they are all the unsketched there are (a store-wide pass costs a tenth
        of a second at 300,000 articles, on every small ingest)."""
        conn = self._conn
        stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        unsketched = stored - conn.execute("SELECT COUNT(*) FROM reprint_sketches").fetchone()[0]
        if unsketched == 0:
            return []  # each sketch is of a stored article (deletes and replacements drop theirs)
        if among is not None and len(among) >= unsketched:
            found: list[tuple[int, str]] = []  # (seq, id)
            wanted = list(dict.fromkeys(among))
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                found.extend((row[0], row[1]) for row in conn.execute(
                    f"SELECT a.seq, a.id FROM articles a WHERE a.id IN ({', '.join('?' * len(chunk))}) AND NOT "
                    "EXISTS (SELECT 1 FROM reprint_sketches s WHERE s.id = a.id)", chunk))
            if len(found) == unsketched:
                return [article_id for _, article_id in sorted(found)]
        return [row[0] for row in conn.execute("SELECT id FROM articles WHERE id NOT IN "
                                               "(SELECT id FROM reprint_sketches) ORDER BY seq")]

    def sharing_band(self, keys: Iterable[int]) -> list[str]:
        """Ids of the sketched articles that share a band key with `keys` (LSH candidates)."""
        return sorted({i for members in self.band_members(keys).values() for i in members})

    def band_members(self, keys: Iterable[int]) -> dict[int, list[str]]:
        """Band key -> ids of the sketched articles that have it, for those of `keys` any has."""
        keys = list(dict.fromkeys(keys))
        found: dict[int, list[str]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for key, article_id in self._conn.execute(
                    f"SELECT b.key, s.id FROM reprint_bands b JOIN reprint_sketches s ON s.n = b.n "
                    f"WHERE b.key IN ({', '.join('?' * len(chunk))})", chunk):
                found.setdefault(key, []).append(article_id)
        return found

    def put_sketch(self, article_id: str, content_hash: str, keys: tuple[int, ...], copies: Iterable[str]) -> None:
        """An article's sketch, its band keys and its verified copies."""
        self.put_sketches([(article_id, content_hash, keys, list(copies))])

    def put_sketches(self, sketches: list[tuple[str, str, tuple[int, ...], list[str]]]) -> None:
        """(id, content hash, band keys, verified copies) of several articles, in a few statements."""
        if not sketches:
            return
        conn = self._conn
        conn.executemany("INSERT INTO reprint_sketches(id, content_hash, keys) VALUES (?, ?, ?)",
                         [(i, h, struct.pack(f"<{len(keys)}q", *keys)) for i, h, keys, _ in sketches])
        ids = [i for i, _, keys, _ in sketches if keys]
        numbers: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            numbers.update((i, n) for n, i in conn.execute(
                f"SELECT n, id FROM reprint_sketches WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        # In key order: each insert lands beside the last in the index's pages, not on a random one.
        conn.executemany("INSERT OR IGNORE INTO reprint_bands(key, n) VALUES (?, ?)",
                         sorted((key, numbers[i]) for i, _, keys, _ in sketches for key in keys))
        pairs = [tuple(sorted((i, other))) for i, _, _, copies in sketches for other in copies if other != i]
        if pairs:
            self.copies_changed = True
            conn.executemany("INSERT OR IGNORE INTO reprint_pairs(a, b) VALUES (?, ?)", pairs)

    def articles(self, article_ids: list[str]) -> dict[str, Article]:
        """The stored articles with these ids, as this transaction sees them; damaged rows left out."""
        found: dict[str, Article] = {}
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            for row in self._conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE id IN "
                                          f"({', '.join('?' * len(chunk))})", chunk):
                values, damage = _inspect(row)
                if damage is None:
                    article = _row_to_article(values)
                    found[article.id] = article
        return found

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def ids_with_prefix(self, prefix: str) -> list[str]:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._conn.execute("SELECT id FROM articles WHERE id LIKE ? ESCAPE '\\' ORDER BY seq",
                                  (escaped + "%",)).fetchall()
        return [row["id"] for row in rows]

    def supersede(self, successors: dict[str, str]) -> None:
        """Records that each old id (deleted in this transaction) is corrected by its new one; an id that led to
        an old one leads to the new one, so a link is one step from the text it means."""
        if not successors:
            return
        conn = self._conn
        conn.executemany("UPDATE superseded SET new_id = ? WHERE new_id = ?",
                         [(new, old) for old, new in successors.items()])
        conn.executemany("INSERT OR REPLACE INTO superseded(old_id, new_id) VALUES (?, ?)", successors.items())
        conn.executemany("DELETE FROM superseded WHERE old_id = ?", [(new,) for new in successors.values()])

    def on_page(self, date: str, page: str) -> list[tuple[str, str | None]]:
        """(id, source) of the articles printed on `page` of `date` (`articles_by_date`), in the order stored."""
        rows = self._conn.execute("SELECT id, source FROM articles WHERE date = ? AND page = ? ORDER BY seq",
                                  (date, page)).fetchall()
        return [(row["id"], row["source"]) for row in rows]

    def record_ingest(self, files: int, counts: UpsertCounts, skipped: int, removed: int, warnings: int) -> None:
        self._conn.execute(
            "INSERT INTO ingests(finished_at, files, added, replaced, unchanged, skipped, removed, warnings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), files, len(counts.added), len(counts.replaced), len(counts.unchanged), skipped, removed,
             warnings))


def _in_comparison_order(pairs: list[tuple[str, str]], compared: dict[str, int]) -> list[tuple[str, str]]:
    """Pairs of copies as (later, earlier) by their sketches' numbers `compared`, in the order of the later and
    then of the earlier."""
    import numpy as np  # here: a one-off `show` or `stats` never needs it

    known = [(a, b) for a, b in pairs if a in compared and b in compared]
    if not known:
        return []
    first = np.fromiter((compared[a] for a, _ in known), dtype=np.int64, count=len(known))
    second = np.fromiter((compared[b] for _, b in known), dtype=np.int64, count=len(known))
    later, earlier = np.maximum(first, second), np.minimum(first, second)
    swapped = (first < second).tolist()
    links = [(b, a) if turn else (a, b) for (a, b), turn in zip(known, swapped)]
    return [links[i] for i in np.lexsort((earlier, later)).tolist()]


class Reader:
    def __init__(self, conn: sqlite3.Connection, store: "Store"):
        self._conn = conn
        self._store = store

    def revision(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row["value"]) if row else 0

    def id_hashes(self) -> list[tuple[str, str]]:
        """(id, content hash) of every article, in ingest order."""
        with self._store.scanning():
            return [(row[0], row[1]) for row in self._conn.execute("SELECT id, content_hash FROM articles "
                                                                   "ORDER BY seq")]

    def articles(self, article_ids: set[str] | None = None) -> Iterator[Article]:
        """The articles with these ids (None: all), in ingest order; only those are verified."""
        if article_ids is not None and len(article_ids) <= _BY_ID_UP_TO:
            # A few articles of a large archive (a small ingest): looked up by id, not read past every row.
            rows = []
            ids = sorted(article_ids)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                with self._store.scanning(chunk):
                    rows += self._conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE id IN "
                                               f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            for row in sorted(rows, key=lambda r: r[0]):  # seq: ingest order
                yield self._store.verified(row)
            return
        with self._store.scanning():
            for row in self._conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles ORDER BY seq"):
                if article_ids is None or _readable(row[2]) in article_ids:
                    yield self._store.verified(row)


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    def _migrate(self) -> None:
        try:
            conn = self._connect()
            version = schema_version(conn)
        except sqlite3.DatabaseError as exc:  # a damaged header, not SQLite at all, a full disk
            if type(exc) is sqlite3.DatabaseError:
                raise StoreUnusable(store_problem(self.path, exc), code="store_damaged") from exc
            raise StoreUnusable(store_problem(self.path, exc)) from exc
        if version == SCHEMA_VERSION:
            return
        try:
            # IMMEDIATE: two processes opening an old store at once migrate it once, one after the other.
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise IndexUnusable(f"article store {self.path} is busy or unreadable ({exc})", code="store_busy") from exc
        try:
            version = schema_version(conn)
            if version is None:
                for statement in _SCHEMA_V1.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
                version = 1
            if version > SCHEMA_VERSION:
                raise IndexUnusable(f"article store {self.path} has schema version {version}, newer than this "
                                    f"Jiansuo reads ({SCHEMA_VERSION}); use a newer Jiansuo", code="store_schema")
            while version < SCHEMA_VERSION:
                for step in _MIGRATIONS[version]:
                    if isinstance(step, str):
                        conn.execute(step)
                    else:
                        step(conn)
                version += 1
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def _connect(self) -> sqlite3.Connection:
        # One connection per thread: the web server answers on several threads.
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk (the WAL fsynced) before the index built from it is written, so a power
            # loss cannot leave the index holding articles the store lost. One fsync per transaction.
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    def verified(self, row: tuple, known_id: str | None = None) -> Article:
        """The article a `_SELECT_CHECKED` row holds; StoreDamaged naming it when the row is damaged."""
        values, damage = _inspect(row, known_id)
        if damage is not None:
            raise damage.error(self.path)
        return _row_to_article(values)

    @contextmanager
    def scanning(self, article_ids: Iterable[str] = ()) -> Iterator[None]:
        """SQLite failing to read rows (of `article_ids`, when known) becomes an error naming the damaged
        articles and their repair, or the store as busy."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc, article_ids) from exc

    def _failure(self, exc: sqlite3.DatabaseError, article_ids: Iterable[str] = ()) -> JiansuoError:
        failure = sqlite_failure(exc, self.path)
        if failure.code == "store_damaged":
            damaged = self._damaged_among(article_ids) if article_ids else self.damaged_rows()
            if damaged:
                return damaged[0].error(self.path)
        return failure

    def _damaged_among(self, article_ids: Iterable[str]) -> list[DamagedRow]:
        """Which of these articles cannot be read, one at a time."""
        damaged = []
        conn = self._connect()
        for article_id in article_ids:
            try:
                row = conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE id = ?", (article_id,)).fetchone()
            except sqlite3.DatabaseError as exc:
                damaged.append(DamagedRow(0, article_id, None, f"cannot be read by SQLite ({exc})"))
                continue
            if row is not None and (damage := _inspect(row, article_id)[1]) is not None:
                damaged.append(damage)
        return damaged

    def damaged_rows(self) -> list[DamagedRow]:
        """Every article row that fails its checksum or that SQLite cannot read, in ingest order: what
        `jiansuo check` reports. Rows are read a few hundred at a time; past a part SQLite cannot read, one at
        a time, by the keys the id index lists, so that every row still readable is still checked."""
        conn = self._connect()
        damaged: list[DamagedRow] = []
        last = 0
        while True:
            try:
                rows = conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE seq > ? ORDER BY seq LIMIT 500",
                                    (last,)).fetchall()
            except sqlite3.DatabaseError:
                return damaged + self._damaged_one_by_one(last)
            if not rows:
                return damaged
            damaged.extend(d for d in (_inspect(row)[1] for row in rows) if d is not None)
            last = rows[-1][0]

    def _damaged_one_by_one(self, after: int) -> list[DamagedRow]:
        conn = self._connect()
        try:
            keys = conn.execute("SELECT seq, id FROM articles INDEXED BY sqlite_autoindex_articles_1 "
                                "WHERE seq > ?", (after,)).fetchall()
        except sqlite3.DatabaseError as exc:
            return [DamagedRow(after + 1, f"#{after + 1}", None,
                               f"and every row after it cannot be listed by SQLite ({exc})")]
        damaged = []
        for seq, article_id in sorted(tuple(key) for key in keys):
            try:
                row = conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE seq = ?", (seq,)).fetchone()
            except sqlite3.DatabaseError as exc:
                damaged.append(DamagedRow(seq, article_id, None, f"cannot be read by SQLite ({exc})"))
                continue
            if row is not None and (damage := _inspect(row, article_id)[1]) is not None:
                damaged.append(damage)
        return damaged

    def integrity(self) -> list[str]:
        """SQLite's own check of every page and index of the store: empty when it is sound."""
        rows = self._connect().execute("PRAGMA integrity_check").fetchall()
        messages = [row[0] for row in rows]
        return [] if messages == ["ok"] else messages

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One write transaction: committed when the block ends, rolled back if it raises (or the
        process dies), so a store is never left half-changed. The revision counts committed changes."""
        conn = self._connect()
        begin_write(conn, self.path)
        writer = Writer(conn)
        try:
            yield writer
            if writer.changed:
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
            for counter, counts in (("copies_revision", writer.copies_changed),
                                    ("copies_dropped", writer.copies_dropped)):
                if counts:
                    conn.execute("INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) "
                                 "DO UPDATE SET value = CAST(value AS INTEGER) + 1", (counter,))
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def upsert(self, articles: Iterable[Article]) -> UpsertCounts:
        """Add new articles, replace changed ones, leave identical ones alone; all in one transaction."""
        counts = UpsertCounts()
        with self.writing() as writer:
            for article in articles:
                getattr(counts, writer.upsert(article)).append(article.id)
        return counts

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        with self.writing() as writer:
            return writer.delete(article_ids)

    def revision(self) -> int:
        row = self._connect().execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row["value"]) if row else 0

    def meta(self, key: str) -> str | None:
        """A value of the `meta` table, as last committed."""
        row = self._connect().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the `meta` table in a transaction of its own (no article changes: no new revision)."""
        with self.writing() as writer:
            writer.set_meta(key, value)

    def last_ingest(self) -> str | None:
        row = self._connect().execute("SELECT finished_at FROM ingests ORDER BY id DESC LIMIT 1").fetchone()
        return row["finished_at"] if row else None

    def get(self, article_id: str) -> Article:
        with self.scanning([article_id]):
            row = self._connect().execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE id = ?",
                                          (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}", code="article_not_found")
        return self.verified(row, article_id)

    def successor(self, article_id: str) -> str | None:
        """The stored article that corrects `article_id` (`Writer.supersede`), if there is one."""
        row = self._connect().execute("SELECT new_id FROM superseded WHERE old_id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        exists = self._connect().execute("SELECT 1 FROM articles WHERE id = ?", (row[0],)).fetchone()
        return row[0] if exists else None

    def get_many(self, article_ids: list[str]) -> dict[str, Article]:
        found: dict[str, Article] = {}
        conn = self._connect()
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            with self.scanning(chunk):
                rows = conn.execute(f"SELECT {_SELECT_CHECKED} FROM articles WHERE id IN "
                                    f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            for row in rows:
                article = self.verified(row)
                found[article.id] = article
        return found

    def listings(self, article_ids: list[str]) -> dict[str, tuple[str, str | None, str | None, str | None]]:
        """(title, date, page, section) of each of these articles, as lists of other printings show them: the
        few columns alone, unverified (a story reprinted a hundred times lists a hundred rows under every hit;
        opening one reads and verifies it whole). A row whose text is not UTF-8 is left out."""
        found: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        conn = self._connect()
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            with self.scanning(chunk):
                rows = conn.execute("SELECT CAST(id AS BLOB), CAST(title AS BLOB), CAST(date AS BLOB), "
                                    "CAST(page AS BLOB), CAST(section AS BLOB) FROM articles WHERE id IN "
                                    f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            for row in rows:
                try:
                    article_id, title, day, page, section = (None if value is None else bytes(value).decode("utf-8")
                                                             for value in row)
                except UnicodeDecodeError:
                    continue
                found[article_id] = (title or "", day, page, section)
        return found

    def iter_articles(self) -> Iterator[Article]:
        """Every article in ingest order."""
        with self.scanning():
            for row in self._connect().execute(f"SELECT {_SELECT_CHECKED} FROM articles ORDER BY seq"):
                yield self.verified(row)

    def ids_by_author(self, matches) -> list[str]:
        """Ids of articles with an author for whom `matches(name)` is true, in ingest order."""
        with self.scanning():
            conn = self._connect()
            names = [row[0] for row in conn.execute("SELECT DISTINCT name FROM article_authors")]
            wanted = [name for name in names if matches(name)]
            found: set[str] = set()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                found.update(row[0] for row in conn.execute(
                    f"SELECT article_id FROM article_authors WHERE name IN ({', '.join('?' * len(chunk))})", chunk))
            if not found:
                return []
            rows = conn.execute("SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq",
                                (json.dumps(sorted(found), ensure_ascii=False),)).fetchall()
        return [row[0] for row in rows]

    def has_author(self, name: str) -> bool:
        """Whether some article's authors include `name`, written so."""
        with self.scanning():
            return self._connect().execute("SELECT 1 FROM article_authors WHERE name = ? LIMIT 1",
                                           (name,)).fetchone() is not None

    def date_counts(self, first: str | None = None, last: str | None = None) -> list[tuple[str, int]]:
        """(YYYY-MM-DD, articles) of every whole date from `first` to `last` (inclusive, either open), in order;
        partial dates (`2018-02`) are no day of the calendar."""
        with self.scanning():
            rows = self._connect().execute(
                "SELECT date, COUNT(*) FROM articles WHERE date >= ? AND date <= ? AND length(date) = 10 "
                "GROUP BY date ORDER BY date", (first or "0000-00-00", last or "9999-99-99")).fetchall()
        return [(row[0], int(row[1])) for row in rows]

    def day_rows(self, day: str) -> list[tuple[str, str | None, str | None, int | None]]:
        """(id, page, section, position) of every article dated `day`, in ingest order."""
        with self.scanning():
            rows = self._connect().execute("SELECT id, page, section, position FROM articles WHERE date = ? "
                                           "ORDER BY seq", (day,)).fetchall()
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def neighbour_dates(self, day: str) -> tuple[str | None, str | None]:
        """The whole dates before and after `day` that have articles, or None."""
        conn = self._connect()
        with self.scanning():
            before = conn.execute("SELECT MAX(date) FROM articles WHERE date < ? AND length(date) = 10",
                                  (day,)).fetchone()[0]
            after = conn.execute("SELECT MIN(date) FROM articles WHERE date > ? AND length(date) = 10",
                                 (day,)).fetchone()[0]
        return before, after

    def dates_and_sections(self, article_ids: list[str]) -> list[tuple[str, str | None, str | None]]:
        """(id, date, section) of these articles (those stored), as `iter_dates_and_sections` gives them."""
        found = []
        conn = self._connect()
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            with self.scanning(chunk):
                found.extend((row["id"], row["date"], row["section"]) for row in conn.execute(
                    f"SELECT id, date, section FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def iter_dates_and_sections(self) -> Iterator[tuple[str, str | None, str | None]]:
        """(id, date, section) of every article, without reading bodies: what filters and facets need."""
        with self.scanning():
            for row in self._connect().execute("SELECT id, date, section FROM articles"):
                yield row["id"], row["date"], row["section"]

    @contextmanager
    def reading(self) -> Iterator["Reader"]:
        """A consistent view of the store while other processes write (WAL keeps the snapshot)."""
        conn = self._connect()
        conn.execute("BEGIN")
        try:
            # The first read pins the snapshot the rest of the block sees.
            yield Reader(conn, self)
        finally:
            conn.rollback()

    def count(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def copies_revision(self) -> tuple[int, int]:
        """(store revision, copies revision): changes whenever the groups of copies may have."""
        rows = dict(self._connect().execute("SELECT key, value FROM meta WHERE key IN "
                                            "('revision', 'copies_revision')").fetchall())
        return int(rows.get("revision", 0)), int(rows.get("copies_revision", 0))

    def copy_links(self) -> list[tuple[str, str]]:
        """The verified pairs of copies as (the article compared later, the one compared earlier), in the order
        the later ones were compared and then the earlier: what `reprints.groups` makes groups of."""
        return self.copy_links_since(None)[1]

    def copy_links_since(self, mark: tuple[int, int] | None) -> tuple[tuple[int, int], list[tuple[str, str]], bool]:
        """(mark now, links, whole): `copy_links` of the articles compared since `mark` (a mark this returned
        before) when nothing was dropped since (deleted, replaced, compared afresh) and `whole` is False; else
        every link and `whole` True. The links of articles compared later come after all of those before, so
        groups worked out from the earlier links grow by the later ones into the groups of all of them."""
        conn = self._connect()
        rows = conn.cursor()
        rows.row_factory = None  # plain tuples: a million `sqlite3.Row`s take twice as long to make
        own = not conn.in_transaction
        with self.scanning():
            if own:
                rows.execute("BEGIN")  # one snapshot for the mark and the links
            try:
                dropped = int((rows.execute("SELECT value FROM meta WHERE key = 'copies_dropped'").fetchone()
                               or (0,))[0])
                last = int(rows.execute("SELECT COALESCE(MAX(n), 0) FROM reprint_sketches").fetchone()[0])
                whole = mark is None or mark[0] != dropped or mark[1] > last
                if whole:
                    pairs = rows.execute("SELECT a, b FROM reprint_pairs").fetchall()
                    # Read whole and matched here: joining each pair's ids to their sketches in SQL is twice as slow.
                    compared = dict(rows.execute("SELECT id, n FROM reprint_sketches")) if pairs else {}
                else:
                    pairs = rows.execute(
                        "SELECT p.a, p.b FROM reprint_sketches s JOIN reprint_pairs p ON p.a = s.id WHERE s.n > ? "
                        "UNION SELECT p.a, p.b FROM reprint_sketches s JOIN reprint_pairs p ON p.b = s.id "
                        "WHERE s.n > ?", (mark[1], mark[1])).fetchall()
                    compared = {}
                    named = sorted({i for pair in pairs for i in pair})
                    for start in range(0, len(named), 500):
                        chunk = named[start:start + 500]
                        compared.update(rows.execute(f"SELECT id, n FROM reprint_sketches WHERE id IN "
                                                     f"({', '.join('?' * len(chunk))})", chunk))
            finally:
                if own:
                    rows.execute("ROLLBACK")
        return (dropped, last), _in_comparison_order(pairs, compared), whole

    def copy_pairs(self, article_id: str | None = None) -> list[tuple[str, str]]:
        """The verified pairs of copies (`service.reprints`): all of them, or those of the group of one article
        (followed from pair to pair)."""
        conn = self._connect()
        with self.scanning():
            if article_id is None:
                return [(row[0], row[1]) for row in conn.execute("SELECT a, b FROM reprint_pairs")]
            pairs: set[tuple[str, str]] = set()
            seen, todo = {article_id}, [article_id]
            while todo:
                current = todo.pop()
                for a, b in conn.execute("SELECT a, b FROM reprint_pairs WHERE a = ? UNION "
                                         "SELECT a, b FROM reprint_pairs WHERE b = ?", (current, current)):
                    pairs.add((a, b))
                    for other in (a, b):
                        if other not in seen:
                            seen.add(other)
                            todo.append(other)
            return sorted(pairs)
