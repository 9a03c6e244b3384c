"""Serving the app in production: gunicorn, several worker processes, each with threads.

Searching is CPU work in Python (segmentation, scoring, summaries), so one process's threads take turns on one
core; worker processes use them all. Each worker opens its own article store connection and index after the
fork (SQLite connections must not cross a fork); the analyzer, whose dictionary takes the longest to load, is
loaded once before the fork and shared.
"""

from __future__ import annotations

import json
from typing import Callable

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

# The `error.code` of each status gunicorn answers by itself, before the app sees the request.
_PROTOCOL_ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
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


class Server(BaseApplication):
    """gunicorn's arbiter over an app made anew in every worker by `make_app`."""

    def __init__(self, make_app: Callable[[], object], *, host: str, port: int, workers: int, threads: int):
        self.make_app = make_app
        self.options = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "service.web.server.JsonErrorWorker",
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
