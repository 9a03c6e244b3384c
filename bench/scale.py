"""Jiansuo at archive scale beside the card pipeline (jieba + rank-bm25), on the same articles, in one run.

    python -m bench.scale SOURCE.jsonl... [--sizes 10000,100000 | --articles N] [--queries 200] [--phrases 200]
        [--long-queries 100] [--seed 7] [--nrt] [--nrt-archive DATA_DIR] [--http-queries N]

SOURCE files are article `.jsonl` files (`title` and `text` or `body`), for example
../shared/data/cmrc2018_retrieval/corpus.jsonl and ../shared/data/drcd_retrieval_trad/corpus.jsonl. Their
sentences are recombined deterministically into N articles of about 500 characters on average (lengths varied
from a few sentences to a few thousand characters), written as files of 10,000 articles to a temporary folder,
never into the repository.

For each size the report gives, beside the card pipeline (`jieba.lcut_for_search` of title and body,
`rank_bm25.BM25Okapi`, `get_scores` and the top 10):
- ingest throughput (MB of article text a second, articles a second) of `Engine.ingest` of the `.jsonl` files,
  against the card pipeline's tokenising and building, and each one's peak RSS (separate processes);
- query latency p50/p95/p99 (bench/common.py defines them) of `Engine.search(..., summaries=False)`
  in-process over 200 queries of 1 to 4 words (common and rare words mixed), against `get_scores` and the top
  10, and the ratio of the medians;
- top-10 agreement of the words channel alone (`Postings.score` and `rank`) with rank-bm25 on the same tokens
  (the terms the engine stored for each article): it must be 100 %;
- quoted phrases: `--phrases` phrases of 2 to 4 neighbouring jieba words of the source (each a word of two or
  more CJK characters, as `"经济 发展"` is typed), each searched quoted and as the same words unquoted
  (`summaries=False`, the two in turn, alternately first): p50/p95 of each and the ratio of quoted to
  unquoted, and how many articles each finds;
- long queries: `--long-queries` headline-long queries (12 to 30 characters of a source sentence), each
  searched as configured and with every word needed and no proximity (the ranking before soft matching), in
  turn: p50/p95/p99 of each and their ratio;
- index size on disk, and of it the positions phrases are verified from (`channels/pairs/`) against the rest;
  the time to open it (`storage.load` with every checksum verified, and with sizes only), and the RSS of a
  fresh process once it has opened the index and answered the queries;
- HTTP: requests a second and p50/p99 latency of `/api/search` (summaries and highlights on, 10 hits, the same
  queries in turn, or with `--http-queries N` that many distinct ones, so that a server's caches meet few
  repeats) against `jiansuo serve --workers 2`, from wrk (Debian: `apt install wrk`) on 127.0.0.1 with
  `--connections` keep-alive connections for `--http-seconds`, after the workers have answered 40 searches;
  errors are answers other than 2xx and broken connections; and the RSS of a serving worker afterwards. Just
  before, the same server is run as long on a path it answers with the app's JSON 404: the rate of the stack
  without any search (gunicorn, Flask, the access log, wrk), the ceiling of the search rate on this machine.

Near-real-time ingest (`--nrt` after each size, or `--nrt-archive DATA_DIR` alone against an archive already
built): `measure_nrt` says what is timed, beside the full-rewrite path of before segments in the same run.

`--views` (alone) measures what the archive's views cost at ingest, by `measure_views`: the same files ingested
with `ingest.find_copies` off and on (the one view that works at ingest), each in a child process, in turn or
(`--views-together`, on a machine others load) at the same time; MB/s by wall and CPU time and their ratio;
finding copies alone over the archive ingested without it, with its candidate pairs; and the entity pass that
follows ingest (`jiansuo entities --update`) over `--entity-articles`, in CPU seconds a MB. `--views-corpus DIR`
takes files `write_corpus` wrote before (e.g. for 100,000 articles) instead of writing them again.

`--http-archive DATA_DIR` runs the HTTP rows alone against an archive already built, e.g. by `jiansuo ingest` of
the files `write_corpus` writes for a size (the same seed gives the same articles and queries).
"""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from bench.common import (ChildrenPeak, add_corpora, article_fields, children_of, each_in_turn, iter_jsonl, parser_for,
                          peak_rss_mb, percentiles, rss_mb)
from service.index.positions import PAIRS
from service.testing import PROJECT, make_config

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
MEAN_CHARS = 500
P50_P95_P99 = (0.5, 0.95, 0.99)


# --- corpus and queries ----------------------------------------------------------------------------------

def read_source(paths: list[Path]) -> tuple[list[str], list[str]]:
    """(sentences, titles) of the source files, in file order."""
    sentences, titles = [], []
    for path in paths:
        for _, record in iter_jsonl(path):
            title, text = article_fields(record)
            if title:
                titles.append(title.strip())
            sentences.extend(s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= 4)
    return sentences, titles


def article_length(rng: random.Random) -> int:
    """Lognormal lengths: mostly short news items, a tail of long features, mean about MEAN_CHARS."""
    sigma = 0.7
    mu = math.log(MEAN_CHARS) - sigma * sigma / 2
    return max(40, min(6000, int(rng.lognormvariate(mu, sigma))))


def news_length(rng: random.Random) -> int:
    """News-length articles (`--news-length`): 1 to 3 KB of UTF-8 each, 340 to 1,000 characters, uniformly."""
    return rng.randint(340, 1000)


FILE_ARTICLES = 10_000  # articles a file: an archive arrives as many files, each under ingest.max_file_bytes


def write_corpus(folder: Path, n: int, sentences: list[str], titles: list[str], seed: int,
                 lengths: Callable[[random.Random], int] = article_length) -> tuple[int, int]:
    """N articles of recombined sentences, one JSON line each, FILE_ARTICLES to a file in `folder`, each about
    as long as `lengths` draws; returns (bytes of text, characters of text)."""
    rng = random.Random(seed)
    text_bytes = text_chars = 0
    folder.mkdir(parents=True, exist_ok=True)
    f = None
    try:
        for i in range(n):
            if i % FILE_ARTICLES == 0:
                if f is not None:
                    f.close()
                f = open(folder / f"part-{i // FILE_ARTICLES:04d}.jsonl", "w", encoding="utf-8")
            wanted = lengths(rng)
            start = rng.randrange(len(sentences))
            parts, size = [], 0
            # Runs of neighbouring sentences keep an article on one topic, as a real one is.
            while size < wanted:
                if rng.random() < 0.2:
                    start = rng.randrange(len(sentences))
                sentence = sentences[start % len(sentences)]
                start += 1
                parts.append(sentence)
                size += len(sentence)
            body = "".join(parts)
            title = rng.choice(titles)[:30]
            text_bytes += len(title.encode("utf-8")) + len(body.encode("utf-8"))
            text_chars += len(title) + len(body)
            f.write(json.dumps({"id": f"a{i:07d}", "title": title, "body": body}, ensure_ascii=False) + "\n")
    finally:
        if f is not None:
            f.close()
    return text_bytes, text_chars


def corpus_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*.jsonl"))


