"""`/api/...` and `/healthz`: JSON in the same shapes the CLI prints, described by `/api/openapi.json`."""

from __future__ import annotations

import hmac
import json

from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..articles import article_path, check_id
from ..errors import Forbidden, NotFound, QueryError, Unauthorized
from .budget import OverBudget
from .defences import check_admin_attempt, held_until_closed, record_wrong_token
from .openapi import document

api = Blueprint("api", __name__)

SEARCH_PARAMETERS = ("q", "k", "offset", "script", "date_from", "date_to", "section", "explain", "sort", "facets", "collapse")
# Facets counted only when asked for (`facets=terms`): the month, day and section counts always are.
ASKED_FACETS = ("terms",)
TRENDS_PARAMETERS = ("q", "by", "from", "to", "section")
EXPORT_PARAMETERS = ("q", "format", "sort", "script", "date_from", "date_to", "section", "publication")
DATES_PARAMETERS = ("from", "to")
PAGES_PARAMETERS = ("date",)
PAGE_PARAMETERS = ("script",)
ARTICLE_PARAMETERS = ("q", "script")
# entities=person,place,org (any of them; 1 or all for the three): the names most often named by the matches.
SEARCH_PARAMETERS += ("entities",)
ENTITY_PARAMETERS = ("sort", "offset", "k", "script")
SUMMARIZE_FIELDS = {"text": str, "sentences": int, "query": str, "max_chars": int, "title": str, "kind": str}


class UnsupportedBody(QueryError):
    code = "unsupported_media_type"
    http_status = 415


class TextTooLong(QueryError):
    code = "text_too_long"
    http_status = 413


def engine():
    return current_app.extensions["jiansuo"]


def known_parameters(allowed: tuple[str, ...]) -> None:
    """A misspelt parameter would otherwise be ignored silently and answer a different question."""
    for name in request.args:
        if name not in allowed:
            raise QueryError(f"unknown parameter {name!r}; {request.path} takes {', '.join(allowed)}",
                             code="unknown_parameter")


def int_param(name: str, default: int | None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"parameter {name} must be a whole number, got {raw!r}", code=f"bad_{name}") from None


def flag_param(name: str, default: str = "0") -> bool:
    raw = request.args.get(name, default)
    if raw not in ("0", "1"):
        raise QueryError(f"parameter {name} must be 0 or 1, got {raw!r}", code=f"bad_{name}")
    return raw == "1"


@api.get("/api/search")
def search():
    known_parameters(SEARCH_PARAMETERS)
    args = request.args
    results = engine().search(args.get("q", ""), k=int_param("k", None), offset=int_param("offset", 0),
                              script=args.get("script"), date_from=args.get("date_from"),
                              date_to=args.get("date_to"), section=args.get("section"), facets=True,
                              explain=flag_param("explain"), sort=args.get("sort"),
                              facet_terms="terms" in asked_facets(), collapse=flag_param("collapse", "1"),
                              entity_facets=entity_kinds(args.get("entities")))
    return jsonify({**results.to_dict(), "sort": results.sort})


def asked_facets() -> set[str]:
    """The facets named by `facets` (comma-separated, or given several times)."""
    asked = {name.strip() for raw in request.args.getlist("facets") for name in raw.split(",") if name.strip()}
    unknown = sorted(asked - set(ASKED_FACETS))
    if unknown:
        raise QueryError(f"parameter facets takes {', '.join(ASKED_FACETS)}; got {', '.join(unknown)[:80]!r}",
                         code="bad_facets")
    return asked


@api.get("/api/trends")
def trends():
    known_parameters(TRENDS_PARAMETERS)
    args = request.args
    result = engine().trends(args.getlist("q"), args.get("by"), date_from=args.get("from"), date_to=args.get("to"),
                             section=args.get("section"))
    return jsonify(result.to_dict())


def entity_kinds(raw: str | None) -> tuple[str, ...]:
    """The `entities` parameter: which of person, place and org to count (none when absent or 0)."""
    from ..mentions import KINDS, check_kind

    if raw is None or raw.strip() in ("", "0"):
        return ()
    if raw.strip().lower() in ("1", "all"):
        return tuple(KINDS)
    try:
        return tuple(dict.fromkeys(check_kind(part) for part in raw.split(",") if part.strip()))
    except QueryError:
        raise QueryError(f"parameter entities must list person, place or org (comma-separated), or be 1 for all "
                         f"three, got {raw[:40]!r}", code="bad_entities") from None


