"""Each compiled part against its Python twin, call for call, and its share of an ingest's analysis and of a search.

    python -m bench.native [CORPUS.jsonl ...] [--limit N] [--queries 200] [--k 10] [--repeat 3]

CORPUS files are article `.jsonl` files (`title` and `text` or `body`), e.g.
../shared/data/cmrc2018_retrieval/corpus.jsonl ../shared/data/drcd_retrieval_trad/corpus.jsonl; without any,
the fixture collections (tests/fixtures/collections/*.jsonl), so it runs on a fresh clone.

Two wholes, each timed in this process with the compiled parts and in a worker process with every compiled
part switched off (`JIANSUO_PURE_PYTHON=1`), taking turns, the fastest of `--repeat` counting, with their
answers compared:

- ingest: `service.index.workers.analyse_batch` of all the articles (one batch, one run, as an ingest worker
  analyses it: counts, run, summary, keywords and summary data);
- search: `Engine.search` with summaries (`--k` hits) of every query in turn, over an archive ingested from the
  same articles. The queries are the articles' titles (their first 20 characters), each alone and every other
  one with the next title after it: few articles hold both, so those are ranked by every article holding any
  of their words, the path the compiled accumulator serves.

Each compiled entry point of `service.native` (handles from `service.native.built`) is then timed against its
Python twin on the very calls those wholes make (recorded while they run once more, then replayed): the two
take turns, `--repeat` passes over all the calls each, the fastest pass counting, and every answer must be the
same (keys in order, floats to the last bit):

- `_salience.weigh` by `service.summaries.salience.weigh_words_compiled` against `weigh_words_in_python`;
- `_summaries.pack` by `service.summaries.data.packed_compiled` against `prepare(...).to_bytes()`, both
  given the words' weights worked out beforehand, so that the row holds no weighing (that is the row above);
- `_summaries.choose` by `stored_summary_compiled` against `stored_summary_in_python`: the generic summary
  of each article at ingest, and each hit's summary for its query in the searches;
- `_accumulate.add_channel` by `Ranker.score_compiled` against `score_in_numpy`: the calls the searches make to
  score every article holding a query word;
- `_runs.number_terms` against `service.index.build.number_terms_in_python`: every channel of every article
  numbered into a run's vocabularies, each side starting from empty ones.

The table gives each entry point's calls, Python and compiled microseconds a call, their ratio, whether the
answers were the same, and its share of the ingest and of the search: the time of those calls over the whole's,
in pure Python / with the compiled parts.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
from array import array
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Callable

from bench.common import (add_corpora, add_limit, add_repeat, in_turn, parser_for, pure_python_worker,
                          read_articles, timed)
from service import engine as engine_module
from service import native
from service.articles import Article
from service.engine import Engine
from service.errors import JiansuoError
from service.index import build as build_module
from service.index.workers import analyse_batch
from service.summaries import data as data_module
from service.summaries import extras as extras_module
from service.summaries.data import packed_compiled, prepare, stored_summary_compiled, stored_summary_in_python
from service.summaries.keywords import Rarity, background_idf
from service.summaries.salience import weigh_words_compiled, weigh_words_in_python
from service.testing import make_config

TITLE_CHARS = 20


# --- the wholes, in this process or in the pure-Python worker -------------------------------------------------

_kept: dict = {}  # what one process keeps between calls: articles, analyzer, the engine of the archive


def articles_of(corpora: list[str], limit: int | None) -> list[Article]:
    if "articles" not in _kept:
        _kept["articles"] = [Article(id=str(i), title=title, body=body)
                             for i, (title, body) in enumerate(read_articles(map(Path, corpora), limit))]
    return _kept["articles"]


def ingest_once(corpora: list[str], limit: int | None) -> tuple[float, str]:
    """Seconds of `analyse_batch` of all the articles, and a digest of what it made (run files and extras)."""
    from service.text.analyzer import Analyzer

    articles = articles_of(corpora, limit)
    if "analyzer" not in _kept:
        _kept["analyzer"] = analyzer = Analyzer()
        analyzer.terms("预热")  # dictionaries loaded before any timing
        background_idf()
    analyzer = _kept["analyzer"]
    folder = Path(tempfile.mkdtemp(prefix="jiansuo-bench-native-"))
    try:
        config = make_config(folder / "data")
        seconds, batch = timed(lambda: analyse_batch(analyzer, config, Rarity(), articles, folder / "runs", 0))
        digest = hashlib.sha256()
        for path in sorted(batch.run.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(batch.run).as_posix().encode() + b"\0" + path.read_bytes())
        digest.update(repr(batch.extras).encode("utf-8"))
        return seconds, digest.hexdigest()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def search_engine(data_dir: str, queries: list[str], k: int) -> Engine:
    if "engine" not in _kept:
        _kept["engine"] = engine = Engine(make_config(Path(data_dir)))
        engine.warm_up()
        for query in queries:  # first touches
            engine.search(query, k=k)
    return _kept["engine"]


def search_once(data_dir: str, queries: list[str], k: int) -> tuple[float, list[str]]:
    """Seconds of `Engine.search` with summaries of every query in turn, and a digest of each answer."""
    engine = search_engine(data_dir, queries, k)
    seconds, answers = timed(lambda: [engine.search(query, k=k) for query in queries])
    digests = []
    for answer in answers:
        made = answer.to_dict()
        made.pop("took_ms")
        digests.append(hashlib.sha256(json.dumps(made, ensure_ascii=False).encode("utf-8")).hexdigest())
    return seconds, digests


def pure_python_here() -> bool:
    return native.pure_python()


# --- recording the calls the wholes make ----------------------------------------------------------------------

@contextmanager
def recording(owner: Any, name: str, calls: list, record: Callable[..., Any] = lambda *a, **k: (a, k)):
    """`owner.name` called as usual, each call's arguments (as `record` keeps them) appended to `calls`."""
    original = getattr(owner, name)
    own = name in vars(owner)

    def wrapper(*args, **kwargs):
        calls.append(record(*args, **kwargs))
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        if own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


