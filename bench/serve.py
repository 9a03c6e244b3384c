"""Search throughput of `jiansuo serve` with one worker process against several, in one run.

    python -m bench.serve [PATH ...] [--workers 2] [--clients 8] [--seconds 10] [--queries QUERIES.jsonl]

PATHs are ingested into a temporary archive (default: the embedded corpus); QUERIES.jsonl has one
{"id", "text"} a line (default: the titles of the ingested articles, cut to their first words). The same
queries are sent by `--clients` concurrent clients to a server with 1 worker process and then to one with
`--workers`, each for `--seconds`; the report gives requests per second and median latency of both and their
ratio. Both servers run with the configured number of threads.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import add_ingest_paths, parser_for, percentile, read_jsonl
from service.engine import Engine
from service.testing import RunningServer, make_config


def load(server: RunningServer, queries: list[str], clients: int, seconds: float) -> tuple[float, float]:
    """(requests per second, median latency in ms) of `clients` threads asking `queries` in turn."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    urls = [f"{server.url}/api/search?q={urllib.parse.quote(q)}" for q in queries]

    def client(offset: int) -> None:
        for url in itertools.islice(itertools.cycle(urls), offset, None):
            if time.monotonic() >= stop:
                return
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=60) as response:
                response.read()
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.monotonic() - began), percentile(latencies, 0.5) * 1000


def main() -> None:
    parser = parser_for(__doc__)
    add_ingest_paths(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--queries", type=Path)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="jiansuo-bench-"))
    try:
        run(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, root: Path) -> None:
    engine = Engine(make_config(root / "data"))
    engine.ingest(args.paths)
    if args.queries:
        queries = [record["text"] for record in read_jsonl(args.queries)]
    else:
        queries = [a.title[:6] for a in engine.store.iter_articles() if a.title.strip()]
    articles = engine.store.count()
    engine.close()
    print(f"{articles} articles, {len(queries)} queries, {args.clients} clients, {args.seconds:.0f} s each")

    results = {}
    for workers in (1, args.workers):
        server = RunningServer(root / "data", root / f"serve-{workers}.log", workers=workers)
        try:
            load(server, queries, args.clients, min(2.0, args.seconds))  # warm every worker's caches
            results[workers] = load(server, queries, args.clients, args.seconds)
        finally:
            server.stop()
        rate, median = results[workers]
        print(f"  {workers} worker process(es): {rate:8.1f} requests/s, median {median:7.1f} ms")
    (base_rate, base_median), (rate, median) = results[1], results[args.workers]
    print(f"{args.workers} workers / 1 worker: throughput x{rate / base_rate:.2f}, median latency "
          f"x{median / base_median:.2f}")


if __name__ == "__main__":
    main()
