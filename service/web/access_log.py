"""One log line per request, written when the response has been sent."""

from __future__ import annotations

import logging
import re
import time

log = logging.getLogger("jiansuo.access")

# C0 and C1 control characters (CR and LF among them), DEL, the Unicode line and paragraph separators, and the
# backslash that starts an escape: a request cannot end a log line early or make one that looks like another.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029]")


def _escape_one(match: re.Match) -> str:
    char = match.group()
    return "\\\\" if char == "\\" else f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def loggable(text: str) -> str:
    """`text` with every character that could break or forge a log line written as an escape."""
    return _UNSAFE.sub(_escape_one, text)


def _wsgi_text(value: str) -> str:
    # WSGI hands over the request's bytes as latin-1 characters: read them as the UTF-8 they usually are.
    return value.encode("latin-1", "replace").decode("utf-8", "backslashreplace")


def answered(app, environ, start_response, finished):
    """`app`'s answer passed through; once it is sent (or the client went away), `finished(status code or None,
    seconds)`."""
    started = time.perf_counter()
    status = {}

    def recording_start_response(line, headers, exc_info=None):
        status["code"] = line.split(" ", 1)[0]
        return start_response(line, headers, exc_info)

    body = app(environ, recording_start_response)
    try:
        yield from body
    finally:
        if hasattr(body, "close"):
            body.close()
        finished(status.get("code"), time.perf_counter() - started)


class AccessLog:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def write(code, seconds):
            path = _wsgi_text(environ.get("PATH_INFO", ""))
            if environ.get("QUERY_STRING"):
                path += "?" + _wsgi_text(environ["QUERY_STRING"])
            log.info("%s %s %s %s %.1fms", loggable(environ.get("REMOTE_ADDR", "-")),
                     loggable(environ.get("REQUEST_METHOD", "-")), loggable(path), code or "-", seconds * 1000)

        return answered(self.app, environ, start_response, write)
