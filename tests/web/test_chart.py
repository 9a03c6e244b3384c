"""The chart of hits over time: which unit, which bars, where a click leads."""

from service.search.facets import Facets
from service.web.chart import MAX_TICKS, timeline


def facets(month=(), day=(), undated=0):
    return Facets(month=list(month), day=list(day), section=[], undated=undated, first=None, last=None)


def test_months_with_the_empty_ones_between():
    chart = timeline(facets(month=[("2017-11", 2), ("2018-02", 6)]), total=8)
    assert chart.unit == "month" and chart.peak == 6 and chart.unplaced == 0
    assert [(b.label, b.count) for b in chart.bars] == [("2017-11", 2), ("2017-12", 0), ("2018-01", 0),
                                                         ("2018-02", 6)]
    assert [(b.date_from, b.date_to) for b in chart.bars][-1] == ("2018-02-01", "2018-02-28")
    assert [b.height for b in chart.bars] == [33, 0, 0, 100]
    assert [b.tick for b in chart.bars] == ["2017年11月", "12月", "2018年1月", "2月"]
    assert chart.bars[0].title == "2017年11月：2 篇"


def test_days_when_the_counts_come_by_day():
    chart = timeline(facets(month=[("2018-02", 3)], day=[("2018-02-27", 1), ("2018-03-01", 2)]), total=5)
    assert chart.unit == "day" and chart.unplaced == 2
    assert [(b.label, b.count) for b in chart.bars] == [("2018-02-27", 1), ("2018-02-28", 0), ("2018-03-01", 2)]
    assert [b.tick for b in chart.bars] == ["2月27日", "28日", "3月1日"]
    assert (chart.bars[2].date_from, chart.bars[2].date_to) == ("2018-03-01", "2018-03-01")


def test_the_chart_spans_the_date_filter_when_the_unit_allows():
    chart = timeline(facets(day=[("2018-01-09", 1), ("2018-01-22", 1)]), total=2, date_from="2018-01-01",
                     date_to="2018-01-31")
    assert len(chart.bars) == 31 and chart.bars[0].label == "2018-01-01" and chart.bars[-1].label == "2018-01-31"
    assert [b.tick for b in chart.bars if b.tick] == ["2018年1月1日", "2018年1月31日"]  # too many to label each
    wide = timeline(facets(day=[("2018-01-09", 1)]), total=1, date_from="2000-01-01", date_to="2030-12-31")
    assert len(wide.bars) == 1


def test_years_past_ten_years_of_months():
    chart = timeline(facets(month=[("1949-10", 1), ("1950-01", 2), ("1960-05", 4), ("1960-06", 1)]), total=8)
    assert chart.unit == "year" and len(chart.bars) == 12 and chart.unplaced == 0
    assert (chart.bars[0].label, chart.bars[0].count, chart.bars[-1].count) == ("1949", 1, 5)
    assert (chart.bars[-1].date_from, chart.bars[-1].date_to) == ("1960-01-01", "1960-12-31")
    assert len(chart.bars) <= MAX_TICKS and all(b.tick for b in chart.bars)


def test_small_counts_stay_visible():
    chart = timeline(facets(month=[("2018-01", 1), ("2018-02", 1000)]), total=1001)
    assert chart.bars[0].height == 4 and chart.bars[1].height == 100


def test_no_chart_without_dates():
    assert timeline(facets(undated=3), total=3) is None
    assert timeline(None, total=0) is None


def test_rough_edge_4_on_a_narrow_screen_only_every_few_year_labels_show():
    from service.web.chart import NARROW_TICKS

    months = [(f"{year}-06", year - 2000) for year in range(2008, 2023)]  # 15 years: drawn per year
    chart = timeline(facets(month=months), total=sum(c for _, c in months))
    assert chart.unit == "year" and len(chart.bars) == 15 and all(b.tick for b in chart.bars)
    shown = [b.tick for b in chart.bars if not b.minor]
    assert shown[0] == "2008" and 2 <= len(shown) <= NARROW_TICKS
    # evenly spaced, so that no two shown labels stand on neighbouring bars
    places = [i for i, b in enumerate(chart.bars) if not b.minor]
    assert len({b - a for a, b in zip(places, places[1:])}) == 1 and places[1] - places[0] >= 2
    few = timeline(facets(month=[("2017-11", 2), ("2018-02", 6)]), total=8)
    assert not any(b.minor for b in few.bars)
