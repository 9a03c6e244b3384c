"""split_page: the seed page against its gold, each repair rule on a small page, and a property test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SEED_PAGE
from service.ingest.pages import Page, looks_like_page, split_page, split_pages

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
GOLD_FILES = sorted((PAGES / "seed").glob("*.gold.json"))

HEADER = "A01 要闻 2019年3月1日 星期五\n\n编辑：张三 组版：李四\n\n"


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page(*blocks: str) -> str:
    """A page made of blocks separated by blank lines, under a header and an editor line."""
    return HEADER + "\n\n".join(blocks) + "\n"


def _only_item(text: str):
    page = split_page(text)
    assert len(page.items) == 1, [(i.kind, i.title) for i in page.items]
    return page.items[0]


def _article_body(*body_blocks: str) -> str:
    """The one article's body text after splitting a page holding just it."""
    item = _only_item(_page("测试标题", *body_blocks, "（王五）"))
    return item.body


# --- the seed page against its gold -----------------------------------------

def _load(gold_path: Path) -> tuple[Page, dict]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text = (gold_path.parent / gold["source"]).read_text(encoding="utf-8")
    return split_page(text), gold


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name)
def test_seed_page_header_matches_gold(gold_path):
    page, gold = _load(gold_path)
    got = (page.code, page.section, page.date, page.editor, page.layout)
    want = (gold["page"], gold["section"], gold["date"], gold["editor"], gold["layout"])
    assert got == want, f"header (code, section, date, editor, layout): got {got}, want {want}"


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name)
def test_seed_page_items_match_gold(gold_path):
    page, gold = _load(gold_path)
    got_titles = [item.title for item in page.items]
    want_titles = [item["title"] for item in gold["items"]]
    assert len(page.items) == len(gold["items"]), f"item count: got {got_titles}, want {want_titles}"
    problems = []
    for item, want in zip(page.items, gold["items"]):
        where = f"item {want['position']} ({want['title']})"
        if item.position != want["position"]:
            problems.append(f"{where}: position {item.position}")
        if item.kind != want["kind"]:
            problems.append(f"{where}: kind {item.kind!r}, want {want['kind']!r}")
        if item.title != want["title"]:
            problems.append(f"{where}: title {item.title!r}")
        if list(item.authors) != want["authors"]:
            problems.append(f"{where}: authors {list(item.authors)}, want {want['authors']}")
        got_body, want_body = _no_space("".join(item.paragraphs)), _no_space(want["body"])
        if got_body != want_body:
            at = next((i for i, (a, b) in enumerate(zip(got_body, want_body)) if a != b),
                      min(len(got_body), len(want_body)))
            problems.append(f"{where}: body differs at char {at}: got …{got_body[max(0, at - 15):at + 15]}…, "
                            f"want …{want_body[max(0, at - 15):at + 15]}…")
    assert not problems, "\n".join(problems)


# --- spacing and line-joining repairs ---------------------------------------

def test_letter_spaced_cjk_loses_its_spaces():
    body = _article_body("逐步建立完善务实完\n整 的 协 作 机 制 。截 止 到\n2017年底，已签约30个村。")
    assert body == "逐步建立完善务实完整的协作机制。截止到2017年底，已签约30个村。"


def test_spaced_decimals_and_digits_are_closed_up():
    body = _article_body("总投资达1836 . 7万元，贷款604 .5万元，补助585 . 22万元，每月的 1至 1 0号发放。")
    assert body == "总投资达1836.7万元，贷款604.5万元，补助585.22万元，每月的1至10号发放。"


def test_space_between_two_phrases_is_kept():
    body = _article_body("学生们在书城举办了“绘传统年\n画 扬文化精粹”活动。")
    assert "“绘传统年画 扬文化精粹”" in body


def test_latin_words_keep_their_spaces_even_across_a_line_break():
    body = _article_body("据 The New York\nTimes 报道，Hello World 程序很短。")
    assert "The New York Times" in body
    assert "Hello World" in body


def test_blank_line_breaks_a_paragraph_only_after_a_sentence_end():
    item = _only_item(_page("测试标题", "第一段到这里结束。", "第二段写到一半，\n说到“以渔”", "模式为止。", "（王五）"))
    assert item.paragraphs == ("第一段到这里结束。", "第二段写到一半，说到“以渔”模式为止。")


def test_blank_line_inside_a_word_joins_the_halves():
    body = _article_body("市图书馆从本月起延", "长开放时间。")
    assert body == "市图书馆从本月起延长开放时间。"


# --- header and editor line -------------------------------------------------

@pytest.mark.parametrize("header, code, section, date", [
    ("B03城事2018年2月28日 星期三", "B03", "城事", "2018-02-28"),
    ("A01 要闻 2019年3月1日 星期五", "A01", "要闻", "2019-03-01"),
    ("第3版", "3", None, None),
    ("第3版 要闻", "3", "要闻", None),
    ("2019年3月1日 星期五", None, None, "2019-03-01"),
])
def test_header_variants(header, code, section, date):
    page = split_page(f"{header}\n\n测试标题\n正文一句。\n\n（王五）\n")
    assert (page.code, page.section, page.date) == (code, section, date)
    assert not page.warnings
    assert [item.title for item in page.items] == ["测试标题"]


def test_no_header_leaves_fields_empty_and_says_so():
    page = split_page("测试标题\n正文一句。\n\n（王五）\n")
    assert (page.code, page.section, page.date, page.editor, page.layout) == (None, None, None, None, None)
    assert any("header" in warning for warning in page.warnings)
    assert [item.title for item in page.items] == ["测试标题"]


@pytest.mark.parametrize("line", ["文/图 李四", "记者/张三", "编辑部的同志们"])
def test_a_line_like_an_editor_line_that_is_not_one_stays_on_the_page(line):
    page = split_page(f"A01 要闻 2019年3月1日 星期五\n\n测试标题\n{line}\n正文一句。\n\n（王五）\n")
    assert page.editor is None and page.layout is None


def test_a_dated_headline_is_not_taken_for_a_header():
    page = split_page("2019年3月1日两会开幕\n正文一句。\n\n（王五）\n")
    assert page.date is None
    assert [item.title for item in page.items] == ["2019年3月1日两会开幕"]


@pytest.mark.parametrize("line, editor, layout", [
    ("编辑：李璇 组版：叶成虎", "李璇", "叶成虎"),
    ("责任编辑：王强 美编：赵敏", "王强", "赵敏"),
    ("编辑：陈晨 校对：刘洋", "陈晨", None),
    ("编辑:陈晨  组版:周一", "陈晨", "周一"),
    ("编辑 姜鑫红  组版 尹刚建", "姜鑫红", "尹刚建"),
    ("编辑/何静磊 美编/黎明兰", "何静磊", "黎明兰"),
    ("责任编辑 王强", "王强", None),
    ("本版责编 赵敏", "赵敏", None),
])
def test_editor_line_variants(line, editor, layout):
    page = split_page(f"A01 要闻 2019年3月1日 星期五\n\n{line}\n\n测试标题\n正文一句。\n\n（王五）\n")
    assert (page.editor, page.layout) == (editor, layout)
    assert len(page.items) == 1 and page.items[0].body == "正文一句。"


# --- titles and bylines -----------------------------------------------------

@pytest.mark.parametrize("byline, authors", [
    ("（刘华伟）", ("刘华伟",)),
    ("(苏扬帆 周威)", ("苏扬帆", "周威")),
    ("（张三、李四、王五）", ("张三", "李四", "王五")),
    ("（本报记者 赵六）", ("赵六",)),
    ("（记者龙欣实习生孔伟平）", ("龙欣", "孔伟平")),
    ("（记者 龚 刚 李四）", ("龚刚", "李四")),
])
def test_byline_closes_the_article_and_gives_its_authors(byline, authors):
    page = split_page(_page("第一篇标题\n第一篇正文。", byline, "第二篇标题\n第二篇正文。", "(钱七)"))
    assert [(i.title, i.authors) for i in page.items] == [("第一篇标题", authors), ("第二篇标题", ("钱七",))]


@pytest.mark.parametrize("ending, authors", [
    ("干杯！（记者 孟丹 通讯\n员   丁 振 帆 ）", ("孟丹", "丁振帆")),  # a role broken over two lines; a letter-spaced name
    ("成员国？（记者 段\n\n远）", ("段远",)),  # a column break inside the byline
    ("所在。\n\n(记者 郭思凯 见习记者 木合塔尔·\n依明)", ("郭思凯", "木合塔尔·依明")),  # broken after a name's dot
    ("所在。\n\n（龚 刚 李 明）", ("龚刚", "李明")),
    ("杨正荣说。（通\n讯员 江宁婷 邵华萍 记者 高天海）", ("江宁婷", "邵华萍", "高天海")),  # spaces make it long
])
def test_bylines_broken_or_letter_spaced_still_give_their_names(ending, authors):
    page = split_page(_page("第一篇标题\n　　为在座各位的健康" + ending, "第二篇标题\n　　第二篇正文。", "(钱七)"))
    assert [(i.title, i.authors) for i in page.items] == [("第一篇标题", authors), ("第二篇标题", ("钱七",))]
    assert "记者" not in page.items[0].body


def test_words_in_parentheses_are_not_a_byline():
    page = split_page(_page("连载标题\n故事讲到这里。", "（待续）"))
    assert page.items[0].authors == ()
    assert any("byline" in w for w in page.items[0].warnings)


def test_two_line_headline_in_one_column_becomes_one_title():
    item = _only_item(_page(
        "东城区老旧小区\n加装电梯全面提速",
        "3月1日，东城区住建委召开推进会，\n部署今年老旧小区加装电梯工作，\n全年计划完成加装电梯一百二十部。",
        "(孙明)"))
    assert item.title == "东城区老旧小区加装电梯全面提速"
    assert item.body.startswith("3月1日，东城区住建委")
    assert not item.warnings


def test_wide_headline_followed_by_the_first_body_line_keeps_them_apart():
    item = _only_item(_page(
        "市图书馆推出夜间阅读服务受读者欢迎\n市图书馆从本月起延",
        "长开放时间，每晚开放\n至十点，方便上班族借\n阅图书，受到读者欢迎。",
        "(孙明)"))
    assert item.title == "市图书馆推出夜间阅读服务受读者欢迎"
    assert item.body == "市图书馆从本月起延长开放时间，每晚开放至十点，方便上班族借阅图书，受到读者欢迎。"


def test_title_spaces_next_to_punctuation_are_removed():
    item = _only_item(_page("甲地——— 乙地协作成效显著\n两地协作，成效显著。", "(孙明)"))
    assert item.title == "甲地———乙地协作成效显著"


def test_article_without_byline_at_page_end_is_kept_with_a_warning():
    page = split_page(_page("第一篇标题\n第一篇正文。", "(钱七)", "末篇标题\n末篇正文没有署名。"))
    assert [i.title for i in page.items] == ["第一篇标题", "末篇标题"]
    assert page.items[0].warnings == ()
    assert any("byline" in w for w in page.items[1].warnings)


# --- photo stories ----------------------------------------------------------

def test_photo_story_title_follows_a_two_line_credit():
    page = split_page(_page(
        "第一篇标题\n第一篇正文。",
        "(钱七)",
        "近日，区人社局在文化广场举办春季\n招聘会，六十余家企业提供岗位两千\n余个，吸引众多求职者前来咨询。",
        "记者 王芳 通讯员 刘涛\n张伟 摄影报道",
        "春风送岗位",
        "区政府召开防汛工作会议\n会议部署了今年的防汛工作。",
        "(钱七)"))
    assert [(i.kind, i.title, i.authors) for i in page.items] == [
        ("article", "第一篇标题", ("钱七",)),
        ("photo", "春风送岗位", ("王芳", "刘涛", "张伟")),
        ("article", "区政府召开防汛工作会议", ("钱七",)),
    ]
    assert page.items[1].body == "近日，区人社局在文化广场举办春季招聘会，六十余家企业提供岗位两千余个，吸引众多求职者前来咨询。"
    assert [i.position for i in page.items] == [1, 2, 3]


def test_photo_story_at_page_end_with_one_line_credit():
    item = _only_item(_page("2月26日，志愿者在社区开展义诊活动。", "记者 李军 摄", "社区义诊"))
    assert (item.kind, item.title, item.authors, item.body) == (
        "photo", "社区义诊", ("李军",), "2月26日，志愿者在社区开展义诊活动。")


def test_photo_story_without_a_title_says_so():
    item = _only_item(_page("2月26日，志愿者在社区开展义诊活动。", "记者 李军 摄"))
    assert item.kind == "photo" and item.title == ""
    assert item.warnings


# --- robustness -------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n\n\n", "单独一行", "（", "(张三)", "记者 李军 摄", "\x00\x01\ufeff((（）)",
                                  bytes(range(256)).decode("latin-1"), "A01", "第版", "编辑：", "　 \u3000\t"])
def test_odd_input_never_raises(text):
    page = split_page(text)
    assert isinstance(page, Page)
    assert not any("internal error" in w for w in page.warnings)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_split_page_never_raises_and_numbers_items_in_order(text):
    page = split_page(text)
    assert not any("internal error" in w for w in page.warnings), page.warnings
    assert all(item.kind in {"article", "photo"} for item in page.items)
    assert [item.position for item in page.items] == list(range(1, len(page.items) + 1))


_PAGE_LINES = st.sampled_from([
    "", "", "B03城事2018年2月28日 星期三", "编辑：李璇 组版：叶成虎", "测试标题", "两行标题的", "第二行",
    "正文第一行，", "正文写到一半", "正文结束。", "完 整 的 协 作 。", "资达1836 . 7万元", "(苏扬帆 周威)", "（刘华伟）",
    "记者 李军 通讯员 陈勇", "相茂弟 摄影报道", "记者 李军 摄", "（待续）",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PAGE_LINES, max_size=40))
def test_page_shaped_input_never_raises(lines):
    page = split_page("\n".join(lines))
    assert not any("internal error" in w for w in page.warnings), page.warnings
    assert [item.position for item in page.items] == list(range(1, len(page.items) + 1))
    assert all(item.kind in {"article", "photo"} for item in page.items)


# --- columns, indentation and paragraphs -----------------------------------------------------------------

def test_paragraphs_follow_the_indent_not_every_blank_line():
    # Column 12 wide. The first paragraph ends a sentence at a column's last full line: the blank
    # after it is a column break, and the line after it (full, not indented) goes on.
    item = _only_item(_page(
        "测试标题",
        "冠县坚持高层引领、中层推\n动、基层落实的原则，深入推\n动资源整合，取得新成效。",
        "两地在发展规划、技术支持\n等方面的合作不断加强。",
        "加强组织保障，确保扶\n贫协作有序有力，高效推进\n两地协作工作。",
        "（王五）"))
    assert item.paragraphs == (
        "冠县坚持高层引领、中层推动、基层落实的原则，深入推动资源整合，取得新成效。两地在发展规划、技术支持等方面的合作不断加强。",
        "加强组织保障，确保扶贫协作有序有力，高效推进两地协作工作。")


def test_kept_indentation_marks_paragraphs_without_blank_lines():
    item = _only_item(_page(
        "测试标题\n\u3000\u3000第一段写到这里，一行\n接着一行，到这里结束。\n\u3000\u3000第二段从这里开始，\n写到这里。",
        "（王五）"))
    assert item.paragraphs == ("第一段写到这里，一行接着一行，到这里结束。", "第二段从这里开始，写到这里。")


def test_column_width_changing_inside_an_article_keeps_its_paragraphs():
    item = _only_item(_page(
        "测试标题\n为进一步改善贫困家\n庭居住环境和精神面貌，\n实现物质和精神双脱贫。",
        "村两委成员要指导有劳动能力\n的贫困家庭开展卫生大扫除，做到\n户户必到，标准讲到，要求达到。",
        "帮扶干部要在集中清扫阶段，\n帮助所帮扶的贫困户打扫庭院卫生，\n彻底改变生活现状。",
        "(沙德顺)"))
    assert len(item.paragraphs) == 3 and item.paragraphs[1].startswith("村两委成员")


def test_numbers_and_quotation_marks_broken_across_lines_are_joined():
    body = _article_body("全乡13\n61户、2333名贫困户参加了“医\n保”，资金达1836\n.7万元。")
    assert body == "全乡1361户、2333名贫困户参加了“医保”，资金达1836.7万元。"


# --- openers and bylines ---------------------------------------------------------------------------------