def make_queries(sentences: list[str], count: int, seed: int, *, distinct: bool = False) -> list[str]:
    """`count` queries of 1 to 4 jieba words of the source, each word common or rare by a coin toss; with
    `distinct`, a query drawn again is passed over (the others are those made without it, in the same order)."""
    import jieba

    jieba.setLogLevel(60)
    rng = random.Random(seed)
    frequency = Counter(w for s in sentences[::3] for w in jieba.lcut(s) if _CJK_WORD.match(w))
    by_frequency = sorted(frequency, key=lambda w: (-frequency[w], w))
    common = by_frequency[:1000]
    rare = sorted(w for w in by_frequency if 2 <= frequency[w] <= 4)
    queries: list[str] = []
    seen: set[str] = set()
    for _ in range(count * 50 if distinct else count):
        if len(queries) == count:
            break
        words = [rng.choice(common if rng.random() < 0.5 else rare) for _ in range(rng.randint(1, 4))]
        query = " ".join(dict.fromkeys(words))
        if distinct and query in seen:
            continue
        seen.add(query)
        queries.append(query)
    return queries


def make_phrases(sentences: list[str], count: int, seed: int) -> list[str]:
    """`count` phrases of 2 to 4 neighbouring jieba words of the source's sentences, each word of two or more
    CJK characters (nothing between them), joined by spaces as a reader types `"经济 发展"`."""
    import jieba

    jieba.setLogLevel(60)
    rng = random.Random(seed)
    phrases: list[str] = []
    seen: set[str] = set()
    for _ in range(count * 50):
        if len(phrases) == count:
            break
        words = jieba.lcut(rng.choice(sentences))
        length = rng.randint(2, 4)
        starts = [i for i in range(len(words) - length + 1) if all(_CJK_WORD.match(w) for w in words[i:i + length])]
        if starts:
            start = rng.choice(starts)
            phrase = " ".join(words[start:start + length])
            if phrase not in seen:
                seen.add(phrase)
                phrases.append(phrase)
    return phrases


def make_long_queries(sentences: list[str], count: int, seed: int) -> list[str]:
    """`count` headline-long queries: the first 12 to 30 characters of source sentences, punctuation dropped,
    as a reader pastes a headline or asks a question."""
    rng = random.Random(seed)
    queries: list[str] = []
    for _ in range(count * 50):
        if len(queries) == count:
            break
        text = re.sub(r"[\W_]+", "", rng.choice(sentences))[:rng.randint(12, 30)]
        if len(text) >= 12 and text not in queries:
            queries.append(text)
    return queries


# --- the measured runs, each in its own process so peak RSS is its own -----------------------------------

def child_ingest(data_dir: Path, corpus: Path, **overrides) -> dict:
    from service.engine import Engine

    engine = Engine(make_config(data_dir, **overrides))
    started = time.perf_counter()
    phases = {}

    def progress(step) -> None:
        phases.setdefault(step.phase, time.perf_counter() - started)
        if step.phase == "index" and step.done == step.total:
            phases["analysed"] = time.perf_counter() - started

    children = ChildrenPeak()
    report = engine.ingest([corpus], progress=progress)
    workers_peak = children.stop()
    if report.problems or len(report.added) == 0:
        raise RuntimeError(f"ingest of {corpus} added {len(report.added)} articles: {report.problems[:3]}")
    seconds = time.perf_counter() - started
    engine.close()
    return {"seconds": seconds, "added": len(report.added), "peak_rss_mb": peak_rss_mb(),
            "workers": engine.config.ingest_workers, "worker_peak_rss_mb": workers_peak,
            "stored_s": phases.get("index", seconds), "analysed_s": phases.get("analysed", seconds)}


def card_tokens(record: dict) -> list[str]:
    import jieba

    return jieba.lcut_for_search(record["title"]) + jieba.lcut_for_search(record["body"])


def child_card(corpus: Path, queries: list[str]) -> dict:
    import jieba
    import numpy as np
    from rank_bm25 import BM25Okapi

    jieba.setLogLevel(60)
    jieba.initialize()
    started = time.perf_counter()
    tokens = []
    for path in corpus_files(corpus):
        tokens += [card_tokens(record) for _, record in iter_jsonl(path)]
    tokenise_s = time.perf_counter() - started
    started = time.perf_counter()
    reference = BM25Okapi(tokens)
    build_s = time.perf_counter() - started
    peak = peak_rss_mb()
    del tokens
    latencies = []
    for query in queries:
        terms = [t for t in jieba.lcut_for_search(query) if t.strip()]
        started = time.perf_counter()
        scores = reference.get_scores(terms)
        top = np.argpartition(-scores, 10)[:10]
        top[np.argsort(-scores[top], kind="stable")].tolist()
        latencies.append((time.perf_counter() - started) * 1000)
    return {"tokenise_s": tokenise_s, "build_s": build_s, "peak_rss_mb": peak, "latencies_ms": latencies}


def child_open(data_dir: Path, queries: list[str]) -> dict:
    from service.engine import Engine
    from service.index import storage
    from service.index.channels import SIDE_CHANNELS
    from service.index.positions import PAIRS
    from service.summaries.keywords import background_idf

    before = rss_mb()
    engine = Engine(make_config(data_dir))
    engine.analyzer.terms("预热")
    background_idf()
    without_index = rss_mb()
    open_args = (engine.index_dir, engine.analyzer.fingerprint, engine.params)
    timings = {}
    limit = engine.config.index_checksum_on_open_max_mb * 1_000_000
    for label, hashes, hash_limit in (("checked", True, None), ("sizes_only", False, None),
                                      ("checked_again", True, None), ("as_served", True, limit)):
        started = time.perf_counter()
        storage.load(*open_args, channels=(*SIDE_CHANNELS, PAIRS), verify_hashes=hashes, hash_limit=hash_limit)
        timings[label] = time.perf_counter() - started
    started = time.perf_counter()
    name, manifest = storage.read_manifest(engine.index_dir)
    storage.verify(engine.index_dir, name, manifest, hashes=True)
    timings["verify_only"] = time.perf_counter() - started
    engine.warm_up()
    for query in queries:
        engine.search(query, summaries=False)
    after = rss_mb()
    engine.close()
    return {"open_s": timings, "rss_before_mb": before, "rss_without_index_mb": without_index,
            "rss_after_mb": after}


