"""The browse pages (/browse) and the article page's links into them and its cite box."""

import html as html_module
import json
import re
import time
import urllib.parse

import pytest

from helpers import SEED_PAGE
from service.web import create_app

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"
MEDICAL_ID = "pb3c625c95d19e72e-07"


def links(html: str, prefix: str = "/browse") -> list[str]:
    return [html_module.unescape(h) for h in re.findall(r'href="(' + re.escape(prefix) + r'[^"]*)"', html)]


def main(html: str) -> str:
    """The page without its header and footer, which link to /browse from every page."""
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def client(engine, tmp_path):
    """The seed page (2018-02-28, B03 城事) and an article file around it: printed pages, an article with a
    section and no page, one with neither, ids with slashes, and days either side."""
    records = [
        {"id": "2018-02-28/A2/2", "title": "二版之二", "body": "二版二。", "date": "2018-02-28", "page": "A2",
         "section": "要闻", "position": 2, "authors": ["王敏"]},
        {"id": "2018-02-28/A2/1", "title": "二版头条", "body": "二版一。", "date": "2018-02-28", "page": "A2",
         "section": "要闻", "position": 1},
        {"id": "file-city", "title": "城事稿", "body": "城事。", "date": "2018-02-28", "section": "城事"},
        {"id": "file-news", "title": "要闻稿", "body": "要闻。", "date": "2018-02-28", "section": "要闻"},
        {"id": "file-none", "title": "无版稿", "body": "无版。", "date": "2018-02-28"},
        {"id": "early", "title": "早", "body": "早。", "date": "2018-01-05", "page": "A01"},
        {"id": "late", "title": "晚", "body": "晚。", "date": "2019-03-01", "page": "A01"},
        {"id": "month", "title": "月", "body": "月。", "date": "2018-02"},
    ]
    path = tmp_path / "more.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    engine.ingest([SEED_PAGE, path])
    return create_app(engine=engine).test_client()


def get(client, path):
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_the_calendar_goes_from_years_to_months_to_days(client):
    status, html = get(client, "/browse")
    assert status == 200 and "整报浏览" in html
    assert "3 天有文章，共 17 篇" in html  # the partial date 2018-02 is on no day
    assert "另有 1 篇没有注明完整的出版日期" in html
    assert links(main(html)) == ["/browse/2018", "/browse/2018-01", "/browse/2018-02", "/browse/2019",
                                 "/browse/2019-03"]  # no day is listed on the archive's page
    assert re.search(r'title="2018年2月：15 篇">2月<span class="count">15</span>', html)
    status, year = get(client, "/browse/2018")
    assert status == 200 and links(main(year))[-3:] == ["/browse/2018-01", "/browse/2018-02", "/browse/2019"]
    assert '<span class="empty">3月</span>' in year
    status, month = get(client, "/browse/2018-02")
    assert status == 200 and "2018年2月" in month
    assert [link for link in links(main(month)) if len(link) == len("/browse/2018-02-28")] == ["/browse/2018-02-28"]
    assert 'title="2018-02-28：15 篇"' in month
    # The weekday names, then February 2018's five weeks, Monday first: the 1st was a Thursday.
    assert month.count("<tr>") == 1 + 5
    first_week = re.sub(r"\s+", "", month.split("<tbody>", 1)[1].split("</tr>", 1)[0])
    assert first_week.startswith('<tr><td></td><td></td><td></td><td><spanclass="dayempty">1</span></td>')
    assert ('rel="prev" href="/browse/2018-01"' in month and 'rel="next" href="/browse/2019-03"' in month)


def test_a_days_pages_in_printed_order_then_sections_without_a_page_then_the_unpaged(client):
    status, html = get(client, "/browse/2018-02-28")
    assert status == 200
    pages = re.findall(r'<li><a href="/browse/2018-02-28/([^"]+)">(.*?)<span class="count">(\d+) 篇</span>', html)
    assert [(urllib.parse.unquote(key), re.sub("<[^>]+>", "", label), int(n)) for key, label, n in pages] == [
        ("A2", "A2 要闻", 2), ("B03", "B03 城事", 10), ("城事", "城事 （无版次）", 1), ("要闻", "要闻 （无版次）", 1),
        ("unpaged", "未标版面", 1)]
    assert 'rel="prev" href="/browse/2018-01-05"' in html and 'rel="next" href="/browse/2019-03-01"' in html


