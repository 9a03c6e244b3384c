"""The HTML pages: a search box, results with filters and a chart over time, an article.

Server-rendered: every feature works with scripts off; static/app.js only saves a click. The page's script
(简/繁) is the `script` parameter of its URL and is carried by every link and form on it. Interface text is
written once, in Simplified, in the templates; the Traditional pages are rendered from the same templates
converted by OpenCC when first loaded, and the data on them (titles, summaries, articles) is converted by the
engine, which keeps the highlight spans on the right characters.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import PurePath

from flask import Blueprint, Response, current_app, g, request, url_for
from jinja2 import BaseLoader, Environment

from .. import export
from ..articles import article_path
from ..browse import UNPAGED
from ..errors import IndexUnusable, NotFound, QueryError
from ..ingest.sources import ARTICLE_SUFFIXES, PAGE_SUFFIXES
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
                       date_to=date_to, section=section, facets=True)
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
    # A page file is the printed page itself; an article file only says where the records were imported from.
    source_kind = source_name and ("page" if PurePath(source_name).suffix.lower() in PAGE_SUFFIXES else
                                   "import" if PurePath(source_name).suffix.lower() in ARTICLE_SUFFIXES else None)
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
    publication = request.args.get("publication", "").strip()[:80]
    return render("article.html", view=view, article=view.article, query=query, source_name=source_name,
                  source_kind=source_kind, keywords=keywords, related=related, back=back,
                  printed=_printed_place(view.article), publication=publication,
                  citation=_citations(view.article, publication))


# --- browsing the paper as printed (`service.browse`) ------------------------------------------------------------

# What /browse/<when> takes: a year, a month or a day.
_WHEN = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
CITE_FORMATS = ("ris", "gbt7714")


def _printed_place(article) -> dict:
    """Where the article is in /browse: its day (or month, or year) and, for a whole day, its printed page."""
    when = article.date if article.date and _WHEN.fullmatch(article.date) and date_span(article.date) else None
    page = article.page.strip() if article.page and article.page.strip() and when and len(when) == 10 else None
    return {"date": when, "page": page}


def _problem(status: int, problem: str, **context):
    """A browse page that cannot be shown: what was wrong, in the page's script, and the ways on from there."""
    return render("browse_problem.html", status, problem=problem, **context)


def _months(days) -> Counter:
    """Articles a month (YYYY-MM) from the counts a day."""
    months: Counter = Counter()
    for day in days:
        months[day.date[:7]] += day.count
    return months


def _either_side(keys: list[str], key: str) -> tuple[str | None, str | None]:
    """The nearest of `keys` (sorted) before and after `key`, which need not be one of them."""
    before = [k for k in keys if k < key]
    after = [k for k in keys if k > key]
    return (before[-1] if before else None), (after[0] if after else None)


@pages.get("/browse")
def browse():
    _page_script()
    days = engine().dates()
    months = _months(days)
    years = sorted({month[:4] for month in months})
    year_counts = {year: sum(n for month, n in months.items() if month.startswith(year)) for year in years}
    return render("browse.html", level="archive", years=years, year_counts=year_counts, months=months,
                  days=len(days), total=sum(d.count for d in days))


@pages.get("/browse/<when>")
def browse_when(when: str):
    """A year's months, a month's days, or a day's pages."""
    script = _page_script()
    when = when.strip()
    if not _WHEN.fullmatch(when) or date_span(when) is None:
        return _problem(400, "bad_date", value=when)
    e = engine()
    if len(when) == 10:
        day = e.pages(when)
        if not day.pages:
            return _problem(404, "no_day", value=when, previous_date=day.previous_date, next_date=day.next_date)
        groups = [(group, e.display.text(group.section, script)) for group in day.pages]
        return render("browse_day.html", day=day, groups=groups, unpaged=UNPAGED)
    year = when[:4]
    if len(when) == 4:
        days = e.dates(year, year)
        all_years = sorted({d.date[:4] for d in e.dates()})
        before, after = _either_side(all_years, year)
        if not days:
            return _problem(404, "no_year", value=when, previous=before, next=after)
        return render("browse.html", level="year", year=year, months=_months(days), previous=before, next=after,
                      total=sum(d.count for d in days))
    days = e.dates(when, when)
    before, after = _either_side(sorted(_months(e.dates())), when)
    if not days:
        return _problem(404, "no_month", value=when, previous=before, next=after)
    counts = {d.date: d.count for d in days}
    weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(int(year), int(when[5:7]))
    return render("browse.html", level="month", year=year, month=when, month_number=int(when[5:7]), weeks=weeks,
                  counts=counts, previous=before, next=after, total=sum(counts.values()))


@pages.get("/browse/<day>/<path:page>")
def browse_page(day: str, page: str):
    """One page of a day, its articles in printed order."""
    script = _page_script()
    day = day.strip()
    if not _WHEN.fullmatch(day) or len(day) != 10 or date_span(day) is None:
        return _problem(400, "bad_day", value=day)
    e = engine()
    try:
        view = e.page(day, page, script=script)
    except NotFound:
        listing = e.pages(day)
        if not listing.pages:
            return _problem(404, "no_day", value=day, previous_date=listing.previous_date,
                            next_date=listing.next_date)
        groups = [(group, e.display.text(group.section, script)) for group in listing.pages]
        return _problem(404, "no_page", value=page, day=listing, groups=groups)
    # A key is a page code (kept as it is) or a section name (shown in the page's script).
    either_side = {key: e.display.text(key, script) for key in (view.previous_page, view.next_page) if key}
    return render("browse_page.html", view=view, section=e.display.text(view.group.section, script),
                  either_side=either_side, unpaged=UNPAGED)


# --- citing one article ------------------------------------------------------------------------------------------

def _citing(publication: str | None, online: bool) -> export.Citing:
    """The paper's name as the reader gave it; online, this site's link to the article and today's date."""
    base = request.url_root.rstrip("/") + article_path("") if online else None
    return export.Citing(publication=publication or None, base_url=base, accessed=date.today())


def _citations(article, publication: str | None) -> dict:
    """The article as a GB/T 7714-2015 reference: to the printed paper ([N]) and to this site's copy ([N/OL])."""
    return {"printed": export.gbt7714(article, _citing(publication, False)),
            "online": export.gbt7714(article, _citing(publication, True))}


@pages.get("/cite/<path:article_id>")
def cite(article_id: str):
    """One article as a file for a reference manager (RIS) or a bibliography (GB/T 7714-2015)."""
    script = _page_script()
    fmt = request.args.get("format", "")
    if fmt not in CITE_FORMATS:
        raise QueryError(f"parameter format must be one of {', '.join(CITE_FORMATS)}, got {fmt[:40]!r}",
                         code="bad_format")
    e = engine()
    found = e.article(article_id)
    summary = e.display.text(e.extras_of([found])[found.id].summary, script)
    shown = e.display.article(found, script, body=False)
    hit = export.ExportHit(rank=1, score=0.0, article=shown, summary=summary)
    publication = request.args.get("publication", "").strip()[:80]
    body = "".join(export.render([hit], fmt, _citing(publication, True)))
    response = Response(body, content_type=export.MEDIA_TYPES[fmt])
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", found.id).strip("._")[:80] or "article"
    response.headers["Content-Disposition"] = f'attachment; filename="jiansuo-{name}.{export.EXTENSIONS[fmt]}"'
    return response
