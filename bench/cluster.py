"""The sharded index (service/cluster) against the single-machine engine on one corpus, in one run.

    python -m bench.cluster CORPUS.jsonl --shards 3 [--queries 200] [--workers 1,2] [--out DIR]

Ingests CORPUS into a fresh archive, builds it into `--shards` Xapian shards, serves them with `xapian-tcpsrv`
on 127.0.0.1, and runs the same queries (one to three words of random articles, seeded) on both, k = 10 without
summaries, each query once on each side after one warm-up pass. Prints one JSON line:

    {"queries", "identical", "max_score_diff", "p50_ms_single", "p50_ms_cluster", ...}

`moved_p50_MODE` (and `_mean`) are the documents that come back from the shards for one query from cold caches
(the sum of the fetched MSets' sizes), for three ways of ranking on the same build: `all` fetches every match's
weights; `ids` finds the matches by their ids, then reads the best-weighted first (builds of format 2); `counted`
counts the matches on the shards and sends ids only for the articles met while reading (format 3, the default).
`moved_kinds_MODE` splits them by what they were fetched for (`counted` is a number of counts, not of documents,
and is left out of the sums), and `p50_ms_cluster_cold_MODE` are their latencies, while `p50_ms_cluster` is the
default ranking with the coordinator's caches warm, as it serves. `copy_groups` says whether the archive has
copies: then every search counts its stories over every match's id (docs/scale-out.md).

`identical` counts the queries whose top 10 (ids, order, total and mode) are the same on both sides;
`max_score_diff` is the largest score difference over all of them. With `--workers 1,2` the build is also made
with Ray (a local Ray on 127.0.0.2, run in a network namespace with loopback only where `unshare` can make one:
`ray_network` says) with each worker count: `build_articles_per_second` per worker count (0: in the process, no
Ray; each Ray figure includes starting Ray's actors, not Ray itself) and `builds_identical` (every database file
the same bytes as the in-process build's, UUIDs in `iamglass` included).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import random
import statistics
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import percentile
from service.cluster.analysis import in_loopback_namespace, loopback_namespace_problem
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
    files = [p.relative_to(a) for p in a.rglob("*") if p.is_file()]
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


def ray_build(args, root: Path, workers: int) -> tuple[dict, str]:
    """The build with `workers` Ray actors, run by this program again: in a network namespace whose only interface
    is loopback where one can be made (Ray's gRPC servers listen on every interface they have)."""
    command = [sys.executable, "-P", "-m", "bench.cluster", str(args.corpus), "--shards", str(args.shards),
               "--out", str(root), "--ray-build", str(workers)]
    problem = loopback_namespace_problem()
    done = subprocess.run(command if problem else in_loopback_namespace(command), capture_output=True, text=True,
                          check=True)
    network = f"this machine's, no namespace ({problem})" if problem else "a namespace with loopback only"
    return json.loads(done.stdout.strip().splitlines()[-1]), network


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workers", default="", help="Ray worker counts to build with too, e.g. 1,2")
    parser.add_argument("--out", type=Path, default=None, help="where the archive and builds go (default: a "
                                                                    "temporary directory)")
    parser.add_argument("--ray-build", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    single = Engine(make_config(root / "data"))
    if not single.has_index():
        single.ingest([args.corpus])
    out = root / "build"
    if args.ray_build:  # the Ray build of one worker count, as a program of its own (see `ray_build`)
        from service.cluster.analysis import start_ray

        start_ray(args.ray_build)
        print(json.dumps(build(single, root / f"build-ray{args.ray_build}", args.shards, args.ray_build).to_dict()))
        single.close()
        return 0
    result: dict = {}
    builds = {}
    if not out.exists():
        builds[0] = build(single, out, args.shards, 0).to_dict()
    for workers in [int(w) for w in args.workers.split(",") if w]:
        builds[workers], result["ray_network"] = ray_build(args, root, workers)
        result.setdefault("builds_identical", {})[str(workers)] = same_bytes(out, root / f"build-ray{workers}")
    if builds:
        result["documents"] = next(iter(builds.values()))["documents"]
        result["build_articles_per_second"] = {str(w): r["articles_per_second"] for w, r in builds.items()}
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
        modes = ("all", "ids", "counted")
        timings: dict[str, list[float]] = {"single": [], "cluster": [], **{f"cold_{m}": [] for m in modes}}
        live = sharded._live()
        shards = live.words.shards
        moves: dict[str, list[int]] = {m: [] for m in modes}
        kinds: dict[str, Counter] = {m: Counter() for m in modes}
        for query in asked:
            for mode in modes:
                live.ranker.bounded = mode != "all"
                live.ranker.pushed = mode == "counted"
                for postings in live.ranker.channels.values():
                    postings.forget()
                before = Counter(shards.moved)
                started = time.perf_counter()
                sharded.search(query, k=10, summaries=False)
                timings[f"cold_{mode}"].append((time.perf_counter() - started) * 1000)
                moved = Counter(shards.moved)
                moved.subtract(before)
                moves[mode].append(sum(n for kind, n in moved.items() if kind != "counted"))
                kinds[mode].update(+moved)
        live.ranker.bounded = live.ranker.pushed = True
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
        copies = len(set(single.copy_groups().values()))
        sharded.close()
    finally:
        stop(processes)
        single.close()
    p50_single, p50_cluster = percentile(timings["single"], 0.5), percentile(timings["cluster"], 0.5)
    print(json.dumps({"queries": len(asked), "identical": identical, "max_score_diff": worst,
                      "p50_ms_single": round(p50_single, 3), "p50_ms_cluster": round(p50_cluster, 3),
                      "cluster_over_single": round(p50_cluster / p50_single, 2), "shards": args.shards,
                      **{f"p50_ms_cluster_cold_{m}": round(percentile(timings[f"cold_{m}"], 0.5), 3) for m in modes},
                      **{f"moved_{stat}_{mode}": round(f(moves[mode]), 1) for mode in moves
                         for stat, f in (("p50", lambda v: percentile(v, 0.5)), ("mean", statistics.fmean))},
                      **{f"moved_kinds_{mode}": dict(kinds[mode]) for mode in modes},
                      "copy_groups": copies,
                      **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
