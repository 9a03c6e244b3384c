"""Stored articles analysed into index runs: in this process, or in worker processes for large batches.

Analysis (folding, segmentation, counting, the summary and keywords kept at ingest) is nearly all of an
ingest's work and each article is analysed on its own, so a large ingest hands batches of articles to
`ingest.workers` processes. Each batch becomes one run (`index/build.py`) written by the process that
analysed it, and comes back as the run's folder and the batch's extras; the runs are merged in batch order,
so documents are numbered exactly as when one process analyses everything.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..articles import Article
from ..summaries.extras import Extras, ExtrasSettings, work_out_extras
from ..summaries.keywords import Rarity
from ..text.analyzer import Analyzer
from .build import RunBuilder
from .channels import SIDE_CHANNELS, analyze_article
from .positions import PAIRS

CHANNELS = ("words",) + SIDE_CHANNELS
# Postings a run may hold before it is written; a batch is written as one run however large.
_RUN_POSTINGS = 1 << 62


@dataclass
class AnalysedBatch:
    run: Path | None  # None for an empty batch
    extras: list[tuple[str, str, Extras]]  # (article id, content hash, extras)
    articles: int


def headline(article: Article) -> tuple[str, str, str]:
    """The texts the title channel counts, in the order the words channel counts them before the body."""
    return (article.title or "", article.kicker or "", article.subtitle or "")


def analyse_batch(analyzer: Analyzer, config, rarity: Rarity, articles: list[Article], folder: Path,
                  number: int) -> AnalysedBatch:
    """Analyse `articles` into run number `number` under `folder`, with their extras."""
    builder = RunBuilder(folder, CHANNELS, max_postings=_RUN_POSTINGS, first_run=number, positional=PAIRS)
    settings = ExtrasSettings.from_config(config)
    extras = []
    for article in articles:
        # One analysis of each article serves its index counts, its summary and its keywords.
        analysis = analyze_article(analyzer, headline(article), article.body)
        builder.add(article.id, article.content_hash, analysis.counts)
        extras.append((article.id, article.content_hash,
                       work_out_extras(analyzer, settings, article, rarity, body_tokens=analysis.body_words,
                                       title_tokens=analysis.headline_words[0])))
    return AnalysedBatch(builder.flush(), extras, len(articles))


def batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def archive_rarity(index_dir: Path, params, analyzer: Analyzer) -> Rarity:
    """Word rarity from general Chinese and the live index, when this analyzer can read it."""
    from ..errors import IndexUnusable
    from . import storage

    try:
        _, postings, _ = storage.load(index_dir, analyzer.fingerprint, params, verify_hashes=False)
    except IndexUnusable:
        return Rarity()
    return Rarity(postings.doc_freq, postings.n_docs, postings.doc_freqs)


# --- worker processes ------------------------------------------------------------------------------------

_worker: dict = {}


def _start_worker(config, fingerprint: str, rarity_source: Callable[[Analyzer], Rarity]) -> None:
    # A killed ingest leaves its pool's workers waiting for work forever unless they end with it.
    from ..lifetime import die_with_parent, watch_parent

    parent = multiprocessing.parent_process()
    if parent is not None:
        die_with_parent(parent.pid)
        watch_parent(parent.pid)
    analyzer = Analyzer.from_config(config)
    if analyzer.fingerprint != fingerprint:
        # The dictionary or a settings file changed under the ingest: its words would not match the others.
        raise RuntimeError(f"worker analyzer fingerprint {analyzer.fingerprint} differs from {fingerprint}")
    _worker.update(analyzer=analyzer, config=config, rarity=rarity_source(analyzer))


def _work(task: tuple[list[Article], Path, int]) -> AnalysedBatch:
    articles, folder, number = task
    return analyse_batch(_worker["analyzer"], _worker["config"], _worker["rarity"], articles, folder, number)


def analyse_in_workers(batches_in: Iterable[list[Article]], folder: Path, workers: int, config,
                       fingerprint: str, rarity_source: Callable[[Analyzer], Rarity]) -> Iterator[AnalysedBatch]:
    """Each batch analysed in one of `workers` processes; results in batch order.

    At most two batches per worker are in flight, so the articles waiting to be analysed never pile up in
    memory however large the ingest.
    """
    # Workers start from a fresh interpreter: a forked copy of a process with open SQLite connections and
    # threads is not safe to use.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(config, fingerprint, rarity_source)) as pool:
        pending: deque = deque()
        for number, batch in enumerate(batches_in):
            pending.append(pool.apply_async(_work, ((batch, folder, number),)))
            while len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
