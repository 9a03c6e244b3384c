"""The sharded index (service/cluster) against the single-machine engine on one corpus, in one run.

    python -m bench.cluster CORPUS.jsonl --shards 3 [--queries 200] [--workers 1,2] [--out DIR]

Ingests CORPUS into a fresh archive, builds it into `--shards` Xapian shards, serves them with `xapian-tcpsrv`
on 127.0.0.1, and runs the same queries (one to three words of random articles, seeded) on both, k = 10 without
summaries, each query once on each side after one warm-up pass. Prints one JSON line:

    {"queries", "identical", "max_score_diff", "p50_ms_single", "p50_ms_cluster", ...}

`moved_p50_all` / `moved_p50_bounded` (and `_mean`) are the documents that come back from the shards for one
query from cold caches (the sum of the fetched MSets' sizes: every match's weights, or the bounded ranking's
match ids, ranked batches and chosen articles' weights; `moved_kinds_bounded` splits the latter), and
`p50_ms_cluster_cold_all` / `p50_ms_cluster_cold_bounded` their latencies, while `p50_ms_cluster` is the bounded
ranking with the coordinator's caches warm, as it serves.

`identical` counts the queries whose top 10 (ids, order, total and mode) are the same on both sides;
`max_score_diff` is the largest score difference over all of them. With `--workers 1,2` the build is also made
with Ray (a local Ray on 127.0.0.2) with each worker count: `build_articles_per_second` per worker count (0: in
the process, no Ray) and `builds_identical` (every database file the same bytes as the in-process build's,
the UUID file `iamglass` aside).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import random
import statistics
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import percentile
from service.cluster.build import build
from service.cluster.layout import CHANNELS, shard_dir
from service.cluster.serve import start_shard, stop
from service.engine import Engine
from service.testing import free_port, make_config


def queries_of(engine: Engine, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    ids = list(engine.postings().doc_ids)
    out: list[str] = []
    while len(out) < count:
        article = engine.article(rng.choice(ids))
        words = [w for w in engine.analyzer.terms((article.title or "") + article.body[:400])
                 if len(w) >= 2 and not re.fullmatch(r"[\W\d_]+", w)]
        if words:
            out.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
    return out


def ports_for_shard() -> int:
    for _ in range(200):
        port = free_port()
        if port + len(CHANNELS) < 65536:
            return port
    raise RuntimeError("no free port")


def same_bytes(a: Path, b: Path) -> bool:
    files = [p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "iamglass"]
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


def wait_answering(port: int) -> None:
    import xapian

    for _ in range(600):
        try:
            xapian.remote_open("127.0.0.1", port, 2000, 2000).close()
            return
        except xapian.NetworkError:
            time.sleep(0.05)
    raise RuntimeError(f"shard on port {port} did not answer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workers", default="", help="Ray worker counts to build with too, e.g. 1,2")
    parser.add_argument("--out", type=Path, default=None, help="where the archive and builds go (default: a "
                                                                    "temporary directory)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    single = Engine(make_config(root / "data"))
    if not single.has_index():
        single.ingest([args.corpus])
    out = root / "build"
    result: dict = {}
    builds = {}
    if not out.exists():
        builds[0] = build(single, out, args.shards, 0)
    counts = [int(w) for w in args.workers.split(",") if w]
    if counts:
        from service.cluster.analysis import start_ray

        start_ray(max(counts))  # once, with room for the most actors asked for
    for workers in counts:
        target = root / f"build-ray{workers}"
        builds[workers] = build(single, target, args.shards, workers)
        result.setdefault("builds_identical", {})[str(workers)] = same_bytes(out, target)
    if builds:
        result["documents"] = next(iter(builds.values())).documents
        result["build_articles_per_second"] = {str(w): round(r.documents / r.seconds, 1) for w, r in builds.items()}
    processes, addresses = [], []
    try:
        for shard in range(args.shards):
            port = ports_for_shard()
            processes += start_shard(shard_dir(out, shard), "127.0.0.1", port)
            addresses.append(f"127.0.0.1:{port}")
            for offset in range(len(CHANNELS)):
                wait_answering(port + offset)
        sharded = Engine(make_config(root / "data", cluster_catalog=out, cluster_replicas=(tuple(addresses),)),
                         analyzer=single.analyzer)
        asked = queries_of(single, args.queries, args.seed)
        for query in asked:  # warm-up: dictionaries, caches of both sides alike
            single.search(query, k=10, summaries=False)
            sharded.search(query, k=10, summaries=False)
        timings: dict[str, list[float]] = {"single": [], "cluster": [], "cold_all": [], "cold_bounded": []}
        live = sharded._live()
        shards = live.words.shards
        moves: dict[str, list[int]] = {"all": [], "bounded": []}
        kinds: Counter = Counter()
        for query in asked:
            for mode in ("all", "bounded"):
                live.ranker.bounded = mode == "bounded"
                for postings in live.ranker.channels.values():
                    postings.forget()
                before = Counter(shards.moved)
                started = time.perf_counter()
                sharded.search(query, k=10, summaries=False)
                timings[f"cold_{mode}"].append((time.perf_counter() - started) * 1000)
                moved = Counter(shards.moved)
                moved.subtract(before)
                moves[mode].append(sum(moved.values()))
                if mode == "bounded":
                    kinds.update(moved)
        live.ranker.bounded = True
        identical, worst = 0, 0.0
        for query in asked:
            started = time.perf_counter()
            one = single.search(query, k=10, summaries=False)
            timings["single"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            many = sharded.search(query, k=10, summaries=False)
            timings["cluster"].append((time.perf_counter() - started) * 1000)
            same = ([h.article.id for h in one.hits] == [h.article.id for h in many.hits]
                    and (one.total, one.mode) == (many.total, many.mode))
            identical += same
            worst = max([worst, *(abs(a.score - b.score) for a, b in zip(one.hits, many.hits))])
        sharded.close()
    finally:
        stop(processes)
        single.close()
    p50_single, p50_cluster = percentile(timings["single"], 0.5), percentile(timings["cluster"], 0.5)
    print(json.dumps({"queries": len(asked), "identical": identical, "max_score_diff": worst,
                      "p50_ms_single": round(p50_single, 3), "p50_ms_cluster": round(p50_cluster, 3),
                      "cluster_over_single": round(p50_cluster / p50_single, 2), "shards": args.shards,
                      "p50_ms_cluster_cold_all": round(percentile(timings["cold_all"], 0.5), 3),
                      "p50_ms_cluster_cold_bounded": round(percentile(timings["cold_bounded"], 0.5), 3),
                      **{f"moved_{stat}_{mode}": round(f(moves[mode]), 1) for mode in moves
                         for stat, f in (("p50", lambda v: percentile(v, 0.5)), ("mean", statistics.fmean))},
                      "moved_kinds_bounded": dict(kinds),
                      **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
