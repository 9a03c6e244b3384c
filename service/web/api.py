"""`/api/...` and `/healthz`: JSON in the same shapes the CLI prints."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..errors import QueryError

api = Blueprint("api", __name__)


def engine():
    return current_app.extensions["jiansuo"]


def int_param(name: str, default: int | None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"parameter {name} must be a whole number, got {raw!r}", code=f"bad_{name}") from None


@api.get("/api/search")
def search():
    results = engine().search(request.args.get("q", ""), k=int_param("k", None), offset=int_param("offset", 0))
    return jsonify(results.to_dict())


@api.get("/api/articles/<article_id>")
def article(article_id: str):
    e = engine()
    found = e.article(article_id)
    return jsonify({**found.to_dict(), "keywords": e.keywords(found.id)})


@api.get("/api/articles/<article_id>/related")
def related(article_id: str):
    hits = engine().related(article_id, k=int_param("k", None))
    return jsonify({"id": article_id, "related": [hit.to_dict() for hit in hits]})


@api.get("/healthz")
def healthz():
    e = engine()
    e.postings()  # raises IndexUnusable (503) when there is nothing to search
    return jsonify({"status": "ok", "articles": e.store.count(), "index_generation": e.stats()["index_generation"]})
