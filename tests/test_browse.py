import json
import sqlite3

import pytest

from helpers import SEED_PAGE
from service.browse import PageGroup, group_day, page_order
from service.errors import NotFound, QueryError


def _archive(engine, tmp_path):
    """The seed page (B03 城事, 2018-02-28, ten items) and article-file records around it."""
    records = [
        {"id": "2018-02-28/A10/1", "title": "十版头条", "body": "十版。", "date": "2018-02-28", "page": "A10",
         "section": "要闻"},
        {"id": "2018-02-28/A2/2", "title": "二版之二", "body": "二版二。", "date": "2018-02-28 08:00:00",
         "page": "A2", "section": "要闻", "position": 2},
        {"id": "file-city", "title": "城事稿", "body": "城事。", "date": "2018-02-28", "section": "城事"},
        {"id": "file-none", "title": "无版", "body": "无版。", "date": "2018-02-28"},
        {"id": "early", "title": "早", "body": "早。", "date": "2018-01-05", "page": "A01"},
        {"id": "late", "title": "晚", "body": "晚。", "date": "2018-03-01", "page": "A01"},
        {"id": "month", "title": "月", "body": "月。", "date": "2018-02"},
        {"id": "undated", "title": "无日期", "body": "无。", "page": "A01"},
    ]
    path = tmp_path / "more.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    engine.ingest([SEED_PAGE, path])
    # A page's first article stored after its second: printed order is not ingest order.
    engine.ingest_records([{"id": "2018-02-28/A2/1", "title": "二版头条", "body": "二版一。", "date": "2018-02-28",
                            "page": "A2", "section": "要闻", "position": "1"}])


def test_the_dates_with_articles_and_their_counts(engine, tmp_path):
    _archive(engine, tmp_path)
    assert [(d.date, d.count) for d in engine.dates()] == [("2018-01-05", 1), ("2018-02-28", 15),
                                                           ("2018-03-01", 1)]
    assert [d.to_dict() for d in engine.dates("2018-02", "2018-03-01")] == [{"date": "2018-02-28", "count": 15},
                                                                           {"date": "2018-03-01", "count": 1}]
    assert engine.dates(date_to="2018-01") == engine.dates("2018", "2018-01-31")[:1]
    assert engine.dates("2019") == []
    for kwargs, code in (({"date_from": "2018-13"}, "bad_from"), ({"date_to": "soon"}, "bad_to"),
                         ({"date_from": "2019", "date_to": "2018"}, "bad_date_range")):
        with pytest.raises(QueryError) as caught:
            engine.dates(**kwargs)
        assert caught.value.code == code


def test_a_days_pages_in_printed_order_then_article_files_by_section_then_the_unpaged(engine, tmp_path):
    _archive(engine, tmp_path)
    day = engine.pages("2018-02-28")
    assert [(g.key, g.page, g.section, g.count) for g in day.pages] == [
        ("A2", "A2", "要闻", 2), ("A10", "A10", "要闻", 1), ("B03", "B03", "城事", 10), ("城事", None, "城事", 1),
        ("unpaged", None, None, 1)]
    assert day.pages[0].ids == ("2018-02-28/A2/1", "2018-02-28/A2/2")
    seed = [a for a in engine.store.iter_articles() if a.page == "B03"]
    assert list(day.pages[2].ids) == [a.id for a in sorted(seed, key=lambda a: a.position)]
    assert (day.previous_date, day.next_date, day.count) == ("2018-01-05", "2018-03-01", 15)
    assert day.to_dict()["pages"][3] == {"key": "城事", "page": None, "section": "城事", "count": 1,
                                         "ids": ["file-city"]}
    empty = engine.pages("2018-02-01")
    assert empty.pages == [] and (empty.previous_date, empty.next_date) == ("2018-01-05", "2018-02-28")
    with pytest.raises(QueryError) as caught:
        engine.pages("2018-02")
    assert caught.value.code == "bad_date"


def test_a_page_shows_its_articles_in_printed_order_with_the_pages_and_days_either_side(engine, tmp_path):
    _archive(engine, tmp_path)
    page = engine.page("2018-02-28", "a2")
    assert [a.article.id for a in page.articles] == ["2018-02-28/A2/1", "2018-02-28/A2/2"]
    assert (page.previous_page, page.next_page, page.previous_date, page.next_date) == (
        None, "A10", "2018-01-05", "2018-03-01")
    b03 = engine.page("2018-02-28", "B03", script="traditional")
    assert [a.article.position for a in b03.articles] == sorted(a.article.position for a in b03.articles)
    assert all(a.summary for a in b03.articles) and b03.articles[0].article.section == "城事"
    assert (b03.previous_page, b03.next_page) == ("A10", "城事")
    assert engine.page("2018-02-28", "unpaged").to_dict()["articles"][0]["id"] == "file-none"
    assert engine.page("2018-02-28", "unpaged").next_page is None
    with pytest.raises(NotFound) as caught:
        engine.page("2018-02-28", "C01")
    assert caught.value.code == "page_not_found" and "A2, A10, B03, 城事, unpaged" in caught.value.message
    with pytest.raises(NotFound):
        engine.page("2018-02-01", "A01")


def test_pages_follow_as_a_reader_turns_them():
    assert sorted(["B1", "A10", "a2", "A01", "第3版", "B03"], key=page_order) == ["A01", "a2", "A10", "B1", "B03",
                                                                                  "第3版"]


def test_a_section_named_like_a_page_code_keeps_a_key_of_its_own():
    groups = group_day([("p", "A01", "要闻", 1), ("f", None, "A01", None)])
    assert groups == [PageGroup("A01", "A01", "要闻", ("p",)), PageGroup("A01 (unpaged)", None, "A01", ("f",))]


def test_the_store_browses_from_an_index_added_by_migration(engine):
    conn = sqlite3.connect(engine.store.path)
    plan = " ".join(str(row) for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT date, COUNT(*) FROM articles WHERE date >= '2018' AND length(date) = 10 "
        "GROUP BY date"))
    assert "articles_by_date" in plan
    conn.close()