@pytest.mark.parametrize("opener, authors", [
    ("本报讯（记者 张三 李四）", ("张三", "李四")),
    ("本报讯(通讯员 王五 记者 赵六)", ("王五", "赵六")),
    ("本报北京3月1日电（记者 钱七）", ("钱七",)),
    ("新华社北京3月7日电（记者 李华 王芳）", ("李华", "王芳")),
    ("本报讯 ", ()),
])
def test_an_opener_gives_the_authors_and_leaves_the_body(opener, authors):
    page = split_page(_page(f"测试标题\n{opener}3月1日，市政府召开\n会议，部署全年工作。"))
    item = page.items[0]
    assert (item.title, item.authors, item.body) == ("测试标题", authors, "3月1日，市政府召开会议，部署全年工作。")
    assert not any("byline" in w for w in item.warnings)


def test_an_opener_broken_across_lines_keeps_names_whole():
    # The break falls inside a role word, inside a name, and between two names.
    page = split_page(_page("测试标题\n本报讯（记者 王强 通讯\n员 李\n明 张\n伟）全市召开会议。"))
    assert page.items[0].authors == ("王强", "李明", "张伟")
    page = split_page(_page("测试标题\n本报讯（记者 王强\n李明）全市召开会议。"))
    assert page.items[0].authors == ("王强", "李明")


def test_an_article_with_an_opener_ends_where_the_next_headline_begins():
    page = split_page(_page(
        "市图书馆推出夜间阅读服务\n本报讯（记者 张三）为满足市民多\n样化的阅读需求，市图书馆从本月起\n延长开放时间，每晚开放至二十一时\n三十分。",
        "新能源公交车今日上线\n今天起，我市新增的纯电动公交\n车投入运营，主要服务于十二条线路，\n满载续航里程可达三百公里。",
        "（李四）"))
    assert [(i.title, i.authors) for i in page.items] == [("市图书馆推出夜间阅读服务", ("张三",)),
                                                          ("新能源公交车今日上线", ("李四",))]


@pytest.mark.parametrize("byline, authors", [
    ("（本报记者 张三 李四 王\n五 赵六）", ("张三", "李四", "王五", "赵六")),
    ("(记者 张三 李四\n王五)", ("张三", "李四", "王五")),
])
def test_a_byline_wrapping_onto_a_second_line_is_read_whole(byline, authors):
    page = split_page(_page("第一篇标题\n第一篇正文。", byline, "第二篇标题\n第二篇正文。", "(钱七)"))
    assert [(i.title, i.authors) for i in page.items] == [("第一篇标题", authors), ("第二篇标题", ("钱七",))]


# --- headlines --------------------------------------------------------------------------------------------

def test_kicker_and_subtitle_are_told_apart_from_the_headline():
    item = _only_item(_page("聚焦民生实事 提升幸福指数\n老旧小区改造惠及万户居民\n——我市推进城市更新工作综述\n"
                            "去年以来，我市累计改造小区132个。", "（王五）"))
    assert (item.kicker, item.title, item.subtitle) == ("聚焦民生实事 提升幸福指数", "老旧小区改造惠及万户居民",
                                                        "——我市推进城市更新工作综述")
    assert item.body == "去年以来，我市累计改造小区132个。"


def test_a_kicker_set_apart_by_a_blank_line_stays_with_its_headline():
    item = _only_item(_page("绿化家园 共建美丽城市", "全市春季义务植树活动启动",
                            "3月12日上午，全市春季义务植树活动启动，共栽下苗木1.8万余株。", "（王五）"))
    assert (item.kicker, item.title) == ("绿化家园 共建美丽城市", "全市春季义务植树活动启动")


def test_a_headline_with_a_blank_line_after_it():
    item = _only_item(_page("东城区老旧小区\n加装电梯全面提速", "3月1日，东城区住建委召开推进会，\n部署今年老旧小区加装电梯工作，\n"
                            "全年计划完成加装电梯一百二十部。", "(孙明)"))
    assert item.title == "东城区老旧小区加装电梯全面提速" and item.body.startswith("3月1日")


def test_a_line_running_on_mid_word_is_no_headline():
    # "介" / "绍" is one word broken at the column edge: the short line is body, not a new article.
    page = split_page(_page(
        "学校食堂用上智能结算\n在实验中学的学生食堂，学生把\n餐盘放在结算台上，不到两秒就\n能完成结算。",
        "学校后勤负责人介",
        "绍，系统上线后，午餐排队时间由原\n来的十五分钟缩短到五分钟左右。",
        "（王五）"))
    assert [i.title for i in page.items] == ["学校食堂用上智能结算"]


def test_a_long_headline_wrapped_over_three_lines_is_one_title():
    # Unseen layouts, kind 1: no gap or phrase space sets the first line apart, so it is no kicker.
    item = _only_item(_page("十三届全国人大四次会议在京\n闭幕 表决通过关于国民经济和社\n会发展第十四个五年规划纲要的决议",
                            "本报北京3月11日电（记者 张三）十三届全国人大四次\n会议11日下午在人民大会堂闭\n"
                            "幕。会议表决通过了规划纲要。", "（王五）"))
    assert item.kicker is None
    assert item.title == "十三届全国人大四次会议在京闭幕 表决通过关于国民经济和社会发展第十四个五年规划纲要的决议"
    assert any("wrapped headline" in warning for warning in item.warnings)


def test_a_headline_with_no_gap_before_its_body_keeps_the_body_out_of_the_title():
    # Unseen layouts, kind 2: the body's first line, set full and with no punctuation, opens as a lede does.
    page = split_page(_page("大气十条改善目标顺利完成\n记者从生态环境部了解\n到，全国空气质量总体改善，重点\n"
                            "区域改善明显，治理成效显著，\n各项指标全部达到预期目标。", "（王五）",
                            "冬奥会筹办工作进入冲刺阶段\n记者从北京冬奥组委了解到，\n各项筹办工作已进入冲刺阶段。",
                            "（李四）"))
    assert any("opens as a story's first sentence" in warning for warning in page.items[0].warnings)
    assert [(i.title, i.body[:6]) for i in page.items] == [("大气十条改善目标顺利完成", "记者从生态环"),
                                                           ("冬奥会筹办工作进入冲刺阶段", "记者从北京冬")]


def test_list_points_and_a_quotation_on_lines_of_their_own_are_no_headlines():
    # Unseen layouts, kind 3: short lines inside a body, after a finished paragraph and a gap.
    page = split_page(_page(
        "冠县部署春季农业生产\n本报讯（记者 张三）3月5日，冠县召开\n春季农业生产工作会议，对全年农业\n生产作出部署。",
        "一是抓好春耕备耕",
        "  各乡镇要及早调运化肥、种子等农\n资，确保春耕生产顺利进行。",
        "“一年之计在于春”",
        "  会议强调，各级各部门要抓住有利\n时机，全力以赴抓好春季农业生产。",
        "【管护：人人都是河长】",
        "  治河不易，管河更难。全县建立了\n县、乡、村三级河长体系。",
        "（李四）"))
    assert [i.title for i in page.items] == ["冠县部署春季农业生产"]
    assert all(line in page.items[0].body for line in ("一是抓好春耕备耕", "一年之计在于春", "【管护：人人都是河长】"))


def test_a_labelled_headline_keeps_its_label_line():
    # Unseen layouts, kind 5: the label, on a line of its own, ends in a colon.
    page = split_page(_page("全市重点项目集中开工\n本报讯（记者 王强）1月5日，全市\n2020年第一批重点项目集中开工。",
                            "（王强）", "人民日报社论：\n将改革开放进行到底",
                            "今天，我们隆重庆祝改革开放40周\n年。40年来，中国人民用双手书写\n了壮丽史诗。", "（新华）"))
    assert [i.title for i in page.items] == ["全市重点项目集中开工", "人民日报社论：将改革开放进行到底"]
    assert page.items[1].body.startswith("今天，我们")


def test_a_label_line_goes_on_into_a_headline_as_wide_as_the_column():
    item = _only_item(_page("本报评论员：\n以钉钉子精神抓好项目建设\n"
                            "　　项目是经济发展的“压舱石”。\n一季度全市重点项目开工率达到\n76%，为全年经济发展打下了良\n"
                            "好基础。越是形势向好，越要保\n持清醒。", "（王强）"))
    assert (item.title, item.kicker) == ("本报评论员：以钉钉子精神抓好项目建设", None)
    assert item.body.startswith("项目是经济发展")


def test_a_body_line_introducing_speech_is_no_label():
    page = split_page(_page("全市重点项目集中开工\n本报讯（记者 王强）1月5日，全市\n2020年第一批重点项目集中开工。",
                            "会议指出：", "要为项目建设提供“保姆式”服\n务，确保项目早建成、早见效。", "（王强）"))
    assert [i.title for i in page.items] == ["全市重点项目集中开工"]
    assert "会议指出：" in page.items[0].body


@pytest.mark.parametrize("between", ["\n\n", "\n"], ids=["gap", "no gap"])
def test_a_compound_kicker_stays_over_its_headline(between):
    # Unseen layouts, kind 4: a kicker joining two phrases by a dash, then the main headline.
    page = split_page(_page("全市重点项目集中开工\n本报讯（记者 王强）1月5日，全市\n2020年第一批重点项目集中开工。",
                            "（王强）", "伟大的变革——庆祝改革开放40周年大型展览" + between + '小"家"变化见证国家发展',
                            "本报讯（记者 张三）走进国家博物\n馆，展览吸引了众多观众。", "（张三）"))
    assert [(i.kicker, i.title) for i in page.items] == [
        (None, "全市重点项目集中开工"), ("伟大的变革——庆祝改革开放40周年大型展览", '小"家"变化见证国家发展')]
    assert page.items[1].body.startswith("走进国家博物馆")


def test_a_headline_broken_mid_word_keeps_both_lines_over_a_short_column():
    item = _only_item(_page("李铁映在建立社会主义市场\n经济法律体系座谈会上强调",
                            "据新华社北京７月９日\n电（记者周亮）在今天召\n开的座谈会上，李铁映\n强调要加快立法。", "（周亮）"))
    assert item.title == "李铁映在建立社会主义市场经济法律体系座谈会上强调"


@pytest.mark.parametrize("first, second", [("古城有位好警察——记全国", "特级优秀人民警察王炳奎"),
                                           ("做与中国合作的先行——记希腊船王康斯坦塔", "科普洛斯"),
                                           ("古城有位好警察——訪全國", "特級優秀人民警察王炳奎")])
def test_a_features_portrait_line_broken_after_its_dash_is_no_kicker(first, second):
    # `——记…` says whom a feature portrays: it ends the headline, so a line holding part of it is no kicker.
    item = _only_item(_page(first + "\n" + second, "　　前不久，公安部公布了一批“全国特级优秀人民\n警察”的名单。",
                            "（王五）"))
    assert (item.kicker, item.title) == (None, first + second)


def test_a_headline_broken_just_after_its_dash_is_no_kicker():
    item = _only_item(_page("做与中国合作的先行——记\n希腊船王康斯坦塔科普洛斯",
                            "本报郑州5月11日电（记者 秦勇）１９９５年５月，希腊船主\n瓦西里斯先生携夫人访问中国。"))
    assert (item.kicker, item.title) == (None, "做与中国合作的先行——记希腊船王康斯坦塔科普洛斯")


@pytest.mark.parametrize("closing", ["（王强）", ""])
def test_a_gap_inside_a_headline_broken_mid_word_stays_inside_it(closing):
    # Unseen layouts, kind 1: the OCR saw a gap between the lines of a long headline broken in a word.
    first = "全市重点项目集中开工\n本报讯（记者 王强）1月5日，全市\n2020年第一批重点项目集中开工。"
    page = split_page(_page(*[block for block in (first, closing) if block], "十二届全国人大常",
                            "委会委员长会议在京举行 张德江主持",
                            "本报北京3月17日电（记者 张三）十\n二届全国人大常委会委员长会议17日\n在人民大会堂举行。",
                            "（张三）"))
    assert [(i.kicker, i.title) for i in page.items] == [
        (None, "全市重点项目集中开工"), (None, "十二届全国人大常委会委员长会议在京举行 张德江主持")]


@pytest.mark.parametrize("ending, authors", [
    ("整改不到位的取消补贴\n资格。(记者 何墨)", ("何墨",)),
    ("整改不到位的取消补贴资\n格。（记者 龙欣 实习\n生 孔伟平）", ("龙欣", "孔伟平")),
    ("整改不到位的取消补贴\n资格。(苏扬帆 周威)", ("苏扬帆", "周威")),
    ("整改不到位的取消补贴\n资格。(本报记者\n徐颖超 杜蓉芳 高明雨 谭\n林平)", ("徐颖超", "杜蓉芳", "高明雨", "谭林平")),
    ("整改不到位的取消补贴\n资格。(本\n报记者 罗倩兰 吴浩芳\n侯振玉 龚 刚)", ("罗倩兰", "吴浩芳", "侯振玉", "龚刚")),
])
def test_a_byline_run_on_after_the_last_sentence_closes_the_article(ending, authors):
    page = split_page(_page("社区食堂同时开业\n全市首批32家社区食堂同时开业，\n" + ending,
                            "冬季供暖准备就绪\n全市供热管网改造全部完工，各项\n准备工作已经就绪。", "（李四）"))
    assert [(i.title, i.authors) for i in page.items] == [("社区食堂同时开业", authors),
                                                          ("冬季供暖准备就绪", ("李四",))]
    assert page.items[0].body.endswith("取消补贴资格。")


def test_words_in_brackets_after_a_sentence_are_no_run_on_byline():
    page = split_page(_page("泰国民主纪念碑\n纪念碑基座有浮雕，主题：「军队争取民主」（图四）\n显示军队作战为民主。", "（雷勇）"))
    assert [(i.title, i.authors) for i in page.items] == [("泰国民主纪念碑", ("雷勇",))]


@pytest.mark.parametrize("ending, authors", [("（苏萱）", ("苏萱",)), ("（欧阳明）", ("欧阳明",)), ("（待续）", ())])
def test_one_name_in_brackets_after_the_last_sentence_is_a_byline_when_it_opens_with_a_surname(ending, authors):
    page = split_page(_page("适应形势需要探索办学新路\n本报讯 近两年苏州市基层党校共举\n办各类培训班近９００期，受到基\n层党员干部的普遍欢迎。"
                            + ending, "有感于西方老年孤独\n最近，从法国书刊上读到一则报道。", "（王五）"))
    titles = [(i.title, i.authors) for i in page.items]
    if authors:
        assert titles == [("适应形势需要探索办学新路", authors), ("有感于西方老年孤独", ("王五",))]
    else:
        assert titles[0][1] != ("待续",)


def test_a_briefs_column_gives_each_bulleted_item_and_drops_its_head():
    page = split_page(_page(
        "■简讯",
        "■清河高铁站新增至省城班次\n铁路部门实行新运行图后，清河站每天开往省城的\n动车组列车由18对增加到24对。（记者 曹玉）\n"
        "■“书香校园”读书月落幕\n为期一个月的“书香校园”读书月活动近日落幕。",
        "■市民可网上预约婚姻登记\n本报讯(记者 姚思志)市民政局近日上线婚姻登记网\n上预约系统。"))
    assert [(i.title, i.authors) for i in page.items] == [("清河高铁站新增至省城班次", ("曹玉",)),
                                                          ("“书香校园”读书月落幕", ()),
                                                          ("市民可网上预约婚姻登记", ("姚思志",))]
    assert page.items[1].body == "为期一个月的“书香校园”读书月活动近日落幕。"


LONG_HEADLINE = ("清河临川两市开通首条跨市公交线路，两地居\n民今后持一张交通卡即可在两市乘坐公交和地\n"
                 "铁，并享受与本地居民同等的换乘优惠")


@pytest.mark.parametrize("closing", ["（王强）", ""], ids=["after a byline", "inside a segment"])
def test_a_long_headline_with_clause_commas_is_a_headline(closing):
    # Unseen layouts, kind 1: a headline of 50 characters over three lines, commas in it.
    first = "全市重点项目集中开工\n本报讯（记者 王强）1月5日，全市\n2020年第一批重点项目集中开工。"
    page = split_page(_page(*[block for block in (first, closing) if block], LONG_HEADLINE,
                            "9月28日上午，从清河高铁站开往临川市中\n心汽车站的城际公交C1路正式开通运营。", "（李四）"))
    assert [i.title for i in page.items] == [
        "全市重点项目集中开工", "清河临川两市开通首条跨市公交线路，两地居民今后持一张交通卡即可在两市乘坐公交和地铁，"
                         "并享受与本地居民同等的换乘优惠"]
    assert page.items[1].body.startswith("9月28日上午")


