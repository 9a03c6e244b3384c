"""The search page in a real headless Chromium against a real `jiansuo serve`.

Uses the system browser (Debian's `chromium`); nothing is downloaded. Without
one the tests are skipped, saying so. Screenshots go to
tests/e2e/screenshots/ (or $JIANSUO_SCREENSHOTS).
"""

import os
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = os.environ.get("JIANSUO_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and os.environ.get("JIANSUO_REQUIRE_BROWSER") == "1":
    raise RuntimeError("JIANSUO_REQUIRE_BROWSER=1 but no Chromium is installed (Debian: apt-get install chromium)")
if not CHROMIUM:
    pytest.skip("no Chromium installed (Debian: apt-get install chromium); set JIANSUO_CHROMIUM to use another",
                allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"
MEDICAL_TRADITIONAL = "冠縣斜店鄉保障貧困戶參加醫保不落一人"
SCREENSHOTS = Path(os.environ.get("JIANSUO_SCREENSHOTS", Path(__file__).parent / "screenshots"))
# As root and on a closed network, Chromium needs these to start and to stay quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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

    page.get_by_role("link", name="繁體").click()
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
    page.screenshot(path=str(SCREENSHOTS / "results-phone.png"), full_page=True)
    context.close()


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
