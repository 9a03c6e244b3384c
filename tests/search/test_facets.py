"""Filters by date and section, and counts by month, day and section, through the engine."""

import numpy as np
import pytest

from service.errors import QueryError
from service.search.facets import DocumentFields, Filters, check_filters, date_span


def ids(results):
    return [hit.article.id for hit in results.hits]


@pytest.mark.parametrize("value, span", [
    ("2018-02-28", (20180228, 20180228)),
    ("2018-02", (20180201, 20180228)),
    ("2016-02", (20160201, 20160229)),
    ("2018", (20180101, 20181231)),
    (" 2018-01 ", (20180101, 20180131)),
    ("2018-02-30", None), ("2018-13", None), ("18-02-01", None), ("2018/02/01", None), ("", None), (None, None),
])
def test_dates_are_the_days_they_cover(value, span):
    assert date_span(value) == span


@pytest.mark.parametrize("args, code, names", [
    ({"date_from": "2018-02-30"}, "bad_date_from", "parameter date_from"),
    ({"date_to": "yesterday"}, "bad_date_to", "parameter date_to"),
    ({"date_from": "2018-03", "date_to": "2018-02"}, "bad_date_range", "date_from 2018-03 is after date_to 2018-02"),
    ({"section": "版" * 101}, "bad_section", "parameter section"),
    ({"section": 3}, "bad_section", "parameter section"),
])
def test_bad_filters_are_refused_naming_the_parameter(args, code, names):
    with pytest.raises(QueryError) as info:
        check_filters(**args)
    assert info.value.code == code and names in info.value.message


def test_empty_filters_are_no_filters():
    assert not check_filters("", " ", "").active and check_filters(None, None, None) == Filters()


def test_a_filter_keeps_articles_whose_whole_date_lies_inside_it(dated_engine):
    january = dated_engine.search("扶贫", date_from="2018-01", date_to="2018-01")
    assert set(ids(january)) == {"dated-03", "dated-04", "dated-05"}  # dated-05 is dated 2018-01 only
    part = dated_engine.search("扶贫", date_from="2018-01-05", date_to="2018-01-25")
    assert set(ids(part)) == {"dated-03", "dated-04"}  # a month-only date is not inside 5-25 January
    open_ended = dated_engine.search("扶贫", date_from="2018-03-01", k=100)
    assert set(ids(open_ended)) == {"dated-06"}
    assert all(h.article.date for h in dated_engine.search("扶贫", date_to="2030", k=100).hits)  # undated left out


def test_filtering_keeps_the_ranking_order_and_total(dated_engine):
    everything = dated_engine.search("扶贫", k=100)
    filtered = dated_engine.search("扶贫", k=100, date_from="2018-01-01", date_to="2018-03-31")
    kept = {h.article.id for h in filtered.hits}
    assert ids(filtered) == [i for i in ids(everything) if i in kept]
    assert filtered.total == len(kept) < everything.total
    assert [h.rank for h in filtered.hits] == list(range(1, len(kept) + 1))


def test_sections_match_in_either_script(dated_engine):
    simplified = dated_engine.search("扶贫", section="经济", k=100)
    traditional = dated_engine.search("扶贫", section="經濟", k=100)
    assert set(ids(simplified)) == set(ids(traditional)) == {"dated-02", "dated-05", "dated-09"}
    assert dated_engine.search("扶贫", section="体育").total == 0


def test_counts_are_what_a_click_on_each_bar_keeps(dated_engine):
    results = dated_engine.search("扶贫", facets=True)
    facets = results.facets
    assert facets.month == [("2017-11", 2), ("2018-01", 3), ("2018-02", 7), ("2018-03", 1)]
    assert facets.first == "2017-01-01" and facets.last == "2018-03-05"
    assert facets.day == []  # more than two months apart: counted by month
    assert facets.undated == 1
    assert dict(facets.section) == {"城事": 6, "要闻": 4, "经济": 3, "文化": 2}
    for month, count in facets.month:
        assert dated_engine.search("扶贫", date_from=month, date_to=month).total == count
    for section, count in facets.section:
        assert dated_engine.search("扶贫", section=section).total == count


def test_a_short_range_is_counted_by_day(dated_engine):
    facets = dated_engine.search("扶贫", date_from="2018-01", date_to="2018-02", facets=True).facets
    assert facets.day == [("2018-01-09", 1), ("2018-01-22", 1), ("2018-02-10", 1), ("2018-02-28", 6)]
    for day, count in facets.day:
        assert dated_engine.search("扶贫", date_from=day, date_to=day).total == count


def test_counts_follow_the_filters_and_the_display_script(dated_engine):
    results = dated_engine.search("扶贫", section="经济", facets=True, script="traditional")
    assert results.total == 3 and results.facets.section == [("經濟", 3)]
    assert results.to_dict()["filters"] == {"date_from": None, "date_to": None, "section": "经济"}


def test_no_facets_unless_asked(dated_engine):
    results = dated_engine.search("扶贫")
    assert results.facets is None and "facets" not in results.to_dict()


def test_the_archive_counts_cover_every_article(dated_engine):
    archive = dated_engine.archive_facets()
    assert sum(count for _, count in archive.section) == dated_engine.store.count() == 20
    assert archive.undated == 1
    assert archive.first == "2017-01-01" and archive.last == "2018-03-12"
    assert dated_engine.archive_facets("traditional").section[2] == ("經濟", 3)


def test_fields_of_articles_missing_from_the_store_count_as_undated():
    fields = DocumentFields(["a", "b", "c"], [("a", "2018-02-28", "要闻"), ("zz", "2018-01-01", "x")], str)
    facets = fields.count(np.arange(3))
    assert facets.undated == 2 and facets.section == [("要闻", 1)]
    assert fields.keep(np.arange(3), check_filters(section="x")).tolist() == [False, False, False]


def test_fields_grown_by_added_documents_are_those_read_afresh():
    rows = [("a", "2018-02-28", "要闻"), ("b", "2018-03", "經濟"), ("c", None, "经济"), ("d", "2017-12-01", "要聞"),
            ("e", "2018-03-05", "体育")]
    fold = __import__("opencc").OpenCC("t2s").convert
    first = DocumentFields(["a", "b"], rows[:2], fold)
    assert first.extends(["a", "b", "c", "d", "e"]) and not first.extends(["b", "a", "c"]) and not first.extends(["a"])
    grown = first.extended(["a", "b", "c", "d", "e"], rows[2:])
    afresh = DocumentFields(["a", "b", "c", "d", "e"], rows, fold)
    for name in ("first_day", "last_day", "month", "day", "section"):
        assert getattr(grown, name).tolist() == getattr(afresh, name).tolist(), name
    assert grown.section_names == afresh.section_names and first.section_names == ["要闻", "經濟"]
    everything = np.arange(5)
    assert grown.count(everything) == afresh.count(everything)
    assert grown.keep(everything, check_filters(section="要聞")).tolist() == [True, False, False, True, False]
