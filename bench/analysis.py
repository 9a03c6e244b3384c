"""Article analysis speed at ingest, with the compiled parts and in pure Python, in one run.

    python -m bench.analysis CORPUS.jsonl [CORPUS.jsonl ...] [--limit N] [--repeat R] [--cpu]

Each line of a corpus is one article, `{"title": ..., "text": ...}` (`body` is read where there is no `text`),
as in ../shared/data/cmrc2018_retrieval/corpus.jsonl and ../shared/data/drcd_retrieval_trad/corpus.jsonl.
Every article is analysed the way ingest analyses it, headline `[title]` and body:

- card: `jieba.lcut_for_search` of title and body, the design card's literal pipeline (segmentation only);
- fold and segment only: the analyzer's folding (NFKC, OpenCC) and jieba-rs's cut of title and body, no
  counting or tokens of ours: what the libraries alone cost, the floor under every other pass;
- count_channels: `service.index.channels.count_channels`;
- analyze_article: `service.index.channels.analyze_article` (the counts and the word tokens of every text);
- ingest: an ingest's whole work on one article, `analyze_article` then `service.summaries.extras.
  work_out_extras` (summary, keywords, summary data), as `service.index.workers.analyse_batch` does it.

Every pass runs in this process, with the compiled parts where they were built (`service.native`), and in a
worker process with every compiled part switched off (`JIANSUO_PURE_PYTHON=1`): the Python paths, the
reference the compiled parts are held to, are the baseline each pass is read against (`vs pure Python`:
the baseline's time over this process's). The passes that use no compiled part (card, fold and segment only)
show what the two processes differ by besides.

Rates are megabytes of UTF-8 (title + body) per second of analysis; dictionaries are loaded before timing
(their loading time is printed apart). Each pass runs `--repeat` times, passes taking turns and the rounds in
this process taking turns with those in the worker, and the fastest run of each counts, so other work on the
machine weighs on all of them alike. The report also says on how many articles the two processes' counts and
extras (summary, keywords, summary data bytes) differ (they must not), and whether `analyze_article`'s counts
are `count_channels`'.
"""

from __future__ import annotations

import hashlib
import math
import time
from pathlib import Path

from bench.common import (add_corpora, add_limit, add_repeat, in_turn, parser_for, pure_python_worker,
                          read_articles, timed)
from service import native
from service.articles import Article
from service.index.channels import analyze_article, count_channels
from service.summaries.extras import ExtrasSettings, work_out_extras
from service.summaries.keywords import Rarity
from service.text.analyzer import Analyzer

PASSES = ("card (jieba.lcut_for_search)", "fold and segment only", "count_channels", "analyze_article", "ingest")

# What one process keeps between rounds: the analyzer, the articles, and what loading them cost.
_loaded: dict = {}


def load(corpora: list[str], limit: int | None) -> float:
    """Read the articles and load the dictionaries in this process, once; the seconds the loading took."""
    if not _loaded:
        articles = read_articles(map(Path, corpora), limit)
        analyzer = Analyzer()
        seconds, _ = timed(lambda: count_channels(analyzer, ["热身"], "1993-1996年"))
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        _loaded.update(analyzer=analyzer, articles=[([title], body) for title, body in articles],
                       stored=[Article(id=str(i), title=title, body=body) for i, (title, body) in enumerate(articles)],
                       seconds=seconds)
    return _loaded["seconds"]


