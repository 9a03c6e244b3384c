"""`jiansuo`: the command line. Thin: parse arguments, call the engine, print.

Results go to stdout (JSON with --json), messages to stderr. Exit codes:
0 success, 1 unexpected failure, 2 bad usage or query, 3 not found,
4 bad input (some files or records skipped), 5 bad configuration,
6 index or article store missing, unusable or damaged, 7 not allowed, 8 another
write is in progress (nothing changed), 9 stored but not indexed (`jiansuo
reindex`), 10 nothing stored (the store could not be written), 11 a shard of the
cluster backend answers on none of its addresses (`service.cluster`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import __version__
from . import config as config_module
from .articles import standin_title
from .export import FORMATS as EXPORT_FORMATS
from .errors import InputError, JiansuoError, QueryError
from .ingest.encoding import decode
from .search.query import SORTS
from .store import sqlite_failure, store_problem

if TYPE_CHECKING:  # the page splitter is imported by `split` and `ingest`, not by every command
    from .ingest.pages import Page

_BOLD, _RESET = "\033[1m", "\033[0m"


def _dump(data: object, out: TextIO, *, indent: int | None = 2) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=indent) + "\n")


def _marked(text: str, spans: list, tty: bool) -> str:
    """Query terms set off in bold on a terminal, in 【】 otherwise."""
    before, after = (_BOLD, _RESET) if tty else ("【", "】")
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start] + before + text[start:end] + after)
        last = end
    return "".join(out) + text[last:]


def _headline(title: str, text: str | None = None) -> str:
    """An article's title; for one without (a page item whose title was not found), the opening of its text,
    marked as standing in so it is not read as the headline."""
    if title:
        return title
    opening = standin_title(text)
    return f"(untitled) {opening}" if opening else "(untitled)"


def _engine(args: argparse.Namespace):
    from .engine import Engine

    config = config_module.load(args.config)
    if args.index:
        config = config.with_overrides(paths_data_dir=Path(args.index).resolve())
    return Engine(config)


def _warn_if_behind(engine) -> None:
    """Say so when searches cannot see everything stored: a write stopped between storing and indexing."""
    lag = engine.index_lag()
    if lag and engine.has_index():
        print(f"warning: the index is {lag} store revision(s) behind the article store: articles stored since "
              "are not found (a write stopped between storing and indexing, or one is running now); "
              "`jiansuo reindex` brings it up to date", file=sys.stderr)


def _catch_up(engine) -> None:
    """`serve`'s start: an index left behind the store is brought up to date before the first search."""
    from .errors import NotIndexed, WriteBusy

    if not engine.index_behind():
        return
    print(f"the index is {engine.index_lag()} store revision(s) behind the article store (a write stopped "
          "between storing and indexing): catching up", file=sys.stderr, flush=True)
    try:
        generation = engine.catch_up()
    except WriteBusy as exc:
        print(f"warning: not catching up: {exc.message}; that write brings the index up to date",
              file=sys.stderr)
        return
    except NotIndexed as exc:
        print(f"warning: {exc.message}; serving the index as it is (/healthz reports index_lag)", file=sys.stderr)
        return
    print(f"caught up: index {generation}", file=sys.stderr, flush=True)


def _read_jsonl_records(path: str) -> list[dict]:
    """`{"id", "text", ...}` objects, one a line; a bad line stops the run naming its file and line."""
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    records = []
    for number, line in enumerate(decode(raw, path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})", code="bad_record") from exc
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise InputError(f"{path}:{number}: each line must be an object with `id` and `text`",
                             code="bad_record")
        if record.get("title") is not None and not isinstance(record["title"], str):
            raise InputError(f"{path}:{number}: `title` must be a string", code="bad_record")
        records.append(record)
    return records


def _read_jsonl_queries(path: str) -> list[tuple[str, str]]:
    return [(str(record["id"]), record["text"]) for record in _read_jsonl_records(path)]


# --- commands ----------------------------------------------------------------------------------------------


class _Progress:
    """Ingest progress on stderr: a bar redrawn in place on a terminal, otherwise a plain line per
    file at most every `_LINE_SECONDS` (and for the first and last file), so logs stay readable."""

    _LINE_SECONDS = 1.0
    _BAR = 28

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0
        self.drawn = False

    def __call__(self, progress) -> None:
        now = time.monotonic()
        if progress.phase == "wait":
            self._line(f"waiting for another write to this archive to finish ({progress.current})")
        elif progress.phase == "read":
            if progress.done == 0:
                if not self.tty:
                    self._line(f"reading {progress.total} file(s)")
                return
            final = progress.done == progress.total
            if not final and now - self.last < (0.1 if self.tty else self._LINE_SECONDS) and progress.done > 1:
                return
            self.last = now
            if self.tty:
                filled = self._BAR * progress.done // max(progress.total, 1)
                name = (progress.current or "")[-40:]
                self._redraw(f"[{'#' * filled}{'.' * (self._BAR - filled)}] {progress.done}/{progress.total} "
                             f"files  {progress.articles} articles  {name}")
            else:
                self._line(f"read {progress.done}/{progress.total} files, {progress.articles} articles"
                           f"{f' ({progress.current})' if progress.current else ''}")
        elif progress.phase == "index":
            final = progress.done == progress.total
            if self.tty:
                self._redraw(f"indexing {progress.done}/{progress.total} articles")
            elif final:
                self._line(f"indexed {progress.total} articles")

    def _redraw(self, text: str) -> None:
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self.drawn = True

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False


