"""One log line per request, written when the response has been sent."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("jiansuo.access")


class AccessLog:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status_holder = {}

        def recording_start_response(status, headers, exc_info=None):
            status_holder["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
            path = environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                path += "?" + environ["QUERY_STRING"]
            log.info("%s %s %s %s %.1fms", environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD"), path,
                     status_holder.get("status", "-"), (time.perf_counter() - started) * 1000)
