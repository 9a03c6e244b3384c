"""GET /api/trends and the words of the hits in GET /api/search, against a real `jiansuo serve` process."""

import json
import urllib.parse

import pytest

from helpers import fetch


def call(server, path):
    status, text = fetch(server, path)
    return status, None, json.loads(text)


def q(text):
    return urllib.parse.quote(text)


def test_trends_answers_one_series_per_query_over_every_month(live_server):
    status, _, body = call(live_server, f"/api/trends?q={q('扶贫')}&q={q('医保')}")
    assert status == 200
    assert body["by"] == "month" and [s["query"] for s in body["series"]] == ["扶贫", "医保"]
    periods = [p["period"] for p in body["series"][0]["points"]]
    assert periods == ["2017-11", "2017-12", "2018-01", "2018-02", "2018-03"]
    assert [p["period"] for p in body["series"][1]["points"]] == periods
    february = body["series"][0]["points"][3]
    assert february["hits"] > 0 and february["share"] == round(february["hits"] / february["articles"], 6)
    december = body["series"][0]["points"][1]
    assert (december["hits"], december["share"], december["articles"]) == (0, 0, 0)
    _, _, search = call(live_server, f"/api/search?q={q('医保')}&date_from=2018-02&date_to=2018-02")
    assert body["series"][1]["points"][3]["hits"] == search["total"]


def test_trends_by_year_with_from_to_and_section(live_server):
    status, _, body = call(live_server, f"/api/trends?q={q('扶贫')}&by=year&from=2016&to=2018&section={q('要闻')}")
    assert status == 200 and body["by"] == "year" and body["section"] == "要闻"
    assert (body["from"], body["to"]) == ("2016-01-01", "2018-12-31")
    assert [p["period"] for p in body["series"][0]["points"]] == ["2016", "2017", "2018"]
    _, _, search = call(live_server, f"/api/search?q={q('扶贫')}&section={q('要闻')}")
    assert sum(p["hits"] for p in body["series"][0]["points"]) == search["total"] > 0


@pytest.mark.parametrize("query, code, names", [
    ("", "empty_query", "parameter q is missing"),
    (f"q={q('扶贫')}&q=", "empty_query", "parameter q (query 2 of 2)"),
    ("q=a&q=b&q=c&q=d&q=e&q=f", "too_many_queries", "parameter q is given 6 times"),
    (f"q={q('扶贫')}&by=week", "bad_by", "parameter by"),
    (f"q={q('扶贫')}&from=2018-13", "bad_from", "parameter from"),
    (f"q={q('扶贫')}&to=tomorrow", "bad_to", "parameter to"),
    (f"q={q('扶贫')}&from=2018&to=2017", "bad_date_range", "after"),
    (f"q={q('扶贫')}&from=0001&to=9999", "too_many_periods", "from and to"),
    (f"q={q('扶贫')}&date_from=2018", "unknown_parameter", "'date_from'"),
])
def test_bad_trends_parameters_are_400_naming_the_parameter(live_server, query, code, names):
    status, _, body = call(live_server, f"/api/trends?{query}")
    assert status == 400 and body["error"]["code"] == code and names in body["error"]["message"]


def test_search_gives_the_words_of_the_hits_only_when_asked(live_server):
    _, _, plain = call(live_server, f"/api/search?q={q('扶贫')}")
    assert "terms" not in plain["facets"]
    status, _, asked = call(live_server, f"/api/search?q={q('扶贫')}&facets=terms")
    assert status == 200 and [r["id"] for r in asked["results"]] == [r["id"] for r in plain["results"]]
    terms = asked["facets"]["terms"]
    assert terms and terms[0]["value"] == "脱贫"
    assert all(t["count"] >= 3 and t["archive_count"] >= t["count"] and t["score"] > 0 for t in terms)
    assert [t["score"] for t in terms] == sorted((t["score"] for t in terms), reverse=True)
    _, _, traditional = call(live_server, f"/api/search?q={q('扶贫')}&facets=terms&script=traditional")
    assert traditional["facets"]["terms"][0]["value"] == "脫貧"


@pytest.mark.parametrize("facets", ["people", "terms,month", ","])
def test_unknown_facets_are_400(live_server, facets):
    status, _, body = call(live_server, f"/api/search?q={q('扶贫')}&facets={q(facets)}")
    if facets == ",":  # names nothing: the facets counted always
        assert status == 200 and "terms" not in body["facets"]
        return
    assert status == 400 and body["error"]["code"] == "bad_facets" and "parameter facets" in body["error"]["message"]
