"""The examples the README and the docs show, run against the embedded corpus: what they print is what the
commands print now (timings and generation names aside). An example whose scores or fields went stale after
a ranking or API change fails here, naming the document and the command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import PROJECT
from service.testing import RunningServer

# (document, the command as the example writes it): each is run against an archive of corpus/.
CLI_EXAMPLES = [
    ("README.md", "jiansuo search 灵芝 -k 2"),
    ("docs/cli.md", "jiansuo search 农业 灵芝 --explain -k 1"),
    ("docs/cli.md", "jiansuo search --batch queries.jsonl -k 100 --trec run.txt && head -3 run.txt"),
]
API_EXAMPLES = [
    ("README.md", "curl -s -G --data-urlencode 'q=医保' -d k=1 http://127.0.0.1:5000/api/search"),
    ("docs/api.md", "curl -s -G --data-urlencode 'q=扶贫' --data-urlencode 'section=城事' -d k=1 -d script=traditional "
                    "-d date_from=2018-02 http://127.0.0.1:5000/api/search"),
    ("docs/api.md", "curl -s 'http://127.0.0.1:5000/api/articles/pb3c625c95d19e72e-07/related?k=1'"),
]
_TIMING = re.compile(r"\(\d+(?:\.\d+)? ms\)")
_VARYING = ("took_ms", "index_generation")


def shown(document: str, command: str) -> list[str]:
    """The lines a ```console block of `document` shows under `$ command`, up to the next command or the end."""
    lines = (PROJECT / document).read_text(encoding="utf-8").splitlines()
    for at, line in enumerate(lines):
        if line == f"$ {command}":
            out = []
            for later in lines[at + 1:]:
                if later.startswith("$ ") or later.startswith("```"):
                    return out
                out.append(later)
    raise AssertionError(f"{document} has no example `$ {command}`")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("examples") / "data"
    subprocess.run([sys.executable, "-m", "service", "--index", str(data_dir), "ingest", "corpus/"], cwd=PROJECT,
                   check=True, capture_output=True, timeout=300)
    return data_dir


def _cli(data_dir: Path, command: str, cwd: Path) -> list[str]:
    words = command.split(" && ")[0].split()
    assert words[0] == "jiansuo"
    done = subprocess.run([sys.executable, "-m", "service", "--index", str(data_dir), *words[1:]], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)})
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    if "--trec" in words:  # the example shows stderr's last line, then the run file's first three
        out = done.stderr.splitlines()[-1:] + (cwd / words[words.index("--trec") + 1]).read_text().splitlines()[:3]
    return out


@pytest.mark.parametrize("document, command", CLI_EXAMPLES)
def test_a_command_line_example_prints_what_the_command_prints(archive, tmp_path, document, command):
    (tmp_path / "queries.jsonl").write_text('{"id": "q1", "text": "医保"}\n{"id": "q2", "text": "扶贫资金"}\n',
                                            encoding="utf-8")
    got = [_TIMING.sub("(N ms)", line) for line in _cli(archive, command, tmp_path)]
    want = [_TIMING.sub("(N ms)", line) for line in shown(document, command)]
    assert got == want, f"{document}: `{command}`"


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    running = RunningServer(archive, tmp_path_factory.mktemp("examples-log") / "serve.log")
    yield running
    running.stop()


def _url(command: str, base: str) -> str:
    """The URL curl would ask for: its -d and --data-urlencode pairs joined on as a query string (-G)."""
    words = re.findall(r"'[^']*'|\S+", command)
    words = [w.strip("'") for w in words]
    url = next(w for w in words if w.startswith("http://127.0.0.1:5000"))
    pairs = [tuple(words[i + 1].split("=", 1)) for i, w in enumerate(words) if w in ("-d", "--data-urlencode")]
    if pairs:
        url += "?" + urllib.parse.urlencode(pairs)
    return url.replace("http://127.0.0.1:5000", base)


def _steady(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key not in _VARYING}


@pytest.mark.parametrize("document, command", API_EXAMPLES)
def test_an_api_example_shows_what_the_server_answers(server, document, command):
    (want_line,) = shown(document, command)
    with urllib.request.urlopen(_url(command, server.url), timeout=60) as response:
        got = json.loads(response.read())
    assert _steady(got) == _steady(json.loads(want_line)), f"{document}: `{command}`"