@api.get("/api/entities/<kind>/<path:name>")
def entity(kind: str, name: str):
    known_parameters(ENTITY_PARAMETERS)
    args = request.args
    view = engine().entity(kind, name, sort=args.get("sort"), offset=int_param("offset", 0),
                           k=int_param("k", None), script=args.get("script"))
    return jsonify(view.to_dict())


class _Streamed:
    """An export's chunks as UTF-8 bytes; closing it (the server does, at the end or when the client goes)
    settles what the request holds, even if not a byte was taken."""

    def __init__(self, chunks, release):
        self.chunks, self.release = chunks, release

    def __iter__(self):
        for chunk in self.chunks:
            yield chunk.encode("utf-8")

    def close(self) -> None:
        try:
            close = getattr(self.chunks, "close", None)
            if close is not None:
                close()
        finally:
            self.release()


@api.get("/api/export")
def export():
    known_parameters(EXPORT_PARAMETERS)
    args = request.args
    if not args.get("format"):
        raise QueryError("parameter format is missing: give csv, jsonl, ris or gbt7714", code="bad_format")
    # Every check (query, filters, sort, format, script) is made here, before the first byte is sent.
    result = engine().export(args.get("q", ""), args["format"], date_from=args.get("date_from"),
                             date_to=args.get("date_to"), section=args.get("section"), sort=args.get("sort"),
                             script=args.get("script"), base_url=request.url_root.rstrip("/") + article_path(""),
                             publication=args.get("publication"))
    # Not under server.request_budget_ms: a budget would cut a long download short, leaving a file that looks
    # whole. It is a heavy request instead, its slot held and its time charged until the stream is closed.
    body = _Streamed(result.chunks, held_until_closed(current_app.extensions["jiansuo.state"]))
    response = Response(body, content_type=result.media_type)
    response.headers["Content-Disposition"] = (f'attachment; filename="jiansuo-{date.today():%Y%m%d}.'
                                               f'{result.extension}"')
    response.headers["X-Total-Count"] = str(result.total)
    response.headers["X-Sort"] = result.sort
    return response


@api.get("/api/dates")
def dates():
    known_parameters(DATES_PARAMETERS)
    days = engine().dates(request.args.get("from"), request.args.get("to"))
    return jsonify({"dates": [day.to_dict() for day in days]})


@api.get("/api/pages")
def pages():
    known_parameters(PAGES_PARAMETERS)
    day = request.args.get("date")
    if not day:
        raise QueryError("parameter date is missing: give a day as YYYY-MM-DD", code="bad_date")
    return jsonify(engine().pages(day).to_dict())


@api.get("/api/pages/<day>/<path:page>")
def page(day: str, page: str):
    known_parameters(PAGE_PARAMETERS)
    return jsonify(engine().page(day, page, script=request.args.get("script")).to_dict())


@api.get("/api/articles/<path:article_id>")
def article(article_id: str):
    known_parameters(ARTICLE_PARAMETERS)
    e = engine()
    view = e.read(article_id, query=request.args.get("q"), script=request.args.get("script"))
    keywords = e.keywords(view.article.id)
    if view.script:
        keywords = [e.display.text(word, view.script) for word in keywords]
    return jsonify({**view.to_dict(), "keywords": keywords})


def read_body(read):
    """`read()` of the request body; a body the server cannot read as sent (a malformed chunked encoding, a
    connection closed early) is the client's error, 400, not the server's."""
    try:
        return read()
    except (HTTPException, OverBudget):
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the WSGI server's input stream raises for a bad body
        raise QueryError(f"the request body could not be read as sent: {exc}", code="bad_body") from None


def json_body() -> dict:
    if request.mimetype != "application/json":
        raise UnsupportedBody(f"{request.method} {request.path} takes a JSON body (Content-Type: application/json), "
                              f"got {request.mimetype or 'no Content-Type'!r}")
    raw = read_body(lambda: request.get_data(cache=False))  # over server.max_body_bytes: 413 before any read
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QueryError(f"the request body is not valid UTF-8 JSON: {exc}", code="bad_json") from None
    except RecursionError:
        raise QueryError("the request body is not usable JSON: it nests arrays or objects too deeply",
                         code="bad_json") from None
    except ValueError as exc:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise QueryError(f"the request body is not usable JSON: {exc}", code="bad_json") from None
    if not isinstance(body, dict):
        raise QueryError("the request body must be a JSON object", code="bad_json")
    return body


