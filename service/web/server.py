"""Serving the app in production: gunicorn, several worker processes, each with threads.

Searching is CPU work in Python (segmentation, scoring, summaries), so one process's threads take turns on one
core; worker processes use them all. Each worker opens its own article store connection and index after the
fork (SQLite connections must not cross a fork); the analyzer, whose dictionary takes the longest to load, is
loaded once before the fork and shared.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import selectors
import socket
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

from ..config import Config
from ..errors import ConfigError
from ..lifetime import die_with_parent
from .defences import ServerState
from .framing import scan

# An admin token shorter than this can be guessed: `jiansuo serve` refuses to start with one.
MIN_ADMIN_TOKEN_CHARS = 16

# The `error.code` of each status gunicorn answers by itself, before the app sees the request.
_PROTOCOL_ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    408: "request_timeout",
    413: "body_too_large",
    414: "request_line_too_long",
    417: "expectation_failed",
    431: "request_headers_too_large",
    500: "internal",
    501: "not_implemented",
}


def write_json_error(sock, status: int, reason: str, message: str) -> None:
    """gunicorn's answer to a request it cannot parse, in the app's JSON error shape instead of HTML."""
    body = json.dumps({"error": {"code": _PROTOCOL_ERROR_CODES.get(status, "bad_request"),
                                 "message": message or reason}}).encode("ascii")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode("latin-1")
    gunicorn_util.write_nonblock(sock, head + body)


class JsonErrorWorker(ThreadWorker):
    """gunicorn's threaded worker, answering malformed requests (a garbled request line, an over-long header)
    with the same JSON error body as the app's own errors."""

    def init_process(self) -> None:
        # gunicorn writes those answers through `util.write_error` and offers no hook for their body. This
        # process only ever serves this app, so its copy of gunicorn answers in JSON.
        gunicorn_util.write_error = write_json_error
        super().init_process()


class TimedSocket(socket.socket):
    """A client socket on which "blocking" means blocking for at most `timeout_seconds` (server.send_timeout).

    gunicorn switches a connection to blocking to read a request and write its answer: a client that stops
    reading its answer would otherwise hold a request thread, and the process at its exit, forever.
    """

    timeout_seconds = 30.0

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(self.timeout_seconds)
        else:
            super().setblocking(False)


class BufferedConnection(TConn):
    """A connection whose request is read by the worker's event loop into `inbox` before a thread takes it."""

    def __init__(self, cfg, sock, client, server):
        super().__init__(cfg, sock, client, server)
        self.inbox = bytearray()
        self.deadline = 0.0
        self.head_read = False
        self.complete = False

    def close(self, graceful: bool = False) -> None:
        # gunicorn's graceful close lingers up to two seconds in the event loop for the client to close first;
        # a client that never does would stall every other connection of the worker meanwhile.
        if graceful:
            try:
                self.sock.shutdown(socket.SHUT_WR)
                self.sock.setblocking(False)
                for _ in range(16):
                    if not self.sock.recv(65536):
                        break
            except OSError:
                pass
        gunicorn_util.close(self.sock)


@dataclass(frozen=True)
class ReadLimits:
    header_timeout: float
    body_timeout: float
    send_timeout: float
    max_body_bytes: int
    max_upload_bytes: int

    @classmethod
    def of(cls, config: Config) -> "ReadLimits":
        return cls(config.server_header_timeout, config.server_body_timeout, config.server_send_timeout,
                   config.server_max_body_bytes, config.server_max_upload_bytes)

    def body_limit(self, path: str) -> tuple[int, str]:
        if path == "/api/ingest":
            return self.max_upload_bytes, "server.max_upload_bytes"
        return self.max_body_bytes, "server.max_body_bytes"


