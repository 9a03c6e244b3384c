"""In-process `Engine.search` on an existing archive: latency with and without summaries, and the answers.

    python bench/engine_search.py DATA_DIR QUERIES.json [--k 10] [--dump answers.json] [--budget-ms N]

QUERIES.json is a JSON list of query strings (bench/scale.py's `make_queries` makes such lists). Each query
is searched once to warm up, then timed with `summaries=False` and with summaries (k hits each); the report
gives p50 and p95 of both. `--dump` writes every answer (ids, scores, totals, summaries and highlights) so two
versions of the code can be compared on the same archive; `--budget-ms` overrides summary.query_budget_ms
(a large value makes every summary the query's own, whatever the machine's speed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import config  # noqa: E402
from service.engine import Engine  # noqa: E402


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--budget-ms", type=int)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    overrides = {"paths_data_dir": args.data_dir}
    if args.budget_ms is not None:
        overrides["summary_query_budget_ms"] = args.budget_ms
    engine = Engine(config.defaults().with_overrides(**overrides))
    engine.warm_up()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    answers = [engine.search(q, k=args.k).to_dict() for q in queries]
    plain, full = [], []
    for _ in range(args.rounds):
        for query in queries:
            started = time.perf_counter()
            engine.search(query, k=args.k, summaries=False)
            middle = time.perf_counter()
            engine.search(query, k=args.k)
            plain.append((middle - started) * 1000)
            full.append((time.perf_counter() - middle) * 1000)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