@pytest.mark.parametrize("byline, authors", [("本报记者 唐航", ("唐航",)), ("◎本报记者 吕楠 钟鑫", ("吕楠", "钟鑫")),
                                             ("文/本报记者 夏浩明", ("夏浩明",))])
def test_a_byline_on_a_line_of_its_own_under_the_headline_gives_the_authors(byline, authors):
    item = _only_item(_page("冬季供暖准备就绪\n" + byline + "\n全市供热管网改造全部完工，各项\n准备工作已经就绪。"))
    assert (item.title, item.authors, item.body) == ("冬季供暖准备就绪", authors, "全市供热管网改造全部完工，各项准备工作已经就绪。")


def test_a_photo_under_an_article_without_a_byline_leaves_the_article_its_own():
    page = split_page(_page("全市首批32家社区食堂\n同时开业\n3月1日，我市首批32家社区食堂同时开业，覆盖主\n城区全部18个街道。",
                            "市民政局建立了星级评定和退出机制。",
                            "11月9日是全国消防日，消防救援站开展开放日活动。图为孩子们\n在消防员指导下体验水枪射水。",
                            "本报记者 郭宁丽 摄", "小小消防员"))
    assert [(i.kind, i.title, i.authors) for i in page.items] == [
        ("article", "全市首批32家社区食堂同时开业", ()), ("photo", "小小消防员", ("郭宁丽",))]
    assert page.items[0].body.endswith("星级评定和退出机制。")


def test_brackets_round_a_whole_headline_are_not_part_of_it():
    item = _only_item(_page("【我市完成首批医保电子凭证激活】\n截至2月底，全市已有62万人激活医保电\n子凭证。", "（王五）"))
    assert item.title == "我市完成首批医保电子凭证激活"


def test_a_date_running_on_after_a_column_break_ends_no_headline():
    # 3月26日 continues the sentence the column break cut; it is no lede's date, so 历时… stays body.
    item = _only_item(_page("全省中学生足球联赛落幕\n历时10天的全省中学生足球联赛",
                            "3月26日在市体育中心落下帷幕。我市\n代表队获得高中男子组冠军。", "（本报记者 秦秀）"))
    assert item.title == "全省中学生足球联赛落幕" and item.body.startswith("历时10天")


def test_a_byline_line_under_a_headline_sets_the_next_article_apart():
    page = split_page(_page("读懂“夜经济”背后的城市温度\n◎汤鑫亮\n华灯初上，夜市里人声鼎沸。",
                            "时评：别让“僵尸共享单车”\n占了人行道\n◎马松国\n走在一些街道上，不难看到成排的共\n享单车倒在人行道上。"))
    assert [(i.title, i.authors) for i in page.items] == [("读懂“夜经济”背后的城市温度", ("汤鑫亮",)),
                                                          ("时评：别让“僵尸共享单车”占了人行道", ("马松国",))]


def test_briefs_with_their_headlines_run_in_in_brackets_are_items():
    page = split_page(_page("快讯",
                            "　　【市民可网上预约婚姻登记】市民\n政局近日上线婚姻登记网上预约系统。\n"
                            "【河滨公园樱花进入盛\n花期】本报讯 连日来气温回升，河滨公园\n内600余株樱花进入盛花期。（马宇 杜雪林）",
                            "■记者 韦林 曹梅薇\n10月18日，地铁2号线一期工程首列车运抵东郊车辆段。"))
    assert [(i.title, i.authors) for i in page.items][:2] == [("市民可网上预约婚姻登记", ()),
                                                              ("河滨公园樱花进入盛花期", ("马宇", "杜雪林"))]
    assert page.items[0].body == "市民政局近日上线婚姻登记网上预约系统。"
    assert page.items[1].body == "连日来气温回升，河滨公园内600余株樱花进入盛花期。"


def test_a_bulleted_headline_set_apart_from_its_text_by_a_gap_starts_a_briefs_item():
    page = split_page(_page("简 讯",
                            "◆新城区第二小学开工\n本报讯（记者 贺磊倩）新城区第\n二小学日前开工建设，预计明\n年秋季投入使用。\n"
                            "◆第三届青年创业大赛启动报名",
                            "由团市委、市人社局联合主办的\n第三届青年创业大赛日前启动报名。",
                            "●全市小麦一喷三防全面展开", "本报讯（记者 吕泽强）眼下正\n值小麦抽穗扬花期。"))
    assert [(i.title, i.authors) for i in page.items] == [
        ("新城区第二小学开工", ("贺磊倩",)), ("第三届青年创业大赛启动报名", ()), ("全市小麦一喷三防全面展开", ("吕泽强",))]


def test_a_bulleted_byline_with_a_role_is_a_byline():
    from service.ingest.pages.credits import _byline_line_names
    assert _byline_line_names("■记者 韦林 曹梅薇 贺凯慧") == ("韦林", "曹梅薇", "贺凯慧")
    assert _byline_line_names("■雪后清河") is None


def test_a_headline_line_leaving_a_title_mark_open_goes_on_into_the_next():
    item = _only_item(_page("真情写英魂——《张\n浩传奇》简介\n这部传记记述了张浩烈士的一生，\n史料翔实，文笔生动。",
                            "（王五）"))
    assert item.title == "真情写英魂——《张浩传奇》简介"


def test_a_column_head_of_its_own_is_no_item():
    page = split_page(_page("民生快递", "■南环路施工期间部分公交改线\n因南环路雨污分流改造施工，部分公交\n临时绕行。（记者 曹玉）"))
    assert [i.title for i in page.items] == ["南环路施工期间部分公交改线"]


def test_a_run_in_headline_leaves_the_paragraph_it_opens_whole():
    # The bracket closes with one word of the paragraph after it on the line (`本`): that word is no headline line.
    page = split_page(_page("南环路施工期间部分公交改线\n因南环路雨污分流改造施工，部分公交\n临时绕行。（记者 曹玉）",
                            "【城乡居民养老金再提标】本\n报讯 从今年1月起，我市城乡\n居民基本养老保险基础养老金\n每人每月提高15元。"))
    assert [i.title for i in page.items] == ["南环路施工期间部分公交改线", "城乡居民养老金再提标"]
    assert page.items[1].body == "从今年1月起，我市城乡居民基本养老保险基础养老金每人每月提高15元。"


def test_a_byline_line_wrapped_onto_the_next_gives_every_author():
    item = _only_item(_page("市區新增單車徑\n本報記者 何詠詩 黃文傑 通\n訊員 鄭偉倫",
                            "　　市區新增三條單車徑，全長十二公里，\n本月起開放。"))
    assert (item.title, item.authors) == ("市區新增單車徑", ("何詠詩", "黃文傑", "鄭偉倫"))
    assert item.body == "市區新增三條單車徑，全長十二公里，本月起開放。"


def test_a_bulleted_headline_wrapped_onto_a_second_line_starts_a_briefs_item():
    page = split_page(_page("东湖区新增5处充电站\n年内还将在城郊3个镇\n各建一处快充站。\n■ 河滨公园樱花进入\n盛花期\n"
                            "连日来气温回升，河滨\n公园内600余株樱花进\n入盛花期。"))
    assert [i.title for i in page.items] == ["东湖区新增5处充电站", "河滨公园樱花进入盛花期"]
    assert page.items[1].body == "连日来气温回升，河滨公园内600余株樱花进入盛花期。"


@pytest.mark.parametrize("caption_end, authors", [
    ("（记者 薛琪 摄）", ("薛琪",)), ("（记者 郭伟\n摄）", ("郭伟",)), (" 记者 苏华芳\n摄", ("苏华芳",)),
    ("（本报记者 叶振 摄）", ("叶振",)), ("（记者 吕鹏 通讯员 姚强 吕\n国梓 摄影报道）\n", ("吕鹏", "姚强", "吕国梓")),
    ("\u3000新华社记者 邓薇\n摄", ("邓薇",))],
    ids=["bracketed", "wrapped", "unbracketed", "with 本报", "wrapped, 摄影报道, a gap after", "agency, unbracketed"])
def test_a_photo_credit_run_on_after_the_caption_closes_a_photo_story(caption_end, authors):
    page = split_page(_page("全市小麦一喷三防全面展开\n连日来，全市各地抢抓农时。", "（王五）",
                            "5月20日，面塑艺人在第二实验小\n学向学生展示面塑技艺。" + caption_end + "\n非遗进校园"))
    assert [(i.kind, i.title, i.authors) for i in page.items] == [
        ("article", "全市小麦一喷三防全面展开", ("王五",)), ("photo", "非遗进校园", authors)]
    assert page.items[1].body == "5月20日，面塑艺人在第二实验小学向学生展示面塑技艺。"


def test_a_caption_of_two_paragraphs_after_another_photo_stays_one_caption():
    page = split_page(_page("5月20日，面塑艺人在第二实验小学向学生展示面塑技艺。", "本报记者 钱芳 摄影报道", "非 遗 进 校 园",
                            "近日，上千只候鸟飞抵清河湿地越冬，在水\n面上觅食嬉戏。\n　　近年来，随着生态环境持续改善，来这\n"
                            "里越冬的候鸟种类和数量逐年增加。 记者\n范桂   摄", "湿地迎来“老朋友”"))
    assert [(i.kind, i.title, i.authors) for i in page.items] == [
        ("photo", "非遗进校园", ("钱芳",)), ("photo", "湿地迎来“老朋友”", ("范桂",))]
    assert page.items[1].body.startswith("近日，上千只候鸟")


def test_a_letter_spaced_photo_title_right_under_its_credit_is_no_name():
    page = split_page(_page("10月15日，市民在人民公园观赏\n菊花。本届菊展展出菊花300余\n个品种5万余盆。",
                            "通讯员 姜航振 摄\n菊 展 吸 引 游 客", "国庆假期，清河古城举办灯光秀，游\n客夜游古城、品尝美食。假期前三天，\n"
                            "古城累计接待游客21万人次。 记者\n邓军梓 摄", "夜游古城"))
    assert [(i.kind, i.title, i.authors) for i in page.items] == [
        ("photo", "菊展吸引游客", ("姜航振",)), ("photo", "夜游古城", ("邓军梓",))]


def test_an_agency_reporter_credit_is_a_photo_credit():
    page = split_page(_page("6月8日，北岭镇农民驾驶联合收割机在麦田里收获小麦。", "新华社记者 叶明兰 摄", "麦收正忙"))
    assert [(i.kind, i.title, i.authors) for i in page.items] == [("photo", "麦收正忙", ("叶明兰",))]


def test_a_long_headline_with_its_byline_on_the_line_under_it():
    item = _only_item(_page(LONG_HEADLINE.split("\n")[0] + "\n" + LONG_HEADLINE.split("\n")[1] + "\n■ 记者 梁涛 陆泽",
                            "　　9月28日上午，从清河高铁站开往临川市中\n心汽车站的城际公交C1路正式开通运营。"))
    assert item.authors == ("梁涛", "陆泽") and item.body.startswith("9月28日上午")
    assert "梁涛" not in item.title


def test_a_wider_line_under_a_two_line_headline_is_its_subtitle():
    item = _only_item(_page("地铁2号线一期\n首列车抵达车辆段\n计划明年年底开通初期运营\n"
                            "本报讯（记者 梁诗佳）10月18日，地铁2号线一期工\n程首列车运抵东郊车辆段。"))
    assert (item.title, item.subtitle) == ("地铁2号线一期首列车抵达车辆段", "计划明年年底开通初期运营")


FEATURE = ("大山里的“云上课堂”",
           "　　早上8点，位于深山里的石门小学响起了上课铃声。四年级\n的教室里，12名学生坐在大屏幕前，城\n"
           "里名校的老师正在讲授一节英语课。这是石门小学和市实验小学\n的“同步课堂”，每周两节。",
           "开不齐课的难题",
           "　　石门小学位于海拔800多米的山腰上，学校现有学生86人。\n过去学校没有专职的英语老师，英语课\n"
           "只能由其他老师兼任。三年前，学校建成了智慧教室，城里老师\n的英语课“飞”进了石门小学。")


def test_a_subhead_inside_a_long_story_starts_no_new_item():
    # Unseen layouts, kind 3: the heading's text goes on with the story's own words (石门小学, 英语, 老师).
    item = _only_item(_page(*FEATURE, "（本报记者 林静）"))
    assert item.title == "大山里的“云上课堂”"
    assert "开不齐课的难题" in item.paragraphs and item.body.endswith("石门小学。")


def test_a_story_on_another_subject_after_a_story_is_its_own_item():
    page = split_page(_page(*FEATURE[:2], "全市小麦一喷三防全面展开",
                            "　　连日来，全市各地抢抓农时，组织农机手开展小麦病虫害\n统防统治，已完成作业面积32万亩。",
                            "（本报记者 林静）"))
    assert [i.title for i in page.items] == ["大山里的“云上课堂”", "全市小麦一喷三防全面展开"]


def test_a_story_on_the_same_subject_with_its_own_byline_is_its_own_item():
    # Adjacent stories on one event share its names; a byline under the heading still says a story begins.
    mourning = "　　邓小平同志逝世后，各国领导人纷纷致电。\n唁电说，邓小平同志是伟大的领导人，\n邓小平同志的逝世是巨大的损失。"
    page = split_page(_page("各国领导人致电哀悼", mourning, "国际社会深切哀悼邓小平逝世", "本报记者 徐帆",
                            "　　加勒比共同体秘书长致电，对邓小平\n同志逝世表示哀悼，说邓小平同志\n的逝世是巨大的损失。",
                            "（徐帆）"))
    assert [i.title for i in page.items] == ["各国领导人致电哀悼", "国际社会深切哀悼邓小平逝世"]


def test_a_headline_opening_with_a_quotation_starts_a_story_where_a_byline_follows():
    page = split_page(_page("小“家”变化见证国家发展", "　　展区通过一户普通人家四十年的变\n迁，展现了衣食住行的巨大变化。",
                            "“一件事一次办”\n企业开办最快半天办结", "本报记者 谢伟\n“营业执照、公章、发票、社保登\n记，一上午就全办好了。”"))
    assert [(i.title, i.authors) for i in page.items] == [("小“家”变化见证国家发展", ()),
                                                         ("“一件事一次办”企业开办最快半天办结", ("谢伟",))]


@pytest.mark.parametrize("commentator", ["■本报评论员", "本报评论员", "新華社評論員"])
def test_an_editorials_commentator_line_is_its_byline_naming_no_one(commentator):
    page = split_page(_page("以钉钉子精神抓好项目建设", commentator, "　　项目是经济发展的“压舱石”。一季度全市\n重点项目开工率达到76%。",
                            "把好事办好\n把实事办实\n" + commentator, "　　民生实事，件件连着群众的冷暖。"))
    assert [(i.title, i.authors, i.body[:4]) for i in page.items] == [
        ("以钉钉子精神抓好项目建设", (), "项目是经"), ("把好事办好把实事办实", (), "民生实事")]


def test_a_second_dateline_without_a_headline_goes_on_with_the_story():
    # A roundup (综合消息) gives each dispatch its own dateline under one headline.
    page = split_page(_page("国际社会深切哀悼邓小平逝世\n新华社北京３月３日电加勒比共同体秘书长\n卡林顿日前致电江泽民主席。",
                            "新华社北京３月３日电以色列国议会议长\n２月２６日致函乔石委员长，表示哀悼。", "（王五）",
                            "第二篇标题\n　　第二篇正文。", "(钱七)"))
    assert [i.title for i in page.items] == ["国际社会深切哀悼邓小平逝世", "第二篇标题"]
    assert "以色列国议会议长" in page.items[0].body


def test_a_subhead_over_a_short_section_sharing_the_storys_words_once_is_inside_the_story():
    page = split_page(_page(
        "夜色里的城市守护者\n——记者跟随急救人员体验一个夜班",
        "本报讯（记者 姚宇）晚上8点，市急救中心调度大厅灯火通明。12\n名调度员戴着耳麦，紧盯着屏幕，电话铃声此起彼伏。"
        "调度员孟\n佳一边询问病情，一边在系统上录入信息，从接听电话到派出救\n护车，不到一分钟。急救站的医生和担架"
        "员随时待命，夜\n班要一直值到第二天早上8点。",
        "■ 与时间赛跑",
        "当晚9点17分，调度大厅接到呼救电话：一名男子在家中倒地。\n孟佳一边询问病情，一边派出距离最近的急救站车辆，"
        "同时\n指导家属心肺复苏。救护车到达后，急救站的医生接过病人，\n担架员把病人抬上车，调度员记下出车时间。",
        "（王五）"))
    assert [i.title for i in page.items] == ["夜色里的城市守护者"]
    assert "与时间赛跑" in page.items[0].body