def ingest_calls(corpora: list[str], limit: int | None) -> dict[str, list]:
    calls: dict[str, list] = {"weigh": [], "pack": [], "choose": [], "number": []}
    with ExitStack() as stack:
        # Each call as (which vocabulary, the counts): replayed into fresh vocabularies and arrays.
        stack.enter_context(recording(build_module, "_number_terms", calls["number"],
                                      lambda vocabulary, counts, *_: (id(vocabulary), counts)))
        stack.enter_context(recording(data_module, "weigh_words", calls["weigh"]))
        stack.enter_context(recording(extras_module, "packed", calls["pack"]))
        stack.enter_context(recording(extras_module, "stored_summary", calls["choose"]))
        ingest_once(corpora, limit)
    return calls


def search_calls(engine: Engine, queries: list[str], k: int) -> dict[str, list]:
    calls: dict[str, list] = {"score": [], "choose": []}
    ranker = engine.ranker()
    with recording(ranker, "score", calls["score"], lambda scored: scored), \
            recording(engine_module, "stored_summary", calls["choose"]):
        for query in queries:
            engine.search(query, k=k)
    return calls


# --- each entry point and its twin ----------------------------------------------------------------------------

def weigh_pair(module, calls):
    def same(python, compiled):
        return [repr(list(pw.items())) == repr(list(cw.items()))
                and [list(words) for words in pwords] == [list(words) for words in cwords]
                for (pw, pwords), (cw, cwords) in zip(python, compiled)]

    return (lambda: [weigh_words_in_python(*a, **kw) for a, kw in calls],
            lambda: [weigh_words_compiled(module, *a, **kw) for a, kw in calls],
            same)


def pack_pair(module, calls, weighed: dict):
    """Both sides get each text's word weights from `weighed` (by the text's id: `weigh_words`'s answers, worked
    out beforehand) rather than weighing again, so that the row holds no weighing: that is `_salience.weigh`'s."""
    def stub(text, sentences, words):
        weight, per_sentence = weighed[id(text)]
        return dict(weight), per_sentence  # a copy: `prepare` raises the title's words in it

    def without_weighing(run):
        def stubbed():
            original, data_module.weigh_words = data_module.weigh_words, stub
            try:
                return run()
            finally:
                data_module.weigh_words = original
        return stubbed

    return (without_weighing(lambda: [prepare(*a, **kw).to_bytes() for a, kw in calls]),
            without_weighing(lambda: [packed_compiled(module, *a, **kw) for a, kw in calls]),
            lambda python, compiled: [p == c for p, c in zip(python, compiled)])


