"""The one facade the web app, the CLI and the tests drive: ingest, search, read, summarize."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

import numpy as np

from . import backup as backup_module
from . import browse
from . import export as export_module
from . import reprints
from . import mentions as mentions_module
from . import config as config_module
from .articles import Article, check_id, check_text
from .errors import (IndexUnusable, InputError, NotFound, NotIndexed, NotStored, QueryError, Replaced, StoreDamaged,
                     WriteBusy, disk_full)
from .index import generations, merging, storage
from .index.bm25 import BM25Params
from .index.build import DamagedSource
from .index.channels import SIDE_CHANNELS
from .index.positions import PAIRS
from .index.postings import Postings, rank
from .index.workers import AnalysedBatch, analyse_batch, analyse_in_workers, archive_rarity, batches
from .ingest.formats import FileNotes, Problem, read_records
from .ingest.sources import (FileResult, ReadOptions, check_upload_name, collect_files, iter_files, match_readings,
                             read_bytes, read_text_file)
from .search.display import Display, check_script
from .search.facets import DocumentFields, Facets, Filters, check_filters
from .search.highlight import highlight_spans, merge_spans, partial_spans
from .search.query import check_sort, is_question, parse as parse_query
from .search.ranker import ProximityRanking, Ranker, Ranking, SoftMatch, Weights, plan_query
from .search import significant, trends as trends_module
from .shield import uninterrupted
from .store import Store, UpsertCounts, store_problem
from .summaries.choice import Summary
from .summaries.data import stored_summary, summarize
from .summaries.extras import Extras, ExtrasSettings, ExtrasStore, work_out_extras
from .summaries.keywords import Rarity, background_idf
from .summaries.kinds import KINDS
from .summaries.salience import SALIENCE_WEIGHTS
from .text.analyzer import Analyzer

if TYPE_CHECKING:  # the page splitter is imported by what reads pages, not by every command
    from .ingest.pages import Page

log = logging.getLogger("jiansuo.write")
# The groups of copies last worked out (`reprints.Grouping.save`), beside the index generations: a cache.
GROUPS_CACHE_FILE = "copy-groups.cache"
# The ids a page's articles get (`sources.page_articles`): the page text's hash and the item's position.
_PAGE_ARTICLE_ID = re.compile(r"p[0-9a-f]{16}-\d+")

STORE_FILE = "articles.sqlite3"
INDEX_DIR = "index"
# Bump when a change to summaries or keywords should redo the ones stored.
EXTRAS_VERSION = 2
MAX_SUMMARY_CHARS = 100_000
# Articles analysed together and written as one run of the index: large enough that a big archive makes few
# runs (merging reads every run's term list), small enough that a worker's batch stays well under a gigabyte.
# 7,500 rather than 10,000 since the runs hold positions, sorted a batch at a time: 86 MB less at each worker's
# peak for the same ingest time (bench.scale at 40,000 articles).
ANALYSIS_BATCH = 7500
# Hits an export reads from the store at a time: what it holds at once, however many hits there are.
EXPORT_BATCH = 500
# Articles whose names are recognised together and committed as one: a few seconds' work, so a stopped pass
# loses little, and enough sentences for the tagger's batches of equal length to fill.
ENTITY_BATCH = 64
# Names listed per kind in a search's facets and on an entity's page.
ENTITY_FACET_VALUES = 10
# An entity's co-occurring names are counted over its newest articles, at most this many (a country named by
# half the archive would otherwise read every mention there is).
ENTITY_COOCCURRENCE_ARTICLES = 5000
ENTITY_TABLE_SECONDS = 60.0
# Printings of stories kept listed between searches, the least recently shown forgotten past this: about 150
# bytes each, so 60 MB at most. 2,000 distinct queries on a 300,000-article archive with copies list 86,595; with
# room for 60,000, a search read a fifth of its hits' printings from the store again (0.6 ms of its 2.4).
_LISTED_KEPT = 400_000


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    article: Article
    summary: Summary
    title_highlights: list[tuple[int, int]]
    explain: dict | None = None  # the score taken apart by channel and term, when asked for
    # Where a query word was matched only through two of its characters (`习进平` in `演习进入`): shown apart
    # from the highlights, which mark the words found whole.
    partial_highlights: list[tuple[int, int]] = field(default_factory=list)
    title_partial_highlights: list[tuple[int, int]] = field(default_factory=list)
    copies: tuple[reprints.Copy, ...] = ()  # the other articles that are the same story
    folded: int = 0  # how many of them matched too and are shown as this one (collapsed results)

    def to_dict(self) -> dict:
        a = self.article
        data = {"id": a.id, "rank": self.rank, "score": self.score, "title": a.title, "date": a.date,
                "section": a.section, "page": a.page, "authors": list(a.authors), "kind": a.kind,
                "summary": self.summary.text, "highlights": [list(s) for s in self.summary.highlights],
                "title_highlights": [list(s) for s in self.title_highlights],
                "copies": [c.id for c in self.copies], "folded": self.folded}
        if self.explain is not None:
            data["explain"] = self.explain
        return data


@dataclass(frozen=True)
class AuthorSuggestion:
    """A word of a query that found nothing which is an author's name in the archive: bylines are not searched
    as text, `author:` filters on them."""

    word: str  # as the query has it
    author: str  # as articles name their author
    query: str  # the query with the word replaced by `author:` and the name

    def to_dict(self) -> dict:
        return {"word": self.word, "author": self.author, "query": self.query}


# A query that found nothing has at most this many of its words looked up among the authors, each one search
# of the store's author lists.
AUTHOR_LOOKUPS = 8


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
    # person, place, org -> [(name, articles)] over all `total` matches, for the kinds asked for
    entity_facets: dict[str, list[tuple[str, int]]] | None = None
    # "and": every query word matched; "most": a long query, `min_match` of its words matched; "or": too few
    # articles held them, any word counts; "filter": no words
    mode: str = "and"
    index_generation: str | None = None  # the one index generation the whole answer comes from
    min_match: int | None = None  # mode "most": how many of the query's `match_words` words each match holds
    match_words: int = 0
    sort: str = "relevance"  # the order of the hits: relevance, newest or oldest
    collapse: bool = False  # one hit per story: `total` counts stories, `offset` and ranks too
    articles: int = 0  # matching articles, copies of one story each counted
    stories: int = 0  # matching stories, an article and its copies counted once
    author_suggestions: list[AuthorSuggestion] = field(default_factory=list)  # only when nothing was found

    def to_dict(self) -> dict:
        data = {"query": self.query, "total": self.total, "collapse": self.collapse, "articles": self.articles,
                "stories": self.stories, "offset": self.offset, "k": self.k,
                "took_ms": round(self.took_ms, 3), "terms": self.terms, "mode": self.mode,
                "results": [hit.to_dict() for hit in self.hits],
                "script": self.script, "filters": self.filters.to_dict(),
                "index_generation": self.index_generation, "min_match": self.min_match,
                "match_words": self.match_words,
                "author_suggestions": [s.to_dict() for s in self.author_suggestions]}
        if self.facets is not None:
            data["facets"] = self.facets.to_dict()
        if self.entity_facets is not None:
            data.setdefault("facets", {}).update(
                {kind: [{"value": name, "count": count} for name, count in pairs]
                 for kind, pairs in self.entity_facets.items()})
        return data


@dataclass(frozen=True)
class Export:
    """A query's hits in an export format: `chunks` yields the text as it is read (iterate it once)."""

    fmt: str
    total: int  # hits the query has (articles deleted while it runs are left out of `chunks`)
    sort: str
    filters: Filters
    chunks: Iterator[str]

    @property
    def media_type(self) -> str:
        return export_module.MEDIA_TYPES[self.fmt]

    @property
    def extension(self) -> str:
        return export_module.EXTENSIONS[self.fmt]


@dataclass(frozen=True)
class ArticleView:
    """An article to read: in the display script, with the query's terms located in title and paragraphs."""

    article: Article
    script: str | None
    terms: list[str]
    title_highlights: list[tuple[int, int]]
    paragraphs: list[tuple[str, list[tuple[int, int]]]]
    copies: tuple[reprints.Copy, ...] = ()  # where else the story was printed

    def to_dict(self) -> dict:
        data = self.article.to_dict()
        data["paragraphs"] = [text for text, _ in self.paragraphs]
        data["copies"] = [c.id for c in self.copies]
        data.update({"script": self.script, "terms": self.terms,
                     "title_highlights": [list(span) for span in self.title_highlights],
                     "paragraph_highlights": [[list(span) for span in spans] for _, spans in self.paragraphs]})
        return data


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
    removed: list[str] = field(default_factory=list)  # a page's former articles it no longer yields
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    index_generation: str | None = None

    def to_dict(self) -> dict:
        return {"files": self.files, "added": self.added, "replaced": self.replaced,
                "unchanged": len(self.unchanged), "skipped": len(self.problems),
                "problems": [str(p) for p in self.problems], "warnings": self.warnings,
                "index_generation": self.index_generation, "removed": self.removed}


@dataclass(frozen=True)
class IngestProgress:
    """Where a long ingest is, for a progress display. Phases: "read" (files read and stored; `done` and
    `total` count files), "index" (the index rebuilt; they count articles), and "wait" before them when
    another write holds the archive (`current` names it)."""

    phase: str
    done: int
    total: int
    articles: int = 0  # articles read so far
    current: str | None = None  # the file just read


@dataclass
class DeleteReport:
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    index_generation: str | None = None

    def to_dict(self) -> dict:
        return {"deleted": self.deleted, "missing": self.missing, "index_generation": self.index_generation}


ProgressCallback = Callable[[IngestProgress], None]


def _check_whole_number(name: str, value: object, low: int, high: int, code: str) -> None:
    """The one check of every count a caller passes (k, offset, sentences, ...): True is not a number here."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise QueryError(f"{name} must be a whole number from {low} to {high}, got {value!r}", code=code)


class LiveIndex(NamedTuple):
    """The live generation as this engine opened it."""

    generation: str
    words: Postings
    ranker: Ranker  # all five channels and the positions, weighted as configured
    large_files: storage.LargeFileCheck | None  # the checksums of the files too large to hash on open
    store_revision: int | None  # the store revision it was built from (None: a generation from before the key)


class Matched(NamedTuple):
    """A query's matches, in the order asked for, with what they were found under."""

    query: str  # as checked
    filters: Filters
    sort: str  # the order `ranking.candidates` are in: relevance, newest or oldest
    live: LiveIndex
    ranking: Ranking
    fields: DocumentFields | None  # dates and sections by document number, when filters, facets or the sort read them


