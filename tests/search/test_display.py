"""Display conversion between scripts keeps every highlight on the characters it marked."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.articles import Article
from service.search.display import Display, check_script, convert_marked
from service.errors import QueryError
from service.search.highlight import highlight_spans
from service.text.normalize import ScriptConverter

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, read_jsonl

CMRC = read_jsonl(CMRC_SAMPLE)
DRCD = read_jsonl(DRCD_SAMPLE)


def marked_words(analyzer, text, how_many=6):
    """A few of the text's own words as a query, and where the analyzer marks them."""
    tokens = [t for t in analyzer.analyze(text) if len(t.term) >= 2]
    terms = [t.term for t in tokens[::max(1, len(tokens) // how_many)]][:how_many]
    return terms, highlight_spans(analyzer, text, terms)


@pytest.mark.parametrize("config", ["s2t", "s2tw"])
def test_s2t_and_s2tw_keep_every_span_on_the_converted_form_of_its_word(analyzer, config):
    # Their dictionaries convert every phrase to one of the same length, so offsets stand as they are, even
    # where a character converts differently in its phrase than alone.
    converter = ScriptConverter(config)
    for record in CMRC:
        text = record["text"]
        terms, spans = marked_words(analyzer, text)
        converted, moved = convert_marked(converter, analyzer, text, spans, terms)
        assert converted == converter.convert(text) and len(converted) == len(text)
        assert moved == spans, record["id"]


def test_traditional_articles_shown_in_simplified_keep_their_marks(analyzer):
    converter = ScriptConverter("t2s")
    for record in DRCD:
        terms, spans = marked_words(analyzer, record["text"])
        converted, moved = convert_marked(converter, analyzer, record["text"], spans, terms)
        assert moved == highlight_spans(analyzer, converted, terms), record["id"]


@pytest.mark.parametrize("text, query, converted, marked", [
    ("借记卡不能透支", "借记卡", "簽帳金融卡不能透支", ["簽帳金融卡"]),  # longer
    ("这个滚动条太细了", "滚动条", "這個捲軸太細了", ["捲軸"]),  # shorter
    ("他在乌兹别克斯坦工作，乌兹别克斯坦很远", "乌兹别克斯坦", "他在烏茲別克工作，烏茲別克很遠", ["烏茲別克", "烏茲別克"]),
])
def test_a_phrase_that_changes_length_inside_a_mark_moves_the_marks_after_it(analyzer, text, query, converted,
                                                                                marked):
    terms = analyzer.terms(query)
    result, spans = convert_marked(ScriptConverter("s2twp"), analyzer, text, highlight_spans(analyzer, text, terms),
                                   terms)
    assert result == converted
    assert [result[s:e] for s, e in spans] == marked


def test_a_phrase_across_a_mark_edge_is_marked_again_by_the_analyzer(analyzer):
    # Converted alone, 盘后 is 盤後; in context the phrase U盘 becomes 隨身碟 and takes the 盘 with it. Moving
    # the old offsets would mark 身碟; the analyzer, which finds no 盘后 in the new text, marks nothing.
    text, terms = "请插入U盘后重试", ["盘后"]
    spans = highlight_spans(analyzer, text, terms)
    assert [text[s:e] for s, e in spans] == ["盘后"]
    converted, moved = convert_marked(ScriptConverter("s2twp"), analyzer, text, spans, terms)
    assert converted == "請插入隨身碟後重試"
    assert moved == highlight_spans(analyzer, converted, terms) == []


def test_when_pieces_convert_apart_the_marks_come_from_the_analyzer(analyzer):
    converter = ScriptConverter("s2t")
    text = "她的头发很长，头发是黑色的"
    spans = [(3, 4), (8, 9)]  # the 发 of 头发, which converts alone to 發 and in 头发 to 髮
    converted, moved = convert_marked(converter, analyzer, text, spans, ["头发"])
    assert converted == "她的頭髮很長，頭髮是黑色的"
    assert [converted[s:e] for s, e in moved] == ["頭髮", "頭髮"]


@settings(max_examples=60, deadline=None)
@given(record=st.sampled_from(CMRC), config=st.sampled_from(["s2t", "s2tw", "s2twp", "s2hk"]))
def test_every_mark_covers_the_converted_word_or_is_the_analyzers(analyzer, record, config):
    converter = ScriptConverter(config)
    text = record["text"]
    terms, spans = marked_words(analyzer, text)
    converted, moved = convert_marked(converter, analyzer, text, spans, terms)
    assert converted == converter.convert(text)
    assert all(0 <= s < e <= len(converted) for s, e in moved)
    assert moved == sorted(moved) and all(a[1] <= b[0] for a, b in zip(moved, moved[1:]))
    followed = len(moved) == len(spans) and all(
        converted[m[0]:m[1]] == converter.convert(text[s:e]) for (s, e), m in zip(spans, moved))
    assert followed or moved == highlight_spans(analyzer, converted, terms)


def test_article_fields_are_converted_and_ids_dates_and_files_are_not(analyzer):
    display = Display(analyzer, "s2t")
    article = Article(id="a-1", title="医保政策", body="第一段医保。\n第二段。", date="2018-02-28", section="经济",
                      page="B03", authors=("刘洪斌",), source="corpus/报纸.txt", editor="李璇")
    shown = display.article(article, "traditional")
    assert (shown.title, shown.body, shown.section, shown.authors, shown.editor) == (
        "醫保政策", "第一段醫保。\n第二段。", "經濟", ("劉洪斌",), "李璇")
    assert (shown.id, shown.date, shown.page, shown.source) == ("a-1", "2018-02-28", "B03", "corpus/报纸.txt")
    assert display.article(article, None) is article
    assert display.article(shown, "simplified").title == "医保政策"


@pytest.mark.parametrize("value", ["Traditional", "zh-Hant", "s2t", 1])
def test_unknown_script_is_refused_naming_the_parameter(value):
    with pytest.raises(QueryError) as info:
        check_script(value)
    assert info.value.code == "bad_script" and "parameter script" in info.value.message


def test_no_script_means_the_stored_text():
    assert check_script(None) is None and check_script("") is None


def test_a_converter_is_made_when_its_script_is_first_asked_for(analyzer, monkeypatch):
    """OpenCC loads a converter's dictionaries when it is made: a search shown as stored makes none."""
    made = []
    monkeypatch.setattr("service.search.display.ScriptConverter",
                        lambda config: made.append(config) or ScriptConverter(config))
    display = Display(analyzer, "s2tw")
    assert display.text("医保", None) == "医保" and display.marked("医保", [(0, 2)], None, ["医保"]) == ("医保", [(0, 2)])
    assert made == []
    assert display.text("医保", "traditional") == "醫保" and display.text("醫保", "traditional") == "醫保"
    assert display.marked("醫保政策", [(0, 2)], "simplified", ["医保"]) == ("医保政策", [(0, 2)])
    assert made == ["s2tw", "t2s"]
