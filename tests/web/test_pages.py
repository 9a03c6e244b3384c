"""The HTML pages against a real `jiansuo serve` process."""

import pytest
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
    assert status == 200 and "没有找到" in html and "减少关键词" in html
    # Searches fold the two scripts together: the query in the other script would find nothing either.
    assert "换用" not in html and ">火星探測器</a>" not in html


def test_a_name_found_only_in_bylines_offers_the_author_filter_and_no_fallback_note(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("刘洪斌"))
    assert status == 200 and "没有找到" in html and 'id="match-or"' not in html
    assert ('“刘洪斌”是作者署名，署名不在正文中检索。按作者检索：<a href="/search?q=author:%E5%88%98%E6%B4%AA%E6%96%8C">'
            'author:刘洪斌</a>') in html


def test_a_pasted_headline_is_ranked_and_the_page_says_how_it_matched(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote(MEDICAL))
    assert status == 200 and 'id="match-mode"' in html and "查询较长，列出含其中任一词的文章" in html
    assert MEDICAL in html.split('<h2><a href="/articles/', 2)[1]  # the article with that headline first
    _, short = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    assert 'id="match-mode"' not in short


def test_a_phrase_nobody_wrote_finds_nothing_and_offers_the_words_apart(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote('"冠县 医保"'))
    assert status == 200 and "没有找到" in html and result_ids(html) == []
    link = re.search(r'<a id="unquoted" href="([^"]+)">([^<]+)</a>', html)
    assert link and link.group(2) == "冠县 医保"
    _, words = get(live_server, link.group(1).replace("&amp;", "&"))
    assert "斜店乡" in words and result_ids(words)


def test_empty_query_is_400_with_a_message(live_server):
    status, html = get(live_server, "/search?q=")
    assert status == 400 and "请输入要检索的词语" in html


def test_a_query_of_punctuation_alone_is_400_saying_it_holds_no_word(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("，。"))
    assert status == 400 and "没有可检索的字词" in html and "，。" in html


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
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("用药"))
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>用药</b>" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;<mark>用药</mark>" in html
    status, page = get(live_server, "/articles/hostile-1")
    assert status == 200 and "<script>alert" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert HOSTILE_TITLE not in page


@pytest.mark.slow
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


def test_chart_and_filters_when_the_archive_has_dates_and_sections(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("扶贫"))
    assert status == 200 and '<figure class="chart"' in html and "按月分布" in html
    assert 'name="date_from"' in html and 'min="2017-01-01"' in html and 'max="2018-03-12"' in html
    assert '<select name="section">' in html and '<option value="经济">经济（3）</option>' in html
    bars = re.findall(r'<a class="column" href="([^"]+)" title="([^"]+)" data-count="(\d+)"', html)
    assert [title for _, title, _ in bars] == ["2017年11月：2 篇", "2018年1月：3 篇", "2018年2月：7 篇", "2018年3月：1 篇"]
    assert "2017年12月：0 篇" in html  # the empty month between is drawn, not skipped
    for href, _, count in bars:
        _, narrowed = get(live_server, href.replace("&amp;", "&"))
        assert len(result_ids(narrowed)) == int(count)
    november = bars[0][0].replace("&amp;", "&")
    assert "date_from=2017-11-01" in november and "date_to=2017-11-30" in november


def test_clicking_a_month_shows_its_days(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("扶贫") + "&date_from=2018-01-01&date_to=2018-01-31")
    assert "按日分布" in html and html.count('class="column"') == 31  # every day of January, hits or not
    assert "另有 1 篇日期不详" in html  # the article dated 2018-01 has no day to stand on
    assert 'value="2018-01-01"' in html and 'value="2018-01-31"' in html
    assert set(result_ids(html)) == {"dated-03", "dated-04", "dated-05"}


def test_section_links_narrow_and_keep_the_dates(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("扶贫") + "&date_from=2018-01-01")
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+) <span>(\d+)</span>', html)
    assert ("要闻", "3") in [(name, count) for _, name, count in chips]
    href = next(h for h, name, _ in chips if name == "要闻").replace("&amp;", "&")
    assert "date_from=2018-01-01" in href
    _, narrowed = get(live_server, href)
    assert set(result_ids(narrowed)) == {"dated-03", "dated-06", "dated-10"} and 'selected>要闻' in narrowed


