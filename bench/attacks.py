"""Other clients' latency while `jiansuo serve` is attacked, as ratios to their latency with no attack.

    python -m bench.attacks [--articles 15000] [--archive DATA_DIR] [--seconds 15] [--workers 2]

Builds an archive of `--articles` news-like articles (bench/scale.py's generator over the fixture collections;
or uses `--archive`, one already built), serves it on 127.0.0.1, and has two "other" clients search it, each four
times a second, while, in turn:

- nothing happens (idle: the baseline);
- 50 connections send the start of a request's headers and then nothing (slowloris; each is opened again as
  soon as the server closes it);
- 4 connections send `POST /api/summarize` with the longest text allowed, without pause;
- 4 connections send the most expensive searches (a long query, k=100, explain=1), without pause.

The floods run twice: from 127.0.0.1 with the default settings (loopback clients are not rate limited), and
from 127.0.0.2 against a server with `rate_limit_loopback = true` (as a server reachable from a network sees
its clients). Reported: the others' p50, p95 and maximum, how many of their requests were answered and how
many within one second, and each p50 as a ratio to the idle p50 of the same run. Linux only (source
addresses in 127.0.0.0/8).
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.common import fixture_articles, percentiles
from service.testing import RunningServer

OTHER_QUERIES = ["经济", "发展", "城市 建设", "人民", "政府 工作", "企业", "社会", "国家", "医保", "教育"]
PACE_SECONDS = 0.25
EXPENSIVE_QUERY = "中国的发展 经济 社会 建设 国家 工作 人民 政府 城市 企业 中国的发展 经济 社会 建设"


def build_archive(folder: Path, articles: int) -> Path:
    from bench.scale import read_source, write_corpus
    from service.engine import Engine
    from service.testing import make_config

    sentences, titles = read_source(fixture_articles())
    write_corpus(folder / "source", articles, sentences, titles, seed=7)
    engine = Engine(make_config(folder / "data"))
    engine.ingest([folder / "source"])
    engine.close()
    return folder / "data"


class Others:
    """Two clients each searching four times a second (within the default rate limit, as a person or a small
    script would); latencies of the answered ones."""

    def __init__(self, port: int, seconds: float):
        self.port, self.seconds = port, seconds
        self.latencies: list[float] = []
        self.failed = 0

    def client(self, number: int) -> None:
        end = time.monotonic() + self.seconds
        i = number
        next_start = time.monotonic()
        while time.monotonic() < end:
            time.sleep(max(0.0, next_start - time.monotonic()))
            next_start += PACE_SECONDS
            query = urllib.parse.quote(OTHER_QUERIES[i % len(OTHER_QUERIES)])
            i += 1
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", f"/api/search?q={query}")
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    self.failed += 1
                    continue
            except OSError:
                self.failed += 1
                continue
            self.latencies.append(time.perf_counter() - started)

    def run(self) -> dict:
        threads = [threading.Thread(target=self.client, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        p50, p95 = percentiles(self.latencies, (0.5, 0.95)) if self.latencies else (float("nan"),) * 2
        return {"answered": len(self.latencies), "failed": self.failed, "p50_ms": p50 * 1000, "p95_ms": p95 * 1000,
                "max_ms": max(self.latencies, default=float("nan")) * 1000,
                "within_1s": sum(1 for x in self.latencies if x <= 1.0)}


def slowloris(port: int, count: int, stop: threading.Event) -> None:
    sockets: list[socket.socket] = []
    while not stop.is_set():
        sockets = [s for s in sockets if _open(s)]
        while len(sockets) < count:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            sockets.append(s)
        stop.wait(0.2)
    for s in sockets:
        s.close()


def _open(sock: socket.socket) -> bool:
    """Whether the server still waits on `sock`; a socket it answered (408) or closed is closed here."""
    sock.setblocking(False)
    try:
        sock.recv(65536)
    except BlockingIOError:
        sock.setblocking(True)
        return True
    except OSError:
        pass
    sock.close()
    return False


def flooder(port: int, source: str, request, stop: threading.Event, statuses: list[int]) -> None:
    while not stop.is_set():
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
            while not stop.is_set():
                method, path, body, headers = request()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
                if response.status == 429:  # a polite attacker would wait; this one does not, but needs a breath
                    time.sleep(0.01)
        except OSError:
            statuses.append(0)
        finally:
            connection.close()


def summarize_request(chars: int):
    text = ("冠县农村危房改造进展顺利，今年完成改造任务1000户。本年度补助资金共计585.22万元。" * (chars // 40 + 1))[:chars]
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    return lambda: ("POST", "/api/summarize", body, {"Content-Type": "application/json"})


def search_request():
    path = "/api/search?" + urllib.parse.urlencode({"q": EXPENSIVE_QUERY, "k": 100, "explain": 1})
    return lambda: ("GET", path, None, {})


def under_attack(port: int, seconds: float, attack) -> tuple[dict, dict]:
    stop = threading.Event()
    statuses: list[int] = []
    threads = attack(stop, statuses)
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the attack is in place before the others start
    try:
        others = Others(port, seconds).run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    counts = {str(s): statuses.count(s) for s in sorted(set(statuses))}
    return others, counts


def row(name: str, others: dict, idle_p50: float, attacker: dict | None = None) -> str:
    line = (f"{name:<34} others answered {others['answered']:>4} (failed {others['failed']}, "
            f"{others['within_1s']} within 1 s)  p50 {others['p50_ms']:7.1f} ms  p95 {others['p95_ms']:7.1f} ms  "
            f"max {others['max_ms']:7.1f} ms  p50 x{others['p50_ms'] / idle_p50:.2f} of idle")
    if attacker is not None:
        line += f"  attacker's answers by status: {attacker}"
    return line


def run(data_dir: Path, seconds: float, workers: int, folder: Path) -> list[str]:
    from service.config import defaults

    chars = defaults().server_max_summarize_chars
    rows = []
    for label, source, settings in (("loopback, defaults", "127.0.0.1", ""),
                                    ("rate limited, from 127.0.0.2", "127.0.0.2", "rate_limit_loopback = true\n")):
        config = folder / f"config-{source}.toml"
        config.write_text("[server]\n" + settings, encoding="utf-8")
        server = RunningServer(data_dir, folder / f"serve-{source}.log", workers=workers,
                               env={"JIANSUO_CONFIG": str(config)})
        try:
            Others(server.port, 2).run()  # warm up
            idle = Others(server.port, seconds).run()
            rows.append(f"-- {label}")
            rows.append(row("idle", idle, idle["p50_ms"]))
            if source == "127.0.0.1":
                others, _ = under_attack(server.port, seconds, lambda stop, statuses: [
                    threading.Thread(target=slowloris, args=(server.port, 50, stop))])
                rows.append(row("50 slow-header connections", others, idle["p50_ms"]))
            for name, request in ((f"summarize flood ({chars} chars)", summarize_request(chars)),
                                  ("expensive-search flood", search_request())):
                others, counts = under_attack(server.port, seconds, lambda stop, statuses, request=request: [
                    threading.Thread(target=flooder, args=(server.port, source, request, stop, statuses))
                    for _ in range(4)])
                rows.append(row(f"4-connection {name}", others, idle["p50_ms"], counts))
        finally:
            server.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=15000)
    parser.add_argument("--archive", type=Path, metavar="DATA_DIR", help="an archive already built")
    parser.add_argument("--seconds", type=float, default=15, help="length of each measurement")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiansuo-attacks-") as tmp:
        folder = Path(tmp)
        data_dir = args.archive or build_archive(folder, args.articles)
        print(f"archive {data_dir}; {args.workers} workers; {args.seconds:g} s per measurement; two other clients",
              flush=True)
        for line in run(data_dir, args.seconds, args.workers, folder):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
