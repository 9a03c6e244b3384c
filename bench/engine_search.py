"""In-process `Engine.search` on an existing archive: latency with and without summaries, and the answers.

    python -m bench.engine_search DATA_DIR QUERIES.json [--k 10] [--dump answers.json] [--budget-ms N]
        [--facet-terms] [--root CHECKOUT] [--baseline-data DATA_DIR] [--collapse on,off]

QUERIES.json is a JSON list of query strings (bench/scale.py's `make_queries` makes such lists). Each query
is searched once to warm up, then timed with `summaries=False` and with summaries (k hits each); the report
gives p50 and p95 of both (bench/common.py defines them). `--dump` writes every answer (ids, scores, totals,
summaries and highlights) so two versions of the code can be compared on the same archive; `--budget-ms`
overrides summary.query_budget_ms (a large value makes every summary the query's own, whatever the machine's
speed).

`--facet-terms` times, instead, three searches of each query in turn (summaries on): without facets, with the
facets /api/search always counts, and with the words of the hits as well (`facets=terms`, `search.significant`):
p50 and p95 of each and the ratio of the last to the second, in the same run.

`--baseline-data DATA_DIR` makes the baseline open another archive (with `--root`'s code or this checkout's):
the same archive with its copies dropped, say, for what collapsing copies costs; answers then differ.

`--root CHECKOUT` compares this checkout's code with another's (e.g. `git worktree add /tmp/base HEAD~3`, its
compiled extension built or copied in) on the same archive, in one run: each opens the archive in a process of
its own (the other's with CHECKOUT first on its path), and every query is asked of both in turn, alternately
first, `summaries=False`, no facets, once to warm up (reported as "first asking": what a fresh process pays
for queries it has not seen) and then `--rounds` times, each process timing its own `Engine.search` call. For
each of `--collapse` (on: one hit per story, the default of a search; off: every copy) the report gives p50
and p95 of both, their ratio, and how many answers agree: the same ids in the same order, the same totals,
copies and folded counts, scores within 1e-9.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.common import add_data_dir, each_in_turn, parser_for, percentiles
from service.engine import Engine
from service.testing import PROJECT, make_config


def main() -> int:
    parser = parser_for(__doc__)
    add_data_dir(parser)
    parser.add_argument("queries", type=Path, metavar="QUERIES.json")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--budget-ms", type=int)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--facet-terms", action="store_true",
                        help="time searches with facets, without and with facets.terms, in turn")
    parser.add_argument("--root", type=Path, metavar="CHECKOUT",
                        help="compare with the code of this checkout, each query asked of both in turn")
    parser.add_argument("--baseline-data", type=Path, metavar="DATA_DIR",
                        help="the baseline opens this archive instead (e.g. the same one with its copies dropped); "
                             "its code is --root's, or this checkout's")
    parser.add_argument("--collapse", default="on,off", help="with --root: on, off or both (on,off)")
    args = parser.parse_args()
    if args.root is not None or args.baseline_data is not None:
        modes = [m.strip() for m in args.collapse.split(",") if m.strip()]
        if not modes or any(m not in ("on", "off") for m in modes):
            parser.error("--collapse takes on, off or on,off")
        compare(args, [m == "on" for m in modes])
    elif args.facet_terms:
        run_facet_terms(args)
    else:
        run(args)
    return 0


def run_facet_terms(args: argparse.Namespace) -> None:
    engine = Engine(make_config(args.data_dir))
    engine.warm_up()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    for query in queries[:20]:  # first touches of the arrays and the extras table are not what a server sees
        engine.search(query, k=args.k, facets=True, facet_terms=True)
    (bare, plain, terms), counted = each_in_turn(
        queries * args.rounds, [lambda q: engine.search(q, k=args.k), lambda q: engine.search(q, k=args.k, facets=True),
                                lambda q: len(engine.search(q, k=args.k, facets=True, facet_terms=True).facets.terms)],
        alternate_first=True, outcome=lambda _, __, words: words)
    (b50, b95), (p50, p95), (t50, t95) = percentiles(bare), percentiles(plain), percentiles(terms)
    print(f"{engine.store.count()} articles, {len(queries)} queries x {args.rounds}, k={args.k}, summaries on")
    print(f"search, no facets:               p50 {b50:.2f} ms, p95 {b95:.2f} ms")
    print(f"search, facets (as /api/search): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"search, facets + facets.terms:   p50 {t50:.2f} ms, p95 {t95:.2f} ms   "
          f"ratio to facets p50 {t50 / p50:.2f}x, p95 {t95 / p95:.2f}x")
    print(f"words listed: median {sorted(counted)[len(counted) // 2]}, none for {counted.count(0)} queries")
    engine.close()


def run(args: argparse.Namespace) -> None:
    overrides = {}
    if args.budget_ms is not None:
        overrides["summary_query_budget_ms"] = args.budget_ms
    engine = Engine(make_config(args.data_dir, **overrides))
    engine.warm_up()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    answers = [engine.search(q, k=args.k).to_dict() for q in queries]
    (plain, full), _ = each_in_turn(queries * args.rounds, [lambda q: engine.search(q, k=args.k, summaries=False),
                                                            lambda q: engine.search(q, k=args.k)],
                                    outcome=lambda *answers: None)
    print(f"{engine.store.count()} articles, {len(queries)} queries x {args.rounds}, k={args.k}")
    if args.rounds:
        (p50, p95), (s50, s95) = percentiles(plain), percentiles(full)
        print(f"search, summaries=False: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        print(f"search with summaries:   p50 {s50:.2f} ms, p95 {s95:.2f} ms")
    if args.dump:
        for answer in answers:
            answer.pop("took_ms")
        args.dump.write_text(json.dumps(answers, ensure_ascii=False, indent=0), encoding="utf-8")
    engine.close()


# What each process of `compare` runs: only what every version of the engine has, so an older checkout runs it
# too. One JSON line in (query, collapse), one out (the search's own milliseconds and its answer).
_ASKED = r"""
import json, sys, time
from pathlib import Path
from service.engine import Engine
from service.testing import make_config

