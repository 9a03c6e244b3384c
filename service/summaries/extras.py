"""What is worked out once per article at ingest and kept: its generic summary, its keywords, and what a
summary for any query needs from the article's analysis (`summaries.data.SummaryData`, in its compact form), so
that a search makes its hits' summaries without analysing their text again.

They live in their own table, `article_extras`, in the article store's SQLite file (made by the store's
migrations), next to `articles` but never altering it. A row is current while the article's content hash and
the fingerprint of what produced it (analyzer, summary and keyword settings) are unchanged; anything else is
recomputed at the next ingest or reindex, and until then worked out when asked for.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..articles import Article
from ..store import TableBeside
from ..text.analyzer import Analyzer, Token
from .data import packed, prepare, stored_summary
from .keywords import Rarity, keywords, whole_words


@dataclass(frozen=True)
class Extras:
    summary: str
    keywords: list[tuple[str, str, float]]  # (folded term, as written, weight), best first
    summary_data: bytes | None = None  # SummaryData.to_bytes() of the body; None: not kept (an older row)

    @property
    def keyword_texts(self) -> list[str]:
        return [text for _, text, _ in self.keywords]


class ExtrasStore(TableBeside):
    """The `article_extras` table (made by the store's migrations, `store.Store`)."""

    row_factory = sqlite3.Row

    def stale_ids(self, fingerprint: str) -> list[str]:
        """Articles whose extras are missing or out of date, in ingest order."""
        rows = self._connect().execute(
            "SELECT a.id FROM articles a LEFT JOIN article_extras x ON x.id = a.id "
            "WHERE x.id IS NULL OR x.content_hash != a.content_hash OR x.fingerprint != ? "
            "OR x.summary_data IS NULL ORDER BY a.seq",
            (fingerprint,)).fetchall()
        return [row["id"] for row in rows]

    def put_many(self, rows: Iterable[tuple[str, str, str, Extras]]) -> None:
        """(id, content_hash, fingerprint, extras) rows, written in one transaction."""
        conn = self._connect()
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO article_extras(id, content_hash, fingerprint, summary, keywords, "
                "summary_data) VALUES (?, ?, ?, ?, ?, ?)",
                [(article_id, content_hash, fingerprint, extras.summary,
                  json.dumps([list(k) for k in extras.keywords], ensure_ascii=False), extras.summary_data)
                 for article_id, content_hash, fingerprint, extras in rows])

    def prune(self) -> int:
        """Forget the extras of articles no longer in the store."""
        conn = self._connect()
        with conn:
            cursor = conn.execute("DELETE FROM article_extras WHERE id NOT IN (SELECT id FROM articles)")
        return cursor.rowcount

    def _current_rows(self, columns: str, article_ids: list[str], fingerprint: str) -> Iterable[tuple]:
        """(id, *columns) of the current extras rows of those articles, as plain tuples."""
        cursor = self._connect().cursor()
        cursor.row_factory = None
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            yield from cursor.execute(
                f"SELECT x.id, {columns} FROM article_extras x JOIN articles a ON a.id = x.id "
                f"WHERE x.id IN ({', '.join('?' * len(chunk))}) AND x.content_hash = a.content_hash "
                "AND x.fingerprint = ?", (*chunk, fingerprint)).fetchall()

    def get_many(self, article_ids: list[str], fingerprint: str) -> dict[str, Extras]:
        """The current extras of those articles that have them."""
        rows = self._current_rows("x.summary, x.keywords, x.summary_data", article_ids, fingerprint)
        return {id_: Extras(summary, [tuple(k) for k in json.loads(keywords)], summary_data)
                for id_, summary, keywords, summary_data in rows}

    def keywords_many(self, article_ids: list[str], fingerprint: str) -> dict[str, list[tuple[str, str]]]:
        """(folded term, as written) of the keywords of those articles that have them, made by `fingerprint`,
        whether or not the article has changed since: without the check against each article's content hash,
        which reads the whole article row, long bodies and all. For words to weigh afresh, not to show as an
        article's own."""
        cursor = self._connect().cursor()
        cursor.row_factory = None
        found = {}
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start:start + 500]
            for id_, words in cursor.execute(
                    f"SELECT id, keywords FROM article_extras WHERE id IN ({', '.join('?' * len(chunk))}) "
                    "AND fingerprint = ?", (*chunk, fingerprint)):
                found[id_] = [(term, text) for term, text, _ in json.loads(words)]
        return found

    def summaries_many(self, article_ids: list[str], fingerprint: str) -> dict[str, tuple[str, bytes | None]]:
        """(generic summary, summary data) of the current extras of those articles: what a page of hits needs,
        without reading their keywords."""
        rows = self._current_rows("x.summary, x.summary_data", article_ids, fingerprint)
        return {id_: (summary, summary_data) for id_, summary, summary_data in rows}


@dataclass(frozen=True)
class ExtrasSettings:
    """The settings an article's extras depend on."""

    summary_sentences: int = 2
    summary_max_chars: int = 160
    keywords_count: int = 10

    @classmethod
    def from_config(cls, config) -> "ExtrasSettings":
        return cls(config.summary_sentences, config.summary_max_chars, config.keywords_count)


def work_out_extras(analyzer: Analyzer, settings: ExtrasSettings, article: Article, rarity: Rarity, *,
                    body_tokens: Sequence[Token] | None = None,
                    title_tokens: Sequence[Token] | None = None) -> Extras:
    """An article's summary, keywords and summary data, from one analysis of its body and title.

    A plain function of its arguments, so a worker process of an ingest can call it; `body_tokens` and
    `title_tokens` are `analyzer.analyze` of the body and the title when the caller already has them.
    """
    if body_tokens is None:
        body_tokens = analyzer.analyze(article.body)
    if title_tokens is None:
        title_tokens = analyzer.analyze(article.title)
    # The summary and the keywords both read the whole words (search mode's sub-words left out).
    body_words = whole_words(body_tokens)
    title_words = whole_words(title_tokens)
    blob = packed(analyzer, article.body, title=article.title, tokens=body_tokens, title_tokens=title_tokens,
                  words=body_words, title_words=title_words, kind=article.kind)
    # The generic summary from the compact form, as a search makes a hit's: its compiled chooser reads it faster
    # than the summary data is walked.
    made = stored_summary(blob, article.body, sentences=settings.summary_sentences,
                          max_chars=settings.summary_max_chars) if blob else None
    if made is not None:
        summary = made[0]
    else:  # the rare text the compact form cannot hold (a term with a NUL in it)
        summary = prepare(analyzer, article.body, title=article.title, tokens=body_tokens,
                          title_tokens=title_tokens, words=body_words, title_words=title_words,
                          kind=article.kind).summary(
            article.body, sentences=settings.summary_sentences, max_chars=settings.summary_max_chars)
    words = keywords(article.title, title_tokens, article.body, body_tokens, rarity, settings.keywords_count,
                     title_words=title_words, body_words=body_words)
    return Extras(summary.text, [(k.term, k.text, k.weight) for k in words], b"" if blob is None else blob)
