"""The chart of hits over time above the results: bars built from the search's date counts.

Drawn by the server as plain elements (no script needed); each bar links to the search narrowed to its day,
month or year. Periods without hits between the first and the last are drawn as empty bars, so the chart's
width is time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..search.facets import DAY_FACET_MAX_DAYS, Facets, date_span, iso_day

# Past ten years of months, bars get too thin to see or to click: the chart is drawn per year.
MAX_MONTH_BARS = 120
# A bar with hits stays visible and clickable however tall the tallest one is.
MIN_HEIGHT_PERCENT = 4
# Up to this many bars each gets its own label; past it only the first and the last do.
MAX_TICKS = 16
# A phone's chart is about 340 px wide: room for this many labels ("2017年11月" is some 60 px at its size). The
# labels between are `minor`, and the stylesheet hides them on narrow screens.
NARROW_TICKS = 6


@dataclass(frozen=True)
class Bar:
    label: str  # 2018-02-28, 2018-02 or 2018
    count: int
    height: int  # percent of the tallest bar
    date_from: str  # the days a click narrows the search to
    date_to: str
    title: str  # what the bar says to a screen reader and in its tooltip
    tick: str  # the label under the bar; empty where bars are too many to label each
    minor: bool = False  # a label left out on a narrow screen, where every label would run into the next


@dataclass(frozen=True)
class Timeline:
    unit: str  # "day", "month" or "year"
    bars: list[Bar]
    peak: int
    unplaced: int  # hits counted but not on the chart: no date, or a date less precise than the unit


def _month_days(year: int, month: int) -> tuple[str, str]:
    first, last = date_span(f"{year:04d}-{month:02d}")
    return iso_day(first), iso_day(last)


# (label, count, first day, last day, full name, short name) of one period
Period = tuple[str, int, str, str, str, str]


def _days(counts: dict[str, int], first: date, last: date) -> list[Period]:
    periods, day = [], first
    while day <= last:
        iso = day.isoformat()
        full = f"{day.year}年{day.month}月{day.day}日"
        short = f"{day.month}月{day.day}日" if day == first or day.day == 1 else f"{day.day}日"
        periods.append((iso, counts.get(iso, 0), iso, iso, full, short))
        day += timedelta(days=1)
    return periods


def _months(counts: dict[str, int], first: tuple[int, int], last: tuple[int, int]) -> list[Period]:
    (year, month), periods = first, []
    while (year, month) <= last:
        label = f"{year:04d}-{month:02d}"
        full = f"{year}年{month}月"
        short = full if (year, month) == first or month == 1 else f"{month}月"
        periods.append((label, counts.get(label, 0), *_month_days(year, month), full, short))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _years(counts: dict[str, int]) -> list[Period]:
    by_year: dict[int, int] = {}
    for label, count in counts.items():
        by_year[int(label[:4])] = by_year.get(int(label[:4]), 0) + count
    return [(f"{year:04d}", by_year.get(year, 0), f"{year:04d}-01-01", f"{year:04d}-12-31", f"{year}年",
             f"{year}") for year in range(min(by_year), max(by_year) + 1)]


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> int:
    return (last[0] - first[0]) * 12 + last[1] - first[1] + 1


def timeline(facets: Facets | None, total: int, date_from: str | None = None,
             date_to: str | None = None) -> Timeline | None:
    """Bars per day when the hits' dates span two months or less, else per month, or per year past ten.

    The chart covers the date filter's range where that keeps the same unit (narrowed to January, it shows
    all of January's days, not just those from the first hit to the last).
    """
    if facets is None:
        return None
    start = date.fromisoformat(date_from) if date_from and len(date_from) == 10 else None
    end = date.fromisoformat(date_to) if date_to and len(date_to) == 10 else None
    if facets.day:
        counts = dict(facets.day)
        first, last = date.fromisoformat(min(counts)), date.fromisoformat(max(counts))
        wider = (min(first, start or first), max(last, end or last))
        if (wider[1] - wider[0]).days < DAY_FACET_MAX_DAYS:
            first, last = wider
        unit, periods = "day", _days(counts, first, last)
    elif facets.month:
        counts = dict(facets.month)
        first = tuple(map(int, min(counts).split("-")))
        last = tuple(map(int, max(counts).split("-")))
        wider = (min(first, (start.year, start.month) if start else first),
                 max(last, (end.year, end.month) if end else last))
        if _months_between(*wider) <= MAX_MONTH_BARS:
            first, last = wider
        if _months_between(first, last) <= MAX_MONTH_BARS:
            unit, periods = "month", _months(counts, first, last)
        else:
            unit, periods = "year", _years(counts)
    else:
        return None
    peak = max(period[1] for period in periods)
    labelled = len(periods) <= MAX_TICKS
    step = -(-len(periods) // NARROW_TICKS)
    bars = [Bar(label=label, count=count,
                height=max(MIN_HEIGHT_PERCENT, round(100 * count / peak)) if count else 0,
                date_from=first_day, date_to=last_day, title=f"{full}：{count} 篇",
                tick=short if labelled else (full if i in (0, len(periods) - 1) else ""),
                minor=labelled and i % step != 0)
            for i, (label, count, first_day, last_day, full, short) in enumerate(periods)]
    return Timeline(unit=unit, bars=bars, peak=peak, unplaced=total - sum(bar.count for bar in bars))
