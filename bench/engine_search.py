"""In-process `Engine.search` on an existing archive: latency with and without summaries, and the answers.

    python -m bench.engine_search DATA_DIR QUERIES.json [--k 10] [--dump answers.json] [--budget-ms N]
        [--facet-terms]

QUERIES.json is a JSON list of query strings (bench/scale.py's `make_queries` makes such lists). Each query
is searched once to warm up, then timed with `summaries=False` and with summaries (k hits each); the report
gives p50 and p95 of both (bench/common.py defines them). `--dump` writes every answer (ids, scores, totals,
summaries and highlights) so two versions of the code can be compared on the same archive; `--budget-ms`
overrides summary.query_budget_ms (a large value makes every summary the query's own, whatever the machine's
speed).

`--facet-terms` times, instead, three searches of each query in turn (summaries on): without facets, with the
facets /api/search always counts, and with the words of the hits as well (`facets=terms`, `search.significant`):
p50 and p95 of each and the ratio of the last to the second, in the same run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.common import add_data_dir, each_in_turn, parser_for, percentiles
from service.engine import Engine
from service.testing import make_config


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
    args = parser.parse_args()
    if args.facet_terms:
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


if __name__ == "__main__":
    raise SystemExit(main())