def run_child(kind: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.scale", "--child", kind, *args], cwd=PROJECT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- in-process query latency and parity ------------------------------------------------------------------

def measure_queries(data_dir: Path, queries: list[str]) -> dict:
    import numpy as np
    from rank_bm25 import BM25Okapi

    from service.engine import Engine
    from service.index.postings import rank
    from service.search import ranker as ranker_module

    engine = Engine(make_config(data_dir))
    engine.warm_up()
    for query in queries[:20]:  # first touches of the arrays are not what a serving process sees
        engine.search(query, summaries=False)
    # Each query is answered with the compiled accumulator and with the NumPy one (as where it is not built),
    # in turn, the first of the two alternating: both meet the same state of caches, and must agree.
    compiled = ranker_module._accumulate

    def search_with(accumulator):
        def search(query: str) -> list:
            ranker_module._accumulate = accumulator
            return [(hit.article.id, hit.score) for hit in engine.search(query, summaries=False).hits]
        return search

    try:
        if compiled is not None:
            (latencies, numpy_latencies), agreed = each_in_turn(
                queries, [search_with(compiled), search_with(None)], alternate_first=True,
                outcome=lambda ours, numpys: ours == numpys)
            numpy_same = sum(agreed)
        else:
            (latencies,), _ = each_in_turn(queries, [search_with(None)], outcome=lambda answer: None)
            numpy_latencies, numpy_same = [], 0
    finally:
        ranker_module._accumulate = compiled

    from service.index.channels import count_channels
    from service.index.workers import headline

    postings = engine.postings()
    stored = {}
    # The reference gets every article's words from the analyzer afresh, not from the index under test.
    for article in engine.store.iter_articles():
        _, counts = count_channels(engine.analyzer, headline(article), article.body)["words"]
        stored[article.id] = [term for term, count in counts.items() for _ in range(count)]
    params = engine.params
    reference = BM25Okapi([stored[doc_id] for doc_id in postings.doc_ids], k1=params.k1, b=params.b,
                          epsilon=params.epsilon)
    del stored
    agree = 0
    reference_ms = []
    for query in queries:
        terms = engine.analyzer.terms(query)
        ours = rank(*postings.score(terms))[0][:10].tolist()
        started = time.perf_counter()
        scores = reference.get_scores(terms)
        top = np.argpartition(-scores, 10)[:10] if scores.size > 10 else np.arange(scores.size)
        top[np.argsort(-scores[top], kind="stable")].tolist()
        reference_ms.append((time.perf_counter() - started) * 1000)
        nonzero = np.flatnonzero(scores)
        theirs = rank(nonzero, scores[nonzero])[0][:10].tolist()
        agree += ours == theirs
    engine.close()
    return {"latencies_ms": latencies, "agree": agree, "reference_ms": reference_ms,
            "numpy_latencies_ms": numpy_latencies, "numpy_same": numpy_same}


def measure_phrases(data_dir: Path, phrases: list[str]) -> dict:
    """Each phrase searched quoted and as the same words unquoted, in turn (alternately first), after 20 of
    each to warm up; milliseconds and totals of both."""
    from service.engine import Engine

    engine = Engine(make_config(data_dir))
    engine.warm_up()

    def total_of(query: str) -> int:
        return engine.search(query, summaries=False).total

    for phrase in phrases[:20]:
        total_of(phrase)
        total_of(f'"{phrase}"')
    (quoted_ms, unquoted_ms), totals = each_in_turn(phrases, [lambda p: total_of(f'"{p}"'), total_of],
                                                    alternate_first=True, outcome=lambda *found: found)
    engine.close()
    return {"quoted_ms": quoted_ms, "unquoted_ms": unquoted_ms, "quoted_totals": [q for q, _ in totals],
            "unquoted_totals": [u for _, u in totals]}


def measure_long_queries(data_dir: Path, queries: list[str]) -> dict:
    """Each long query searched as configured (ranked over every article holding any of its words) and with
    every word needed (`ranking.soft_match_from = 0`, no proximity: the ranking before soft matching), in turn,
    alternately first, after 20 of each to warm up."""
    from service.engine import Engine

    ranked = Engine(make_config(data_dir))
    every_word = Engine(make_config(data_dir, ranking_soft_match_from=0, ranking_proximity_weight=0.0))
    for engine in (ranked, every_word):
        engine.warm_up()
        for query in queries[:20]:
            engine.search(query, summaries=False)
    (ranked_ms, every_ms), _ = each_in_turn(queries, [lambda q: ranked.search(q, summaries=False),
                                                      lambda q: every_word.search(q, summaries=False)],
                                            alternate_first=True, outcome=lambda *found: None)
    ranked.close()
    every_word.close()
    return {"ranked_ms": ranked_ms, "every_word_ms": every_ms}


def long_query_rows(measured: dict) -> list[str]:
    ranked = percentiles(measured["ranked_ms"], P50_P95_P99)
    every = percentiles(measured["every_word_ms"], P50_P95_P99)
    return [
        f"| {len(measured['ranked_ms'])} long queries (12 to 30 characters of a sentence), ranked over any of their "
        f"words, p50 / p95 / p99 | {ranked[0]:.2f} / {ranked[1]:.2f} / {ranked[2]:.2f} ms | | "
        f"{ranked[0] / every[0]:.2f}x / {ranked[1] / every[1]:.2f}x / {ranked[2] / every[2]:.2f}x every word needed |",
        f"| the same with every word needed and no proximity, p50 / p95 / p99 | {every[0]:.2f} / {every[1]:.2f} / "
        f"{every[2]:.2f} ms | | |",
    ]


def phrase_rows(phrased: dict) -> list[str]:
    quoted = percentiles(phrased["quoted_ms"], P50_P95_P99)
    unquoted = percentiles(phrased["unquoted_ms"], P50_P95_P99)
    count = len(phrased["quoted_ms"])
    found = sorted(phrased["quoted_totals"])
    return [
        f"| {count} quoted phrases of 2 to 4 words, p50 / p95 / p99 | {quoted[0]:.2f} / {quoted[1]:.2f} / "
        f"{quoted[2]:.2f} ms | | {quoted[0] / unquoted[0]:.2f}x / {quoted[1] / unquoted[1]:.2f}x / "
        f"{quoted[2] / unquoted[2]:.2f}x the same words unquoted |",
        f"| the same words unquoted, p50 / p95 / p99 | {unquoted[0]:.2f} / {unquoted[1]:.2f} / {unquoted[2]:.2f} ms "
        f"| | |",
        f"| articles found, quoted: median / fewest / most (unquoted: median) | {found[len(found) // 2]} / {found[0]} / "
        f"{found[-1]} ({sorted(phrased['unquoted_totals'])[count // 2]}) | | |",
    ]


# --- HTTP -------------------------------------------------------------------------------------------------

_WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def measure_http(data_dir: Path, queries: list[str], seconds: int, folder: Path, connections: int,
                 threads: int | None = None) -> dict | None:
    """`/api/search` (summaries and highlights on, 10 hits) against `jiansuo serve --workers 2` under wrk, its
    workers of `threads` threads (None: as configured)."""
    import shutil
    import urllib.parse
    import urllib.request

    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt install wrk): no HTTP measurement", file=sys.stderr)
        return None
    from service.testing import RunningServer

    paths = ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]
    env = None
    if threads is not None:
        settings = folder / f"server-{threads}.toml"
        settings.write_text(f"[server]\nthreads = {threads}\n", encoding="utf-8")
        env = {"JIANSUO_CONFIG": str(settings)}
    server = RunningServer(data_dir, folder / "serve.log", workers=2, env=env)
    try:
        for path in paths[:40]:  # both workers open the index and touch its pages before the clock starts
            with urllib.request.urlopen(server.url + path, timeout=30) as response:
                response.read()
        # The same server answering the app's JSON 404 to every request: what gunicorn, Flask, the access log
        # and wrk cost without any search, the ceiling of the search rate. Run first: right after a search run
        # over a large index the kernel is still reclaiming memory for a while, which halved this rate at
        # 300,000 articles.
        bare = run_wrk(server.url, ["/api/no-such-path"], seconds, connections, folder / "bare.lua")
        searched = run_wrk(server.url, paths, seconds, connections, folder / "search.lua")
        workers = [rss_mb(pid) for pid in children_of(server.process.pid)]  # gunicorn's workers
    finally:
        server.stop()
    return {**searched, "workers_rss": workers, "connections": connections, "seconds": seconds, "threads": threads,
            "queries": len(paths), "distinct": len(set(paths)),
            "bare_rps": bare["rps"], "bare_p99_ms": bare["p99_ms"], "bare_answers": bare["requests"]}


