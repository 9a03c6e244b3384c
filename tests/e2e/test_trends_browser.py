"""The trends page and the words of the results in a real headless Chromium against a real `jiansuo serve`.

The browser is tests/e2e/conftest.py's; screenshots go to tests/e2e/screenshots/ (or $JIANSUO_SCREENSHOTS).
"""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCREENSHOTS = Path(os.environ.get("JIANSUO_SCREENSHOTS", Path(__file__).parent / "screenshots"))
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
TWO_TERMS = "/trends?q=%E6%89%B6%E8%B4%AB&q=%E5%8C%BB%E4%BF%9D"  # 扶贫, 医保


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_at(url, **options):
        context = browser.new_context(locale="zh-CN", **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_at
    for context in contexts:
        context.close()


def test_from_the_results_to_two_terms_on_one_chart_toggled_to_shares_and_into_a_period(open_page, live_server):
    page = open_page(live_server.url + "/search?q=%E6%89%B6%E8%B4%AB", **DESKTOP)
    page.locator("a.trends-link").click()
    page.wait_for_url("**/trends?q=*")
    assert page.locator(".trend-box input").first.input_value() == "扶贫"
    page.locator(".trend-box input").nth(1).fill("医保")
    page.get_by_role("button", name="比较").click()
    page.wait_for_url("**q=%E5%8C%BB%E4%BF%9D*")
    assert page.locator(".trend-plot polyline").count() == 2
    assert page.locator(".trend-legend li").all_inner_texts()[1].startswith("医保")
    assert "命中篇数，" in page.locator("#trend-caption").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "trends-desktop.png"), full_page=True)

    page.locator("#show-share").click()
    page.wait_for_url("**show=share*")
    assert "比例" in page.locator("#trend-caption").inner_text()
    assert page.locator(".trend-toggle [aria-current]").inner_text() == "占比"
    assert page.locator(".trend-scale.top").inner_text().endswith("%")
    page.screenshot(path=str(SCREENSHOTS / "trends-desktop-share.png"), full_page=True)

    february = page.locator('.trend-points[aria-label="扶贫"] a.point[title*="2018年2月"]')
    hits = int(february.get_attribute("data-hits"))
    february.click()
    page.wait_for_url("**/search?*date_from=2018-02-01*")
    assert page.locator("ol.results li.result").count() == hits == 7
    assert page.locator("#q").input_value() == "扶贫"


def test_the_traditional_chart_at_desktop_width(open_page, live_server):
    page = open_page(live_server.url + TWO_TERMS + "&script=traditional", **DESKTOP)
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.locator(".trends-title").inner_text().startswith("趨勢")
    assert page.locator(".trend-plot polyline").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "trends-desktop-traditional.png"), full_page=True)
    page.locator("#show-share").click()
    page.wait_for_url("**show=share*")
    point = page.locator("a.point").first
    assert "script=traditional" in point.get_attribute("href")


def labels_overlap(page) -> bool:
    boxes = [page.locator(".trend-labels li").nth(i).bounding_box() for i in range(page.locator(".trend-labels li").count())]
    shown = sorted((b for b in boxes if b and b["width"] > 0), key=lambda b: b["x"])
    return any(a["x"] + a["width"] > b["x"] for a, b in zip(shown, shown[1:]))


@pytest.mark.parametrize("script, name", [("", "trends-phone.png"), ("&script=traditional", "trends-phone-traditional.png")])
def test_the_chart_fits_a_phone_with_thinned_labels_and_points_to_tap(open_page, live_server, script, name):
    page = open_page(live_server.url + TWO_TERMS + "&from=2016-01&to=2018-12" + script, **PHONE)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    assert page.locator(".trend-points").count() == 2
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    visible = [label for label in page.locator(".trend-labels li").all() if label.is_visible()]
    assert 2 <= len(visible) <= 6 and page.locator(".trend-labels li.minor").count() > 0
    assert not labels_overlap(page), "period labels run into each other"
    box = page.locator("a.point").first.bounding_box()
    assert box and box["width"] >= 20 and box["height"] >= 20, "points too small to tap"


def test_the_words_of_the_results_appear_and_each_adds_itself_to_the_query(open_page, live_server):
    page = open_page(live_server.url + "/search?q=%E6%89%B6%E8%B4%AB", **DESKTOP)
    words = page.locator("nav.facet-terms a.chip")
    assert words.count() >= 3 and words.first.inner_text() == "脱贫"
    words.first.click()
    page.wait_for_url("**/search?q=*")
    assert page.locator("#q").input_value() == "扶贫 脱贫"
    titles = page.locator("ol.results li.result h2").all_inner_texts()
    assert titles and all(t for t in titles)
    assert "脱贫" not in page.locator("nav.facet-terms").inner_text().replace("的报道趋势", "").split("相关词：")[-1] \
        .split("“")[0]
