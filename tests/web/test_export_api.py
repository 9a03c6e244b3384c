"""Sorting, exporting and browsing over the JSON API: /api/search?sort=, /api/export, /api/dates, /api/pages."""

import csv
import io
import json
import time
import urllib.parse

import pytest

from helpers import make_config
from service.articles import article_path
from service.engine import Engine
from service.export import BOM, CSV_COLUMNS
from service.web import create_app

ARTICLES = 300  # more hits than one search answer (k <= 100) holds
MEDICAL = urllib.parse.quote("医保")


def record(n):
    record = {"id": f"2018/B{n % 4:02d}#{n}", "title": f"医保第{n}号", "body": "医保报销政策。" * (1 + n % 3),
              "section": "城事" if n % 2 else "要闻", "authors": ["刘洪斌"]}
    if n % 25:
        record["date"] = f"20{10 + n % 9:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    return record


# One day printed as pages (A10 before B3, positions out of ingest order), with article-file records beside them.
DAY = [
    {"id": "day/B3/2", "title": "三版之二", "body": "三版二。", "date": "2015-05-04", "page": "B3", "section": "城事",
     "position": 2},
    {"id": "day/A10/1", "title": "十版头条", "body": "十版。", "date": "2015-05-04", "page": "A10", "section": "要闻",
     "position": 1},
    {"id": "day/B3/1", "title": "三版头条", "body": "三版一。", "date": "2015-05-04", "page": "B3", "section": "城事",
     "position": 1},
    {"id": "day file", "title": "文件稿", "body": "文件稿。", "date": "2015-05-04", "section": "民生"},
    {"id": "day none", "title": "无版稿", "body": "无版。", "date": "2015-05-04"},
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, analyzer):
    folder = tmp_path_factory.mktemp("export-api")
    path = folder / "many.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*map(record, range(ARTICLES)), *DAY]),
                    encoding="utf-8")
    engine = Engine(make_config(folder / "data"), analyzer=analyzer)
    engine.ingest([path])
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def client(archive):
    return create_app(engine=archive).test_client()


def error_of(response, status, code):
    assert response.status_code == status and response.content_type.startswith("application/json"), response.data
    assert response.json["error"]["code"] == code
    return response.json["error"]["message"]


# --- sort ---------------------------------------------------------------------------------------------------

def test_search_sorts_by_date_and_says_which_order(client):
    by_score = client.get(f"/api/search?q={MEDICAL}&k=100").json
    newest = client.get(f"/api/search?q={MEDICAL}&k=100&sort=newest").json
    oldest = client.get(f"/api/search?q={MEDICAL}&k=100&offset=200&sort=oldest").json
    assert by_score["sort"] == "relevance" and newest["sort"] == "newest" and oldest["sort"] == "oldest"
    dates = [hit["date"] for hit in newest["results"]]
    assert dates == sorted(dates, reverse=True) and None not in dates
    # The last page of the oldest first: the undated come last.
    assert oldest["results"][-1]["date"] is None and oldest["total"] == by_score["total"] == ARTICLES
    assert client.get("/api/search?q=section:%E5%9F%8E%E4%BA%8B").json["sort"] == "newest"


def test_a_bad_sort_is_400_naming_the_values(client):
    assert "relevance, newest, oldest" in error_of(client.get(f"/api/search?q={MEDICAL}&sort=date"), 400, "bad_sort")


# --- export -------------------------------------------------------------------------------------------------

def test_a_csv_export_holds_every_hit_with_a_bom_and_links_to_this_server(client):
    response = client.get(f"/api/export?q={MEDICAL}&format=csv", base_url="https://archive.example")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="jiansuo-')
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert response.headers["X-Total-Count"] == str(ARTICLES) and response.headers["X-Sort"] == "relevance"
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == ARTICLES + 1
    ranked = [hit["id"] for hit in client.get(f"/api/search?q={MEDICAL}&k=100").json["results"]]
    assert [row[0] for row in rows[1:101]] == ranked
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["2018/B01#1"][-1] == "https://archive.example" + article_path("2018/B01#1")
    assert by_id["2018/B01#1"][-1].endswith("/articles/2018%2FB01%231")


def test_an_export_takes_the_filters_sort_script_and_publication(client):
    response = client.get(f"/api/export?q={MEDICAL}&format=jsonl&sort=oldest&section=%E5%9F%8E%E4%BA%8B"
                          "&script=traditional&date_from=2012")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert response.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response.headers["X-Sort"] == "oldest" and len(lines) == int(response.headers["X-Total-Count"]) > 0
    assert {line["section"] for line in lines} == {"城事"} and all(line["date"] >= "2012" for line in lines)
    assert [line["date"] for line in lines] == sorted(line["date"] for line in lines)
    assert lines[0]["title"].startswith("醫保")
    ris = client.get(f"/api/export?q={MEDICAL}&format=ris&publication=%E8%81%8A%E5%9F%8E%E6%99%9A%E6%8A%A5")
    assert ris.get_data(as_text=True).count("T2  - 聊城晚报\r\n") == ARTICLES
    gbt = client.get(f"/api/export?q={MEDICAL}&format=gbt7714&publication=%E8%81%8A%E5%9F%8E%E6%99%9A%E6%8A%A5")
    assert gbt.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = gbt.get_data(as_text=True).splitlines()
    assert len(lines) == ARTICLES and all("[N/OL]. 聊城晚报" in line for line in lines)


