"""`jiansuo serve`: gunicorn with worker processes, started and stopped as a real process."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import PROJECT, RunningServer

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc")


def children(pid, expected=2):
    """The server's worker processes, once `expected` of them have started (gunicorn forks them one by one)."""
    deadline = time.monotonic() + 20
    while True:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_serve_runs_the_asked_number_of_worker_processes(live_server):
    workers = children(live_server.process.pid)
    assert len(workers) == 2
    for _ in range(6):  # every worker answers, whichever takes the connection
        with urllib.request.urlopen(live_server.url + "/healthz", timeout=10) as response:
            assert response.status == 200


def test_stopping_the_server_stops_its_workers(live_archive, tmp_path):
    server = RunningServer(live_archive, tmp_path / "serve.log", workers=2)
    # The server is up once one worker answers; gunicorn may still be starting the other.
    deadline = time.monotonic() + 20
    while len(children(server.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = children(server.process.pid)
    assert len(workers) == 2
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=20) == 0
    server.stop()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "(2 worker processes, 2 threads each)" in log and "Traceback" not in log


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_refuses_a_bad_number_of_workers(live_archive, workers):
    run = subprocess.run([sys.executable, "-m", "service", "--index", str(live_archive), "serve", "--workers", workers],
                         cwd=PROJECT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 2 and "--workers" in run.stderr and "at least 1" in run.stderr