class BufferedWorker(JsonErrorWorker):
    """gunicorn's threaded worker, but a request thread is given a connection only once its whole request has
    arrived: the event loop reads each request (line, headers, body) without blocking, within
    server.header_timeout and server.body_timeout (408 past them). However slowly clients send, the request
    threads stay free for requests that are ready.

    The worker also ends when the arbiter dies (SIGTERM from the kernel on Linux; gunicorn's own parent check
    every second elsewhere).
    """

    def init_process(self) -> None:
        die_with_parent(self.ppid)
        self.limits: ReadLimits = self.app.limits
        self.state: ServerState = self.app.state
        TimedSocket.timeout_seconds = self.limits.send_timeout
        self.reading: set[BufferedConnection] = set()
        logging.getLogger("gunicorn.error").addFilter(_quiet_timeouts)
        super().init_process()

    def accept(self, listener) -> None:
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        sock = TimedSocket(client.family, client.type, client.proto, fileno=client.detach())
        self.start_reading(BufferedConnection(self.cfg, sock, address, listener.getsockname()))

    def enqueue_req(self, conn) -> None:
        if conn.complete:
            conn.complete = False
            conn.data_ready = True  # no thread waits for data: it is all here
            super().enqueue_req(conn)
        else:
            self.start_reading(conn)

    def start_reading(self, conn: BufferedConnection) -> None:
        # What gunicorn's parser read past the last request is the start of the next one.
        conn.inbox = bytearray(conn.parser.unreader.take_buffered() if conn.parser is not None else b"")
        conn.sock.setblocking(False)
        conn.deadline = time.monotonic() + self.limits.header_timeout
        conn.head_read = False
        self.reading.add(conn)
        if not (conn.inbox and self.advance(conn)):
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_readable, conn))

    def stop_reading(self, conn: BufferedConnection) -> None:
        self.reading.discard(conn)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def on_readable(self, conn: BufferedConnection, _sock) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self.stop_reading(conn)
            self.nr_conns -= 1
            conn.close()
            return
        conn.inbox += data
        self.advance(conn)

    def advance(self, conn: BufferedConnection) -> bool:
        """Hand the connection on if its request is complete or must be refused; whether it was."""
        framing = scan(conn.inbox, lambda path: self.limits.body_limit(path)[0])
        if framing.state == "head":
            return False
        if framing.state == "body":
            if not conn.head_read:
                conn.head_read = True
                conn.deadline = time.monotonic() + self.limits.body_timeout
                if framing.expects_continue:
                    try:
                        conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                    except OSError:
                        pass
            return False
        self.stop_reading(conn)
        if framing.state == "refuse":
            message = framing.message
            if framing.status == 413:
                message += f" ({self.limits.body_limit(framing.path)[1]})"
            self.refuse(conn, framing.status, message, "body_too_large" if framing.status == 413 else "bad_framing")
        else:
            conn.complete = True
            self.enqueue_req(conn)
        return True

    def refuse(self, conn: BufferedConnection, status: int, message: str, reason: str) -> None:
        self.state.reject(reason)
        reasons = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large",
                   431: "Request Header Fields Too Large"}
        try:
            write_json_error(conn.sock, status, reasons.get(status, "Bad Request"), message)
        except OSError:
            pass
        self.nr_conns -= 1
        conn.close()

    def handle(self, conn):
        if not conn.initialized:
            conn.init()
        conn.parser.unreader.unread(bytes(conn.inbox))
        conn.inbox = bytearray()
        return super().handle(conn)

    def _keepalive_after(self, conn, keepalive):
        # The whole request is in memory: a body the app did not read (a request refused before it) is skipped
        # without waiting on the client, whatever its size, and the connection stays open.
        if not keepalive:
            return False
        return bool(conn.parser.finish_body(deadline=time.monotonic() + self.limits.send_timeout,
                                            max_bytes=max(self.limits.max_body_bytes, self.limits.max_upload_bytes) + 1))

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.reading if c.deadline <= now]:
            self.stop_reading(conn)
            if not conn.inbox:  # an idle connection that never sent a byte: nothing to answer
                self.state.reject("idle_timeout")
                self.nr_conns -= 1
                conn.close()
            elif conn.head_read:
                self.refuse(conn, 408, f"the request body did not arrive within {self.limits.body_timeout:g} "
                                       "seconds (server.body_timeout)", "body_timeout")
            else:
                self.refuse(conn, 408, f"the request line and headers did not arrive within "
                                       f"{self.limits.header_timeout:g} seconds (server.header_timeout)",
                            "header_timeout")


def _quiet_timeouts(record: logging.LogRecord) -> bool:
    """A client that stopped reading its answer is the client's doing: one line, not a traceback."""
    if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
        record.msg, record.args, record.exc_info, record.exc_text = (
            "closed a connection whose client stopped reading its answer (server.send_timeout)", (), None, None)
    return True


def serving_warnings(host: str) -> list[str]:
    """What to say before serving on `host`: a warning when other machines can reach it."""
    try:
        reachable = not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        reachable = host != "localhost"
    if not reachable:
        return []
    return [f"warning: serving on {host}, which other machines can reach: this server speaks plain HTTP, so "
            "put a reverse proxy that terminates TLS (and buffers requests) in front of it; see "
            "docs/reliability.md"]


def check_port_free(host: str, port: int) -> None:
    """Refuse, before anything is printed or built, a port another program already listens on: gunicorn would
    retry it for five seconds and then fail with a traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot serve on {host!r}: {exc.strerror}; give an address with --host",
                          code="bad_host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: a closed socket's wait is fine
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"port {port} on {host} is in use by another program; serve on another one with "
                                  "--port (or server.port in config.toml)", code="port_in_use") from None
            raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror}", code="bad_host") from None


def check_admin_token_strength(config: Config) -> None:
    token = config.server_admin_token
    if token and len(token) < MIN_ADMIN_TOKEN_CHARS:
        raise ConfigError(f"the admin token ($JIANSUO_ADMIN_TOKEN or server.admin_token) is {len(token)} "
                          f"characters long; it must have at least {MIN_ADMIN_TOKEN_CHARS}, e.g. python -c "
                          "'import secrets; print(secrets.token_urlsafe(32))'", code="weak_admin_token")


class Server(BaseApplication):
    """gunicorn's arbiter over an app made anew in every worker by `make_app`; `state` is made here, before the
    workers fork, so that they share it."""

    def __init__(self, make_app: Callable[[], object], *, host: str, port: int, workers: int, threads: int,
                 limits: ReadLimits, state: ServerState):
        self.make_app = make_app
        self.limits, self.state = limits, state
        self.options = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "service.web.server.BufferedWorker",
            # The app writes its own access log line per request.
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            # Stopping should not keep a terminal or a test waiting; searches finish well within this.
            "graceful_timeout": 5,
            "timeout": 60,
            # Long percent-encoded Chinese queries make long request lines.
            "limit_request_line": 8190,
            "proc_name": "jiansuo",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.make_app()
