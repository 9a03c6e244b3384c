"""Hits per period over the archive's articles per period (`service.search.trends`), alone and through the engine."""

import numpy as np
import pytest

from service.errors import QueryError
from service.search.facets import NONE
from service.search.trends import (MAX_PERIODS, Period, TrendPoint, check_by, check_queries, periods, span_periods,
                                   tally)


def labels(spans):
    return [span.label for span in spans]


def test_months_run_across_the_turn_of_a_year_each_with_its_days():
    spans = periods("month", 20171106, 20180215)
    assert labels(spans) == ["2017-11", "2017-12", "2018-01", "2018-02"]
    assert (spans[0].date_from, spans[0].date_to) == ("2017-11-01", "2017-11-30")
    assert (spans[-1].date_from, spans[-1].date_to) == ("2018-02-01", "2018-02-28")
    assert [span.key for span in periods("year", 20160229, 20181231)] == [2016, 2017, 2018]
    assert periods("year", 20160229, 20181231)[0] == Period("2016", 2016, "2016-01-01", "2016-12-31")


def test_too_many_periods_are_refused_naming_what_to_change():
    with pytest.raises(QueryError) as error:
        periods("month", 10101, 99991231)
    assert error.value.code == "too_many_periods" and "from and to" in error.value.message
    assert len(periods("month", 19000101, 19000101 + (MAX_PERIODS // 12 - 1) * 10000 + 1130)) == MAX_PERIODS


def test_open_ends_are_the_archive_s_first_and_last_period():
    keys = np.array([201802, NONE, 201711, 201803], dtype=np.int32)
    assert labels(span_periods(keys, "month", None, None)) == ["2017-11", "2017-12", "2018-01", "2018-02", "2018-03"]
    assert labels(span_periods(keys, "month", 20180101, None)) == ["2018-01", "2018-02", "2018-03"]
    assert labels(span_periods(np.array([2018, 2020], dtype=np.int32), "year", None, None)) == ["2018", "2019", "2020"]
    assert span_periods(np.array([NONE], dtype=np.int32), "month", None, None) == []
    assert span_periods(keys, "month", 20190101, None) == []  # from after the archive's last article


def test_tally_counts_each_period_and_leaves_out_the_undated_and_the_outside():
    spans = periods("month", 20171101, 20180228)
    keys = np.array([201711, 201711, NONE, 201802, 201710, 201803, 201801], dtype=np.int32)
    assert tally(keys, spans, "month").tolist() == [2, 0, 1, 1]
    assert tally(np.array([2017, 2019, NONE], dtype=np.int32), periods("year", 20170101, 20181231), "year").tolist() \
        == [1, 0]


def test_share_is_zero_for_a_period_without_articles():
    span = Period("2018-01", 201801, "2018-01-01", "2018-01-31")
    assert TrendPoint(span, 0, 0).share == 0.0
    assert TrendPoint(span, 3, 12, 5).to_dict() == {"period": "2018-01", "hits": 3, "share": 0.25, "articles": 12,
                                                     "printings": 5}


@pytest.mark.parametrize("queries, code, names", [
    ([], "empty_query", "parameter q is missing"),
    (["扶贫", "  "], "empty_query", "query 2 of 2"),
    (["a", "b", "c", "d", "e", "f"], "too_many_queries", "at most 5"),
    ("扶贫", "empty_query", "parameter q"),
])
def test_bad_query_lists_are_refused_naming_q(queries, code, names):
    with pytest.raises(QueryError) as error:
        check_queries(queries)
    assert error.value.code == code and names in error.value.message


def test_by_is_year_or_month():
    assert check_by(None) == "month" and check_by("year") == "year"
    with pytest.raises(QueryError) as error:
        check_by("week")
    assert error.value.code == "bad_by" and "parameter by" in error.value.message


def test_each_point_counts_what_the_search_narrowed_to_its_period_finds(dated_engine):
    trends = dated_engine.trends(["扶贫", "医保"])
    assert trends.by == "month" and [s.query for s in trends.series] == ["扶贫", "医保"]
    assert [p.period.label for p in trends.series[0].points] == ["2017-11", "2017-12", "2018-01", "2018-02", "2018-03"]
    months = dict(dated_engine.archive_facets().month)
    for series in trends.series:
        assert series.total == dated_engine.search(series.query, k=1, summaries=False).total
        for point in series.points:
            narrowed = dated_engine.search(series.query, k=1, summaries=False, date_from=point.period.date_from,
                                           date_to=point.period.date_to)
            assert point.hits == narrowed.total
            assert point.articles == months.get(point.period.label, 0)
    december = trends.series[0].points[1]
    assert (december.hits, december.articles, december.share) == (0, 0, 0.0)  # a month without articles is drawn
    february = trends.series[0].points[3]
    assert february.hits == 7 and february.articles == 11 and february.share == pytest.approx(7 / 11)


def test_a_story_printed_several_times_counts_once_in_a_period_as_a_collapsed_search_counts_it(engine):
    from helpers import REPRINTS_ARCHIVE

    engine.ingest([REPRINTS_ARCHIVE])
    series = engine.trends(["人大"], "month").series[0]
    march = next(p for p in series.points if p.period.label == "2018-03")
    collapsed = engine.search("人大", k=1, summaries=False, date_from="2018-03", date_to="2018-03")
    every = engine.search("人大", k=1, summaries=False, date_from="2018-03", date_to="2018-03", collapse=False)
    assert march.hits == collapsed.total < march.printings == every.total
    assert series.total == engine.search("人大", k=1, summaries=False).total < series.printings
    assert series.to_dict()["printings"] == series.printings and march.to_dict()["printings"] == march.printings


def test_by_year_counts_articles_dated_by_year_alone(dated_engine):
    trends = dated_engine.trends(["扶贫"], "year")
    assert [(p.period.label, p.hits) for p in trends.series[0].points] == [("2017", 3), ("2018", 11)]
    by_month = dated_engine.trends(["扶贫"], "month")
    assert sum(p.hits for p in by_month.series[0].points) == 13  # the article dated 2017 alone is in no month


def test_from_and_to_draw_their_whole_range_and_section_its_own_articles(dated_engine):
    trends = dated_engine.trends(["扶贫"], date_from="2017-10", date_to="2018-04", section="要闻")
    points = trends.series[0].points
    assert (trends.date_from, trends.date_to, trends.section) == ("2017-10-01", "2018-04-30", "要闻")
    assert [p.period.label for p in points][0] == "2017-10" and points[-1].period.label == "2018-04"
    assert points[0].articles == 0 and points[-1].articles == 0
    total = dated_engine.search("扶贫", k=1, summaries=False, section="要闻").total
    assert sum(p.hits for p in points) == total == trends.series[0].total
    in_section = dated_engine.search("section:要闻", k=1, summaries=False).total
    assert sum(p.articles for p in points) == in_section
    assert all(p.hits <= p.articles for p in points)


def test_any_query_syntax_is_a_series(dated_engine):
    trends = dated_engine.trends(["扶贫 OR 医保", "扶贫 -贷款"], "year")
    either, without = trends.series
    assert either.total == dated_engine.search("扶贫 OR 医保", k=1, summaries=False).total
    assert without.total == dated_engine.search("扶贫 -贷款", k=1, summaries=False).total < either.total


@pytest.mark.parametrize("args, code, names", [
    ({"queries": ["扶贫"], "by": "day"}, "bad_by", "parameter by"),
    ({"queries": ["扶贫"], "date_from": "2018-13"}, "bad_from", "parameter from"),
    ({"queries": ["扶贫"], "date_to": "soon"}, "bad_to", "parameter to"),
    ({"queries": ["扶贫"], "date_from": "2018", "date_to": "2017"}, "bad_date_range", "after"),
    ({"queries": ["扶贫", ""]}, "empty_query", "parameter q"),
    ({"queries": ["医" * 300]}, "query_too_long", "limit is"),
])
def test_bad_parameters_are_refused_before_anything_is_counted(dated_engine, args, code, names):
    with pytest.raises(QueryError) as error:
        dated_engine.trends(**args)
    assert error.value.code == code and names in error.value.message
