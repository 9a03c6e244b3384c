from hypothesis import given, settings
from hypothesis import strategies as st

from service.summarize import GAP, summarize
from service.text.sentences import split_sentences

TEXT = ("1月28日，斜店乡人社所所长任志光把最后12名贫困户的医保信息录入进了系统。"
        "至此，全乡1361户、2333名建档立卡贫困户全部参加了医保。"
        "为更好的落实贫困人口医疗保障，该乡在2017年11月就把缴费做为一项重要任务。"
        "乡党委召开党委会进行研究，最后决定由乡财政垫付72名贫困户医保费。")


def test_without_a_query_the_lead_sentences(analyzer):
    summary = summarize(analyzer, TEXT, sentences=2, max_chars=500)
    assert summary.text == "".join(s.text for s in split_sentences(TEXT)[:2])
    assert summary.highlights == []


def test_with_a_query_sentences_with_its_terms_in_article_order(analyzer):
    summary = summarize(analyzer, TEXT, sentences=2, max_chars=500, query_terms=["党委会", "财政"])
    assert summary.text == "乡党委召开党委会进行研究，最后决定由乡财政垫付72名贫困户医保费。"
    summary = summarize(analyzer, TEXT, sentences=2, max_chars=500, query_terms=["医保", "医疗"])
    chosen = [s.text for s in summary.sentences]
    assert chosen == sorted(chosen, key=TEXT.index)
    assert summary.text == GAP.join([chosen[0], chosen[1]]) or summary.text == "".join(chosen)


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


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="医保贫困户。，！？的了是 \n1.", max_size=300), st.integers(1, 4), st.integers(20, 200))
def test_summary_is_made_of_input_sentences_in_order_within_budget(analyzer, text, count, max_chars):
    summary = summarize(analyzer, text, sentences=count, max_chars=max_chars, query_terms=["医保"])
    assert len(summary.sentences) <= count
    assert len(summary.text) <= max_chars
    starts = [s.start for s in summary.sentences]
    assert starts == sorted(starts)
    for sentence in summary.sentences:
        assert text[sentence.start:sentence.end] == sentence.text
    for start, end in summary.highlights:
        assert 0 <= start < end <= len(summary.text)
        assert "医保" in summary.text[start:end]
