"""The chart of hits over time above the results: bars built from the search's date counts.

Drawn by the server as plain elements (no script needed); each bar links to the search narrowed to its day,
month or year. Periods without hits between the first and the last are drawn as empty bars, so the chart's
width is time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ..facets import Facets

# Past ten years of months, bars get too thin to see or to click: the chart is drawn per year.
MAX_MONTH_BARS = 120
# A bar with hits stays visible and clickable however tall the tallest one is.
MIN_HEIGHT_PERCENT = 4


@dataclass(frozen=True)
class Bar:
    label: str  # 2018-02-28, 2018-02 or 2018
    count: int
    height: int  # percent of the tallest bar
    date_from: str  # the days a click narrows the search to
    date_to: str
    title: str  # what the bar says to a screen reader and in its tooltip


@dataclass(frozen=True)
class Timeline:
    unit: str  # "day", "month" or "year"
    bars: list[Bar]
    peak: int


def _month_days(year: int, month: int) -> tuple[str, str]:
    last = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"


def _days(counts: dict[str, int]) -> list[tuple[str, int, str, str, str]]:
    first, last = date.fromisoformat(min(counts)), date.fromisoformat(max(counts))
    periods, day = [], first
    while day <= last:
        iso = day.isoformat()
        periods.append((iso, counts.get(iso, 0), iso, iso, f"{day.year}年{day.month}月{day.day}日"))
        day += timedelta(days=1)
    return periods


def _months(counts: dict[str, int]) -> list[tuple[str, int, str, str, str]]:
    year, month = map(int, min(counts).split("-"))
    last = tuple(map(int, max(counts).split("-")))
    periods = []
    while (year, month) <= last:
        label = f"{year:04d}-{month:02d}"
        periods.append((label, counts.get(label, 0), *_month_days(year, month), f"{year}年{month}月"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _years(counts: dict[str, int]) -> list[tuple[str, int, str, str, str]]:
    by_year: dict[int, int] = {}
    for label, count in counts.items():
        by_year[int(label[:4])] = by_year.get(int(label[:4]), 0) + count
    return [(f"{year:04d}", by_year.get(year, 0), f"{year:04d}-01-01", f"{year:04d}-12-31", f"{year}年")
            for year in range(min(by_year), max(by_year) + 1)]


def timeline(facets: Facets | None) -> Timeline | None:
    """Bars per day when the hits' dates span two months or less, else per month, or per year past ten."""
    if facets is None:
        return None
    if facets.day:
        unit, periods = "day", _days(dict(facets.day))
    elif facets.month:
        months = dict(facets.month)
        first, last = min(months), max(months)
        span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
        unit, periods = ("month", _months(months)) if span <= MAX_MONTH_BARS else ("year", _years(months))
    else:
        return None
    peak = max(count for _, count, *_ in periods)
    bars = [Bar(label=label, count=count,
                height=max(MIN_HEIGHT_PERCENT, round(100 * count / peak)) if count else 0,
                date_from=date_from, date_to=date_to, title=f"{name}：{count} 篇")
            for label, count, date_from, date_to, name in periods]
    return Timeline(unit=unit, bars=bars, peak=peak)
