"""The HTML pages: a search box, results with filters and a chart over time, an article.

Server-rendered: every feature works with scripts off; static/app.js only saves a click. The page's script
(简/繁) is the `script` parameter of its URL and is carried by every link and form on it. Interface text is
written once, in Simplified, in the templates; the Traditional pages are rendered from the same templates
converted by OpenCC when first loaded, and the data on them (titles, summaries, articles) is converted by the
engine, which keeps the highlight spans on the right characters.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath

from flask import Blueprint, current_app, g, request, url_for
from jinja2 import BaseLoader, Environment

from ..errors import IndexUnusable, QueryError
from ..search.display import check_script
from ..search.facets import date_span, iso_day
from .chart import timeline

pages = Blueprint("pages", __name__)

# Each switch label is written in its own script, whatever the page's.
SCRIPT_LABELS = {"simplified": "简体", "traditional": "繁體"}


def engine():
    return current_app.extensions["jiansuo"]


class ConvertedLoader(BaseLoader):
    """Another loader's templates with their text converted; template code and markup are ASCII and pass
    through OpenCC unchanged."""

    def __init__(self, loader: BaseLoader, convert):
        self.loader = loader
        self.convert = convert

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = self.loader.get_source(environment, template)
        return self.convert(source), filename, uptodate

    def list_templates(self):
        return self.loader.list_templates()


def _environment(script: str) -> Environment:
    app = current_app
    if script != "traditional":
        return app.jinja_env
    env = app.extensions.get("jiansuo.traditional_templates")
    if env is None:
        display = engine().display
        env = app.jinja_env.overlay(
            loader=ConvertedLoader(app.jinja_env.loader, lambda text: display.text(text, "traditional")))
        app.extensions["jiansuo.traditional_templates"] = env
    return env


def render(template: str, http_status: int = 200, **context):
    script = g.get("script", "simplified")
    context.setdefault("query", "")
    context.update(script=script, script_labels=SCRIPT_LABELS)
    current_app.update_template_context(context)
    return _environment(script).get_template(template).render(context), http_status


def _page_script() -> str:
    """The page's script from its URL: `traditional`, or Simplified by default."""
    script = check_script(request.args.get("script")) or "simplified"
    g.script = script
    return script


@pages.app_template_global()
def link(endpoint: str, **params) -> str:
    """A URL on this site in the page's script; empty parameters are left out."""
    if g.get("script") == "traditional":
        params["script"] = "traditional"
    return url_for(endpoint, **{name: value for name, value in params.items() if value not in (None, "")})


@pages.app_template_global()
def switch_script(script: str) -> str:
    """This page in the other script."""
    params = {name: value for name, value in request.args.items() if name != "script" and value != ""}
    if script == "traditional":
        params["script"] = "traditional"
    return url_for(request.endpoint or "pages.home", **(request.view_args or {}), **params)


def _input_dates(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """Whole days for the date inputs, which cannot show a month or a year alone."""
    start, end = date_span(date_from), date_span(date_to)
    return (iso_day(start[0]) if start else ""), (iso_day(end[1]) if end else "")


@pages.get("/")
def home():
    script = _page_script()
    e = engine()
    return render("index.html", stats=e.stats(), archive=e.archive_facets(script))


@pages.get("/search")
def search():
    script = _page_script()
    e = engine()
    query = request.args.get("q", "")
    if not query.strip():
        return render("index.html", 400, stats=e.stats(), archive=e.archive_facets(script),
                      message=e.display.text("请输入要检索的词语。", script) + "Type one or more words to search for.")
    per_page = e.config.search_default_k
    last_allowed = e.config.search_max_offset // per_page + 1
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise QueryError("parameter page must be a whole number", code="bad_page") from None
    if not 1 <= page <= last_allowed:
        raise QueryError(f"parameter page must be from 1 to {last_allowed}, got {page}", code="bad_page")
    date_from, date_to = request.args.get("date_from"), request.args.get("date_to")
    section = request.args.get("section")
    results = e.search(query, k=per_page, offset=(page - 1) * per_page, script=script, date_from=date_from,
                       date_to=date_to, section=section, facets=True, entity_facets=ENTITY_KINDS)
    unfiltered_total = None
    if not results.hits and results.filters.active:
        unfiltered_total = e.search(query, k=1, summaries=False).total
    archive = e.archive_facets(script)
    fold = e.analyzer.fold
    chosen = fold(results.filters.section) if results.filters.section else None
    sections = [(name, count, chosen == fold(name)) for name, count in archive.section]
    other_script = "traditional" if script == "simplified" else "simplified"
    last_page = max(1, min(last_allowed, -(-results.total // per_page)))
    input_from, input_to = _input_dates(results.filters.date_from, results.filters.date_to)
    chart = timeline(results.facets, results.total, input_from, input_to)
    return render("search.html", query=results.query, results=results, filters=results.filters, page=page,
                  last_page=last_page, chart=chart, archive=archive, sections=sections,
                  input_from=input_from, input_to=input_to, unfiltered_total=unfiltered_total,
                  other_script=other_script, other_query=e.display.text(results.query, other_script))


@pages.get("/articles/<path:article_id>")
def article(article_id: str):
    script = _page_script()
    query = request.args.get("q", "")
    e = engine()
    view = e.read(article_id, query=query, script=script)
    source_name = PurePath(view.article.source).name if view.article.source else None
    try:
        related = e.related(view.article.id)
    except IndexUnusable:  # the article is still worth showing without its neighbours
        related = []
    keywords = e.keywords(view.article.id)
    if view.script:
        keywords = [e.display.text(word, view.script) for word in keywords]
        related = [replace(item, article=e.display.article(item.article, view.script, body=False),
                           summary=e.display.text(item.summary, view.script)) for item in related]
    # The way back to the results keeps the filters and the page the reader came from.
    back = {name: request.args[name] for name in ("date_from", "date_to", "section", "page") if request.args.get(name)}
    return render("article.html", view=view, article=view.article, query=query, source_name=source_name,
                  keywords=keywords, related=related, back=back)


# --- people, places and organisations ----------------------------------------------------------------------

ENTITY_KINDS = ("person", "place", "org")


@pages.app_template_global()
def entity_filter(kind: str, name: str) -> str:
    """The query words that narrow a search to articles naming `name`: quoted when it holds a space."""
    return f'{kind}:"{name}"' if any(ch.isspace() for ch in name) or '"' in name else f"{kind}:{name}"


@pages.get("/entities/<kind>/<path:name>")
def entity(kind: str, name: str):
    """One person, place or organisation: its articles by month, the names named with it, its articles."""
    from ..search.facets import Facets

    script = _page_script()
    e = engine()
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise QueryError("parameter page must be a whole number", code="bad_page") from None
    per_page = e.config.search_default_k
    if not 1 <= page <= e.config.search_max_offset // per_page + 1:
        raise QueryError(f"parameter page must be from 1 to {e.config.search_max_offset // per_page + 1}, "
                         f"got {page}", code="bad_page")
    view = e.entity(kind, name, sort=request.args.get("sort"), offset=(page - 1) * per_page, k=per_page,
                    script=script)
    months = Facets(month=view.months, day=[], section=[], undated=view.undated,
                    first=f"{view.months[0][0]}-01" if view.months else None,
                    last=f"{view.months[-1][0]}-28" if view.months else None)
    return render("entity.html", view=view, chart=timeline(months, view.total),
                  page=page, last_page=max(1, -(-view.total // per_page)),
                  filter_words=entity_filter(view.kind, view.key))
