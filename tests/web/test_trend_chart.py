"""The trends chart (`service.web.trend_chart`) and the /trends page that draws it."""

import re

import pytest

from service.search.trends import Series, TrendPoint, Trends, periods
from service.web import create_app
from service.web.trend_chart import MAX_LABELS, PHONE_LABELS, trend_chart


def trends_of(rows, by="month", first=20170101, last=20171231):
    spans = periods(by, first, last)
    series = [Series(query, sum(hits), [TrendPoint(span, h, a) for span, h, a in zip(spans, hits, articles)])
              for query, hits, articles in rows]
    return Trends(by, spans[0].date_from, spans[-1].date_to, None, series)


def test_points_sit_on_a_shared_scale_from_left_to_right():
    chart = trend_chart(trends_of([("甲", [0, 4, 8] + [0] * 9, [10] * 12), ("乙", [2] * 12, [10] * 12)]))
    first, second = chart.lines
    assert chart.peak == 10 and chart.peak_label == "10 篇"
    assert [p.x for p in first.points][:2] == [4.0, pytest.approx(4 + 92 / 11)] and first.points[-1].x == 96.0
    assert [p.y for p in first.points[:3]] == [100.0, 60.0, 20.0] and second.points[0].y == 80.0
    assert first.points[1].title == "甲 · 2017年2月：4 篇，占当期 10 篇的 40.0%"
    assert first.path.startswith("40.0,1000.0 ")


def test_shares_are_drawn_against_their_own_scale():
    chart = trend_chart(trends_of([("甲", [1, 3] + [0] * 10, [10, 20] + [0] * 10)]), "share")
    assert chart.show == "share" and chart.peak == pytest.approx(0.2) and chart.peak_label == "20%"
    assert [p.y for p in chart.lines[0].points[:3]] == [50.0, 25.0, 100.0]


def test_labels_thin_out_and_half_of_them_are_minor_for_a_phone():
    chart = trend_chart(trends_of([("甲", [1] * 120, [5] * 120)], first=20100101, last=20191231))
    assert len(chart.labels) <= MAX_LABELS
    shown = [label for label in chart.labels if not label.minor]
    assert 2 <= len(shown) <= PHONE_LABELS and chart.labels[0].text == "2010-01" and not chart.labels[0].minor
    assert chart.dense
    few = trend_chart(trends_of([("甲", [1] * 3, [5] * 3)], by="year", first=20150101, last=20171231))
    assert [label.text for label in few.labels] == ["2015", "2016", "2017"] and not few.dense


def test_nothing_to_draw_without_periods():
    assert trend_chart(Trends("month", None, None, None, [Series("甲", 3, [])])) is None


@pytest.fixture(scope="module")
def client(dated_engine):
    return create_app(engine=dated_engine).test_client()


def test_the_page_draws_each_query_with_links_to_each_period_s_hits(client):
    page = client.get("/trends?q=扶贫&q=医保&q=").get_data(as_text=True)
    assert page.count('<polyline class="trend-s') == 2
    assert page.count('class="point"') == 4 + 1  # a point for each period with hits: 扶贫 in 4 months, 医保 in 1
    assert 'href="/search?q=%E6%89%B6%E8%B4%AB&amp;date_from=2018-02-01&amp;date_to=2018-02-28"' in page
    assert re.search(r'<a id="show-share" href="/trends\?q=%E6%89%B6%E8%B4%AB&amp;q=%E5%8C%BB%E4%BF%9D&amp;'
                     r'by=month&amp;show=share"', page)
    assert page.count('class="trend-box trend-s') == 5 and page.count('<input name="q" type="search" value=""') == 3


def test_the_traditional_page_keeps_the_queries_and_converts_the_interface(client):
    page = client.get("/trends?q=扶贫&show=share&script=traditional").get_data(as_text=True)
    assert "佔比" in page or "占比" in page
    assert "趨勢" in page and 'value="扶贫"' in page
    assert "script=traditional" in re.search(r'class="point"[^>]*href="([^"]+)"', page)[1]


def test_without_queries_the_page_explains_itself_and_bad_ones_are_400(client):
    empty = client.get("/trends")
    assert empty.status_code == 200 and "输入一到五个检索词" in empty.get_data(as_text=True)
    too_many = client.get("/trends?" + "&".join(f"q=词{n}" for n in range(6)))
    assert too_many.status_code == 400 and "一次最多比较 5 个检索词，收到 6 个" in too_many.get_data(as_text=True)
    by_week = client.get("/trends?q=扶贫&by=week&script=traditional")
    assert by_week.status_code == 400 and "時段（by）只能是 year" in by_week.get_data(as_text=True)


def test_the_results_page_links_to_the_trends_and_to_its_words(client):
    page = client.get("/search?q=扶贫").get_data(as_text=True)
    assert 'class="trends-link" href="/trends?q=%E6%89%B6%E8%B4%AB"' in page
    words = re.findall(r'<a class="chip" href="(/search\?q=%E6%89%B6%E8%B4%AB\+[^"]+)"[^>]*>([^<]+)</a>', page)
    assert words and words[0][1] == "脱贫"
