"""The JSON API against a real `jiansuo serve` process."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"


def call(server, path, method="GET", data=None):
    request = urllib.request.Request(server.url + path, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read().decode("utf-8"))


def q(text):
    return urllib.parse.quote(text)


def test_search_returns_ranked_hits_with_summaries(live_server):
    status, headers, body = call(live_server, f"/api/search?q={q('医保')}")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    first = body["results"][0]
    assert first["title"] == MEDICAL and first["rank"] == 1
    assert first["date"] == "2018-02-28" and first["section"] == "城事" and first["page"] == "B03"
    assert first["authors"] == ["刘洪斌"]
    assert all(first["summary"][s:e] == "医保" for s, e in first["highlights"])
    assert body["total"] >= len(body["results"]) and body["took_ms"] >= 0


def test_traditional_query_gives_the_same_ranking(live_server):
    _, _, simplified = call(live_server, f"/api/search?q={q('医保')}")
    _, _, traditional = call(live_server, f"/api/search?q={q('醫保')}")
    assert [r["id"] for r in traditional["results"]] == [r["id"] for r in simplified["results"]]


def test_k_and_offset_page_through_one_ranking(live_server):
    _, _, everything = call(live_server, f"/api/search?q={q('冠县')}&k=100")
    _, _, second = call(live_server, f"/api/search?q={q('冠县')}&k=2&offset=2")
    assert [r["id"] for r in second["results"]] == [r["id"] for r in everything["results"][2:4]]


@pytest.mark.parametrize("query, code, names", [
    ("", "empty_query", "query is empty"),
    ("q=", "empty_query", "query is empty"),
    (f"q={q('医保')}&k=abc", "bad_k", "parameter k"),
    (f"q={q('医保')}&k=0", "bad_k", "k must be"),
    (f"q={q('医保')}&k=101", "bad_k", "k must be"),
    (f"q={q('医保')}&offset=-1", "bad_offset", "offset"),
    (f"q={q('医' * 300)}", "query_too_long", "limit is 256"),
])
def test_bad_parameters_are_400_naming_the_parameter(live_server, query, code, names):
    status, _, body = call(live_server, f"/api/search?{query}")
    assert status == 400
    assert body["error"]["code"] == code and names in body["error"]["message"]


def test_article_by_id(live_server):
    _, _, hits = call(live_server, f"/api/search?q={q('医保')}")
    status, _, article = call(live_server, f"/api/articles/{hits['results'][0]['id']}")
    assert status == 200 and article["title"] == MEDICAL and len(article["paragraphs"]) == 3
    assert article["source"].endswith("000_5db0decfa9c61e70.txt") and article["position"] == 7


@pytest.mark.parametrize("path", ["/api/articles/no-such-id", "/api/articles/..%2F..%2Fetc%2Fpasswd", "/api/nothing"])
def test_unknown_ids_and_paths_are_404_json(live_server, path):
    status, _, body = call(live_server, path)
    assert status == 404 and body["error"]["code"] in ("article_not_found", "not_found")
    assert body["error"]["message"]


def test_wrong_method_is_405_json(live_server):
    status, _, body = call(live_server, f"/api/search?q={q('医保')}", method="POST", data=b"{}")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_healthz(live_server):
    status, _, body = call(live_server, "/healthz")
    assert status == 200 and body["status"] == "ok" and body["articles"] == 11


def medical_id(server):
    _, _, hits = call(server, f"/api/search?q={q('医保')}")
    return hits["results"][0]["id"]


def test_article_json_carries_its_keywords(live_server):
    status, _, article = call(live_server, f"/api/articles/{medical_id(live_server)}")
    assert status == 200 and "医保" in article["keywords"] and len(article["keywords"]) <= 8
    assert all(isinstance(word, str) and word for word in article["keywords"])


def test_related_articles_leave_the_article_itself_out(live_server):
    article_id = medical_id(live_server)
    status, _, body = call(live_server, f"/api/articles/{article_id}/related")
    assert status == 200 and body["id"] == article_id
    related = body["related"]
    assert 1 <= len(related) <= 5 and article_id not in [r["id"] for r in related]
    assert [r["score"] for r in related] == sorted((r["score"] for r in related), reverse=True)
    assert set(related[0]) == {"id", "title", "date", "section", "page", "kind", "score", "summary"}
    _, _, two = call(live_server, f"/api/articles/{article_id}/related?k=2")
    assert [r["id"] for r in two["related"]] == [r["id"] for r in related[:2]]


@pytest.mark.parametrize("k", ["0", "101", "x"])
def test_related_refuses_a_bad_k(live_server, k):
    status, _, body = call(live_server, f"/api/articles/{medical_id(live_server)}/related?k={k}")
    assert status == 400 and body["error"]["code"] == "bad_k" and "k" in body["error"]["message"]


def test_related_of_an_unknown_article_is_404(live_server):
    status, _, body = call(live_server, "/api/articles/no-such-id/related")
    assert status == 404 and body["error"]["code"] == "article_not_found"