def test_a_page_lists_its_articles_in_printed_order_with_the_pages_and_days_either_side(client, engine):
    status, html = get(client, "/browse/2018-02-28/B03")
    assert status == 200
    titles = re.findall(r'<h2><a href="/articles/([^"]+)">([^<]+)</a></h2>', html)
    seed = sorted((a for a in engine.store.iter_articles() if a.page == "B03"), key=lambda a: a.position)
    assert [t for _, t in titles] == [a.title for a in seed] and MEDICAL in dict(titles).values()
    assert '<span class="authors">刘洪斌</span>' in html and html.count('class="snippet"') == 10
    assert 'rel="prev" href="/browse/2018-02-28/A2">← 上一版 A2' in html
    assert 'rel="next" href="/browse/2018-02-28/%E5%9F%8E%E4%BA%8B">下一版 城事' in html
    assert 'rel="prev" href="/browse/2018-01-05"' in html and 'rel="next" href="/browse/2019-03-01"' in html
    status, first = get(client, "/browse/2018-02-28/a2")  # a page code is matched without case
    # A day's first page goes back to the last page of the day before, its last on to the next day's first.
    assert status == 200 and 'rel="prev" href="/browse/2018-01-05/A01">← 前一天 2018-01-05 A01' in first
    ids = [urllib.parse.unquote(i) for i, _ in re.findall(r'<h2><a href="/articles/([^"]+)">([^<]+)</a>', first)]
    assert ids == ["2018-02-28/A2/1", "2018-02-28/A2/2"] and '<span class="authors">王敏</span>' in first
    assert get(client, "/articles/" + ids[0])[0] == 200  # an id with slashes is linked so that it opens
    status, unpaged = get(client, "/browse/2018-02-28/unpaged")
    assert status == 200 and "无版稿" in unpaged and "未标版面" in unpaged
    assert 'rel="next" href="/browse/2019-03-01/A01">后一天 2019-03-01 A01 →' in unpaged
    status, last = get(client, "/browse/2019-03-01/A01")
    assert status == 200 and "已是最后一版" in last and 'rel="prev" href="/browse/2018-02-28/unpaged"' in last


