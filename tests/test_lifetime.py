"""Child processes end when their parent is killed: an ingest's analysis workers, the server's workers
(tests/web/test_serve.py)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.lifetime import die_with_parent

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, PROJECT

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for task in Path(f"/proc/{pid}/task").iterdir()
                for p in (task / "children").read_text().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def all_gone(pids, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not any(running(p) for p in pids)


def many_articles(path: Path, count: int) -> Path:
    """`count` articles made of the fixture collections' texts, each a little different."""
    import json
    import random

    from helpers import read_jsonl

    texts = [r["text"] for r in read_jsonl(CMRC_SAMPLE) + read_jsonl(DRCD_SAMPLE)]
    rng = random.Random(5)
    with open(path, "w", encoding="utf-8") as out:
        for number in range(count):
            body = "".join(rng.sample(texts, 3))
            out.write(json.dumps({"id": f"m{number}", "title": body[:12], "body": body}, ensure_ascii=False) + "\n")
    return path


def files_under(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.timeout(300)
def test_an_ingest_killed_while_its_workers_analyse_leaves_no_worker_working(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[ingest]\nworkers = 2\nparallel_from = 1\n", encoding="utf-8")
    data = tmp_path / "data"
    ingest = subprocess.Popen([sys.executable, "-m", "service", "--config", str(config), "--index", str(data),
                               "ingest", str(many_articles(tmp_path / "many.jsonl", 1500))],
                              cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 180
        # Kill it once the pool has written its first analysed batch: the workers are on the next ones.
        while ingest.poll() is None and time.monotonic() < deadline:
            workers = children(ingest.pid)
            if any("runs" in f for f in files_under(data)):
                break
            time.sleep(0.05)
        assert ingest.poll() is None and len(workers) >= 2, "the ingest ended before its pool had work"
        ingest.kill()
        ingest.wait(timeout=30)
        written = files_under(data)
        assert all_gone(workers, seconds=60)
        # Nothing was written after the kill: the workers stopped instead of finishing their batches.
        assert files_under(data) == written
    finally:
        ingest.kill()
        ingest.wait(timeout=30)
        for pid in workers:  # only if an assertion failed: never leave them running
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def test_a_child_whose_parent_is_already_gone_ends_at_once():
    script = ("import os, sys, time\nfrom service.lifetime import die_with_parent\n"
              "die_with_parent(int(sys.argv[1]))\ntime.sleep(30)\n")
    run = subprocess.run([sys.executable, "-c", script, "1"], cwd=PROJECT, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert run.returncode == -signal.SIGTERM


def test_asking_for_the_signal_works_on_linux():
    if sys.platform.startswith("linux"):
        assert die_with_parent(os.getppid(), 0) is True
