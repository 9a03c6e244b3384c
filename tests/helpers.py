"""Paths and small helpers the tests share."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest

from service import config as config_module

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
PROJECT = TESTS.parent
SEED_PAGE = FIXTURES / "pages" / "seed" / "000_5db0decfa9c61e70.txt"
SEED_GOLD = FIXTURES / "pages" / "seed" / "000_5db0decfa9c61e70.gold.json"
CMRC_SAMPLE = FIXTURES / "collections" / "cmrc2018_sample.jsonl"
DRCD_SAMPLE = FIXTURES / "collections" / "drcd_sample.jsonl"
DATED_ARCHIVE = FIXTURES / "archive" / "dated.jsonl"


def compiled(module: str, fallback: str):
    """A compiled part of the package (setup.py) and the mark that skips a test file where it is not built.

    It is left out where the install found no C compiler or Python headers; with JIANSUO_REQUIRE_NATIVE=1 (as
    in CI) that is an error naming the module. `fallback` says what runs instead.
    """
    try:
        found = importlib.import_module(module)
    except ImportError:
        if os.environ.get("JIANSUO_REQUIRE_NATIVE") == "1":
            raise RuntimeError(f"JIANSUO_REQUIRE_NATIVE=1 but {module} is not built "
                               "(it needs a C compiler and the Python headers: pip install -e . again)")
        found = None
    return found, pytest.mark.skipif(found is None, reason=f"{module} is not built (no C compiler or Python "
                                                           f"headers at install); {fallback}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summary_texts(cmrc: int, drcd: int, corpus: int | None = None) -> list[tuple[str | None, str]]:
    """(title, text) to summarize: the first `cmrc` CMRC and `drcd` DRCD (Traditional) fixture records, then the
    embedded corpus's articles (the first `corpus` of them; None: all), untitled."""
    records = read_jsonl(CMRC_SAMPLE)[:cmrc] + read_jsonl(DRCD_SAMPLE)[:drcd]
    texts = [(r.get("title"), r.get("text") or r.get("body") or "") for r in records]
    files = sorted((PROJECT / "corpus").glob("*.txt"))[:corpus]
    return texts + [(None, path.read_text(encoding="utf-8")) for path in files]


def make_config(data_dir: Path, **overrides) -> config_module.Config:
    return config_module.defaults().with_overrides(paths_data_dir=data_dir, **overrides)


ADMIN_TOKEN = "test-admin-token-0123456789"
# The live server's upload limit, small enough for a test to pass it cheaply.
LIVE_MAX_UPLOAD_BYTES = 65536


def multipart(fields: dict[str, tuple[str, bytes]], boundary: str = "jiansuo-test-boundary") -> tuple[bytes, dict]:
    """A multipart/form-data body of files {field: (file name, content)} and its Content-Type header."""
    parts = []
    for name, (filename, content) in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode("utf-8") + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


HOSTILE_TITLE = "<script>alert('xss')</script>用药安全问答"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """A real `jiansuo serve` process on a free loopback port."""

    def __init__(self, data_dir: Path, log_path: Path, *, workers: int = 1, env: dict | None = None):
        import os
        import subprocess
        import sys
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "--index", str(data_dir), "serve", "--port", str(self.port),
             "--workers", str(workers)],
            cwd=PROJECT, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"jiansuo serve did not come up; see {log_path}: "
                                   + log_path.read_text(encoding="utf-8")[-2000:])
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
        self.log.close()