def choose_pair(module, calls):
    def as_read(made, query_terms):
        """The answer as the engine reads it: the summary, and the title places of the query's terms."""
        if made is None:
            return None
        summary, places = made
        return summary, {term: places.get(term) for term in set(query_terms or ()) if places.get(term)}

    def same(python, compiled):
        return [as_read(p, kw.get("query_terms")) == as_read(c, kw.get("query_terms"))
                for p, c, (_, kw) in zip(python, compiled, calls)]

    return (lambda: [stored_summary_in_python(*a, **kw) for a, kw in calls],
            lambda: [stored_summary_compiled(module, *a, **kw) for a, kw in calls],
            same)


def add_channel_pair(ranker, calls):
    def same(python, compiled):
        return [p[0].tolist() == c[0].tolist() and p[1].tobytes() == c[1].tobytes()
                for p, c in zip(python, compiled)]

    # `module` is not passed: `score_compiled` takes it from `service.native.built("_accumulate")` itself.
    return (lambda: [ranker.score_in_numpy(scored) for scored in calls],
            lambda: [ranker.score_compiled(scored) for scored in calls],
            same)


def number_terms_pair(module, calls):
    def replayed(number):
        def run():
            runs: dict[int, tuple[dict, array, array]] = {}
            for vocabulary, counts in calls:
                if vocabulary not in runs:
                    runs[vocabulary] = ({}, array("q"), array("q"))
                number(*runs[vocabulary][:1], counts, *runs[vocabulary][1:])
            return runs
        return run

    def same(python, compiled):
        return [list(python[key][0].items()) == list(compiled[key][0].items())
                and python[key][1] == compiled[key][1] and python[key][2] == compiled[key][2] for key in python]

    return replayed(build_module.number_terms_in_python), replayed(module.number_terms), same


# --- the report -----------------------------------------------------------------------------------------------

