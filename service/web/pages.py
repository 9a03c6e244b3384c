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
from datetime import date, datetime, timezone
from pathlib import PurePath

from flask import Blueprint, Response, current_app, g, request, url_for
from jinja2 import BaseLoader, Environment

from .. import export
from ..articles import article_path, standin_title
from ..browse import UNPAGED
from ..errors import IndexUnusable, NotFound, QueryError
from ..export import FORMATS as EXPORT_FORMATS
from ..ingest.sources import ARTICLE_SUFFIXES, PAGE_SUFFIXES
from ..search.display import SCRIPTS, check_script
from ..search import trends as trends_module
from ..search.facets import date_span, iso_day
from ..search.query import check_sort, parse as parse_query, without_filters
from .chart import timeline
from .trend_chart import check_show, trend_chart

pages = Blueprint("pages", __name__)

# Each switch label is written in its own script, whatever the page's.
SCRIPT_LABELS = {"simplified": "简体", "traditional": "繁體", "taiwan": "繁體（台灣）", "hongkong": "繁體（香港）"}
SCRIPT_LANGS = {"simplified": "zh-Hans", "traditional": "zh-Hant", "taiwan": "zh-Hant-TW", "hongkong": "zh-Hant-HK"}
SORT_LABELS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
EXPORT_LABELS = {"csv": "CSV（Excel）", "jsonl": "JSON Lines", "ris": "RIS（Zotero、EndNote）", "gbt7714": "GB/T 7714"}
# The filter form lists the sections the results hold, the most frequent first; a broad query over an archive of
# hundreds of sections would otherwise make the page mostly options.
SECTION_OPTIONS = 30


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
    if script == "simplified":
        return app.jinja_env
    key = f"jiansuo.templates.{script}"
    env = app.extensions.get(key)
    if env is None:
        display = engine().display
        env = app.jinja_env.overlay(
            loader=ConvertedLoader(app.jinja_env.loader, lambda text: display.text(text, script)))
        app.extensions[key] = env
    return env


def render(template: str, http_status: int = 200, **context):
    script = g.get("script", "simplified")
    context.setdefault("query", "")
    context.update(script=script, script_labels=SCRIPT_LABELS, script_langs=SCRIPT_LANGS)
    current_app.update_template_context(context)
    return _environment(script).get_template(template).render(context), http_status


def _page_script() -> str:
    """The page's script from its URL (`SCRIPTS`), Simplified by default."""
    script = check_script(request.args.get("script")) or "simplified"
    g.script = script
    return script


@pages.app_template_global()
def link(endpoint: str, **params) -> str:
    """A URL on this site in the page's script; empty parameters are left out."""
    if g.get("script", "simplified") != "simplified":
        params["script"] = g.script
    return url_for(endpoint, **{name: value for name, value in params.items() if value not in (None, "")})


# Printings of a story listed under one result; its article page lists them all.
pages.add_app_template_global(12, "copies_listed_under_a_hit")


@pages.app_template_global()
def search_link(here: dict, **changes) -> str:
    """The results page of `here` (query, filters, sort, page size) with `changes` made."""
    return link("pages.search", **{**here, **changes})


@pages.app_template_global()
def switch_script(script: str) -> str:
    """This page in another script."""
    params = {name: value for name, value in request.args.items() if name != "script" and value != ""}
    if script != "simplified":
        params["script"] = script
    return url_for(request.endpoint or "pages.home", **(request.view_args or {}), **params)


@pages.app_template_filter()
def thousands(number: int) -> str:
    return f"{number:,}"


@pages.app_template_filter()
def standin(text: str | None) -> str:
    """The stand-in for a missing title in the page's script: a hit's body is kept as stored (only its heading
    fields are converted), and converting text already in the script leaves it as it is."""
    script = g.get("script", "simplified")
    opening = standin_title(text)
    return opening if script == "simplified" else engine().display.text(opening, script)


def _local_time(stamp: str | None) -> tuple[str, str] | None:
    """(the UTC stamp as stored, the same moment in the server's local time with its offset)."""
    if not stamp:
        return None
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone()
    except ValueError:
        return stamp, stamp
    offset = moment.strftime("%z")
    return stamp, f"{moment:%Y-%m-%d %H:%M}（UTC{offset[:3]}:{offset[3:]}）"


def _section_query(name: str) -> str:
    return f'section:"{name}"' if any(c.isspace() or c in '"＂' for c in name) else f"section:{name}"


