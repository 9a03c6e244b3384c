"""Where the time of an ingest goes, phase by phase, on one core, beside the whole ingest in the same run.

    python -m bench.ingest_phases ARTICLES.jsonl [--limit N] [--repeat R]

ARTICLES.jsonl holds one `{"id", "title", "body"}` a line, as `jiansuo ingest` reads it (e.g. the files
`bench.scale.write_corpus` writes, or longer articles recombined the same way). Each phase is timed by this
process's CPU time over every article, the dictionaries loaded before (their loading is printed apart), the
fastest of `--repeat` rounds, the phases taking turns:

- read: the file decoded and its records turned into articles (`ingest.formats.read_jsonl`);
- fold, width: NFKC width folding and lower case (the analyzer's own table), of title and body;
- fold, OpenCC: the Traditional-to-Simplified conversion of the width-folded text, and where a phrase rule
  changed its length, again character by character to keep every character's origin (`Folder.fold_with_origins`
  less the width folding);
- segment, jieba-rs: the search-mode cut of the folded title and body, the blocks jieba cuts left out;
- segment, jieba: the blocks jieba-rs does not cut as jieba does (a `+#&._%-` or a rarer ideograph), cut by jieba;
- channels and tokens: `index.channels.analyze_article` less the folding and segmentation it includes (token
  offsets, stopwords, bigrams, characters, the lede, counting);
- summaries and keywords: `summaries.extras.work_out_extras` from the article's tokens, as ingest calls it;
- store: the articles written to a fresh article store in one transaction (`Store.writing`, `upsert_many`), and
  their extras to it (`ExtrasStore.put_many`), SQLite included;
- index: a whole `jiansuo ingest` of the file (`ingest.workers = 1`, a fresh archive, a child process, its CPU
  time) less every phase above and less the loading (start-up and dictionaries, as measured here): building the
  runs, merging them into a generation, writing and fsyncing it.

The split is by phase, not by library: OpenCC and jieba-rs are the two libraries named. The shares add up to
the single-process ingest; with `ingest.workers = 2` the analysis (fold to extras) runs in two processes.

Beside them, in the same rounds, the card pipeline on the same articles in this process: `jieba.lcut_for_search`
of each title and body and `rank_bm25.BM25Okapi` over them (jieba's dictionary loaded before), its CPU time
the baseline the whole ingest is read against. CPU time, not wall time, so that a shared machine's load moves
both alike.
"""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import add_limit, add_repeat, parser_for
from service.ingest.formats import read_jsonl
from service.index.channels import analyze_article
from service.index.workers import headline
from service.store import Store, UpsertCounts
from service.summaries.extras import ExtrasSettings, ExtrasStore, work_out_extras
from service.summaries.keywords import Rarity, background_idf
from service.testing import PROJECT
from service.text import segment as segment_module
from service.text.analyzer import Analyzer

PHASES = ("read", "fold, width", "fold, OpenCC", "segment, jieba-rs", "segment, jieba", "channels and tokens",
          "summaries and keywords", "store")


def _cpu() -> float:
    return time.process_time()


class _JiebaClock:
    """The CPU time spent in the blocks jieba cuts, timed where the segmenter hands them over."""

    def __init__(self, segmenter: segment_module.Segmenter):
        self.seconds = 0.0
        self._inner = segmenter._jieba_tokens

        def timed(text: str):
            started = _cpu()
            try:
                return self._inner(text)
            finally:
                self.seconds += _cpu() - started

        segmenter._jieba_tokens = timed


def phases_once(text: str, analyzer: Analyzer, clock: _JiebaClock, folder: Path) -> dict[str, float]:
    seconds: dict[str, float] = {}
    started = _cpu()
    articles, problems = read_jsonl(text, "bench")
    seconds["read"] = _cpu() - started
    if problems:
        raise SystemExit(f"the file has bad records: {problems[0]}")
    texts = [t for a in articles for t in (*headline(a), a.body) if t]

    started = _cpu()
    for t in texts:
        analyzer.folder._width_fold(t)
    seconds["fold, width"] = _cpu() - started
    started = _cpu()
    folded = [analyzer.folder.fold_with_origins(t)[0] for t in texts]
    seconds["fold, OpenCC"] = max(0.0, _cpu() - started - seconds["fold, width"])

    clock.seconds = 0.0
    started = _cpu()
    for t in folded:
        analyzer.segmenter.tokenize(t)
    segmenting = _cpu() - started
    seconds["segment, jieba"] = clock.seconds
    seconds["segment, jieba-rs"] = segmenting - clock.seconds

    started = _cpu()
    analyses = [analyze_article(analyzer, headline(a), a.body) for a in articles]
    analysed = _cpu() - started
    seconds["channels and tokens"] = max(0.0, analysed - sum(seconds[p] for p in PHASES[1:5]))

    settings, rarity = ExtrasSettings(), Rarity()
    started = _cpu()
    extras = [(a.id, a.content_hash, "bench", work_out_extras(analyzer, settings, a, rarity,
                                                               body_tokens=x.body_words,
                                                               title_tokens=x.headline_words[0]))
              for a, x in zip(articles, analyses)]
    seconds["summaries and keywords"] = _cpu() - started

    path = folder / f"store-{time.monotonic_ns()}.sqlite3"
    started = _cpu()
    store = Store(path)
    counts = UpsertCounts([], [], [])
    with store.writing() as writer:
        for start in range(0, len(articles), 1000):
            writer.upsert_many(articles[start:start + 1000])
        writer.record_ingest(1, counts, 0, 0, 0)
    kept = ExtrasStore(path)
    kept.put_many(extras)
    kept.close()
    store.close()
    seconds["store"] = _cpu() - started
    return seconds