engine = Engine(make_config(Path(sys.argv[1])))
engine.warm_up()
k = int(sys.argv[2])
print(json.dumps({"articles": engine.store.count()}), flush=True)
for line in sys.stdin:
    query, collapse = json.loads(line)
    started = time.perf_counter()
    found = engine.search(query, k=k, summaries=False, collapse=collapse)
    took = (time.perf_counter() - started) * 1000
    hits = [[h.article.id, h.score, h.folded, [c.id for c in h.copies]] for h in found.hits]
    print(json.dumps({"ms": took, "total": found.total, "hits": hits}), flush=True)
"""


class Asked:
    """One checkout's engine on the archive, in a process of its own."""

    def __init__(self, root: Path, data_dir: Path, k: int):
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.process = subprocess.Popen([sys.executable, "-P", "-c", _ASKED, str(data_dir), str(k)], cwd=root,
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        encoding="utf-8")
        self.articles = self._read()["articles"]

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the search process (pid {self.process.pid}) ended: see its error output above")
        return json.loads(line)

    def ask(self, query: str, collapse: bool) -> dict:
        self.process.stdin.write(json.dumps([query, collapse], ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        return self._read()

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=60)


def same_answer(ours: dict, theirs: dict) -> bool:
    """The same ids in the same order, totals, copies and folded counts, and scores within 1e-9."""
    if ours["total"] != theirs["total"] or len(ours["hits"]) != len(theirs["hits"]):
        return False
    return all(a[0] == b[0] and abs(a[1] - b[1]) <= 1e-9 and a[2:] == b[2:]
               for a, b in zip(ours["hits"], theirs["hits"]))


def compare(args: argparse.Namespace, collapses: list[bool]) -> None:
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    roots = [PROJECT, (args.root or PROJECT).resolve()]
    archives = [args.data_dir, args.baseline_data or args.data_dir]
    asked = [Asked(root, archive, args.k) for root, archive in zip(roots, archives)]
    try:
        print(f"{asked[0].articles} articles in {args.data_dir}, {len(queries)} queries (distinct: "
              f"{len(set(queries))}) x {args.rounds} rounds, k={args.k}, summaries=False, no facets")
        print(f"this checkout: {roots[0]}; baseline: {roots[1]}"
              + (f" on {archives[1]} ({asked[1].articles} articles)" if archives[1] != archives[0] else ""))
        for collapse in collapses:
            first: list[list[float]] = [[], []]
            timed: list[list[float]] = [[], []]
            agreed = 0
            for round_number in range(args.rounds + 1):
                for number, query in enumerate(queries):
                    order = (1, 0) if (number + round_number) % 2 else (0, 1)
                    answers: list[dict] = [{}, {}]
                    for i in order:
                        answers[i] = asked[i].ask(query, collapse)
                        (first if round_number == 0 else timed)[i].append(answers[i]["ms"])
                    if round_number == 0:
                        agreed += same_answer(*answers)
            label = "collapsed (one hit per story)" if collapse else "not collapsed (every copy)"
            for name, values in (("first asking", first), ("timed rounds", timed)):
                (o50, o95), (b50, b95) = percentiles(values[0]), percentiles(values[1])
                print(f"{label}, {name}: this p50 {o50:.2f} ms, p95 {o95:.2f} ms; baseline p50 {b50:.2f} ms, "
                      f"p95 {b95:.2f} ms; ratio p50 {o50 / b50:.2f}x, p95 {o95 / b95:.2f}x")
            print(f"{label}: the same answer {agreed}/{len(queries)}")
    finally:
        for one in asked:
            one.stop()


if __name__ == "__main__":
    raise SystemExit(main())
