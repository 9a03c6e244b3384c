"""What the benchmarks share: percentiles, reading JSON lines, memory from /proc, the usual arguments, and
timing one thing in turn with another.

Run every benchmark from the project's root as `python -m bench.NAME ...`. What the tests share with the
benchmarks (a test configuration, a real server, a call in pure Python) is in `service.testing`.

Percentiles, one definition for every script: over the sorted values of n measurements, p50 is the median
(`statistics.median`: the middle value, the mean of the two middle ones when n is even), and any other p is
the value at index floor(p * n), the last one for p = 1 (so p95 of 200 values is the 191st smallest).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from service.native import SWITCH, pure_python
from service.testing import PROJECT

EMBEDDED_CORPUS = PROJECT / "corpus"
# Small samples of public collections, kept with the tests so a benchmark runs on a fresh clone (data only:
# nothing under tests/ is imported).
FIXTURE_COLLECTIONS = PROJECT / "tests" / "fixtures" / "collections"


# --- percentiles -----------------------------------------------------------------------------------------

def percentile(values: Iterable[float], fraction: float) -> float:
    """The `fraction` percentile as the module's docstring defines it; NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    if fraction == 0.5:
        return statistics.median(ordered)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def percentiles(values: Iterable[float], fractions: Sequence[float] = (0.5, 0.95)) -> tuple[float, ...]:
    """`percentile` of the values at each of `fractions`."""
    ordered = sorted(values)
    return tuple(percentile(ordered, fraction) for fraction in fractions)


# --- JSON lines ------------------------------------------------------------------------------------------

def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each line that is not blank."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, json.loads(line)


def read_jsonl(*paths: Path) -> list:
    """Every value of the files, in order."""
    return [value for path in paths for _, value in iter_jsonl(path)]


def article_fields(record: dict) -> tuple[str, str]:
    """(title, text) of an article record: `text`, or `body` where there is no text."""
    return record.get("title") or "", record.get("text") or record.get("body") or ""


def is_article(record: object) -> bool:
    """Whether a record is an article (it has a `title`, `text` or `body`), not some other data kept in JSON
    lines beside articles (such as tests/fixtures/collections/opencc_testcases.jsonl)."""
    return isinstance(record, dict) and any(key in record for key in ("title", "text", "body"))


def read_articles(paths: Iterable[Path], limit: int | None = None) -> list[tuple[str, str]]:
    """(title, text) of the articles of the files, in order, at most `limit` of them."""
    articles: list[tuple[str, str]] = []
    for path in paths:
        for _, record in iter_jsonl(path):
            if not is_article(record):
                continue
            articles.append(article_fields(record))
            if limit is not None and len(articles) >= limit:
                return articles
    return articles


def fixture_articles() -> list[Path]:
    """The fixture collections' files (their articles; `read_articles` passes over other records)."""
    return sorted(FIXTURE_COLLECTIONS.glob("*.jsonl"))


# --- memory (Linux: /proc) -------------------------------------------------------------------------------

