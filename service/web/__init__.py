"""The web adapter: an application factory over one Engine."""

from __future__ import annotations

import io
import sqlite3
import urllib.parse

from flask import Flask, Request, jsonify, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from .. import config as config_module
from ..engine import Engine
from ..errors import JiansuoError, QueryError, Replaced
from ..store import sqlite_failure
from .defences import ServerState, install
from .metrics import RecordRequests, metrics_response

# The endpoints whose work grows with the archive or the text sent: each runs within server.request_budget_ms.
# An export is left out: it streams for as long as its hits take (a heavy request instead, `defences.py`).
BUDGETED_ENDPOINTS = ("api.search", "api.summarize", "api.related", "api.article", "pages.search",
                      "pages.article", "api.dates", "api.pages", "api.page")
# The browse pages read a calendar's or a day's rows, as their JSON counterparts do.
BUDGETED_ENDPOINTS += ("pages.browse", "pages.browse_when", "pages.browse_page")


def mark(text: str | None, spans: list | None, partial: list | None = None) -> Markup:
    """Escape `text` and wrap each span in <mark>, and each `partial` span (a word matched only through some of
    its characters) in <mark class="part">; the markup never comes from the text itself."""
    if not text:
        return Markup("")
    tagged = sorted([(start, end, Markup("<mark>")) for start, end in spans or ()]
                    + [(start, end, Markup('<mark class="part">')) for start, end in partial or ()])
    out, last = [], 0
    for start, end, tag in tagged:
        if start < last:  # the two kinds never overlap; should they, the first one drawn stands
            continue
        out.append(escape(text[last:start]))
        out.append(tag + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


# Scripts and styles only from this server's /static; the bar chart's heights are its only inline styles.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _http_error_body(error: HTTPException) -> tuple[str, str]:
    """A stable code and a message that says what to do, for the errors Werkzeug raises itself."""
    limit = request.max_content_length
    if error.code == 413:
        setting = "server.max_upload_bytes" if request.path == "/api/ingest" else "server.max_body_bytes"
        return "body_too_large", f"the request body is larger than the limit of {limit} bytes ({setting})"
    if error.code == 404:
        return "not_found", f"nothing at {request.path}"
    if error.code == 405:
        allowed = ", ".join(sorted(m for m in (error.valid_methods or ()) if m not in ("HEAD", "OPTIONS")))
        return "method_not_allowed", f"{request.method} is not allowed on {request.path}; use {allowed}"
    code = (error.name or "error").lower().replace(" ", "_")
    return code, error.description or error.name


class BoundedRequest(Request):
    """Uploaded files are kept in memory (bounded by server.max_upload_bytes), never spooled to a temporary
    file outside the data directory."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


def create_app(config: config_module.Config | None = None, *, engine: Engine | None = None,
               state: ServerState | None = None) -> Flask:
    """The app over `engine`; `state` is the memory its server's worker processes share (counters, rate
    limits), made before they fork (`jiansuo serve`); without it, this process's own."""
    app = Flask(__name__)
    app.request_class = BoundedRequest
    engine = engine or Engine(config or config_module.load())
    engine.merge_in_background = True  # an ingest's answer does not wait for the merges it brings about
    state = state or ServerState(engine.config)
    app.config["MAX_CONTENT_LENGTH"] = engine.config.server_max_body_bytes
    # The same key order as the CLI's JSON, and Chinese readable as itself.
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["jiansuo"] = engine
    app.extensions["jiansuo.state"] = state
    app.jinja_env.filters["mark"] = mark

    from .api import api
    from .pages import error_page, pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.add_url_rule("/metrics", "metrics", lambda: metrics_response(state, engine))
    for endpoint in BUDGETED_ENDPOINTS:
        app.view_functions[endpoint] = state.watchdog.bounded(app.view_functions[endpoint])
    install(app, state)
    app.wsgi_app = RecordRequests(app.wsgi_app, state)

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.before_request
    def refuse_undecodable_parameters():
        # A percent-escape that is no UTF-8 (`%ED%A0%80`, `%FF`) is left in the value as it was sent, and would be
        # searched as the text `ed% a0% 80`: refuse it, naming the parameter.
        raw = request.environ.get("QUERY_STRING", "")
        if "%" not in raw and raw.isascii():
            return
        for pair in raw.split("&"):
            name, _, value = pair.partition("=")
            try:
                urllib.parse.unquote_to_bytes(value.replace("+", " ").encode("latin-1")).decode("utf-8")
            except UnicodeError:
                shown = urllib.parse.unquote(name.encode("latin-1", "replace").decode("utf-8", "replace"))
                raise QueryError(f"parameter {shown!r} is not UTF-8 once its percent-escapes are decoded "
                                 f"({value[:40]!r}); send the text UTF-8 encoded", code="bad_encoding") from None


    @app.errorhandler(JiansuoError)
    def jiansuo_error(error: JiansuoError):
        status = error.http_status
        moved_to = None
        if isinstance(error, Replaced):
            # A link or citation to an article a corrected page replaced leads to the article correcting it.
            args = request.view_args or {}
            if request.method in ("GET", "HEAD") and request.endpoint and "article_id" in args:
                moved_to = url_for(request.endpoint, **{**args, "article_id": error.new_id},
                                   **request.args.to_dict(flat=False))
            else:
                status = 404
        if wants_json():
            response = app.make_response((jsonify(error.to_dict()), status))
        else:
            response = app.make_response(error_page(status, error.code, error.message))
        if moved_to is not None:
            response.headers["Location"] = moved_to
        if error.http_status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="jiansuo"'
        if getattr(error, "retry_after", None) is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        if error.code == "over_budget":
            state.reject("over_budget")
        return response

    @app.errorhandler(sqlite3.DatabaseError)
    def store_unreadable(error: sqlite3.DatabaseError):
        # The store reads articles through their checksums; any other read SQLite fails on (the extras beside
        # them, a damaged page) is still the store's damage or busyness, not an internal error.
        app.logger.warning("article store read failed on %s: %s", request.path, error)
        return jiansuo_error(sqlite_failure(error, engine.store.path))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = _http_error_body(error)
        if wants_json():
            response = jsonify({"error": {"code": code, "message": message}})
        else:
            response = error_page(error.code, code)
        response = app.make_response(response)
        response.status_code = error.code
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        message = "internal error; the server log has the details"
        if wants_json():
            return jsonify({"error": {"code": "internal", "message": message}}), 500
        return error_page(500, "internal")

    return app
