"""`jiansuo serve`: gunicorn with worker processes, started and stopped as a real process."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import PROJECT, RunningServer, free_port, server_children

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc")


def children(pid, expected=2):
    """The server's worker processes, once `expected` of them have started (gunicorn forks them one by one)."""
    deadline = time.monotonic() + 20
    while True:
        found = server_children(pid)[0]  # the names pass is no worker
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
    names = server_children(server.process.pid)[1]  # the background reading of names (docs/entities.md)
    assert len(names) == 1
    workers += names
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


# --- defences of a real server against slow and hostile clients -------------------------------------------

def server_with(live_archive, tmp_path, settings: str, **kwargs):
    config = tmp_path / "config.toml"
    config.write_text("[server]\n" + settings, encoding="utf-8")
    return RunningServer(live_archive, tmp_path / "serve.log", env={"JIANSUO_CONFIG": str(config)}, **kwargs)


def get_json(url: str, source: str = "127.0.0.1", timeout: float = 60) -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of a GET, sent from the loopback address `source`."""
    import http.client
    import json
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        response = connection.getresponse()
        return response.status, dict(response.headers), json.loads(response.read())
    finally:
        connection.close()


def slow_header_connections(server, count: int) -> list:
    """`count` connections that have sent the start of a request's headers and then nothing."""
    import socket

    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        sockets.append(sock)
    return sockets


