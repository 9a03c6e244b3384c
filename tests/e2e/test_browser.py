"""The search page in a real headless Chromium against a real `jiansuo serve`.

The browser is tests/e2e/conftest.py's: the system one (Debian's `chromium`),
nothing downloaded; without one the tests are skipped, saying so. Screenshots go
to tests/e2e/screenshots/ (or $JIANSUO_SCREENSHOTS).
"""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"
MEDICAL_TRADITIONAL = "冠縣斜店鄉保障貧困戶參加醫保不落一人"
SCREENSHOTS = Path(os.environ.get("JIANSUO_SCREENSHOTS", Path(__file__).parent / "screenshots"))


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_type_a_query_see_the_first_hit_marked_switch_to_traditional_and_open_it(page, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + "/")
    page.get_by_label("检索词 Search words").fill("医保")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url("**/search?q=*")
    first = page.locator("ol.results li.result").first
    assert first.locator("h2").inner_text() == MEDICAL
    assert first.locator("mark").first.inner_text() == "医保"
    assert "找到" in page.locator("#result-count").inner_text()
    assert page.get_by_label("检索词 Search words").input_value() == "医保"
    page.screenshot(path=str(SCREENSHOTS / "results-desktop.png"), full_page=True)

    page.get_by_role("link", name="繁體", exact=True).click()
    page.wait_for_url("**script=traditional*")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    first = page.locator("ol.results li.result").first
    assert first.locator("h2").inner_text() == MEDICAL_TRADITIONAL
    assert first.locator("h2 mark").inner_text() == "醫保"
    assert {m for m in first.locator(".snippet mark").all_inner_texts()} == {"醫保"}
    assert "篇相關文章" in page.locator("#result-count").inner_text()
    assert page.locator("#q").input_value() == "医保"  # the reader's own words stay as typed
    page.screenshot(path=str(SCREENSHOTS / "results-desktop-traditional.png"), full_page=True)

    first.locator("h2 a").click()
    page.wait_for_url("**/articles/*")
    assert "script=traditional" in page.url
    assert page.locator("article h1").inner_text() == MEDICAL_TRADITIONAL
    assert page.locator("article .body mark").count() >= 3
    assert set(page.locator("article .body mark").all_inner_texts()) == {"醫保"}
    assert "劉洪斌" in page.locator("dl.meta").inner_text()


