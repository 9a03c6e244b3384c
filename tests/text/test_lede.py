"""The lede: the opening sentences a news story puts its essence in, without the line saying who sent it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.text.lede import LEDE_MAX_CHARS, closing_credit_length, lede, lede_spans, opener_length


@pytest.mark.parametrize("text, rest", [
    ("本报讯（记者 张三）昨天，市政府召开会议。", "昨天，市政府召开会议。"),
    ("本报讯 昨天，市政府召开会议。", "昨天，市政府召开会议。"),
    ("新华社北京3月5日电（记者 李四）十三届全国人大一次会议5日上午开幕。", "十三届全国人大一次会议5日上午开幕。"),
    ("新華社台北3月5日電 台灣地區", "台灣地區"),
    ("中新网12月6日电 据外媒报道，", "据外媒报道，"),
    ("央视网消息：今天上午，", "今天上午，"),
    ("本报北京12月6日电 (记者 王五) 记者从教育部获悉，", "记者从教育部获悉，"),
    ("（记者 王五）近日，", "近日，"),
    ("本报波士顿１１月１日电记者陈特安、李云飞报道：江泽民主席", "江泽民主席"),
    ("本报北京３月２２日讯记者贾西平报道：中共中央", "中共中央"),
    ("据新华社北京３月３日电人事部", "人事部"),
    ("又讯中国国家主席", "中国国家主席"),
    ("本报讯市政府召开会议。", "市政府召开会议。"),
    ("本台消息，今天", "今天"),
    ("央视新闻客户端消息，今天", "今天"),
    ("（中央社記者陳家倫台北15日電）行政院會", "行政院會"),
    ("（中央社記者王小明東京8日專電）日本", "日本"),
    ("（新华社北京3月5日电）今天", "今天"),
    ("中央社台北5日電 行政院", "行政院"),
    ("北京晚报讯 近日", "近日"),
    ("【环球网报道 记者 张三】近日", "近日"),
    ("总台央视记者 王五 报道：今天上午", "今天上午"),
    ("本报通讯员 李四 记者 王五 报道：近日", "近日"),
    ("新华社记者秦杰、王黎，本报记者杨武军报道：我们应该", "我们应该"),
])
def test_openers_are_not_lede(text, rest):
    assert text[opener_length(text):] == rest


@pytest.mark.parametrize("text", ["社区电动车充电难问题有了解决办法。", "据新华社报道，", "网上电商促销开始。",
                                  "日报电子版上线。", "北京时间3月5日，", "（一）加强领导。",
                                  "台风过后全市已全面恢复供电，", "国家电网公司今天宣布停电，", "变电站昨日恢复供电，",
                                  "网上传来喜讯，", "合作社传来喜讯，", "平台上线首日就迎来停电，", "站内通讯，",
                                  "记者从市交通运输局获悉，", "本报记者近日获悉，", "新华社记者从有关部门获悉，",
                                  "记者了解到，相关报道已经撤下。"])
def test_ordinary_openings_are_kept(text):
    assert opener_length(text) == 0


@pytest.mark.parametrize("text, rest", [
    ("游客在公园赏花。（新华社记者 李贺 摄）", "游客在公园赏花。"),
    ("游客在公园赏花。本报记者 王五摄", "游客在公园赏花。"),
    ("志愿者采访市民。（记者 李军 陈勇 摄）", "志愿者采访市民。"),
    ("他们正在进行拍摄。", "他们正在进行拍摄。"),
    ("市民参观展览。", "市民参观展览。"),
    ("报告全文如下。（完）", "报告全文如下。"),
    ("他说完", "他说完"),
])
def test_closing_photo_credits(text, rest):
    assert text[:len(text) - closing_credit_length(text)] == rest


def test_a_short_first_paragraph_takes_the_next():
    body = "图为会议现场\n本报讯（记者 张三）昨天下午，市政府召开会议，研究部署冬季供暖工作。会议要求落实责任。\n第三段。"
    assert lede(body, min_chars=20) == "图为会议现场\n昨天下午，市政府召开会议，研究部署冬季供暖工作。会议要求落实责任。"


def test_a_long_lede_ends_with_the_sentence_that_reaches_the_limit():
    body = "第一句话说了很多事情。" * 30
    text = lede(body)
    assert text.endswith("。") and LEDE_MAX_CHARS <= len(text) < LEDE_MAX_CHARS + len("第一句话说了很多事情。")


def test_a_body_without_text_has_no_lede():
    assert lede("") == "" and lede("\n \n") == "" and lede("本报讯（记者 张三）") == ""


@given(st.text(alphabet="本报讯新华社电（）() 记者张三。，\n中国农业银行今年", max_size=300))
def test_spans_lie_inside_the_body_in_order(body):
    spans = lede_spans(body)
    assert all(0 <= start < end <= len(body) for start, end in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert all("\n" not in body[start:end] for start, end in spans)
