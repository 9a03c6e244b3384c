"""The people, places and organisations each stored article names, kept in the article store.

Recognising them (`text.entities`, about 0.2 MB of text a second on one core) is several times slower than the
rest of ingest, so ingest does not wait for it: `Engine.update_entities` reads the articles the recogniser has
not read yet (or not in their present text) a batch at a time and commits each batch, so it can be stopped
anywhere and run again, and running it twice changes nothing. `coverage()` says how far it has got.

Each article keeps one row per name and type (`mentions`), the name folded as the analyzer folds it, so
`person:習近平` and `person:习近平` are one person; `mentions_read` records which text of which article was read
by which recogniser. The store's triggers drop both when an article's row is deleted or replaced.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .errors import QueryError
from .store import TableBeside, begin_write

# Changes whenever the recogniser would find other mentions in the same text: articles read by an older one are
# read again.
VERSION = "lac-rules-2"

# The kinds as the query syntax, the URLs and the facets name them, and the recogniser's types.
KINDS = {"person": "PER", "place": "LOC", "org": "ORG"}
TYPE_KINDS = {value: key for key, value in KINDS.items()}
_KIND_ALIASES = {"per": "person", "loc": "place", "people": "person", "organisation": "org",
                 "organization": "org", "人物": "person", "地点": "place", "机构": "org", "機構": "org",
                 "地點": "place"}
MAX_NAME_CHARS = 100


def check_kind(value: object) -> str:
    """`person`, `place` or `org` for any of their spellings (PER, LOC, ORG, 人物, 地点, 机构); QueryError
    naming the choices otherwise."""
    if isinstance(value, str):
        key = value.strip().lower()
        key = _KIND_ALIASES.get(key, key)
        if key in KINDS:
            return key
    raise QueryError(f"entity type must be person, place or org (or PER, LOC, ORG), got {str(value)[:40]!r}",
                     code="bad_entity_type")


def check_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QueryError("entity name is empty: give the name of a person, place or organisation",
                         code="bad_entity_name")
    if len(value.strip()) > MAX_NAME_CHARS:
        raise QueryError(f"entity name is {len(value.strip())} characters long; the limit is {MAX_NAME_CHARS}",
                         code="bad_entity_name")
    return value.strip()


@dataclass(frozen=True)
class Coverage:
    articles: int  # stored
    covered: int  # whose present text the present recogniser has read
    mentions: int  # rows: (article, type, name)

    @property
    def pending(self) -> int:
        return self.articles - self.covered

    def to_dict(self) -> dict:
        return {"articles": self.articles, "covered": self.covered, "pending": self.pending, "mentions": self.mentions,
                "version": VERSION}


@dataclass(frozen=True)
class Named:
    """What one article names: (type, folded name) -> (count, text as first written)."""

    article_id: str
    content_hash: str
    names: dict[tuple[str, str], tuple[int, str]]


def tally(article_id: str, content_hash: str, found: Iterable[tuple[str, str]],
          fold: Callable[[str], str]) -> Named:
    """(type, text) mentions of one article, counted by folded name."""
    counts: Counter = Counter()
    first: dict[tuple[str, str], str] = {}
    for entity_type, text in found:
        name = fold(text).strip()
        if not name:
            continue
        key = (entity_type, name)
        counts[key] += 1
        first.setdefault(key, text.strip())
    return Named(article_id, content_hash, {key: (count, first[key]) for key, count in counts.items()})


class Mentions(TableBeside):
    """The `mentions` and `mentions_read` tables (made by the store's migrations, `store.Store`)."""

    def unread(self, limit: int, after: int = 0) -> list[tuple[int, str]]:
        """(seq, id) of up to `limit` articles past ingest position `after` whose present text the present
        recogniser has not read, in ingest order."""
        return [(row[0], row[1]) for row in self._connect().execute(
            "SELECT a.seq, a.id FROM articles a LEFT JOIN mentions_read r ON r.article_id = a.id "
            "WHERE a.seq > ? AND (r.article_id IS NULL OR r.content_hash != a.content_hash OR r.version != ?) "
            "ORDER BY a.seq LIMIT ?", (after, VERSION, limit))]

    def put(self, named: Sequence[Named]) -> int:
        """Store what these articles name, in one transaction, replacing what was stored for them. An article
        whose text changed (or that was deleted) since it was read is left for the next pass: how many were
        stored."""
        conn = self._connect()
        begin_write(conn, self.path)
        try:
            stored = 0
            for item in named:
                row = conn.execute("SELECT content_hash FROM articles WHERE id = ?", (item.article_id,)).fetchone()
                if row is None or row[0] != item.content_hash:
                    continue
                conn.execute("DELETE FROM mentions WHERE article_id = ?", (item.article_id,))
                conn.executemany("INSERT INTO mentions(article_id, type, name, text, count) VALUES (?, ?, ?, ?, ?)",
                                 [(item.article_id, entity_type, name, text, count)
                                  for (entity_type, name), (count, text) in item.names.items()])
                conn.execute("INSERT OR REPLACE INTO mentions_read(article_id, content_hash, version) "
                             "VALUES (?, ?, ?)", (item.article_id, item.content_hash, VERSION))
                stored += 1
            # What a cached tally of the mentions (`EntityTable`) was made from is then known to be old.
            conn.execute("INSERT INTO meta(key, value) VALUES ('mentions_revision', '1') ON CONFLICT(key) "
                         "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            conn.commit()
            return stored
        except BaseException:
            conn.rollback()
            raise

    def coverage(self) -> Coverage:
        conn = self._connect()
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        covered = conn.execute("SELECT COUNT(*) FROM articles a JOIN mentions_read r ON r.article_id = a.id "
                            "AND r.content_hash = a.content_hash AND r.version = ?", (VERSION,)).fetchone()[0]
        mentions = conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        return Coverage(int(articles), int(covered), int(mentions))

    def ids_naming(self, entity_type: str, names: Iterable[str]) -> list[str]:
        """Ids of the articles that name any of these (folded) names of this type."""
        names = list(dict.fromkeys(names))
        if not names:
            return []
        rows = self._connect().execute(
            f"SELECT DISTINCT article_id FROM mentions WHERE type = ? AND name IN ({', '.join('?' * len(names))})",
            (entity_type, *names)).fetchall()
        return [row[0] for row in rows]

    def all_rows(self) -> Iterable[tuple[str, str, str, str]]:
        """(article_id, type, name, text) of every mention row."""
        return self._connect().execute("SELECT article_id, type, name, text FROM mentions")

    def revision(self) -> int:
        """Counts the batches of mentions stored (mentions dropped with their articles change the store's own
        revision instead)."""
        row = self._connect().execute("SELECT value FROM meta WHERE key = 'mentions_revision'").fetchone()
        return int(row[0]) if row else 0

    def articles_naming(self, entity_type: str, name: str) -> list[tuple[str, str | None]]:
        """(id, date) of every article naming one folded name."""
        return [(row[0], row[1]) for row in self._connect().execute(
            "SELECT a.id, a.date FROM mentions m JOIN articles a ON a.id = m.article_id "
            "WHERE m.type = ? AND m.name = ?", (entity_type, name))]

    def named_with(self, article_ids: Sequence[str], entity_type: str, name: str) -> list[tuple[str, str, int]]:
        """(type, folded name, articles) of every other name in these articles, most articles first."""
        counts: Counter = Counter()
        conn = self._connect()
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start:start + 500])
            for row in conn.execute(f"SELECT type, name FROM mentions WHERE article_id IN "
                                    f"({', '.join('?' * len(chunk))})", chunk):
                if (row[0], row[1]) != (entity_type, name):
                    counts[(row[0], row[1])] += 1
        return [(t, n, c) for (t, n), c in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]

    def texts_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The most common written form of each (type, folded name); on a tie, the folded name itself if the
        articles write it so, else the first in code point order."""
        conn = self._connect()
        out = {}
        for entity_type, name in keys:
            row = conn.execute("SELECT text FROM mentions WHERE type = ? AND name = ? GROUP BY text "
                               "ORDER BY COUNT(*) DESC, text = ? DESC, text LIMIT 1", (entity_type, name, name)).fetchone()
            out[(entity_type, name)] = row[0] if row else name
        return out


class EntityTable:
    """Every mention row as two arrays over the document numbers of one index generation: counting the names
    of a result set is then array work, whatever its size."""

    def __init__(self, doc_ids: Sequence[str], rows: Iterable[tuple[str, str, str, str]]):
        import numpy as np

        numbers = {doc_id: n for n, doc_id in enumerate(doc_ids)}
        codes: dict[tuple[str, str], int] = {}
        spellings: list[Counter] = []
        docs, names = [], []
        for article_id, entity_type, name, text in rows:
            n = numbers.get(article_id)
            if n is None:  # stored after this generation was built
                continue
            code = codes.setdefault((entity_type, name), len(codes))
            if code == len(spellings):
                spellings.append(Counter())
            spellings[code][text] += 1
            docs.append(n)
            names.append(code)
        self._np = np
        self.size = len(doc_ids)
        self.docs = np.asarray(docs, dtype=np.int32)
        self.codes = np.asarray(names, dtype=np.int32)
        self.keys = list(codes)
        # Each name as the articles most often write it; on a tie, as folded (Simplified), as `texts_of` does.
        self.texts = [max(sorted(counts), key=lambda text: (counts[text], text == key[1]))
                      for counts, key in zip(spellings, codes)]
        self.types = np.asarray([["PER", "LOC", "ORG"].index(t) for t, _ in self.keys], dtype=np.int8)

    def count(self, candidates, kinds: Sequence[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        """The `limit` names of each kind most often named by the `candidates` (document numbers), as
        (text as most often written, articles)."""
        np = self._np
        selected = np.zeros(self.size, dtype=bool)
        selected[candidates] = True
        tally = np.bincount(self.codes[selected[self.docs]], minlength=len(self.keys)) if self.keys else \
            np.zeros(0, dtype=np.int64)
        out = {}
        for kind in kinds:
            mine = np.flatnonzero((self.types == ["PER", "LOC", "ORG"].index(KINDS[kind])) & (tally > 0))
            order = mine[np.lexsort((mine, -tally[mine]))][:limit]
            out[kind] = [(self.texts[code], int(tally[code])) for code in order]
        return out


@dataclass(frozen=True)
class EntityArticle:
    id: str
    title: str
    date: str | None
    section: str | None
    summary: str
    printings: int = 0  # the story's other printings that name it too, listed on the article's page

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date, "section": self.section,
                "summary": self.summary, "printings": self.printings}


@dataclass(frozen=True)
class EntityView:
    """One person, place or organisation: how often the archive names it, month by month, what it is named
    with, and a page of the articles naming it."""

    kind: str  # person, place or org
    name: str  # as the articles most often write it (in the script asked for)
    key: str  # folded: what `person:` and the URL match
    total: int  # articles naming it
    months: list[tuple[str, int]]  # (YYYY-MM, articles)
    undated: int  # articles without a month
    named_with: dict[str, list[tuple[str, int]]]  # kind -> (name, articles naming both), most first
    named_with_over: int  # the articles the co-occurrences were counted over (the newest, at most a cap)
    articles: list[EntityArticle]
    sort: str  # newest or oldest
    offset: int
    k: int
    unread: int = 0  # stored articles not yet read for names: the counts above may grow
    stories: int | None = None  # the stories of the articles naming it, each listed once (None: as total)

    @property
    def type(self) -> str:
        return KINDS[self.kind]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "type": self.type, "name": self.name, "key": self.key, "total": self.total,
                "months": [{"month": month, "count": count} for month, count in self.months],
                "undated": self.undated,
                "named_with": {kind: [{"name": name, "count": count} for name, count in pairs]
                               for kind, pairs in self.named_with.items()},
                "named_with_over": self.named_with_over, "sort": self.sort, "offset": self.offset, "k": self.k,
                "articles": [article.to_dict() for article in self.articles], "unread": self.unread,
                "stories": self.total if self.stories is None else self.stories}
