"""Browsing the paper by date and page, and citing an article, in a real headless Chromium against a real
`jiansuo serve` (the browser, the skip without one and the screenshots' folder are test_browser.py's)."""

import pytest

from e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"
MEDICAL_ID = "pb3c625c95d19e72e-07"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
SUFFIX = {"simplified": "", "traditional": "-traditional"}


@pytest.fixture
def open_page(browser):  # noqa: F811
    """A page in a new browser context of the given size; every context is closed at the end."""
    contexts = []

    def opened(size, **options):
        context = browser.new_context(locale="zh-CN", **size, **options)
        contexts.append(context)
        return context, context.new_page()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield opened
    for context in contexts:
        context.close()


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_go_from_the_calendar_to_a_days_pages_to_a_page_and_on_to_the_next_day(open_page, live_server):
    _, page = open_page(DESKTOP)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="整报浏览").click()
    page.wait_for_url("**/browse")
    assert page.locator("ol.years > li.year h2 a").all_inner_texts() == ["2017年", "2018年"]
    page.screenshot(path=str(SCREENSHOTS / "browse-desktop.png"), full_page=True)
    page.locator('ol.years a[href="/browse/2018-02"]').click()
    page.wait_for_url("**/browse/2018-02")
    assert page.locator("table.calendar a").all_inner_texts() == ["10\n1", "28\n10"]
    page.locator('table.calendar a[href="/browse/2018-02-28"]').click()
    page.wait_for_url("**/browse/2018-02-28")
    page.get_by_role("link", name="B03 城事 10 篇").click()
    page.wait_for_url("**/browse/2018-02-28/B03")
    titles = page.locator("ol.page-articles h2").all_inner_texts()
    assert len(titles) == 10 and titles[6] == MEDICAL and titles[0] == "青州———冠县东西协作扶贫成效显著"
    assert page.locator("ol.page-articles li").nth(6).locator(".authors").inner_text() == "刘洪斌"
    assert page.locator("nav.crumbs").inner_text() == "整报浏览›2018年›2月›28日›B03 城事"
    page.screenshot(path=str(SCREENSHOTS / "browse-page-desktop.png"), full_page=True)

    page.get_by_role("link", name="繁體", exact=True).click()
    page.wait_for_url("**/browse/2018-02-28/B03?script=traditional")
    assert page.locator("ol.page-articles h2").nth(6).inner_text() == "冠縣斜店鄉保障貧困戶參加醫保不落一人"
    assert page.locator("nav.crumbs a").first.inner_text() == "整報瀏覽"
    page.screenshot(path=str(SCREENSHOTS / "browse-page-desktop-traditional.png"), full_page=True)
    page.get_by_role("link", name="後一期 2018-03-01 →").click()
    page.wait_for_url("**/browse/2018-03-01?script=traditional")
    assert page.locator("h1").inner_text() == "2018-03-01 的版面"
    page.get_by_role("link", name="整報瀏覽").first.click()
    page.wait_for_url("**/browse?script=traditional")
    page.screenshot(path=str(SCREENSHOTS / "browse-desktop-traditional.png"), full_page=True)

    page.goto(live_server.url + "/browse/2018-02-28/B03")
    page.locator("ol.page-articles h2 a").nth(6).click()
    page.wait_for_url(f"**/articles/{MEDICAL_ID}")
    page.get_by_role("link", name="B03版").click()  # and from the article back to its printed page
    page.wait_for_url("**/browse/2018-02-28/B03")


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_the_browse_pages_fit_a_phone_screen(open_page, live_server, script):
    _, page = open_page(PHONE)
    query = "?script=traditional" if script == "traditional" else ""
    for path, name in (("/browse", "browse"), ("/browse/2018-02", "browse-month"),
                       ("/browse/2018-02-28", "browse-day"), ("/browse/2018-02-28/B03", "browse-page")):
        page.goto(live_server.url + path + query)
        assert sideways_overflow(page) <= 0, f"{path} scrolls sideways on a phone"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone{SUFFIX[script]}.png"), full_page=True)
        if name == "browse":  # twelve months in two rows of six, each big enough to tap
            boxes = [page.locator("ol.months").first.locator("li").nth(n).bounding_box() for n in (0, 5, 6)]
            assert boxes[0]["y"] == boxes[1]["y"] < boxes[2]["y"] and boxes[0]["width"] >= 40
        if name == "browse-month":
            day = page.locator('table.calendar a[href^="/browse/2018-02-28"]').bounding_box()
            assert day["width"] >= 40 and day["height"] >= 40, "a day of the calendar is too small to tap"


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_copy_a_gbt7714_reference_from_the_cite_box_and_download_it_as_ris(open_page, live_server, script):
    context, page = open_page(DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    query = "?script=traditional" if script == "traditional" else ""
    page.goto(f"{live_server.url}/articles/{MEDICAL_ID}{query}")
    box = page.locator("section.cite")
    printed = box.locator("#cite-printed").inner_text()
    expected = {"simplified": f"刘洪斌. {MEDICAL}[N]. 2018-02-28(B03).",
                "traditional": "劉洪斌. 冠縣斜店鄉保障貧困戶參加醫保不落一人[N]. 2018-02-28(B03)."}[script]
    assert printed == expected
    box.get_by_label({"simplified": "报纸名", "traditional": "報紙名"}[script]).fill("聊城晚报")
    box.get_by_role("button", name={"simplified": "写入引文", "traditional": "寫入引文"}[script]).click()
    page.wait_for_url("**publication=*")
    assert box.locator("#cite-printed").inner_text() == expected.replace("[N]. ", "[N]. 聊城晚报, ")
    box.locator('button[data-copy="cite-printed"]').click()
    status = {"simplified": "已复制到剪贴板", "traditional": "已複製到剪貼板"}[script]
    page.wait_for_function("text => document.getElementById('cite-status').textContent === text", arg=status,
                           timeout=10_000)
    assert page.evaluate("navigator.clipboard.readText()") == box.locator("#cite-printed").inner_text()
    box.scroll_into_view_if_needed()
    box.screenshot(path=str(SCREENSHOTS / f"cite-desktop{SUFFIX[script]}.png"))

    with page.expect_download(timeout=30_000) as caught:
        box.get_by_role("link", name="RIS（Zotero、EndNote）").click()
    download = caught.value
    assert download.suggested_filename == f"jiansuo-{MEDICAL_ID}.ris"
    ris = open(download.path(), encoding="utf-8", newline="").read().split("\r\n")
    assert ris[0] == "TY  - NEWS" and "T2  - 聊城晚报" in ris and "SP  - B03" in ris

    _, phone = open_page(PHONE)
    phone.goto(f"{live_server.url}/articles/{MEDICAL_ID}{query}")
    assert sideways_overflow(phone) <= 0, "the article page scrolls sideways on a phone"
    phone.locator("section.cite").scroll_into_view_if_needed()
    phone.locator("section.cite").screenshot(path=str(SCREENSHOTS / f"cite-phone{SUFFIX[script]}.png"))


def test_without_the_asynchronous_clipboard_the_copy_button_selects_the_reference(open_page, live_server):
    context, page = open_page(DESKTOP)
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.goto(f"{live_server.url}/articles/{MEDICAL_ID}")
    page.locator('button[data-copy="cite-online"]').click()
    page.wait_for_function("document.getElementById('cite-status').textContent !== ''", timeout=10_000)
    online = page.locator("#cite-online").inner_text()
    assert online.startswith(f"刘洪斌. {MEDICAL}[N/OL]. 2018-02-28(B03)[") and online.endswith(f"{MEDICAL_ID}.")
    assert page.evaluate("window.getSelection().toString().trim()") == online


def test_with_javascript_off_the_reference_is_plain_text_and_no_dead_button_shows(open_page, live_server):
    _, page = open_page(DESKTOP, java_script_enabled=False)
    page.goto(f"{live_server.url}/articles/{MEDICAL_ID}")
    assert page.locator("#cite-printed").is_visible()
    assert page.locator("section.cite button.copy").count() == 2
    assert not page.locator("section.cite button.copy").first.is_visible()