def still_open(sock) -> bool:
    """Whether the server has neither answered nor closed `sock` (nothing to read yet)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, 0x02) == b"X"  # MSG_PEEK; b"" would be a close
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


@pytest.mark.timeout(300)
def test_fifty_slow_header_connections_do_not_stop_other_requests(live_archive, tmp_path):
    server = server_with(live_archive, tmp_path, "header_timeout = 120\n", workers=2)
    slow = slow_header_connections(server, 50)
    try:
        answered = []
        for number in range(30):
            status, _, body = get_json(f"{server.url}/api/search?q=%E5%8C%BB%E4%BF%9D&k={1 + number % 5}")
            answered.append(status == 200 and body["results"])
        assert all(answered) and len(answered) == 30
        # The attack was on all along: the slow connections are neither answered nor closed.
        assert all(still_open(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()
        server.stop()


def test_a_request_whose_headers_do_not_arrive_in_time_is_answered_408(live_archive, tmp_path):
    import json
    import socket

    server = server_with(live_archive, tmp_path, "header_timeout = 1\nbody_timeout = 1\n")
    try:
        head_only, = slow_header_connections(server, 1)
        body_missing = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        body_missing.sendall(b"POST /api/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 100\r\n\r\n{\"text\":")
        for sock, setting in ((head_only, "server.header_timeout"), (body_missing, "server.body_timeout")):
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 ")
            error = json.loads(body)["error"]
            assert error["code"] == "request_timeout" and setting in error["message"]
            sock.close()
    finally:
        server.stop()


def flood(url: str, make_request, connections: int, per_connection: int, source: str = "127.0.0.1") -> list[int]:
    """Statuses of `connections` threads each sending `per_connection` requests made by `make_request`."""
    import http.client
    import threading
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    statuses: list[int] = []

    def connect():
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120, source_address=(source, 0))

    def client():
        connection = connect()
        for _ in range(per_connection):
            method, path, body, headers = make_request()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # The server may close a kept-alive connection after refusing a request whose long body it did
                # not read: the request was never answered, and is sent again on a new connection.
                connection.close()
                connection = connect()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    return threads, statuses


def others_answered(server, count: int, path: str = "/api/search?q=%E5%8C%BB%E4%BF%9D") -> list[bool]:
    return [get_json(server.url + path)[0] == 200 for _ in range(count)]


LONG_TEXT = "冠县农村危房改造进展顺利，今年完成改造任务1000户。本年度补助资金共计585.22万元。" * 2000


def summarize_request():
    import json

    return "POST", "/api/summarize", json.dumps({"text": LONG_TEXT}).encode("utf-8"), \
        {"Content-Type": "application/json"}


def summarize_flood_beside_others(server, others: str = "/api/search?q=%E5%8C%BB%E4%BF%9D") -> list[int]:
    """The statuses of 20 summaries sent over 4 connections without pause, once 20 other requests (searches)
    sent meanwhile have all been answered."""
    threads, statuses = flood(server.url, summarize_request, connections=4, per_connection=5)
    answered = others_answered(server, 20, others)
    for thread in threads:
        thread.join(timeout=240)
    assert all(answered)
    assert len(statuses) == 20
    return statuses


@pytest.mark.timeout(300)
def test_a_summarize_flood_is_cut_by_the_time_budget_and_others_are_answered(live_archive, tmp_path):
    # Every flooding request may run (server.heavy_at_once), so only the budget stops them.
    server = server_with(live_archive, tmp_path, "request_budget_ms = 30\nheavy_at_once = 8\n", workers=2)
    try:
        # The others ask for what no budget covers: a budget this short could cut a search on a loaded machine too.
        statuses = summarize_flood_beside_others(server, others="/api/stats")
        assert 503 in statuses and set(statuses) <= {200, 503}
        status, headers, body = get_json(server.url + "/api/search?q=x")  # the server is itself again
        assert status == 200
    finally:
        server.stop()
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in log


@pytest.mark.timeout(300)
def test_heavy_requests_beyond_what_a_worker_runs_at_once_are_refused_and_others_are_answered(live_archive, tmp_path):
    # Default settings, the flood from the others' own address: nothing but the heavy lane tells them apart.
    import json
    import urllib.request

    server = RunningServer(live_archive, tmp_path / "serve.log", workers=2)
    try:
        statuses = summarize_flood_beside_others(server)
        assert 200 in statuses and 503 in statuses and set(statuses) <= {200, 503}
        request = urllib.request.Request(server.url + "/api/search?q=%E5%8C%BB%E4%BF%9D&explain=1")
        with urllib.request.urlopen(request, timeout=60) as response:  # one heavy request alone still runs
            assert response.status == 200 and json.loads(response.read())["results"]
        with urllib.request.urlopen(server.url + "/metrics", timeout=60) as response:
            assert 'jiansuo_rejected_total{reason="busy"}' in response.read().decode("utf-8")
    finally:
        server.stop()


@pytest.mark.timeout(300)
def test_a_flood_from_one_address_is_rate_limited_and_others_are_answered(live_archive, tmp_path):
    # No time budget: on a loaded machine a summary may take past it, and this is about the rate limit alone.
    server = server_with(live_archive, tmp_path, "rate_limit_loopback = true\nrate_limit_per_second = 2.0\n"
                                                 "rate_limit_burst = 8.0\nheavy_at_once = 8\nrequest_budget_ms = 0\n",
                         workers=2)
    try:
        threads, statuses = flood(server.url, summarize_request, connections=4, per_connection=6, source="127.0.0.2")
        for thread in threads:
            thread.join(timeout=240)
        answered = others_answered(server, 4)
        assert all(answered)
        assert len(statuses) == 24 and 429 in statuses and set(statuses) <= {200, 429}
        status, headers, body = get_json(server.url + "/api/search?q=x", source="127.0.0.2")
        assert status == 429 and body["error"]["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1
    finally:
        server.stop()


def worker_pids(server, expected: int = 2) -> list[int]:
    deadline = time.monotonic() + 30
    while len(children(server.process.pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return children(server.process.pid)


def gone(pids, seconds: float = 60) -> bool:
    """Whether every process of `pids` has ended (or is a zombie) within `seconds`."""
    def alive(pid):
        try:
            return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False

    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not any(alive(p) for p in pids)


@pytest.mark.timeout(300)
def test_workers_end_when_the_server_is_killed_even_with_slow_clients_connected(live_archive, tmp_path):
    server = RunningServer(live_archive, tmp_path / "serve.log", workers=2)
    workers = worker_pids(server)
    assert len(workers) == 2
    names = server_children(server.process.pid)[1]  # the background reading of names dies with it too
    assert len(names) == 1
    slow = slow_header_connections(server, 6)
    try:
        server.process.kill()
        server.process.wait(timeout=20)
        assert gone(workers + names, seconds=60)
    finally:
        for sock in slow:
            sock.close()
        for pid in workers:  # only if the assertion failed: never leave them running
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        server.stop()


@pytest.mark.parametrize("body, headers", [
    (b"[" * 100000 + b"]" * 100000, b"Content-Type: application/json\r\n"),
    (b'{"text": "abc", "sentences": ' + b"9" * 5000 + b"}", b"Content-Type: application/json\r\n"),
    (None, b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"),
], ids=["deeply-nested-json", "integer-of-5000-digits", "bad-chunk-size"])
def test_malformed_bodies_are_400_in_the_json_error_shape(live_server, body, headers):
    import json

    if body is None:
        payload = b"zz\r\n{}\r\n0\r\n\r\n"
    else:
        payload = body
        headers += b"Content-Length: %d\r\n" % len(body)
    status, answer_headers, answer = raw_exchange(
        live_server, b"POST /api/summarize HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n" + payload)
    assert status == 400
    assert answer_headers["content-type"].startswith("application/json")
    assert json.loads(answer)["error"]["code"] in ("bad_json", "bad_request", "bad_body")


def test_serve_refuses_a_short_admin_token(live_archive):
    run = subprocess.run([sys.executable, "-m", "service", "--index", str(live_archive), "serve", "--port",
                          str(free_port())], cwd=PROJECT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8", "JIANSUO_ADMIN_TOKEN": "x"})
    assert run.returncode == 5
    assert "admin token" in run.stderr and "at least 16" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("::1", False), ("localhost", False),
                                          ("0.0.0.0", True), ("192.0.2.7", True), ("::", True)])
def test_serving_on_an_address_other_machines_reach_warns_to_put_tls_in_front(host, warned):
    from service.web.server import serving_warnings

    warnings = serving_warnings(host)
    assert bool(warnings) == warned
    assert all("TLS" in w and host in w for w in warnings)
