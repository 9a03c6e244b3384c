"""Narrowing a ranking by date and section, and counting what is left by month, day and section.

Filters and counts work on the index's document numbers: each document's date bounds, month, day and section
code sit in small arrays built once per index generation from the article store, so narrowing and counting
the candidates of a query are array operations, whatever their number.

Dates may be whole (`2018-02-28`) or partial (`2018-02`, `2018`). A date is the span of days it covers; a
filter keeps the articles whose whole span lies inside the filter's span, so an article dated `2018-02` is
kept by a filter for February but not by one for 10-20 February, and the counts by month and by day count
exactly the articles that a click on that month or day keeps.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

import numpy as np

from ..errors import QueryError

# A chart of hits per day is readable for about two months; past that it is drawn per month.
DAY_FACET_MAX_DAYS = 62
MAX_SECTION_CHARS = 100
NONE = -1

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def date_span(value: str | None) -> tuple[int, int] | None:
    """(first day, last day) as YYYYMMDD integers, or None when `value` is not a valid date."""
    if not value:
        return None
    match = _DATE.fullmatch(value.strip())
    if not match:
        return None
    year = int(match[1])
    month = int(match[2]) if match[2] else None
    day = int(match[3]) if match[3] else None
    try:
        if day is not None:
            date(year, month, day)
            whole = year * 10000 + month * 100 + day
            return whole, whole
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last
        date(year, 1, 1)
        return year * 10000 + 101, year * 10000 + 1231
    except (ValueError, TypeError):
        return None


def iso_day(number: int) -> str:
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"


def _iso_month(number: int) -> str:
    return f"{number // 100:04d}-{number % 100:02d}"


def _ordinal(number: int) -> int:
    return date(number // 10000, number // 100 % 100, number % 100).toordinal()


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None
    date_to: str | None = None
    section: str | None = None
    # YYYYMMDD bounds of the date filter, worked out once when the filters are checked
    first_day: int | None = field(default=None, compare=False, repr=False)
    last_day: int | None = field(default=None, compare=False, repr=False)

    @property
    def active(self) -> bool:
        return any((self.date_from, self.date_to, self.section))

    def to_dict(self) -> dict:
        return {"date_from": self.date_from, "date_to": self.date_to, "section": self.section}


def check_filters(date_from: object = None, date_to: object = None, section: object = None) -> Filters:
    """Validated filters; a bad one is a QueryError naming its parameter."""
    spans = {}
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value is None or (isinstance(value, str) and not value.strip()):
            spans[name] = None
            continue
        span = date_span(value) if isinstance(value, str) else None
        if span is None:
            raise QueryError(f"parameter {name} must be a date as YYYY-MM-DD, YYYY-MM or YYYY, got {value!r}",
                             code=f"bad_{name}")
        spans[name] = span
    if spans["date_from"] and spans["date_to"] and spans["date_from"][0] > spans["date_to"][1]:
        raise QueryError(f"date_from {date_from.strip()} is after date_to {date_to.strip()}",
                         code="bad_date_range")
    if section is not None and not isinstance(section, str):
        raise QueryError(f"parameter section must be text, got {section!r}", code="bad_section")
    section = section.strip() if section else None
    if section and len(section) > MAX_SECTION_CHARS:
        raise QueryError(f"parameter section is {len(section)} characters long; the limit is {MAX_SECTION_CHARS}",
                         code="bad_section")
    return Filters(date_from=date_from.strip() if spans["date_from"] else None,
                   date_to=date_to.strip() if spans["date_to"] else None,
                   section=section or None,
                   first_day=spans["date_from"][0] if spans["date_from"] else None,
                   last_day=spans["date_to"][1] if spans["date_to"] else None)


@dataclass(frozen=True)
class Facets:
    """Counts of a set of articles: by month and section always, by day when their dates span two months or
    less; `undated` have no date, `first` and `last` bound the dates of the rest."""

    month: list[tuple[str, int]]
    day: list[tuple[str, int]]
    section: list[tuple[str, int]]
    undated: int
    first: str | None
    last: str | None
    # The words that characterise the hits (`search.significant`), only when asked for: they cost a sample's
    # keywords and postings lookups that the other counts do not.
    terms: list | None = None

    def to_dict(self) -> dict:
        def counts(pairs):
            return [{"value": value, "count": count} for value, count in pairs]

        data = {"month": counts(self.month), "day": counts(self.day), "section": counts(self.section),
                "undated": self.undated, "first": self.first, "last": self.last}
        if self.terms is not None:
            data["terms"] = [term.to_dict() for term in self.terms]
        return data

    def with_section_names(self, rename: Callable[[str], str]) -> "Facets":
        return Facets(self.month, self.day, [(rename(name), count) for name, count in self.section], self.undated,
                      self.first, self.last, self.terms)


class DocumentFields:
    """Date bounds, month, day and section of every document number of one index generation."""

    def __init__(self, doc_ids: list[str], rows: Iterable[tuple[str, str | None, str | None]],
                 fold: Callable[[str], str]):
        size = len(doc_ids)
        self.doc_ids = doc_ids
        self.first_day = np.full(size, NONE, dtype=np.int32)
        self.last_day = np.full(size, NONE, dtype=np.int32)
        self.month = np.full(size, NONE, dtype=np.int32)
        self.day = np.full(size, NONE, dtype=np.int32)
        self.section = np.full(size, NONE, dtype=np.int32)
        self._fold = fold
        self._section_numbers: dict[str, int] = {}  # folded section -> code
        self._spellings: list[Counter] = []
        self._fill({doc_id: n for n, doc_id in enumerate(doc_ids)}, rows)

    def extends(self, doc_ids: list[str]) -> bool:
        """Whether `doc_ids` (a newer generation's) are these documents with more after them."""
        known = self.doc_ids
        return len(doc_ids) >= len(known) and doc_ids[:len(known)] == known

    def extended(self, doc_ids: list[str], rows: Iterable[tuple[str, str | None, str | None]]) -> "DocumentFields":
        """The fields of a generation that added documents after these (`extends`): theirs, and `rows` (of the
        added documents) read into the new places. A small ingest into a large archive then reads its own
        articles' dates and sections from the store, not every article's."""
        grown = DocumentFields.__new__(DocumentFields)
        added = len(doc_ids) - len(self.doc_ids)
        grown.doc_ids = doc_ids
        for name in ("first_day", "last_day", "month", "day", "section"):
            setattr(grown, name, np.concatenate((getattr(self, name), np.full(added, NONE, dtype=np.int32))))
        grown._fold = self._fold
        grown._section_numbers = dict(self._section_numbers)
        grown._spellings = [Counter(counts) for counts in self._spellings]
        start = len(self.doc_ids)
        grown._fill({doc_id: start + n for n, doc_id in enumerate(doc_ids[start:])}, rows)
        return grown

    def _fill(self, numbers: dict[str, int], rows: Iterable[tuple[str, str | None, str | None]]) -> None:
        spellings = self._spellings
        fold = self._fold
        for doc_id, when, section in rows:
            n = numbers.get(doc_id)
            if n is None:  # stored after this generation was built
                continue
            span = date_span(when)
            if span is not None:
                self.first_day[n], self.last_day[n] = span
                precision = len(when.strip())
                if precision >= 7:
                    self.month[n] = span[0] // 100
                if precision == 10:
                    self.day[n] = span[0]
            if section and section.strip():
                # Sections written in either script, or in full-width letters, are one section.
                key = fold(section.strip())
                code = self._section_numbers.setdefault(key, len(self._section_numbers))
                if code == len(spellings):
                    spellings.append(Counter())
                spellings[code][section.strip()] += 1
                self.section[n] = code
        # Each section is named by its most common spelling.
        self.section_names = [counts.most_common(1)[0][0] for counts in spellings]
        self._all: Facets | None = None

    def keep(self, candidates: np.ndarray, filters: Filters) -> np.ndarray:
        """A mask over `candidates`: True where the document passes every filter."""
        keep = np.ones(candidates.size, dtype=bool)
        if filters.first_day is not None or filters.last_day is not None:
            first, last = self.first_day[candidates], self.last_day[candidates]
            keep &= first != NONE
            if filters.first_day is not None:
                keep &= first >= filters.first_day
            if filters.last_day is not None:
                keep &= last <= filters.last_day
        if filters.section:
            code = self._section_numbers.get(self._fold(filters.section))
            if code is None:
                keep[:] = False
            else:
                keep &= self.section[candidates] == code
        return keep

    def date_order(self, candidates: np.ndarray, scores: np.ndarray, newest: bool) -> np.ndarray:
        """Positions of `candidates` by date (newest or oldest first, a partial date as its first day), the
        undated last; within a date by score, then document number (ingest order)."""
        day = self.first_day[candidates].astype(np.int64)
        undated = day == NONE
        return np.lexsort((candidates, -scores, -day if newest else day, undated))

    def count(self, candidates: np.ndarray) -> Facets:
        first_days = self.first_day[candidates]
        dated = first_days != NONE
        if not dated.any():
            month, day, first, last = [], [], None, None
        else:
            first_number = int(first_days[dated].min())
            last_number = int(self.last_day[candidates][dated].max())
            first, last = iso_day(first_number), iso_day(last_number)
            month = self._tally(self.month[candidates], _iso_month)
            day = []
            if _ordinal(last_number) - _ordinal(first_number) < DAY_FACET_MAX_DAYS:
                day = self._tally(self.day[candidates], iso_day)
        codes = self.section[candidates]
        codes = codes[codes != NONE]
        tally = np.bincount(codes, minlength=len(self.section_names)) if codes.size else np.zeros(0, np.int64)
        sections = sorted(((self.section_names[code], int(count)) for code, count in enumerate(tally) if count),
                          key=lambda pair: (-pair[1], pair[0]))
        return Facets(month=month, day=day, section=sections, undated=int((~dated).sum()), first=first, last=last)

    def count_all(self) -> Facets:
        """Counts of the whole archive (computed once per generation)."""
        if self._all is None:
            self._all = self.count(np.arange(self.first_day.size))
        return self._all

    @staticmethod
    def _tally(keys: np.ndarray, label: Callable[[int], str]) -> list[tuple[str, int]]:
        keys = keys[keys != NONE]
        if not keys.size:
            return []
        values, counts = np.unique(keys, return_counts=True)
        return [(label(int(v)), int(c)) for v, c in zip(values, counts)]