def test_filters_that_empty_the_results_say_how_many_there_are_without(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保") + "&section=" + urllib.parse.quote("文化"))
    assert "没有找到" in html and "去掉筛选条件有" in html and "清除筛选" in html


def test_traditional_page_converts_interface_and_data_and_keeps_the_script_in_links(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("医保") + "&script=traditional")
    assert status == 200 and '<html lang="zh-Hant"' in html
    assert "篇相關文章" in html and "檢索詞 Search words" in html  # interface text
    assert "冠縣斜店鄉保障貧困戶參加<mark>醫保</mark>不落一人" in html  # titles, marks on the converted text
    assert "<mark>醫保</mark>" in html.split('class="snippet"', 1)[1]
    assert '<input type="hidden" name="script" value="traditional">' in html
    assert all("script=traditional" in href for href in re.findall(r'href="(/articles/[^"]+)"', html))
    switch = re.search(r'<a href="([^"]+)" lang="zh-Hans"[^>]*>简体</a>', html)
    assert switch and "script" not in switch.group(1) and "q=" in switch.group(1)
    assert '<span aria-current="true" lang="zh-Hant">繁體</span>' in html


def test_traditional_article_page(live_server):
    status, html = get(live_server, "/articles/pb3c625c95d19e72e-07?q=" + urllib.parse.quote("医保")
                       + "&script=traditional")
    assert status == 200 and "<mark>醫保</mark>" in html and "劉洪斌" in html and "返回" in html
    assert "日期" in html and "來源" in html and "000_5db0decfa9c61e70.txt" in html and "本版第 7 篇" in html
    assert 'href="/search?q=%E5%8C%BB%E4%BF%9D&amp;script=traditional"' in html


def test_bad_page_parameters_are_400_pages_naming_them(live_server):
    for query, names in (("&script=latin", "字体（script）"), ("&date_from=2018-02-30", "起始日期写法有误：“2018-02-30”"),
                         ("&page=0", "页码应是 1 到"), ("&page=x", "收到 “x”"), ("&k=500", "每页篇数（k）"),
                         ("&sort=best", "排序方式（sort）")):
        status, html = get(live_server, "/search?q=" + urllib.parse.quote("医保") + query)
        assert status == 400 and names in html and "请求有误" in html and 'value="医保"' in html


def test_no_filters_or_chart_where_the_archive_has_no_dates_or_sections(engine):
    from helpers import CMRC_SAMPLE
    from service.web import create_app

    engine.ingest([CMRC_SAMPLE])
    html = create_app(engine=engine).test_client().get("/search?q=" + urllib.parse.quote("游戏")).get_data(True)
    assert "ol class=\"results\"" in html and result_ids(html)
    assert "date_from" not in html and "<select" not in html and 'class="chart"' not in html


def test_unexpected_failures_are_500_without_internals(engine):
    from service.web import create_app

    def broken(*args, **kwargs):
        raise RuntimeError("disk /srv/secret/archive.db is on fire")

    engine.search = broken
    client = create_app(engine=engine).test_client()
    api = client.get("/api/search?q=x")
    assert api.status_code == 500 and api.get_json() == {
        "error": {"code": "internal", "message": "internal error; the server log has the details"}}
    page = client.get("/search?q=x")
    assert page.status_code == 500 and "服务暂时出了问题" in page.get_data(True)
    assert "secret" not in page.get_data(True) and "RuntimeError" not in page.get_data(True)


def test_hostile_text_stays_text_in_traditional_too(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("用药") + "&script=traditional")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;<mark>用藥</mark>安全問答" in html
    _, page = get(live_server, "/articles/hostile-1?script=traditional&q=" + urllib.parse.quote("<script>"))
    assert "<script>alert" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_article_page_lists_keywords_as_searches_and_related_articles(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    article_id = result_ids(html)[0]
    status, page = get(live_server, f"/articles/{article_id}")
    assert status == 200
    assert f'<a href="/search?q={urllib.parse.quote("医保")}">医保</a>' in page
    related = re.findall(r'<h3><a href="/articles/([^"?]+)">', page)
    assert related and article_id not in related and "相关文章" in page


def test_a_page_past_the_last_says_so_and_offers_the_last_page(live_server):
    import re

    status, html = get(live_server, "/search?q=%E5%8E%BF&page=600")
    assert status == 200
    assert "这一页没有结果了" in html and "page=" in html and "最后一页" in html
    for first, last in re.findall(r"这是第 (\d+)–(\d+) 篇", html):
        assert int(first) <= int(last)
    assert not re.search(r"第 600 / \d+ 页", html)


def test_the_way_back_from_an_article_keeps_the_filters_and_the_page(live_server):
    import html as html_module
    import re

    status, page = get(live_server, "/search?q=%E5%8E%BF&page=2")
    assert status == 200
    links = [html_module.unescape(link) for link in re.findall(r'href="(/articles/[^"]+)"', page)]
    assert links and all("page=2" in link for link in links)
    status, article = get(live_server, links[0] + "&section=%E5%9F%8E%E4%BA%8B")
    assert status == 200
    back = html_module.unescape(re.search(r'<p class="back"><a href="([^"]+)"', article).group(1))
    assert back.startswith("/search?") and "page=2" in back and "section=" in back and "q=" in back
    # The order and the page size chosen come back too.
    status, page = get(live_server, "/search?q=%E5%8E%BF&sort=newest&k=5")
    links = [html_module.unescape(link) for link in re.findall(r'href="(/articles/[^"]+)"', page)]
    assert links and all("sort=newest" in link and "k=5" in link for link in links)
    status, article = get(live_server, links[0])
    back = html_module.unescape(re.search(r'<p class="back"><a href="([^"]+)"', article).group(1))
    assert "sort=newest" in back and "k=5" in back


def links_of(html, pattern):
    import html as html_module

    return [html_module.unescape(href) for href in re.findall(pattern, html)]


def test_when_no_article_holds_every_word_the_page_says_so_before_the_hits(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("扶贫 火星"))
    assert status == 200 and result_ids(html)
    notice = html.index("没有文章同时包含全部词语；以下文章包含其中部分词语")
    assert notice < html.index('<ol class="results"')
    _, traditional = get(live_server, "/search?q=" + urllib.parse.quote("扶贫 火星") + "&script=traditional")
    assert "沒有文章同時包含全部詞語；以下文章包含其中部分詞語" in traditional
    _, every_word = get(live_server, "/search?q=" + urllib.parse.quote("扶贫 资金"))
    assert "没有文章同时包含全部词语" not in every_word


def test_the_results_page_sorts_and_keeps_the_order_and_page_size_across_pages(live_server):
    status, html = get(live_server, "/search?q=%E5%8E%BF")  # 县
    assert status == 200 and '<span class="sort-option" aria-current="true">相关度</span>' in html
    newest = links_of(html, r'<a class="sort-option" href="([^"]+)"[^>]*>最新</a>')[0]
    assert "sort=newest" in newest
    _, sorted_page = get(live_server, newest + "&k=5")
    dates = re.findall(r'<time datetime="([^"]+)">', sorted_page.split('<ol class="results"', 1)[1])
    assert len(result_ids(sorted_page)) == 5 and dates == sorted(dates, reverse=True)
    following = links_of(sorted_page, r'<a rel="next" href="([^"]+)"')[0]
    assert "sort=newest" in following and "k=5" in following and "page=2" in following
    _, second = get(live_server, following)
    more = re.findall(r'<time datetime="([^"]+)">', second.split('<ol class="results"', 1)[1])
    assert more and max(more) <= min(dates)
    form = second.split('<form id="filters"', 1)[1].split("</form>", 1)[0]
    assert 'name="sort" value="newest"' in form and 'name="k" value="5"' in form


def test_the_page_checks_k_and_sort_as_the_api_does(live_server):
    _, fifty = get(live_server, "/search?q=%E5%8E%BF&k=50")
    assert len(result_ids(fifty)) > 10
    for bad in ("k=0", "k=101", "k=x", "sort=best"):
        status, html = get(live_server, "/search?q=%E5%8E%BF&" + bad)
        assert status == 400, bad


def test_the_export_menu_links_to_the_api_with_the_query_filters_order_and_script(live_server):
    import json

    _, html = get(live_server, "/search?q=" + urllib.parse.quote("扶贫") + "&section=" + urllib.parse.quote("城事")
                  + "&sort=oldest&script=traditional")
    exports = dict(re.findall(r'<a href="([^"]+)" download rel="nofollow" data-format="([a-z0-9]+)"', html))
    exports = {fmt: __import__("html").unescape(href) for href, fmt in exports.items()}
    assert set(exports) == {"csv", "jsonl", "ris", "gbt7714"}
    for fmt, href in exports.items():
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        assert href.startswith("/api/export?") and params["format"] == [fmt]
        assert params["q"] == ["扶贫"] and params["sort"] == ["oldest"] and params["script"] == ["traditional"]
        assert params["section"] == ["城事"]
    with urllib.request.urlopen(live_server.url + exports["jsonl"], timeout=30) as response:
        rows = [json.loads(line) for line in response.read().decode("utf-8").splitlines()]
    page_ids = result_ids(html)
    assert [row["id"] for row in rows][:len(page_ids)] == page_ids and all(r["section"] == "城事" for r in rows)


def test_the_query_syntax_is_explained_on_the_page_in_both_scripts(live_server):
    for script, words in (("", ("检索语法", "title:医保", "author:", "section:", "date:", "OR", "-盆景", '"农业 发展"')),
                          ("&script=traditional", ("檢索語法", "title:醫保", "排除"))):
        _, html = get(live_server, "/search?q=%E5%8E%BF" + script)
        help_box = html.split('<details class="syntax-help">', 1)[1].split("</details>", 1)[0]
        assert all(word in help_box for word in words), script
    _, home = get(live_server, "/")
    assert '<details class="syntax-help">' in home


def test_rough_edge_2_clearing_filters_written_in_the_query_and_then_setting_a_date(live_server):
    query = "date:2018-02 扶贫"
    status, html = get(live_server, "/search?q=" + urllib.parse.quote(query))
    assert status == 200 and result_ids(html)
    clear = links_of(html, r'<a class="clear" href="([^"]+)"')[0]
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(clear).query) == {"q": ["扶贫"]}
    _, cleared = get(live_server, clear)
    assert len(result_ids(cleared)) > len(result_ids(html))
    form = html.split('<form id="filters"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="q" value="扶贫">' in form and 'value="2018-02-01"' in form
    # The form sent with 从 moved past the query's own dates: the fields win, no 400.
    for sent in (query, "date:2018-02"):
        status, later = get(live_server, "/search?q=" + urllib.parse.quote(sent) + "&date_from=2018-03-01&date_to=")
        assert status == 200, sent
        assert all(d >= "2018-03-01" for d in re.findall(r'<time datetime="([^"]+)">', later.split('<ol class="results"', 1)[1]))


def test_rough_edge_5_error_pages_speak_the_page_script_keep_the_form_and_lead_back(live_server):
    status, html = get(live_server, "/search?q=" + urllib.parse.quote("医保")
                       + "&date_from=2021-01-01&date_to=2020-01-01&script=traditional")
    assert status == 400 and '<html lang="zh-Hant"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "起始日期 2021-01-01 晚於結束日期 2020-01-01" in main and "is after" not in main
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", re.sub(r"<[^>]+>", "", main)), "English prose on the page"
    assert 'value="医保"' in html and '<input type="hidden" name="script" value="traditional">' in html
    back = links_of(main, r'<p class="way-back"><a href="([^"]+)"')[0]
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(back).query) == {"q": ["医保"], "script": ["traditional"]}
    assert get(live_server, back)[0] == 200
    status, missing = get(live_server, "/articles/no-such-id?script=traditional")
    assert status == 404 and "找不到這篇文章" in missing and "no article" not in missing


def test_rough_edge_6_sections_counted_within_the_results_and_home_chips_are_links(live_server):
    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    options = re.findall(r'<option value="([^"]+)"[^>]*>[^<]+（(\d+)）</option>', html)
    with urllib.request.urlopen(live_server.url + "/api/search?q=" + urllib.parse.quote("医保"), timeout=30) as r:
        facets = __import__("json").loads(r.read())["facets"]["section"]
    assert options == [(f["value"], str(f["count"])) for f in facets]
    assert sum(int(count) for _, count in options) <= len(result_ids(html))
    # With a section chosen, the others are still offered, counted for the query without it.
    _, chosen = get(live_server, "/search?q=" + urllib.parse.quote("扶贫") + "&section=" + urllib.parse.quote("经济"))
    offered = re.findall(r'<option value="([^"]+)"( selected)?>', chosen)
    assert ("经济", " selected") in offered and len(offered) > 1
    _, home = get(live_server, "/")
    chips = links_of(home, r'<a class="chip" href="([^"]+)">城事 <span>')
    assert chips and urllib.parse.parse_qs(urllib.parse.urlsplit(chips[0]).query) == {"q": ["section:城事"]}
    status, section_page = get(live_server, chips[0])
    assert status == 200 and result_ids(section_page)
    assert set(re.findall(r'<span class="section">([^<]+)</span>', section_page)) == {"城事"}


def test_rough_edge_8_taiwan_and_hong_kong_forms_offered_beside_simplified_and_traditional(live_server):
    import json

    _, html = get(live_server, "/search?q=" + urllib.parse.quote("医保"))
    switch = html.split('class="script-switch"', 1)[1].split("</nav>", 1)[0]
    assert [label for label in re.findall(r">([^<>]+)</(?:a|span)>", switch)] == [
        "简体", "繁體", "繁體（台灣）", "繁體（香港）"]
    taiwan = links_of(switch, r'<a href="([^"]+)" lang="zh-Hant-TW"')[0]
    assert "script=taiwan" in taiwan and "q=" in taiwan
    _, tw = get(live_server, taiwan)
    assert '<html lang="zh-Hant-TW"' in tw and "冠縣斜店鄉保障貧困戶參加<mark>醫保</mark>不落一人" in tw
    assert "檢索語法" in tw and "<a href=\"/articles/" in tw and all(
        "script=taiwan" in href for href in re.findall(r'href="(/articles/[^"]+)"', tw))
    # s2t writes 着 and 裏 where Taiwan writes 著 and 裡; Hong Kong keeps 着.
    tw_api = json.loads(urllib.request.urlopen(live_server.url + "/api/search?q=%E5%8E%BF&k=100&script=taiwan",
                                               timeout=30).read())
    st_api = json.loads(urllib.request.urlopen(live_server.url + "/api/search?q=%E5%8E%BF&k=100&script=traditional",
                                               timeout=30).read())
    assert tw_api["script"] == "taiwan" and [r["id"] for r in tw_api["results"]] == [r["id"] for r in st_api["results"]]
    st_text = "".join(r["title"] + r["summary"] for r in st_api["results"])
    tw_text = "".join(r["title"] + r["summary"] for r in tw_api["results"])
    assert "爲" in st_text and "爲" not in tw_text and "為" in tw_text
    _, hk = get(live_server, "/search?q=" + urllib.parse.quote("医保") + "&script=hongkong")
    assert '<html lang="zh-Hant-HK"' in hk and '<input type="hidden" name="script" value="hongkong">' in hk


def test_rough_edge_11_no_advice_to_switch_scripts_where_the_query_reads_the_same(live_server):
    _, html = get(live_server, "/search?q=zzqxv")
    assert "没有找到" in html and "换用" not in html and "简体/繁体" not in html


def test_rough_edge_11_home_page_counts_local_time_and_favicon(engine):
    from helpers import DATED_ARCHIVE
    from service.web import create_app

    engine.ingest([DATED_ARCHIVE])
    engine.stats = lambda: {"articles": 20000, "last_ingest": "2026-12-07T04:10:19Z", "index_generation": None}
    client = create_app(engine=engine).test_client()
    html = client.get("/").get_data(True)
    assert "收录 20,000 篇文章" in html and ">2026-12-07T04:10:19Z<" not in html
    shown = re.search(r'<time datetime="2026-12-07T04:10:19Z">([^<]+)</time>', html).group(1)
    assert re.fullmatch(r"2026-12-0[67] \d\d:10（UTC[+-]\d\d:\d\d）", shown)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert client.get(icon).status_code == 200


def test_a_word_matched_only_through_its_characters_is_marked_apart(engine):
    import json

    from service.web import create_app

    drill = engine.config.data_dir.parent / "drill.jsonl"
    drill.write_text(json.dumps({"id": "drill-1", "title": "海军演习进入第二阶段", "date": "2019-05-01",
                                 "body": "海军联合演习进入第二阶段。参演部队开展实弹射击。"}, ensure_ascii=False)
                     + "\n", encoding="utf-8")
    engine.ingest([drill])
    client = create_app(engine=engine).test_client()
    html = client.get("/search?q=" + urllib.parse.quote("习进平")).get_data(True)
    assert '海军演<mark class="part">习进</mark>入第二阶段</a>' in html
    assert '海军联合演<mark class="part">习进</mark>入第二阶段' in html and "<mark>" not in html.split("<ol", 1)[1]
    traditional = client.get("/search?q=" + urllib.parse.quote("习进平") + "&script=traditional").get_data(True)
    assert '海軍演<mark class="part">習進</mark>入第二階段</a>' in traditional
    whole = client.get("/search?q=" + urllib.parse.quote("演习")).get_data(True)
    assert "<mark>演习</mark>" in whole and 'class="part"' not in whole.split("<ol", 1)[1]


def test_a_story_printed_many_times_lists_a_few_printings_under_its_result_and_all_on_its_page(tmp_path, analyzer):
    from bench.common import read_jsonl
    from helpers import CMRC_SAMPLE, RunningServer
    from service.engine import Engine
    from service.testing import make_config

    passage = next(row for row in read_jsonl(CMRC_SAMPLE) if len(row["text"]) > 300)
    printings = [{"id": f"wire-{n:02d}", "title": passage["title"], "date": f"2019-05-{n + 1:02d}",
                  "body": passage["text"] + "（完）" * n} for n in range(20)]
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest_records(printings)
    assert len(engine.copy_groups()["wire-00"]) == 20
    engine.close()
    server = RunningServer(tmp_path / "data", tmp_path / "serve.log")
    try:
        status, html = get(server, "/search?" + urllib.parse.urlencode({"q": passage["title"]}))
        assert status == 200 and "另有 19 篇相同报道" in html
        listed = re.findall(r'<li><a href="/articles/(wire-\d\d)', html)
        assert len(listed) == 12 and "其余 7 篇见这篇报道的页面" in html
        shown = result_ids(html)[0]
        assert f'/articles/{shown}?q=' in html.split("其余 7 篇")[0].rsplit("<li", 1)[1]
        status, page = get(server, f"/articles/{shown}")
        assert status == 200 and "这篇报道另见 19 处" in page and 'id="copies"' in page
        assert len(re.findall(r'<li><a href="/articles/(wire-\d\d)', page)) == 19
    finally:
        server.stop()


def test_an_article_without_a_title_is_linked_by_the_opening_of_its_text(engine):
    from service.web import create_app

    body = "旅美大熊猫今日抵达成都，市民在机场热烈欢迎它们回家。"
    engine.ingest_records([{"id": "untitled-1", "title": "", "body": body, "date": "2024-11-02",
                            "section": "要闻", "page": "A01"},
                           {"id": "titled-1", "title": "熊猫馆开放", "body": "成都熊猫馆今日开放。",
                            "date": "2024-11-02", "section": "要闻", "page": "A01"}])
    client = create_app(engine=engine).test_client()
    standin = '<span class="untitled" title="无标题，以正文开头代替">旅美大熊猫今日抵达成都，市民在机场热烈欢…</span>'
    results = client.get("/search?q=" + urllib.parse.quote("大熊猫")).get_data(True)
    assert f'{standin}</a></h2>' in results and not re.search(r"<h2><a [^>]*></a>", results)
    article = client.get("/articles/untitled-1").get_data(True)
    assert f"<h1>{standin}</h1>" in article
    assert "<title>旅美大熊猫今日抵达成都，市民在机场热烈欢… - 检索 Jiansuo</title>" in article
    page = client.get("/browse/2024-11-02/A01").get_data(True)
    assert f"{standin}</a></h2>" in page and ">熊猫馆开放</a></h2>" in page
    traditional = client.get("/search?q=" + urllib.parse.quote("大熊猫") + "&script=traditional").get_data(True)
    assert '<span class="untitled" title="無標題，以正文開頭代替">旅美大熊貓今日抵達成都' in traditional
    assert client.get("/api/articles/untitled-1").get_json()["title"] == ""
    assert [h["title"] for h in client.get("/api/search?q=" + urllib.parse.quote("大熊猫")).get_json()["results"]
            if h["id"] == "untitled-1"] == [""]