@api.post("/api/summarize")
def summarize():
    body = json_body()
    for name, value in body.items():
        expected = SUMMARIZE_FIELDS.get(name)
        if expected is None:
            raise QueryError(f"unknown field {name!r}; the body takes {', '.join(SUMMARIZE_FIELDS)}",
                             code="unknown_field")
        # JSON true is not a number of sentences, though Python counts bool as int.
        if value is not None and type(value) is not expected:
            kind = "text" if expected is str else "a whole number"
            raise QueryError(f"field {name} must be {kind}, got {json.dumps(value, ensure_ascii=False)[:40]}",
                             code=f"bad_{name}")
    if not (body.get("text") or "").strip():
        raise QueryError("field text is missing or empty: give the text to summarize", code="bad_text")
    limit = engine().config.server_max_summarize_chars
    if len(body["text"]) > limit:
        raise TextTooLong(f"field text is {len(body['text'])} characters long; the limit is {limit} "
                          "(server.max_summarize_chars)")
    if body.get("max_chars") is not None and body["max_chars"] < 1:
        raise QueryError(f"field max_chars must be at least 1, got {body['max_chars']}", code="bad_max_chars")
    summary = engine().summarize(body["text"], sentences=body.get("sentences"), query=body.get("query"),
                                 max_chars=body.get("max_chars"), title=body.get("title"), kind=body.get("kind"))
    return jsonify(summary.to_dict())


INGEST_FIELDS = ("articles",)


def require_admin() -> None:
    """Let the request through only with `Authorization: Bearer <server.admin_token>`."""
    configured = engine().config.server_admin_token
    state = current_app.extensions["jiansuo.state"]
    check_admin_attempt(state)
    if not configured:
        raise Forbidden("writing to the archive is turned off on this server; set $JIANSUO_ADMIN_TOKEN or "
                        "server.admin_token to turn it on", code="writes_disabled")
    header = request.headers.get("Authorization")
    if header is None:
        raise Unauthorized(f"{request.method} {request.path} needs the admin token: send "
                           "`Authorization: Bearer TOKEN`", code="token_missing")
    scheme, _, given = header.partition(" ")
    # compare_digest takes as long for any wrong token of a length, so timing does not reveal the token.
    if scheme.lower() != "bearer" or not given.strip() or not hmac.compare_digest(
            given.strip().encode("utf-8"), configured.encode("utf-8")):
        record_wrong_token(state)
        raise Forbidden("the admin token is wrong", code="token_wrong")


@api.post("/api/ingest")
def ingest():
    require_admin()
    known_parameters(())
    request.max_content_length = engine().config.server_max_upload_bytes
    if request.mimetype == "multipart/form-data":
        files = read_body(lambda: request.files)
        unknown = [name for name in list(files) + list(request.form) if name != "file"]
        if unknown or len(files.getlist("file")) != 1:
            raise QueryError("the form must hold exactly one field, `file`: a page (.txt) or article "
                             "(.jsonl, .csv, .txt) file", code="bad_upload")
        upload = files["file"]
        report = engine().ingest_upload(upload.filename or "", upload.stream.read())
    else:
        body = json_body()
        unknown = [name for name in body if name not in INGEST_FIELDS]
        if unknown or "articles" not in body:
            raise QueryError("the body must be {\"articles\": [{\"id\", \"title\", \"body\", ...}]} "
                             f"(unknown field(s): {', '.join(map(repr, unknown)) or 'none'})", code="bad_articles")
        report = engine().ingest_records(body["articles"])
    return jsonify(report.to_dict())


@api.delete("/api/articles/<path:article_id>")
def delete_article(article_id: str):
    require_admin()
    known_parameters(())
    check_id(article_id)
    report = engine().delete([article_id])
    if not report.deleted:
        raise NotFound(f"no article with id {article_id!r}", code="article_not_found")
    return jsonify(report.to_dict())


@api.get("/api/stats")
def stats():
    e = engine()
    data = e.stats()
    data["facets"] = e.archive_facets().to_dict()
    data["entities"] = e.entity_coverage()
    return jsonify(data)


@api.get("/api/openapi.json")
def openapi():
    return jsonify(document(engine().config, current_app.config["MAX_CONTENT_LENGTH"]))


@api.get("/api/articles/<path:article_id>/related")
def related(article_id: str):
    known_parameters(("k",))
    hits = engine().related(article_id, k=int_param("k", None))
    return jsonify({"id": article_id, "related": [hit.to_dict() for hit in hits]})


@api.get("/healthz")
def healthz():
    # IndexUnusable (503) when there is nothing to search or an index file has lost bytes.
    return jsonify(engine().health())