def _column_map(pairs: list[str] | None) -> dict[str, str]:
    columns = {}
    for pair in pairs or []:
        field_name, sep, column = pair.partition("=")
        if not sep or not field_name.strip() or not column.strip():
            raise QueryError(f"--column takes FIELD=COLUMN (e.g. body=正文), got {pair!r}", code="bad_option")
        columns[field_name.strip()] = column.strip()
    return columns


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest.sources import ReadOptions

    engine = _engine(args)
    options = ReadOptions(txt=args.txt, columns=_column_map(args.column))
    progress = _Progress(sys.stderr)
    try:
        report = engine.ingest([Path(p) for p in args.paths], options=options, progress=progress)
    finally:
        progress.finish()
    if args.json:
        _dump(report.to_dict(), sys.stdout)
    else:
        removed = f", removed {len(report.removed)}" if report.removed else ""
        print(f"added {len(report.added)}, replaced {len(report.replaced)}, unchanged {len(report.unchanged)}, "
              f"skipped {len(report.problems)} from {report.files} file(s){removed}")
        for article_id in report.added:
            print(f"  + {article_id}  {report.titles.get(article_id, '')}")
        for article_id in report.replaced:
            print(f"  ~ {article_id}  {report.titles.get(article_id, '')}")
        for article_id in report.removed:
            print(f"  - {article_id}")
    sys.stdout.flush()
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    index = f"index {report.index_generation}" if report.index_generation else "index unchanged"
    print(f"ingest done: {report.files} file(s) read; {len(report.added)} added, {len(report.replaced)} replaced, "
          f"{len(report.unchanged)} unchanged, {len(report.problems)} skipped, {len(report.warnings)} warnings; "
          f"{index}", file=sys.stderr)
    return InputError.exit_code if report.problems else 0


def cmd_delete(args: argparse.Namespace) -> int:
    from .errors import NotFound

    report = _engine(args).delete(args.ids)
    if args.json:
        _dump(report.to_dict(), sys.stdout)
    else:
        print(f"deleted {len(report.deleted)} of {len(dict.fromkeys(args.ids))} article(s)")
        for article_id in report.deleted:
            print(f"  - {article_id}")
    for article_id in report.missing:
        print(f"not found: {article_id}", file=sys.stderr)
    return NotFound.exit_code if report.missing else 0