def test_the_chart_and_the_results_fit_a_phone_screen(browser, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/search?q=%E6%89%B6%E8%B4%AB")  # 扶贫
    assert page.locator("ol.results li.result").count() >= 5
    bars = page.locator("figure.chart a.column")
    assert bars.count() == 4
    box = bars.first.locator(".bar").bounding_box()
    assert box and box["width"] >= 20 and box["height"] > 0, "chart bars too small to tap"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    # The first hit's heading is on the first screen; the chart and the chips come after the hits.
    heading = page.locator("ol.results li.result h2").first.bounding_box()
    assert heading and heading["y"] >= 0 and heading["y"] + heading["height"] <= 844, heading
    assert page.locator("figure.chart").bounding_box()["y"] > heading["y"]
    page.screenshot(path=str(SCREENSHOTS / "results-phone.png"), full_page=True)
    context.close()
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.goto(live_server.url + "/search?q=%E6%89%B6%E8%B4%AB")
    # On a wide screen the chart and the chips stay above the hits.
    assert page.locator("figure.chart").bounding_box()["y"] < page.locator("ol.results").bounding_box()["y"]
    assert page.locator("nav.facet-terms").bounding_box()["y"] < page.locator("ol.results").bounding_box()["y"]
    desktop.close()


def test_chart_and_filters_work_with_javascript_off(browser, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator("#q").fill("扶贫")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/search?q=*")
    page.screenshot(path=str(SCREENSHOTS / "results-chart-desktop.png"))
    page.locator('figure.chart a.column[title^="2018年1月"]').click()
    page.wait_for_url("**date_from=2018-01-01*")
    assert page.locator("ol.results li.result").count() == 3
    assert "按日分布" in page.locator("figure.chart figcaption").inner_text()
    page.locator("select[name=section]").select_option("要闻")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**section=*")
    assert page.locator("ol.results li.result h2").all_inner_texts() == ["新年伊始扶贫干部走访慰问困难群众"]
    context.close()


def test_choosing_a_section_narrows_at_once_with_javascript(page, live_server):
    page.goto(live_server.url + "/search?q=%E6%89%B6%E8%B4%AB")  # 扶贫
    page.locator("details.filters summary").click()
    page.locator("select[name=section]").select_option("经济")
    page.wait_for_url("**section=*")
    assert page.locator("ol.results li.result").count() == 3
    assert page.locator("select[name=section]").input_value() == "经济"


def test_hostile_title_renders_as_text_in_the_browser(page, live_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + "/search?q=%E7%94%A8%E8%8D%AF")  # 用药
    titles = page.locator("ol.results h2").all_inner_texts()
    assert "<script>alert('xss')</script>用药安全问答" in titles
    page.goto(live_server.url + "/articles/hostile-1")
    assert dialogs == []


def _shoot(page, name):
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.mark.parametrize("script, labels", [("", ("排序", "相关度", "最新", "最早", "导出")),
                                            ("&script=traditional", ("排序", "相關度", "最新", "最早", "導出"))])
def test_sort_by_date_keep_it_across_pages_and_export_what_is_shown(browser, live_server, tmp_path, script, labels):
    import csv
    import io

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "-traditional" if script else ""
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height},
                                      device_scale_factor=1 if width > 400 else 2, is_mobile=width < 400,
                                      accept_downloads=True)
        page = context.new_page()
        page.goto(live_server.url + "/search?q=%E5%8E%BF&k=5" + script)  # 县, five to a page
        tools = page.locator(".result-tools")
        assert all(label in tools.inner_text() for label in labels)
        assert page.locator('.sort [aria-current="true"]').inner_text() == labels[1]
        page.locator(".sort a", has_text=labels[2]).click()
        page.wait_for_url("**sort=newest*")
        assert page.locator('.sort [aria-current="true"]').inner_text() == labels[2]
        dates = page.locator("ol.results li.result time").all_inner_texts()
        assert len(dates) == 5 and dates == sorted(dates, reverse=True)
        page.locator('.pager a[rel="next"]').click()
        page.wait_for_url("**page=2*")
        assert "sort=newest" in page.url and "k=5" in page.url
        later = page.locator("ol.results li.result time").all_inner_texts()
        assert later and max(later) <= min(dates)
        page.locator("details.export summary").click()
        csv_link = page.locator("details.export a[data-format=csv]")
        assert csv_link.is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, "the page scrolls sideways"
        menu = page.locator(".export-menu").bounding_box()
        assert menu and menu["x"] >= 0 and menu["x"] + menu["width"] <= width, "the export menu runs off the screen"
        _shoot(page, f"results-sort-export-{name}{suffix}.png")
        with page.expect_download() as download:
            csv_link.click()
        saved = tmp_path / f"{name}.csv"
        download.value.save_as(saved)
        raw = saved.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its BOM
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        total = int(page.locator("#result-count strong").inner_text().replace(",", ""))
        assert len(rows) == total > 5
        exported = [row["date"] for row in rows if row["date"]]
        assert exported == sorted(exported, reverse=True)
        context.close()


