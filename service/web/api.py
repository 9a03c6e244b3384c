"""`/api/...` and `/healthz`: JSON in the same shapes the CLI prints, described by `/api/openapi.json`."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from ..errors import QueryError
from .openapi import document

api = Blueprint("api", __name__)

SEARCH_PARAMETERS = ("q", "k", "offset", "script", "date_from", "date_to", "section", "explain")
ARTICLE_PARAMETERS = ("q", "script")
SUMMARIZE_FIELDS = {"text": str, "sentences": int, "query": str, "max_chars": int}


class UnsupportedBody(QueryError):
    code = "unsupported_media_type"
    http_status = 415


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


def flag_param(name: str) -> bool:
    raw = request.args.get(name, "0")
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
                              explain=flag_param("explain"))
    return jsonify(results.to_dict())


@api.get("/api/articles/<article_id>")
def article(article_id: str):
    known_parameters(ARTICLE_PARAMETERS)
    e = engine()
    view = e.read(article_id, query=request.args.get("q"), script=request.args.get("script"))
    keywords = e.keywords(view.article.id)
    if view.script:
        keywords = [e.display.text(word, view.script) for word in keywords]
    return jsonify({**view.to_dict(), "keywords": keywords})


def json_body() -> dict:
    if request.mimetype != "application/json":
        raise UnsupportedBody(f"{request.method} {request.path} takes a JSON body (Content-Type: application/json), "
                              f"got {request.mimetype or 'no Content-Type'!r}")
    raw = request.get_data(cache=False)  # over server.max_body_bytes: 413 before anything is read
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QueryError(f"the request body is not valid UTF-8 JSON: {exc}", code="bad_json") from None
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
    if not body.get("text", "").strip():
        raise QueryError("field text is missing or empty: give the text to summarize", code="bad_text")
    if body.get("max_chars") is not None and body["max_chars"] < 1:
        raise QueryError(f"field max_chars must be at least 1, got {body['max_chars']}", code="bad_max_chars")
    summary = engine().summarize(body["text"], sentences=body.get("sentences"), query=body.get("query"),
                                 max_chars=body.get("max_chars"))
    return jsonify(summary.to_dict())


@api.get("/api/stats")
def stats():
    e = engine()
    data = e.stats()
    data["facets"] = e.archive_facets().to_dict()
    return jsonify(data)


@api.get("/api/openapi.json")
def openapi():
    return jsonify(document(engine().config, current_app.config["MAX_CONTENT_LENGTH"]))


@api.get("/api/articles/<article_id>/related")
def related(article_id: str):
    known_parameters(("k",))
    hits = engine().related(article_id, k=int_param("k", None))
    return jsonify({"id": article_id, "related": [hit.to_dict() for hit in hits]})


@api.get("/healthz")
def healthz():
    e = engine()
    e.postings()  # raises IndexUnusable (503) when there is nothing to search
    return jsonify({"status": "ok", "articles": e.store.count(), "index_generation": e.stats()["index_generation"]})
