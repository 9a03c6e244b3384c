import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from service.summaries.choice import GAP, near_duplicates
from service.summaries.data import summarize
from service.text.sentences import split_sentences

TEXT = ("1月28日，斜店乡人社所所长任志光把最后12名贫困户的医保信息录入进了系统。"
        "至此，全乡1361户、2333名建档立卡贫困户全部参加了医保。"
        "为更好的落实贫困人口医疗保障，该乡在2017年11月就把缴费做为一项重要任务。"
        "乡党委召开党委会进行研究，最后决定由乡财政垫付72名贫困户医保费。")


class CountingAnalyzer:
    """The shared analyzer, counting which texts it is asked to analyse."""

    def __init__(self, analyzer):
        self.inner, self.texts = analyzer, []

    def analyze(self, text):
        self.texts.append(text)
        return self.inner.analyze(text)


def test_without_a_query_the_sentences_that_carry_the_text(analyzer):
    text = "这是一个好消息。冠县灵芝产业发展迅速，灵芝产品远销各地。灵芝种植户收入明显增加。大家都很高兴。"
    summary = summarize(analyzer, text, sentences=1, max_chars=500)
    assert "灵芝" in summary.text and summary.text in text
    assert summary.highlights == []


def test_a_lead_that_states_the_news_is_kept(analyzer):
    summary = summarize(analyzer, TEXT, sentences=1, max_chars=500)
    assert summary.text == split_sentences(TEXT)[0].text


def test_the_title_decides_between_topics(analyzer):
    text = "县里今年新修道路三十公里。县医院新建病房楼一座，可容纳病床三百张。"
    assert summarize(analyzer, text, sentences=1, title="县医院病房楼建成").text == "县医院新建病房楼一座，可容纳病床三百张。"
    assert summarize(analyzer, text, sentences=1, title="今年新修道路三十公里").text == "县里今年新修道路三十公里。"


def test_chosen_sentences_are_shown_in_article_order(analyzer):
    summary = summarize(analyzer, TEXT, sentences=3, max_chars=None)
    starts = [s.start for s in summary.sentences]
    assert len(starts) == 3 and starts == sorted(starts)
    assert summary.text == _joined(TEXT, summary.sentences)


def test_a_character_budget_alone_takes_as_many_sentences_as_fit(analyzer):
    summary = summarize(analyzer, TEXT, sentences=None, max_chars=80)
    assert len(summary.text) <= 80 and len(summary.sentences) >= 2
    assert summarize(analyzer, TEXT, sentences=None, max_chars=None).text == TEXT


def test_near_duplicate_sentences_are_never_both_chosen(analyzer):
    text = ("冠县灵芝产业发展迅速，产品远销各地。冠县灵芝产业发展迅速，产品远销全国各地。"
            "灵芝种植户收入明显增加。")
    summary = summarize(analyzer, text, sentences=3, max_chars=None)
    chosen = [s.text for s in summary.sentences]
    assert len(chosen) == 2 and "灵芝种植户收入明显增加。" in chosen
    assert near_duplicates("冠县灵芝产业发展迅速，产品远销各地。", "冠县灵芝产业发展迅速，产品远销全国各地。")
    assert not near_duplicates("冠县灵芝产业发展迅速。", "灵芝种植户收入明显增加。")


def test_with_a_query_sentences_with_its_terms_in_article_order(analyzer):
    summary = summarize(analyzer, TEXT, sentences=2, max_chars=500, query_terms=["党委会", "财政"])
    assert summary.text == "乡党委召开党委会进行研究，最后决定由乡财政垫付72名贫困户医保费。"
    summary = summarize(analyzer, TEXT, sentences=2, max_chars=500, query_terms=["医保", "医疗"])
    chosen = [s.text for s in summary.sentences]
    assert chosen == sorted(chosen, key=TEXT.index)
    assert any("医疗" in s for s in chosen) and any("医保" in s for s in chosen)


