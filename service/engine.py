"""The one facade the web app, the CLI and the tests drive: ingest, search, read, summarize."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import config as config_module
from .articles import Article, check_id
from .display import Display, check_script
from .errors import InputError, NotFound, QueryError
from .facets import DocumentFields, Facets, Filters, check_filters
from .highlight import highlight_spans
from .index import storage
from .index.bm25 import BM25Params
from .index.postings import Postings, build, rank
from .ingest.formats import Problem
from .ingest.pages import Page, split_page
from .ingest.sources import read_paths, read_text_file
from .store import Store
from .summarize import Summary, summarize
from .text.analyzer import Analyzer

STORE_FILE = "articles.sqlite3"
INDEX_DIR = "index"


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
    script: str | None = None  # the script titles, summaries and sections are shown in; None: as stored
    filters: Filters = field(default_factory=Filters)
    facets: Facets | None = None  # counts of all `total` matches, when asked for

    def to_dict(self) -> dict:
        data = {"query": self.query, "total": self.total, "offset": self.offset, "k": self.k,
                "took_ms": round(self.took_ms, 3), "terms": self.terms,
                "results": [hit.to_dict() for hit in self.hits],
                "script": self.script, "filters": self.filters.to_dict()}
        if self.facets is not None:
            data["facets"] = self.facets.to_dict()
        return data


@dataclass(frozen=True)
class ArticleView:
    """An article to read: in the display script, with the query's terms located in title and paragraphs."""

    article: Article
    script: str | None
    terms: list[str]
    title_highlights: list[tuple[int, int]]
    paragraphs: list[tuple[str, list[tuple[int, int]]]]

    def to_dict(self) -> dict:
        data = self.article.to_dict()
        data["paragraphs"] = [text for text, _ in self.paragraphs]
        data.update({"script": self.script, "terms": self.terms,
                     "title_highlights": [list(span) for span in self.title_highlights],
                     "paragraph_highlights": [[list(span) for span in spans] for _, spans in self.paragraphs]})
        return data


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
        self.index_dir = config.data_dir / INDEX_DIR
        self._loaded: tuple[str, Postings] | None = None
        self._load_lock = threading.Lock()
        self._fields: tuple[Postings, DocumentFields] | None = None
        self._fields_lock = threading.Lock()
        self.display = Display(self.analyzer, config.display_traditional)

    @classmethod
    def open(cls, config: config_module.Config | None = None) -> "Engine":
        return cls(config or config_module.load())

    def close(self) -> None:
        self.store.close()

    def warm_up(self) -> None:
        """Load the segmenter's dictionary and the index now, so the first search is not the slow one."""
        self.analyzer.terms("预热")
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
        return report

    def reindex(self) -> str:
        """Build a new index generation from every stored article and make it live."""
        documents = ((a.id, self.analyzer.terms(a.title) + self.analyzer.terms(a.body))
                     for a in self.store.iter_articles())
        postings = build(documents, self.params)
        return storage.save(postings, self.index_dir, self.analyzer.fingerprint)

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

    def document_fields(self, postings: Postings) -> DocumentFields:
        """Dates and sections by document number for `postings`' generation, read from the store once."""
        cached = self._fields
        if cached is not None and cached[0] is postings:
            return cached[1]
        with self._fields_lock:
            if self._fields is None or self._fields[0] is not postings:
                fields = DocumentFields(postings.doc_ids, self.store.iter_dates_and_sections(), self.analyzer.fold)
                self._fields = (postings, fields)
            return self._fields[1]

    def check_query(self, query: object) -> str:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("query is empty: give one or more words to search for", code="empty_query")
        query = query.strip()
        limit = self.config.search_max_query_chars
        if len(query) > limit:
            raise QueryError(f"query is {len(query)} characters long; the limit is {limit} "
                             "(search.max_query_chars)", code="query_too_long")
        return query

    def search(self, query: str, k: int | None = None, offset: int = 0, *, summaries: bool = True,
               script: str | None = None, date_from: str | None = None, date_to: str | None = None,
               section: str | None = None, facets: bool = False) -> SearchResults:
        """Ranked articles for `query`; `summaries=False` skips summaries and highlights (batch runs).

        `date_from`/`date_to` (YYYY-MM-DD, YYYY-MM or YYYY) and `section` narrow the ranking; `facets=True`
        counts all the matches by month, day and section; `script` ("simplified" or "traditional") converts
        titles, summaries, authors and sections for display, highlight spans moved along.
        """
        started = time.perf_counter()
        query = self.check_query(query)
        script = check_script(script)
        filters = check_filters(date_from, date_to, section)
        k = self.config.search_default_k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= self.config.search_max_k:
            raise QueryError(f"k must be a whole number from 1 to {self.config.search_max_k}, got {k!r}",
                             code="bad_k")
        if not isinstance(offset, int) or not 0 <= offset <= self.config.search_max_offset:
            raise QueryError(f"offset must be a whole number from 0 to {self.config.search_max_offset}, "
                             f"got {offset!r}", code="bad_offset")
        terms = self.analyzer.terms(query)
        postings = self.postings()
        candidates, scores = postings.score(terms)
        fields = self.document_fields(postings) if filters.active or facets else None
        if filters.active:
            keep = fields.keep(candidates, filters)
            candidates, scores = candidates[keep], scores[keep]
        counts = None
        if facets:
            counts = fields.count(candidates)
            if script:
                counts = counts.with_section_names(lambda name: self.display.text(name, script))
        candidates, scores = rank(candidates, scores)
        page = slice(offset, offset + k)
        ids = [postings.doc_ids[int(n)] for n in candidates[page]]
        articles = self.store.get_many(ids)
        hits = []
        for position, (article_id, score) in enumerate(zip(ids, scores[page]), start=offset + 1):
            article = articles.get(article_id)
            if article is None:  # deleted from the store after this index generation was built
                continue
            if summaries:
                summary = summarize(self.analyzer, article.body, sentences=self.config.summary_sentences,
                                    max_chars=self.config.summary_max_chars, query_terms=terms)
                title_spans = highlight_spans(self.analyzer, article.title, terms)
            else:
                summary, title_spans = Summary("", [], []), []
            if script:
                title, title_spans = self.display.marked(article.title, title_spans, script, terms)
                text, spans = self.display.marked(summary.text, summary.highlights, script, terms)
                summary = replace(summary, text=text, highlights=spans)
                article = self.display.article(article, script, title=title, body=False)
            hits.append(Hit(rank=position, score=float(score), article=article, summary=summary,
                            title_highlights=title_spans))
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResults(query=query, terms=list(dict.fromkeys(terms)), total=int(candidates.size),
                             offset=offset, k=k, took_ms=took_ms, hits=hits, script=script, filters=filters,
                             facets=counts)

    def archive_facets(self, script: str | None = None) -> Facets:
        """Counts of the whole archive by month, day and section: what the filters can choose from."""
        script = check_script(script)
        counts = self.document_fields(self.postings()).count_all()
        if script:
            counts = counts.with_section_names(lambda name: self.display.text(name, script))
        return counts

    def article(self, article_id: str) -> Article:
        try:
            check_id(article_id)
        except InputError as exc:
            raise NotFound(f"no article with id {article_id!r}", code="article_not_found") from exc
        return self.store.get(article_id)

    def read(self, article_id: str, *, query: str | None = None, script: str | None = None) -> ArticleView:
        """One article to show: in `script`, with the terms of `query` (if any) located in it."""
        script = check_script(script)
        found = self.article(article_id)
        terms = self.analyzer.terms(self.check_query(query)) if query and query.strip() else []
        title, title_spans = self.display.marked(found.title, highlight_spans(self.analyzer, found.title, terms),
                                                 script, terms)
        paragraphs = [self.display.marked(p, highlight_spans(self.analyzer, p, terms), script, terms)
                      for p in found.paragraphs]
        return ArticleView(article=self.display.article(found, script, title=title), script=script,
                           terms=list(dict.fromkeys(terms)), title_highlights=title_spans, paragraphs=paragraphs)

    def highlight(self, text: str, query: str | None) -> list[tuple[int, int]]:
        if not query or not query.strip():
            return []
        return highlight_spans(self.analyzer, text, self.analyzer.terms(query))

    def summarize(self, text: str, *, sentences: int | None = None, query: str | None = None,
                  max_chars: int | None = None) -> Summary:
        if not isinstance(text, str):
            raise InputError("text to summarize must be a string", code="bad_text")
        sentences = self.config.summary_sentences if sentences is None else sentences
        if not isinstance(sentences, int) or not 1 <= sentences <= 100:
            raise QueryError(f"sentences must be a whole number from 1 to 100, got {sentences!r}",
                             code="bad_sentences")
        terms = self.analyzer.terms(query) if query else []
        # Summarising a given text is bounded by sentences alone unless a character budget is asked for.
        budget = max_chars if max_chars is not None else max(len(text), 1)
        return summarize(self.analyzer, text, sentences=sentences, max_chars=budget, query_terms=terms)

    def split_file(self, path: Path) -> Page:
        return split_page(read_text_file(Path(path)))

    def stats(self) -> dict:
        generation = storage.current_generation(self.index_dir)
        index_bytes = 0
        if generation:
            index_bytes = sum(p.stat().st_size for p in (self.index_dir / generation).iterdir())
        return {"articles": self.store.count(), "index_generation": generation, "index_bytes": index_bytes,
                "last_ingest": self.store.last_ingest(), "analyzer": self.analyzer.fingerprint}