def test_year_labels_of_a_long_chart_do_not_overlap_on_a_phone(browser, tmp_path):
    import json

    from helpers import make_config
    from service.engine import Engine
    from service.testing import RunningServer

    source = tmp_path / "years.jsonl"
    source.write_text("".join(json.dumps({"id": f"y{year}", "title": f"{year}年防汛工作会议", "date": f"{year}-06-01",
                                          "body": "防汛抗旱工作会议召开，部署防汛工作。"}, ensure_ascii=False) + "\n"
                              for year in range(2008, 2023)), encoding="utf-8")
    engine = Engine(make_config(tmp_path / "data"))
    engine.ingest([source])
    engine.close()
    server = RunningServer(tmp_path / "data", tmp_path / "serve.log")
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        page.goto(server.url + "/search?q=%E9%98%B2%E6%B1%9B")  # 防汛
        assert "按年分布" in page.locator("figure.chart figcaption").inner_text()
        boxes = [box for box in (tick.bounding_box() for tick in page.locator("figure.chart .tick").all()
                                 if tick.is_visible() and tick.inner_text().strip()) if box]
        assert len(boxes) >= 2
        for left, right in zip(boxes, boxes[1:]):
            assert left["x"] + left["width"] <= right["x"], "year labels overlap"
        labels = [t.inner_text() for t in page.locator("figure.chart .tick").all() if t.is_visible()]
        assert all(len(label) == 4 for label in labels if label)  # whole years, not cut to "201"
        page.locator("figure.chart").screenshot(path=str(SCREENSHOTS / "chart-years-phone.png"))
        context.close()
    finally:
        server.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reprinted_story_shows_once_with_its_other_printings_under_an_expander(browser, reprint_server, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(reprint_server.url + "/search?q=%E4%BA%BA%E6%B0%91%E5%A4%A7%E4%BC%9A%E5%A0%82")  # 人民大会堂
    hits = page.locator("ol.results li.result")
    assert hits.count() == 2
    # The chart counts the four printed articles, all dated: none is left "undated".
    assert "另有" not in page.locator("figure.chart figcaption").inner_text()
    printed = hits.filter(has=page.locator("details.copies"))
    assert printed.count() == 1
    expander = printed.locator("details.copies")
    assert expander.locator("summary").inner_text() == "另有 2 篇相同报道"
    assert not expander.locator("ul").is_visible()
    expander.locator("summary").click()
    assert expander.locator("ul li").count() == 2 and expander.locator("ul").is_visible()
    assert "版" in expander.locator("ul li").first.inner_text()
    # The page does not scroll sideways at phone width with the list open.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / f"reprints-{'desktop' if width > 500 else 'phone'}.png"), full_page=True)
    expander.locator("ul li a").first.click()
    page.wait_for_url("**/articles/*")
    listed = page.locator("article details.copies")
    assert "这篇报道另见 2 处" in listed.locator("summary").inner_text()
    assert listed.locator("ul li").count() == 2 and listed.locator("ul").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"reprints-article-{'desktop' if width > 500 else 'phone'}.png"),
                    full_page=True)
    page.goto(reprint_server.url + "/search?q=%E4%BA%BA%E6%B0%91%E5%A4%A7%E4%BC%9A%E5%A0%82&collapse=0")
    assert page.locator("ol.results li.result").count() == 4
    context.close()


def test_an_entity_page_at_desktop_and_phone_width_in_both_scripts(browser, live_server):
    """The server reads the archive's names in the background; the page of 冠县 appears once it has."""
    import json
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    path = "/entities/place/" + urllib.parse.quote("冠县")
    deadline = time.monotonic() + 300  # a hang guard: the background pass takes seconds here
    while True:
        try:
            with urllib.request.urlopen(live_server.url + "/api" + path, timeout=30) as response:
                entity = json.loads(response.read().decode("utf-8"))
                break
        except urllib.error.HTTPError as error:
            assert error.code == 404 and time.monotonic() < deadline, "the background pass never read 冠县"
        time.sleep(0.5)
    assert entity["total"] >= 6 and entity["months"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height, device in ((1280, 900, "desktop"), (390, 844, "phone")):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        for script, name, kind in (("simplified", "冠县", "地点"), ("traditional", "冠縣", "地點")):
            page.goto(live_server.url + path + ("?script=traditional" if script == "traditional" else ""))
            assert page.locator("h1#entity-name").inner_text() == name
            assert page.locator(".entity-kind").inner_text() == kind
            assert page.locator("figure.chart .bars a.column").count() >= 1
            assert page.locator("ol.results li.result").count() >= 1
            assert page.locator("#named-with a.chip").count() >= 1
            # Nothing wider than the screen: the page scrolls only downwards.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            suffix = "" if script == "simplified" else "-traditional"
            page.screenshot(path=str(SCREENSHOTS / f"entity-{device}{suffix}.png"), full_page=True)
        page.locator("#named-with a.chip").first.click()
        page.wait_for_url("**/entities/**")
        assert page.locator("h1#entity-name").inner_text()
        context.close()
