from hypothesis import given, settings
from hypothesis import strategies as st

from service.search.highlight import highlight_spans, merge_spans


def test_overlapping_and_touching_spans_merge():
    assert merge_spans([(4, 6), (0, 7), (9, 10), (10, 12), (20, 21)]) == [(0, 7), (9, 12), (20, 21)]


def test_spans_mark_every_occurrence(analyzer):
    text = "医保报销，医保缴费"
    assert highlight_spans(analyzer, text, ["医保"]) == [(0, 2), (5, 7)]


def test_sub_words_of_a_long_word_are_marked(analyzer):
    text = "中华人民共和国成立"
    assert [text[s:e] for s, e in highlight_spans(analyzer, text, ["人民"])] == ["人民"]


def test_no_terms_no_spans(analyzer):
    assert highlight_spans(analyzer, "医保", []) == []


def test_kept_token_places_mark_as_analysing_does(analyzer):
    from service.summaries.data import prepare

    title = "臺灣醫保新制上路，中华人民共和国医保"
    places = prepare(analyzer, "正文。", title=title).title_places
    for terms, keys in ([["医保"], []], [["人民", "新制"], ["医保"]], [[], ["上路"]], [["不在"], []]):
        assert highlight_spans(analyzer, title, terms, keys, places) == highlight_spans(analyzer, title, terms, keys)


def test_partial_spans_mark_bigrams_only_where_no_whole_word_was_found(analyzer):
    from service.search.highlight import partial_spans

    text = "海军演习进入第二阶段，习进平"
    grams = ["习进", "进平"]
    assert [text[s:e] for s, e in partial_spans(analyzer, text, grams)] == ["习进", "习进平"]
    whole = highlight_spans(analyzer, text, ["习进平"], ["习进平"])
    assert [text[s:e] for s, e in partial_spans(analyzer, text, grams, whole)] == ["习进"]
    assert partial_spans(analyzer, text, []) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="习进平海军演入第二阶段，馬马 Ab12\u3000臺灣的了", max_size=40),
       st.lists(st.text(alphabet="习进平海军馬马臺的了a1 ", min_size=1, max_size=3), max_size=5))
def test_partial_spans_are_those_of_the_bigram_channel(analyzer, text, grams):
    from service.search.highlight import partial_spans

    wanted = set(grams)
    by_channel = merge_spans((t.start, t.end) for t in analyzer.bigrams(text) if t.term in wanted)
    assert partial_spans(analyzer, text, grams) == by_channel
