"""The JSON API against a real `jiansuo serve` process."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from helpers import announce_only

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"


def call(server, path, method="GET", data=None, headers=None):
    request = urllib.request.Request(server.url + path, method=method, data=data, headers=headers or {})
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


def test_a_query_finding_nothing_that_names_an_author_suggests_the_author_filter(live_server):
    _, _, body = call(live_server, f"/api/search?q={q('刘洪斌')}")
    assert body["total"] == 0 and body["author_suggestions"] == [
        {"word": "刘洪斌", "author": "刘洪斌", "query": "author:刘洪斌"}]
    _, _, filtered = call(live_server, f"/api/search?q={q(body['author_suggestions'][0]['query'])}")
    assert [r["title"] for r in filtered["results"]] == [MEDICAL] and filtered["author_suggestions"] == []
    _, _, nobody = call(live_server, f"/api/search?q={q('火星探测器')}")
    assert nobody["total"] == 0 and nobody["author_suggestions"] == []


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
    (f"q={q('，。')}", "no_search_words", "nothing to search for"),
    ("q=%22%22", "no_search_words", "nothing to search for"),
    ("q=OR", "no_search_words", "nothing to search for"),
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
    status, headers, body = call(live_server, f"/api/search?q={q('医保')}", method="POST", data=b"{}")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    assert "use GET" in body["error"]["message"] and "GET" in headers["Allow"]
    status, headers, body = call(live_server, "/api/summarize")
    assert status == 405 and "use POST" in body["error"]["message"] and set(headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_healthz(live_server):
    status, _, body = call(live_server, "/healthz")
    assert status == 200 and body["status"] == "ok" and body["articles"] == 21


def post_json(server, path, payload, content_type="application/json"):
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return call(server, path, method="POST", data=data, headers={"Content-Type": content_type})


def test_filters_narrow_and_facets_count(live_server):
    _, _, everything = call(live_server, f"/api/search?q={q('扶贫')}&k=100")
    assert [m["value"] for m in everything["facets"]["month"]] == ["2017-11", "2018-01", "2018-02", "2018-03"]
    for month in everything["facets"]["month"]:
        _, _, narrowed = call(live_server, f"/api/search?q={q('扶贫')}&date_from={month['value']}"
                                           f"&date_to={month['value']}&k=100")
        assert narrowed["total"] == month["count"] == len(narrowed["results"])
        assert all(r["date"].startswith(month["value"]) for r in narrowed["results"])
        assert narrowed["filters"]["date_from"] == month["value"]
    _, _, section = call(live_server, f"/api/search?q={q('扶贫')}&section={q('經濟')}&k=100")
    assert {r["section"] for r in section["results"]} == {"经济", "經濟"} and section["total"] == 3
    assert section["facets"]["section"] == [{"value": "经济", "count": 3}]


def test_script_traditional_converts_every_text_and_keeps_the_marks(live_server):
    status, _, body = call(live_server, f"/api/search?q={q('医保')}&script=traditional")
    first = body["results"][0]
    assert status == 200 and body["script"] == "traditional"
    assert first["title"] == "冠縣斜店鄉保障貧困戶參加醫保不落一人" and first["authors"] == ["劉洪斌"]
    assert [first["title"][s:e] for s, e in first["title_highlights"]] == ["醫保"]
    assert first["highlights"] and all(first["summary"][s:e] == "醫保" for s, e in first["highlights"])
    _, _, simplified = call(live_server, f"/api/search?q={q('醫保')}&script=simplified")
    assert simplified["results"][0]["title"] == MEDICAL and simplified["script"] == "simplified"
    _, _, stored = call(live_server, f"/api/search?q={q('扶贫')}&k=100")
    assert "偏鄉產業扶貧見成效" in [r["title"] for r in stored["results"]]  # no script: as stored
    _, _, shown = call(live_server, f"/api/search?q={q('扶贫')}&k=100&script=simplified")
    assert "偏乡产业扶贫见成效" in [r["title"] for r in shown["results"]]


def test_article_with_query_and_script(live_server):
    _, _, hits = call(live_server, f"/api/search?q={q('医保')}")
    article_id = hits["results"][0]["id"]
    status, _, article = call(live_server, f"/api/articles/{article_id}?q={q('医保')}&script=traditional")
    assert status == 200 and article["title"].startswith("冠縣") and article["script"] == "traditional"
    assert article["terms"] == ["医保"] and len(article["paragraph_highlights"]) == len(article["paragraphs"]) == 3
    for text, spans in zip(article["paragraphs"], article["paragraph_highlights"]):
        assert all(text[s:e] == "醫保" for s, e in spans)
    assert sum(len(spans) for spans in article["paragraph_highlights"]) >= 3
    assert article["body"].split("\n") == article["paragraphs"]
    _, _, plain = call(live_server, f"/api/articles/{article_id}")
    assert plain["title"] == MEDICAL and plain["terms"] == [] and plain["script"] is None


def test_summarize_a_posted_text(live_server):
    text = "冠县农村危房改造进展顺利，今年完成改造任务1000户。本年度补助资金共计585.22万元。"
    status, _, body = post_json(live_server, "/api/summarize", {"text": text, "sentences": 1, "query": "资金"})
    assert status == 200 and body["summary"] == "本年度补助资金共计585.22万元。"
    assert [body["summary"][s:e] for s, e in body["highlights"]] == ["资金"]


def test_summarize_takes_the_title_and_kind(live_server):
    # Two topics: the title says which one the text is about.
    text = ("冠县举办首届灵芝文化节，展出灵芝产品三百余种，灵芝种植户纷纷参展。"
            "同日，县医保局公布今年医保报销新政策，医保报销比例提高到七成。")
    status, _, body = post_json(live_server, "/api/summarize", {"text": text, "sentences": 1, "title": "医保报销比例提高"})
    assert status == 200 and body["summary"] == "同日，县医保局公布今年医保报销新政策，医保报销比例提高到七成。"
    status, _, body = post_json(live_server, "/api/summarize", {"text": text, "sentences": 1, "title": "灵芝文化节开幕"})
    assert status == 200 and body["summary"].startswith("冠县举办首届灵芝文化节")
    caption = "游客在冠县灵芝文化节上参观灵芝产品。（记者 李军 摄）"
    status, _, body = post_json(live_server, "/api/summarize", {"text": caption, "kind": "photo"})
    assert status == 200 and body["summary"] == "游客在冠县灵芝文化节上参观灵芝产品。"


@pytest.mark.parametrize("payload, content_type, status, code, names", [
    ({"text": "一句话。", "title": 5}, "application/json", 400, "bad_title", "field title"),
    (b'{"text": "x", "title": "\\ud800"}', "application/json", 400, "bad_title", "title"),
    ({"text": "一句话。", "kind": "video"}, "application/json", 400, "bad_kind", "kind must be article"),
    (b"text=hello", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "application/json"),
    ("纯文本".encode(), "text/plain", 415, "unsupported_media_type", "text/plain"),
    (b"{not json", "application/json", 400, "bad_json", "not valid"),
    (b"[1, 2]", "application/json", 400, "bad_json", "JSON object"),
    ({"txt": "abc"}, "application/json", 400, "unknown_field", "'txt'"),
    ({"query": "abc"}, "application/json", 400, "bad_text", "field text"),
    ({"text": 5}, "application/json", 400, "bad_text", "field text"),
    ({"text": "一句话。", "sentences": True}, "application/json", 400, "bad_sentences", "field sentences"),
    ({"text": "一句话。", "sentences": 0}, "application/json", 400, "bad_sentences", "sentences must be"),
    ({"text": "一句话。", "max_chars": 0}, "application/json", 400, "bad_max_chars", "field max_chars"),
])
def test_summarize_refuses_bad_bodies_naming_the_problem(live_server, payload, content_type, status, code, names):
    got, _, body = post_json(live_server, "/api/summarize", payload, content_type)
    assert got == status and body["error"]["code"] == code and names in body["error"]["message"]


def test_oversized_body_is_413(live_server):
    text = "很长的文章。" * 200_000  # 3.6 MB of UTF-8, over the 1 MiB default
    length = len(json.dumps({"text": text}, ensure_ascii=False).encode("utf-8"))
    status, _, body = announce_only(live_server, "POST", "/api/summarize", length,
                                    {"Content-Type": "application/json"})
    body = json.loads(body.decode("utf-8"))
    assert status == 413 and body["error"]["code"] == "body_too_large"
    assert "1048576 bytes (server.max_body_bytes)" in body["error"]["message"]


def test_stats(live_server):
    status, _, body = call(live_server, "/api/stats")
    assert status == 200 and body["articles"] == 21 and body["index_bytes"] > 0
    assert body["last_ingest"] and body["index_generation"]
    assert {"value": "2018-02", "count": 11} in body["facets"]["month"]


@pytest.mark.parametrize("query, code, names", [
    (f"q={q('医保')}&script=traditionnel", "bad_script", "parameter script"),
    (f"q={q('医保')}&date_from=2018-02-30", "bad_date_from", "parameter date_from"),
    (f"q={q('医保')}&date_to=March", "bad_date_to", "parameter date_to"),
    (f"q={q('医保')}&date_from=2018-03&date_to=2018-02", "bad_date_range", "is after date_to"),
    (f"query={q('医保')}", "unknown_parameter", "unknown parameter 'query'"),
])
def test_bad_filters_are_400_naming_the_parameter(live_server, query, code, names):
    status, _, body = call(live_server, f"/api/search?{query}")
    assert status == 400 and body["error"]["code"] == code and names in body["error"]["message"]


@pytest.mark.parametrize("path, method, data, headers", [
    ("/api/search?q=", "GET", None, {}),
    ("/api/search?q=x&k=0", "GET", None, {}),
    ("/api/articles/nope", "GET", None, {}),
    ("/api/articles/nope?script=x", "GET", None, {}),
    ("/api/nothing", "GET", None, {}),
    ("/api/stats", "DELETE", None, {}),
    ("/api/summarize", "POST", b"x", {"Content-Type": "text/plain"}),
    ("/api/summarize", "POST", b"{", {"Content-Type": "application/json"}),
])
def test_every_error_has_one_shape(live_server, path, method, data, headers):
    status, response_headers, body = call(live_server, path, method=method, data=data, headers=headers)
    assert_error_shape(status, response_headers, body)


def assert_error_shape(status, headers, body):
    assert 400 <= status < 500 and headers["Content-Type"].startswith("application/json")
    assert list(body) == ["error"] and sorted(body["error"]) == ["code", "message"]
    assert body["error"]["code"] and body["error"]["message"]


def test_an_oversized_body_is_413_in_the_one_shape_before_it_is_read(live_server):
    status, headers, body = announce_only(live_server, "POST", "/api/summarize", 2_000_000,
                                          {"Content-Type": "application/json"})
    body = json.loads(body.decode("utf-8"))
    assert status == 413
    assert_error_shape(status, headers, body)
    assert "server.max_body_bytes" in body["error"]["message"]




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


def test_ids_as_archives_give_them_are_reachable_percent_encoded(tmp_path, analyzer):
    """Ids holding `/`, `#`, `?`, `%` or spaces (`2018-02-28/B03/1`) are read, related and linked at their
    percent-encoded paths, on the API and on the pages."""
    import re

    import json

    from helpers import make_config

    from service.articles import article_path
    from service.engine import Engine
    from service.web import create_app

    ids = ["2018-02-28/B03/1", "Q_ANN_TST_003022#00", "第 3 版", "why?", "50%"]
    (tmp_path / "a.jsonl").write_text("".join(
        json.dumps({"id": i, "title": f"冠县医保{n}", "body": "冠县医保改革顺利。" * 3}, ensure_ascii=False) + "\n"
        for n, i in enumerate(ids)), encoding="utf-8")
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    try:
        engine.ingest([tmp_path / "a.jsonl"])
        client = create_app(engine=engine).test_client()
        for article_id in ids:
            answer = client.get(article_path(article_id, "/api/articles/"))
            assert answer.status_code == 200 and answer.json["id"] == article_id
            assert client.get(article_path(article_id, "/api/articles/") + "/related").status_code == 200
            assert client.get(article_path(article_id)).status_code == 200
        page = client.get("/search?q=%E5%86%A0%E5%8E%BF").get_data(as_text=True)
        links = re.findall(r'href="(/articles/[^"?]+)', page)
        assert len(links) == len(ids) and all(client.get(link).status_code == 200 for link in links)
    finally:
        engine.close()


@pytest.mark.parametrize("path, name", [("/api/search?q=%ED%A0%80", "q"),
                                        ("/api/search?q=%E5%8C%BB%E4%BF%9D&section=%FF", "section")])
def test_a_parameter_that_is_not_utf8_once_decoded_is_400_naming_it(live_server, path, name):
    status, _, body = call(live_server, path)
    assert status == 400
    assert body["error"]["code"] == "bad_encoding" and f"parameter {name!r}" in body["error"]["message"]


def test_the_results_page_refuses_a_query_that_is_not_utf8_once_decoded(live_server):
    try:
        urllib.request.urlopen(live_server.url + "/search?q=%C3", timeout=30)
        raise AssertionError("answered 200")
    except urllib.error.HTTPError as error:
        assert error.code == 400 and "UTF-8" in error.read().decode("utf-8")


# --- the same story printed twice ------------------------------------------------------------------------------

def test_search_collapses_the_copies_of_a_story_by_default_and_shows_all_with_collapse_0(reprint_server):
    _, _, collapsed = call(reprint_server, f"/api/search?q={q('人民大会堂')}")
    assert collapsed["collapse"] is True and collapsed["total"] == collapsed["stories"] == 2
    assert collapsed["articles"] == 4
    ids = [r["id"] for r in collapsed["results"]]
    assert len(ids) == 2 and "rp-t" in ids
    printed = next(r for r in collapsed["results"] if r["id"] != "rp-t")
    assert sorted(printed["copies"] + [printed["id"]]) == ["rp-a", "rp-b", "rp-c"] and printed["folded"] == 2
    _, _, everything = call(reprint_server, f"/api/search?q={q('人民大会堂')}&collapse=0")
    assert everything["collapse"] is False and everything["total"] == everything["articles"] == 4
    assert everything["stories"] == 2 and all(r["folded"] == 0 for r in everything["results"])
    assert {r["id"] for r in everything["results"]} == {"rp-a", "rp-b", "rp-c", "rp-t"}


def test_collapse_must_be_0_or_1(reprint_server):
    status, _, body = call(reprint_server, f"/api/search?q={q('人民大会堂')}&collapse=no")
    assert status == 400 and body["error"]["code"] == "bad_collapse"


def test_an_article_lists_its_copies(reprint_server):
    _, _, body = call(reprint_server, "/api/articles/rp-b")
    assert sorted(body["copies"]) == ["rp-a", "rp-c"]
    _, _, other = call(reprint_server, "/api/articles/rp-t")
    assert other["copies"] == []