def run_wrk(url: str, paths: list[str], seconds: int, connections: int, script: Path) -> dict:
    """wrk's rate, latency percentiles and errors (non-2xx answers and socket errors) over `paths` in turn."""
    script.write_text(_WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    result = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                            capture_output=True, text=True, check=True)
    out = result.stdout

    def grab(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, out)
        return match.group(1) if match else default

    def ms(value: str) -> float:
        found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
        if found is None:
            raise RuntimeError(f"wrk's report has no latency where expected ({value!r}):\n{out}")
        number, unit = found.groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    errors = int(grab(r"Non-2xx or 3xx responses: (\d+)"))
    socket = grab(r"Socket errors: (.*)", "")
    socket_errors = sum(int(n) for n in re.findall(r"\d+", socket))
    return {"rps": float(grab(r"Requests/sec:\s+([\d.]+)")), "requests": int(grab(r"(\d+) requests in")),
            # Anchored at the start of the line: a Req/Sec spread such as "72.50%" also ends in "50%".
            "p50_ms": ms(grab(r"(?m)^\s*50%\s+(\S+)")), "p99_ms": ms(grab(r"(?m)^\s*99%\s+(\S+)")),
            "errors": errors + socket_errors}


# --- report -----------------------------------------------------------------------------------------------

def run_size(n: int, sentences: list[str], titles: list[str], queries: list[str], seed: int,
             http_seconds: int, connections: int, card_up_to: int, http_threads: list[int | None],
             phrases: list[str], long_queries: list[str], nrt: tuple[int, int] | None = None,
             lengths: Callable[[random.Random], int] = article_length,
             http_queries: list[str] | None = None) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="jiansuo-scale-") as folder:
        corpus = Path(folder) / "articles"
        data_dir = Path(folder) / "data"
        text_bytes, text_chars = write_corpus(corpus, n, sentences, titles, seed, lengths)
        query_file = Path(folder) / "queries.json"
        query_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")

        ingest = run_child("ingest", str(data_dir), str(corpus))
        card = run_child("card", str(corpus), str(query_file)) if n <= card_up_to else None
        opened = run_child("open", str(data_dir), str(query_file))
        queried = measure_queries(data_dir, queries)
        phrased = measure_phrases(data_dir, phrases) if phrases else None
        lengthy = measure_long_queries(data_dir, long_queries) if long_queries else None
        https, http_failures = [], []
        for threads in http_threads if http_seconds else []:
            try:
                measured = measure_http(data_dir, http_queries or queries, http_seconds, Path(folder), connections,
                                        threads)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                # Reported in the table: a failed HTTP run does not throw away the rest of the size's numbers.
                http_failures.append(f"| HTTP run with {threads or 'configured'} threads failed | {exc} | | |")
                continue
            if measured is not None:
                https.append(measured)
        index_bytes = live_index_bytes(data_dir)
        positions_bytes = live_index_bytes(data_dir, f"channels/{PAIRS}")
        nrt_measured = measure_nrt(data_dir, sentences, queries, Path(folder), *nrt, seed) if nrt else None

    mb = text_bytes / 1e6
    ours_p = percentiles(queried["latencies_ms"], P50_P95_P99)
    reference_p = percentiles(queried["reference_ms"], P50_P95_P99)
    rss, bare = opened["rss_after_mb"], opened["rss_without_index_mb"]
    o = opened["open_s"]
    rows = [
        f"## {n} articles: {mb:.1f} MB of text, {text_chars / n:.0f} characters an article on average",
        "",
        "| measure | Jiansuo | card pipeline | ratio |",
        "|---|---|---|---|",
    ]
    if card is not None:
        card_s = card["tokenise_s"] + card["build_s"]
        card_p = percentiles(card["latencies_ms"], P50_P95_P99)
        rows += [
            f"| ingest MB/s | {mb / ingest['seconds']:.3f} ({ingest['seconds']:.1f} s) | "
            f"{mb / card_s:.3f} ({card_s:.1f} s) | {card_s / ingest['seconds']:.2f}x |",
            f"| ingest articles/s | {n / ingest['seconds']:.0f} | {n / card_s:.0f} | |",
        ]
    else:
        rows += [
            f"| ingest MB/s | {mb / ingest['seconds']:.3f} ({ingest['seconds']:.1f} s) | not run (--card-up-to "
            f"{card_up_to}) | |",
            f"| ingest articles/s | {n / ingest['seconds']:.0f} | | |",
        ]
    card_peak = f"{card['peak_rss_mb']:.0f} MB | {card['peak_rss_mb'] / ingest['peak_rss_mb']:.2f}x |" if card else " | |"
    rows += [
        f"| of the ingest: reading and storing / analysing / merging and writing the index | "
        f"{ingest['stored_s']:.1f} / {ingest['analysed_s'] - ingest['stored_s']:.1f} / "
        f"{ingest['seconds'] - ingest['analysed_s']:.1f} s | | |",
        f"| peak RSS while ingesting | {ingest['peak_rss_mb']:.0f} MB (ingesting process; "
        + (f"each of {ingest['workers']} analysing workers at most {ingest['worker_peak_rss_mb']:.0f} MB) | "
           if ingest['worker_peak_rss_mb'] else "analysed there, no workers) | ") + card_peak,
    ]
    for label, i in (("p50", 0), ("p95", 1), ("p99", 2)):
        row = f"| query {label} | {ours_p[i]:.2f} ms | "
        if card is not None:
            row += f"{card_p[i]:.2f} ms | {card_p[i] / ours_p[i]:.1f}x |"
        else:
            row += "| |"
        rows.append(row)
    if queried["numpy_latencies_ms"]:
        numpy_p = percentiles(queried["numpy_latencies_ms"], P50_P95_P99)
        rows.append(f"| query p50 / p95 / p99 with the NumPy accumulator (an install without a C compiler): each query "
                    f"answered by both, alternately first | {numpy_p[0]:.2f} / {numpy_p[1]:.2f} / {numpy_p[2]:.2f} ms; same top 10 and scores "
                    f"for {queried['numpy_same']}/{len(queries)} queries | | |")
    else:
        rows.append("| query accumulator | NumPy (service/native/_accumulate is not built) | | |")
    for label, i in (("p50", 0), ("p95", 1), ("p99", 2)):
        rows.append(f"| query {label}, rank-bm25 `get_scores` and top 10 over the index's own words (the parity "
                    f"reference, same process) | {ours_p[i]:.2f} ms | {reference_p[i]:.2f} ms | "
                    f"{reference_p[i] / ours_p[i]:.1f}x |")
    rows += [
        f"| top-10 agreement, words channel vs rank-bm25 | {queried['agree']}/{len(queries)} "
        f"({100 * queried['agree'] / len(queries):.1f} %) | | |",
        *(phrase_rows(phrased) if phrased else []),
        *(long_query_rows(lengthy) if lengthy else []),
        f"| index size on disk | {index_bytes / 1e6:.1f} MB, of which the positions (channels/{PAIRS}/) "
        f"{positions_bytes / 1e6:.1f} MB: the rest {(index_bytes - positions_bytes) / 1e6:.1f} MB, and "
        f"{100 * positions_bytes / max(1, index_bytes - positions_bytes):.1f} % more with the positions | | |",
        f"| open index as a server does (checksums of files up to index.checksum_on_open_max_mb, sizes of the "
        f"rest) | {o['as_served'] * 1000:.0f} ms | | |",
        f"| open index, every checksum verified | {o['checked'] * 1000:.0f} ms (again: {o['checked_again'] * 1000:.0f} ms) | | |",
        f"| open index, sizes only | {o['sizes_only'] * 1000:.0f} ms | | |",
        f"| of which checksum verification alone | {o['verify_only'] * 1000:.0f} ms | | |",
        f"| RSS after opening and {len(queries)} queries | {rss['VmRSS']:.0f} MB (private {rss['RssAnon']:.0f} MB, "
        f"file-backed {rss['RssFile']:.0f} MB) | | |",
        f"| RSS of the same process before opening the index | {bare['VmRSS']:.0f} MB (private "
        f"{bare['RssAnon']:.0f} MB) with the analyzer and word tables loaded; "
        f"{opened['rss_before_mb']['VmRSS']:.0f} MB before the engine was made | | |",
    ]
    for http in https:
        rows += http_rows(http, index_bytes)
    rows += http_failures
    rows.append("")
    if nrt_measured is not None:
        rows += nrt_rows(n, nrt_measured)
    return rows


