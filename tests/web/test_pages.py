"""The HTML pages against a real `jiansuo serve` process."""

import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from helpers import HOSTILE_TITLE, PROJECT

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"


def get(server, path):
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def result_ids(html):
    return [urllib.parse.unquote(i) for i in re.findall(r'<h2><a href="/articles/([^"?]+)', html)]


def test_home_has_a_labelled_search_box(live_server):
    status, html = get(live_server, "/")
    assert status == 200
    assert '<label for="q"' in html and 'name="q"' in html and 'role="search"' in html


def test_results_page_marks_query_terms(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    assert status == 200
    assert MEDICAL.replace("医保", "<mark>医保</mark>") in html
    assert "2018-02-28" in html and "城事" in html
    assert 'value="医保"' in html  # the box keeps the query


def test_nothing_found_suggests_what_to_try(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("火星探测器"))
    assert status == 200 and "没有找到" in html and "减少关键词" in html and "简体/繁体" in html


def test_empty_query_is_400_with_a_message(live_server):
    status, html = get(live_server, "/search?q=")
    assert status == 400 and "请输入要检索的词语" in html


def test_article_page_marks_terms_when_arrived_at_from_a_search(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    article_id = result_ids(html)[0]
    status, page = get(live_server, f"/articles/{article_id}?q=" + urllib.parse.quote("医保"))
    assert status == 200 and "<mark>医保</mark>" in page and "刘洪斌" in page and "返回" in page
    assert page.count("<p>") >= 3


def test_unknown_article_is_404_page(live_server):
    status, html = get(live_server, "/articles/no-such-id")
    assert status == 404 and "找不到" in html


def test_hostile_text_is_shown_as_text(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>医保</b>" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;<mark>医保</mark>" in html
    status, page = get(live_server, "/articles/hostile-1")
    assert status == 200 and "<script>alert" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert HOSTILE_TITLE not in page


def test_page_json_and_cli_give_the_same_ranking(live_server, live_archive):
    import json

    for query in ("医保", "扶贫 资金", "灵芝"):
        _, html = get(live_server, "/search?q=" + urllib.parse.quote(query))
        with urllib.request.urlopen(f"{live_server.url}/api/search?q={urllib.parse.quote(query)}") as response:
            api_ids = [r["id"] for r in json.loads(response.read())["results"]]
        cli = subprocess.run([sys.executable, "-m", "service", "--index", str(live_archive), "search", query, "--json"],
                             capture_output=True, text=True, cwd=PROJECT, check=True)
        cli_ids = [r["id"] for r in json.loads(cli.stdout)["results"]]
        assert result_ids(html) == api_ids == cli_ids and api_ids, query


def test_hostile_query_is_shown_as_text(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("<script>alert(1)</script>"))
    assert status == 200 and "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_article_page_lists_keywords_as_searches_and_related_articles(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    article_id = result_ids(html)[0]
    status, page = get(live_server, f"/articles/{article_id}")
    assert status == 200
    assert f'<a href="/search?q={urllib.parse.quote("医保")}">医保</a>' in page
    related = re.findall(r'<h3><a href="/articles/([^"?]+)">', page)
    assert related and article_id not in related and "相关文章" in page