@pytest.mark.parametrize("query, code", [
    ("q=%E5%8C%BB%E4%BF%9D", "bad_format"),
    ("q=%E5%8C%BB%E4%BF%9D&format=xlsx", "bad_format"),
    ("q=&format=csv", "empty_query"),
    ("q=%E5%8C%BB%E4%BF%9D&format=csv&sort=date", "bad_sort"),
    ("q=%E5%8C%BB%E4%BF%9D&format=csv&script=latin", "bad_script"),
    ("q=%E5%8C%BB%E4%BF%9D&format=csv&date_from=2018-13", "bad_date_from"),
    ("q=%E5%8C%BB%E4%BF%9D&format=csv&k=1000", "unknown_parameter"),
])
def test_a_bad_export_is_a_json_400_before_any_byte(client, query, code):
    message = error_of(client.get(f"/api/export?{query}"), 400, code)
    assert message


def slow_chunks(monkeypatch, archive, pause):
    chunks = archive._export_chunks

    def slowly(*args, **kwargs):
        for chunk in chunks(*args, **kwargs):
            time.sleep(pause)
            yield chunk
    monkeypatch.setattr(archive, "_export_chunks", slowly)


def test_an_export_is_not_cut_by_the_request_budget(archive, monkeypatch):
    # Each chunk waits longer than the whole budget: a budgeted download would stop at its first.
    slow_chunks(monkeypatch, archive, 0.05)
    saved = archive.config
    archive.config = saved.with_overrides(server_request_budget_ms=1)
    try:
        client = create_app(engine=archive).test_client()
        response = client.get(f"/api/export?q={MEDICAL}&format=jsonl")
        assert response.status_code == 200 and len(response.get_data(as_text=True).splitlines()) == ARTICLES
    finally:
        archive.config = saved


def test_an_export_holds_its_heavy_slot_until_the_download_is_closed(archive, monkeypatch):
    saved = archive.config
    archive.config = saved.with_overrides(server_heavy_at_once=1)
    try:
        client = create_app(engine=archive).test_client()
        first = client.get(f"/api/export?q={MEDICAL}&format=csv", buffered=False)
        assert first.status_code == 200
        second = client.get(f"/api/export?q={MEDICAL}&format=csv")
        assert "server.heavy_at_once" in error_of(second, 503, "busy")
        first.close()  # never read: closing it gives the slot back
        third = client.get(f"/api/export?q={MEDICAL}&format=csv")
        assert third.status_code == 200 and third.get_data().startswith(BOM.encode("utf-8"))
    finally:
        archive.config = saved


# --- dates and pages --------------------------------------------------------------------------------------------

def test_dates_lists_the_days_with_articles_and_their_counts(client, archive):
    answer = client.get("/api/dates?from=2015-05&to=2015-05").json
    assert {"date": "2015-05-04", "count": len(DAY)} in answer["dates"]
    assert [d["date"] for d in answer["dates"]] == sorted(d["date"] for d in answer["dates"])
    assert all("2015-05-01" <= d["date"] <= "2015-05-31" for d in answer["dates"])
    everything = client.get("/api/dates").json["dates"]
    assert everything == [d.to_dict() for d in archive.dates()]
    assert sum(d["count"] for d in everything) == ARTICLES - ARTICLES // 25 + len(DAY)


@pytest.mark.parametrize("query, code", [("from=2018-13", "bad_from"), ("to=soon", "bad_to"),
                                         ("from=2019&to=2018", "bad_date_range"), ("day=2018", "unknown_parameter")])
def test_bad_spans_of_dates_are_400(client, query, code):
    assert error_of(client.get(f"/api/dates?{query}"), 400, code)


def test_pages_lists_a_days_pages_in_printed_order_then_file_articles_by_section_then_the_unpaged(client):
    answer = client.get("/api/pages?date=2015-05-04").json
    day_pages = [(p["key"], p["page"], p["section"], p["ids"]) for p in answer["pages"]]
    assert day_pages[:2] == [("A10", "A10", "要闻", ["day/A10/1"]), ("B3", "B3", "城事", ["day/B3/1", "day/B3/2"])]
    assert ("民生", None, "民生", ["day file"]) in day_pages and day_pages[-1] == ("unpaged", None, None, ["day none"])
    assert answer["count"] == len(DAY) and answer["date"] == "2015-05-04"
    assert answer["previous_date"] < "2015-05-04" < answer["next_date"]


@pytest.mark.parametrize("query, code", [("", "bad_date"), ("date=2015-05", "bad_date"),
                                         ("date=2015-05-04&page=B3", "unknown_parameter")])
def test_a_bad_day_is_400(client, query, code):
    assert "date" in error_of(client.get(f"/api/pages?{query}"), 400, code)


def test_a_page_shows_its_articles_in_printed_order_with_its_neighbours(client):
    page = client.get("/api/pages/2015-05-04/b3?script=traditional").json
    assert page["key"] == "B3" and [a["id"] for a in page["articles"]] == ["day/B3/1", "day/B3/2"]
    assert page["articles"][0]["title"] == "三版頭條" and page["previous_page"] == "A10"
    section = client.get("/api/pages/2015-05-04/" + urllib.parse.quote("民生")).json
    assert [a["id"] for a in section["articles"]] == ["day file"] and section["page"] is None
    assert "A10, B3" in error_of(client.get("/api/pages/2015-05-04/Z9"), 404, "page_not_found")
    assert error_of(client.get("/api/pages/2015-05/B3"), 400, "bad_date")
    assert error_of(client.get("/api/pages/2015-05-04/B3?script=latin"), 400, "bad_script")
