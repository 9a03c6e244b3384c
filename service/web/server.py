"""Serving the app in production: gunicorn, several worker processes, each with threads.

Searching is CPU work in Python (segmentation, scoring, summaries), so one process's threads take turns on one
core; worker processes use them all. Each worker opens its own article store connection and index after the
fork (SQLite connections must not cross a fork); the analyzer, whose dictionary takes the longest to load, is
loaded once before the fork and shared.
"""

from __future__ import annotations

from typing import Callable

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    """gunicorn's arbiter over an app made anew in every worker by `make_app`."""

    def __init__(self, make_app: Callable[[], object], *, host: str, port: int, workers: int, threads: int):
        self.make_app = make_app
        self.options = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
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