def test_bad_dates_are_400_and_missing_days_and_pages_404_pages_saying_so_with_the_ways_on(client):
    for path, message in (("/browse/2018-13", "“2018-13”不是可以浏览的日期"), ("/browse/yesterday", "不是可以浏览的日期"),
                          ("/browse/2018-02-30/B03", "“2018-02-30”不是某一天的日期"),
                          ("/browse/2018-02/B03", "“2018-02”不是某一天的日期")):
        status, html = get(client, path)
        assert (status, "日期有误（400）") == (400, re.search(r"<h1>(.*?)</h1>", html).group(1)), path
        assert message in html, path
    status, html = get(client, "/browse/2018-02-01")
    assert status == 404 and "档案里没有 2018-02-01 的文章" in html
    assert links(main(html))[1:3] == ["/browse/2018-01-05", "/browse/2018-02-28"]  # the nearest days with some
    status, html = get(client, "/browse/2018-02-28/C01")
    assert status == 404 and "2018-02-28 没有“C01”这一版" in html
    assert "/browse/2018-02-28/B03" in links(main(html)) and "/browse/2018-02-28/unpaged" in links(main(html))
    status, html = get(client, "/browse/2018-02-28/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert status == 404 and "没有“&lt;script&gt;alert(1)&lt;/script&gt;”这一版" in html and "<script>alert" not in html
    status, html = get(client, "/browse/%3Cb%3E2018")
    assert status == 400 and "“&lt;b&gt;2018”不是可以浏览的日期" in html
    status, html = get(client, "/browse/2020")
    assert status == 404 and "档案里没有 2020年的文章" in html and links(main(html))[1] == "/browse/2019"
    status, html = get(client, "/browse/2018-05")
    assert status == 404 and "2018年5月的文章" in html and links(main(html))[1:3] == ["/browse/2018-02",
                                                                                  "/browse/2019-03"]
    status, html = get(client, "/browse/2018-05-01/A01")
    assert status == 404 and "档案里没有 2018-05-01 的文章" in html


def test_the_browse_pages_in_traditional_script_convert_text_and_keep_the_script_in_links(client):
    for path in ("/browse", "/browse/2018", "/browse/2018-02", "/browse/2018-02-28", "/browse/2018-02-28/B03"):
        status, html = get(client, path + "?script=traditional")
        assert status == 200 and '<html lang="zh-Hant"' in html and "整報瀏覽" in html, path
        assert all("script=traditional" in link for link in links(main(html)) + links(main(html), "/articles/")), path
        switch = re.search(r'<a href="([^"]+)" lang="zh-Hans"[^>]*>简体</a>', html)
        assert switch and switch.group(1) == path, path
    _, page = get(client, "/browse/2018-02-28/B03?script=traditional")
    assert "冠縣斜店鄉保障貧困戶參加醫保不落一人" in page and "劉洪斌" in page and "城事" in page
    _, day = get(client, "/browse/2018-02-28?script=traditional")
    assert "A2</span> <span class=\"section\">要聞</span>" in day and "未標版面" in day
    status, bad = get(client, "/browse/2018-13?script=traditional")
    assert status == 400 and "“2018-13”不是可以瀏覽的日期" in bad and "日期有誤" in bad
    status, missing = get(client, "/browse/2018-02-28/C01?script=traditional")
    assert status == 404 and "沒有“C01”這一版" in missing
    assert "A2</span> <span class=\"section\">要聞</span>" in missing and "未標版面" in missing
    _, b03 = get(client, "/browse/2018-02-28/B03?script=traditional")
    assert "← 上一版 A2</a>" in b03 and "下一版 城事 →</a>" in b03
    _, news = get(client, "/browse/2018-02-28/%E8%A6%81%E9%97%BB?script=traditional")
    assert "← 上一版 城事</a>" in news and "下一版 未標版面 →</a>" in news
    _, unpaged = get(client, "/browse/2018-02-28/unpaged?script=traditional")
    assert "← 上一版 要聞</a>" in unpaged


def test_every_page_links_to_browse_from_its_header(client):
    for path in ("/", "/search?q=%E5%8C%BB%E4%BF%9D", f"/articles/{MEDICAL_ID}", "/browse/2018"):
        _, html = get(client, path)
        header = html.split("<main", 1)[0]
        assert '<a class="nav-browse" href="/browse">整报浏览</a>' in header, path


def test_an_article_links_to_its_day_and_printed_page_where_they_are_known(client):
    _, seed = get(client, f"/articles/{MEDICAL_ID}")
    assert '<a class="browse-date" href="/browse/2018-02-28">2018-02-28</a>' in seed
    assert '<a class="browse-page" href="/browse/2018-02-28/B03">B03版</a>' in seed
    _, unpaged = get(client, "/articles/file-city")
    assert 'href="/browse/2018-02-28"' in unpaged and "browse-page" not in unpaged
    _, partial = get(client, "/articles/month")  # dated only to the month: its month, and no page
    assert '<a class="browse-date" href="/browse/2018-02">2018-02</a>' in partial and "browse-page" not in partial
    _, slashed = get(client, "/articles/2018-02-28/A2/1?script=traditional")
    assert 'href="/browse/2018-02-28/A2?script=traditional">A2版</a>' in slashed


def test_an_article_from_an_article_file_says_imported_from_and_its_page_and_position_only_where_known(client):
    _, seed = get(client, f"/articles/{MEDICAL_ID}")
    assert '原版面 <span class="file">000_5db0decfa9c61e70.txt</span>，本版第 7 篇' in seed
    _, placed = get(client, "/articles/2018-02-28/A2/2")
    source = re.search(r'<dd class="source">(.*?)</dd>', placed).group(1)
    assert source == '导入自 <span class="file">more.jsonl</span>，A2版第 2 篇'
    _, loose = get(client, "/articles/file-none")
    assert re.search(r'<dd class="source">(.*?)</dd>', loose).group(1) == '导入自 <span class="file">more.jsonl</span>'
    assert "原版面" not in loose


def test_the_cite_box_gives_gbt7714_references_and_the_paper_named_by_the_reader(client):
    _, html = get(client, f"/articles/{MEDICAL_ID}")
    box = html.split('<section class="cite"', 1)[1].split("</section>", 1)[0]
    printed = re.search(r'id="cite-printed"[^>]*>([^<]+)</p>', box).group(1)
    assert printed == f"刘洪斌. {MEDICAL}[N]. 2018-02-28(B03)."
    online = re.search(r'id="cite-online"[^>]*>([^<]+)</p>', box).group(1)
    assert re.fullmatch(rf"刘洪斌. {MEDICAL}\[N/OL\]. 2018-02-28\(B03\)\[\d{{4}}-\d{{2}}-\d{{2}}\]. "
                        rf"http://localhost/articles/{MEDICAL_ID}.", online)
    assert box.count('data-copy="cite-') == 2 and "hidden>复制</button>" in box  # shown by cite.js only
    assert 'name="publication"' in box and f'action="/articles/{MEDICAL_ID}#cite"' in box
    _, named = get(client, f"/articles/{MEDICAL_ID}?publication=" + urllib.parse.quote("聊城晚报"))
    assert f"刘洪斌. {MEDICAL}[N]. 聊城晚报, 2018-02-28(B03)." in named
    downloads = links(named, "/cite/")
    assert downloads == [f"/cite/{MEDICAL_ID}?format=ris&publication=%E8%81%8A%E5%9F%8E%E6%99%9A%E6%8A%A5",
                         f"/cite/{MEDICAL_ID}?format=gbt7714&publication=%E8%81%8A%E5%9F%8E%E6%99%9A%E6%8A%A5"]
    _, traditional = get(client, f"/articles/{MEDICAL_ID}?script=traditional")
    assert "劉洪斌. 冠縣斜店鄉保障貧困戶參加醫保不落一人[N]. 2018-02-28(B03)." in traditional
    assert '<input type="hidden" name="script" value="traditional">' in traditional.split('class="cite-paper"')[1]
    assert all("script=traditional" in link for link in links(traditional, "/cite/"))


def test_an_article_is_downloaded_as_ris_or_gbt7714_text(client):
    response = client.get(f"/cite/{MEDICAL_ID}?format=ris&publication=" + urllib.parse.quote("聊城晚报"))
    assert response.status_code == 200 and response.mimetype == "application/x-research-info-systems"
    assert response.headers["Content-Disposition"] == f'attachment; filename="jiansuo-{MEDICAL_ID}.ris"'
    lines = response.get_data(as_text=True).split("\r\n")
    assert lines[:8] == ["TY  - NEWS", f"TI  - {MEDICAL}", "AU  - 刘洪斌", "T2  - 聊城晚报", "PY  - 2018",
                         "DA  - 2018/02/28/", "SE  - 城事", "SP  - B03"]
    assert f"UR  - http://localhost/articles/{MEDICAL_ID}" in lines and lines[-3:] == ["ER  - ", "", ""]
    text = client.get(f"/cite/{MEDICAL_ID}?format=gbt7714&script=traditional")
    assert text.mimetype == "text/plain" and text.headers["Content-Disposition"].endswith('.txt"')
    assert text.get_data(as_text=True).startswith("劉洪斌. 冠縣斜店鄉保障貧困戶參加醫保不落一人[N/OL]. 2018-02-28(B03)[")
    slashed = client.get("/cite/2018-02-28/A2/1?format=ris")
    assert slashed.status_code == 200 and "ID  - 2018-02-28/A2/1" in slashed.get_data(as_text=True)
    assert slashed.headers["Content-Disposition"] == 'attachment; filename="jiansuo-2018-02-28_A2_1.ris"'
    for path, status in ((f"/cite/{MEDICAL_ID}?format=csv", 400), (f"/cite/{MEDICAL_ID}", 400),
                         ("/cite/no-such-id?format=ris", 404)):
        response = client.get(path)
        assert response.status_code == status and response.mimetype == "text/html", path
    assert "格式（format）只能是 ris、gbt7714，收到 空值" in client.get(f"/cite/{MEDICAL_ID}").get_data(True)


def test_fifteen_years_of_dates_stay_a_short_list_of_years_and_months(engine):
    # Three days a month for fifteen years: the archive's page lists years and months, never its 540 days.
    records = [{"id": f"{year}-{month:02d}-{day:02d}/A01/1", "title": f"{year}年{month}月{day}日", "body": "正文。",
                "date": f"{year}-{month:02d}-{day:02d}", "page": "A01", "section": "要闻"}
               for year in range(2010, 2025) for month in range(1, 13) for day in (1, 11, 21)]
    engine.ingest_records(records)
    client = create_app(engine=engine).test_client()
    status, html = get(client, "/browse")
    assert status == 200 and "540 天有文章，共 540 篇" in html
    shown = links(main(html))
    assert len(shown) == 15 + 15 * 12 and not [link for link in shown if len(link) > len("/browse/2010-01")]
    assert len(html.encode("utf-8")) < 40_000
    _, month = get(client, "/browse/2017-06")
    assert [link for link in links(main(month)) if len(link) == len("/browse/2017-06-01")] == [
        "/browse/2017-06-01", "/browse/2017-06-11", "/browse/2017-06-21"]
    assert 'rel="prev" href="/browse/2017-05"' in month and 'rel="next" href="/browse/2017-07"' in month


def test_a_browse_page_past_the_request_budget_is_stopped_with_503(engine, client):
    from dataclasses import replace

    from service.web.defences import ServerState

    def slow(*args, **kwargs):  # a calendar that takes far longer than the budget (bounded: ten seconds)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pass
        return []

    engine.dates = slow
    engine.pages = slow
    app = create_app(engine=engine, state=ServerState(replace(engine.config, server_request_budget_ms=50)))
    for path in ("/browse", "/browse/2018", "/browse/2018-02-28"):
        response = app.test_client().get(path)
        assert response.status_code == 503 and "用时超出限制" in response.get_data(True), path


def test_a_kicker_and_subtitle_are_shown_over_and_under_the_headline_in_the_script_asked_for(engine, tmp_path):
    source = tmp_path / "kicker.jsonl"
    source.write_text(json.dumps({"id": "k1", "title": "小家变化见证国家发展", "kicker": "伟大的变革——庆祝改革开放",
                                  "subtitle": "记者走进三个家庭", "body": "改革开放以来，这个家庭的变化见证了国家发展。",
                                  "date": "2018-12-01", "page": "A01", "section": "要闻"},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    engine.ingest([source])
    client = create_app(engine=engine).test_client()
    for script, kicker, subtitle in ((None, "伟大的变革", "记者走进三个家庭"), ("traditional", "偉大的變革", "記者走進三個家庭")):
        suffix = f"?script={script}" if script else ""
        for path in (f"/articles/k1{suffix}", f"/browse/2018-12-01/A01{suffix}"):
            html = main(client.get(path).get_data(as_text=True))
            assert f'<p class="kicker">{kicker}' in html and f'<p class="subtitle">{subtitle}</p>' in html, path
            assert html.index('class="kicker"') < html.index("小家變化" if script else "小家变化") \
                < html.index('class="subtitle"')


def test_a_link_to_an_article_a_corrected_page_replaced_leads_to_the_article_correcting_it(engine, tmp_path):
    page = tmp_path / "b03.txt"
    page.write_text(SEED_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    engine.ingest([page])
    page.write_text(page.read_text(encoding="utf-8").replace("不落一人", "不落一个人", 1), encoding="utf-8")
    corrected = engine.ingest([page])
    new_id = next(i for i in corrected.added if i.endswith(MEDICAL_ID[-3:]))
    client = create_app(engine=engine).test_client()
    for path, moved in ((f"/articles/{MEDICAL_ID}?q=医保", f"/articles/{new_id}?q="),
                        (f"/api/articles/{MEDICAL_ID}", f"/api/articles/{new_id}"),
                        (f"/cite/{MEDICAL_ID}?format=ris", f"/cite/{new_id}?format=ris")):
        response = client.get(path)
        assert response.status_code == 301 and response.headers["Location"].startswith(moved), path
        assert client.get(path, follow_redirects=True).status_code == 200
    assert client.get(f"/api/articles/{MEDICAL_ID}").get_json()["error"] == {
        "code": "article_replaced", "new_id": new_id,
        "message": f"article {MEDICAL_ID!r} was replaced by {new_id!r}, from a corrected reading of its page"}
    assert client.delete(f"/api/articles/{MEDICAL_ID}").status_code in (401, 403, 404)  # never a redirect
    assert "不落一个人" in client.get(f"/articles/{MEDICAL_ID}", follow_redirects=True).get_data(as_text=True)