# --- what the views of the archive cost at ingest (copies, people and places, trends, words) ---------------

# Each view and what it adds to an ingest: only finding copies runs inside it (`ingest.find_copies`). Trends and
# significant terms are worked out at query time (the latter from the keywords ingest kept before the views),
# and the people, places and organisations are read after ingest by a pass of their own, timed apart.
VIEWS_OFF = {"ingest_find_copies": False}
VIEWS_ON = {"ingest_find_copies": True}


def _cpu_s() -> float:
    """CPU seconds of this process and of the children it has waited for (ingest's analysing workers)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_ingest_views(data_dir: Path, corpus: Path, on: str) -> dict:
    return {**child_ingest(data_dir, corpus, **(VIEWS_ON if on == "on" else VIEWS_OFF)), "cpu_s": _cpu_s()}


def child_find_copies(data_dir: Path) -> dict:
    """Finding copies alone over an archive ingested without it: what ingest adds for it, with no analysis
    around it; with the candidate pairs LSH gave and those verified."""
    from service import reprints
    from service.engine import Engine

    engine = Engine(make_config(data_dir, **VIEWS_ON))
    started, cpu = time.perf_counter(), _cpu_s()
    with engine.store.writing() as writer:
        done = reprints.find_copies(writer, engine.analyzer.fold, engine.analyzer.fingerprint)
    seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu
    groups = engine.copy_groups()
    engine.close()
    return {"seconds": seconds, "cpu_s": cpu, **done.to_dict(), "in_groups": len(groups),
            "groups": len(set(groups.values()))}


def child_entity_pass(data_dir: Path, articles: int) -> dict:
    """`Engine.update_entities` (what `jiansuo entities --update` runs) over the first `articles` articles not
    read yet, after one article has loaded the recogniser: CPU seconds and MB of the text it read."""
    from service.engine import Engine

    engine = Engine(make_config(data_dir))
    engine.update_entities(limit=1)
    ids = [article_id for _, article_id in engine.mentions.unread(articles)]
    text_bytes = sum(len(t.encode("utf-8")) for a in engine.store.get_many(ids).values()
                     for t in (a.title, a.kicker, a.subtitle, a.body) if t)
    started, cpu = time.perf_counter(), time.process_time()
    done = engine.update_entities(limit=articles)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.close()
    return {"seconds": seconds, "cpu_s": cpu, "read": done["recognised"], "mb": text_bytes / 1e6}


def corpus_bytes(corpus: Path) -> tuple[int, int]:
    """(articles, bytes of title and body text) of the files `write_corpus` wrote."""
    count = size = 0
    for path in corpus_files(corpus):
        for _, record in iter_jsonl(path):
            title, text = article_fields(record)
            count += 1
            size += len(title.encode("utf-8")) + len(text.encode("utf-8"))
    return count, size


def run_children(calls: list[tuple[str, ...]]) -> list[dict]:
    """`run_child` of each call, all at the same time."""
    started = [subprocess.Popen([sys.executable, "-m", "bench.scale", "--child", *call], cwd=PROJECT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for call in calls]
    results = []
    for call, process in zip(calls, started):
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{call[0]} run failed:\n{err}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def measure_views(n: int, sentences: list[str], titles: list[str], seed: int, corpus: Path | None, repeat: int,
                  entity_articles: int, together: bool = False) -> list[str]:
    """Ingest of the same files with the views off and on, each in a child process, in turn (`repeat` times,
    alternately first; the best of each) or, `together`, both at once (on a machine others load, the same load
    for both), then finding copies alone over the archive ingested without it, and the entity pass over the
    first `entity_articles` articles of the archive ingested with it."""
    with tempfile.TemporaryDirectory(prefix="jiansuo-views-") as folder:
        if corpus is None:
            corpus = Path(folder) / "articles"
            write_corpus(corpus, n, sentences, titles, seed)
        n, text_bytes = corpus_bytes(corpus)
        runs: dict[str, list[dict]] = {"off": [], "on": []}
        for attempt in range(repeat):
            kinds = ("off", "on") if attempt % 2 == 0 else ("on", "off")
            args = {on: ("ingest-views", str(Path(folder) / f"{on}{attempt}"), str(corpus), on) for on in kinds}
            if together:
                for on, result in zip(kinds, run_children([args[on] for on in kinds])):
                    runs[on].append(result)
            else:
                for on in kinds:
                    runs[on].append(run_child(*args[on]))
        alone = run_child("find-copies", str(Path(folder) / "off0"))
        entities = run_child("entity-pass", str(Path(folder) / "on0"), str(entity_articles)) \
            if entity_articles else None
    mb = text_bytes / 1e6
    off, on = (min(runs[k], key=lambda r: r["seconds"]) for k in ("off", "on"))
    rows = [
        f"## The views' cost at ingest, {n} articles: {mb:.1f} MB of text (best of {repeat}, "
        f"{'both at once' if together else 'in turn'})",
        "",
        "| measure | views off | views on | ratio |",
        "|---|---|---|---|",
        f"| ingest MB/s (wall) | {mb / off['seconds']:.3f} ({off['seconds']:.1f} s) | {mb / on['seconds']:.3f} "
        f"({on['seconds']:.1f} s) | {off['seconds'] / on['seconds']:.3f} |",
        f"| ingest MB/s (CPU of the process and its workers) | {mb / off['cpu_s']:.3f} | {mb / on['cpu_s']:.3f} | "
        f"{off['cpu_s'] / on['cpu_s']:.3f} |",
        f"| throughput lost to the views (wall) | | {100 * (1 - off['seconds'] / on['seconds']):.1f} % | |",
        f"| finding copies alone, over the archive ingested without it | {alone['seconds']:.1f} s "
        f"({1000 * alone['seconds'] / n:.2f} ms an article, {alone['cpu_s'] / mb:.3f} CPU s a MB) | "
        f"{100 * alone['seconds'] / off['seconds']:.1f} % of the ingest without it | |",
        f"| of which: LSH candidate pairs, verified on their shingles, copies; earlier articles read again to "
        f"verify | {alone['candidates']}, {alone['verified']} ({alone['verified'] / max(1, alone['compared']):.2f} "
        f"an article), {alone['copies']}; {alone['resketched']} | {alone['in_groups']} articles in "
        f"{alone['groups']} groups of copies | |",
    ]
    if entities is not None:
        rows.append(f"| the entity pass after ingest (`jiansuo entities --update`), first {entities['read']} "
                    f"articles, {entities['mb']:.2f} MB | {entities['cpu_s'] / entities['mb']:.2f} CPU s a MB "
                    f"({entities['mb'] / entities['cpu_s']:.3f} MB/s CPU) | ingest's: "
                    f"{on['cpu_s'] / mb:.2f} CPU s a MB | {entities['cpu_s'] / entities['mb'] / (on['cpu_s'] / mb):.2f}x |")
    rows.append("")
    return rows


def live_index_bytes(data_dir: Path, part: str = ".") -> int:
    """The size on disk of the archive's live index generation (the one CURRENT names) with the segments it
    names, or of one folder of each."""
    from service.index.storage import segments_of

    index_dir = data_dir / "index"
    name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    manifest = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))
    folders = {index_dir / name} | {index_dir / segment for segment, _ in segments_of(name, manifest)}
    return sum(p.stat().st_size for folder in folders for p in (folder / part).rglob("*") if p.is_file())


def http_rows(http: dict, index_bytes: int) -> list[str]:
    worst = max(http["workers_rss"], key=lambda r: r["VmRSS"]) if http["workers_rss"] else None
    threads = "" if http["threads"] is None else \
        f" of {http['threads']} thread{'' if http['threads'] == 1 else 's'}"
    rows = [
        f"| HTTP /api/search with summaries, 2 workers{threads}, wrk {http['connections']} connections "
        f"{http['seconds']} s, {http['queries']} queries in turn ({http['distinct']} distinct) | "
        f"{http['rps']:.0f} requests/s, p50 {http['p50_ms']:.2f} ms, p99 "
        f"{http['p99_ms']:.2f} ms, {http['requests']} requests, {http['errors']} errors | | |",
        f"| the same server answering a JSON 404 to every request, just before (gunicorn, Flask, access log and "
        f"wrk alone) | {http['bare_rps']:.0f} requests/s, p99 {http['bare_p99_ms']:.2f} ms | | search with "
        f"summaries at {http['rps'] / http['bare_rps']:.2f}x this rate |",
    ]
    if worst is not None:
        rows.append(f"| RSS of a serving worker after the HTTP run | {worst['VmRSS']:.0f} MB (private "
                    f"{worst['RssAnon']:.0f} MB, file-backed {worst['RssFile']:.0f} MB); "
                    f"{worst['VmRSS'] / (index_bytes / 1e6):.2f}x the index size | | |")
    return rows


def http_on_archive(data_dir: Path, queries: list[str], seconds: int, connections: int,
                    http_threads: list[int | None]) -> list[str]:
    """The HTTP rows alone, against an archive already built (by `jiansuo ingest` of `write_corpus`'s files)."""
    index_bytes = live_index_bytes(data_dir)
    rows = [f"## HTTP against {data_dir} ({index_bytes / 1e6:.1f} MB index)", "",
            "| measure | Jiansuo | | ratio |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="jiansuo-http-") as folder:
        for threads in http_threads:
            measured = measure_http(data_dir, queries, seconds, Path(folder), connections, threads)
            if measured is not None:
                rows += http_rows(measured, index_bytes)
    return rows + [""]


# --- near-real-time ingest ----------------------------------------------------------------------------------

def _nrt_article(tag: str, number: int, sentences: list[str], rng: random.Random) -> tuple[dict, str]:
    """An article holding a word no other article has (what the search for it waits to find), and that word."""
    word = f"nrt{tag}x{number}"
    body = word + "。" + "".join(rng.choice(sentences) for _ in range(6))
    return {"id": f"nrt-{tag}-{number}", "title": rng.choice(sentences)[:30], "body": body}, word


def _found_in_process(engine, word: str, limit_s: float = 600) -> float:
    """Seconds until an in-process search finds `word` (the engine reopens a switched generation by itself)."""
    started = time.perf_counter()
    while engine.search(word, k=1, summaries=False).total == 0:
        if time.perf_counter() - started > limit_s:
            raise RuntimeError(f"{word} was not found within {limit_s} s")
        time.sleep(0.005)
    return time.perf_counter() - started


def _p50s_in_turn(before: Path, after: Path, queries: list[str]) -> tuple[float, float, int]:
    """Query p50 (ms, `summaries=False`) over the archive before the ingests (a hard-linked copy) and after them,
    each query asked of both in turn, the first of the two alternating: the same machine state for both; and the
    segment count after."""
    from bench.common import each_in_turn
    from service.engine import Engine

    engines = [Engine(make_config(before)), Engine(make_config(after))]
    for engine in engines:
        for query in queries[:20]:
            engine.search(query, summaries=False)

    def asking(engine):
        return lambda query: engine.search(query, summaries=False).total

    (first, second), _ = each_in_turn(queries, [asking(e) for e in engines], alternate_first=True,
                                      outcome=lambda *answers: None)
    segments = engines[1].stats()["index_segments"]
    for engine in engines:
        engine.close()
    return percentiles(first, (0.5,))[0], percentiles(second, (0.5,))[0], segments


def measure_nrt(data_dir: Path, sentences: list[str], queries: list[str], folder: Path, repeats: int,
                baseline_repeats: int, seed: int) -> dict:
    """Near-real-time ingest against the archive in `data_dir` (it gains about 3,000 `nrt-…` articles).

    First every segment is merged into one (the index as a full build leaves it) and the archive copied with its
    index files hard-linked (`jiansuo backup --link`). The baseline is the path before segments, in this process:
    every ingest merges the whole live generation with the new articles into a new one (`generations._write` in
    place of `_write_segmented`). One article is ingested `baseline_repeats` times on that path, then once on the
    segmented path (the first after a full rewrite, timed apart) and `baseline_repeats` times more, each timed
    from `ingest_records` to an in-process search finding it; then 1,000 articles segmented, 1,000 more (the
    first large write since the full rewrite is timed apart from the next) and 1,000 on the baseline. Then over
    HTTP against `jiansuo serve --workers 2` while a client searches without pause: `POST /api/ingest` of one article, timed until `/api/search` finds it, `repeats`
    times, and of 1,000 articles until the answer (given once they are searchable). Last, the query p50 over the
    segments the ingests and the server's background merges left, beside the copy's, queries in turn.
    """
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    from service.engine import Engine
    from service.index import generations
    from service.testing import RunningServer

    rng = random.Random(seed)
    # The articles' ids and words are this run's own: an archive measured before holds the last run's, which
    # would be ingested as unchanged and found at once.
    run = f"{time.time_ns() // 1_000_000 % 100_000_000:x}"
    engine = Engine(make_config(data_dir))
    engine.merge(everything=True)
    before = folder / "before"
    engine.backup(before, link=True)
    segmented = generations._write_segmented

    def full_rewrite(index_dir, name, staging, kept, runs, fingerprint, params, revision):
        return generations._write(index_dir, name, staging, kept + runs, fingerprint, params, revision)

    def one_in_process(tag: str, number: int) -> float:
        article, word = _nrt_article(tag + run, number, sentences, rng)
        started = time.perf_counter()
        engine.ingest_records([article])
        _found_in_process(engine, word)
        return time.perf_counter() - started

    def thousand_in_process(tag: str) -> float:
        articles = [_nrt_article(tag + run, n, sentences, rng)[0] for n in range(1000)]
        started = time.perf_counter()
        engine.ingest_records(articles)
        return time.perf_counter() - started

    def full(run):
        generations._write_segmented = full_rewrite
        try:
            return run()
        finally:
            generations._write_segmented = segmented

    engine.search(queries[0], summaries=False)
    base_one = [full(lambda: one_in_process("base", number)) for number in range(baseline_repeats)]
    # The first segmented ingest after a full rewrite reads the rewritten generation's lists and term keys once
    # (so does a server after `jiansuo optimize`): timed apart from the ingests that follow it.
    first_one = one_in_process("segfirst", 0)
    nrt_one = [one_in_process("seg", number) for number in range(baseline_repeats)]
    nrt_thousand = thousand_in_process("segk")
    # The first large write since the full rewrite meets the store's pages the rewrite pushed out of the page
    # cache, and loads what the single articles did not need (jieba's own dictionary): the next one is timed too.
    nrt_thousand_next = thousand_in_process("segk2")
    base_thousand = full(lambda: thousand_in_process("basek"))
    engine.close()

    token = "bench-" + "".join(rng.choice("0123456789abcdef") for _ in range(32))
    server = RunningServer(data_dir, folder / "nrt-serve.log", workers=2, env={"JIANSUO_ADMIN_TOKEN": token})
    stop = threading.Event()
    searched = [0]
    shed = [0]  # searches the server refused with 503 (its request budget or queue), counted and skipped

    def get(path: str) -> dict:
        with urllib.request.urlopen(server.url + path, timeout=120) as response:
            return json.loads(response.read())

    def post(articles: list[dict]) -> dict:
        request = urllib.request.Request(server.url + "/api/ingest", data=json.dumps({"articles": articles}).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    def found(word: str) -> bool:
        """Whether `/api/search` finds `word`; a search refused with 503 (the server shedding load) finds nothing."""
        try:
            return get("/api/search?" + urllib.parse.urlencode({"q": word, "k": 1}))["total"] > 0
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                raise
            shed[0] += 1
            return False

    def searching() -> None:
        asked = 0
        while not stop.is_set():
            asked += 1
            try:
                get("/api/search?" + urllib.parse.urlencode({"q": queries[asked % len(queries)]}))
            except urllib.error.HTTPError as exc:
                if exc.code != 503:
                    raise
                shed[0] += 1
                continue
            searched[0] += 1

    try:
        for query in queries[:40]:
            # A server just started on a large archive can shed a first search with 503: asked again, a few times.
            for attempt in range(10):
                try:
                    get("/api/search?" + urllib.parse.urlencode({"q": query}))
                    break
                except urllib.error.HTTPError as exc:
                    if exc.code != 503 or attempt == 9:
                        raise
                    shed[0] += 1
                    time.sleep(1)
        client = threading.Thread(target=searching, daemon=True)
        client.start()
        http_one = []
        for number in range(repeats):
            article, word = _nrt_article("http" + run, number, sentences, rng)
            started = time.perf_counter()
            post([article])
            while not found(word):
                if time.perf_counter() - started > 600:
                    raise RuntimeError(f"{word} was not found over HTTP within 600 s")
                time.sleep(0.005)
            http_one.append(time.perf_counter() - started)
        articles = [_nrt_article("httpk" + run, n, sentences, rng) for n in range(1000)]
        started = time.perf_counter()
        post([a for a, _ in articles])
        http_thousand = time.perf_counter() - started
        if not found(articles[-1][1]):
            raise RuntimeError("the last of 1,000 articles was not found once its ingest answered")
        stop.set()
        client.join(timeout=120)
        time.sleep(5)  # the background merges the ingests brought about
    finally:
        stop.set()
        server.stop()
    p50_before, p50_after, segments_after = _p50s_in_turn(before, data_dir, queries)
    return {"base_one": base_one, "base_thousand": base_thousand, "nrt_one": nrt_one, "nrt_thousand": nrt_thousand,
            "nrt_thousand_next": nrt_thousand_next, "first_one": first_one,
            "http_one": http_one, "http_thousand": http_thousand, "searched": searched[0], "shed": shed[0],
            "p50_before": p50_before, "p50_after": p50_after, "segments_after": segments_after}


def nrt_rows(n: int, measured: dict) -> list[str]:
    median = lambda values: percentiles(values, (0.5,))[0]  # noqa: E731
    base, ours, http = median(measured["base_one"]), median(measured["nrt_one"]), median(measured["http_one"])
    reps = len(measured["base_one"])
    return [
        f"## Near-real-time ingest at {n:,} articles", "",
        "| measure | with segments | before segments (full rewrite), same run | ratio |", "|---|---|---|---|",
        f"| one article: `POST /api/ingest` until `/api/search` finds it, median of {len(measured['http_one'])}, "
        f"searches running ({measured['searched']} answered meanwhile, {measured['shed']} refused with 503), "
        f"`serve --workers 2` | {http:.3f} s "
        f"(max {max(measured['http_one']):.3f} s) | | |",
        f"| one article in process: `ingest_records` until a search finds it, median of {reps} | {ours:.3f} s | "
        f"{base:.3f} s | {base / ours:.1f}x faster |",
        f"| the same, the first after a full rewrite (it reads the rewritten generation's lists and term keys) | "
        f"{measured['first_one']:.3f} s | | |",
        f"| 1,000 articles over HTTP, until the answer (searchable then) | {measured['http_thousand']:.2f} s | | |",
        f"| 1,000 articles in process | {measured['nrt_thousand']:.2f} s | {measured['base_thousand']:.2f} s | "
        f"{measured['base_thousand'] / measured['nrt_thousand']:.1f}x faster |",
        f"| the next 1,000 articles in process | {measured['nrt_thousand_next']:.2f} s | | |",
        f"| query p50 in process (`summaries=False`), each query asked of both in turn: after the ingests, "
        f"{measured['segments_after']} segment(s) / a hard-linked copy from before them, one segment | "
        f"{measured['p50_after']:.2f} ms | {measured['p50_before']:.2f} ms | "
        f"{measured['p50_after'] / measured['p50_before']:.2f}x |", ""]


def nrt_on_archive(data_dir: Path, sentences: list[str], queries: list[str], repeats: int, baseline_repeats: int,
                   seed: int) -> list[str]:
    from service.engine import Engine

    engine = Engine(make_config(data_dir))
    n = engine.store.count()
    engine.close()
    with tempfile.TemporaryDirectory(prefix="jiansuo-nrt-") as folder:
        measured = measure_nrt(data_dir, sentences, queries, Path(folder), repeats, baseline_repeats, seed)
    return nrt_rows(n, measured)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, args = sys.argv[2], sys.argv[3:]
        if kind == "ingest":
            result = child_ingest(Path(args[0]), Path(args[1]))
        elif kind == "ingest-views":
            result = child_ingest_views(Path(args[0]), Path(args[1]), args[2])
        elif kind == "find-copies":
            result = child_find_copies(Path(args[0]))
        elif kind == "entity-pass":
            result = child_entity_pass(Path(args[0]), int(args[1]))
        else:
            queries = json.loads(Path(args[1]).read_text(encoding="utf-8"))
            result = child_card(Path(args[0]), queries) if kind == "card" else child_open(Path(args[0]), queries)
        print(json.dumps(result))
        return 0

    parser = parser_for(__doc__)
    add_corpora(parser, "sources", help="article .jsonl files whose sentences make the articles")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated article counts (up to 300000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--phrases", type=int, default=200, help="quoted phrases timed against the same words "
                                                                  "unquoted; 0 skips them")
    parser.add_argument("--long-queries", type=int, default=100, help="headline-long queries timed as ranked "
                                                                       "against every word needed; 0 skips them")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--http-seconds", type=int, default=20, help="length of the wrk run; 0 skips it")
    parser.add_argument("--connections", type=int, default=8, help="wrk's keep-alive connections")
    parser.add_argument("--http-threads", default="",
                        help="comma-separated server.threads to run the HTTP row with, one row each (default: as "
                             "configured)")
    parser.add_argument("--card-up-to", type=int, default=300000,
                        help="run the card pipeline only for sizes up to this (its jieba pass takes about half an "
                             "hour at 300,000 articles); rank-bm25's query latency is still measured on the "
                             "parity reference")
    parser.add_argument("--articles", type=int, help="one size: the same as --sizes N")
    parser.add_argument("--nrt-archive", type=Path, metavar="DATA_DIR",
                        help="only the near-real-time ingest rows, against this archive already built (it gains "
                             "about 3,000 articles named nrt-…); with --sizes the rows follow each size's")
    parser.add_argument("--nrt-repeats", type=int, default=20, help="single-article ingests timed over HTTP")
    parser.add_argument("--nrt-baseline-repeats", type=int, default=3,
                        help="single-article ingests timed on each path in process (the full rewrite takes "
                             "seconds each at scale)")
    parser.add_argument("--news-length", action="store_true",
                        help="articles of 1 to 3 KB (340 to 1,000 characters, uniformly) instead of lognormal "
                             "lengths of about 500 characters")
    parser.add_argument("--nrt", action="store_true", help="the near-real-time rows after each size's")
    parser.add_argument("--http-queries", type=int, default=0, metavar="N",
                        help="wrk sends N distinct queries in turn (made as --queries are, a query drawn twice "
                             "passed over) rather than the --queries ones, so few answers repeat")
    parser.add_argument("--http-archive", type=Path, metavar="DATA_DIR",
                        help="only the HTTP rows, against this archive already built (e.g. by `jiansuo ingest` "
                             "of the files `write_corpus` makes); the queries are made from the sources as usual")
    parser.add_argument("--views", action="store_true",
                        help="only the views' cost at ingest (`measure_views`): the same files ingested with "
                             "ingest.find_copies off and on, finding copies alone, the entity pass")
    parser.add_argument("--views-corpus", type=Path, metavar="DIR",
                        help="with --views: the part-*.jsonl files `write_corpus` wrote before, instead of new ones")
    parser.add_argument("--views-repeat", type=int, default=1, help="with --views: ingests of each kind, in turn")
    parser.add_argument("--views-together", action="store_true",
                        help="with --views: the two ingests at the same time, not in turn")
    parser.add_argument("--entity-articles", type=int, default=2000,
                        help="with --views: articles the entity pass reads (it is timed, not run over all); 0 skips")
    args = parser.parse_args()
    sizes = [args.articles] if args.articles else [int(s) for s in args.sizes.split(",") if s.strip()]
    http_threads: list[int | None] = [int(t) for t in args.http_threads.split(",") if t.strip()] or [None]
    if not sizes or any(not 1 <= s <= 300000 for s in sizes):
        parser.error("--sizes takes article counts from 1 to 300000")

    sentences, titles = read_source(args.sources)
    queries = make_queries(sentences, args.queries, args.seed)
    http_queries = make_queries(sentences, args.http_queries, args.seed, distinct=True) if args.http_queries else None
    if http_queries is not None and len(http_queries) < args.http_queries:
        parser.error(f"the sources give only {len(http_queries)} distinct queries, not {args.http_queries}")
    phrases = make_phrases(sentences, args.phrases, args.seed) if args.phrases else []
    long_queries = make_long_queries(sentences, args.long_queries, args.seed) if args.long_queries else []
    print(f"source: {len(sentences)} sentences, {len(titles)} titles from {len(args.sources)} file(s); "
          f"{len(queries)} queries, {len(phrases)} phrases, seed {args.seed}", flush=True)
    if args.nrt_archive is not None:
        print("\n".join(nrt_on_archive(args.nrt_archive, sentences, queries, args.nrt_repeats,
                                       args.nrt_baseline_repeats, args.seed)), flush=True)
        return 0
    if args.http_archive is not None:
        rows = http_on_archive(args.http_archive, http_queries or queries, args.http_seconds, args.connections,
                               http_threads)
        print("\n".join(rows), flush=True)
        return 1 if re.search(r"requests, [1-9]\d* errors", "".join(rows)) else 0
    if args.views:
        for n in sizes:
            print("\n".join(measure_views(n, sentences, titles, args.seed, args.views_corpus, args.views_repeat,
                                          args.entity_articles, args.views_together)), flush=True)
        return 0
    failed = False
    for n in sizes:
        rows = run_size(n, sentences, titles, queries, args.seed, args.http_seconds, args.connections,
                        args.card_up_to, http_threads, phrases, long_queries,
                        (args.nrt_repeats, args.nrt_baseline_repeats) if args.nrt else None,
                        news_length if args.news_length else article_length, http_queries)
        print("\n".join(rows), flush=True)
        failed |= "(100.0 %)" not in "".join(rows) or bool(re.search(r"requests, [1-9]\d* errors", "".join(rows)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