def run_round(corpora: list[str], limit: int | None, cpu: bool, check: bool) -> tuple[dict, dict | None]:
    """One run of every pass, taking turns: (seconds by pass, and with `check` what the answers are)."""
    import jieba

    load(corpora, limit)
    analyzer, articles, stored = _loaded["analyzer"], _loaded["articles"], _loaded["stored"]
    settings = ExtrasSettings()

    def ingest():
        rarity = Rarity()  # one per batch, as in an ingest; its caches start empty in every run
        results = []
        for article in stored:
            analysis = analyze_article(analyzer, [article.title, "", ""], article.body)
            results.append((analysis.counts, work_out_extras(analyzer, settings, article, rarity,
                                                             body_tokens=analysis.body_words,
                                                             title_tokens=analysis.headline_words[0])))
        return results

    passes = dict(zip(PASSES, (
        lambda: [jieba.lcut_for_search(h[0]) + jieba.lcut_for_search(b) for h, b in articles],
        lambda: [analyzer.segmenter.tokenize(analyzer.fold(text)) for h, b in articles for text in (*h, b) if text],
        lambda: [count_channels(analyzer, h, b) for h, b in articles],
        lambda: [analyze_article(analyzer, h, b) for h, b in articles],
        ingest,
    )))
    seconds, results = in_turn(passes, 1, clock=time.process_time if cpu else time.perf_counter)
    if not check:
        return seconds, None
    counts = results["count_channels"]
    answers = {
        "pure_python": native.pure_python(),
        # Key order counts too: a run is written in the order terms first occur.
        "counts": [_digest(c) for c in counts],
        "ingest": [_digest(r) for r in results["ingest"]],
        "analyze_article_as_count_channels": sum(a.counts == c and _digest(a.counts) == _digest(c)
                                                 for a, c in zip(results["analyze_article"], counts)),
    }
    return seconds, answers


def _digest(value) -> str:
    """What `value` holds, keys in order and floats to the last bit (their repr is exact)."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def main() -> None:
    parser = parser_for(__doc__)
    add_corpora(parser)
    add_limit(parser)
    add_repeat(parser)
    parser.add_argument("--cpu", action="store_true",
                        help="time by each process's CPU time rather than the wall clock (on a busy machine)")
    args = parser.parse_args()
    if native.pure_python():
        parser.error(f"{native.SWITCH} is set: this process would take the Python paths too; run without it")
    corpora = [str(path) for path in args.corpora]

    articles = read_articles(args.corpora, args.limit)
    megabytes = sum(len(title.encode("utf-8")) + len(body.encode("utf-8")) for title, body in articles) / 1e6
    characters = sum(len(title) + len(body) for title, body in articles)
    print(f"{len(articles)} articles, {characters:,} characters, {megabytes:.2f} MB UTF-8")
    built = [name for name in native.MODULES if native.built(name) is not None]
    print(f"compiled parts here: {', '.join(built) or 'none built'}")

    seconds = load(corpora, args.limit)
    print(f"loading: jieba-rs with jieba's dictionary and jieba (for the blocks it cuts) {seconds:.2f} s")
    best = {side: dict.fromkeys(PASSES, math.inf) for side in ("here", "pure")}
    answers = {}
    with pure_python_worker() as pure:
        pure(load, corpora, args.limit)
        for number in range(args.repeat):
            check = number == args.repeat - 1  # the answers of the last round are compared
            for side, run in (("here", run_round), ("pure", lambda *a: pure(run_round, *a))):
                seconds, answers[side] = run(corpora, args.limit, args.cpu, check)
                best[side] = {name: min(best[side][name], seconds[name]) for name in PASSES}
    ours, theirs = answers["here"], answers["pure"]
    if not theirs["pure_python"]:
        raise SystemExit("the worker did not take the Python paths")

    print(f"{'pass':32s} {'seconds':>8s} {'MB/s':>7s} {'chars/s':>10s} {'pure Python':>12s} {'vs pure Python':>15s}")
    for name in PASSES:
        seconds, baseline = best["here"][name], best["pure"][name]
        print(f"{name:32s} {seconds:8.2f} {megabytes / seconds:7.2f} {characters / seconds:10,.0f} "
              f"{baseline:12.2f} {baseline / seconds:14.2f}x")
    same_counts = sum(a == b for a, b in zip(ours["counts"], theirs["counts"]))
    same_ingest = sum(a == b for a, b in zip(ours["ingest"], theirs["ingest"]))
    print(f"articles whose counts differ from pure Python's: {len(articles) - same_counts} of {len(articles)}; "
          f"analyze_article counts equal to count_channels: {ours['analyze_article_as_count_channels']} of "
          f"{len(articles)}")
    print(f"ingest: counts and extras (summary, keywords, summary data bytes) equal to pure Python's on "
          f"{same_ingest} of {len(articles)} articles; ingest vs pure Python: "
          f"{best['pure']['ingest'] / best['here']['ingest']:.2f}x")


if __name__ == "__main__":
    main()