def main() -> int:
    parser = parser_for(__doc__)
    add_corpora(parser, optional=True)
    add_limit(parser)
    parser.add_argument("--queries", type=int, default=200, help="at most this many queries")
    parser.add_argument("--k", type=int, default=10, help="hits a search, each with its summary")
    add_repeat(parser, default=3)
    args = parser.parse_args()
    if native.pure_python():
        parser.error(f"{native.SWITCH} is set: this process would take the Python paths too; run without it")
    corpora = [str(path) for path in args.corpora]
    articles = articles_of(corpora, args.limit)
    if not articles:
        parser.error("no articles in those files")
    modules = {name: native.built(name) for name in native.MODULES}
    missing = [name for name, module in modules.items() if module is None]

    with tempfile.TemporaryDirectory(prefix="jiansuo-bench-native-") as folder:
        source = Path(folder) / "articles.jsonl"
        source.write_text("".join(json.dumps({"id": f"a{a.id}", "title": a.title, "body": a.body},
                                             ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
        data_dir = Path(folder) / "data"
        archive = Engine(make_config(data_dir))
        archive.ingest([source])
        archive.close()
        queries = make_queries(str(data_dir), articles, args.queries, args.k)
        print(f"{len(articles)} articles ({sum(len(a.title) + len(a.body) for a in articles):,} characters) from "
              f"{', '.join(map(str, args.corpora))}; {len(queries)} queries, k={args.k}; "
              f"compiled parts here: {', '.join(n for n in native.MODULES if n not in missing) or 'none'}"
              + (f" (not built: {', '.join(missing)})" if missing else ""))

        # The wholes, here and in pure Python, taking turns.
        best = {"ingest": {"here": math.inf, "pure": math.inf}, "search": {"here": math.inf, "pure": math.inf}}
        answers: dict[str, dict] = {"ingest": {}, "search": {}}
        with pure_python_worker() as pure:
            if not pure(pure_python_here):
                raise SystemExit("the worker did not take the Python paths")
            for _ in range(args.repeat):
                for side, call in (("here", lambda f, *a: f(*a)), ("pure", pure)):
                    seconds, answers["ingest"][side] = call(ingest_once, corpora, args.limit)
                    best["ingest"][side] = min(best["ingest"][side], seconds)
                    seconds, answers["search"][side] = call(search_once, str(data_dir), queries, args.k)
                    best["search"][side] = min(best["search"][side], seconds)

        # The calls they make, and each entry point against its twin on them.
        made = ingest_calls(corpora, args.limit)
        engine = search_engine(str(data_dir), queries, args.k)
        asked = search_calls(engine, queries, args.k)
        weighed = {id(a[0]): data_module.weigh_words(*a, **kw) for a, kw in made["weigh"]}
        rows = [
            ("_salience.weigh", "_salience", weigh_pair, made["weigh"], "ingest"),
            ("_summaries.pack", "_summaries", lambda module, calls: pack_pair(module, calls, weighed), made["pack"],
             "ingest"),
            ("_summaries.choose (ingest)", "_summaries", choose_pair, made["choose"], "ingest"),
            ("_summaries.choose (search)", "_summaries", choose_pair, asked["choose"], "search"),
            ("_accumulate.add_channel", "_accumulate", lambda _, calls: add_channel_pair(engine.ranker(), calls),
             asked["score"], "search"),
            ("_runs.number_terms", "_runs", number_terms_pair, made["number"], "ingest"),
        ]
        lines = []
        all_same = True
        for label, name, pair, calls, whole in rows:
            if modules[name] is None:
                lines.append(f"{label:28s} {len(calls):>6d}  not built: service.native.{name} did not import")
                continue
            in_python, compiled, same = pair(modules[name], calls)
            seconds, results = in_turn({"Python": in_python, "compiled": compiled}, args.repeat, rotate=True)
            agreed = same(results["Python"], results["compiled"])
            all_same &= all(agreed)
            count = max(1, len(calls))
            shares = {"ingest": "-", "search": "-"}
            shares[whole] = (f"{seconds['Python'] / best[whole]['pure']:6.1%} / "
                             f"{seconds['compiled'] / best[whole]['here']:6.1%}")
            lines.append(f"{label:28s} {len(calls):>6d} {seconds['Python'] / count * 1e6:>12.1f} "
                         f"{seconds['compiled'] / count * 1e6:>12.1f} "
                         f"{seconds['Python'] / seconds['compiled'] if seconds['compiled'] else math.nan:>7.1f}x "
                         f"{'yes' if all(agreed) else f'{sum(agreed)} of {len(agreed)}':>5s} "
                         f"{shares['ingest']:>17s} {shares['search']:>17s}")
        engine.close()

    same_ingest = answers["ingest"]["here"] == answers["ingest"]["pure"]
    same_search = sum(a == b for a, b in zip(answers["search"]["here"], answers["search"]["pure"]))
    ingest, search = best["ingest"], best["search"]
    print(f"ingest analysis (analyse_batch, {len(articles)} articles, one run): pure Python {ingest['pure']:.3f} s, "
          f"compiled {ingest['here']:.3f} s, {ingest['pure'] / ingest['here']:.2f}x; "
          f"the same run files and extras: {'yes' if same_ingest else 'NO'}")
    print(f"search with summaries ({len(queries)} queries in turn, k={args.k}): pure Python {search['pure']:.3f} s, "
          f"compiled {search['here']:.3f} s, {search['pure'] / search['here']:.2f}x; "
          f"the same answers: {same_search} of {len(queries)}")
    print(f"{'entry point':28s} {'calls':>6s} {'Python µs':>12s} {'compiled µs':>12s} {'ratio':>8s} {'same':>5s} "
          f"{'ingest Py / C':>17s} {'search Py / C':>17s}")
    print("\n".join(lines))
    return 0 if all_same and same_ingest and same_search == len(queries) else 1


def make_queries(data_dir: str, articles: list[Article], count: int, k: int) -> list[str]:
    """The articles' titles (their first TITLE_CHARS characters), each alone and every other one with the next
    title after it; those the engine refuses are left out."""
    titles = list(dict.fromkeys(a.title.strip()[:TITLE_CHARS] for a in articles if a.title.strip()))
    if not titles:
        raise SystemExit("the articles have no titles to make queries of")
    queries = [title if i % 2 == 0 else f"{title} {titles[(i + 1) % len(titles)]}"
               for i, title in enumerate(titles[:count])]
    engine = Engine(make_config(Path(data_dir)))
    kept = []
    for query in queries:
        try:
            engine.search(query, k=k, summaries=False)
        except JiansuoError:
            continue
        kept.append(query)
    engine.close()
    return kept


if __name__ == "__main__":
    raise SystemExit(main())
