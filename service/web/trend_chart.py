"""The trends chart: one line per query over the same periods, drawn by the server.

The lines are an SVG stretched to the plot's box (its strokes keep their width), while the points, the period
labels and the scale are HTML placed by percentages over it: they keep their size and stay tappable at any
width, where text and dots inside a scaled SVG would shrink to nothing on a phone. Each point is a link to
the search for its query narrowed to its period. No script is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..search.trends import Trends

SHOWS = ("hits", "share")
# Labels under the plot: at most this many on a wide screen, and half as many at phone width (the others are
# marked `minor` and hidden there), so that labels never run into each other.
MAX_LABELS = 12
PHONE_LABELS = 6
# Past this many periods a point is drawn as a small dot (still a link): large ones would cover the line.
DENSE_POINTS = 24


@dataclass(frozen=True)
class ChartPoint:
    x: float  # percent of the plot's width
    y: float  # percent of its height, from the top
    value: float
    hits: int
    share: float
    articles: int
    date_from: str
    date_to: str
    title: str  # what the point says in its tooltip and to a screen reader


@dataclass(frozen=True)
class ChartLine:
    index: int  # 0-4: its colour and dash
    query: str
    total: int
    points: list[ChartPoint]

    @property
    def path(self) -> str:
        """The line in the SVG's 0-1000 box."""
        return " ".join(f"{p.x * 10:.1f},{p.y * 10:.1f}" for p in self.points)


@dataclass(frozen=True)
class Label:
    x: float
    text: str
    minor: bool  # hidden at phone width


@dataclass(frozen=True)
class TrendChart:
    show: str  # "hits" or "share"
    lines: list[ChartLine]
    labels: list[Label]
    peak: float  # the top of the scale
    peak_label: str
    dense: bool


def check_show(show: str | None) -> str:
    return show if show in SHOWS else "hits"


def _period_name(label: str) -> str:
    return f"{label[:4]}年{int(label[5:])}月" if len(label) == 7 else f"{label}年"


def _nice_ceiling(value: float) -> float:
    """The scale's top: 1, 2, 2.5 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-12)


def _scale_label(value: float, show: str) -> str:
    if show == "share":
        percent = value * 100
        return f"{percent:.0f}%" if percent >= 10 or percent == int(percent) else f"{percent:.2g}%"
    return f"{value:g} 篇"


def trend_chart(trends: Trends, show: str = "hits") -> TrendChart | None:
    """The chart of `trends` showing hits or shares; None when there are no periods to draw."""
    show = check_show(show)
    if not trends.series or not trends.series[0].points:
        return None
    count = len(trends.series[0].points)

    def x_of(i: int) -> float:
        # 4 % in from either side: the first and last labels, centred on their points, stay inside the chart.
        return 50.0 if count == 1 else 4 + 92 * i / (count - 1)

    values = [[p.hits if show == "hits" else p.share for p in s.points] for s in trends.series]
    peak = _nice_ceiling(max(max(v) for v in values))
    if show == "hits":
        peak = max(peak, 1.0)
    lines = []
    for index, (series, row) in enumerate(zip(trends.series, values)):
        points = [ChartPoint(x=x_of(i), y=round(100 - 100 * value / peak, 2), value=value, hits=p.hits,
                             share=p.share, articles=p.articles, date_from=p.period.date_from,
                             date_to=p.period.date_to,
                             title=f"{series.query} · {_period_name(p.period.label)}：{p.hits} 篇，占当期 "
                                   f"{p.articles} 篇的 {100 * p.share:.1f}%")
                  for i, (p, value) in enumerate(zip(series.points, row))]
        lines.append(ChartLine(index, series.query, series.total, points))
    # Every `wide`-th period is labelled; at phone width every `narrow`-th, a multiple of it.
    wide = math.ceil(count / MAX_LABELS)
    narrow = wide * math.ceil(count / wide / PHONE_LABELS)
    labels = [Label(x_of(i), p.period.label, minor=i % narrow != 0)
              for i, p in enumerate(trends.series[0].points) if i % wide == 0]
    return TrendChart(show, lines, labels, peak, _scale_label(peak, show), dense=count > DENSE_POINTS)
