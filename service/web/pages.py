"""The HTML pages: a search box, results, an article. Server-rendered; no script needed."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from ..errors import IndexUnusable, QueryError

pages = Blueprint("pages", __name__)


def engine():
    return current_app.extensions["jiansuo"]


@pages.get("/")
def home():
    return render_template("index.html", query="", stats=engine().stats())


@pages.get("/search")
def search():
    e = engine()
    query = request.args.get("q", "")
    if not query.strip():
        return render_template("index.html", query="", stats=e.stats(),
                               message="请输入要检索的词语。Type one or more words to search for."), 400
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        raise QueryError("parameter page must be a whole number", code="bad_page") from None
    per_page = e.config.search_default_k
    results = e.search(query, k=per_page, offset=(page - 1) * per_page)
    last_page = max(1, -(-results.total // per_page))
    return render_template("search.html", query=results.query, results=results, page=page, last_page=last_page)


@pages.get("/articles/<article_id>")
def article(article_id: str):
    e = engine()
    found = e.article(article_id)
    query = request.args.get("q", "")
    paragraphs = [(p, e.highlight(p, query)) for p in found.paragraphs]
    try:
        related = e.related(found.id)
    except IndexUnusable:  # the article is still worth showing without its neighbours
        related = []
    return render_template("article.html", article=found, query=query, paragraphs=paragraphs,
                           title_spans=e.highlight(found.title, query), keywords=e.keywords(found.id),
                           related=related)
