"""The compiled word salience (service/native/_salience.pyx) against the Python code it stands in for
(`_word_stats` and `_salience_of`): the same weights, in the same order, to the last bit, the same words in each
sentence, the same summary data; a TypeError, never a crash, on input of the wrong form; a ValueError in both
on weights, a median or an idf that is not finite; and, fuzzed, the same result or the same exception as the
Python path for any words, sentences, quotations, offsets, idf table and weights."""

import math
import struct
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import TESTS, compiled, in_pure_python, summary_data, summary_texts
from service.summaries import salience as salience_module
from service.summaries.keywords import background_idf, whole_words
from service.summaries.salience import (_QUOTED, SALIENCE_WEIGHTS, _salience_of, _word_stats, salience,
                                        weigh_words_in_python, word_features)
from service.text.analyzer import Token
from service.text.sentences import Sentence, split_sentences

_salience, pytestmark = compiled("_salience", "the Python path is used")


def python_weights(text, sentences, words):
    seen, per_sentence = _word_stats(text, sentences, words)
    return _salience_of(text, seen), [list(w) for w in per_sentence]


def compiled_weights(text, sentences, words):
    table, median = background_idf()
    quotations = [match.span() for match in _QUOTED.finditer(text)]
    return _salience.weigh(words, sentences, quotations, len(text), table, median, SALIENCE_WEIGHTS)


def bits(weight):
    """The weights in order, each as its exact float64 bytes: order, keys and every bit count."""
    return [(term, struct.pack("<d", value)) for term, value in weight.items()]


def assert_same_weighing(text, sentences, words):
    python, python_words = python_weights(text, sentences, words)
    weight, sentence_words = compiled_weights(text, sentences, words)
    assert list(weight.items()) == list(python.items())
    assert bits(weight) == bits(python)
    assert sentence_words == python_words


def check_text(analyzer, text, title):
    sentences = split_sentences(text)
    tokens = analyzer.analyze(text)
    assert_same_weighing(text, sentences, whole_words(tokens))


@pytest.mark.parametrize("title, text", summary_texts(cmrc=20, drcd=10, corpus=10))
def test_the_fixtures_weigh_as_in_python(analyzer, title, text):
    check_text(analyzer, text, title)


def test_the_summary_data_is_the_same_with_every_compiled_part_switched_off():
    texts = summary_texts(cmrc=20, drcd=10, corpus=10) + SPECIAL_TEXTS
    assert summary_data(texts) == in_pure_python("helpers:summary_data", texts, path=[TESTS])


@pytest.mark.parametrize("title, text", summary_texts(cmrc=20, drcd=10, corpus=10)[:10])
def test_the_weights_are_those_of_the_plain_feature_model(analyzer, title, text):
    sentences = split_sentences(text)
    tokens = analyzer.analyze(text)
    features, _ = word_features(text, sentences, tokens)
    weight, _ = compiled_weights(text, sentences, whole_words(tokens))
    assert bits(weight) == bits(salience(features))


SPECIAL_TEXTS = [
    (None, ""),
    (None, "。！？"),
    ("醫保新制", "臺灣醫保新制今年上路，民眾報銷更方便。醫保局表示，新制將減少等候時間。"),
    (None, "他说“医保报销更方便”。《人民日报》报道：「灵芝产业」发展迅速，\"iPhone 15\"热销。"),
    (None, "“" + "医保" * 40 + "”，引号太长不算。“短的”算。"),
    (None, "第一段。\n\n第二段，有医保。\n2018年GDP增长6.6%，１２３万人。"),
    ("灵芝", "冠县灵芝产业发展迅速，产品远销各地。" * 3000),  # ranks past any small cache
    (None, "𠀀𠀁医保𠀂。医保𠀃𠀄，灵芝。"),  # characters outside the Basic Multilingual Plane
]


@pytest.mark.parametrize("title, text", SPECIAL_TEXTS)
def test_special_texts_weigh_as_in_python(analyzer, title, text):
    check_text(analyzer, text, title)


_alphabet = list("医保贫困户灵芝产业冠县今年资金的了是產業冠縣醫臺灣民眾報銷1361０１２.%，。！？；：、 \n\t“”《》「」\"'"
                 "abcABZ𠀀𠀁😀")


