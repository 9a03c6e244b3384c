from hypothesis import given
from hypothesis import strategies as st

from service.text.ngrams import bigram_terms, cjk_bigrams, cjk_runs, cjk_unigrams


def test_overlapping_bigrams_per_run():
    assert [g for g, _, _ in cjk_bigrams("中国农业银行")] == ["中国", "国农", "农业", "业银", "银行"]


def test_runs_are_broken_by_anything_else():
    assert [g for g, _, _ in cjk_bigrams("医保,报销 a 灵")] == ["医保", "报销", "灵"]


def test_unigrams():
    assert [g for g, _, _ in cjk_unigrams("医保 x 报")] == ["医", "保", "报"]


@given(st.text(max_size=60))
def test_offsets_slice_the_gram(text):
    for gram, start, end in cjk_bigrams(text) + cjk_unigrams(text):
        assert text[start:end] == gram


@given(st.text(alphabet=st.sampled_from("中国农业银行医保 ,a\U00020000\u3400"), max_size=60) | st.text(max_size=60))
def test_terms_without_offsets_are_the_same_terms_in_the_same_order(text):
    runs = cjk_runs(text)
    assert bigram_terms(runs) == [g for g, _, _ in cjk_bigrams(text)]
    assert list("".join(runs)) == [g for g, _, _ in cjk_unigrams(text)]
