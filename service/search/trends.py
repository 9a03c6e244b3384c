"""Hits per year or month of several queries, each beside the articles the archive holds in that period.

A count alone misleads: a month with twice the articles has twice the hits of almost any word. Each point
therefore carries its `share`, hits divided by the articles of that period (of the chosen section, when the
search is narrowed to one), so that a busy month does not look like a trend.

Counting works on the index's document numbers and the dates `facets.DocumentFields` holds for them: a
query's matches are turned into period numbers and tallied with one `bincount`, no article is read. An article
is in a month when its date names the month (`2018-02` or `2018-02-28`), in a year when its date names the year
at least; an article dated `2018` alone is in no month. Every period from the first to the last is a point,
zeros included, so a chart drawn from them shows time as it passed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np

from ..errors import QueryError
from .facets import NONE, DocumentFields

BY = ("year", "month")
MAX_QUERIES = 5
# A century of months: past that a chart has nothing left to show per point, and a request for 9,999 years of
# months is refused rather than answered with a hundred thousand zeros per query.
MAX_PERIODS = 1200


def check_by(by: object) -> str:
    if by is None or by == "":
        return "month"
    if by not in BY:
        raise QueryError(f"parameter by must be year or month, got {str(by)[:40]!r}", code="bad_by")
    return str(by)


def check_queries(queries: object) -> list[str]:
    """The queries as given (each is checked as a search query later); a missing, empty or sixth one is
    refused naming the parameter `q`."""
    if not isinstance(queries, (list, tuple)) or not queries:
        raise QueryError("parameter q is missing: give one to five queries (q=A&q=B)", code="empty_query")
    if len(queries) > MAX_QUERIES:
        raise QueryError(f"parameter q is given {len(queries)} times; at most {MAX_QUERIES} queries are compared",
                         code="too_many_queries")
    for number, query in enumerate(queries, start=1):
        if not isinstance(query, str) or not query.strip():
            raise QueryError(f"parameter q (query {number} of {len(queries)}) is empty: give one or more words "
                             "to search for", code="empty_query")
    return [query.strip() for query in queries]


@dataclass(frozen=True)
class Period:
    label: str  # 2018 or 2018-02
    key: int  # 2018 or 201802: what `period_keys` gives the articles in it
    date_from: str  # its first and last day, for a link to its hits
    date_to: str


def _month_number(key: int) -> int:
    return key // 100 * 12 + key % 100 - 1


def periods(by: str, first_day: int, last_day: int) -> list[Period]:
    """Every year or month from the one holding `first_day` to the one holding `last_day` (YYYYMMDD)."""
    if by == "year":
        first, last = first_day // 10000, last_day // 10000
        count = last - first + 1
    else:
        first, last = first_day // 100, last_day // 100
        count = _month_number(last) - _month_number(first) + 1
    if count > MAX_PERIODS:
        raise QueryError(f"from {first_day // 10000} to {last_day // 10000} by {by} is {count} periods; at most "
                         f"{MAX_PERIODS} are drawn: narrow the parameters from and to, or give by=year",
                         code="too_many_periods")
    found = []
    for step in range(max(count, 0)):
        if by == "year":
            year = first + step
            found.append(Period(f"{year:04d}", year, f"{year:04d}-01-01", f"{year:04d}-12-31"))
        else:
            year, month = divmod(_month_number(first) + step, 12)
            month += 1
            last_of = calendar.monthrange(year, month)[1]
            found.append(Period(f"{year:04d}-{month:02d}", year * 100 + month, f"{year:04d}-{month:02d}-01",
                                f"{year:04d}-{month:02d}-{last_of:02d}"))
    return found


def period_keys(fields: DocumentFields, by: str) -> np.ndarray:
    """Each document's year (YYYY) or month (YYYYMM), NONE where its date does not name one."""
    if by == "month":
        return fields.month
    return np.where(fields.first_day != NONE, fields.first_day // 10000, NONE).astype(np.int32)


def span_periods(keys: np.ndarray, by: str, first_day: int | None, last_day: int | None) -> list[Period]:
    """The periods from `first_day` to `last_day` (YYYYMMDD), an open end being the archive's first or last
    period (of `keys`, every document's); none when the archive has no dated article to bound them."""
    dated = keys[keys != NONE]
    scale = 10000 if by == "year" else 100
    if first_day is None and dated.size:
        first_day = int(dated.min()) * scale + (101 if by == "year" else 1)
    if last_day is None and dated.size:
        last_day = int(dated.max()) * scale + (1231 if by == "year" else 28)
    if first_day is None or last_day is None or first_day > last_day:
        return []
    return periods(by, first_day, last_day)


def tally(keys: np.ndarray, spans: list[Period], by: str, stories: np.ndarray | None = None) -> np.ndarray:
    """How many of `keys` fall in each of `spans` (consecutive periods), in their order; with `stories` (each
    key's story, `reprints.Stories.story`), how many stories: printings of one story in a period count once."""
    if not spans:
        return np.zeros(0, dtype=np.int64)
    dated = keys != NONE
    keys = keys[dated].astype(np.int64)
    if by == "month":
        positions = keys // 100 * 12 + keys % 100 - 1 - _month_number(spans[0].key)
    else:
        positions = keys - spans[0].key
    inside = (positions >= 0) & (positions < len(spans))
    positions = positions[inside]
    if stories is not None:
        pairs = np.unique(positions * (int(stories.max(initial=0)) + 1) + stories[dated][inside])
        positions = pairs // (int(stories.max(initial=0)) + 1)
    return np.bincount(positions, minlength=len(spans))


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    hits: int  # stories, as a collapsed search counts them
    articles: int  # the articles of the period the hits are a share of
    printings: int | None = None  # the matching articles, every printing of a story counted (None: as hits)

    @property
    def share(self) -> float:
        return self.hits / self.articles if self.articles else 0.0

    def to_dict(self) -> dict:
        return {"period": self.period.label, "hits": self.hits, "share": round(self.share, 6),
                "articles": self.articles, "printings": self.hits if self.printings is None else self.printings}


@dataclass(frozen=True)
class Series:
    query: str
    total: int  # every story matched under the filters, including those whose date names no period of this unit
    points: list[TrendPoint]
    printings: int | None = None  # every matching article (None: as total)

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "points": [p.to_dict() for p in self.points],
                "printings": self.total if self.printings is None else self.printings}


@dataclass(frozen=True)
class Trends:
    by: str
    date_from: str | None  # the first and last day drawn (None: the archive holds no dated article)
    date_to: str | None
    section: str | None
    series: list[Series]

    def to_dict(self) -> dict:
        return {"by": self.by, "from": self.date_from, "to": self.date_to, "section": self.section,
                "series": [s.to_dict() for s in self.series]}
