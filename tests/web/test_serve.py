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


def raw_exchange(server, request: bytes) -> tuple[int, dict, bytes]:
    """Send `request` as it is, read the answer to the end: (status, headers, body)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"NONSENSE\r\n\r\n", 400, "bad_request"),
    (b"GET /api/search?q=x HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
    (b"GET /api/search?q=" + b"%E4%B8%AD" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request_line_too_long"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431, "request_headers_too_large"),
])
def test_requests_gunicorn_cannot_parse_get_the_json_error_shape(live_server, request_bytes, status, code):
    import json

    got_status, headers, body = raw_exchange(live_server, request_bytes)
    assert got_status == status
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert error["message"]
    # The worker that refused it goes on answering.
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=10) as response:
        assert response.status == 200