def card_pipeline(text: str) -> float:
    """CPU seconds of the card pipeline over the file's articles: jieba's search-mode words, BM25Okapi."""
    import jieba
    from rank_bm25 import BM25Okapi

    articles, _ = read_jsonl(text, "bench")
    started = _cpu()
    tokens = [jieba.lcut_for_search(a.title or "") + jieba.lcut_for_search(a.body) for a in articles]
    BM25Okapi(tokens)
    return _cpu() - started


def _start_up() -> float:
    """CPU seconds of a child that imports what `jiansuo ingest` imports and exits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-P", "-c", "import service.cli, service.engine, service.index.workers"],
                   check=True, cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)}, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_ingest(path: Path, folder: Path) -> float:
    """CPU seconds (user + system) of `jiansuo ingest PATH` with one worker into a fresh archive."""
    config = folder / "one-worker.toml"
    config.write_text("[ingest]\nworkers = 1\n", encoding="utf-8")
    data = folder / f"archive-{time.monotonic_ns()}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-P", "-m", "service", "--config", str(config), "--index", str(data), "ingest",
                    str(path)], check=True, cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("articles", type=Path, metavar="ARTICLES.jsonl")
    add_limit(parser)
    add_repeat(parser)
    args = parser.parse_args()
    text = args.articles.read_text(encoding="utf-8")
    if args.limit:
        text = "\n".join(text.split("\n")[:args.limit]) + "\n"
    megabytes = len(text.encode("utf-8")) / 1e6

    analyzer = Analyzer()
    started = _cpu()
    analyzer.segmenter.load()
    analyzer.segmenter._jieba()
    background_idf()
    analyze_article(analyzer, ["热身"], "1993-1996年，增长1.5%。")
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    loading = _cpu() - started + _start_up()
    print(f"loading: start-up, jieba-rs and jieba dictionaries, the idf table {loading:.2f} s CPU")
    clock = _JiebaClock(analyzer.segmenter)

    best = dict.fromkeys((*PHASES, "loading", "index"), math.inf)
    with tempfile.TemporaryDirectory(prefix="jiansuo-phases-") as tmp:
        folder = Path(tmp)
        source = folder / "articles.jsonl"
        source.write_text(text, encoding="utf-8")
        for _ in range(args.repeat):
            seconds = phases_once(text, analyzer, clock, folder)
            whole = whole_ingest(source, folder)
            # The child also starts and loads its dictionaries (the loading line above): not index work.
            seconds["loading"] = loading
            seconds["index"] = max(0.0, whole - sum(seconds.values()))
            seconds["(whole ingest)"] = whole
            seconds["(card pipeline)"] = card_pipeline(text)
            best = {name: min(best.get(name, math.inf), value) for name, value in seconds.items()}
    articles = text.count("\n")
    whole = best.pop("(whole ingest)")
    card = best.pop("(card pipeline)")
    print(f"{articles} articles, {megabytes:.2f} MB UTF-8, {megabytes * 1e6 / max(articles, 1):.0f} bytes an article; "
          f"best of {args.repeat}")
    print(f"whole `jiansuo ingest` with one worker: {whole:.2f} s CPU, {megabytes / whole:.2f} MB/s; the card "
          f"pipeline {card:.2f} s CPU, {megabytes / card:.2f} MB/s: the ingest at {card / whole:.2f}x its rate")
    for name, value in best.items():
        print(f"  {name:<24} {value:7.2f} s  {100 * value / whole:5.1f} %  ({megabytes / value if value else math.inf:7.2f} MB/s alone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
