"""The compiled word salience (service/native/_salience.c) against the Python code it stands in for (`_word_stats`
and `_salience_of`): the same weights, in the same order, to the last bit, the same words in each sentence,
the same summary data; and a TypeError, never a crash, on input of the wrong form."""

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import TESTS, compiled, in_pure_python, summary_data, summary_texts
from service.summaries.keywords import background_idf, whole_words
from service.summaries.salience import (_QUOTED, SALIENCE_WEIGHTS, _salience_of, _word_stats, salience,
                                        word_features)
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
