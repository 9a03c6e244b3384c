"""Paths and small helpers the tests share."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from service import native
from service.testing import PROJECT, RunningServer, free_port, in_pure_python, make_config  # noqa: F401

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
SEED_PAGE = FIXTURES / "pages" / "seed" / "000_5db0decfa9c61e70.txt"
SEED_GOLD = FIXTURES / "pages" / "seed" / "000_5db0decfa9c61e70.gold.json"
CMRC_SAMPLE = FIXTURES / "collections" / "cmrc2018_sample.jsonl"
DRCD_SAMPLE = FIXTURES / "collections" / "drcd_sample.jsonl"
DATED_ARCHIVE = FIXTURES / "archive" / "dated.jsonl"
# One dispatch printed three times (once in Traditional characters), and a distinct story on its topic.
REPRINTS_ARCHIVE = FIXTURES / "archive" / "reprints.jsonl"


def compiled(name: str, fallback: str):
    """A compiled part (`service.native`, e.g. "_summaries") and the mark that skips a test file where it is not
    built.

    It is left out where the install found no C compiler or Python headers; with JIANSUO_REQUIRE_NATIVE=1 (as
    in CI) that is an error naming the module. `fallback` says what runs instead.
    """
    found = native.built(name)
    if found is None and os.environ.get("JIANSUO_REQUIRE_NATIVE") == "1":
        raise RuntimeError(f"JIANSUO_REQUIRE_NATIVE=1 but service.native.{name} is not built "
                           "(it needs a C compiler and the Python headers: pip install -e . again)")
    return found, pytest.mark.skipif(found is None, reason=f"service.native.{name} is not built (no C compiler or "
                                                           f"Python headers at install); {fallback}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summary_texts(cmrc: int, drcd: int, corpus: int | None = None) -> list[tuple[str | None, str]]:
    """(title, text) to summarize: the first `cmrc` CMRC and `drcd` DRCD (Traditional) fixture records, then the
    embedded corpus's articles (the first `corpus` of them; None: all), untitled."""
    records = read_jsonl(CMRC_SAMPLE)[:cmrc] + read_jsonl(DRCD_SAMPLE)[:drcd]
    texts = [(r.get("title"), r.get("text") or r.get("body") or "") for r in records]
    files = sorted((PROJECT / "corpus").glob("*.txt"))[:corpus]
    return texts + [(None, path.read_text(encoding="utf-8")) for path in files]


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


def run_files(folder: Path) -> tuple[dict[str, bytes], list]:
    """Every file of the index run that `analyse_batch` writes of the CMRC and DRCD samples into `folder`, and
    the extras it works out (summaries, keywords, summary data)."""
    from service.articles import Article
    from service.index.workers import analyse_batch
    from service.summaries.keywords import Rarity
    from service.text.analyzer import Analyzer

    rows = read_jsonl(CMRC_SAMPLE) + read_jsonl(DRCD_SAMPLE)
    articles = [Article(id=row["id"], title=row["title"], body=row["text"]) for row in rows]
    batch = analyse_batch(Analyzer(), make_config(folder / "data"), Rarity(), articles, folder, 0)
    files = {p.relative_to(batch.run).as_posix(): p.read_bytes() for p in sorted(batch.run.rglob("*")) if p.is_file()}
    return files, batch.extras


def summary_data(texts: list[tuple[str | None, str]]) -> list[bytes | None]:
    """The stored summary data (`packed`) of each (title, text), and `prepare(...).to_bytes()` of it: for
    comparing the compiled and the pure-Python paths (`in_pure_python`)."""
    from service.summaries.data import packed, prepare
    from service.text.analyzer import Analyzer

    analyzer = Analyzer()
    made = []
    for title, text in texts:
        made += [packed(analyzer, text, title=title), prepare(analyzer, text, title=title).to_bytes()]
    return made


def announce_only(server, method: str, path: str, length: int, headers: dict | None = None
                  ) -> tuple[int, dict, bytes]:
    """(status, headers, body) of a request that announces a body of `length` bytes and sends none of it.

    A server answers an oversized body (413) from its announced length and closes the connection: a client
    still writing the body then races that close and may fail with a broken pipe. Sending no body asks the
    same question without the race.
    """
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, path)
        for name, value in {**(headers or {}), "Content-Length": str(length)}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def flip_byte_in_file(path: Path, needle: bytes, at: int = 0, mask: int = 0x01) -> int:
    """XOR one byte of the only place `needle` occurs in the file at `path` (byte `at` of it); its offset.

    What damage on disk does to one row: the file keeps its size and SQLite its structure. A store must be
    closed first, so that its write-ahead log is folded into the file.
    """
    data = bytearray(path.read_bytes())
    assert data.count(needle) == 1, f"{needle!r} occurs {data.count(needle)} times in {path}"
    offset = data.index(needle) + at
    data[offset] ^= mask
    path.write_bytes(bytes(data))
    return offset


def fetch(server, path: str, method: str = "GET", data: bytes | None = None,
          headers: dict | None = None) -> tuple[int, str]:
    """(status, body text) of one request to a `RunningServer`, error statuses included."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(server.url + path, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def flip_inside_article(store_path: Path, article_id: str) -> str:
    """Change the second byte of a character in the article's body, where only its row holds that text: the
    row's bytes are no longer UTF-8, as a sector gone bad leaves them. Returns the article's source file."""
    import sqlite3

    conn = sqlite3.connect(store_path)
    body, source = conn.execute("SELECT body, source FROM articles WHERE id = ?", (article_id,)).fetchone()
    conn.close()
    data = store_path.read_bytes()
    for start in range(len(body) - 8, 0, -1):  # from the end: summaries kept beside it repeat the beginning
        needle = body[start:start + 8].encode("utf-8")
        if len(needle) == 24 and data.count(needle) == 1:
            flip_byte_in_file(store_path, needle, at=1, mask=0x40)
            return source
    raise AssertionError(f"no stretch of {article_id}'s body is found once in {store_path}")


# The process `jiansuo serve` forks to read people, places and organisations (`/proc/PID/comm`).
NAMES_PROCESS = "jiansuo-names"


def server_children(pid: int) -> tuple[list[int], list[int]]:
    """(worker pids, names-pass pids) among a `jiansuo serve` process's children."""
    workers, names = [], []
    for child in (int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()):
        try:
            comm = Path(f"/proc/{child}/comm").read_text().strip()
        except OSError:  # ended meanwhile
            continue
        (names if comm == NAMES_PROCESS else workers).append(child)
    return workers, names