def test_words_every_story_uses_do_not_join_two_stories():
    first = ("　　国家统计局发布数据，国家经济运行平稳，\n经济工作中的问题正在解决。各地工作扎实，\n"
             "推动经济发展，在发展中解决问题。")
    page = split_page(_page("经济运行总体平稳", first, "学习基本法顺利迎回归",
                            "　　国家有关部门表示，回归前后的工作要提前\n做好，国家将推动经济发展，确保有关问题\n"
                            "妥善解决，各项工作有序展开，经济发展有问题就解决。", "（王五）"))
    assert [i.title for i in page.items] == ["经济运行总体平稳", "学习基本法顺利迎回归"]


@pytest.mark.parametrize("jump", ["(下转2版)", "（下转第A3版）", "（转A4版）", "（續第二版）"])
@pytest.mark.parametrize("run_on", [False, True])
def test_a_jump_line_ends_the_part_set_here_and_is_no_text(jump, run_on):
    # The story going on elsewhere ends mid-sentence: only the jump line says the next headline starts a story.
    first = "　　老百姓看戏曲，图的是开心。最开心的事\n是看除恶扬善的戏。包公有所耳闻，便微服去陈"
    page = split_page(_page("包公赶驴", first + jump if run_on else first + "\n\n" + jump, "最后十分钟",
                            "　　平日爱看足球，尤其是踢到最后十分钟。", "（王五）"))
    assert [i.title for i in page.items] == ["包公赶驴", "最后十分钟"]
    assert page.items[0].body.endswith("便微服去陈")


def test_a_continuation_note_is_no_text():
    page = split_page(_page("包公赶驴", "（上接第1版）\n　　老百姓看戏曲，图的是开心。", "（王五）"))
    assert [(i.title, i.body) for i in page.items] == [("包公赶驴", "老百姓看戏曲，图的是开心。")]


# --- pages in one file, and Traditional script -------------------------------------------------------------

def test_pages_in_one_file_are_told_apart():
    first = "A01 要闻 2019年3月1日 星期五\n\n第一页标题\n第一页正文。\n\n（王五）\n"
    second = "A02 城事 2019年3月1日 星期五\n\n第二页标题\n第二页正文。\n\n（赵六）\n"
    for joined in (first + "\f" + second, first + "\n\n" + second, first + "\n==========\n\n" + second):
        pages = split_pages(joined)
        assert [(p.code, [i.title for i in p.items]) for _, p in pages] == [("A01", ["第一页标题"]),
                                                                             ("A02", ["第二页标题"])]
        assert pages[1][0].strip().startswith("A02")
    [(text, page)] = split_pages(first)
    assert text == first and page.code == "A01"


def test_a_dated_line_inside_a_page_does_not_start_a_new_page():
    text = _page("测试标题\n2019年3月1日 星期五\n下午，全市召开会议。", "（王五）")
    assert len(split_pages(text)) == 1


def test_a_traditional_script_page():
    page = split_page("A3 國際 2019年6月9日 星期日\n\n編輯：王小明 美編：李大同\n\n國際能源署發布報告\n"
                      "本報訊（記者 陳明 林志明）國際能源署\n日前發布年度能源展望報告，預計全\n"
                      "球可再生能源發電量將持續增長。\n\n歐洲多國迎來寒潮\n受強冷空氣影響，歐洲多國近\n"
                      "日出現大範圍降雪和低溫天氣，部\n分地區氣溫降至零下二十度。\n\n(記者 張偉)\n")
    assert (page.code, page.section, page.editor, page.layout) == ("A3", "國際", "王小明", "李大同")
    assert [(i.title, i.authors) for i in page.items] == [("國際能源署發布報告", ("陳明", "林志明")),
                                                          ("歐洲多國迎來寒潮", ("張偉",))]


@pytest.mark.parametrize("header, code, section, date", [
    ("2019年3月1日 星期五 A05 经济", "A05", "经济", "2019-03-01"),
    ("2020年5月8日 星期五 第6版 经济", "6", "经济", "2020-05-08"),
    ("A12 体育 2020-06-15 星期一", "A12", "体育", "2020-06-15"),
])
def test_more_header_variants(header, code, section, date):
    page = split_page(f"{header}\n\n测试标题\n正文一句。\n\n（王五）\n")
    assert (page.code, page.section, page.date) == (code, section, date)


# --- which .txt files are pages ------------------------------------------------------------------------------

def test_pages_and_article_files_are_told_apart():
    assert looks_like_page(SEED_PAGE.read_text(encoding="utf-8"))
    assert looks_like_page("测试标题\n正文一行写到一半\n接着写\n\n（王五）\n")
    assert not looks_like_page("一篇文章的标题\n这是正文的第一段，一行就是一段。\n这是第二段，也写在一行里。\n")
    assert not looks_like_page("Title\n" + "很长的一段文字，" * 10 + "\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["A01 要闻 2019年3月1日 星期五", "第3版", "\f", "==========", "", "测试标题",
                                 "正文一句。", "（王五）", "本报讯（记者 张三）正文。"]), max_size=30))
def test_split_pages_never_raises_and_its_pages_cover_the_text(lines):
    text = "\n".join(lines)
    pages = split_pages(text)
    assert pages
    assert all(not any("internal error" in w for w in page.warnings) for _, page in pages)
    if len(pages) > 1:
        assert all(chunk in text for chunk, _ in pages)


# --- fuzzing the whole path from uploaded bytes to articles ----------------------------------------------