def test_a_query_no_sentence_holds_gives_the_generic_summary(analyzer):
    assert summarize(analyzer, TEXT, sentences=1, query_terms=["灵芝"]).text == summarize(analyzer, TEXT, sentences=1).text


def test_query_terms_are_marked_as_spans(analyzer):
    summary = summarize(analyzer, TEXT, sentences=1, max_chars=500, query_terms=["医保"])
    assert summary.highlights
    assert all(summary.text[start:end] == "医保" for start, end in summary.highlights)


def test_marks_in_traditional_text_cover_the_traditional_characters(analyzer):
    text = "全鄉貧困戶全部參加了醫保。"
    summary = summarize(analyzer, text, sentences=1, max_chars=500, query_terms=analyzer.terms("医保"))
    assert [summary.text[s:e] for s, e in summary.highlights] == ["醫保"]


def test_one_long_sentence_is_clipped_around_the_query_term(analyzer):
    text = "这" * 300 + "灵芝产业" + "那" * 300 + "。"
    summary = summarize(analyzer, text, sentences=1, max_chars=80, query_terms=["灵芝"])
    assert len(summary.text) <= 80
    assert "灵芝" in summary.text and summary.text.startswith("…") and summary.text.endswith("…")
    assert [summary.text[s:e] for s, e in summary.highlights] == ["灵芝"]


def test_the_text_is_analysed_once(analyzer):
    counting = CountingAnalyzer(analyzer)
    summarize(counting, TEXT, sentences=2, query_terms=["医保"])
    assert counting.texts == [TEXT]
    tokens = analyzer.analyze(TEXT)
    counting.texts.clear()
    given_tokens = summarize(counting, TEXT, sentences=2, query_terms=["医保"], tokens=tokens)
    assert counting.texts == []
    assert given_tokens == summarize(analyzer, TEXT, sentences=2, query_terms=["医保"])


def _joined(text, sentences):
    out, previous = [], None
    for s in sentences:
        out.append(("" if previous is None or not text[previous:s.start].strip() else GAP) + s.text)
        previous = s.end
    return "".join(out)


WORDS = st.sampled_from(["医保", "贫困户", "灵芝", "产业", "冠县", "今年", "资金", "的", "了", "是", "1361", "2.5"])
SENTENCE = st.tuples(st.lists(WORDS, min_size=1, max_size=12), st.sampled_from(["。", "！", "？", "；", "\n", "，", ""]))


@settings(max_examples=150, deadline=None)
@given(st.lists(SENTENCE, max_size=12), st.one_of(st.none(), st.integers(1, 4)),
       st.one_of(st.none(), st.integers(20, 200)), st.sampled_from([[], ["医保"], ["灵芝", "资金"]]))
def test_summary_is_made_of_input_sentences_in_order_within_budget(analyzer, parts, count, max_chars, query):
    text = "".join("".join(words) + end for words, end in parts)
    summary = summarize(analyzer, text, sentences=count, max_chars=max_chars, query_terms=query)
    inputs = split_sentences(text)
    assert all(s in inputs for s in summary.sentences)
    starts = [s.start for s in summary.sentences]
    assert starts == sorted(set(starts))
    if count is not None:
        assert len(summary.sentences) <= count
    if max_chars is not None:
        assert len(summary.text) <= max_chars
    if inputs:
        assert summary.sentences
    if len(summary.sentences) > 1 or max_chars is None or len(_joined(text, summary.sentences)) <= max_chars:
        assert summary.text == _joined(text, summary.sentences)
    for a in summary.sentences:
        assert not any(near_duplicates(a.text, b.text) for b in summary.sentences if b is not a)
    for start, end in summary.highlights:
        assert 0 <= start < end <= len(summary.text)
        assert any(term in summary.text[start:end] for term in query)


def test_the_letter_pattern_is_unicode_categories_l_and_n():
    from service.summaries.choice import _NOT_LETTER

    wrong = [hex(code) for code in range(sys.maxunicode + 1)
             if (_NOT_LETTER.match(chr(code)) is None) != (unicodedata.category(chr(code))[0] in "LN")]
    assert wrong == []