def _input_dates(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """Whole days for the date inputs, which cannot show a month or a year alone."""
    start, end = date_span(date_from), date_span(date_to)
    return (iso_day(start[0]) if start else ""), (iso_day(end[1]) if end else "")


def _home(e, script: str, http_status: int = 200, message: str | None = None):
    archive, stats = e.archive_facets(script), e.stats()
    chips = [(name, count, link("pages.search", q=_section_query(name))) for name, count in archive.section[:12]]
    return render("index.html", http_status, stats=stats, archive=archive, section_chips=chips,
                  last_ingest=_local_time(stats.get("last_ingest")), message=message)


@pages.get("/")
def home():
    script = _page_script()
    return _home(engine(), script)


def _check_k(raw: str | None, default: int, limit: int) -> int:
    """The page size, checked as `/api/search` checks `k`."""
    if raw is None or raw == "":
        return default
    try:
        k = int(raw)
    except ValueError:
        raise QueryError(f"parameter k must be a whole number, got {raw!r}", code="bad_k") from None
    if not 1 <= k <= limit:
        raise QueryError(f"k must be a whole number from 1 to {limit}, got {k}", code="bad_k")
    return k


def _dates_from_form(query: str, date_from: str | None, date_to: str | None) -> str:
    """The query with its own `date:` left out when the date fields say otherwise: the fields are what the
    reader set last (the filter form shows the query's dates in them), and the two could contradict."""
    if not (date_from or date_to) or not any(w in query for w in (":", "：")):
        return query
    parsed = parse_query(query)
    if not (parsed.date_from or parsed.date_to):
        return query
    rest = without_filters(query, section=False)
    return rest or f"date:{date_from or ''}..{date_to or ''}"


def _section_choices(e, query: str, results, script: str) -> tuple[list, int]:
    """(name, count, chosen) of the sections to offer, counted within the results, and how many more there
    are. With a section chosen the results hold only it: the others are counted for the query without it."""
    filters = results.filters
    counts = list(results.facets.section) if results.facets else []
    if filters.section:
        rest = without_filters(query, dates=False)
        if rest:
            counts = list(e.search(rest, k=1, summaries=False, facets=True, script=script,
                                   date_from=filters.date_from, date_to=filters.date_to).facets.section)
    fold = e.analyzer.fold
    chosen = fold(filters.section) if filters.section else None
    shown = counts[:SECTION_OPTIONS]
    if chosen and not any(fold(name) == chosen for name, _ in shown):
        shown.append(next(((n, c) for n, c in counts if fold(n) == chosen), (filters.section, 0)))
    return [(name, count, chosen == fold(name)) for name, count in shown], max(0, len(counts) - len(shown))


@pages.get("/search")
def search():
    script = _page_script()
    e = engine()
    query = request.args.get("q", "")
    if not query.strip():
        return _home(e, script, 400, message=e.display.text("请输入要检索的词语。", script))
    per_page = _check_k(request.args.get("k"), e.config.search_default_k, e.config.search_max_k)
    sort = check_sort(request.args.get("sort"))
    last_allowed = e.config.search_max_offset // per_page + 1
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise QueryError("parameter page must be a whole number", code="bad_page") from None
    if not 1 <= page <= last_allowed:
        raise QueryError(f"parameter page must be from 1 to {last_allowed}, got {page}", code="bad_page")
    date_from, date_to = request.args.get("date_from"), request.args.get("date_to")
    section = request.args.get("section")
    query = _dates_from_form(query, date_from, date_to)
    results = e.search(query, k=per_page, offset=(page - 1) * per_page, script=script, date_from=date_from,
                       date_to=date_to, section=section, facets=True, sort=sort, facet_terms=True,
                       collapse=request.args.get("collapse") != "0", entity_facets=ENTITY_KINDS)
    filters = results.filters
    unfiltered_total = None
    if not results.hits and filters.active:
        unfiltered_total = e.search(query, k=1, summaries=False).total
    archive = e.archive_facets(script)
    sections, more_sections = _section_choices(e, results.query, results, script)
    last_page = max(1, min(last_allowed, -(-results.total // per_page)))
    input_from, input_to = _input_dates(filters.date_from, filters.date_to)
    chart = timeline(results.facets, results.articles, input_from, input_to)  # facets count articles
    # What every link of the page carries along: the query, its filters, the order and the page size chosen.
    here = {"q": results.query, "date_from": filters.date_from, "date_to": filters.date_to,
            "section": filters.section, "sort": sort, "k": per_page if per_page != e.config.search_default_k else None}
    exports = [(fmt, EXPORT_LABELS.get(fmt, fmt), url_for(
        "api.export", format=fmt, **{name: value for name, value in {**here, "k": None, "script": script}.items()
                                     if value not in (None, "")})) for fmt in EXPORT_FORMATS]
    cleared = without_filters(results.query)
    other_script = "traditional" if script == "simplified" else "simplified"
    other_query = e.display.text(results.query, other_script)
    if e.analyzer.fold(other_query) == e.analyzer.fold(results.query):
        other_query = results.query  # searches fold the scripts together: the other spelling finds the same
    return render("search.html", query=results.query, results=results, filters=filters, page=page,
                  last_page=last_page, chart=chart, archive=archive, sections=sections, more_sections=more_sections,
                  input_from=input_from, input_to=input_to, unfiltered_total=unfiltered_total, here=here,
                  form_query=cleared or results.query, sort=results.sort, exports=exports,
                  sort_labels={name: e.display.text(label, script) for name, label in SORT_LABELS.items()},
                  clear_link=search_link(here, q=cleared, date_from=None, date_to=None, section=None, page=None)
                  if cleared else link("pages.home"),
                  partial_marks=any(h.partial_highlights or h.title_partial_highlights for h in results.hits),
                  other_script=other_script, other_query=other_query)


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
    back = {name: request.args[name] for name in ("date_from", "date_to", "section", "page", "sort", "k")
            if request.args.get(name)}
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
    total = sum(d.count for d in days)
    return render("browse.html", level="archive", years=years, year_counts=year_counts, months=months,
                  days=len(days), total=total, without_day=max(0, engine().store.count() - total))


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
    # Reading a paper page by page runs on from a day's last page into the next day's first, and back.
    next_day_first = e.pages(view.next_date).pages[0].key if not view.next_page and view.next_date else None
    previous_day_last = e.pages(view.previous_date).pages[-1].key \
        if not view.previous_page and view.previous_date else None
    either_side.update({key: e.display.text(key, script) for key in (next_day_first, previous_day_last) if key})
    return render("browse_page.html", view=view, section=e.display.text(view.group.section, script),
                  either_side=either_side, unpaged=UNPAGED, next_day_first=next_day_first,
                  previous_day_last=previous_day_last)


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


def _quoted(name: str) -> str:
    value = request.args.get(name, "")
    return f"“{value[:40]}”" if value else ""


def _error_text(code: str, status: int, message: str = "") -> str:
    """What went wrong, in Simplified Chinese (converted with the page), from the error's code and the request's
    own parameters: the errors' messages are English, for the API and the logs."""
    e = engine()
    c = e.config
    dates = "日期请写作 2018-02-28、2018-02 或 2018"
    texts = {
        "empty_query": "请输入要检索的词语。",
        "bad_page": f"页码应是 1 到 {c.search_max_offset // max(1, c.search_default_k) + 1} 之间的整数，"
                    f"收到 {_quoted('page') or '空值'}。",
        "bad_k": f"每页篇数（k）应是 1 到 {c.search_max_k} 之间的整数，收到 {_quoted('k')}。",
        "bad_entity_type": "人物、地点、机构的类别只能是 person（人物）、place（地点）或 org（机构）。",
        "bad_entity_name": "名称为空或过长。",
        "entity_not_found": f"档案中没有文章提到“{(request.view_args or {}).get('name', '')[:40]}”"
                            "（或尚未读完全部文章）。",
        "bad_collapse": f"合并相同报道（collapse）只能是 1 或 0，收到 {_quoted('collapse')}。",
        "bad_sort": f"排序方式（sort）只能是 relevance（相关度）、newest（最新）或 oldest（最早），收到 {_quoted('sort')}。",
        "bad_script": f"字体（script）只能是 {'、'.join(SCRIPTS)}，收到 {_quoted('script')}。",
        "bad_date_from": f"起始日期写法有误：{_quoted('date_from')}。{dates}。",
        "bad_date_to": f"结束日期写法有误：{_quoted('date_to')}。{dates}。",
        "bad_date_range": f"起始日期 {request.args.get('date_from', '')} 晚于结束日期 {request.args.get('date_to', '')}"
                          "，请调换或改正。",
        "bad_date_filter": "检索词中 date: 的日期写法有误，或结束早于开始。"
                           "请写作 date:2018-02-28、date:2018-02、date:2018 或 date:2018-02..2018-03。",
        "bad_section": "版面名称有误或过长。",
        "bad_query": "检索词中有无法使用的字符。",
        "no_search_words": f"检索词 {_quoted('q')} 中没有可检索的字词（只有标点、空格或 AND、OR、NOT），请输入词语。",
        "query_too_long": f"检索词太长：共 {len(request.args.get('q', '').strip())} 字，上限 {c.search_max_query_chars} 字。",
        "too_many_terms": f"检索词和筛选条件太多：上限 {c.search_max_query_terms} 个。",
        "bad_encoding": "网址中的参数不是有效的 UTF-8 编码，请检查链接是否完整。",
        "too_many_queries": f"一次最多比较 {trends_module.MAX_QUERIES} 个检索词，收到 {len(request.args.getlist('q'))} 个。",
        "bad_by": f"时段（by）只能是 year（按年）或 month（按月），收到 {_quoted('by')}。",
        "bad_from": f"起始日期写法有误：{_quoted('from')}。{dates}。",
        "bad_to": f"结束日期写法有误：{_quoted('to')}。{dates}。",
        "too_many_periods": f"时段太多（上限 {trends_module.MAX_PERIODS} 个），请缩小起止日期，或按年（by=year）查看。",
        "bad_format": f"格式（format）只能是 "
                      f"{'、'.join(CITE_FORMATS if request.path.startswith('/cite/') else EXPORT_FORMATS)}，"
                      f"收到 {_quoted('format') or '空值'}。",
        "not_found": f"这个网址没有页面：{request.path}",
        "page_not_found": "这一天没有这个版面。",
        "bad_date": "日期写法有误，请写作 2018-02-28。",
        "article_not_found": "找不到这篇文章，它可能已被删除，或链接有误。",
        "over_budget": "这次检索用时超出限制，请缩小范围（加上日期或版面）后再试。",
        "rate_limited": "请求过于频繁，请稍后再试。",
        "busy": "服务器正忙，请稍后再试。",
        "method_not_allowed": "这个网址不支持这种请求方式。",
        "body_too_large": "请求内容太大。",
    }
    if code in texts:
        return texts[code]
    damaged = re.match(r"article (['\"])(.+?)\1 is damaged", message) if code == "article_damaged" else None
    if damaged:
        return (f"文章 {damaged.group(2)} 在文章库中已损坏，暂时无法显示；管理员可重新导入它的来源文件、删除它，"
                "或从备份恢复档案。")
    if status == 503 or code.startswith(("index_", "store_")) or code == "article_damaged":
        return "档案暂时无法检索：索引或文章库不可用或正忙，管理员可从服务器日志中看到原因。"
    if status >= 500:
        return "服务内部出错，详情已记入服务器日志。"
    return "请求有误，请检查网址中的参数。"


def error_page(status: int, code: str, message: str = ""):
    """A failed request's page in the reader's script (when that much of the request was readable), the search
    box holding what was typed, and a way back."""
    script = request.args.get("script")
    g.script = script if script in SCRIPTS else "simplified"
    query = request.args.get("q", "")
    text = _error_text(code, status, message)
    if g.script != "simplified":
        text = engine().display.text(text, g.script)
    again = link("pages.search", q=query) if query.strip() and code != "empty_query" and status < 500 else None
    return render("error.html", status, status=status, message=text, code=code, query=query, again=again)


@pages.get("/trends")
def trends():
    """Several queries on one chart over time; the form's blank boxes are left out."""
    _page_script()  # the page's script, for its links and its text
    e = engine()
    queries = [q.strip() for q in request.args.getlist("q") if q.strip()]
    by, show = request.args.get("by") or "month", check_show(request.args.get("show"))
    date_from, date_to = request.args.get("from"), request.args.get("to")
    section = request.args.get("section")
    found = e.trends(queries, by, date_from=date_from, date_to=date_to, section=section) if queries else None
    return render("trends.html", queries=queries, by=by, show=show, trends=found,
                  chart=trend_chart(found, show) if found else None, date_from=date_from or "",
                  date_to=date_to or "", section=section or "", boxes=queries + [""] * (5 - len(queries)))


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
                  page=page, last_page=max(1, -(-(view.stories or view.total) // per_page)),
                  filter_words=entity_filter(view.kind, view.key))
