"""A long load on `jiansuo serve`: errors, latency and whether its memory stays flat.

    python bench/load.py [PATH ...] [--connections 64] [--seconds 60] [--warmup 10] [--workers 2]

PATHs are ingested into a temporary archive (default: the embedded corpus). `--connections` client threads,
each on its own keep-alive connection to 127.0.0.1, send a mix of requests without pause: searches (the
articles' titles cut to their first words, some paged, some in Traditional script), articles, the HTML search
page and /healthz. After `--warmup` seconds of the same load, the resident memory of the server (gunicorn's
arbiter and its workers, from /proc) is taken as the baseline; the load then runs `--seconds` more, and the
report gives requests, errors (any answer other than 200, any broken connection), throughput, latency
percentiles, and RSS at the end against the baseline (the goal: within 10 %). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers import PROJECT, RunningServer, make_config  # noqa: E402
from service.engine import Engine  # noqa: E402


def process_tree_rss(root_pid: int) -> int:
    """Resident bytes of `root_pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[PROJECT / "corpus"])
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
    latencies = sorted(load.latencies)
    requests = len(latencies) + len(load.errors)

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    print(f"{articles} articles, {len(paths)} distinct requests, {args.connections} connections, "
          f"{args.workers} workers, {args.warmup:.0f} s warm-up + {elapsed:.1f} s measured")
    print(f"requests {requests}, errors {len(load.errors)}, {requests / elapsed:.1f} requests/s")
    print(f"latency ms: median {statistics.median(latencies) * 1000 if latencies else float('nan'):.1f}, "
          f"p95 {percentile(0.95):.1f}, p99 {percentile(0.99):.1f}, max {percentile(1.0):.1f}")
    print(f"server RSS: after warm-up {baseline / 2**20:.1f} MiB, at the end {end / 2**20:.1f} MiB "
          f"(x{end / baseline:.3f}); samples every 5 s: "
          + ", ".join(f"{s / 2**20:.1f}" for s in samples))
    for error in load.errors[:10]:
        print(f"error: {error}")


if __name__ == "__main__":
    main()