def _status_kb(pid: int | str, keys: Sequence[str]) -> dict[str, int]:
    """Fields of /proc/PID/status given in kB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in keys:
                values[key] = int(rest.split()[0])
    return values


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's own peak RSS since it started its program (VmHWM).

    Not `getrusage`'s ru_maxrss: Linux carries into it the RSS the process had when it was forked, before its
    program replaced the forked copy, so a child of a large parent would report the parent's size.
    """
    return _status_kb(pid, ("VmHWM",)).get("VmHWM", 0) / 1024


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and how much of it is private (anonymous) or file pages the page cache can share."""
    return {key: kb / 1024 for key, kb in _status_kb(pid, ("VmRSS", "RssAnon", "RssFile")).items()}


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`."""
    return [pid for pid, ppid in _parents().items() if ppid == parent]


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def process_tree_rss(root_pid: int) -> int:
    """Resident bytes of `root_pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            total += _status_kb(pid, ("VmRSS",)).get("VmRSS", 0) * 1024
        except OSError:
            pass
    return total


class ChildrenPeak:
    """The largest peak RSS of this process's child processes, sampled until stopped (workers of a pool come
    and go: each is read while it runs)."""

    def __init__(self, interval: float = 0.25):
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(interval,), daemon=True)
        self._thread.start()

    def _watch(self, interval: float) -> None:
        me = os.getpid()
        while not self._stop.wait(interval):
            for task in os.listdir(f"/proc/{me}/task"):
                try:
                    with open(f"/proc/{me}/task/{task}/children", encoding="ascii") as f:
                        children = f.read().split()
                except OSError:
                    continue
                for child in children:
                    try:
                        self.peak = max(self.peak, peak_rss_mb(child))
                    except OSError:  # it ended meanwhile
                        pass

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


# --- arguments -------------------------------------------------------------------------------------------

def parser_for(doc: str) -> argparse.ArgumentParser:
    """A parser whose help is the script's docstring, as written, and whose usage line says
    `python -m bench.NAME`."""
    return argparse.ArgumentParser(prog=f"python -m bench.{Path(sys.argv[0]).stem}", description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def add_corpora(parser: argparse.ArgumentParser, name: str = "corpora", *, optional: bool = False,
                help: str | None = None) -> None:
    """Article `.jsonl` files, one `{"title", "text" or "body"}` a line (e.g.
    ../shared/data/cmrc2018_retrieval/corpus.jsonl); with `optional`, the fixture collections when none are
    given."""
    if optional:
        parser.add_argument(name, nargs="*", type=Path, default=fixture_articles(), metavar="CORPUS.jsonl",
                            help=help or "article .jsonl files (default: tests/fixtures/collections/*.jsonl)")
    else:
        parser.add_argument(name, nargs="+", type=Path, metavar="CORPUS.jsonl",
                            help=help or "article .jsonl files")


def add_dataset(parser: argparse.ArgumentParser) -> None:
    """A folder in BEIR layout: corpus.jsonl (`id`, `title`, `text`), queries.jsonl (`id`, `text`), qrels.tsv."""
    parser.add_argument("dataset", type=Path, metavar="DATASET_DIR",
                        help="BEIR layout: corpus.jsonl, queries.jsonl, qrels.tsv (e.g. "
                             "../shared/data/cmrc2018_retrieval)")


def add_ingest_paths(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """Files or folders to ingest into a temporary archive; without `required`, the embedded corpus when none
    are given."""
    if required:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders to ingest")
    else:
        parser.add_argument("paths", nargs="*", type=Path, default=[EMBEDDED_CORPUS], metavar="PATH",
                            help="files or folders to ingest (default: the embedded corpus)")


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """An archive already built (`python -m service --index DATA_DIR ingest ...`)."""
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR",
                        help="an archive already built (python -m service --index DATA_DIR ingest ...)")


def add_limit(parser: argparse.ArgumentParser, what: str = "articles") -> None:
    parser.add_argument("--limit", type=int, help=f"at most this many {what}, read in order")


def add_repeat(parser: argparse.ArgumentParser, default: int = 1) -> None:
    parser.add_argument("--repeat", type=int, default=default, help="times each is run; the fastest counts")


# --- timing ----------------------------------------------------------------------------------------------

def timed(step: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    start = clock()
    result = step()
    return clock() - start, result


def best_of(repeat: int, step: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    """The fastest of `repeat` calls, in seconds."""
    return min(timed(step, clock)[0] for _ in range(repeat))


def in_turn(passes: Mapping[str, Callable[[], Any]], repeat: int, clock: Callable[[], float] = time.perf_counter,
            *, rotate: bool = False) -> tuple[dict[str, float], dict[str, Any]]:
    """Each pass run `repeat` times, the passes taking turns, so that other work on the machine weighs on all of
    them alike: (the fastest run of each in seconds, the last result of each), by name. With `rotate`, each
    round starts one pass further along (of two, each goes first every other round)."""
    names = list(passes)
    best = dict.fromkeys(names, math.inf)
    results: dict[str, Any] = {}
    for number in range(repeat):
        shift = number % len(names) if rotate and names else 0
        for name in names[shift:] + names[:shift]:
            seconds, results[name] = timed(passes[name], clock)
            best[name] = min(best[name], seconds)
    return best, results


def each_in_turn(items: Iterable, calls: Sequence[Callable[[Any], Any]], *, alternate_first: bool = False,
                 outcome: Callable[..., Any] = lambda *results: results,
                 clock: Callable[[], float] = time.perf_counter) -> tuple[list[list[float]], list[Any]]:
    """Every call on each item before the next item, so all meet the same state of caches: (the milliseconds
    of each call on each item, one list per call; `outcome` of the calls' results on each item, worked out
    after the timing). With `alternate_first`, every other item runs the calls in the opposite order, so
    neither is always the one that comes first."""
    times: list[list[float]] = [[] for _ in calls]
    outcomes: list[Any] = []
    for number, item in enumerate(items):
        order = range(len(calls))
        if alternate_first and number % 2:
            order = reversed(order)
        results: list[Any] = [None] * len(calls)
        for i in order:
            started = clock()
            results[i] = calls[i](item)
            times[i].append((clock() - started) * 1000)
        outcomes.append(outcome(*results))
    return times, outcomes


@contextmanager
def pure_python_worker() -> Iterator[Callable[..., Any]]:
    """A worker process with every compiled part switched off (`JIANSUO_PURE_PYTHON=1`), kept for the whole
    run: `call(function, *args)` runs a module-level function there and brings its result back. Kept rather
    than started for each call, so it warms its caches once as this process does, and its calls can take
    turns with calls here (`service.testing.in_pure_python` starts a fresh interpreter for each call)."""
    context = multiprocessing.get_context("spawn")
    before = os.environ.get(SWITCH)
    os.environ[SWITCH] = "1"  # read by the worker as it starts; this process's modules chose at import
    try:
        pool = context.Pool(1, initializer=_check_pure_python)
    finally:
        if before is None:
            del os.environ[SWITCH]
        else:
            os.environ[SWITCH] = before
    try:
        yield lambda function, *args: pool.apply(function, args)
    finally:
        pool.terminate()
        pool.join()


def _check_pure_python() -> None:
    if not pure_python():
        raise RuntimeError(f"the pure-Python worker started without {SWITCH}=1")
