"""The paper as it was printed: the dates that have articles, a day's pages, and a page's articles in order.

A day's articles are grouped by their printed page (`A01`, `B03`, ordered as a reader turns the pages: by the
letter, then the number), each page's in printed order (their position on it). Articles from article files
(`.jsonl`, `.csv`) often know their date and section but no page: they are grouped by section after the
printed pages, and those with neither come last as one "unpaged" group. Every group has a `key`, what
`Engine.page` takes to show it: the page code, else the section, else `unpaged`.

The store answers from its `articles_by_date` index (schema version 6); nothing here reads an article's text
except the page shown.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .articles import Article
from .errors import NotFound, QueryError
from .search.facets import date_span, iso_day

UNPAGED = "unpaged"
_DIGITS = re.compile(r"(\d+)")


def check_day(value: object, name: str = "date") -> str:
    """A whole date YYYY-MM-DD; QueryError naming the parameter otherwise."""
    span = date_span(value) if isinstance(value, str) else None
    if span is None or span[0] != span[1] or len(value.strip()) != 10:
        raise QueryError(f"parameter {name} must be a day as YYYY-MM-DD, got {str(value)[:40]!r}",
                         code=f"bad_{name}")
    return value.strip()


def check_span(date_from: object = None, date_to: object = None) -> tuple[str | None, str | None]:
    """First and last day (YYYY-MM-DD) of a span given as YYYY, YYYY-MM or YYYY-MM-DD at either end (or open)."""
    days: list[str | None] = []
    for name, value, end in (("from", date_from, 0), ("to", date_to, 1)):
        if value is None or (isinstance(value, str) and not value.strip()):
            days.append(None)
            continue
        span = date_span(value) if isinstance(value, str) else None
        if span is None:
            raise QueryError(f"parameter {name} must be a date as YYYY-MM-DD, YYYY-MM or YYYY, got "
                             f"{str(value)[:40]!r}", code=f"bad_{name}")
        days.append(iso_day(span[end]))
    if days[0] and days[1] and days[0] > days[1]:
        raise QueryError(f"from {date_from} is after to {date_to}", code="bad_date_range")
    return days[0], days[1]


def page_order(code: str) -> tuple:
    """How pages follow each other: `A2` before `A10`, section letters in turn, case ignored."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in _DIGITS.split(code.strip()))


@dataclass(frozen=True)
class DateCount:
    date: str
    count: int

    def to_dict(self) -> dict:
        return {"date": self.date, "count": self.count}


@dataclass(frozen=True)
class PageGroup:
    """One printed page of a day, or a day's articles from article files in one section, or the unpaged ones."""

    key: str  # what `Engine.page` takes: the page code, else the section, else "unpaged"
    page: str | None  # the printed page code; None for articles that have none
    section: str | None
    ids: tuple[str, ...]  # in printed order

    @property
    def count(self) -> int:
        return len(self.ids)

    def to_dict(self) -> dict:
        return {"key": self.key, "page": self.page, "section": self.section, "count": self.count,
                "ids": list(self.ids)}


@dataclass(frozen=True)
class DayPages:
    date: str
    pages: list[PageGroup]
    previous_date: str | None
    next_date: str | None

    @property
    def count(self) -> int:
        return sum(group.count for group in self.pages)

    def to_dict(self) -> dict:
        return {"date": self.date, "count": self.count, "pages": [group.to_dict() for group in self.pages],
                "previous_date": self.previous_date, "next_date": self.next_date}


@dataclass(frozen=True)
class PageArticle:
    article: Article
    summary: str

    def to_dict(self) -> dict:
        a = self.article
        return {"id": a.id, "title": a.title, "kicker": a.kicker, "subtitle": a.subtitle, "authors": list(a.authors),
                "position": a.position, "kind": a.kind, "section": a.section, "page": a.page,
                "summary": self.summary}


@dataclass(frozen=True)
class PageView:
    """A page's articles in printed order, with the pages and dates either side."""

    date: str
    group: PageGroup
    articles: list[PageArticle]
    previous_page: str | None  # keys of the day's groups either side
    next_page: str | None
    previous_date: str | None
    next_date: str | None

    def to_dict(self) -> dict:
        return {"date": self.date, "key": self.group.key, "page": self.group.page, "section": self.group.section,
                "count": len(self.articles), "articles": [a.to_dict() for a in self.articles],
                "previous_page": self.previous_page, "next_page": self.next_page,
                "previous_date": self.previous_date, "next_date": self.next_date}


def group_day(rows: list[tuple[str, str | None, str | None, int | None]]) -> list[PageGroup]:
    """A day's (id, page, section, position) rows, in ingest order, as its pages in the order they were printed."""
    printed: dict[str, list[tuple[int, int, str, str | None]]] = {}
    by_section: dict[str, list[str]] = {}
    unpaged: list[str] = []
    for order, (article_id, page, section, position) in enumerate(rows):
        page = page.strip() if page and page.strip() else None
        section = section.strip() if section and section.strip() else None
        if page is not None:
            # Printed order: by position, those without one after, in the order they were stored.
            printed.setdefault(page, []).append((position if position is not None else 1 << 30, order,
                                                 article_id, section))
        elif section is not None:
            by_section.setdefault(section, []).append(article_id)
        else:
            unpaged.append(article_id)
    groups = []
    for page in sorted(printed, key=page_order):
        items = sorted(printed[page])
        sections = Counter(section for *_, section in items if section)
        groups.append(PageGroup(page, page, sections.most_common(1)[0][0] if sections else None,
                                tuple(article_id for _, _, article_id, _ in items)))
    taken = {group.key for group in groups}
    for section in sorted(by_section):
        key = section if section not in taken else f"{section} ({UNPAGED})"
        groups.append(PageGroup(key, None, section, tuple(by_section[section])))
    if unpaged:
        groups.append(PageGroup(UNPAGED, None, None, tuple(unpaged)))
    return groups


def find_group(groups: list[PageGroup], day: str, key: object) -> int:
    """Where the group `key` names is among a day's groups (a page code matched without case or spaces)."""
    if isinstance(key, str) and key.strip():
        wanted = key.strip().casefold()
        for number, group in enumerate(groups):
            if group.key.casefold() == wanted:
                return number
    listed = ", ".join(group.key for group in groups) or "none"
    raise NotFound(f"no page {str(key)[:40]!r} on {day} (its pages: {listed})", code="page_not_found")