# What a write can fail on once its input is read: the disk (full, read-only, failing) or memory.
_WRITE_FAILURES = (OSError, sqlite3.Error, MemoryError)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc) or type(exc).__name__


def _failed(error: type, message: str, exc: BaseException):
    """`error(message)`, answered over HTTP as 507 Insufficient Storage when the disk is full."""
    failure = error(message)
    if disk_full(exc):
        failure.http_status = 507
    return failure


def _skipped_everything(report: IngestReport) -> bool:
    """Whether a run read nothing it could keep and skipped something: such a run changes nothing."""
    return bool(report.problems) and not (report.added or report.replaced or report.unchanged or report.removed)


# The store's meta key saying "<extras fingerprint> <store revision>": every article then had current extras of
# that fingerprint. A write from that revision need then work out only its own articles' (`_follow_extras`).
EXTRAS_CURRENT = "extras_current"


def _ignore_progress(progress: IngestProgress) -> None:
    pass


def _no_copies(number: int) -> int:
    return 0


class Engine:
    def __init__(self, config: config_module.Config, analyzer: Analyzer | None = None):
        self.config = config
        self.analyzer = analyzer or Analyzer.from_config(config)
        self.weights = Weights(title=config.ranking_title_weight, grams=config.ranking_grams_weight,
                               chars=config.ranking_chars_weight, lede=config.ranking_lede_weight)
        self.soft_match = SoftMatch(config.ranking_soft_match_from, config.ranking_soft_match_fraction)
        self.proximity = ProximityRanking(config.ranking_proximity_weight, config.ranking_proximity_depth)
        self.params = BM25Params(k1=config.bm25_k1, b=config.bm25_b, epsilon=config.bm25_epsilon)
        self.store = Store(config.data_dir / STORE_FILE)
        self.extras = ExtrasStore(config.data_dir / STORE_FILE)
        self.mentions = mentions_module.Mentions(config.data_dir / STORE_FILE)
        self._entity_cache: tuple[tuple, mentions_module.EntityTable] | None = None
        self._entity_cache_lock = threading.Lock()
        self._coverage: tuple[tuple[int, int], mentions_module.Coverage] | None = None
        self.index_dir = config.data_dir / INDEX_DIR
        self._loaded: LiveIndex | None = None
        self._load_lock = threading.Lock()
        self._fields: tuple[Postings, DocumentFields] | None = None
        self._fields_lock = threading.Lock()
        self._absent: tuple[tuple[str, int], np.ndarray] | None = None
        self._absent_lock = threading.Lock()
        # (copies revision, the groups of copies, `Store.copy_links_since`'s mark they were worked out to)
        self._copy_groups: tuple[tuple[int, int], reprints.Grouping, tuple[int, int]] | None = None
        # key, the stories, the groups and document ids they were worked out from
        self._stories_kept: tuple[tuple, reprints.Stories, dict, list[str]] | None = None
        self._listed = reprints.Listed(_LISTED_KEPT)
        self._copies_lock = threading.Lock()
        self.display = Display(self.analyzer, config.display_traditional)
        # Segments are merged after a write returns: in a thread of this process where it serves requests (the
        # web adapter sets this), at once otherwise (a command ends when its merges have).
        self.merge_in_background = False
        self._merging: threading.Thread | None = None
        self._merging_lock = threading.Lock()

    @classmethod
    def open(cls, config: config_module.Config | None = None) -> "Engine":
        return cls(config or config_module.load())

    def close(self) -> None:
        self.mentions.close()
        self.extras.close()
        self.store.close()
        # The open generation's memory maps each hold a descriptor until nothing refers to them: let them go with
        # the engine rather than whenever the last cached reference does.
        with self._load_lock:
            self._loaded = None
        self._fields = None
        self._stories_kept = None
        storage.forget_opened(self.index_dir)

    def warm_up(self, *, one_off: bool = False) -> None:
        """Load the dictionary, the word rarity table and the index now, so the first search is not the slow one.

        `one_off=True` is for a process that runs one search and exits (the command line): it opens the index
        and readies only what cutting a query takes, not the whole dictionary nor the word rarity table
        (summaries stored at ingest need neither; what does need them loads them when it comes).
        """
        if not one_off:
            self.analyzer.segmenter.load()
        self.analyzer.terms("预热")
        if not one_off:
            background_idf()  # summaries and keywords rank words by it
        self.postings()

    # --- writing -----------------------------------------------------------------------------------------

    def read_options(self, options: ReadOptions | None = None) -> ReadOptions:
        """`options` with the configured file limits."""
        c = self.config
        return replace(options or ReadOptions(), max_file_bytes=c.ingest_max_file_bytes,
                       max_line_chars=c.ingest_max_line_chars, max_pages_per_file=c.ingest_max_pages_per_file)

    def ingest(self, paths: list[Path], *, options: ReadOptions | None = None,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Read pages and article files into the store, then make the index follow.

        All of one run's changes go into the store in one transaction: a run that fails or is killed
        leaves the store as it was. Only added and replaced articles are analysed; the index is then
        rebuilt from every article's stored terms and switched in as a new generation.
        """
        files = collect_files([Path(p) for p in paths])
        return self._ingest_reads(iter_files(files, self.read_options(options)), len(files), progress)

    def ingest_upload(self, name: str, data: bytes, *, options: ReadOptions | None = None) -> IngestReport:
        """One page or article file that arrived over the network; it is read in memory, never saved."""
        name = check_upload_name(name)
        read = read_bytes(data, name, f"upload:{name}", self.read_options(options))
        return self._ingest_reads(iter([read]), 1, None)

    def ingest_records(self, records: object, source: str = "request") -> IngestReport:
        """Article records as the `.jsonl` import takes them (id, title, body, date, ...)."""
        if not isinstance(records, list):
            raise InputError("articles must be a list of article objects", code="bad_articles")
        read = FileResult(path=Path(source), source=source, read_as="jsonl")
        notes = FileNotes()
        read.articles, read.problems = read_records(records, source, notes)
        read.warnings = notes.warnings(source)
        return self._ingest_reads(iter([read]), 1, None)

    def _ingest_reads(self, reads: Iterator[FileResult], total: int,
                      progress: ProgressCallback | None) -> IngestReport:
        notify = progress or _ignore_progress
        report = IngestReport()
        counts = UpsertCounts(report.added, report.replaced, report.unchanged)
        with self._writing("ingest", notify):
            notify(IngestProgress("read", 0, total))
            held = self._revision_indexed()
            try:
                self._store_reads(reads, total, report, counts, notify)
            except sqlite3.Error as exc:
                raise _failed(NotStored, store_problem(self.store.path, exc) + "; nothing of this ingest was "
                              "stored, the archive is as it was", exc) from exc
            if _skipped_everything(report):
                return report  # nothing was read: the archive is left as it was, no empty index generation
            if report.added or report.replaced or report.removed or not self.index_is_current():
                changed = len(report.added) + len(report.replaced) + len(report.removed)
                report.index_generation = self._follow_store(
                    f"{changed} article(s) were stored ({len(report.added)} added, {len(report.replaced)} "
                    f"replaced, {len(report.removed)} removed)", notify,
                    self._delta(held, [*report.added, *report.replaced], report.removed))
            else:
                self.refresh_extras()  # summaries and keywords of articles stored before they were kept
        return report

    def _store_reads(self, reads: Iterator[FileResult], total: int, report: IngestReport, counts: UpsertCounts,
                     notify: ProgressCallback) -> None:
        articles_read = 0
        with self.store.writing() as writer:
            for read in reads:
                report.files += 1
                report.problems.extend(read.problems)
                report.warnings.extend(read.warnings)
                added = set()
                for start in range(0, len(read.articles), 1000):
                    batch = read.articles[start:start + 1000]
                    for article, outcome in zip(batch, writer.upsert_many(batch)):
                        getattr(counts, outcome).append(article.id)
                        report.titles[article.id] = article.title
                        if outcome == "added":
                            added.add(article.id)
                kept = {a.id for a in read.articles}
                for prefix in read.page_prefixes:
                    report.removed.extend(writer.delete(i for i in writer.ids_with_prefix(prefix) if i not in kept))
                report.removed.extend(self._earlier_readings(writer, read, kept, added, report))
                articles_read += len(read.articles)
                notify(IngestProgress("read", report.files, total, articles_read, read.source))
            if self.config.ingest_find_copies:
                self._find_copies(writer, [*counts.added, *counts.replaced])
            if not _skipped_everything(report):
                writer.record_ingest(report.files, counts, len(report.problems), len(report.removed),
                                     len(report.warnings))

    @staticmethod
    def _earlier_readings(writer, read: FileResult, kept: set[str], added: set[str],
                          report: IngestReport) -> list[str]:
        """Deletes what an earlier reading of a page from the same file gave, where that page's text changed
        since (an OCR correction): its articles have ids of the old text, and would otherwise stay beside the
        corrected ones. A page is the same when its file, date and page code are; a page without a date or a
        code is never taken for another. A page new to the archive that another file already gave, its
        articles much alike (a correction saved under another name, or a copy), is kept beside it with a warning
        naming that file; another paper's page of the same day and code is not like it, and is said nothing of."""
        pages: dict[tuple[str, str], tuple[str, bool]] = {}
        for article in read.articles if read.read_as == "page" else ():
            if _PAGE_ARTICLE_ID.fullmatch(article.id) and article.date and article.page:
                prefix, fresh = pages.get((article.date, article.page), (article.id.split("-", 1)[0] + "-", False))
                pages[(article.date, article.page)] = (prefix, fresh or article.id in added)
        removed = []
        for (day, code), (prefix, fresh) in pages.items():
            stored = [(i, source) for i, source in writer.on_page(day, code)
                      if i not in kept and _PAGE_ARTICLE_ID.fullmatch(i) and not i.startswith(prefix)]
            now = [a for a in read.articles if a.id.startswith(prefix) and (a.date, a.page) == (day, code)]
            earlier = [i for i, source in stored if source == read.source]
            if earlier:
                before = writer.articles(earlier)
                successors = {old: new for new, old in
                              match_readings(now, [before[i] for i in earlier if i in before]).items()}
                removed.extend(writer.delete(earlier))
                writer.supersede(successors)
                gone = len(earlier) - len(successors)
                report.warnings.append(
                    f"{read.source}: page {code} of {day} replaces its earlier reading from this file: "
                    f"{len(successors)} article(s) read again under new ids, to which the old ids lead"
                    + (f", {gone} no longer on the page" if gone else ""))
            elsewhere = [i for i, source in stored if source != read.source and source]
            if fresh and elsewhere:
                theirs = writer.articles(elsewhere)
                alike = match_readings(now, list(theirs.values()))
                if len(alike) * 2 >= max(1, len(now)):
                    holders = sorted({theirs[i].source for i in alike.values()})
                    report.warnings.append(
                        f"{read.source}: page {code} of {day} is much like the page {', '.join(holders[:3])}"
                        f"{' and others' if len(holders) > 3 else ''} gave ({len(alike)} of its {len(now)} "
                        "article(s) alike), kept beside it; if this file is a corrected copy of that page, delete "
                        "those articles or read the correction from that file")
        return removed

    def delete(self, article_ids: list[str]) -> DeleteReport:
        """Remove articles from the store and the index; ids not stored are reported, not an error here."""
        report = DeleteReport()
        with self._writing("delete"):
            held = self._revision_indexed()
            try:
                report.deleted = self.store.delete(article_ids)
            except sqlite3.Error as exc:
                raise _failed(NotStored, store_problem(self.store.path, exc) + "; nothing was deleted", exc) from exc
            report.missing = [i for i in dict.fromkeys(article_ids) if i not in set(report.deleted)]
            if report.deleted or (self.has_index() and not self.index_is_current()):
                report.index_generation = self._follow_store(
                    f"{len(report.deleted)} article(s) were deleted from the store (searches leave them out)",
                    delta=self._delta(held, [], report.deleted))
        return report

    @contextmanager
    def _writing(self, what: str, progress: ProgressCallback | None = None) -> Iterator[None]:
        """The archive's write lock (`storage.WriteLock`) held for the block: one writer at a time, across
        threads and processes, from the store's transaction to the index switch."""
        notify = progress or _ignore_progress

        def waiting(holder: str) -> None:
            log.info("%s waits for another write to this archive to finish (%s)", what, holder)
            notify(IngestProgress("wait", 0, 0, current=holder))

        lock = storage.WriteLock(self.index_dir, self.config.index_write_wait_seconds, what, waiting)
        try:
            lock.acquire()
        except OSError as exc:
            raise _failed(NotStored, f"cannot take the write lock {lock.path} ({_reason(exc)}); nothing was "
                          "changed", exc) from exc
        try:
            yield
        finally:
            lock.release()
        self._merge_after_write()

    def merge(self, *, everything: bool = False) -> list[str]:
        """Merge the live generation's segments: as the tiered policy asks (`index.merging`), or all of them
        into one (`everything`); the generations switched in, none when there was nothing to merge."""
        try:
            return merging.merge(self.index_dir, self.analyzer.fingerprint, self.params, everything=everything,
                                 wait_seconds=self.config.index_write_wait_seconds)
        except _WRITE_FAILURES as exc:
            hint = " (free some disk space first)" if disk_full(exc) else ""
            raise _failed(NotIndexed, f"the index segments could not be merged ({_reason(exc)}); the index is as "
                          f"it was{hint}", exc) from exc

    def _merge_after_write(self) -> None:
        if not self.merge_in_background:
            self._merge_quietly()
            return
        with self._merging_lock:
            if self._merging is not None and self._merging.is_alive():
                return  # it merges by the policy until there is nothing left to merge, this write's segment too
            self._merging = threading.Thread(target=self._merge_quietly, name="segment merges", daemon=True)
            self._merging.start()

    def _merge_quietly(self) -> None:
        """Merges by the policy after a write; a failure leaves the index as it was and is logged, never
        raised: the write itself has succeeded, and the next write merges again."""
        try:
            merging.merge_if_free(self.index_dir, self.analyzer.fingerprint, self.params,
                                  wait_seconds=self.config.index_write_wait_seconds)
        except (IndexUnusable, DamagedSource, *_WRITE_FAILURES) as exc:
            log.warning("segments not merged: %s", _reason(exc))

    def _revision_indexed(self) -> int | None:
        """Under the write lock, before the store is written: the store's revision when the live index holds the
        store as it is (what the write's delta is then applied to), None otherwise."""
        revision = self.store.revision()
        return revision if storage.live_revision(self.index_dir) == revision else None

    @staticmethod
    def _delta(held: int | None, stored: list[str], gone: list[str]) -> generations.Delta | None:
        """What a write changed, for a new generation that looks up only those articles: when the live index
        held the store before the write (`held`) and the write was one commit (the revision after it)."""
        if held is None:
            return None
        return generations.Delta(held + 1, frozenset(stored), frozenset(gone))

    def _follow_store(self, stored: str, progress: ProgressCallback | None = None,
                      delta: generations.Delta | None = None) -> str:
        """A new generation for what the store now holds; a failure says what is stored and not indexed."""
        try:
            return self._reindex(progress, verify_all=False, delta=delta)
        except _WRITE_FAILURES as exc:
            hint = " (free some disk space first)" if disk_full(exc) else ""
            raise _failed(NotIndexed, f"{stored} but the index could not be written ({_reason(exc)}); searches "
                          f"do not show the change until `jiansuo reindex` succeeds{hint}", exc) from exc

    @property
    def _open_hash_limit(self) -> int:
        """The largest index file whose checksum is verified whenever the index is opened."""
        return self.config.index_checksum_on_open_max_mb * 1_000_000

    def reindex(self, progress: ProgressCallback | None = None, *, verify_all: bool = True) -> str:
        """Make a new index generation that holds every stored article as it is now, and make it live.

        The live generation, when this analyzer made it and its files match their checksums, is the start:
        its articles that are still stored with the same text are kept without being analysed again; the
        others are dropped, and the articles it lacks are analysed (in worker processes when there are many)
        into runs that are merged after it. `verify_all=False` (ingest, delete) hashes only the files small
        enough to be hashed on every open, as opening does; a damaged live generation is then found by
        `jiansuo check` and rebuilt by `jiansuo reindex`.
        """
        with self._writing("reindex", progress):
            if self.config.ingest_find_copies:
                try:
                    self.find_copies()
                except _WRITE_FAILURES as exc:  # copies are a view of the archive: the index is rebuilt all the same
                    log.warning("the copies of stored articles were not compared (%s); the next ingest or reindex "
                                "tries again", _reason(exc))
            try:
                return self._reindex(progress, verify_all=verify_all)
            except _WRITE_FAILURES as exc:
                hint = " (free some disk space first)" if disk_full(exc) else ""
                raise _failed(NotIndexed, f"the index could not be written ({_reason(exc)}); the article store "
                              f"is unchanged and the previous index stays live; run `jiansuo reindex` again"
                              f"{hint}", exc) from exc

    def _reindex(self, progress: ProgressCallback | None, *, verify_all: bool,
                 delta: generations.Delta | None = None) -> str:
        hash_limit = None if verify_all else self._open_hash_limit
        try:
            return self._rebuild(progress, generations.reusable(self.index_dir, self.analyzer.fingerprint, hash_limit),
                                 delta)
        except DamagedSource:
            return self._rebuild(progress, None)

    def index_lag(self) -> int:
        """How many committed store changes (store revisions) the live index does not hold: 0 when it is
        current. A write stopped between the store's commit and the index switch leaves it above 0 until the
        next write, `jiansuo reindex`, or `catch_up()`; during a write it is above 0 for a moment too. With
        no index, or one from before store revisions were recorded, every revision counts."""
        if self.config.cluster_catalog is not None:  # a cluster build is rebuilt, not caught up
            return 0
        return max(self.store.revision() - (storage.live_revision(self.index_dir) or 0), 0)

    def index_behind(self) -> bool:
        """Whether there is a live index this configuration reads that was built from another store revision
        than the store's: what `catch_up()` repairs. (An index it cannot read is for `jiansuo reindex`.)"""
        if self.config.cluster_catalog is not None:
            return False
        try:
            _, manifest = storage.read_manifest(self.index_dir)
            storage.check_manifest(manifest, self.index_dir, self.analyzer.fingerprint, self.params)
        except IndexUnusable:
            return False
        return manifest.get("store_revision") != self.store.revision()

    def catch_up(self, wait_seconds: float | None = None) -> str | None:
        """Bring an index that is behind the store up to date; the new generation, or None when it was current.

        The articles the index lacks are analysed and merged in, as an ingest would have done. WriteBusy when
        another write holds the lock past `wait_seconds` (default `index.write_wait_seconds`): that write
        brings the index up to date itself. NotIndexed when the index cannot be written.
        """
        if not self.index_behind():
            return None
        wait = self.config.index_write_wait_seconds if wait_seconds is None else wait_seconds
        lock = storage.WriteLock(self.index_dir, wait, "catch-up")
        with lock:
            if not self.index_behind():  # the write that held the lock did it
                return None
            return self._follow_store(f"{self.index_lag()} store revision(s) are not in the index: they are stored")

    def _rebuild(self, progress: ProgressCallback | None, live: generations.LiveGeneration | None,
                 delta: generations.Delta | None = None) -> str:
        notify = progress or _ignore_progress
        extras_fingerprint = self.extras_fingerprint

        def analysed(batch: AnalysedBatch) -> None:
            self.extras.put_many((i, h, extras_fingerprint, x) for i, h, x in batch.extras)

        generation = generations.rebuild(self.index_dir, self.store.reading, live, self.analyzer.fingerprint,
                                         self.params, self._analyse, analysed,
                                         lambda done, total: notify(IngestProgress("index", done, total)), delta)
        self._follow_extras(delta)
        return generation

    def _follow_extras(self, delta: generations.Delta | None) -> None:
        """`refresh_extras` after a write. When every article's extras were current (with this engine's
        fingerprint) at the revision just before the write `delta` describes, as the store's `extras_current`
        records whichever process made them so, only what that write changed can lack them: the articles it
        stored were analysed (their extras put as they were) and those it removed are forgotten; no pass over
        the store."""
        fingerprint = self.extras_fingerprint
        if delta is not None and self.store.meta(EXTRAS_CURRENT) == f"{fingerprint} {delta.revision - 1}":
            if delta.gone:
                self.extras.prune()
            self.store.set_meta(EXTRAS_CURRENT, f"{fingerprint} {delta.revision}")
            return
        self.refresh_extras()

    def _analyse(self, articles: Iterator[Article], count: int, folder: Path) -> Iterator[AnalysedBatch]:
        workers = min(self.config.ingest_workers, os.cpu_count() or 1)
        size = ANALYSIS_BATCH
        if workers > 1 and count >= self.config.ingest_parallel_from:
            size = max(200, min(ANALYSIS_BATCH, -(-count // (2 * workers))))
            rarity = partial(archive_rarity, self.index_dir, self.params)
            yield from analyse_in_workers(batches(articles, size), folder, workers, self.config,
                                          self.analyzer.fingerprint, rarity)
            return
        rarity = self._rarity()
        for number, batch in enumerate(batches(articles, size)):
            yield analyse_batch(self.analyzer, self.config, rarity, batch, folder, number)

    def index_is_current(self) -> bool:
        """Whether the live index can be opened with this configuration and holds the store as it is now."""
        try:
            _, manifest = storage.read_manifest(self.index_dir)
            storage.check_manifest(manifest, self.index_dir, self.analyzer.fingerprint, self.params)
        except IndexUnusable:
            return False
        return manifest.get("store_revision") == self.store.revision()

    # --- summaries and keywords kept per article ---------------------------------------------------------

    @functools.cached_property
    def extras_fingerprint(self) -> str:
        """Changes whenever the stored summaries or keywords would come out differently (worked out once: an
        engine's config and analyzer never change)."""
        c = self.config
        description = [EXTRAS_VERSION, self.analyzer.fingerprint, c.summary_sentences, c.summary_max_chars,
                       c.keywords_count, SALIENCE_WEIGHTS]
        return hashlib.sha256(json.dumps(description).encode("utf-8")).hexdigest()[:16]

    def _rarity(self) -> Rarity:
        """Word rarity from general Chinese and, when there is a usable index, this archive."""
        try:
            postings = self.postings()
        except IndexUnusable:
            return Rarity()
        return Rarity(postings.doc_freq, postings.n_docs, postings.doc_freqs)

    def _work_out_extras(self, article: Article, rarity: Rarity) -> Extras:
        return work_out_extras(self.analyzer, ExtrasSettings.from_config(self.config), article, rarity)

    def refresh_extras(self, batch: int = 500) -> int:
        """Work out and store the summary and keywords of every article lacking current ones."""
        fingerprint = self.extras_fingerprint
        revision = self.store.revision()  # every article of this revision or a later one is checked below
        self.extras.prune()
        stale = self.extras.stale_ids(fingerprint)
        rarity = self._rarity() if stale else None
        done = 0
        for start in range(0, len(stale), batch):
            articles = self.store.get_many(stale[start:start + batch])
            self.extras.put_many((a.id, a.content_hash, fingerprint, self._work_out_extras(a, rarity))
                                 for a in articles.values())
            done += len(articles)
        if done == len(stale):  # a damaged row left out stays stale: then this is not recorded
            self.store.set_meta(EXTRAS_CURRENT, f"{fingerprint} {revision}")
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
        _check_whole_number("k", k, 1, self.config.search_max_k, "bad_k")
        terms = [term for term, _, _ in self.extras_of([article])[article.id].keywords]
        if not terms:
            return []
        postings = self.postings()
        candidates, scores = rank(*postings.score(terms))
        picked: list[tuple[str, float]] = []
        itself = set(self.copy_groups().get(article.id, (article.id,)))  # its copies are listed apart
        for number, score in zip(candidates, scores):
            other = postings.doc_ids[int(number)]
            if other not in itself and score > 0:
                picked.append((other, float(score)))
                if len(picked) == k:
                    break
        found = self.store.get_many([other for other, _ in picked])
        kept = [(found[other], score) for other, score in picked if other in found]
        extras = self.extras_of([a for a, _ in kept])
        return [RelatedArticle(a, score, extras[a.id].summary) for a, score in kept]

    # --- reading -----------------------------------------------------------------------------------------

    def has_index(self) -> bool:
        if self.config.cluster_catalog is not None:  # the index is the shards' (service/cluster)
            return True
        return storage.current_generation(self.index_dir) is not None

    def postings(self) -> Postings:
        """The live words index, reopened when another process has switched generations."""
        return self._live().words

    def ranker(self) -> Ranker:
        """The live index's channels, weighted as configured."""
        return self._live().ranker

    def _live(self) -> LiveIndex:
        """The live generation; refused once the background check of its large files has found one damaged."""
        loaded = self._open_live()
        loaded.large_files.raise_if_failed()
        return loaded

    def index_checked(self, timeout: float | None = None) -> bool:
        """Whether the background checksum pass over the open generation's large files has ended (waiting up
        to `timeout` seconds for it); a file that failed it makes every query raise."""
        return self._open_live().large_files.wait(timeout)

    def _open_live(self) -> LiveIndex:
        if self.config.cluster_catalog is not None:  # the index lives in Xapian shards
            with self._load_lock:
                if self._loaded is None:
                    from .cluster.client import open_live
                    self._loaded = open_live(self)
                return self._loaded
        live = storage.current_generation(self.index_dir)
        loaded = self._loaded
        if loaded is not None and loaded.generation == live:
            return loaded
        # Every later request uses what is loaded here: a request's time budget must not cut it in two.
        with self._load_lock, uninterrupted():
            if self._loaded is None or self._loaded.generation != storage.current_generation(self.index_dir):
                name, words, side = storage.load(self.index_dir, self.analyzer.fingerprint, self.params,
                                                 channels=(*SIDE_CHANNELS, PAIRS), hash_limit=self._open_hash_limit)
                positions = side.pop(PAIRS)
                self._loaded = LiveIndex(name, words, Ranker(words, side, self.weights,
                                                             self.config.ranking_and_fallback_below,
                                                             soft=self.soft_match, proximity=self.proximity,
                                                             positions=positions,
                                                             lede_for_questions=self.config.ranking_lede_for_questions),
                                         storage.LargeFileCheck(self.index_dir, name, self._open_hash_limit),
                                         storage.generation_revision(self.index_dir, name))
            return self._loaded

    def document_fields(self, postings: Postings) -> DocumentFields:
        """Dates and sections by document number for `postings`' generation, read from the store once."""
        cached = self._fields
        if cached is not None and cached[0] is postings:
            return cached[1]
        with self._fields_lock:
            kept = self._fields
            if kept is None or kept[0] is not postings:
                doc_ids = postings.doc_ids
                if kept is not None and kept[1].extends(doc_ids):  # a generation that only added articles
                    fields = kept[1].extended(doc_ids, self.store.dates_and_sections(doc_ids[len(kept[1].doc_ids):]))
                else:
                    fields = DocumentFields(doc_ids, self.store.iter_dates_and_sections(), self.analyzer.fold)
                self._fields = (postings, fields)
            return self._fields[1]

    def _keeper(self, postings: Postings, fields: DocumentFields | None, filters: Filters,
                more_sections: tuple[str, ...], authors: tuple[str, ...]):
        """A mask function over document numbers for the query's filters, or None when there are none."""
        if not (filters.active or more_sections or authors):
            return None
        by_author = None
        if authors:
            wanted = {self.analyzer.fold(a) for a in authors}
            ids = self.store.ids_by_author(lambda name: self.analyzer.fold(name) in wanted)
            numbers = postings.doc_numbers_of(ids)
            by_author = np.asarray(sorted(numbers), dtype=np.int64)

        def keep(candidates: np.ndarray) -> np.ndarray:
            mask = np.ones(candidates.size, dtype=bool)
            if filters.active or more_sections:
                in_section = fields.keep(candidates, filters)
                for extra in more_sections:  # several section: words mean any of them
                    in_section |= fields.keep(candidates, replace(filters, section=extra))
                mask &= in_section
            if by_author is not None:
                mask &= np.isin(candidates, by_author)
            return mask

        return keep

    def _without_deleted(self, live: LiveIndex, keep):
        """`keep` that also leaves out the live generation's articles the store no longer holds.

        Between a delete's commit and the switch to the generation without them (seconds, on a large archive)
        they would be counted in `total` and then missing from the page; left out here, the total, the page
        and the ranks agree.
        """
        revision = self.store.revision()
        if revision == live.store_revision:
            return keep
        key = (live.generation, revision)
        cached = self._absent
        if cached is None or cached[0] != key:
            with self._absent_lock:
                if self._absent is None or self._absent[0] != key:
                    stored = {article_id for article_id, _, _ in self.store.iter_dates_and_sections()}
                    gone = [n for n, article_id in enumerate(live.words.doc_ids) if article_id not in stored]
                    self._absent = (key, np.asarray(gone, dtype=np.int64))
                cached = self._absent
        absent = cached[1]
        if not absent.size:
            return keep

        def kept(candidates: np.ndarray) -> np.ndarray:
            mask = ~np.isin(candidates, absent)
            return mask if keep is None else mask & keep(candidates)

        return kept

    def check_query(self, query: object) -> str:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("query is empty: give one or more words to search for", code="empty_query")
        query = query.strip()
        check_text(query, "the query", code="bad_query", error=QueryError)
        limit = self.config.search_max_query_chars
        if len(query) > limit:
            raise QueryError(f"query is {len(query)} characters long; the limit is {limit} "
                             "(search.max_query_chars)", code="query_too_long")
        return query

    def _check_term_count(self, parsed, groups, excluded) -> None:
        """Each searched word is a pass over the index: a query of hundreds of them is refused, not run."""
        words = sum(len(plan.words) for group in groups for plan in group) + sum(len(p.words) for p in excluded)
        count = words + len(parsed.authors) + len(parsed.sections) + len(parsed.entities) + \
            len(parsed.without_entities)
        limit = self.config.search_max_query_terms
        if count > limit:
            raise QueryError(f"query holds {count} words and filters; the limit is {limit} "
                             "(search.max_query_terms)", code="too_many_terms")

    def search(self, query: str, k: int | None = None, offset: int = 0, *, summaries: bool = True,
               script: str | None = None, date_from: str | None = None, date_to: str | None = None,
               section: str | None = None, facets: bool = False, explain: bool = False,
               sort: str | None = None, facet_terms: bool = False, collapse: bool = True,
               entity_facets: tuple[str, ...] = ()) -> SearchResults:
        """Ranked articles for `query`; `summaries=False` skips summaries and highlights (batch runs).

        `date_from`/`date_to` (YYYY-MM-DD, YYYY-MM or YYYY) and `section` narrow the ranking; `facets=True`
        counts all the matches by month, day and section; `script` ("simplified" or "traditional") converts
        titles, summaries, authors and sections for display, highlight spans moved along. `sort` (`SORTS`):
        "relevance" (score), "newest" or "oldest" (date, undated articles last, then score); by default
        relevance, and newest for a query made only of filters (`section:城事`). `facet_terms=True` adds to the facets
        the words that characterise the hits (`search.significant`). `collapse` (the default) shows one hit per
        story, the best-ranked of an article and its copies (`service.reprints`): `total`, `offset` and ranks then
        count stories. `entity_facets` (person, place, org) counts the names of those kinds most often named by all
        the matches.
        """
        started = time.perf_counter()
        query = self.check_query(query)
        script = check_script(script)
        k = self.config.search_default_k if k is None else k
        _check_whole_number("k", k, 1, self.config.search_max_k, "bad_k")
        _check_whole_number("offset", offset, 0, self.config.search_max_offset, "bad_offset")
        # The words of the hits are sampled from the best `significant.SAMPLE`: those are put in order too.
        # Collapsing leaves out copies: four times the hits asked for are ranked, enough unless a page is mostly
        # copies (with twice as many, one query in six on a 300,000-article archive with copies ranked again).
        # An archive without copies collapses nothing.
        wanted = (offset + k) * (4 if collapse and self._groups_now()[1] else 1)
        limit = max(wanted, significant.SAMPLE) if facet_terms else wanted
        matched = self._match(query, date_from, date_to, section, sort, limit=limit, facets=facets or facet_terms)
        articles_total = stories_total = matched.ranking.total
        folded: Callable[[int], int] = _no_copies
        if collapse:
            matched, stories_total, folded = self._collapsed(
                matched, offset + k, partial(self._match, query, date_from, date_to, section, sort,
                                             facets=facets or facet_terms),
                shown=significant.SAMPLE if facet_terms else 0)
            articles_total = matched.ranking.total  # of the match collapsed, a newer generation's after a rematch
        elif (stories := self._stories(matched.live)) is not None:
            stories_total = stories.count(matched.ranking.all_matches)[0]
        query, filters, ranking, fields = matched.query, matched.filters, matched.ranking, matched.fields
        generation, postings, ranker = matched.live.generation, matched.live.words, matched.live.ranker
        candidates, scores, terms = ranking.candidates, ranking.scores, ranking.terms
        counts = None
        if facets or facet_terms:
            counts = fields.count(ranking.all_matches)
            if facet_terms:
                counts = replace(counts, terms=self._significant_terms(matched, script))
            if script:
                counts = counts.with_section_names(lambda name: self.display.text(name, script))
        named = self._entity_facets(postings, ranking.all_matches, entity_facets, script) if entity_facets else None
        page = slice(offset, offset + k)
        ids = [postings.doc_ids[int(n)] for n in candidates[page]]
        articles = self.store.get_many(ids)
        # A hit's summary for the query comes from what its analysis left at ingest. An article without that
        # (stored before it was kept) is analysed while the time budget lasts; hits past it show the summary
        # stored at ingest, so a page of long articles cannot hold the answer up.
        deadline = started + self.config.summary_query_budget_ms / 1000
        stored = self.extras.summaries_many(ids, self.extras_fingerprint) if summaries and ids else {}
        grams = [term for channel, term in ranking.scored if channel == "grams"] if summaries else []
        hits = []
        for position, (number, article_id, score) in enumerate(zip(candidates[page], ids, scores[page]),
                                                            start=offset + 1):
            article = articles.get(article_id)
            if article is None:  # deleted from the store after this index generation was built
                continue
            generic, summary_data = stored.get(article_id, (None, None))
            made = stored_summary(summary_data, article.body, sentences=self.config.summary_sentences,
                                  max_chars=self.config.summary_max_chars, query_terms=terms) \
                if summaries and summary_data else None
            title_places = None
            if not summaries:
                summary, title_spans = Summary("", [], []), []
            elif made is not None:
                summary, title_places = made
            elif time.perf_counter() < deadline:
                summary = summarize(self.analyzer, article.body, sentences=self.config.summary_sentences,
                                    max_chars=self.config.summary_max_chars, query_terms=terms,
                                    title=article.title, kind=article.kind)
            else:
                if generic is None:
                    generic = self.extras_of([article])[article_id].summary
                summary = Summary(generic, [], [])
            # The title and the summary are each folded once for the marks found through characters.
            title_folded = self.analyzer.fold_with_origins(article.title) \
                if article.title and (grams or (summaries and ranking.keys)) else None
            summary_folded = self.analyzer.fold_with_origins(summary.text) \
                if summary.text and (grams or (summaries and ranking.keys)) else None
            title_spans = highlight_spans(self.analyzer, article.title, terms, ranking.keys,
                                          title_places, title_folded) if summaries else []
            if summaries and ranking.keys and summary.text:
                # Words found through their characters (inside a longer word, an unknown name) are marked too.
                summary = replace(summary, highlights=merge_spans(list(summary.highlights) + highlight_spans(
                    self.analyzer, summary.text, [], ranking.keys, folded=summary_folded)))
            title_partial = partial_spans(self.analyzer, article.title, grams, title_spans, title_folded)
            summary_partial = partial_spans(self.analyzer, summary.text, grams, summary.highlights, summary_folded)
            if script:
                if title_partial:
                    title_partial = self.display.marked(article.title, title_partial, script, grams)[1]
                if summary_partial:
                    summary_partial = self.display.marked(summary.text, summary_partial, script, grams)[1]
                title, title_spans = self.display.marked(article.title, title_spans, script, terms)
                text, spans = self.display.marked(summary.text, summary.highlights, script, terms)
                summary = replace(summary, text=text, highlights=spans)
                article = self.display.article(article, script, title=title, body=False)
            why = ranker.explain(ranking.scored, int(number), ranking.proximity.get(int(number), 0.0)) \
                if explain else None
            hits.append(Hit(rank=position, score=float(score), article=article, summary=summary,
                            title_highlights=title_spans, explain=why, partial_highlights=summary_partial,
                            title_partial_highlights=title_partial, folded=folded(int(number))))
        hits = self._with_copies(hits, script)
        suggestions = self.author_suggestions(query) if not articles_total else []
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResults(query=query, terms=terms, total=stories_total if collapse else articles_total,
                             author_suggestions=suggestions,
                             collapse=collapse, articles=articles_total, stories=stories_total,
                             offset=offset, k=k, took_ms=took_ms, hits=hits, script=script, filters=filters,
                             facets=counts, entity_facets=named, mode=ranking.mode, index_generation=generation,
                             min_match=ranking.min_match, match_words=ranking.units, sort=matched.sort)

    def author_suggestions(self, query: str) -> list[AuthorSuggestion]:
        """The words of `query` (not its filters or title: words) that are an author's name in the archive, each
        with the query filtering on that author instead: a name found only in bylines is not in any text."""
        parsed = parse_query(query)
        out: list[AuthorSuggestion] = []
        for clause in [c for c in parsed.clauses if c.field is None][:AUTHOR_LOOKUPS]:
            author = next((name for name in dict.fromkeys((clause.text, self.analyzer.fold(clause.text)))
                           if self.store.has_author(name)), None)
            if author is None or any(s.author == author for s in out):
                continue
            written = f'author:"{author}"' if any(c.isspace() for c in author) else f"author:{author}"
            word = re.escape(clause.text)
            replaced, count = re.subn(rf'(?<!\S)(?:"{word}"|＂{word}＂|{word})(?!\S)', lambda _: written, query)
            out.append(AuthorSuggestion(clause.text, author, replaced if count else written))
        return out

    def _significant_terms(self, matched: "Matched", script: str | None) -> list[significant.SignificantTerm]:
        """The words over-represented in the first `significant.SAMPLE` hits, from their stored keywords and the
        index's postings; no article is read."""
        postings, ranking = matched.live.words, matched.ranking
        sample = ranking.candidates[:significant.SAMPLE]
        ids = [postings.doc_ids[int(n)] for n in sample]
        keywords = self.extras.keywords_many(ids, self.extras_fingerprint) if ids else {}
        found = significant.significant_terms(
            sample, (pair for article_id in ids for pair in keywords.get(article_id, ())), postings,
            query_terms=ranking.terms, query_keys=ranking.keys, stopwords=self.analyzer.stopwords)
        if script:
            found = [replace(term, text=self.display.text(term.text, script)) for term in found]
        return found

    def trends(self, queries: list[str], by: str | None = None, *, date_from: str | None = None,
               date_to: str | None = None, section: str | None = None) -> trends_module.Trends:
        """Hits per year or month (`by`, month by default) of up to five queries, each with its share of the
        articles the archive holds in that period (`search.trends`); every period from `date_from` (or the
        archive's first dated article) to `date_to` (or its last) is a point. Matched as `search` matches,
        with its filters; counted from the index and the stored dates, no article read."""
        queries = trends_module.check_queries(queries)
        by = trends_module.check_by(by)
        browse.check_span(date_from, date_to)  # refused here naming `from` and `to`, as the trends API calls them
        filters = check_filters(date_from, date_to, section)
        for query in queries:
            self.check_query(query)
        spans = trends_module.span_periods(trends_module.period_keys(self.document_fields(self.postings()), by),
                                           by, filters.first_day, filters.last_day)
        series = []
        for query in queries:
            matched = self._match(query, date_from, date_to, section, None, limit=1, facets=True)
            # Each query is counted against the generation it matched in, should a new one come in meanwhile.
            keys = trends_module.period_keys(matched.fields, by)
            everything = np.arange(matched.live.words.n_docs)
            # The articles the hits are a share of: those the same date and section filters keep.
            articles = trends_module.tally(keys[everything[matched.fields.keep(everything, filters)]], spans, by)
            matches = matched.ranking.all_matches
            printings = trends_module.tally(keys[matches], spans, by)
            # A point counts what a collapsed search of its period finds: stories, not each printing of one.
            stories = self._stories(matched.live)
            hits = printings if stories is None else trends_module.tally(keys[matches], spans, by,
                                                                         stories.story[matches])
            total = matched.ranking.total if stories is None else stories.count(matches)[0]
            series.append(trends_module.Series(matched.query, total, [
                trends_module.TrendPoint(span, int(h), int(a), int(p))
                for span, h, a, p in zip(spans, hits, articles, printings)], printings=matched.ranking.total))
        return trends_module.Trends(by, spans[0].date_from if spans else None, spans[-1].date_to if spans else None,
                                    filters.section, series)
    # --- the same story printed twice (`service.reprints`) ---------------------------------------------------

    def _find_copies(self, writer, among: list[str] | None = None) -> int:
        """Compare the stored articles not compared yet, in the write's transaction (`reprints.find_copies`);
        `among`: the articles the write added or replaced."""
        return reprints.find_copies(writer, self.analyzer.fold, self.analyzer.fingerprint, among=among).compared

    def find_copies(self) -> int:
        """Find the copies of the stored articles that have none recorded yet (a store from before copies were
        kept, or one filled while `ingest.find_copies` was off); how many articles were compared."""
        with self.store.writing() as writer:
            return self._find_copies(writer)

    def copy_groups(self) -> dict[str, tuple[str, ...]]:
        """Every article that has copies -> its group of copies (itself included, sorted)."""
        return self._groups_now()[1]

    def _groups_now(self) -> tuple[tuple[int, int], dict[str, tuple[str, ...]]]:
        """(the store's copies revision, `copy_groups` at it)."""
        revision, grouping = self._grouping_now()
        return revision, grouping.groups

    def _grouping_now(self) -> tuple[tuple[int, int], reprints.Grouping]:
        revision = self.store.copies_revision()
        cached = self._copy_groups
        if cached is None or cached[0] != revision:
            with self._copies_lock:
                kept = self._copy_groups
                if kept is None:
                    # A process that has not worked the groups out starts from those the last one kept: a one-off
                    # `search` or `show` then reads the links added since, not every pair of a large archive.
                    kept = self._copy_groups = reprints.Grouping.load(self.index_dir / GROUPS_CACHE_FILE,
                                                                      self._store_identity())
                if kept is None or kept[0] != revision:
                    if kept is not None and kept[0][1] == revision[1]:
                        # Only the copies revision counts what changes pairs: a write that stored no copy leaves
                        # the groups as they were (the same object, which `_stories_extended` relies on).
                        self._copy_groups = (revision, *kept[1:])
                    else:
                        # A write that only added articles adds their links to the groups worked out: a pass
                        # over the million pairs of a large archive for each small ingest would cost seconds.
                        mark, links, whole = self.store.copy_links_since(kept[2] if kept else None)
                        start = reprints.Grouping() if whole or kept is None else kept[1]
                        grown = start.extended(links)
                        self._copy_groups = (revision, grown, mark)
                        if grown is not start or whole or kept is None:
                            grown.save(self.index_dir / GROUPS_CACHE_FILE, revision, mark, self._store_identity())
                cached = self._copy_groups
        return cached[0], cached[1]

    def _store_identity(self) -> str:
        """The store file as the file system knows it: a store restored or copied into its place is another."""
        try:
            found = os.stat(self.store.path)
        except OSError:
            return ""
        return f"{found.st_dev}:{found.st_ino}"

    def copies(self, article_ids: list[str], script: str | None = None) -> dict[str, tuple[reprints.Copy, ...]]:
        """The other articles that are the same story as each of these (those that have any), oldest first."""
        revision, groups = self._groups_now()
        # A group is known by its first member at a revision: hashing the whole tuple costs its length.
        wanted = {i: (groups[i][0], script) for i in article_ids if i in groups}
        if not wanted:
            return {}
        listed = self._listed.get(revision, set(wanted.values()))
        missing = {key for key in wanted.values() if key not in listed}
        if missing:
            found = self.store.listings(sorted({member for first, _ in missing for member in groups[first]}))
            text = (lambda value: value and self.display.text(value, script)) if script else (lambda value: value)
            shown = {other: reprints.Copy(other, text(title), day, page, text(section))
                     for other, (title, day, page, section) in found.items()}
            for key in missing:
                listed[key] = self._listed.put(revision, key, tuple(sorted(
                    (shown[o] for o in groups[key[0]] if o in shown), key=reprints.Copy.order)))
        return {i: reprints.Listed.others(listed[key], i) for i, key in wanted.items()}

    def _with_copies(self, hits: list[Hit], script: str | None) -> list[Hit]:
        copies = self.copies([hit.article.id for hit in hits], script)
        return [replace(hit, copies=copies[hit.article.id]) if hit.article.id in copies else hit for hit in hits]

    def _stories(self, live: LiveIndex) -> reprints.Stories | None:
        """The stories of `live`'s documents; None when no article has a copy (searches then collapse nothing,
        at no cost)."""
        revision, grouping = self._grouping_now()
        groups = grouping.groups
        if not groups:
            return None
        key = (live.generation, revision)
        cached = self._stories_kept
        if cached is None or cached[0] != key:
            with self._copies_lock:
                kept = self._stories_kept
                if kept is None or kept[0] != key:
                    words = live.words
                    doc_ids = words.doc_ids
                    stories = self._stories_extended(grouping, words)
                    if stories is None:
                        stories = reprints.Stories(words.n_docs,
                                                   (words.doc_numbers_of(group) for group in reprints.distinct(groups)))
                    self._stories_kept = (key, stories, groups, doc_ids)
                cached = self._stories_kept
        return cached[1]

    def _stories_extended(self, grouping: reprints.Grouping, words) -> reprints.Stories | None:
        """The stories of a generation that only added articles to the last one worked out: the last ones, each
        added article a story of its own, and then the groups that grew since (by the added articles' links
        alone) or that hold an added article (the store's copies can be ahead of the index a search reads)
        worked out again. None when that is not the case. A small ingest into a large archive then costs a
        comparison of the article ids and its own groups, not a pass over every group."""
        kept = self._stories_kept
        groups = grouping.groups
        if kept is None or (kept[2] is not groups and kept[2] is not grouping.grown_from):
            return None
        known, doc_ids = kept[3], words.doc_ids
        if len(doc_ids) < len(known) or doc_ids[:len(known)] != known:
            return None
        touched = {id(group): group for group in (groups[i] for i in doc_ids[len(known):] if i in groups)}
        if kept[2] is not groups:
            touched.update((id(group), group) for group in (grouping.members[first] for first in grouping.changed))
        stories = kept[1].extended(len(doc_ids))
        return stories.regrouped(words.doc_numbers_of(group) for group in touched.values()) if touched else stories

    def _collapsed(self, matched: "Matched", wanted: int, rematch: Callable[..., "Matched"],
                   shown: int = 0) -> tuple["Matched", int, Callable[[int], int]]:
        """`matched` with one candidate per story, the best-ranked; how many stories match; and for a document
        number, how many other matching articles its story has. At least the first `wanted` stories are in
        order: when the ranked candidates hold fewer and more matches wait unranked, more are ranked
        (`rematch(limit=...)`), so that no story lands on two pages and none is skipped. Any ranking's first
        candidates are the whole order's first, so eight times as many are tried before all of them; a retry
        then stops once `shown` stories (those the caller reads beyond the page, at most) are in order, or all."""
        stories = self._stories(matched.live)
        if stories is None:
            return matched, matched.ranking.total, _no_copies
        story = stories.story
        ranking = matched.ranking
        first = reprints.first_of_each_story(story[ranking.candidates])
        if first.size < wanted and ranking.matches is not None:
            limit = max(1, ranking.candidates.size)
            while first.size < max(wanted, shown) and ranking.matches is not None:
                limit *= 8  # each retry ranks more: the last ranks every match (`matches` is then None)
                matched = rematch(limit=limit)
                ranking = matched.ranking
                # A rematch may be of a newer generation than the first (a write switched in between).
                stories = self._stories(matched.live)
                if stories is None:
                    return matched, ranking.total, _no_copies
                story = stories.story
                first = reprints.first_of_each_story(story[ranking.candidates])
        total, folded = stories.count(ranking.all_matches)
        collapsed = replace(ranking, candidates=ranking.candidates[first], scores=ranking.scores[first],
                            matches=ranking.all_matches)
        return matched._replace(ranking=collapsed), total, folded

    def _match(self, query: str, date_from: str | None, date_to: str | None, section: str | None,
               sort: str | None, *, limit: int | None, facets: bool = False) -> "Matched":
        """Every match of `query` under its filters, in the order `sort` asks for: by score only the first
        `limit` are put in order (`Ranking.matches` holds them all); by date, all of them."""
        query = self.check_query(query)
        sort = check_sort(sort)
        filters = check_filters(date_from, date_to, section)
        parsed = parse_query(query)
        if parsed.date_from or parsed.date_to or parsed.sections:
            filters = check_filters(date_from or parsed.date_from, date_to or parsed.date_to,
                                    section or (parsed.sections[0] if parsed.sections else None))
        live = self._live()
        postings, ranker = live.words, live.ranker
        groups, excluded = plan_query(self.analyzer, parsed)
        self._check_term_count(parsed, groups, excluded)
        # Words left out with nothing to look for (`-灵芝`) narrow the archive as a filter does (`-person:张三`).
        narrows = parsed.has_filters or bool(excluded)
        if sort is None:
            sort = "relevance" if groups or not narrows else "newest"
        by_date = sort != "relevance"
        fields = self.document_fields(postings) \
            if filters.active or facets or len(parsed.sections) > 1 or by_date else None
        keep = self._without_deleted(live, self._keeper(postings, fields, filters, parsed.sections[1:],
                                                        parsed.authors))
        keep = self._entity_keeper(postings, parsed, keep)
        if groups or narrows:
            ranking = ranker.rank(groups, excluded, keep, postings.n_docs, limit=None if by_date else limit,
                                  question=is_question(self.analyzer.fold(query)))
        else:
            # `，。`, `""` or `OR` would find nothing whatever the archive holds: saying so beats an empty page
            # that reads as "the archive has no such article".
            shown = query if len(query) <= 40 else query[:40] + "…"
            raise QueryError(f"query has nothing to search for: {shown!r} holds no word, only punctuation, "
                             "spaces or the operators AND, OR, NOT", code="no_search_words")
        if by_date and ranking.candidates.size:
            order = fields.date_order(ranking.candidates, ranking.scores, newest=sort == "newest")
            ranking = replace(ranking, candidates=ranking.candidates[order], scores=ranking.scores[order],
                              matches=None)
        return Matched(query, filters, sort, live, ranking, fields)

    def export(self, query: str, fmt: str, *, date_from: str | None = None, date_to: str | None = None,
               section: str | None = None, sort: str | None = None, script: str | None = None,
               base_url: str | None = None, publication: str | None = None,
               accessed: date | None = None) -> "Export":
        """Every hit of `query` (the filters and sort of `search`, no `k` or `offset` limit) as `fmt` (csv,
        jsonl, ris, gbt7714; `service.export`), each hit's link `base_url` followed by its percent-encoded id.

        Everything is checked before this returns (a bad query or format raises here, before a byte is sent);
        `Export.chunks` then reads the articles `EXPORT_BATCH` at a time as it is iterated, so memory stays
        flat however many hits there are: only the ranking (document numbers and scores) is held whole.
        """
        fmt = export_module.check_format(fmt)
        script = check_script(script)
        citing = export_module.Citing(publication=(publication or "").strip() or None,
                                      base_url=export_module.check_base_url(base_url),
                                      accessed=accessed or date.today())
        matched = self._match(query, date_from, date_to, section, sort, limit=None)
        return Export(fmt=fmt, total=matched.ranking.total, sort=matched.sort, filters=matched.filters,
                      chunks=self._export_chunks(matched, fmt, script, citing))

    def export_hits(self, matched: "Matched", script: str | None = None) -> Iterator[export_module.ExportHit]:
        """The hits of a match in order, with their stored summaries, read from the store a batch at a time;
        an article deleted since the index was built is left out."""
        ranking, doc_ids = matched.ranking, matched.live.words.doc_ids
        rank = 0
        for start in range(0, ranking.candidates.size, EXPORT_BATCH):
            numbers = ranking.candidates[start:start + EXPORT_BATCH]
            ids = [doc_ids[int(n)] for n in numbers]
            articles = self.store.get_many(ids)
            extras = self.extras_of([articles[i] for i in ids if i in articles])
            for article_id, score in zip(ids, ranking.scores[start:start + EXPORT_BATCH]):
                article = articles.get(article_id)
                if article is None:
                    continue
                summary = extras[article_id].summary
                if script:
                    article = self.display.article(article, script, body=False)
                    summary = self.display.text(summary, script)
                rank += 1
                yield export_module.ExportHit(rank=rank, score=float(score), article=article, summary=summary)

    def _export_chunks(self, matched: "Matched", fmt: str, script: str | None,
                       citing: export_module.Citing) -> Iterator[str]:
        batch: list[str] = []
        for chunk in export_module.render(self.export_hits(matched, script), fmt, citing):
            batch.append(chunk)
            if len(batch) >= EXPORT_BATCH:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)

    # --- browsing the paper as printed (`service.browse`) ----------------------------------------------------

    def dates(self, date_from: str | None = None, date_to: str | None = None) -> list[browse.DateCount]:
        """Every day from `date_from` to `date_to` (YYYY, YYYY-MM or YYYY-MM-DD; either open) that has articles,
        with how many, in date order. Articles with a partial date or none are on no day."""
        first, last = browse.check_span(date_from, date_to)
        return [browse.DateCount(day, count) for day, count in self.store.date_counts(first, last)]

    def pages(self, day: str) -> browse.DayPages:
        """A day's pages in printed order, each with its articles' ids in printed order, and the days with
        articles either side; no pages when the day has no articles."""
        day = browse.check_day(day)
        before, after = self.store.neighbour_dates(day)
        return browse.DayPages(day, browse.group_day(self.store.day_rows(day)), before, after)

    def page(self, day: str, page: str, *, script: str | None = None) -> browse.PageView:
        """One page of a day (`page`: a page code such as B03, or the key of a group of articles without one,
        `browse.PageGroup.key`): its articles in printed order with their summaries, the day's pages either side
        and the days either side. NotFound naming the day's pages when it has no such page."""
        script = check_script(script)
        listing = self.pages(day)
        number = browse.find_group(listing.pages, listing.date, page)
        group = listing.pages[number]
        found = self.store.get_many(list(group.ids))
        articles = [found[i] for i in group.ids if i in found]
        extras = self.extras_of(articles)
        shown = []
        for article in articles:
            summary = extras[article.id].summary
            if script:
                article = self.display.article(article, script, body=False)
                summary = self.display.text(summary, script)
            shown.append(browse.PageArticle(article, summary))
        keys = [g.key for g in listing.pages]
        return browse.PageView(listing.date, group, shown, keys[number - 1] if number > 0 else None,
                               keys[number + 1] if number + 1 < len(keys) else None, listing.previous_date,
                               listing.next_date)

    def archive_facets(self, script: str | None = None) -> Facets:
        """Counts of the whole archive by month, day and section: what the filters can choose from."""
        script = check_script(script)
        counts = self.document_fields(self.postings()).count_all()
        if script:
            counts = counts.with_section_names(lambda name: self.display.text(name, script))
        return counts

    def article(self, article_id: str) -> Article:
        """The stored article; `Replaced` naming its successor when a corrected reading of its page replaced it."""
        try:
            check_id(article_id)
        except InputError as exc:
            raise NotFound(f"no article with id {article_id!r}", code="article_not_found") from exc
        try:
            return self.store.get(article_id)
        except NotFound:
            successor = self.store.successor(article_id)
            if successor is None:
                raise
            raise Replaced(f"article {article_id!r} was replaced by {successor!r}, from a corrected reading of its "
                           "page", successor) from None

    def read(self, article_id: str, *, query: str | None = None, script: str | None = None) -> ArticleView:
        """One article to show: in `script`, with the terms of `query` (if any) located in it."""
        script = check_script(script)
        found = self.article(article_id)
        terms, keys = self.marks_for(self.check_query(query)) if query and query.strip() else ([], [])
        title, title_spans = self.display.marked(
            found.title, highlight_spans(self.analyzer, found.title, terms, keys), script, terms)
        paragraphs = [self.display.marked(p, highlight_spans(self.analyzer, p, terms, keys), script, terms)
                      for p in found.paragraphs]
        return ArticleView(article=self.display.article(found, script, title=title), script=script,
                           terms=list(dict.fromkeys(terms)), title_highlights=title_spans, paragraphs=paragraphs,
                           copies=self.copies([found.id], script).get(found.id, ()))

    def marks_for(self, query: str) -> tuple[list[str], list[str]]:
        """(words, folded keys) to mark for a query: its searched words, not its operators or excluded words."""
        groups, _ = plan_query(self.analyzer, parse_query(query))
        terms = [t for group in groups for plan in group for t in plan.words]
        keys = [plan.key for group in groups for plan in group if plan.key]
        return list(dict.fromkeys(terms)), keys

    def highlight(self, text: str, query: str | None) -> list[tuple[int, int]]:
        if not query or not query.strip():
            return []
        return highlight_spans(self.analyzer, check_text(text, "the text to highlight"),
                               *self.marks_for(self.check_query(query)))

    def summarize(self, text: str, *, sentences: int | None = None, query: str | None = None,
                  max_chars: int | None = None, title: str | None = None, kind: str | None = None) -> Summary:
        """An extractive summary of any text.

        The budget is `sentences`, `max_chars`, or both; with neither, `summary.sentences` sentences. With a
        query, sentences holding its terms are preferred and the terms marked; a title, when given, steers
        the choice towards what it names. How the text is summarised follows its kind (`summaries.kinds`): `kind`
        is an article's kind as stored (`photo` for a photo story).
        """
        if not isinstance(text, str):
            raise InputError("text to summarize must be a string", code="bad_text")
        check_text(text, "the text to summarize", code="bad_text")
        if title is not None and not isinstance(title, str):
            raise InputError("title must be a string", code="bad_title")
        if title is not None:
            check_text(title, "the title", code="bad_title")
        if kind is not None and kind != "article" and kind not in KINDS:
            raise InputError(f"kind must be article (recognise it), {', '.join(KINDS)}; got {str(kind)[:40]!r}",
                             code="bad_kind")
        if sentences is None and max_chars is None:
            sentences = self.config.summary_sentences
        if sentences is not None:
            _check_whole_number("sentences", sentences, 1, 100, "bad_sentences")
        if max_chars is not None:
            _check_whole_number("max_chars", max_chars, 1, MAX_SUMMARY_CHARS, "bad_max_chars")
        if query is not None and not isinstance(query, str):
            raise QueryError("query must be a string", code="bad_query")
        if query:
            check_text(query, "the query", code="bad_query", error=QueryError)
        terms = self.analyzer.terms(query) if query else []
        return summarize(self.analyzer, text, sentences=sentences, max_chars=max_chars, query_terms=terms,
                         title=title or None, kind=kind)

    def split_file(self, path: Path) -> Page:
        from .ingest.pages import split_page

        return split_page(read_text_file(Path(path)))

    def health(self) -> dict:
        """What /healthz reports, after the cheap checks: the index opens and its files have their sizes."""
        self.postings()
        storage.verify_live(self.index_dir, hashes=False)
        return {"status": "ok", "articles": self.store.count(),
                "index_generation": storage.current_generation(self.index_dir), "index_lag": self.index_lag()}

    def check(self) -> dict:
        """Every stored page and every article row of the article store, and every index file, against its
        checksum.

        `problems` is empty when both are sound; each problem names the command that repairs it.
        """
        store_problems = [f"article store {self.store.path}: {m}" for m in self.store.integrity()]
        damaged = self.store.damaged_rows()  # integrity_check sees pages and structure, not what rows hold
        store_problems += [row.error(self.store.path).message for row in damaged]
        index_problems = []
        generation = None
        try:
            generation, manifest = storage.verify_live(self.index_dir, hashes=True)
            storage.check_manifest(manifest, self.index_dir, self.analyzer.fingerprint, self.params)
        except IndexUnusable as exc:
            index_problems.append(exc.message)
        lag = self._check_lag() if generation and not index_problems else None
        if lag:
            index_problems.append(lag)
        return {"store": "damaged" if store_problems else "ok",
                "index": "unusable" if index_problems and not lag else "behind" if lag else "ok",
                "index_generation": generation, "index_current": self.index_is_current(),
                "articles": self.store.count(), "damaged_articles": [row.id for row in damaged],
                "problems": store_problems + index_problems, "index_lag": self.index_lag()}

    def backup(self, dest: Path, *, link: bool = False, wait_seconds: float = 600.0) -> "backup_module.BackupReport":
        """A consistent copy of the store and its index generation in `dest`, taken while others read and write
        (`service.backup`)."""
        return backup_module.backup(self.store.path, self.index_dir, Path(dest), link=link, wait_seconds=wait_seconds)

    def _check_lag(self) -> str | None:
        """What is wrong when the index does not hold the store as it is, with the command that repairs it;
        None when it does, or when another write holds the lock (it is bringing the index up to date)."""
        try:
            with storage.WriteLock(self.index_dir, 0, "check"):
                if self.index_is_current():
                    return None
                live = storage.live_revision(self.index_dir)
                revision = self.store.revision()
                with self.store.reading() as reader:
                    stored = set(reader.id_hashes())
                indexed = set(generations.indexed(self.index_dir))
        except WriteBusy:
            return None
        missing, extra = len(stored - indexed), len({i for i, _ in indexed} - {i for i, _ in stored})
        if live is not None and live > revision:
            return (f"the index was built from store revision {live} but the article store is at {revision} (the "
                    f"store was put back from a copy, or lost its last commits): {missing} stored article(s) are "
                    f"not searchable and {extra} searchable one(s) are no longer stored; run `jiansuo reindex`")
        return (f"the index is {revision - (live or 0)} store revision(s) behind the article store: {missing} "
                f"stored article(s) are not searchable and {extra} deleted one(s) still counted (a write stopped "
                "between storing and indexing); run `jiansuo reindex`")

    def stats(self) -> dict:
        generation = storage.current_generation(self.index_dir)
        index_bytes, segments = 0, 0
        if generation:
            named = generations.segment_folders(self.index_dir, generation)
            segments = len(named)
            index_bytes = sum(p.stat().st_size for folder in {self.index_dir / generation, *named}
                              for p in folder.rglob("*") if p.is_file())
        return {"articles": self.store.count(), "index_generation": generation, "index_bytes": index_bytes,
                "index_segments": segments,
                "last_ingest": self.store.last_ingest(), "analyzer": self.analyzer.fingerprint,
                "index_current": self.index_is_current(), "index_lag": self.index_lag()}

    # --- people, places and organisations (`service.mentions`) -------------------------------------------

    def update_entities(self, batch: int = ENTITY_BATCH, limit: int | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        stop: Callable[[], bool] | None = None) -> dict:
        """Recognise the people, places and organisations of every article the recogniser has not read in its
        present text, `batch` articles at a time, each batch committed: stopped anywhere (killed, `stop()`
        true, `limit` articles read), it goes on from there when run again, and run again on a read archive it
        reads nothing. `progress(read, pending)` after each batch. Returns what it read and the coverage."""
        from .text.entities import Recognizer

        _check_whole_number("batch", batch, 1, 10_000, "bad_batch")
        recognizer = Recognizer(self.analyzer)
        started = time.perf_counter()
        read = damaged = 0
        after = 0
        pending = self.mentions.coverage().pending
        while limit is None or read < limit:
            rows = self.mentions.unread(batch if limit is None else min(batch, limit - read), after)
            if not rows:
                break
            after = rows[-1][0]
            articles = self._readable_articles([article_id for _, article_id in rows])
            damaged += len(rows) - len(articles)
            texts = [[t for t in (a.title, a.kicker, a.subtitle, a.body) if t] for a in articles]
            found = recognizer.recognize_many([t for parts in texts for t in parts])
            named, position = [], 0
            for article, parts in zip(articles, texts):
                entities = [e for each in found[position:position + len(parts)] for e in each]
                position += len(parts)
                named.append(mentions_module.tally(article.id, article.content_hash,
                                                   ((e.type, e.text) for e in entities), self.analyzer.fold))
            read += self.mentions.put(named)
            if progress is not None:
                progress(read, pending)
            if stop is not None and stop():
                break
        coverage = self.mentions.coverage()
        return {"recognised": read, "damaged": damaged, "seconds": round(time.perf_counter() - started, 3),
                **coverage.to_dict()}

    def _readable_articles(self, article_ids: list[str]) -> list[Article]:
        """The articles with these ids in this order, a damaged one left out (`jiansuo check` names it)."""
        try:
            found = self.store.get_many(article_ids)
        except StoreDamaged:
            found = {}
            for article_id in article_ids:
                try:
                    found[article_id] = self.store.get(article_id)
                except (StoreDamaged, NotFound):
                    continue
        return [found[i] for i in article_ids if i in found]

    def entity_coverage(self) -> dict:
        """How many stored articles have had their people, places and organisations recognised."""
        return self.mentions.coverage().to_dict()

    def _coverage_now(self) -> mentions_module.Coverage:
        """`mentions.coverage()`, counted again only when articles or mentions were stored since (counting joins
        every article: tens of milliseconds on a large archive, too much for every entity page)."""
        key = (self.store.revision(), self.mentions.revision())
        cached = self._coverage
        if cached is None or cached[0] != key:
            cached = self._coverage = (key, self.mentions.coverage())
        return cached[1]

    def _entity_keeper(self, postings: Postings, parsed, keep):
        """`keep` narrowed to the articles naming the query's people, places and organisations (several of one
        kind: any of them; of different kinds: all), less those naming any it excludes."""
        if not (parsed.entities or parsed.without_entities):
            return keep

        def numbers(wanted) -> dict[str, np.ndarray]:
            by_kind: dict[str, list[str]] = {}
            for kind, name in wanted:
                by_kind.setdefault(kind, []).append(self.analyzer.fold(name).strip())
            return {kind: np.asarray(sorted(postings.doc_numbers_of(
                self.mentions.ids_naming(mentions_module.KINDS[kind], names))), dtype=np.int64)
                for kind, names in by_kind.items()}

        required, excluded = numbers(parsed.entities), numbers(parsed.without_entities)

        def kept(candidates: np.ndarray) -> np.ndarray:
            mask = np.ones(candidates.size, dtype=bool) if keep is None else keep(candidates)
            for allowed in required.values():
                mask &= np.isin(candidates, allowed)
            for refused in excluded.values():
                mask &= ~np.isin(candidates, refused)
            return mask

        return kept

    def _entity_table(self, postings: Postings) -> mentions_module.EntityTable:
        """Every mention over `postings`' document numbers, made again when the generation changes, or, at most
        once every ENTITY_TABLE_SECONDS, when mentions were stored since (a background pass stores a batch every
        second or so; facets a minute behind it are fine, rebuilding the table at each batch is not)."""
        key = (postings, self.mentions.revision())
        cached = self._entity_cache
        if cached is not None and cached[0][0] is postings and (
                cached[0][1] == key[1] or time.monotonic() - cached[0][2] < ENTITY_TABLE_SECONDS):
            return cached[1]
        with self._entity_cache_lock:
            cached = self._entity_cache
            if cached is None or cached[0][0] is not postings or cached[0][1] != key[1]:
                table = mentions_module.EntityTable(postings.doc_ids, self.mentions.all_rows())
                self._entity_cache = ((postings, key[1], time.monotonic()), table)
            return self._entity_cache[1]

    def _entity_facets(self, postings: Postings, matches: np.ndarray, kinds: tuple[str, ...],
                       script: str | None) -> dict[str, list[tuple[str, int]]]:
        kinds = tuple(dict.fromkeys(mentions_module.check_kind(kind) for kind in kinds))
        counts = self._entity_table(postings).count(matches, kinds, ENTITY_FACET_VALUES)
        if script:
            counts = {kind: [(self.display.text(name, script), count) for name, count in pairs]
                      for kind, pairs in counts.items()}
        return counts

    def entity(self, kind: str, name: str, *, sort: str | None = None, offset: int = 0, k: int | None = None,
               script: str | None = None) -> mentions_module.EntityView:
        """One person, place or organisation (`kind`: person, place, org, or PER, LOC, ORG): its articles by
        month, the names most often named with it, and a page of its articles by date (`sort` newest, the
        default, or oldest). NotFound naming it when no article names it."""
        kind = mentions_module.check_kind(kind)
        name = mentions_module.check_name(name)
        script = check_script(script)
        sort = check_sort(sort) or "newest"
        if sort == "relevance":
            raise QueryError("parameter sort must be newest or oldest for an entity's articles, got 'relevance'",
                             code="bad_sort")
        k = self.config.search_default_k if k is None else k
        _check_whole_number("k", k, 1, self.config.search_max_k, "bad_k")
        _check_whole_number("offset", offset, 0, self.config.search_max_offset, "bad_offset")
        entity_type, key = mentions_module.KINDS[kind], self.analyzer.fold(name).strip()
        rows = self.mentions.articles_naming(entity_type, key)
        if not rows:
            coverage = self.mentions.coverage()
            unread = (f" ({coverage.pending} of {coverage.articles} articles are not read for names yet; "
                      "`jiansuo entities --update` reads them)") if coverage.pending else ""
            raise NotFound(f"no article names the {kind} {name!r}{unread}", code="entity_not_found")
        # Newest first: a date sorts as written (a partial date before the whole dates of its period), undated
        # articles last, then by id so pages never overlap.
        rows.sort(key=lambda row: row[0])
        dated = sorted((row for row in rows if row[1]), key=lambda row: row[1], reverse=sort == "newest")
        ordered = dated + [row for row in rows if not row[1]]
        months: dict[str, int] = {}
        for _, when in dated:
            if len(when) >= 7:
                months[when[:7]] = months.get(when[:7], 0) + 1
        recent = [article_id for article_id, _ in (ordered if sort == "newest" else ordered[::-1])][
            :ENTITY_COOCCURRENCE_ARTICLES]
        others = self.mentions.named_with(recent, entity_type, key)
        named_with: dict[str, list[tuple[str, str, int]]] = {other: [] for other in mentions_module.KINDS}
        for other_type, other_name, count in others:
            bucket = named_with[mentions_module.TYPE_KINDS[other_type]]
            if len(bucket) < ENTITY_FACET_VALUES:
                bucket.append((other_type, other_name, count))
        texts = self.mentions.texts_of([(entity_type, key)] + [(t, n) for pairs in named_with.values()
                                                               for t, n, _ in pairs])
        shown = (lambda text: self.display.text(text, script)) if script else (lambda text: text)
        # One story printed several times is listed once, where its first printing in this order stands, as a
        # collapsed search shows it; `printings` counts its other printings that name the entity too.
        groups = self._groups_now()[1]
        stories: list[str] = []
        printings: dict[str, int] = {}
        first_of: dict[str, str] = {}
        for article_id, _ in ordered:
            group = groups.get(article_id)
            story = group[0] if group else article_id
            if story in first_of:
                printings[first_of[story]] += 1
                continue
            first_of[story] = article_id
            printings[article_id] = 0
            stories.append(article_id)
        page_ids = stories[offset:offset + k]
        found = self.store.get_many(page_ids)
        page = [found[i] for i in page_ids if i in found]
        extras = self.extras_of(page)
        articles = [mentions_module.EntityArticle(a.id, shown(a.title), a.date, shown(a.section) if a.section else None,
                                                  shown(extras[a.id].summary), printings[a.id]) for a in page]
        return mentions_module.EntityView(
            kind=kind, name=shown(texts[(entity_type, key)]), key=key, total=len(rows), months=sorted(months.items()),
            undated=len(rows) - sum(months.values()),
            named_with={other: [(shown(texts[(t, n)]), count) for t, n, count in pairs]
                        for other, pairs in named_with.items()},
            named_with_over=len(recent), articles=articles, sort=sort, offset=offset, k=k,
            unread=self._coverage_now().pending, stories=len(stories))