_HOSTILE_PIECES = st.sampled_from([
    "\r", "\r\n", "\t", "\u3000", "\u200b", "\ufeff", "\x0c", "\x00", "\u2028", "　　", "    ", "——", "——记", "•",
    "<script>alert(1)</script>", "../../etc/passwd", "A01", "要闻", "2019年13月45日", "星期八", "第9999版",
    "编辑：", "（", "）", "(", ")", "摄", "记者", "　　正文缩进，", "。", "，", "?", "\\", "%00", "𠀀", "ｱ", "é",
])
_FUZZ_LINES = st.one_of(_PAGE_LINES, _HOSTILE_PIECES, st.text(max_size=30),
                        st.lists(_HOSTILE_PIECES, max_size=6).map("".join))


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(st.lists(_FUZZ_LINES, max_size=60), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_any_uploaded_page_gives_articles_or_problems_never_an_exception(lines, encoding):
    from service.articles import check_id
    from service.ingest.sources import ReadOptions, read_bytes

    text = "\n".join(lines)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    result = read_bytes(data, "fuzz.txt", "upload:fuzz.txt", ReadOptions(txt="page", max_line_chars=200))
    assert result.articles or result.problems or not text.strip()
    for article in result.articles:
        assert check_id(article.id) and isinstance(article.title, str) and isinstance(article.body, str)
        assert article.kind in {"article", "photo"}


# --- fourth round: headlines told apart by what follows them and by the column's width -------------------

def test_a_dateline_under_a_headline_run_after_a_finished_story_starts_an_article():
    # A three-line headline with no gap under it: the body's first words (`10月18日，`) open a story's lede.
    page = split_page(_page("　　暴雨来袭，市防汛办提醒市民关注天气变化，\n尽量减少外出。",
                            "地铁2号线一期\n首列车抵达车辆段\n计划明年年底开通初期运营\n10月18日，地铁2号线一期工程首\n"
                            "列车运抵东郊车辆段，标志着2号线一\n期工程进入全面调试阶段。（记者 何墨）"))
    assert [(i.title, i.subtitle) for i in page.items][1:] == [("地铁2号线一期首列车抵达车辆段", "计划明年年底开通初期运营")]
    assert page.items[1].body.startswith("10月18日，")


def test_a_bulleted_headline_in_a_column_as_narrow_as_it_starts_a_briefs_item():
    # The briefs' lines are as short as a headline's; the word `启动` running across the break says the bulleted
    # line goes on into the next and the text follows.
    page = split_page(_page("民生快递", "●全民健身月活动开启\n8月8日，全民健身月活动\n在市体育中心开启。",
                            "●第三届青年创业大赛启\n动报名\n由团市委、市人社局联合\n主办的第三届青年创业大\n赛日前启动报名。"))
    assert [i.title for i in page.items] == ["全民健身月活动开启", "第三届青年创业大赛启动报名"]
    assert page.items[1].body == "由团市委、市人社局联合主办的第三届青年创业大赛日前启动报名。"


def test_a_headline_after_a_finished_paragraph_with_no_gap_starts_an_article_when_the_body_takes_up_its_words():
    # No gap, no indent, no opener: the short line's words (`南环路`, `施工`) come back in the lines under it.
    page = split_page(_page("城乡居民养老金再提标\n从今年1月起，我市城乡居民基本养\n老保险基础养老金每人每月提高15\n"
                            "元，提标部分将于本月补发到位。\n南环路施工期间部分公交改线\n因南环路雨污分流改造施工，自3月\n"
                            "10日起，12路、35路公交车临时绕\n行建设大街，恢复时间另行通知。"))
    assert [i.title for i in page.items] == ["城乡居民养老金再提标", "南环路施工期间部分公交改线"]
    assert page.items[1].body.startswith("因南环路")
    assert any("take up its words" in w and "南环" in w for w in page.items[1].warnings), page.items[1].warnings


def test_a_short_line_after_a_finished_sentence_leaving_its_clause_open_starts_no_article():
    # `…的有` goes on into the next line, though the words under it come back to it.
    item = _only_item(_page("中美举行会谈\n双方就两国关系交换了意见。会谈后\n江泽民主席设午宴款待客人。\n美方出席今天午宴的有\n"
                            "前国务卿克里斯托弗、美国驻华大使\n尚慕杰等。出席今天午宴的还有外长。", "（新华）"))
    assert item.title == "中美举行会谈"


def test_a_paragraphs_first_line_an_indent_short_where_the_column_loses_its_indents_starts_no_article():
    # The seed page's layout: paragraphs begin two characters short (`各管区包村干部提前`), so a first line whose
    # words come back under it (`街道卫生院工作人员` / `在街道扶贫办工作人员、村`) is no headline.
    item = _only_item(_page("冠县崇文街道开展减免医疗费用工作\n为进一步解决建档立\n卡贫困人口长期服药支出\n"
                            "负担，切实让贫困患者得\n到实惠，崇文街道扶贫办\n联合街道卫生院对辖区各\n村庄长期服药人员进行调\n"
                            "查核实，并给予一定的药费\n补贴。", "各管区包村干部提前", "安排村支部书记通过村里\n"
                            "广播喇叭、入户等方式，宣\n传此项惠民政策，把长期服\n药贫困人员通知到位，以便\n可以快速准确的完成采集。\n"
                            "街道卫生院工作人员\n在街道扶贫办工作人员、村\n支部书记的陪同下，把辖区\n22个村庄分成三组，对符合\n"
                            "条件的贫困人口进行核查。", "（刘华伟）"))
    assert item.title == "冠县崇文街道开展减免医疗费用工作"
    assert "街道卫生院工作人员在街道扶贫办工作人员" in item.body


def test_a_photo_title_set_right_over_its_caption_is_the_photos():
    # No gap under `翰墨迎新春`: it is far shorter than the caption's lines, and the next story keeps its headline.
    page = split_page(_page("翰墨迎新春\n1月18日，书法爱好者在市文化馆为市民义写春联。当天共送出\n春联、福字1200余副。",
                            "记者 魏秀斌 摄", "雪后清河\n2月6日，雪后的清河两岸银装素裹，景色宜人。受冷\n空气影响，我市5日夜间迎来今冬首场降雪。\n"
                            "记者 贾斌鑫 摄"))
    assert [(i.kind, i.title) for i in page.items] == [("photo", "翰墨迎新春"), ("photo", "雪后清河")]
    assert page.items[0].body.startswith("1月18日，") and "over the caption" in page.items[0].warnings[0]


@pytest.mark.parametrize("byline, authors", [("□ 徐瑞", ("徐瑞",)), ("■徐晨涵", ("徐晨涵",)), ("□ 欧阳明", ("欧阳明",))])
def test_a_bullet_and_one_name_under_a_commentarys_headline_is_its_byline(byline, authors):
    item = _only_item(_page(f"时评：别让“僵尸共享单车”\n占了人行道\n{byline}\n"
                            "　　走在一些街道上，不难看到成排的共享单车倒在人行道上，\n有的车座丢失。"))
    assert (item.title, item.authors) == ("时评：别让“僵尸共享单车”占了人行道", authors)
    assert item.body.startswith("走在一些街道上")


def test_a_headlines_last_line_an_indent_short_over_a_gap_stays_in_the_headline_when_the_story_takes_it_up():
    item = _only_item(_page("清河港集装箱吞吐量\n首次突破百万标箱",
                            "清河港务集团12月28日发布\n消息，截至当天上午，清河\n港今年集装箱吞吐量达到\n100.3万标准箱，首次突破\n"
                            "百万标箱大关，同比增长\n17.6%。", "（王五）"))
    assert item.title == "清河港集装箱吞吐量首次突破百万标箱"
    assert item.body.startswith("清河港务集团") and "takes up its words" in item.warnings[0]


def test_a_line_left_out_of_the_headline_at_last_is_not_named_as_kept_in_it():
    # The seed's `冠县创新金融扶贫模` / gap / `式，…`: a word runs across the gap, so the line is the body's first,
    # though an earlier step would have kept it in the headline.
    (page,) = [p for _, p in split_pages(SEED_PAGE.read_text(encoding="utf-8"))]
    item = next(i for i in page.items if i.title == "冠县金融“活水”精准供需助脱贫")
    assert item.body.startswith("冠县创新金融扶贫模式")
    assert not [w for w in item.warnings if "kept in the headline" in w]


def test_a_bulleted_headline_wrapped_onto_a_second_line_over_a_gap_starts_a_briefs_item():
    page = split_page(_page("东湖区新增5处充电站\n年内还将在城郊3个镇\n各建一处快充站。\n◆交警提醒：雨天注意\n行车安全",
                            "受冷空气影响，本周我市\n将有持续降雨，请驾驶人\n在雨天减速慢行。"))
    assert [i.title for i in page.items] == ["东湖区新增5处充电站", "交警提醒：雨天注意行车安全"]
    assert page.items[1].body == "受冷空气影响，本周我市将有持续降雨，请驾驶人在雨天减速慢行。"


@pytest.mark.parametrize("headline, title", [
    ("人民日报社论：坚定信心开创新局面", "人民日报社论：坚定信心开创新局面"),
    ("本报评论员：以钉钉子\n精神抓好项目建设\n", "本报评论员：以钉钉子精神抓好项目建设"),
    ("新华社播发《关于加强城市公共\n空间精细化管理的指导意见》", "新华社播发《关于加强城市公共空间精细化管理的指导意见》")],
    ids=["editorial, no gap", "commentator, a gap under it", "agency release"])
def test_a_labelled_headline_after_a_finished_paragraph_starts_an_article(headline, title):
    page = split_page(_page("窗口服务\n群众的满意度，就是窗口服务的“成绩单”。\n" + headline +
                            "\n改革是发展的根本动力。站在新的起点上，\n面对新形势新任务，必须以更大的决心和\n勇气推进改革。"))
    assert [i.title for i in page.items] == ["窗口服务", title]
    assert page.items[1].body.startswith("改革是发展的根本动力")


def test_a_long_headline_whose_first_line_reads_as_a_headline_alone_keeps_its_comma_lines():
    # No gap under it: the opener (`本报讯`) says where the body begins.
    item = _only_item(_page("清河市出台促进民营经济发展二十条\n措施，从市场准入、要素保障、融资\n支持等七个方面为企业减负松绑\n"
                            "　　本报讯（记者 严东）近日，清\n河市出台《关于促进民营经济发展壮\n大的若干措施》。"))
    assert item.title == "清河市出台促进民营经济发展二十条措施，从市场准入、要素保障、融资支持等七个方面为企业减负松绑"
    assert item.authors == ("严东",) and item.body.startswith("近日，")


def test_a_line_opening_with_a_year_and_a_comma_is_the_body_under_a_headline():
    # The seed page's: a column break under the line, then the paragraph goes on.
    item = _only_item(_page("冠县梁堂镇加强扶贫资金监管使用\n2016年以来，梁堂镇共",
                            "投 入 专 项 财 政 扶 贫 资 金\n1047万元，实施各类扶贫项\n目54个。为确保各项扶贫资\n金规范有效使用，该镇按照\n"
                            "精准扶贫、精准脱贫的基本\n方向，坚持政府主导。",
                            "（王五）"))
    assert item.title == "冠县梁堂镇加强扶贫资金监管使用"
    assert item.body.startswith("2016年以来，")


def test_a_headline_broken_just_after_its_portrait_dash_goes_on_into_the_next_line():
    # The second line is an indent short of the column, as a paragraph's first line would be.
    item = _only_item(_page("做与中国合作的先行——记\n希腊船王康斯坦塔科普洛\n那年五月希腊船主瓦西里斯先\n生携夫人访问中国这是第一位\n"
                            "访华的希腊船王他此行签下了\n多份造船合同。", "（王五）"))
    assert item.title == "做与中国合作的先行——记希腊船王康斯坦塔科普洛"


@pytest.mark.parametrize("line", ["这套法规规 定 了 动 物 学 名", "\"参见2015年至2016年英格兰足球", "针对应试教育只面向尖子学生、只"],
                         ids=["spread to the column", "a quotation opened", "a list broken after its comma"])
def test_a_short_line_after_a_finished_sentence_that_runs_on_starts_no_article_though_its_words_come_back(line):
    # A line partly letter-spaced was spread to fill its column; one opening a quotation or breaking a list goes on.
    item = _only_item(_page("国际动物命名法规\n《国际动物命名规约》由国际生物学会负\n责修订和解释，是一套国际性学术规定。",
                            line + "\n命名原则，也规定了应试教育与英格兰足球\n界的动物学名的命名规则，以及动物学家\n"
                            "需要遵守的规范。这套法规由学会修订，\n学名命名时都要遵守。", "（王五）"))
    assert item.title == "国际动物命名法规"


def test_the_evidence_for_a_cut_above_a_photo_caption_is_the_articles_not_the_photos():
    page = split_page(_page("城乡居民养老金再提标\n从今年1月起，我市城乡居民基本养\n老保险基础养老金每人每月提高15\n"
                            "元，提标部分将于本月补发到位。\n南环路施工期间部分公交改线\n因南环路雨污分流改造施工，自3月\n"
                            "10日起，12路、35路公交车临时绕\n行建设大街，恢复时间另行通知。",
                            "眼下，南岭镇万亩油菜花竞相绽放。\n记者 邵宇 摄\n油菜花开春意浓"))
    assert [(i.kind, i.title) for i in page.items] == [
        ("article", "城乡居民养老金再提标"), ("article", "南环路施工期间部分公交改线"), ("photo", "油菜花开春意浓")]
    assert any("take up its words" in w for w in page.items[1].warnings)
    assert not any("take up its words" in w for w in page.items[2].warnings)


# --- fifth round: a body's first line told from a headline's second by what it says and how it is set ------------


@pytest.mark.parametrize("headline, first", [("填字游戏", "填字游戏是一种常"), ("美特斯邦威", "上海美特斯邦威服")],
                         ids=["opening with it", "naming it inside"])
def test_a_line_under_a_headline_that_repeats_the_headline_is_the_body(headline, first):
    # A column break under the second line leaves it reading as a headline's; it says the first again, as a
    # story's first sentence names its subject.
    item = _only_item(_page(f"{headline}\n{first}", "见的益智游戏纸上游戏。", "游戏一般给出一个矩形的表格。这个\n"
                            "表格被分割为若干个大小相同的方格，方\n格里填上合适的字词。", "（王五）"))
    assert item.title == headline
    assert item.body.startswith(first)




def test_a_headline_like_line_running_into_a_line_spread_to_its_column_starts_no_article():
    # After a finished sentence and a gap, a short line reads as a headline; the partly letter-spaced line under it
    # was set to the column's width, as only a paragraph's lines are.
    item = _only_item(_page("北京中华人民共和国主席江泽民先生阁下\n主席先生：获悉现代中国的\n伟大领袖邓小平先生逝世，深感\n"
                            "悲痛。他的不幸逝世使中国失去\n了一位最优秀的儿子和最杰出的\n领导人，在此我谨向你致以深切\n"
                            "的慰问和诚挚的哀悼。全体扎伊\n尔人民都对邓小平的逝世甚为悲\n痛，并铭记他为自己国家的建设\n"
                            "和现代化，以及为加强和发展中\n国同世界其他国家，特别是非洲\n国家的关系而建立的丰功伟绩。",
                            "扎伊尔有幸成为中国在非洲\n一位最重要的 合 作 伙 伴 。请 阁\n下向逝者家属及全体中国人民\n"
                            "转达我的慰问和深切的哀悼。\n顺致最崇高的敬意。", "（王五）"))
    assert item.title == "北京中华人民共和国主席江泽民先生阁下"
    assert "扎伊尔有幸成为中国在非洲一位最重要的合作伙伴" in item.body.replace(" ", "")




@pytest.mark.parametrize("headline, broken, rest", [
    ("中办国办发出通知做好１９９８年元旦春节期间有关工作", "新华社北京１２月", "１８日电中共中央办公厅、\n国务院办公厅关于做好１９９８年"),
    ("决心要大措施要硬", "１９９６年４月", "１０日，县委常委扩大")], ids=["a dateline", "a date"])
def test_a_dateline_broken_off_by_the_column_under_a_headline_is_the_bodys_start(headline, broken, rest):
    item = _only_item(_page(f"{headline}\n{broken}", f"{rest}\n元旦、春节期间有关工作的通知，全\n文如下：今年我国成功地恢\n"
                            "复了对香港行使主权，我们党胜利\n召开了第十五次全国代表大会。", "（王五）"))
    assert item.title == headline


# --- sixth round: a body's first line glued under its headline, told by what it says ------------------------------


def test_a_long_headline_stops_at_a_line_that_says_the_headline_again():
    # Three lines over a gap read as a long headline; the second says the first again, as a story's first sentence
    # names its subject, so the headline is the first line alone.
    item = _only_item(_page("第7届日本参议院议员通常选举\n第7届日本参议院议员通常选举于昭\n和40年（1965年）7月4日举行，改选出125名",
                            "参议员。这次选举是佐藤荣作首相上任以\n来面临的第一次政治选举，尽管参议院选举不\n"
                            "具有真正影响政局的意义，但是却被视为是对\n佐藤内阁的信任投票。", "（王五）"))
    assert item.title == "第7届日本参议院议员通常选举"
    assert item.body.startswith("第7届日本参议院议员通常选举于昭和40年")


def test_a_salutation_under_a_long_headline_opens_the_speech():
    item = _only_item(_page("在香港特区筹委会十次全会上的讲话\n各位委员，同志们、朋友们：１０",
                            "天前，根据中英关于香港问题的联合\n声明两国政府举行了香港政权交接仪式，\n"
                            "中华人民共和国香港特别行政区宣告成\n立，特区的行政、立法、司法机关开始行\n"
                            "使职权。全国人大香港特别行政区筹备\n委员会已经圆满完成了自己的历史使命。", "（王五）"))
    assert item.title == "在香港特区筹委会十次全会上的讲话"
    assert item.body.startswith("各位委员，同志们、朋友们：")


@pytest.mark.parametrize("salutation", ["全体官兵同志们：遵", "各位代表、各位同志：在九"],
                         ids=["hearers named", "各位"])
def test_a_headline_over_a_salutation_after_a_finished_story_starts_a_speech(salutation):
    # No gap sets the body apart and the headline's words are not taken up: the salutation says a speech begins.
    page = split_page(_page("测试标题\n本市昨天召开会议，部署今年的防汛工作。会议要\n求各区做好准备，确保安全度汛。",
                            f"在欢送大会上的讲话\n{salutation}\n照中央军委江泽民主席的命令，你们\n"
                            "即将进驻香港，履行神圣的防务职责。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "在欢送大会上的讲话"]
    assert page.items[1].body.startswith(salutation)


_STORY_ABOVE = ("测试标题\n本届评选工作历时三个月，各参评单位\n共报送文章２８０篇。经认真组织评选，\n"
                "最后确定４１篇优秀文章正式入选。")


@pytest.mark.parametrize("opening", [
    "由于各参评单位对\n“五个一工程”优秀文\n\n章组织工作越来越重视，\n从选题立项到提纲论证，\n从写作修改到定稿发表，\n"
    "都精心组织，所以本届\n入选文章的质量比以往\n各届明显提高。",
    "与会同志一致认为，做\n好文化、科技、卫生“三下乡”\n的工作，有利于增进农民的\n\n切身利益，有利于建立新型\n"
    "的城乡关系，有利于密切党和群众\n的关系。当前和今后一个时期，应该\n把“三下乡”活动作为农村精神文明\n"
    "建设的一件大事切实抓好。会议要\n求，各市要动员各方力量，广泛开展\n文化、科技、卫生“三下乡”活动。"],
    ids=["由于", "与会同志"])
def test_a_paragraph_opening_with_a_linking_word_starts_no_article(opening):
    # After a finished sentence and a gap, the line reads as a headline (or a long one); its first word ties it to
    # the sentence before.
    item = _only_item(_page(_STORY_ABOVE, opening, "（王五）"))
    assert item.title == "测试标题"
    assert _no_space(opening) in _no_space(item.body)


def test_a_headline_like_line_ending_on_a_hanging_word_starts_no_article():
    # `…竞赛好的` leaves its clause open: the line under it, an indent short, is no body's first line.
    opening = ("提出要从数学竞赛好的\n３０００人中选一部分充实航空工\n\n业，要求大力办好３所航空学院，抓\n"
               "紧筹建新的航空学院。根据小平同志的\n一系列指示和全国科学大会精神，航空\n"
               "工业提出并认真贯彻了科研先行、加强\n预研和加快飞机更新的方针。")
    item = _only_item(_page(_STORY_ABOVE, opening, "（王五）"))
    assert item.title == "测试标题"
    assert _no_space(opening) in _no_space(item.body)


def test_a_line_under_a_headline_naming_its_subject_again_is_the_body():
    # The second line opens as the headline does (the subject's name, here written out in full): a story's first
    # sentence names its subject; a wrapped headline's second line does not begin it again.
    item = _only_item(_page("安德里·拉乔利纳\n安德里·尼里纳·拉\n乔利纳（马达加斯加语、法\n语），是马达加斯加共和国政治\n"
                            "人物。曾为首都塔那那利佛市长，\n２００９年起出任过渡政府总统。", "（王五）"))
    assert item.title == "安德里·拉乔利纳"
    assert item.body.startswith("安德里·尼里纳·拉乔利纳")


def test_a_long_headline_ends_on_no_hanging_word():
    # `…6月7日至` / `9日，…` reads as a headline over a lede's date; the line's last word leaves its clause open.
    item = _only_item(_page("高考期间全市严控噪声\n高考即将来临，市生态环境局发布通告，6月7日至\n"
                            "9日，全市各考点周边500米范围内禁止建筑施工和其他\n产生噪声的作业活动，考点周边商户禁止使用高音喇叭。\n"
                            "今年全市共有2.36万名考生参加高考，设考点16个。", "（王五）"))
    assert item.title == "高考期间全市严控噪声"
    assert item.body.startswith("高考即将来临")


@pytest.mark.parametrize("last_line", ["万人（2007年）", "万人，其中城镇人口占六成"], ids=["a bracket", "no mark"])
def test_a_headline_over_an_opener_starts_an_article_whatever_the_text_above_ended_on(last_line):
    page = split_page(_page(f"测试标题\n冷湖原为无人区，1954年发现石油后开\n始建设，1992年升级为县级行政区，人口2.4\n{last_line}",
                            "圆满结束对美国的国事访问\n本报洛杉矶１１月３日电记者\n何洪泽、周德武报道：中国国家主席\n"
                            "江泽民圆满结束了对美国的国事访\n问，今天上午１０时乘专机回国。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "圆满结束对美国的国事访问"]
    assert page.items[0].body.endswith(last_line)
    assert any("an opener stands under it" in warning for item in page.items for warning in item.warnings)


def test_a_byline_line_broken_after_a_names_dot_is_rejoined():
    item = _only_item(_page("双向监督自觉实行\n◎记者 付梓凯 付秀楠 阿依古丽·\n吐尔逊",
                            "为确保群众满意，预防公开内容\n流于形式，县里建立了双向监督\n制度。"))
    assert item.title == "双向监督自觉实行"
    assert item.authors == ("付梓凯", "付秀楠", "阿依古丽·吐尔逊")


def test_a_second_headline_line_running_on_mid_word_into_the_body_is_the_bodys_first():
    item = _only_item(_page("秘书长田纪云\n中国人民政治协商会议第八届全国委\n员会第五次会议，赞同李鹏总理所作的\n"
                            "《政府工作报告》，赞同《关于１９９６年\n国民经济和社会发展计划执行情况与\n１９９７年计划草案的报告》。",
                            "（王五）"))
    assert item.title == "秘书长田纪云"
    assert item.body.startswith("中国人民政治协商会议第八届全国委员会")
    assert any("a word runs on from it" in warning for warning in item.warnings)


# --- seventh round: a headline the column broke over a gap ---------------------------------------------------------

_LETTER_ABOVE = "测试标题\n各地群众连日来纷纷\n前往纪念馆献花，寄\n托哀思。"


def test_a_line_past_a_gap_under_a_bulleted_headline_just_taken_starts_no_article():
    # `审` / `核` runs across the gap: the column broke inside the headline, which starts the briefs item.
    page = split_page(_page(_LETTER_ABOVE, "■市文化馆公益培训报名审", "核结束",
                            "  市文化馆今年春季公益\n培训的报名审核工作已经\n结束，共有１２００名市\n民获得培训资格。"))
    assert [item.title for item in page.items] == ["测试标题", "市文化馆公益培训报名审核结束"]


@pytest.mark.parametrize("first, rest", [("■国家主席在北京会见", "南非议会代表团一行"), ("全国人大常委会委员长", "会见南非议会代表团")],
                         ids=["bulleted", "plain"])
def test_a_headline_line_filling_its_column_goes_on_past_the_gap_under_it(first, rest):
    # The first line is as wide as the body's column (ten), the line past the gap short of it, though not by an
    # indent as a paragraph's first line would be; no word runs across the gap.
    item = _only_item(_page(first, rest, _TEN_WIDE,
                            "（王五）"))
    assert item.title == _no_space((first + rest).lstrip("■"))
    assert item.kicker is None
    assert item.body.startswith("本月三日")


_TEN_WIDE = ("本月三日，南非国民议会\n议长致函全国人大常委\n会委员长对地震中的遇\n难者表示深切哀悼信中\n说南非人民同中国人民\n"
             "站在一起愿为灾区重建\n提供一切可能的帮助。")


def test_a_paragraphs_first_line_an_indent_short_past_a_gap_under_a_full_width_headline_is_the_body():
    # A paragraph's first line whose indent the OCR lost, under a one-line headline as wide as the column.
    item = _only_item(_page("无限哀思寄长空誓将遗愿化宏图", "全党全军和全国各族人民敬爱\n的邓小平同志与世长辞，在航空工\n"
                            "业广大职工中引起巨大悲痛。从黑\n龙江之滨到云贵川的大三线地区，\n从陕甘革命老区到沿海经济特区。",
                            "（王五）"))
    assert item.title == "无限哀思寄长空誓将遗愿化宏图"
    assert item.body.startswith("全党全军")


def test_a_bulleted_headline_goes_on_into_a_word_or_two_past_the_gap():
    # The bulleted line is short of the column; what the gap left under it is far shorter than a paragraph's start.
    page = split_page(_page(_LETTER_ABOVE, "■ 多国政要致电哀悼前总理", "逝世",
                            "新华社北京３月３日电多国\n政要日前分别致电国务院总\n理，对前总理逝世表示深切\n哀悼，高度评价他的贡献。"))
    assert [item.title for item in page.items] == ["测试标题", "多国政要致电哀悼前总理逝世"]


def test_a_headline_broken_after_its_portrait_dash_over_a_gap_is_no_kicker():
    item = _only_item(_page("扎根山乡的好医生——记", "乡村医生王德明",
                            "  王德明在山乡行医三十\n年，走遍了全乡的每一个\n村落，为乡亲们看病从不\n计较报酬。", "（王五）"))
    assert item.title == "扎根山乡的好医生——记乡村医生王德明"
    assert item.kicker is None


def test_a_headline_read_on_past_a_gap_by_its_width_says_so():
    item = _only_item(_page("全国人大常委会委员长", "会见南非议会代表团", _TEN_WIDE, "（王五）"))
    assert any("fills the column" in warning and "会见南非议会代表团" in warning for warning in item.warnings)


def test_a_dash_line_over_a_name_its_break_splits_is_the_headlines_first_line_not_a_kicker():
    # `巴沟` is no dictionary word: only the story, saying `巴沟乡` unbroken, shows the two lines are one headline.
    item = _only_item(_page("扎根高原的园丁——同德县巴\n沟乡乡村教师群像",
                            "在青海同德县巴沟乡，有一群扎根\n高原的乡村教师，他们几十\n年如一日坚守在三尺讲台，\n为牧区孩子点亮了希望。",
                            "（王五）"))
    assert item.kicker is None
    assert item.title == "扎根高原的园丁——同德县巴沟乡乡村教师群像"
    assert any("unbroken" in warning and "巴沟" in warning for warning in item.warnings)


_DOCTOR = "１９９５年春天，卓嘎次\n仁回到家乡行医，三十\n年来走遍了全乡的每一\n个村落，乡亲们都叫他\n“马背上的医生”。"


def test_a_subtitle_wrapped_into_a_gap_ends_the_headline_and_goes_on_into_its_last_line():
    # No indent marks the body's first line; the subtitle, wrapped, ends the headline run over the gap. `嘎次` is no
    # dictionary word: the story says `卓嘎次仁` unbroken.
    page = split_page(_page(_LETTER_ABOVE, "■山乡好医生\n——记乡村医生卓\n嘎次仁", _DOCTOR, "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "山乡好医生"]
    assert page.items[1].subtitle == "——记乡村医生卓嘎次仁"
    assert page.items[1].body.startswith("１９９５年春天")


def test_a_dash_line_filling_the_column_under_a_full_headline_line_is_the_headline_wrapped():
    item = _only_item(_page("■一辈子守护山乡的人\n——记乡村医生卓嘎次\n仁", _DOCTOR, "（王五）"))
    assert item.subtitle is None
    assert item.title == "一辈子守护山乡的人——记乡村医生卓嘎次仁"
    assert any("wrapped at its dash" in warning for warning in item.warnings)


@pytest.mark.parametrize("number", ["（第九期）", "（第三届）", "（之二）"], ids=["issue", "session", "part"])
def test_an_issue_number_in_brackets_under_a_headline_is_no_byline(number):
    page = split_page(_page(_LETTER_ABOVE + "\n（王五）", "本报国际部主办每周时事竞答\n" + number,
                            "  １．５月２７日，两国在巴黎\n正式签署了合作文件。这份文件\n的签署标志着两国关系进入了新\n的阶段。",
                            "（赵六）"))
    assert [item.title for item in page.items] == ["测试标题", "本报国际部主办每周时事竞答" + number]
    assert page.items[1].authors == ("赵六",)


# --- eighth round: headlines run in at a paragraph's start ------------------------------------------------------------

_BRIEF_ABOVE = "测试标题\n各地群众连日来纷纷\n前往纪念馆献花，寄\n托哀思。\n（王五）"


def test_a_run_in_headline_whose_bracket_closes_two_lines_down_is_the_items_headline():
    # A narrow column wraps the bracketed headline twice before its bracket closes.
    page = split_page(_page(_BRIEF_ABOVE, "【本报国际部主办每\n周时事竞答（第十\n期）】本报讯 １．５月２\n７日，两国在巴黎正式\n签署了合作文件。"))
    assert [item.title for item in page.items] == ["测试标题", "本报国际部主办每周时事竞答（第十期）"]
    assert page.items[1].body.startswith("１．５月２７日")


def test_a_series_parts_number_in_brackets_at_a_paragraphs_start_is_a_headline():
    page = split_page(_page(_BRIEF_ABOVE, "【二】界首，我没有来过，没\n想到第一次来界首竟然是\n这种方式。"))
    assert [item.title for item in page.items] == ["测试标题", "二"]
    assert page.items[1].body.startswith("界首，我没有来过")


def test_a_single_character_in_brackets_other_than_a_parts_number_is_no_headline():
    item = _only_item(_page("测试标题", "【图】本报记者在现场采访\n群众，听取他们的意见。", "（王五）"))
    assert item.title == "测试标题"


def test_a_run_in_headline_whose_wrapped_bracket_closes_at_a_lines_end_heads_the_paragraph_under_it():
    # No gap and no byline set the item apart from the story above; no indent marks the paragraph under it.
    page = split_page(_page(_LETTER_ABOVE + "\n【本报国际部主办每\n周时事竞答（第十期）】\n１．５月２７日，两国\n"
                            "在巴黎正式签署了合\n作文件。这份文件的签\n署标志着两国关系进\n入了新的阶段。"))
    assert [item.title for item in page.items] == ["测试标题", "本报国际部主办每周时事竞答（第十期）"]
    assert page.items[1].body.startswith("１．５月２７日")


def test_a_bracketed_subhead_wrapped_over_an_indented_paragraph_stays_in_its_story():
    item = _only_item(_page("测试标题", "　　各地群众连日来纷纷前往\n纪念馆献花，寄托哀思。\n【管护：人人都是河长，\n处处都有责任田】\n"
                            "　　全市建立三级河长体系，\n每条河都有专人负责。", "（王五）"))
    assert item.title == "测试标题"
    assert "处处都有责任田】" in item.body


def test_a_byline_wrapped_at_a_storys_end_over_a_bracketed_headline_closes_the_story():
    # `（通讯员 汤海 记者 叶天` / `华）` ends its story with no gap under it: the next item's headline, set in brackets
    # on a line of its own, follows at once as a briefs item's bullet would.
    page = split_page(_page(_LETTER_ABOVE + "\n请问，两国现在共有多少\n个合作项目？（通讯员 汤海 记者 叶天\n华）\n"
                            "【以色列国议会议长致函】\n新华社北京３月３日电以色列\n国议会议长２月２６日致函，\n对地震遇难者表示哀悼。"))
    assert [(item.title, item.authors) for item in page.items] == [("测试标题", ("汤海", "叶天华")),
                                                                    ("以色列国议会议长致函", ())]


_BUS_LINE = "这条线路从火车站出发\n途经十二个站点，乘客\n可以通过手机实时查询\n车辆到站的时间。"


def test_a_headline_whose_last_line_falls_short_unfinished_over_a_full_line_starts_an_article():
    # No gap, indent, opener or byline under the headline, and the story takes up none of its words: only the
    # widths say where it ends. Inside a paragraph a line short of the column ends a sentence.
    page = split_page(_page(_LETTER_ABOVE, "全市首条智慧巴士专线\n开通运营\n" + _BUS_LINE))
    assert [item.title for item in page.items] == ["测试标题", "全市首条智慧巴士专线开通运营"]
    assert page.items[1].body.startswith("这条线路")
    assert any("falls short of the column" in warning for warning in page.items[1].warnings)


def test_a_short_line_leaving_a_bracket_open_over_a_full_line_heads_no_article():
    page = split_page(_page(_LETTER_ABOVE, "全市首条智慧巴士专线\n（一期\n" + _BUS_LINE))
    assert [item.title for item in page.items] == ["测试标题"]


def test_a_line_opening_with_the_second_half_of_a_dash_broken_at_the_line_above_is_the_headlines_no_subtitle():
    item = _only_item(_page("扎根山乡的好医生—\n—记乡村医生王德明", "  王德明在山乡行医三十\n年，走遍了全乡的每一个\n村落，为乡亲们看病从不\n计较报酬。",
                            "（王五）"))
    assert (item.title, item.subtitle) == ("扎根山乡的好医生——记乡村医生王德明", None)
    assert any("its dash begins at the end of the line above" in warning for warning in item.warnings)


def test_a_subtitle_opening_with_a_whole_dash_under_a_headline_is_a_subtitle():
    item = _only_item(_page("扎根山乡的好医生\n——记乡村医生王德明", "  王德明在山乡行医三十\n年，走遍了全乡的每一个\n村落，为乡亲们看病从不\n计较报酬。",
                            "（王五）"))
    assert (item.title, item.subtitle) == ("扎根山乡的好医生", "——记乡村医生王德明")


# --- ninth round: headlines set right under the story above, with no gap ------------------------------------------

_FINISHED_ABOVE = "测试标题\n\n各地群众连日来纷纷前往\n纪念馆献花，寄托哀思，\n缅怀先烈的丰功伟绩。"


def test_a_headline_right_under_a_finished_sentence_over_an_opener_starts_an_article():
    # No gap between `…丰功伟绩。` and the headline: the opener under it says a story begins there.
    page = split_page(_page(_FINISHED_ABOVE + "\n国际社会深切哀悼\n老战士逝世\n本报讯（记者 高诗）加勒比\n共同体秘书长日前致电，对\n"
                            "老战士逝世表示哀悼。"))
    assert [(item.title, item.authors) for item in page.items] == [("测试标题", ()), ("国际社会深切哀悼老战士逝世", ("高诗",))]
    assert any("no gap above it" in warning and "an opener" in warning for warning in page.items[1].warnings)


def test_a_headline_right_under_a_finished_sentence_over_a_kept_indent_starts_an_article():
    page = split_page(_page(_FINISHED_ABOVE + "\n全国文艺评奖项目审批结束\n  常设全国性文艺评奖项目\n的审批工作已经结束，各奖\n"
                            "项主办单位要认真执行。"))
    assert [item.title for item in page.items] == ["测试标题", "全国文艺评奖项目审批结束"]
    assert page.items[1].body.startswith("常设全国性")


def test_a_headline_right_under_a_finished_sentence_falling_short_unfinished_over_a_full_line_starts_an_article():
    page = split_page(_page(_FINISHED_ABOVE + "\n全市首条智慧巴士专线\n开通运营\n" + "这条线路从火车站出发\n途经十二个站点，乘客\n"
                            "可以通过手机实时查询\n车辆到站的时间。"))
    assert [item.title for item in page.items] == ["测试标题", "全市首条智慧巴士专线开通运营"]
    assert any("no gap above it" in warning and "falls short" in warning for warning in page.items[1].warnings)


def test_a_paragraphs_first_line_right_under_a_finished_sentence_starts_no_article():
    # The same lines inside a story: the line under the short one is no paragraph's start, nothing opens there.
    item = _only_item(_page(_FINISHED_ABOVE + "\n全市首条智慧巴士专线今天\n开通运营，这条线路从火车\n站出发途经十二个站点。", "（王五）"))
    assert item.title == "测试标题"


# --- ninth round: a headline's second line over a letter's salutation or a list's first point -----------------------

_LETTER = "获悉贵国的伟大领袖逝世\n，深感悲痛。他的不幸逝\n世使贵国失去了一位最优\n秀的领导人。"


def test_a_headline_line_over_a_letters_salutation_is_the_headlines():
    # `主席江泽民先生阁下` is an indent short of the column and ends no sentence, as a paragraph's first line would;
    # but the line under it opens a letter, which no paragraph's second line does.
    item = _only_item(_page("■ 北京中华人民共和国\n主席江泽民先生阁下\n主席先生：" + _LETTER, "（王五）"))
    assert item.title == "北京中华人民共和国主席江泽民先生阁下"
    assert item.body.startswith("主席先生：获悉")
    assert any("opens a letter or a list" in warning for warning in item.warnings)


def test_a_headline_line_over_a_gap_and_a_letters_salutation_is_the_headlines():
    item = _only_item(_page("■ 北京中华人民共和国\n主席江泽民先生阁下", "主席先生：" + _LETTER, "（王五）"))
    assert item.title == "北京中华人民共和国主席江泽民先生阁下"


def test_a_headline_wrapped_over_a_lists_first_point_is_whole():
    item = _only_item(_page("人民日报国际部主办每周\n国际时事竞答（第九期）\n１．５月２７日，两国在巴黎\n正式签署了合作的基本文件\n"
                            "，标志着关系进入新阶段。\n２．下列国家中哪一个是今年\n新加入的成员国？", "（王五）"))
    assert item.title == "人民日报国际部主办每周国际时事竞答（第九期）"
    assert item.body.startswith("１．５月")


def test_a_decimal_opening_a_line_is_no_lists_point():
    from service.ingest.pages.layout import _NUMBERED_POINT
    assert _NUMBERED_POINT.match("１．５月２７日，俄罗斯和") and _NUMBERED_POINT.match("2、完善制度")
    assert not _NUMBERED_POINT.match("１．５亿元，同比增长") and not _NUMBERED_POINT.match("3.5%的增速")


def test_a_quotations_last_line_right_under_a_finished_sentence_over_a_kept_indent_starts_no_article():
    # `换车去北京！”` closes the quotation the line above opened, and ends a sentence: the paragraph's last line.
    item = _only_item(_page("测试标题", "  ５时３０分，乘务人员终于\n亮相了，他们一打开车门，\n就嚷道：“快下车！快下车！\n"
                            "换车去北京！”\n  乘客们不知所措，有的\n不肯下车，但最后大家还\n是下车了。", "（王五）"))
    assert item.title == "测试标题"
    assert "换车去北京！”乘客们" in _no_space(item.body)


def test_a_bulleted_headline_wrapped_at_its_dash_is_one_headline():
    # `■做与中国合作的先行——` ends on a dash, which a body line does mid-sentence; its bullet marks a headline.
    page = split_page(_page(_LETTER_ABOVE + "\n■做与中国合作的先行——\n记希腊船王康斯坦塔科普洛\n斯",
                            "  １９９５年５月，希腊船主\n瓦西里斯先生携夫人访问中\n国，探索与中国合作的途径。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "做与中国合作的先行——记希腊船王康斯坦塔科普洛斯"]


def test_a_bulleted_headline_wrapped_over_a_gap_and_a_letters_salutation_starts_an_article():
    # `阁下` under the bulleted line, then a gap, then a line as short as a headline's in a narrow column: the
    # salutation says the letter begins there, so the bulleted lines head it.
    page = split_page(_page(_LETTER_ABOVE + "\n◆北京中华人民共和国主席江泽民先生\n阁下", "主席先生：获悉现代中国的伟大领袖邓\n"
                            "小平先生逝世，深感悲痛。他的不幸逝\n世使中国失去了一位最优秀的领导人。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "北京中华人民共和国主席江泽民先生阁下"]


# --- ninth round: a headline the column wrapped just after its dash ------------------------------------------------

_REVIEW_BODY = "人民日报出版社新近出版了\n王梦奎的短文集。人们知道\n作者是经济学家，这些文章\n大多是三两千字的短文。"


def test_a_headline_wrapped_just_after_its_dash_is_one_headline():
    item = _only_item(_page("驳杂有致别具一格——\n《翠微居杂笔》评介", _REVIEW_BODY, "（王五）"))
    assert (item.title, item.kicker) == ("驳杂有致别具一格——《翠微居杂笔》评介", None)
    assert item.body.startswith("人民日报出版社")


def test_a_headline_wrapped_after_its_dash_keeps_a_second_line_holding_a_list_comma():
    # `乡、村` is a list inside the headline, which a body line would hold too: the dash the line above ends on says
    # the headline goes on.
    item = _only_item(_page("启动农民积极性的“金钥匙”——\n故城县推行乡、村政务公开的思考", _REVIEW_BODY, "（王五）"))
    assert item.title == "启动农民积极性的“金钥匙”——故城县推行乡、村政务公开的思考"


def test_a_body_line_ending_on_a_dash_heads_nothing():
    from service.ingest.pages.layout import _wraps_at_its_dash
    from service.ingest.pages.lines import _line
    assert not _wraps_at_its_dash(_line("他说，这就是我们的目标——"), [_line("让每个孩子都能上学")])
    assert not _wraps_at_its_dash(_line("驳杂有致别具一格——"), [_line("人民日报出版社新近出版了，")])


def test_a_dash_line_ending_on_a_place_over_the_headlines_rest_is_no_kicker():
    item = _only_item(_page("创造良好的学习环境——江苏省\n整顿高校治安秩序的调查", "  江苏是我国高等教育发达\n的省份之一，前一段时间这\n"
                            "里的高校周边环境存在问题。", "（王五）"))
    assert (item.kicker, item.title) == (None, "创造良好的学习环境——江苏省整顿高校治安秩序的调查")
    assert any("ends on a place, '江苏省'" in warning for warning in item.warnings)


def test_a_dash_kicker_ending_on_what_it_says_stays_a_kicker():
    item = _only_item(_page("伟大的变革——庆祝改革开放大型展览\n小“家”变化见证国家发展", "  江苏是我国高等教育发达\n"
                            "的省份之一，前一段时间这\n里的高校周边环境存在问题。", "（王五）"))
    assert (item.kicker, item.title) == ("伟大的变革——庆祝改革开放大型展览", "小“家”变化见证国家发展")


# --- ninth round: a run-in headline's bracket broken by a column break ----------------------------------------------

def test_a_run_in_headline_whose_bracket_a_column_break_splits_is_whole():
    page = split_page(_page(_BRIEF_ABOVE, "【人民日报国际部主办每", "周国际时事竞答（第九\n期）】１．５月２７日，两\n国在巴黎正式签署了合\n"
                            "作的基本文件。"))
    assert [item.title for item in page.items] == ["测试标题", "人民日报国际部主办每周国际时事竞答（第九期）"]
    assert page.items[1].body.startswith("１．５月２７日")


def test_a_bracket_left_open_over_a_gap_goes_on_only_where_it_closes_early_past_it():
    from service.ingest.pages.lines import _line
    from service.ingest.pages.segments import _bracket_goes_on
    assert _bracket_goes_on(_line("周国际时事竞答（第九"), [_line("期）】１．５月２７日")])
    assert not _bracket_goes_on(_line("周国际时事竞答第九期的"), [_line("题目共有十道，读者可以")])
    assert not _bracket_goes_on(_line("【以色列国议会议长】"), [])


# --- tenth round: a story closed by its reporter's byline, the next headline right under it ------------------------

_CONDOLENCE = ("测试标题", "  以色列国总理３日致函李鹏总理，对\n邓小平逝世表示哀悼。我们向他的家庭\n和中国人民表达我们最真诚的哀悼。（记者 郝艳）\n"
               "人民日报国际部主办每周国际时事竞答")


def test_a_reporters_byline_run_on_closes_its_story_over_a_headline_with_no_gap():
    page = split_page(_page("\n".join(_CONDOLENCE), "１．５月２７日，俄罗斯和北约在巴黎正\n式签署了基本文件。请问，北约现在共有\n"
                            "多少个成员国？", "（程博 魏鹏昊）"))
    assert [(item.title, item.authors) for item in page.items] == [
        ("测试标题", ("郝艳",)), ("人民日报国际部主办每周国际时事竞答", ("程博", "魏鹏昊"))]
    assert page.items[1].body.startswith("１．５月２７日")
    assert any("ends on its reporter's byline (郝艳)" in warning for warning in page.items[1].warnings)


def test_a_photo_credit_naming_a_role_over_the_photos_title_stays_a_credit():
    # `（通讯员 贺倩` / `摄）` names a role too, but it credits the photo above it, whose title may stand under it.
    page = split_page(_page("测试标题\n  今年以来，我市推行企业开办一件事一\n次办，企业开办时间压缩到半天。（王五）",
                            "　　3月18日，农机手在柳湾镇驾驶拖拉机\n翻耕土地，为春播做准备。（通讯员 贺倩\n摄）\n春耕备播"))
    assert [(item.kind, item.authors) for item in page.items] == [("article", ("王五",)), ("photo", ("贺倩",))]


# --- tenth round: a letter or a speech under its headline, sharing the words of the story above ---------------------

_CONGRESS_ABOVE = ("测试标题", "  中国民主建国会第七次全国代表大会今天在\n北京开幕。民建中央主席成思危作工作报告。\n民建第七次全国代表大会"
                   "将选举新一届民建\n中央领导机构。民建中央主席成思危说，民\n建第七次全国代表大会是一次重要的会议。")
_GREETING = ("中共中央致民建七大贺词", "各位代表，各位同志：在中国民主建国会第\n七次全国代表大会隆重开幕之际，中共中央\n向民建第七次全国"
             "代表大会表示热烈的祝\n贺，向民建中央主席成思危表示亲切的问候。")


def test_a_letter_addressing_its_hearers_under_a_headline_is_no_subhead():
    page = split_page(_page("\n".join(_CONGRESS_ABOVE), "\n".join(_GREETING), "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "中共中央致民建七大贺词"]
    assert page.items[1].body.startswith("各位代表，各位同志：")
    assert any("opens by addressing its hearers" in warning for warning in page.items[1].warnings)


def test_a_subhead_over_the_storys_own_words_stays_in_the_story():
    page = split_page(_page("\n".join(_CONGRESS_ABOVE), "会议的议程", "民建第七次全国代表大会将听取成思危\n的工作报告，"
                            "选举民建中央领导机构。\n民建中央主席成思危说，会议很重要。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题"]


def test_a_salutation_is_told_from_a_paragraphs_opening():
    from service.ingest.pages.layout import _addresses_its_hearers
    from service.ingest.pages.lines import _line
    assert _addresses_its_hearers(_line("各位代表、各位同志：在中国民主建国会第"))
    assert _addresses_its_hearers(_line("主席先生：获悉现代中国的伟大领袖邓"))
    assert not _addresses_its_hearers(_line("民建第七次全国代表大会将听取成思危"))
    assert not _addresses_its_hearers(None)


# --- tenth round: a byline line under a headline, the text above ending on no sentence mark -------------------------

def test_a_byline_line_under_a_headline_opens_a_story_whatever_the_text_above_ends_on():
    page = split_page(_page("测试标题\n  纪念墙上的遇难者中有白人，也有黑人；\n有南非人，也有外国人；",
                            "应江泽民主席邀请叶利钦总\n统抵京进行国事访问", "本报记者 慕容墨 实习生 彭晓梓",
                            "  应国家主席江泽民的邀请，俄罗斯联\n邦总统叶利钦今天下午乘专机抵达北京。"))
    assert [item.title for item in page.items] == ["测试标题", "应江泽民主席邀请叶利钦总统抵京进行国事访问"]
    assert page.items[1].authors == ("慕容墨", "彭晓梓")
    assert any("a byline line stands under it, though the text above ends on" in w for w in page.items[1].warnings)


def test_a_headline_a_word_runs_into_across_the_gap_stays_in_the_story_above_its_byline():
    # `…乡村振` / gap / `兴战略全面实施` is one word the column broke: the line under the gap goes on from the text above.
    page = split_page(_page("测试标题\n  今年以来，全市上下抓住发展的有利时\n机，坚持创新驱动，全力推进乡村振", "兴战略全面实施\n本报记者 慕容墨",
                            "  应国家主席江泽民的邀请，俄罗斯联\n邦总统叶利钦今天下午乘专机抵达北京。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题"]


# --- tenth round: a lede opening on a full date -------------------------------------------------------------------

def test_a_headline_over_a_lede_opening_on_a_full_date_starts_an_article():
    page = split_page(_page("测试标题\n  县里各部门负责同志出席了今天的会议。", "决心要大措施要硬\n１９９６年４月１０日，县委常\n"
                            "委扩大会议研究制定出实施方\n案，确定由县委书记任组长。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "决心要大措施要硬"]
    from service.ingest.pages.layout import _DATE_OPENING
    assert _DATE_OPENING.match("１９９６年４月１０日，县委常")
    assert not _DATE_OPENING.match("１９９６年４月１０日在北京召开")  # a date running on may end a sentence cut above


# --- eleventh round: a headline over a news lede, sharing the words of the story above ------------------------------

_LEDE_BELOW = "民建第七次全国代表大会将听取成思危\n的工作报告，选举民建中央领导机构。\n民建中央主席成思危说，会议很重要。"


@pytest.mark.parametrize("opening", ["日前，", "１２月２日，"])
def test_a_headline_over_a_text_opening_as_a_news_lede_is_no_subhead(opening):
    # The text under the heading shares the story above's words, as a section under a subhead does, but opens on
    # its source or its date, as a news story's first sentence does.
    page = split_page(_page("\n".join(_CONGRESS_ABOVE), "民建七大听取工作报告", opening + _LEDE_BELOW, "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "民建七大听取工作报告"]
    assert page.items[1].body.startswith(opening)
    assert any("opens as a news story's first sentence" in warning for warning in page.items[1].warnings)


def test_a_date_the_heading_line_began_is_no_news_lede():
    from service.ingest.pages.layout import _opens_news_lede
    from service.ingest.pages.lines import _line
    assert _opens_news_lede(_line("江主席在墨西哥参议院演讲"), _line("１２月２日，正在墨西哥进行国"))
    assert _opens_news_lede(_line("我市两所学校入选全国足球特色学校"), _line("　　日前，教育部公布新一批全国青少年校园"))
    # `１９３５年２月` / `２１日，因伤势恶化与…`: one date the column broke, the paragraph going on.
    assert not _opens_news_lede(_line("１９３５年２月"), _line("２１日，因伤势恶化与"))
    assert not _opens_news_lede(_line("会议的议程"), _line("民建第七次全国代表大会将听取成思危"))
    assert not _opens_news_lede(_line("会议的议程"), None)


# --- eleventh round: a speech's salutation naming its first hearer before a comma ------------------------------------

def test_a_speech_whose_salutation_names_a_hearer_before_a_comma_is_no_subhead():
    page = split_page(_page("\n".join(_CONGRESS_ABOVE), "在民建七大开幕式上的讲话",
                            "成思危主席阁下，各位代表：民建第七次\n全国代表大会将听取成思危的工作报告，\n选举民建中央领导机构。会议很重要。",
                            "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", "在民建七大开幕式上的讲话"]
    assert any("opens by addressing its hearers" in warning for warning in page.items[1].warnings)


def test_a_hearer_named_before_a_comma_is_a_salutation_only_at_the_texts_start():
    from service.ingest.pages.layout import _addresses_its_hearers, _opens_by_its_words
    from service.ingest.pages.lines import _line
    assert _addresses_its_hearers(_line("克雷蒂安总理阁下，德马雷先生，"))
    assert _addresses_its_hearers(_line("鲍林先生，威尔逊州长先生和夫"))
    assert not _addresses_its_hearers(_line("他对记者说，鲍林先生，威尔逊"))
    # Read as a paragraph's opening everywhere, a name before a comma is no evidence: only the colon is.
    assert not _opens_by_its_words([_line("鲍林先生，威尔逊州长先生和夫")], 0)


# --- eleventh round: a bulleted headline wrapped over a gap, a narrow column's text under it ------------------------

def test_a_bulleted_headline_over_a_gap_and_a_narrow_paragraph_starts_a_briefs_item():
    # `受冷空气和暖湿气` reads as short as a headline's line, but `气` / `流` is one word the column broke: text.
    page = split_page(_page("东湖区新增5处充电站\n年内还将在城郊3个镇\n各建一处快充站。\n◆交警提醒：雨天注意\n行车安全",
                            "受冷空气和暖湿气\n流共同影响，本周我市\n将有持续降雨。交警部\n门提醒驾驶人，雨天要\n降低车速、保持车距。"))
    assert [i.title for i in page.items] == ["东湖区新增5处充电站", "交警提醒：雨天注意行车安全"]
    assert page.items[1].body == "受冷空气和暖湿气流共同影响，本周我市将有持续降雨。交警部门提醒驾驶人，雨天要降低车速、保持车距。"


def test_bulleted_lines_over_a_gap_and_more_headline_lines_stay_one_item():
    # No word runs from the line past the gap into the next: nothing says a paragraph goes on there.
    from service.ingest.pages.segments import _text_under_bulleted
    from service.ingest.pages.lines import _line
    lines = [_line("◆交警提醒：雨天注意"), _line("行车安全"), None, _line("本周天气预报"), _line("东湖区新增充电站")]
    assert not _text_under_bulleted(lines, 0)
    lines[3:] = [_line("受冷空气和暖湿气"), _line("流共同影响，本周我市")]
    assert _text_under_bulleted(lines, 0)


# --- twelfth round: a dash line whose second phrase the line break cut is no kicker ----------------------------------

_BODY_UNDER_DASH = "  在东盟成立三十周年之际，\n东盟各国和中国的领导人会聚\n一堂，共同探讨东亚的未来。"


@pytest.mark.parametrize("first, second, left_open", [
    ("携手合作共创未来——在东亚", "首脑非正式会晤时的讲话", "在东亚"),
    ("启动农民积极性的金钥匙——故城县推行乡、", "村政务公开的思考", "故城县推行乡、"),
])
def test_a_dash_line_whose_second_phrase_is_left_open_is_no_kicker(first, second, left_open):
    item = _only_item(_page(first + "\n" + second, _BODY_UNDER_DASH, "（王五）"))
    assert (item.kicker, item.title) == (None, first + second)
    assert any(f"the phrase after its dash, {left_open!r}, is left open" in warning for warning in item.warnings)


def test_a_dash_kickers_closed_phrase_stays_a_kicker():
    from service.ingest.pages.titles import _left_open_after_dash
    from service.ingest.pages.lines import _line
    assert _left_open_after_dash(_line("携手合作共创未来——在东亚首脑非正式")) == "在东亚首脑非正式"
    # `在…上`, `在…之际` close the phrase: a kicker's whole second phrase.
    assert _left_open_after_dash(_line("走向新时代——在希望的田野上")) is None
    assert _left_open_after_dash(_line("携手共进——在建交五十周年之际")) is None
    assert _left_open_after_dash(_line("伟大的变革——庆祝改革开放大型展览")) is None
    item = _only_item(_page("走向新时代——在希望的田野上\n小麦丰收见证乡村振兴", _BODY_UNDER_DASH, "（王五）"))
    assert (item.kicker, item.title) == ("走向新时代——在希望的田野上", "小麦丰收见证乡村振兴")


def test_a_dash_line_ending_on_a_place_within_a_place_is_no_kicker():
    # `山东安丘市召忽镇`: a town named with its county-level city, the subject of what the next line says.
    item = _only_item(_page("文明的起步——山东安丘市召忽镇\n婚事新办见闻", _BODY_UNDER_DASH, "（王五）"))
    assert (item.kicker, item.title) == (None, "文明的起步——山东安丘市召忽镇婚事新办见闻")
    assert any("ends on a place, '山东安丘市召忽镇'" in warning for warning in item.warnings)


# --- twelfth round: a headline over a line that opens a letter, a paragraph surely beginning under it ------------------

def test_a_salutation_under_a_headline_opens_the_text_though_a_paragraph_begins_under_it():
    # `全国代表大会隆重开幕之际，…` reads as a paragraph's first line, which would make both lines above headline;
    # but `各位代表、各位同志：` opens a letter: the text began there.
    item = _only_item(_page("中共中央致九三学社七大的贺词\n各位代表、各位同志：在九三学社第七次\n全国代表大会隆重开幕之际，中国共产党中\n"
                            "央委员会谨向大会表示热烈的祝贺，向全体", "代表和九三学社的同志们致以亲切的问候！\n"
                            "自１９９２年我国改革开放和社会主义现代化\n建设事业进入新阶段以来，九三学社在邓小平\n"
                            "理论指引下，遵循社会主义初级阶段的基本路\n线，与中国共产党亲密合作，努力发挥参政党作\n"
                            "用，不断加强自身建设，致力于改革开放和社会\n主义现代化建设。", "（王五）"))
    assert item.title == "中共中央致九三学社七大的贺词"
    assert item.body.startswith("各位代表、各位同志：")
    assert any("'各位代表、各位同志：在九', which opens a letter, a speech or a list" in warning for warning in item.warnings)


# --- twelfth round: a heading over a text opening as a text of its own, sharing the words of the story above ----------

@pytest.mark.parametrize("heading, opening, evidence", [
    ("民建七大的几项议程", "第一，", "it opens on a list's first point"),
    ("民建七大的几项议程", "一、", "it opens on a list's first point"),
    ("民建的七大", "民建第七次全国代表大会将听取成思危的", "it opens on the heading's own words"),
])
def test_a_heading_over_a_text_opening_as_its_own_is_no_subhead(heading, opening, evidence):
    below = opening + "民建第七次全国代表大会将听取成思危\n的工作报告，选举民建中央领导机构。\n民建中央主席成思危说，会议很重要。"
    page = split_page(_page("\n".join(_CONGRESS_ABOVE), heading, below, "（王五）"))
    assert [item.title for item in page.items] == ["测试标题", heading]
    assert any(evidence in warning for warning in page.items[1].warnings)


def test_a_later_point_or_other_words_under_a_subhead_leave_it_in_the_story():
    from service.ingest.pages.layout import _opens_own_text
    from service.ingest.pages.lines import _line
    assert _opens_own_text(_line("索馬利亞"), _line("索馬利亞海上運輸佔重要地位，"))
    assert _opens_own_text(_line("双向监督"), _line("第一，充分认识这次"))
    # A list's later point goes on with the story's own points; a decimal is no point; other words name nothing.
    assert _opens_own_text(_line("双向监督"), _line("第二，充分认识这次")) is None
    assert _opens_own_text(_line("双向监督"), _line("二、完善监督制度")) is None
    assert _opens_own_text(_line("双向监督"), _line("１．５亿元资金已到位")) is None
    assert _opens_own_text(_line("会议的议程"), _line("民建第七次全国代表大会将听取成思危")) is None
    page = split_page(_page("\n".join(_CONGRESS_ABOVE), "会议的几项议程", "二、民建第七次全国代表大会将听取成思危\n的工作报告，"
                            "选举民建中央领导机构。\n民建中央主席成思危说，会议很重要。", "（王五）"))
    assert [item.title for item in page.items] == ["测试标题"]


# --- twelfth round: a short line under a headline whose sentence closes early in the line under it -------------------

def test_a_short_line_whose_sentence_closes_in_the_line_under_it_is_the_bodys():
    # `我久久凝视着眼前` is short enough for a headline's second line, but the sentence it begins closes four
    # characters into the next line: it is the body's first line.
    item = _only_item(_page("做新时代“最可爱的人”\n我久久凝视着眼前\n这组照片。吸引我的不仅仅是照片\n中的主人公在训练场上的飒爽英\n姿，更是他们在平凡岗位上默默\n"
                            "奉献的那份坚守和他们的青春。", "（王五）"))
    assert item.title == "做新时代“最可爱的人”"
    assert item.body.startswith("我久久凝视着眼前这组照片。")
    assert any("closes at '这组照片。'" in warning for warning in item.warnings)


def test_a_headlines_short_second_line_over_a_full_body_line_stays_in_the_headline():
    item = _only_item(_page("国家级非遗剪纸技艺\n走进大学课堂\n在清河学院的一间教室里，几十名\n学生正跟着老师学剪纸。老师说\n，剪纸讲究千刻不落，万剪不断\n"
                            "，线条要连在一起才好看。", "（王五）"))
    assert item.title == "国家级非遗剪纸技艺走进大学课堂"


# --- thirteenth round: an editor line without colons naming the layout designer, at the page's foot -----------------

def test_an_editor_line_without_colons_naming_the_layout_designer_is_read_at_the_foot():
    text = ("C05 城市 2019年3月1日 星期五\n\n测试标题\n  全市今年新建公园十二座，\n绿地面积再创新高。\n（王五）\n\n"
            "责任编辑 周小梅　版式设计 孙立强\n")
    page = split_page(text)
    assert (page.editor, page.layout) == ("周小梅", "孙立强")
    assert [item.title for item in page.items] == ["测试标题"]
    assert "孙立强" not in page.items[0].body


# --- thirteenth round: the reporters a dateline names without brackets, up to `报道：` -----------------------------

@pytest.mark.parametrize("opening, authors", [
    ("本报上海6月2日讯记者吴明华报道：", ("吴明华",)),
    ("本报北京6月2日讯新华社记者高远、赵岩，\n本报记者孟庆东报道：", ("高远", "赵岩", "孟庆东")),
])
def test_reporters_named_after_a_dateline_up_to_reported_are_the_authors(opening, authors):
    item = _only_item(_page("测试标题", "  " + opening + "全市今年新建公园十二座，\n绿地面积再创新高。"))
    assert item.authors == authors
    assert item.body == "全市今年新建公园十二座，绿地面积再创新高。"


def test_a_dateline_clause_naming_no_reporter_stays_in_the_body():
    # `报道：` after words that name no one by role is the story's own sentence.
    item = _only_item(_page("测试标题", "  本报讯市气象台报道：全市今年新建公园十二座，\n绿地面积再创新高。", "（王五）"))
    assert item.authors == ("王五",)
    assert item.body.startswith("市气象台报道：")


# --- thirteenth round: a reporter's outlet before the role; a wire story retold; a country in the dateline ---------

@pytest.mark.parametrize("opening, authors", [
    ("新华社北京6月2日电（中央人民广播电台记者吴明华、新华社记者高远）", ("吴明华", "高远")),
    ("据新华社北京6月2日电（记者吴明华）", ("吴明华",)),
    ("新华社金边（柬埔寨）\n6月2日电（记者吴明华）", ("吴明华",)),
])
def test_a_dateline_naming_outlets_a_source_or_a_country_still_gives_its_reporters(opening, authors):
    item = _only_item(_page("测试标题", "  " + opening + "全市今年新建公园十二座，\n绿地面积再创新高。"))
    assert item.authors == authors
    assert item.body == "全市今年新建公园十二座，绿地面积再创新高。"


# --- thirteenth round: a lone short line over a headline across a gap is its kicker --------------------------------

def test_a_lone_phrase_over_a_headline_across_a_gap_is_its_kicker():
    page = split_page(_page("春天的田野\n  村口的麦子已经返青，\n农民们忙着浇水施肥。\n（王五）", "乡村新气象",
                            "城郊菜场的一天", "本报记者 赵岩", "  天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    assert [(item.kicker, item.title) for item in page.items] == [(None, "春天的田野"), ("乡村新气象", "城郊菜场的一天")]
    assert any("kicker '乡村新气象' taken from the line over the headline across a gap" in warning
               for warning in page.items[1].warnings)


def test_a_line_holding_a_sentence_over_a_headline_is_no_kicker():
    from service.ingest.pages import PageItem, _kickers_over_a_gap
    above = PageItem(kind="article", title="天亮了，菜场开门", authors=(), paragraphs=(), position=1)
    below = PageItem(kind="article", title="城郊菜场的一天", authors=(), paragraphs=("天还没亮。",), position=2)
    assert _kickers_over_a_gap([above, below]) == [above, below]


# --- thirteenth round: `文/图 X` under a headline is the story's byline, not a photo's credit -----------------------

@pytest.mark.parametrize("byline", ["文/图　赵岩", "文·图赵岩", "文／图 赵岩"])
def test_words_and_pictures_by_one_reporter_is_a_byline_under_the_headline(byline):
    item = _only_item(_page("城郊菜场的一天\n" + byline + "\n  天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    assert (item.kind, item.title, item.authors) == ("article", "城郊菜场的一天", ("赵岩",))
    assert item.body == "天还没亮，菜场里已经挤满了前来进货的商贩。"


def test_a_kicker_and_a_headline_each_set_apart_by_a_gap_over_an_opener():
    page = split_page(_page("春天的田野\n  村口的麦子已经返青，农民们\n忙着浇水施肥，田间地头一片\n繁忙景象。", "乡村新气象",
                            "城郊菜场的一天", "本报讯（记者 赵岩）天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    assert [item.title for item in page.items] == ["春天的田野", "城郊菜场的一天"]
    item = page.items[1]
    assert (item.kicker, item.title, item.authors) == ("乡村新气象", "城郊菜场的一天", ("赵岩",))
    assert item.body == "天还没亮，菜场里已经挤满了前来进货的商贩。"
    assert any("kicker '乡村新气象' over the headline '城郊菜场的一天', each set apart by a gap: an opener stands" in warning
               for warning in item.warnings)


# --- thirteenth round: a photo credit in brackets with its mark glued to the last name -----------------------------

@pytest.mark.parametrize("caption_end", ["挤满了前来进货的商贩。（赵岩 孙立强摄）", "挤满了前来进货的商贩。\n（本报记者 赵岩 孙立强\n摄）"])
def test_a_bracketed_credit_whose_mark_is_glued_to_the_last_name_closes_a_photo_story(caption_end):
    page = split_page(_page("天还没亮，城郊菜场里已经\n" + caption_end, "菜场的早晨"))
    assert [(item.kind, item.title, item.authors) for item in page.items] == [("photo", "菜场的早晨", ("赵岩", "孙立强"))]
    assert page.items[0].body == "天还没亮，城郊菜场里已经挤满了前来进货的商贩。"


def test_an_agencys_name_broken_from_the_role_after_it_is_no_author():
    page = split_page(_page("天还没亮，城郊菜场里已经\n挤满了前来进货的商贩。（新华社\n记者 赵岩摄）", "菜场的早晨"))
    assert [(item.kind, item.title, item.authors) for item in page.items] == [("photo", "菜场的早晨", ("赵岩",))]


def test_a_letter_spaced_bracketed_credit_closes_a_photo_story():
    page = split_page(_page("天还没亮，城郊菜场里已经\n挤满了前来进货的商贩。（记者 赵 岩 摄）", "菜 场 的 早 晨"))
    assert [(item.kind, item.title, item.authors) for item in page.items] == [("photo", "菜场的早晨", ("赵岩",))]


# --- fourteenth round: a kicker over a gap, then a headline of up to three lines with text opening right under it --

STORY_ABOVE = "春天的田野\n  村口的麦子已经返青，农民们\n忙着浇水施肥，田间地头一片\n繁忙景象。"


def test_a_kicker_over_a_gap_and_a_wrapped_headline_with_an_opener_right_under_it():
    page = split_page(_page(STORY_ABOVE, "权威发布",
                            "市教委等四部门制定《中小\n学课后服务管理办法》\n本报讯（记者 赵岩）天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    assert [item.title for item in page.items] == ["春天的田野", "市教委等四部门制定《中小学课后服务管理办法》"]
    item = page.items[1]
    assert (item.kicker, item.authors) == ("权威发布", ("赵岩",))
    assert item.body == "天还没亮，菜场里已经挤满了前来进货的商贩。"
    assert any("kicker '权威发布' over the headline '市教委等四部门制定《中小学课后服务管理办法》', across a gap: an opener "
               "stands" in warning for warning in item.warnings)


def test_a_kicker_over_a_headline_broken_after_its_dash_with_a_byline_past_a_gap():
    page = split_page(_page(STORY_ABOVE, "记者走基层", "开启群众积极性的“钥匙”——\n清河县推行乡、\n村务公开的调查",
                            "本报记者 赵岩 孙立强", "  天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    item = page.items[1]
    assert (item.kicker, item.title, item.authors) == ("记者走基层", "开启群众积极性的“钥匙”——清河县推行乡、村务公开的调查",
                                                       ("赵岩", "孙立强"))
    assert item.body == "天还没亮，菜场里已经挤满了前来进货的商贩。"


def test_a_kicker_over_a_headline_and_its_subtitle_with_an_indent_under_them():
    page = split_page(_page(STORY_ABOVE, "一线调研", "城郊菜场的一天\n——来自基层的报道\n  天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    item = page.items[1]
    assert (item.kicker, item.title, item.subtitle) == ("一线调研", "城郊菜场的一天", "——来自基层的报道")
    assert item.body == "天还没亮，菜场里已经挤满了前来进货的商贩。"


def test_a_short_headline_over_a_gap_and_a_plain_paragraph_keeps_it():
    # No opener, byline or indent under the line past the gap: it may be the story's first paragraph.
    page = split_page(_page(STORY_ABOVE, "菜场的早晨", "天还没亮菜场里已经热闹起来\n挤满了前来进货的商贩。"))
    assert [(item.kicker, item.title) for item in page.items[1:]] == [(None, "菜场的早晨")]


# --- fourteenth round: `要闻快报` heads a briefs column ------------------------------------------------------------

def test_a_briefs_column_headed_news_express_drops_its_head():
    page = split_page(_page(STORY_ABOVE, "要闻快报\n●清河高铁站新增至省城班次\n  铁路部门实行新运行图后，清河站每天开往\n"
                            "省城的动车组列车由18对增加到24对。（记者 曹玉）"))
    assert [(i.title, i.authors) for i in page.items[1:]] == [("清河高铁站新增至省城班次", ("曹玉",))]


# --- fourteenth round: a photo's title after its credit, over a headline broken after its dash -------------------

def test_a_photo_title_after_the_credit_over_a_headline_broken_after_its_dash():
    page = split_page(_page("  天还没亮，城郊菜场里已经挤满了\n前来进货的商贩。", "记者 赵岩 摄\n菜场的早晨",
                            "老街新貌别具一格——\n清河老城改造记\n  老街的石板路修好了，两旁的\n店铺也重新开张。"))
    assert [(item.kind, item.title) for item in page.items] == [("photo", "菜场的早晨"),
                                                                 ("article", "老街新貌别具一格——清河老城改造记")]


# --- fourteenth round: names with the photo mark glued on, alone between a caption and a short title ----------------

@pytest.mark.parametrize("credit, authors", [("赵岩摄", ("赵岩",)), ("赵岩 欧阳兰摄", ("赵岩", "欧阳兰"))])
def test_a_lone_line_of_names_glued_to_the_photo_mark_closes_a_photo_story(credit, authors):
    page = split_page(_page(STORY_ABOVE, "  清晨的菜场，城郊菜场里已经\n挤满了前来进货的商贩。", credit + "\n菜场的早晨",
                            "城郊菜场的一天\n  天还没亮，菜场里已经\n挤满了前来进货的商贩。\n（王五）"))
    assert [(item.kind, item.title, item.authors) for item in page.items[1:]] == [
        ("photo", "菜场的早晨", authors), ("article", "城郊菜场的一天", ("王五",))]


def test_names_glued_to_the_photo_mark_inside_a_paragraph_stay_its_text():
    # The line under is no short title: the names and the mark go on a sentence about filming.
    item = _only_item(_page("城郊菜场的一天\n  天还没亮，菜场里已经挤满了商贩。\n赵岩摄\n下了这一幕，他说这是菜场最忙的时候。"))
    assert "赵岩摄" in item.body


# --- fourteenth round: a subhead made of its paragraph's opening clause stays in the story --------------------------

MARKET_STORY = ("城郊菜场的一天\n  天还没亮，城郊菜场里已经挤满了\n前来进货的商贩，菜场管理员也早\n早来到了菜场。管理员说，商贩进\n"
                "货要排长队，停车场太小了。")


def test_a_subhead_saying_its_paragraphs_opening_clause_stays_in_the_story():
    page = split_page(_page(MARKET_STORY, "为了让商贩进货更方便", "  为了让商贩进货更方便，菜场今年\n新修了停车场，商贩进菜场再也不\n"
                                                        "用排长队了，管理员说停车场能停\n两百辆车。\n（王五）"))
    assert [(item.title, item.authors) for item in page.items] == [("城郊菜场的一天", ("王五",))]
    assert "\n为了让商贩进货更方便\n为了让商贩进货更方便，菜场今年" in page.items[0].body


def test_a_heading_whose_text_opens_on_its_words_without_a_comma_still_begins_a_story():
    page = split_page(_page(MARKET_STORY, "菜场停车场", "  菜场停车场今年新修成，商贩进菜场再也不\n"
                                                  "用排长队了，管理员说停车场能停\n两百辆车。\n（王五）"))
    assert [item.title for item in page.items] == ["城郊菜场的一天", "菜场停车场"]


# --- fifteenth round: a kicker over a short headline, each set apart by a gap, over a plain paragraph ---------------

PLAIN_PARAGRAPH = ("天还没亮，城郊菜场里已经挤满了前来\n进货的商贩。管理员说，商贩进货要排长\n队，停车场太小了，今年新修了停车场。")


def test_a_kicker_over_a_short_headline_and_a_plain_paragraph_filling_the_column():
    page = split_page(_page(STORY_ABOVE, "一线调研", "菜场的早晨", PLAIN_PARAGRAPH))
    item = page.items[1]
    assert (item.kicker, item.title) == ("一线调研", "菜场的早晨")
    assert item.body == PLAIN_PARAGRAPH.replace("\n", "")
    assert any("kicker '一线调研' over the headline '菜场的早晨', each set apart by a gap: a plain paragraph ('天还没亮，"
               "城郊菜场里已经') filling a column of 16.5, far wider than the headline, under the headline" in warning
               for warning in item.warnings)


def test_a_line_near_the_columns_width_over_a_plain_paragraph_is_no_headline_under_a_kicker():
    # Past the gap the line all but fills the column: it may be the story's own first line, broken by the column.
    page = split_page(_page(STORY_ABOVE, "菜场的早晨", "城郊菜场里的商贩和管理员们", PLAIN_PARAGRAPH))
    assert all(item.kicker is None for item in page.items)
    assert page.items[1].title == "菜场的早晨"


def test_a_run_in_head_over_a_gap_is_no_kicker_of_a_plain_paragraph():
    # The head runs into its paragraph's first words on one line, the column broken under them mid-sentence.
    page = split_page(_page(STORY_ABOVE, "【菜场的早晨】和凌晨寒风卷来", "的叫卖声。天还没亮，城郊菜场里\n已经挤满了前来进货的商贩。"
                            "管理\n员说，商贩进货要排长队，停车场\n太小了，今年新修了停车场。"))
    assert all(item.kicker is None for item in page.items)
    assert page.items[1].title == "菜场的早晨"


# --- fifteenth round: a kicker of two phrases a space apart ----------------------------------------------------------

def test_a_kicker_of_two_phrases_a_space_apart_heads_the_headline_under_it():
    page = split_page(_page(STORY_ABOVE, "喜迎新春 共话发展", "开启群众积极性的“钥匙”——\n清河县推行村务公开的调查\n"
                            "  本报讯（记者 赵岩）天还没亮，菜场里已经\n挤满了前来进货的商贩。"))
    item = page.items[1]
    assert (item.kicker, item.title, item.authors) == ("喜迎新春 共话发展", "开启群众积极性的“钥匙”——清河县推行村务公开的调查",
                                                       ("赵岩",))
