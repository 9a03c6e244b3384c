"""A long load on `jiansuo serve`: errors, latency and whether its memory stays flat.

    python -m bench.load [PATH ...] [--connections 64] [--seconds 60] [--warmup 10] [--workers 2]

PATHs are ingested into a temporary archive (default: the embedded corpus). `--connections` client threads,
each on its own keep-alive connection to 127.0.0.1, send a mix of requests without pause: searches (the
articles' titles cut to their first words, some paged, some in Traditional script), articles, the HTML search
page and /healthz. After `--warmup` seconds of the same load, the resident memory of the server (gunicorn's
arbiter and its workers, from /proc) is taken as the baseline; the load then runs `--seconds` more, and the
report gives requests, errors (any answer other than 200, any broken connection), throughput, latency
percentiles (bench/common.py defines them), and RSS at the end against the baseline (the goal: within 10 %).
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import random
import shutil
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.common import add_ingest_paths, parser_for, percentiles, process_tree_rss
from service.engine import Engine
from service.testing import RunningServer, make_config


class Load:
    """`connections` threads sending `paths` in turn until stopped; counts answers, errors and latencies."""

    def __init__(self, port: int, paths: list[str], connections: int):
        self.port, self.paths, self.connections = port, paths, connections
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.recording = False
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(connections)]

    def client(self, number: int) -> None:
        rng = random.Random(number)
        order = self.paths[:]
        rng.shuffle(order)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for path in itertools.cycle(order):
            if self.stop.is_set():
                break
            started = time.perf_counter()
            error = None
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    error = f"{response.status} {path}"
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc} on {path}"
                connection.close()
            elapsed = time.perf_counter() - started
            if self.recording:
                with self.lock:
                    if error:
                        self.errors.append(error)
                    else:
                        self.latencies.append(elapsed)
        connection.close()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def request_mix(engine: Engine) -> list[str]:
    paths = []
    for article in engine.store.iter_articles():
        if article.title.strip():
            q = urllib.parse.quote(article.title[:6])
            paths += [f"/api/search?q={q}", f"/api/search?q={q}&k=5&offset=5&script=traditional",
                      f"/search?q={q}", f"/api/articles/{urllib.parse.quote(article.id)}?q={q}"]
    return paths + ["/healthz", "/api/stats"]


def main() -> None:
    parser = parser_for(__doc__)
    add_ingest_paths(parser)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="jiansuo-load-"))
    try:
        run(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, root: Path) -> None:
    engine = Engine(make_config(root / "data"))
    engine.ingest(args.paths)
    paths, articles = request_mix(engine), engine.store.count()
    engine.close()
    server = RunningServer(root / "data", root / "serve.log", workers=args.workers)
    try:
        load = Load(server.port, paths, args.connections)
        load.start()
        time.sleep(args.warmup)
        baseline = process_tree_rss(server.process.pid)
        load.recording = True
        began = time.monotonic()
        samples = []
        while time.monotonic() - began < args.seconds:
            time.sleep(min(5.0, args.seconds - (time.monotonic() - began)) if args.seconds > 0 else 0)
            samples.append(process_tree_rss(server.process.pid))
        load.recording = False
        elapsed = time.monotonic() - began
        end = process_tree_rss(server.process.pid)
        load.finish()
    finally:
        server.stop()
    requests = len(load.latencies) + len(load.errors)
    median, p95, p99, most = (seconds * 1000 for seconds in percentiles(load.latencies, (0.5, 0.95, 0.99, 1.0)))
    print(f"{articles} articles, {len(paths)} distinct requests, {args.connections} connections, "
          f"{args.workers} workers, {args.warmup:.0f} s warm-up + {elapsed:.1f} s measured")
    print(f"requests {requests}, errors {len(load.errors)}, {requests / elapsed:.1f} requests/s")
    print(f"latency ms: median {median:.1f}, p95 {p95:.1f}, p99 {p99:.1f}, max {most:.1f}")
    print(f"server RSS: after warm-up {baseline / 2**20:.1f} MiB, at the end {end / 2**20:.1f} MiB "
          f"(x{end / baseline:.3f}); samples every 5 s: "
          + ", ".join(f"{s / 2**20:.1f}" for s in samples))
    for error in load.errors[:10]:
        print(f"error: {error}")


if __name__ == "__main__":
    main()