@settings(max_examples=250, deadline=None)
@given(st.text(alphabet=st.sampled_from(_alphabet), max_size=300),
       st.one_of(st.none(), st.text(alphabet=st.sampled_from(_alphabet), max_size=12)))
def test_any_text_weighs_as_in_python(analyzer, text, title):
    check_text(analyzer, text, title)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120), st.one_of(st.none(), st.text(max_size=10)))
def test_any_characters_weigh_as_in_python(analyzer, text, title):
    check_text(analyzer, text, title)


_tokens = st.lists(st.tuples(st.sampled_from(["甲", "乙丙", "丁戊己庚辛", "1", "a2", ""]), st.integers(-3, 40),
                             st.integers(-3, 40)).map(lambda t: Token(*t)), max_size=40)
_sentences = st.lists(st.tuples(st.integers(-2, 40), st.integers(-2, 40)), max_size=6).map(
    lambda spans: [Sentence("", start, end) for start, end in spans])


_quoting = st.lists(st.sampled_from(["“甲乙”", "《甲》", "「乙丙」", "\"甲\"", "甲", "乙", "“", "”", "《", "」"]),
                   max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(_quoting, _sentences, _tokens)
def test_any_words_and_sentences_weigh_as_in_python(text, sentences, words):
    # Offsets in any order, overlapping, before the first sentence or past the text: the same forward walk.
    assert_same_weighing(text, sentences, words)


def test_a_word_at_every_place_around_quotations_weighs_as_in_python():
    text = "甲“乙丙”丁《戊》。"
    whole = [Sentence(text, 0, len(text))]
    for start in range(-1, len(text) + 2):
        for end in range(start, len(text) + 2):
            assert_same_weighing(text, whole, [Token("乙", start, end)])
            assert_same_weighing(text, whole, [Token("甲", 0, 1), Token("乙", start, end), Token("甲", start, end)])


def test_input_of_the_wrong_form_is_a_type_error():
    table, median = background_idf()
    words = [Token("医保", 0, 2)]
    sentences = [Sentence("医保。", 0, 3)]
    good = (words, sentences, [], 3, table, median, SALIENCE_WEIGHTS)
    assert _salience.weigh(*good)[1] == [["医保"]]
    wrong = [
        (3, sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        ([["医保", 0, 2]], sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        ([("医保", 0)], sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        ([(b"yi", 0, 2)], sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        ([(None, 0, 2)], sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        ([("医保", 0.0, 2)], sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        ([("医保", "0", 2)], sentences, [], 3, table, median, SALIENCE_WEIGHTS),
        (words, None, [], 3, table, median, SALIENCE_WEIGHTS),
        (words, [(0, 3)], [], 3, table, median, SALIENCE_WEIGHTS),
        (words, [("医保。", None, 3)], [], 3, table, median, SALIENCE_WEIGHTS),
        (words, sentences, [(0,)], 3, table, median, SALIENCE_WEIGHTS),
        (words, sentences, [[0, 2]], 3, table, median, SALIENCE_WEIGHTS),
        (words, sentences, 5, 3, table, median, SALIENCE_WEIGHTS),
        (words, sentences, [], "3", table, median, SALIENCE_WEIGHTS),
        (words, sentences, [], 3, list(table.items())[:3], median, SALIENCE_WEIGHTS),
        (words, sentences, [], 3, {"医保": "high"}, median, SALIENCE_WEIGHTS),
        (words, sentences, [], 3, table, "median", SALIENCE_WEIGHTS),
        (words, sentences, [], 3, table, median, SALIENCE_WEIGHTS[:11]),
        (words, sentences, [], 3, table, median, ("w",) * 12),
        (words, sentences, [], 3, table, median, 1.0),
    ]
    for args in wrong:
        with pytest.raises(TypeError):
            _salience.weigh(*args)
    with pytest.raises(TypeError):
        _salience.weigh(*good[:6])


def test_offsets_past_a_machine_integer_are_refused_not_wrapped():
    table, median = background_idf()
    with pytest.raises(OverflowError):
        _salience.weigh([Token("医保", 0, 2 ** 70)], [Sentence("医保。", 0, 3)], [], 3, table, median,
                        SALIENCE_WEIGHTS)


# The Python path with any idf table, median, weights and quotations: `weigh_words_in_python` reads them from
# its module (`background_idf`, `SALIENCE_WEIGHTS`, `_QUOTED`) and keeps products of them in caches, so these
# are swapped and the caches emptied for the call, and put back after.

class _Quotation:
    """A match of `_QUOTED` at a given span."""

    def __init__(self, start, end):
        self._span = (start, end)

    def start(self):
        return self._span[0]

    def end(self):
        return self._span[1]

    def span(self):
        return self._span


class _Quotations:
    """`_QUOTED` finding the given spans in any text."""

    def __init__(self, spans):
        self.spans = spans

    def finditer(self, text):
        return [_Quotation(start, end) for start, end in self.spans]


class _Text(str):
    """A text of any length: with the quotations given, its length is all the weighing reads of it."""

    def __new__(cls, length):
        text = super().__new__(cls, "")
        text.length = length
        return text

    def __len__(self):
        return self.length


_CACHES = ("_TERM_FEATURES", "_TERM_PRODUCTS", "_TF_PRODUCTS", "_SENTENCES_PRODUCTS", "_RANK_PRODUCTS")


@contextmanager
def python_model(table, median, weights, quotations):
    w = tuple(weights)
    swapped = {"background_idf": lambda: (table, median), "SALIENCE_WEIGHTS": w, "_QUOTED": _Quotations(quotations),
               "_CONSTANT_PRODUCTS": (w[0] * 1.0, w[7] * 1.0, w[7] * 0.0, w[11] * 1.0, w[11] * 0.0)}
    kept = {name: getattr(salience_module, name) for name in swapped}
    cached = {name: getattr(salience_module, name).copy() for name in _CACHES}
    for name in _CACHES:
        getattr(salience_module, name).clear()
    try:
        for name, value in swapped.items():
            setattr(salience_module, name, value)
        yield
    finally:
        for name, value in kept.items():
            setattr(salience_module, name, value)
        for name, value in cached.items():
            cache = getattr(salience_module, name)
            cache.clear()
            cache.extend(value) if isinstance(cache, list) else cache.update(value)


def outcome(weigh):
    """What `weigh()` gives: ("weights", bits, sentence words), or the exception's type and message."""
    try:
        weight, per_sentence = weigh()
    except (ValueError, OverflowError) as error:
        return type(error), str(error)
    return "weights", bits(weight), [list(words) for words in per_sentence]


def both_outcomes(words, sentences, quotations, text_length, table, median, weights):
    compiled = outcome(lambda: _salience.weigh(words, sentences, quotations, text_length, table, median, weights))
    with python_model(table, median, weights, quotations):
        python = outcome(lambda: weigh_words_in_python(_Text(max(text_length, 0)), sentences, words))
    return compiled, python


def test_the_python_model_swap_leaves_the_module_as_it_was(analyzer):
    text = "他说“医保报销更方便”。医保局表示，新制将减少等候时间。"
    sentences, words = split_sentences(text), whole_words(analyzer.analyze(text))
    before = weigh_words_in_python(text, sentences, words)
    table, median = background_idf()
    quotations = [match.span() for match in _QUOTED.finditer(text)]
    compiled, python = both_outcomes(words, sentences, quotations, len(text), table, median, SALIENCE_WEIGHTS)
    assert compiled == python == ("weights", bits(before[0]), [list(w) for w in before[1]])
    assert weigh_words_in_python(text, sentences, words) == before
    assert salience_module.background_idf is background_idf and salience_module._QUOTED is _QUOTED


_WORDS = [Token("医保", 0, 2), Token("灵芝", 3, 5), Token("医保", 6, 8)]
_SENTENCES = [Sentence("医保，灵芝。", 0, 6), Sentence("医保。", 6, 9)]

_NOT_FINITE = [math.nan, math.inf, -math.inf, -math.nan]


@pytest.mark.parametrize("bad", _NOT_FINITE)
@pytest.mark.parametrize("k", [0, 3, 8, 11])
def test_a_weight_that_is_not_finite_is_a_value_error_in_both_paths(k, bad):
    table, median = background_idf()
    weights = list(SALIENCE_WEIGHTS)
    weights[k] = bad
    compiled, python = both_outcomes(_WORDS, _SENTENCES, [], 9, table, median, weights)
    assert compiled == python == (ValueError, f"the salience weights must be finite; weight {k} is {bad!r}")


@pytest.mark.parametrize("bad", _NOT_FINITE)
def test_a_median_that_is_not_finite_is_a_value_error_in_both_paths_even_unused(bad):
    table = {"医保": 5.0, "灵芝": 7.0}
    for words in (_WORDS, []):
        compiled, python = both_outcomes(words, _SENTENCES, [], 9, table, bad, SALIENCE_WEIGHTS)
        assert compiled == python == (ValueError, f"the median idf must be finite, not {bad!r}")


@pytest.mark.parametrize("bad", _NOT_FINITE)
def test_the_idf_of_a_word_weighed_that_is_not_finite_is_a_value_error_in_both_paths(bad):
    table = {"医保": 5.0, "灵芝": bad, "不在文中": math.nan}
    compiled, python = both_outcomes(_WORDS, _SENTENCES, [], 9, table, 6.0, SALIENCE_WEIGHTS)
    assert compiled == python == (ValueError, f"the idf of '灵芝' is not finite: {bad!r}")
    # A word of the table that is not in the text (or not inside a sentence) is not read.
    compiled, python = both_outcomes(_WORDS[:1], _SENTENCES, [], 9, table, 6.0, SALIENCE_WEIGHTS)
    assert compiled == python and compiled[0] == "weights"


def test_weights_too_large_for_exp_are_an_overflow_error_in_both_paths():
    # A word far before the text: math.exp(-total) is past the largest float; Python refuses it.
    table, median = background_idf()
    words = [Token("医保", -2 ** 62, -2 ** 62 + 2)]
    compiled, python = both_outcomes(words, _SENTENCES, [], 9, table, median, SALIENCE_WEIGHTS)
    assert compiled == python == (OverflowError, "math range error")
    # Far after it, the salience is 1.0; huge finite weights overflow to infinities and NaNs the same way.
    for words, weights in [([Token("医保", 2 ** 62, 2 ** 62 + 2)], SALIENCE_WEIGHTS),
                           (_WORDS, [1e308] * 6 + [-1e308] * 6), (_WORDS, [1e308] * 12), (_WORDS, [-1e308] * 12)]:
        sentences = _SENTENCES + [Sentence("", 2 ** 62, 2 ** 63 - 1)]
        compiled, python = both_outcomes(words, sentences, [], 9, table, median, weights)
        assert compiled == python


def test_a_position_past_2_to_the_53_is_divided_as_python_divides_integers():
    table, median = background_idf()
    for start in (2 ** 53 + 1, 2 ** 62 + 1, 2 ** 63 - 3, -(2 ** 53) - 1):
        words = [Token("医保", 0, 2), Token("灵芝", start, start + 2)]
        sentences = [Sentence("", 0, 2), Sentence("", start, start + 2)] if start > 0 else [Sentence("", 0, 2)]
        for length in (3, 7, 2 ** 53 + 3, 2 ** 63 - 1):
            # A weight that brings the position near 1, where every bit of it shows in the salience.
            weights = [0.0] * 8 + [length / abs(start)] + [0.0] * 3
            compiled, python = both_outcomes(words, sentences, [], length, table, median, weights)
            assert compiled == python and compiled[0] == "weights"
    # Where the two roundings differ: as floats first, (2**53 + 1) / 3 is 2**53 / 3.
    assert float(2 ** 53) / 3.0 != (2 ** 53 + 1) / 3


# Fuzzing: any words, sentences and quotations, with offsets anywhere in a machine integer, any idf table
# (NaN and infinities too), any median and any weights: the same weights to the last bit, or the same exception.

_MACHINE = st.one_of(st.integers(-3, 40), st.integers(-3, 40), st.integers(-(2 ** 63), 2 ** 63 - 1),
                     st.sampled_from([-(2 ** 63), 2 ** 63 - 1, 2 ** 53, 2 ** 53 + 1, -(2 ** 53) - 1, 2 ** 62 + 1]))
_TERMS = ["甲", "乙丙", "丁戊己庚辛", "1", "a2", "", "١٢", "𠀀"]
_term = st.one_of(st.sampled_from(_TERMS), st.text(max_size=4))
_idf = st.one_of(st.floats(), st.floats(-30, 30), st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324]))
_finite = st.floats(allow_nan=False, allow_infinity=False)


def _fuzz_words(offset):
    return st.lists(st.builds(Token, _term, offset, offset), max_size=30)


def _fuzz_sentences(offset):
    return st.lists(st.builds(Sentence, st.just(""), offset, offset), max_size=6)


def _fuzz_quotations(offset):
    return st.lists(st.tuples(offset, offset), max_size=6)


_fuzz_table = st.dictionaries(_term, _idf, max_size=8)
_fuzz_median = st.one_of(st.floats(0, 20), st.floats())
_fuzz_weights = st.one_of(st.just(SALIENCE_WEIGHTS), st.lists(st.floats(-5, 5), min_size=12, max_size=12),
                          st.lists(st.floats(), min_size=12, max_size=12),
                          st.lists(st.one_of(_finite, st.floats(-5, 5)), min_size=12, max_size=12))
_fuzz_length = st.one_of(st.integers(-3, 60), st.integers(-(2 ** 63), 2 ** 63 - 1))


@pytest.mark.timeout(60)
@settings(max_examples=400, deadline=None)
@given(_fuzz_words(_MACHINE), _fuzz_sentences(_MACHINE), _fuzz_quotations(_MACHINE), _fuzz_length, _fuzz_table,
       _fuzz_median, _fuzz_weights)
def test_any_input_weighs_as_in_python_or_fails_the_same(words, sentences, quotations, text_length, table, median,
                                                        weights):
    compiled, python = both_outcomes(words, sentences, quotations, text_length, table, median, weights)
    assert compiled == python


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(_fuzz_words(st.integers(-3, 40)), _fuzz_sentences(st.integers(-3, 40)),
       _fuzz_quotations(st.integers(-3, 40)), st.integers(0, 40), _fuzz_table, _fuzz_median)
def test_any_idf_table_weighs_as_in_python_or_fails_the_same(words, sentences, quotations, text_length, table, median):
    # Offsets in the text and the model's own weights: the words met again and again, ranks tied and not.
    compiled, python = both_outcomes(words, sentences, quotations, text_length, table, median, SALIENCE_WEIGHTS)
    assert compiled == python


_PAST = st.one_of(st.integers(2 ** 63, 2 ** 80), st.integers(-(2 ** 80), -(2 ** 63) - 1))


@pytest.mark.timeout(60)
@settings(max_examples=200, deadline=None)
@given(_fuzz_words(_MACHINE), _fuzz_sentences(_MACHINE), _fuzz_quotations(_MACHINE), st.integers(0, 3),
       st.data())
def test_an_offset_past_a_machine_integer_anywhere_is_an_overflow_error(words, sentences, quotations, where, data):
    # The Python path has no such limit; the compiled one refuses such offsets rather than wrap them.
    offset = data.draw(_PAST)
    if where == 0:
        words = words + [Token("甲", offset, 0)]
    elif where == 1:
        words = [Token("甲", 0, offset)] + words
    elif where == 2:
        sentences = sentences + [Sentence("", 0, offset)]
    else:
        quotations = [(offset, 0)] + quotations
    table, median = background_idf()
    with pytest.raises(OverflowError):
        _salience.weigh(words, sentences, quotations, 40, table, median, SALIENCE_WEIGHTS)
    with pytest.raises(OverflowError):
        _salience.weigh([], [], [], offset, table, median, SALIENCE_WEIGHTS)


@pytest.mark.timeout(60)
@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=2), st.binary(max_size=2),
                          st.tuples(), st.tuples(_term, st.integers(-3, 3)), st.lists(st.integers(), max_size=3),
                          st.tuples(st.one_of(_term, st.none()), st.one_of(st.integers(-3, 3), st.floats(), st.none()),
                                    st.one_of(st.integers(-3, 3), st.text(max_size=1)))), max_size=5),
       st.integers(0, 2))
def test_any_malformed_item_is_a_type_error_never_a_crash(items, where):
    table, median = background_idf()
    args = [[Token("甲", 0, 1)], [Sentence("", 0, 3)], [(0, 1)], 3, table, median, SALIENCE_WEIGHTS]
    args[where] = items
    try:
        weight, per_sentence = _salience.weigh(*args)
    except TypeError:
        return
    assert isinstance(weight, dict) and isinstance(per_sentence, list)