def cmd_reindex(args: argparse.Namespace) -> int:
    engine = _engine(args)
    progress = _Progress(sys.stderr)
    try:
        generation = engine.reindex(progress=progress)
    finally:
        progress.finish()
    print(f"index rebuilt from {engine.store.count()} articles: {generation}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    engine = _engine(args)
    switched = engine.merge(everything=args.all)  # `optimize` is `merge --all`
    segments = engine.stats()["index_segments"]
    if args.json:
        _dump({"generations": switched, "index_segments": segments}, sys.stdout)
    elif switched:
        print(f"{len(switched)} merge(s); the index is {segments} segment(s): {switched[-1]}")
    else:
        print(f"nothing to merge; the index is {segments} segment(s)")
    return 0


cmd_optimize = cmd_merge


def cmd_search(args: argparse.Namespace) -> int:
    engine = _engine(args)
    _warn_if_behind(engine)
    if args.batch:
        return _search_batch(engine, args)
    if not args.query:
        raise QueryError("give a QUERY, or --batch QUERIES.jsonl", code="empty_query")
    if args.export:
        return _export(engine, args)
    if args.base_url or args.publication:
        raise QueryError("--base-url and --publication go with --export", code="bad_option")
    engine.warm_up(one_off=True)  # took_ms then measures the search, not loading the dictionary
    results = engine.search(" ".join(args.query), k=args.k, offset=args.offset, explain=args.explain,
                            sort=args.sort, collapse=not args.no_collapse)
    if args.json:
        _dump({**results.to_dict(), "sort": results.sort}, sys.stdout)
        return 0
    tty = sys.stdout.isatty()
    shown = f"{results.offset + 1}-{results.offset + len(results.hits)}" if results.hits else "0"
    mode = {"or": ", no article holds every word: ranking those with any", "filter": ", filters only",
            "most": f", a long query: articles holding any of its {results.match_words} words, those with more first"
            if results.min_match == 1 else
            f", a long query: articles holding at least {results.min_match} of its {results.match_words} words"}
    order = f", {results.sort} first" if results.sort != "relevance" else ""
    stories = f" ({results.articles} articles, copies of one story shown once)" \
        if results.articles != results.stories and results.collapse else ""
    # The fallback to any word is news only when it found something.
    note = mode.get(results.mode, "") if results.total or results.mode != "or" else ""
    print(f"{results.total} hits{stories} for {results.query!r} ({results.took_ms:.1f} ms), showing {shown}"
          f"{note}{order}")
    for suggestion in results.author_suggestions:
        print(f"{suggestion.word!r} is an author's name; bylines are not searched as text: try "
              f"jiansuo search {suggestion.query!r}")
    for hit in results.hits:
        a = hit.article
        where = " ".join(x for x in (a.date, a.section, a.page) if x)
        title = _marked(a.title, hit.title_highlights, tty) if a.title else _headline("", a.body)
        print(f"\n{hit.rank}. {title}  [{where}]  "
              f"score {hit.score:.4f}  id {a.id}")
        if a.authors:
            print(f"   {' '.join(a.authors)}")
        print(f"   {_marked(hit.summary.text, hit.summary.highlights, tty)}")
        if hit.copies:
            print(f"   also printed as: {'  '.join(c.id for c in hit.copies)}")
        if hit.explain is not None:
            for channel, terms in hit.explain["channels"].items():
                parts = "  ".join(f"{term} {value:.4f}" for term, value in terms.items())
                print(f"   {channel} (weight {hit.explain['weights'][channel]}): {parts}")
            if hit.explain.get("proximity"):
                print(f"   proximity (weight {hit.explain['weights']['proximity']}): {hit.explain['proximity']:.4f}")
    return 0


def _export(engine, args: argparse.Namespace) -> int:
    """Every hit to stdout as it is read; the count to stderr. Refused before a byte is written when bad."""
    if args.k is not None or args.offset or args.explain:
        raise QueryError("--export writes every hit: it takes no -k, --offset or --explain", code="bad_option")
    export = engine.export(" ".join(args.query), args.export, sort=args.sort, base_url=args.base_url,
                           publication=args.publication)
    if export.fmt in ("gbt7714", "ris") and not (args.publication or "").strip():
        print(f"warning: no --publication: the {export.fmt} references leave out the newspaper's name",
              file=sys.stderr)
    out = sys.stdout.buffer
    for chunk in export.chunks:
        out.write(chunk.encode("utf-8"))
    out.flush()
    print(f"exported {export.total} hits ({export.sort}) as {export.fmt}", file=sys.stderr)
    return 0


def _search_batch(engine, args: argparse.Namespace) -> int:
    queries = _read_jsonl_queries(args.batch)
    out = open(args.trec, "w", encoding="utf-8") if args.trec else sys.stdout
    failed = 0
    try:
        for query_id, text in queries:
            try:
                results = engine.search(text, k=args.k, offset=args.offset, summaries=False,
                                        collapse=not args.no_collapse)
            except QueryError as exc:
                print(f"query {query_id}: {exc.message}", file=sys.stderr)
                failed += 1
                continue
            if args.trec:
                for hit in results.hits:
                    out.write(f"{query_id} Q0 {hit.article.id} {hit.rank} {hit.score:.6f} jiansuo\n")
            else:
                _dump({"id": query_id, "total": results.total,
                       "results": [{"id": h.article.id, "rank": h.rank, "score": h.score} for h in results.hits]},
                      out, indent=None)
    finally:
        if args.trec:
            out.close()
    print(f"{len(queries) - failed} queries run, {failed} refused", file=sys.stderr)
    return QueryError.exit_code if failed else 0


def _page_to_dict(page: Page) -> dict:
    return {"page": page.code, "section": page.section, "date": page.date, "editor": page.editor,
            "layout": page.layout, "warnings": list(page.warnings),
            "items": [{"position": item.position, "kind": item.kind, "title": item.title,
                       "authors": list(item.authors), "body": item.body, "paragraphs": list(item.paragraphs),
                       "warnings": list(item.warnings), "kicker": item.kicker, "subtitle": item.subtitle}
                      for item in page.items]}


def cmd_split(args: argparse.Namespace) -> int:
    from .ingest.pages import split_pages
    from .ingest.sources import read_text_file

    from .ingest.formats import empty_text

    files, skipped = [], []
    for name in args.pages:
        text = read_text_file(Path(name))
        if (empty := empty_text(text)) is not None:
            skipped.append(f"{name}: {empty}")  # as `ingest` reports the file: no page is split from nothing
            continue
        files.append((name, [page for _, page in split_pages(text)]))
    for problem in skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    if not files:
        return InputError.exit_code
    code = InputError.exit_code if skipped else 0
    if args.json:
        # One file: its first page at the top level (the shape single-page files always had), every page in
        # "pages". Several: that object for each, with its file, in "files".
        shaped = [{**_page_to_dict(pages[0]), "pages": [_page_to_dict(page) for page in pages]} for _, pages in files]
        _dump(shaped[0] if len(args.pages) == 1 else
              {"files": [{"file": name, **one} for (name, _), one in zip(files, shaped)]}, sys.stdout)
        return code
    for number, (name, pages) in enumerate(files):
        if len(args.pages) > 1:
            print(f"{'' if number == 0 else chr(10)}##### {name}")
        _print_pages(pages)
    return code


def _print_pages(pages: list[Page]) -> None:
    for number, page in enumerate(pages, start=1):
        if len(pages) > 1:
            print(f"{'' if number == 1 else chr(10)}=== page {number} of {len(pages)} ===")
        print(f"page {page.code or '?'}  section {page.section or '?'}  date {page.date or '?'}  "
              f"editor {page.editor or '?'}  layout {page.layout or '?'}  {len(page.items)} items")
        for warning in page.warnings:
            print(f"  warning: {warning}")
        for item in page.items:
            print(f"\n[{item.position}] {item.kind}: {item.title}")
            if item.kicker:
                print(f"    kicker: {item.kicker}")
            if item.subtitle:
                print(f"    subtitle: {item.subtitle}")
            print(f"    authors: {' '.join(item.authors) or '-'}   paragraphs: {len(item.paragraphs)}   "
                  f"characters: {sum(len(p) for p in item.paragraphs)}")
            print(f"    {item.body[:60].replace(chr(10), ' / ')}…")
            for warning in item.warnings:
                print(f"    warning: {warning}")


def cmd_summarize(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.batch:
        records = _read_jsonl_records(args.batch)
        failed: list[JiansuoError] = []
        for record in records:
            try:
                summary = engine.summarize(record["text"], sentences=args.sentences, query=args.query,
                                           max_chars=args.max_chars, title=record.get("title") or args.title,
                                           kind=record.get("kind"))
            except (InputError, QueryError) as exc:
                # One bad text does not cost the others their summaries.
                print(f"record {record['id']}: {exc.message}", file=sys.stderr)
                failed.append(exc)
                continue
            _dump({"id": str(record["id"]), "summary": summary.text}, sys.stdout, indent=None)
        print(f"{len(records) - len(failed)} texts summarized, {len(failed)} refused", file=sys.stderr)
        return max((exc.exit_code for exc in failed), default=0)
    source = args.file or "-"
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    text = decode(raw, source)
    if not text.strip():
        # As POST /api/summarize answers an empty text: bad_text (400 there, exit 4 here, as every bad text).
        raise InputError(f"the text to summarize ({'stdin' if source == '-' else source}) is missing or empty: "
                         "give the text to summarize", code="bad_text")
    summary = engine.summarize(text, sentences=args.sentences, query=args.query,
                               max_chars=args.max_chars, title=args.title)
    if args.json:
        _dump(summary.to_dict(), sys.stdout)
    else:
        print(_marked(summary.text, summary.highlights, sys.stdout.isatty()))
    return 0


def cmd_entities(args: argparse.Namespace) -> int:
    from .articles import check_text
    from .text.entities import recognize

    def listed(text: str) -> list[dict]:
        return [entity._asdict() for entity in recognize(text)]

    if args.update:
        if args.file or args.batch:
            raise QueryError("entities --update reads the archive's articles: it takes no FILE or --batch",
                             code="bad_option")
        return _update_entities(args)
    if args.limit is not None:
        raise QueryError("--limit goes with --update", code="bad_option")
    if args.batch:
        if args.file:
            raise QueryError("entities takes a FILE or --batch, not both", code="bad_option")
        records = _read_jsonl_records(args.batch)
        refused = 0
        for record in records:
            try:
                text = check_text(record["text"], "the text")
            except InputError as exc:
                # One bad text does not cost the others their entities.
                print(f"record {record['id']}: {exc.message}", file=sys.stderr)
                refused += 1
                continue
            _dump({"id": str(record["id"]), "entities": listed(text)}, sys.stdout, indent=None)
        print(f"{len(records) - refused} texts read, {refused} refused", file=sys.stderr)
        return InputError.exit_code if refused else 0
    source = args.file or "-"
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    entities = listed(check_text(decode(raw, source), source))
    if args.json:
        _dump({"entities": entities}, sys.stdout)
    else:
        for entity in entities:
            print(f"{entity['type']}\t{entity['start']}\t{entity['end']}\t{entity['text']}")
    return 0


def _update_entities(args: argparse.Namespace) -> int:
    """`entities --update`: the people, places and organisations of every article not read for them yet."""
    engine = _engine(args)
    if args.limit is not None and args.limit < 1:
        raise QueryError(f"--limit must be at least 1, got {args.limit}", code="bad_limit")

    def progress(done: int, pending: int) -> None:
        print(f"\rentities: {done} of {pending} article(s) read", end="", file=sys.stderr, flush=True)

    try:
        report = engine.update_entities(limit=args.limit, progress=progress)
    finally:
        engine.close()
    if report["recognised"]:
        print(file=sys.stderr)
    if args.json:
        _dump(report, sys.stdout)
    else:
        print(f"recognised the names in {report['recognised']} article(s) in {report['seconds']:.1f} s; "
              f"{report['covered']} of {report['articles']} read, {report['pending']} pending, "
              f"{report['mentions']} name(s) kept")
    return 0


def _entity_pass(config, analyzer, parent: int) -> None:
    """`serve`'s background reading of names: in a process of its own at the lowest priority (SCHED_IDLE), so
    that the recogniser (mostly Python, holding its interpreter's lock) takes no time from a worker's requests
    and only idle time from the machine. It reads what is pending, then looks again every ENTITY_PASS_IDLE seconds
    (ingests while serving leave new articles), and ends when the server does."""
    import ctypes
    import logging

    try:  # named first of all, so that `ps` and the server's tests tell it from the workers (/proc/PID/comm)
        ctypes.CDLL(None).prctl(15, ENTITY_PASS_NAME, 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass
    from .engine import Engine
    from .lifetime import die_with_parent

    die_with_parent(parent)  # a server killed outright takes it along
    os.nice(19)
    try:  # Linux: run only when no other process wants the CPU, which nice 19 alone does not promise
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass
    log = logging.getLogger("jiansuo.entities")

    def server_gone() -> bool:
        return os.getppid() != parent

    # The workers start, warm up and answer their first requests before the recogniser loads: measured, a pass
    # starting with them slowed those first requests past their time budget, low priority or not.
    for _ in range(ENTITY_PASS_START):
        if server_gone():
            return
        time.sleep(1)
    engine = Engine(config, analyzer=analyzer)
    try:
        while not server_gone():
            try:
                report = engine.update_entities(stop=server_gone)
                if report["recognised"]:
                    log.info("names read in %d article(s); %d of %d covered", report["recognised"],
                             report["covered"], report["articles"])
            except JiansuoError as exc:  # a long ingest holding the store: try again later
                log.warning("reading names paused: %s", exc.message)
            for _ in range(ENTITY_PASS_IDLE):
                if server_gone():
                    return
                time.sleep(1)
    finally:
        engine.close()


ENTITY_PASS_IDLE = 30
ENTITY_PASS_START = 20
ENTITY_PASS_NAME = b"jiansuo-names"


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from .engine import Engine
    from .web import create_app
    from .web.access_log import AccessLog
    from .web.defences import ServerState
    from .web.server import ReadLimits, Server, check_admin_token_strength, check_port_free, serving_warnings

    engine = _engine(args)
    check_admin_token_strength(engine.config)
    check_port_free(args.host or engine.config.server_host,
                    args.port if args.port is not None else engine.config.server_port)
    if not engine.has_index():
        corpus = engine.config.corpus_dir
        print(f"no index yet in {engine.index_dir}: building one from {corpus}", file=sys.stderr)
        report = engine.ingest([corpus])
        print(f"indexed {len(report.added)} articles from {report.files} file(s)", file=sys.stderr)
    _catch_up(engine)
    engine.warm_up()  # also refuses to start on an index this configuration cannot read
    config, analyzer, articles = engine.config, engine.analyzer, engine.store.count()
    engine.close()  # each worker opens its own after the fork
    host = args.host or config.server_host
    port = args.port if args.port is not None else config.server_port
    workers = args.workers if args.workers is not None else config.server_workers
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for warning in serving_warnings(host):
        print(warning, file=sys.stderr, flush=True)
    state = ServerState(config)  # before the fork: every worker shares its counters and rate limits

    def make_app():
        worker_engine = Engine(config, analyzer=analyzer)
        worker_engine.warm_up()
        worker_engine.archive_facets()  # reads dates and sections now, not on the first search
        if worker_engine.index_behind():
            # A worker that replaces one killed mid-write catches up while it serves; waiting 0 s, since a
            # write holding the lock brings the index up to date by itself.
            threading.Thread(target=_catch_up_quietly, args=(Engine(config, analyzer=analyzer),),
                             daemon=True).start()
        return AccessLog(create_app(engine=worker_engine, state=state))

    serving, entity_pass = os.getpid(), None
    if config.entities_background:
        # Forked now, before the server's threads and sockets exist; stopped by its pid when the server ends.
        sys.stderr.flush()
        entity_pass = os.fork()
        if entity_pass == 0:
            try:
                _entity_pass(config, analyzer, serving)
            finally:
                os._exit(0)  # none of the server's exit handlers belong to this process
    print(f"serving {articles} articles at http://{host}:{port}/ "
          f"({workers} worker process{'es' if workers > 1 else ''}, {config.server_threads} threads each)",
          file=sys.stderr, flush=True)
    try:
        Server(make_app, host=host, port=port, workers=workers, threads=config.server_threads,
               limits=ReadLimits.of(config), state=state).run()
    finally:
        # Workers forked by the server leave through here too: only the server stops the pass.
        if entity_pass and os.getpid() == serving:
            _stop_child(entity_pass)
    return 0


def _stop_child(pid: int, wait_seconds: float = 10.0) -> None:
    """SIGTERM to a child process, then SIGKILL if it has not ended within `wait_seconds`; reaped either way."""
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped (the server reaps every child that ends)
        pass
    except ProcessLookupError:
        pass


def _catch_up_quietly(engine) -> None:
    import logging

    log = logging.getLogger("jiansuo.catch_up")
    try:
        generation = engine.catch_up(wait_seconds=0)
        if generation:
            log.warning("the index was behind the article store; caught up: index %s", generation)
    except JiansuoError as exc:
        log.warning("the index is behind the article store and was not caught up: %s", exc.message)
    finally:
        engine.close()


def cmd_show(args: argparse.Namespace) -> int:
    engine = _engine(args)
    article = engine.article(args.id)
    keywords = engine.keywords(article.id)
    copies = engine.copies([article.id]).get(article.id, ())
    if args.json:
        _dump({**article.to_dict(), "keywords": keywords, "copies": [c.id for c in copies]}, sys.stdout)
        return 0
    where = " ".join(x for x in (article.date, article.section, article.page) if x)
    print(f"{_headline(article.title, article.body)}\n[{where}]  {' '.join(article.authors)}\n")
    if keywords:
        print(f"keywords: {'  '.join(keywords)}\n")
    for paragraph in article.paragraphs:
        print(f"  {paragraph}")
    if copies:
        print("\nalso printed as:")
        for copy in copies:
            print(f"  {copy.id}  {' '.join(x for x in (copy.date, copy.page) if x)}  {_headline(copy.title)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .errors import IndexUnusable

    report = _engine(args).check()
    if args.json:
        _dump(report, sys.stdout)
    else:
        damaged = f", {len(report['damaged_articles'])} damaged" if report["damaged_articles"] else ""
        print(f"store: {report['store']} ({report['articles']} articles{damaged})")
        print(f"index: {report['index']} ({report['index_generation'] or 'none'})"
              + ("" if report["index_current"] else "; it does not hold the store as it is: `jiansuo reindex`")
              + (f"; {report['index_lag']} store revision(s) behind" if report["index_lag"] else ""))
        for problem in report["problems"]:
            print(f"problem: {problem}", file=sys.stderr)
    return IndexUnusable.exit_code if report["problems"] else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import check_destination

    check_destination(Path(args.dest))  # before opening the archive: a refusal costs nothing
    report = _engine(args).backup(Path(args.dest), link=args.link, wait_seconds=args.wait)
    if args.json:
        _dump(report.to_dict(), sys.stdout)
    else:
        index = f"index {report.index_generation} ({report.files} files {'linked' if report.linked else 'copied'})" \
            if report.index_generation else "no index"
        print(f"backed up {report.articles} articles (store revision {report.store_revision}) and {index} to "
              f"{report.dest}, {report.bytes / 1e6:.1f} MB")
    if not report.index_current:
        print(f"warning: the index in the backup does not hold its store as it is (none was written for it in "
              f"time); run `jiansuo --index {report.dest} reindex` before serving it", file=sys.stderr)
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    engine = _engine(args)
    _warn_if_behind(engine)
    trends = engine.trends(args.query, args.by, date_from=args.date_from, date_to=args.date_to,
                           section=args.section)
    if args.json:
        _dump(trends.to_dict(), sys.stdout)
        return 0
    # One row a period, one column a query: hits, then their share of the period's articles.
    print("\t".join(["period", "articles", *(s.query for s in trends.series)]))
    for row in zip(*(s.points for s in trends.series)):
        print("\t".join([row[0].period.label, str(row[0].articles),
                         *(f"{p.hits} ({100 * p.share:.1f}%)" for p in row)]))
    if not trends.date_from:
        print("no dated article in that range: nothing to count by period", file=sys.stderr)
    print(f"{' · '.join(f'{s.query}: {s.total} hits' for s in trends.series)}", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    engine = _engine(args)
    _dump({**engine.stats(), "entities": engine.entity_coverage()}, sys.stdout)
    return 0


def cmd_browse(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.date is None or len(args.date.strip()) < 10:
        if args.page is not None:
            raise QueryError("a PAGE goes with a day (YYYY-MM-DD)", code="bad_date")
        days = engine.dates(args.date, args.date)
        if args.json:
            _dump({"dates": [d.to_dict() for d in days]}, sys.stdout)
            return 0
        month = None
        for d in days:
            if d.date[:7] != month:
                month = d.date[:7]
                print(f"{'' if d is days[0] else chr(10)}{month}:", end="")
            print(f"  {d.date[8:]}({d.count})", end="")
        print(f"{chr(10) if days else ''}{len(days)} day(s), {sum(d.count for d in days)} articles")
        return 0
    if args.page is None:
        day = engine.pages(args.date)
        if args.json:
            _dump(day.to_dict(), sys.stdout)
            return 0
        print(f"{day.date}: {day.count} articles on {len(day.pages)} page(s)   previous day "
              f"{day.previous_date or '-'}   next day {day.next_date or '-'}")
        for group in day.pages:
            print(f"  {group.key:<10} {group.section or '':<12} {group.count} article(s)")
        return 0
    page = engine.page(args.date, args.page)
    if args.json:
        _dump(page.to_dict(), sys.stdout)
        return 0
    print(f"{page.date} {page.group.key} {page.group.section or ''}: {len(page.articles)} article(s)   "
          f"previous page {page.previous_page or '-'}   next page {page.next_page or '-'}   previous day "
          f"{page.previous_date or '-'}   next day {page.next_date or '-'}")
    for shown in page.articles:
        a = shown.article
        print(f"\n[{a.position if a.position is not None else '-'}] {_headline(a.title, a.body)}  id {a.id}")
        if a.authors:
            print(f"    {' '.join(a.authors)}")
        print(f"    {shown.summary}")
    return 0


# --- parser ------------------------------------------------------------------------------------------------



# --- `jiansuo cluster build | serve-shard | check`: the command line of `service.cluster`; exit 11 when a shard
# answers on none of its addresses ---------------------------------------------------------------------------
def cmd_cluster_build(args: argparse.Namespace) -> int:
    from .cluster.build import build

    engine = _engine(args)
    try:
        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\ranalysed {done}/{total}", end="", file=sys.stderr, flush=True)

        report = build(engine, Path(args.out).resolve(), args.shards, args.workers, progress)
    finally:
        engine.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(f"built {report.shards} shard(s) of {report.documents} articles in {report.out} "
              f"({report.seconds:.1f} s, build {report.build_id})")
    return 0


def cmd_cluster_serve_shard(args: argparse.Namespace) -> int:
    from .cluster.serve import start_shard, stop

    processes = start_shard(Path(args.directory).resolve(), args.host, args.port)
    stopping = threading.Event()

    def ask_to_stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    print(f"serving shard {args.directory} at {args.host}:{args.port} (channels on ports {args.port}-"
          f"{args.port + len(processes) - 1})", file=sys.stderr, flush=True)
    try:
        while not stopping.wait(0.5):
            ended = [p for p in processes if p.poll() is not None]
            if ended:
                print(f"jiansuo: xapian-tcpsrv (pid {ended[0].pid}) ended with status {ended[0].returncode}; "
                      "stopping the shard's other channels", file=sys.stderr)
                return 1
    finally:
        stop(processes)
    return 0


def cmd_cluster_check(args: argparse.Namespace) -> int:
    from .cluster.serve import check
    from .config import load
    from .errors import IndexUnusable

    config = load(args.config)
    report = check(config)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"build {report.build_id}: {report.shards} shard(s), {report.documents} articles, "
              f"{sum(1 for e in report.addresses if e.get('answers'))}/{len(report.addresses)} addresses answer")
        for problem in report.problems:
            print(f"problem: {problem}")
    return IndexUnusable.exit_code if report.problems else 0


def _add_cluster_commands(commands) -> None:
    p = commands.add_parser("cluster", help="the index over several machines: build shards, serve one, check them")
    # The global options after the action too: `jiansuo cluster check --config FILE`.
    actions = p.add_subparsers(dest="cluster_command", required=True, metavar="ACTION", action=type(commands))
    b = actions.add_parser("build", help="one Xapian database per shard and channel from this archive")
    b.add_argument("out", metavar="OUT", help="new directory for the shards, cluster.json and catalog.txt")
    b.add_argument("--shards", type=int, required=True, help="how many shards (at least 1)")
    b.add_argument("--workers", type=int, default=0,
                   help="analyse in this many Ray actors on a loopback-only local Ray (default 0: in this process)")
    b.add_argument("--json", action="store_true", help="print the report as JSON")
    b.set_defaults(run=cmd_cluster_build)
    s = actions.add_parser("serve-shard", help="serve one shard directory with xapian-tcpsrv, a port a channel")
    s.add_argument("directory", metavar="DIR", help="a shard-NNN directory of a build")
    s.add_argument("--port", type=int, required=True,
                   help="the shard's address port; its five channels use this port and the next four")
    s.add_argument("--host", default="127.0.0.1",
                   help="the interface to listen on (default 127.0.0.1; give the machine's address to serve "
                        "other machines)")
    s.set_defaults(run=cmd_cluster_serve_shard)
    c = actions.add_parser("check", help="every shard address answers, replicas agree, builds match ([cluster])")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.set_defaults(run=cmd_cluster_check)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


_CONFIG_HELP = "settings file (default: $JIANSUO_CONFIG or ./config.toml of the project)"
_INDEX_HELP = "folder holding the article store and the index (default: paths.data_dir in the config)"


class _Commands(argparse._SubParsersAction):
    """Subcommands that take the global options (--config, --index) after the command too: `jiansuo search
    --index DIR q` as well as `jiansuo --index DIR search q`. Given in both places, the later one counts."""

    def add_parser(self, name, **kwargs):
        command = super().add_parser(name, **kwargs)
        # SUPPRESS: when not given after the command, the value given before it (or its default) stands.
        command.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=_CONFIG_HELP)
        command.add_argument("--index", metavar="DIR", default=argparse.SUPPRESS, help=_INDEX_HELP)
        return command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jiansuo", description="Search and summarise Chinese newspaper archives.")
    parser.add_argument("--version", action="version", version=f"jiansuo {__version__}")
    parser.add_argument("--config", metavar="FILE", help=_CONFIG_HELP)
    parser.add_argument("--index", metavar="DIR", help=_INDEX_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", action=_Commands)

    p = commands.add_parser("ingest", help="read pages (.txt) and article files (.jsonl, .csv, .txt) into the "
                                           "archive")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--txt", choices=("auto", "page", "article"), default="auto",
                   help="read .txt files as OCR'd pages, as articles (first line the title), or decide per file "
                        "(default: auto)")
    p.add_argument("--column", action="append", metavar="FIELD=COLUMN",
                   help="read a .csv field from this column (repeatable), e.g. --column body=正文")
    p.set_defaults(run=cmd_ingest)

    p = commands.add_parser("delete", help="remove articles from the archive and the index")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_delete)

    p = commands.add_parser("search", help="ranked articles for a query")
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("-k", type=int, default=None, help="results to show (default: search.default_k)")
    p.add_argument("--offset", type=int, default=0, help="results to skip (paging)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--explain", action="store_true", help="take each hit's score apart by channel and term")
    p.add_argument("--no-collapse", action="store_true",
                   help="show every copy of a story as its own hit (by default the best-ranked stands for all)")
    p.add_argument("--batch", metavar="QUERIES.jsonl", help='run {"id", "text"} queries, one a line ("-": stdin)')
    p.add_argument("--trec", metavar="RUN.txt", help="with --batch: write a TREC run file")
    p.add_argument("--sort", choices=SORTS, default=None,
                   help="order of the hits: relevance, newest or oldest (undated last); default relevance, newest "
                        "for a query of filters only (section:城事)")
    p.add_argument("--export", choices=EXPORT_FORMATS, metavar="FORMAT", default=None,
                   help="write every hit (no -k/--offset limit) to stdout as csv (UTF-8 with BOM, for Excel), "
                        "jsonl, ris (Zotero, EndNote) or gbt7714 (GB/T 7714-2015 references)")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="with --export: each hit's link is URL followed by its percent-encoded id, e.g. "
                        "http://127.0.0.1:5000/articles/")
    p.add_argument("--publication", default=None, metavar="NAME",
                   help="with --export: the newspaper's name, for ris and gbt7714 (e.g. 聊城晚报)")
    p.set_defaults(run=cmd_search)

    p = commands.add_parser("split", help="show how a page (or each page of a file) splits into articles, "
                                          "storing nothing")
    p.add_argument("pages", nargs="+", metavar="PAGE.txt", help="one or more page files")
    p.add_argument("--json", action="store_true",
                   help="print JSON (one file: its first page's fields and \"pages\"; several: {\"files\": [...]})")
    p.set_defaults(run=cmd_split)

    p = commands.add_parser("summarize", help="extractive summary of a text")
    p.add_argument("file", nargs="?", metavar="FILE", help='text file ("-" or nothing: stdin)')
    p.add_argument("--sentences", type=int, default=None,
                   help="at most this many sentences (default: summary.sentences, unless --max-chars is given)")
    p.add_argument("--max-chars", type=int, default=None, help="at most this many characters (default: no limit)")
    p.add_argument("--query", default=None, help="prefer sentences with these words and mark them")
    p.add_argument("--title", default=None, help="the text's title: steers the choice towards what it names")
    p.add_argument("--batch", metavar="IN.jsonl",
                   help='summarise {"id", "text"[, "title"]} lines into {"id", "summary"} lines ("-": stdin)')
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_summarize)

    p = commands.add_parser("entities", help="people, places and organisations (PER, LOC, ORG) named in a text")
    p.add_argument("file", nargs="?", metavar="FILE", help='text file ("-" or nothing: stdin)')
    p.add_argument("--batch", metavar="IN.jsonl",
                   help='read {"id", "text"} lines ("-": stdin), write {"id", "entities"} lines')
    p.add_argument("--update", action="store_true",
                   help="recognise the names in the archive's articles not read for them yet, committing as it "
                        "goes (stopped, it goes on from there when run again)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="with --update: at most N articles")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_entities)

    p = commands.add_parser("serve", help="serve the web page and the JSON API")
    p.add_argument("--host", default=None, help="address to bind (default: server.host, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: server.port, 5000)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes (default: server.workers); each answers with server.threads threads")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("show", help="one stored article")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_show)

    p = commands.add_parser("reindex", help="rebuild the index from the article store")
    p.set_defaults(run=cmd_reindex)

    p = commands.add_parser("merge", help="merge the index's segments as the tiered policy asks (or all of them)")
    p.add_argument("--all", action="store_true", help="merge every segment into one (as `jiansuo optimize`)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_merge)

    p = commands.add_parser("optimize", help="merge every segment of the index into one")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_optimize, all=True)

    p = commands.add_parser("check", help="verify the article store and every index file against its checksum")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_check)

    p = commands.add_parser("backup", help="copy the article store and its index, consistently, while the archive "
                                           "is served and written")
    p.add_argument("dest", metavar="DEST", help="a new or empty folder; `jiansuo --index DEST` opens the copy")
    p.add_argument("--link", action="store_true",
                   help="hard-link the index files instead of copying them (same file system; they share the disk "
                        "blocks, so damage on disk reaches both)")
    p.add_argument("--wait", type=float, default=600.0, metavar="SECONDS",
                   help="longest wait for an index being written for the store as copied (default: 600)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_backup)

    p = commands.add_parser("stats", help="article count, index size, last ingest (JSON)")
    p.add_argument("--json", action="store_true", help="print JSON (what stats always prints)")
    p.set_defaults(run=cmd_stats)

    p = commands.add_parser("browse", help="the paper as printed: the dates with articles, a day's pages, a "
                                           "page's articles in printed order")
    p.add_argument("date", nargs="?", metavar="DATE",
                   help="a day (YYYY-MM-DD): its pages; a year or month (YYYY, YYYY-MM): its days; none: all days")
    p.add_argument("page", nargs="?", metavar="PAGE",
                   help="with a day: the page to show (a code such as B03, or a section or `unpaged` for "
                        "articles without a printed page)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_browse)

    _add_cluster_commands(commands)
    p = commands.add_parser("trends", help="hits per year or month of up to five queries, each with its share of "
                                           "the period's articles")
    p.add_argument("query", nargs="+", metavar="QUERY", help="a query (quote one of several words: '扶贫 资金')")
    p.add_argument("--by", choices=("year", "month"), default="month", help="the period (default month)")
    p.add_argument("--from", dest="date_from", metavar="DATE", default=None,
                   help="earliest date kept (YYYY-MM-DD, YYYY-MM or YYYY); default the archive's first")
    p.add_argument("--to", dest="date_to", metavar="DATE", default=None, help="latest date kept; default the last")
    p.add_argument("--section", default=None, help="count only this section's articles")
    p.add_argument("--json", action="store_true", help="print JSON, as GET /api/trends answers")
    p.set_defaults(run=cmd_trends)
    return parser


def _store_path(args: argparse.Namespace) -> Path:
    from .engine import STORE_FILE

    if args.index:
        return Path(args.index).resolve() / STORE_FILE
    try:
        return config_module.load(args.config).data_dir / STORE_FILE
    except JiansuoError:
        return Path(STORE_FILE)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except JiansuoError as exc:
        print(f"jiansuo: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except sqlite3.DatabaseError as exc:
        # A store damaged past its first page fails only when that page is read, not when it is opened.
        failure = sqlite_failure(exc, _store_path(args))
        message = failure.message if failure.code == "store_busy" else store_problem(_store_path(args), exc)
        print(f"jiansuo: {message}", file=sys.stderr)
        return failure.exit_code
    except BrokenPipeError:
        # The reader went away (`jiansuo search ... | head`); nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        print(f"jiansuo: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return InputError.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
