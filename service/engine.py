"""The one facade the web app, the CLI and the tests drive: ingest, search, read, summarize."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import config as config_module
from .articles import Article, check_id
from .errors import IndexUnusable, InputError, NotFound, QueryError
from .extras import Extras, ExtrasStore
from .highlight import highlight_spans
from .index import storage
from .index.bm25 import BM25Params
from .index.postings import Postings, build, rank
from .ingest.formats import Problem
from .ingest.pages import Page, split_page
from .ingest.sources import read_paths, read_text_file
from .keywords import Rarity, background_idf, keywords
from .store import Store
from . import summarize as summary_module
from .summarize import Summary, summarize
from .text.analyzer import Analyzer

STORE_FILE = "articles.sqlite3"
INDEX_DIR = "index"
# Bump when a change to summaries or keywords should redo the ones stored.
EXTRAS_VERSION = 1
MAX_SUMMARY_CHARS = 100_000


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    article: Article
    summary: Summary
    title_highlights: list[tuple[int, int]]

    def to_dict(self) -> dict:
        a = self.article
        return {"id": a.id, "rank": self.rank, "score": self.score, "title": a.title, "date": a.date,
                "section": a.section, "page": a.page, "authors": list(a.authors), "kind": a.kind,
                "summary": self.summary.text, "highlights": [list(s) for s in self.summary.highlights],
                "title_highlights": [list(s) for s in self.title_highlights]}


@dataclass(frozen=True)
class SearchResults:
    query: str
    terms: list[str]
    total: int
    offset: int
    k: int
    took_ms: float
    hits: list[Hit]

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "offset": self.offset, "k": self.k,
                "took_ms": round(self.took_ms, 3), "terms": self.terms,
                "results": [hit.to_dict() for hit in self.hits]}


@dataclass(frozen=True)
class RelatedArticle:
    article: Article
    score: float
    summary: str

    def to_dict(self) -> dict:
        a = self.article
        return {"id": a.id, "title": a.title, "date": a.date, "section": a.section, "page": a.page,
                "kind": a.kind, "score": self.score, "summary": self.summary}


@dataclass
class IngestReport:
    files: int = 0
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    index_generation: str | None = None

    def to_dict(self) -> dict:
        return {"files": self.files, "added": self.added, "replaced": self.replaced,
                "unchanged": len(self.unchanged), "skipped": len(self.problems),
                "problems": [str(p) for p in self.problems], "warnings": self.warnings,
                "index_generation": self.index_generation}


class Engine:
    def __init__(self, config: config_module.Config, analyzer: Analyzer | None = None):
        self.config = config
        self.analyzer = analyzer or Analyzer.from_config(config)
        self.params = BM25Params(k1=config.bm25_k1, b=config.bm25_b, epsilon=config.bm25_epsilon)
        self.store = Store(config.data_dir / STORE_FILE)
        self.extras = ExtrasStore(config.data_dir / STORE_FILE)
        self.index_dir = config.data_dir / INDEX_DIR
        self._loaded: tuple[str, Postings] | None = None
        self._load_lock = threading.Lock()

    @classmethod
    def open(cls, config: config_module.Config | None = None) -> "Engine":
        return cls(config or config_module.load())

    def close(self) -> None:
        self.extras.close()
        self.store.close()

    def warm_up(self) -> None:
        """Load the dictionary, the word rarity table and the index now, so the first search is not the slow one."""
        self.analyzer.terms("预热")
        background_idf()  # summaries and keywords rank words by it
        self.postings()

    # --- writing -----------------------------------------------------------------------------------------

    def ingest(self, paths: list[Path]) -> IngestReport:
        """Read pages and article files into the store, then make the index follow."""
        read = read_paths([Path(p) for p in paths])
        counts = self.store.upsert(read.articles)
        self.store.record_ingest(read.files, counts, len(read.problems))
        report = IngestReport(files=read.files, added=counts.added, replaced=counts.replaced,
                              unchanged=counts.unchanged, problems=read.problems, warnings=read.warnings,
                              titles={a.id: a.title for a in read.articles})
        if counts.added or counts.replaced or not self.has_index():
            report.index_generation = self.reindex()
        else:
            self.refresh_extras()
        return report

    def reindex(self) -> str:
        """Build a new index generation from every stored article and make it live."""
        documents = ((a.id, self.analyzer.terms(a.title) + self.analyzer.terms(a.body))
                     for a in self.store.iter_articles())
        postings = build(documents, self.params)
        generation = storage.save(postings, self.index_dir, self.analyzer.fingerprint)
        self.refresh_extras()
        return generation

    # --- summaries and keywords kept per article ---------------------------------------------------------

    @property
    def extras_fingerprint(self) -> str:
        """Changes whenever the stored summaries or keywords would come out differently."""
        c = self.config
        description = [EXTRAS_VERSION, self.analyzer.fingerprint, c.summary_sentences, c.summary_max_chars,
                       c.keywords_count, summary_module.SALIENCE_WEIGHTS]
        return hashlib.sha256(json.dumps(description).encode("utf-8")).hexdigest()[:16]

    def _rarity(self) -> Rarity:
        """Word rarity from general Chinese and, when there is a usable index, this archive."""
        try:
            postings = self.postings()
        except IndexUnusable:
            return Rarity()
        return Rarity(postings.doc_freq, postings.n_docs)

    def _work_out_extras(self, article: Article, rarity: Rarity) -> Extras:
        # One analysis of the body serves both the summary and the keywords.
        body_tokens = self.analyzer.analyze(article.body)
        summary = summarize(self.analyzer, article.body, sentences=self.config.summary_sentences,
                            max_chars=self.config.summary_max_chars, title=article.title, tokens=body_tokens)
        words = keywords(article.title, self.analyzer.analyze(article.title), article.body, body_tokens, rarity,
                         self.config.keywords_count)
        return Extras(summary.text, [(k.term, k.text, k.weight) for k in words])

    def refresh_extras(self, batch: int = 500) -> int:
        """Work out and store the summary and keywords of every article lacking current ones."""
        fingerprint = self.extras_fingerprint
        self.extras.prune()
        stale = self.extras.stale_ids(fingerprint)
        rarity = self._rarity() if stale else None
        for start in range(0, len(stale), batch):
            articles = self.store.get_many(stale[start:start + batch])
            self.extras.put_many((a.id, a.content_hash, fingerprint, self._work_out_extras(a, rarity))
                                 for a in articles.values())
        return len(stale)

    def extras_of(self, articles: list[Article]) -> dict[str, Extras]:
        """Stored summaries and keywords, worked out now (not stored) for articles whose are missing."""
        found = self.extras.get_many([a.id for a in articles], self.extras_fingerprint)
        missing = [a for a in articles if a.id not in found]
        if missing:
            rarity = self._rarity()
            for article in missing:
                found[article.id] = self._work_out_extras(article, rarity)
        return found

    def keywords(self, article_id: str) -> list[str]:
        """The article's keywords as written in it, best first."""
        article = self.article(article_id)
        return self.extras_of([article])[article.id].keyword_texts

    def related(self, article_id: str, k: int | None = None) -> list[RelatedArticle]:
        """The articles most like this one (its keywords as a BM25 query), itself left out."""
        article = self.article(article_id)
        k = self.config.related_default_k if k is None else k
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= self.config.search_max_k:
            raise QueryError(f"k must be a whole number from 1 to {self.config.search_max_k}, got {k!r}",
                             code="bad_k")
        terms = [term for term, _, _ in self.extras_of([article])[article.id].keywords]
        if not terms:
            return []
        postings = self.postings()
        candidates, scores = rank(*postings.score(terms))
        picked: list[tuple[str, float]] = []
        for number, score in zip(candidates, scores):
            other = postings.doc_ids[int(number)]
            if other != article.id and score > 0:
                picked.append((other, float(score)))
                if len(picked) == k:
                    break
        found = self.store.get_many([other for other, _ in picked])
        kept = [(found[other], score) for other, score in picked if other in found]
        extras = self.extras_of([a for a, _ in kept])
        return [RelatedArticle(a, score, extras[a.id].summary) for a, score in kept]

    # --- reading -----------------------------------------------------------------------------------------

    def has_index(self) -> bool:
        return storage.current_generation(self.index_dir) is not None

    def postings(self) -> Postings:
        """The live index, reopened when another process has switched generations."""
        live = storage.current_generation(self.index_dir)
        loaded = self._loaded
        if loaded is not None and loaded[0] == live:
            return loaded[1]
        with self._load_lock:
            if self._loaded is None or self._loaded[0] != storage.current_generation(self.index_dir):
                self._loaded = storage.load(self.index_dir, self.analyzer.fingerprint, self.params)
            return self._loaded[1]

    def check_query(self, query: object) -> str:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("query is empty: give one or more words to search for", code="empty_query")
        query = query.strip()
        limit = self.config.search_max_query_chars
        if len(query) > limit:
            raise QueryError(f"query is {len(query)} characters long; the limit is {limit} "
                             "(search.max_query_chars)", code="query_too_long")
        return query

    def search(self, query: str, k: int | None = None, offset: int = 0, *,
               summaries: bool = True) -> SearchResults:
        """Ranked articles for `query`; `summaries=False` skips summaries and highlights (batch runs)."""
        started = time.perf_counter()
        query = self.check_query(query)
        k = self.config.search_default_k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= self.config.search_max_k:
            raise QueryError(f"k must be a whole number from 1 to {self.config.search_max_k}, got {k!r}",
                             code="bad_k")
        if not isinstance(offset, int) or not 0 <= offset <= self.config.search_max_offset:
            raise QueryError(f"offset must be a whole number from 0 to {self.config.search_max_offset}, "
                             f"got {offset!r}", code="bad_offset")
        terms = self.analyzer.terms(query)
        postings = self.postings()
        candidates, scores = rank(*postings.score(terms))
        page = slice(offset, offset + k)
        ids = [postings.doc_ids[int(n)] for n in candidates[page]]
        articles = self.store.get_many(ids)
        # Summaries for the query are worked out while the time budget lasts; hits past it show the summary
        # stored at ingest, so a page of long articles cannot hold the answer up.
        deadline = started + self.config.summary_query_budget_ms / 1000
        stored: dict[str, Extras] | None = None
        hits = []
        for position, (article_id, score) in enumerate(zip(ids, scores[page]), start=offset + 1):
            article = articles.get(article_id)
            if article is None:  # deleted from the store after this index generation was built
                continue
            if not summaries:
                summary, title_spans = Summary("", [], []), []
            elif time.perf_counter() < deadline:
                summary = summarize(self.analyzer, article.body, sentences=self.config.summary_sentences,
                                    max_chars=self.config.summary_max_chars, query_terms=terms,
                                    title=article.title)
                title_spans = highlight_spans(self.analyzer, article.title, terms)
            else:
                if stored is None:
                    stored = self.extras.get_many(ids, self.extras_fingerprint)
                extras = stored.get(article_id) or self.extras_of([article])[article_id]
                summary = Summary(extras.summary, [], [])
                title_spans = highlight_spans(self.analyzer, article.title, terms)
            hits.append(Hit(rank=position, score=float(score), article=article, summary=summary,
                            title_highlights=title_spans))
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResults(query=query, terms=list(dict.fromkeys(terms)), total=int(candidates.size),
                             offset=offset, k=k, took_ms=took_ms, hits=hits)

    def article(self, article_id: str) -> Article:
        try:
            check_id(article_id)
        except InputError as exc:
            raise NotFound(f"no article with id {article_id!r}", code="article_not_found") from exc
        return self.store.get(article_id)

    def highlight(self, text: str, query: str | None) -> list[tuple[int, int]]:
        if not query or not query.strip():
            return []
        return highlight_spans(self.analyzer, text, self.analyzer.terms(query))

    def summarize(self, text: str, *, sentences: int | None = None, query: str | None = None,
                  max_chars: int | None = None, title: str | None = None) -> Summary:
        """An extractive summary of any text.

        The budget is `sentences`, `max_chars`, or both; with neither, `summary.sentences` sentences. With a
        query, sentences holding its terms are preferred and the terms marked; a title, when given, steers
        the choice towards what it names.
        """
        if not isinstance(text, str):
            raise InputError("text to summarize must be a string", code="bad_text")
        if title is not None and not isinstance(title, str):
            raise InputError("title must be a string", code="bad_title")
        if sentences is None and max_chars is None:
            sentences = self.config.summary_sentences
        if sentences is not None and (not isinstance(sentences, int) or isinstance(sentences, bool)
                                      or not 1 <= sentences <= 100):
            raise QueryError(f"sentences must be a whole number from 1 to 100, got {sentences!r}",
                             code="bad_sentences")
        if max_chars is not None and (not isinstance(max_chars, int) or isinstance(max_chars, bool)
                                      or not 1 <= max_chars <= MAX_SUMMARY_CHARS):
            raise QueryError(f"max_chars must be a whole number from 1 to {MAX_SUMMARY_CHARS}, got {max_chars!r}",
                             code="bad_max_chars")
        if query is not None and not isinstance(query, str):
            raise QueryError("query must be a string", code="bad_query")
        terms = self.analyzer.terms(query) if query else []
        return summarize(self.analyzer, text, sentences=sentences, max_chars=max_chars, query_terms=terms,
                         title=title or None)

    def split_file(self, path: Path) -> Page:
        return split_page(read_text_file(Path(path)))

    def stats(self) -> dict:
        generation = storage.current_generation(self.index_dir)
        index_bytes = 0
        if generation:
            index_bytes = sum(p.stat().st_size for p in (self.index_dir / generation).iterdir())
        return {"articles": self.store.count(), "index_generation": generation, "index_bytes": index_bytes,
                "last_ingest": self.store.last_ingest(), "analyzer": self.analyzer.fingerprint}
