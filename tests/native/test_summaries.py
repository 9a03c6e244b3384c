"""The compiled summary chooser and packer (service/native/_summaries.c) against the Python code they stand in for:
the same summaries and title places from the same stored data, no crash on damaged data, and the same bytes
as `SummaryData.to_bytes` from the same analysis."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import TESTS, compiled, in_pure_python, summary_texts
from service.articles import Article
from service.summaries.extras import ExtrasSettings, work_out_extras
from service.summaries.keywords import Rarity
from service.summaries.data import (SummaryData, packed, packed_compiled, prepare, stored_summary_compiled,
                                    stored_summary_in_python)
from service.text.analyzer import Analyzer
from service.text.sentences import Sentence

_summaries, pytestmark = compiled("_summaries", "the Python path is used")

BUDGETS = [(2, 160), (1, 30), (3, None), (None, 80), (1, 5), (None, None)]


def both(blob, text, terms, count, max_chars):
    """(Python, compiled) answers, the title places reduced to the query's terms as the engine reads them."""
    answers = []
    for made in (stored_summary_in_python(blob, text, sentences=count, max_chars=max_chars, query_terms=terms),
                 stored_summary_compiled(_summaries, blob, text, sentences=count, max_chars=max_chars,
                                         query_terms=terms)):
        if made is not None:
            summary, places = made
            made = (summary, {term: places.get(term) for term in set(terms) if places.get(term)})
        answers.append(made)
    return answers


def query_sets(analyzer, text, title):
    terms = [t.term for t in analyzer.analyze(text)] + [t.term for t in analyzer.analyze(title or "")]
    sets = [[], ["不存在的词"]]
    if terms:
        sets += [[terms[len(terms) // 2]], list(dict.fromkeys(terms[:3])), [terms[-1], terms[0], "不存在的词"],
                 list(dict.fromkeys(terms))[:70]]  # more query words than one 64-bit set holds
    return sets


def fixture_texts():
    return summary_texts(cmrc=20, drcd=10, corpus=10)


@pytest.mark.parametrize("title, text", fixture_texts())
def test_the_compiled_chooser_summarizes_the_fixtures_as_python_does(analyzer, title, text):
    blob = prepare(analyzer, text, title=title).to_bytes()
    for terms in query_sets(analyzer, text, title):
        for count, max_chars in BUDGETS:
            python, compiled = both(blob, text, terms, count, max_chars)
            assert compiled == python


@pytest.mark.parametrize("title, text", [
    (None, ""),
    (None, "。！？"),
    ("醫保新制", "臺灣醫保新制今年上路，民眾報銷更方便。醫保局表示，新制將減少等候時間。"),
    (None, "冠县灵芝产业发展迅速，产品远销各地。冠县灵芝产业发展迅速，产品远销全国各地。灵芝种植户收入明显增加。"),
    (None, "一" + "冠县灵芝产业发展迅速产品远销各地并且带动了当地贫困户脱贫致富" * 12 + "医保。"),  # clipped
    (None, "第一段。\n\n第二段，有医保。\n"),
    ("灵芝", "冠县灵芝产业发展迅速，产品远销各地。" * 4000),  # offsets past 65,535: four-byte integers
    (None, "𠀀𠀁医保𠀂。医保𠀃𠀄，灵芝。"),  # characters outside the Basic Multilingual Plane
])
def test_the_compiled_chooser_summarizes_special_texts_as_python_does(analyzer, title, text):
    blob = prepare(analyzer, text, title=title).to_bytes()
    for terms in query_sets(analyzer, text, title) + [["医保", "灵芝"]]:
        for count, max_chars in BUDGETS:
            python, compiled = both(blob, text, terms, count, max_chars)
            assert compiled == python


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("医保贫困户灵芝產業冠縣今年资金的了是1361.，。！？；\n “”《》「」 abcAB𠀀")),
               max_size=240),
       st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("医保灵芝冠县產業 ")), max_size=8)),
       st.lists(st.sampled_from(["医保", "灵芝", "资金", "产业", "冠县", "1361", "贫困户", "医", "不存在", "", "a\0b"]),
                max_size=5),
       st.one_of(st.none(), st.integers(-1, 4)), st.one_of(st.none(), st.integers(0, 120)))
def test_the_compiled_chooser_summarizes_any_text_as_python_does(analyzer, text, title, terms, count, max_chars):
    blob = prepare(analyzer, text, title=title).to_bytes()
    python, compiled = both(blob, text, terms, count, max_chars)
    assert compiled == python


def test_data_of_an_unknown_form_is_not_read(analyzer):
    text = "县医院新建病房楼一座。医保报销更方便。"
    blob = prepare(analyzer, text).to_bytes()
    for damaged in (b"", b"\x09" + blob[1:], blob[:16] + (3).to_bytes(4, "little") + blob[20:]):
        assert stored_summary_compiled(_summaries, damaged, text, query_terms=["医保"]) is None
        assert stored_summary_in_python(damaged, text, query_terms=["医保"]) is None


def test_query_terms_that_are_not_words_match_nothing(analyzer):
    text = "县医院新建病房楼一座。医保报销更方便。"
    blob = prepare(analyzer, text).to_bytes()
    expected = stored_summary_compiled(_summaries, blob, text, query_terms=[])
    assert stored_summary_compiled(_summaries, blob, text, query_terms=[None, 3, "", "\0", "医\ud800"]) == expected


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_data_never_crashes_the_chooser(analyzer, data):
    """Flipped, cut or lengthened bytes: an answer or None, never a crash or a read out of bounds."""
    text = "冠县灵芝产业发展迅速，产品远销各地。县医院新建病房楼一座，医保报销更方便。灵芝种植户收入明显增加。"
    blob = bytearray(prepare(analyzer, text, title="灵芝产业").to_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        action = data.draw(st.sampled_from(["flip", "cut", "grow"]))
        if action == "flip" and blob:
            at = data.draw(st.integers(0, len(blob) - 1))
            blob[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del blob[data.draw(st.integers(0, len(blob))):]
        else:
            blob += bytes(data.draw(st.lists(st.integers(0, 255), max_size=8)))
    made = stored_summary_compiled(_summaries, bytes(blob), text, query_terms=["灵芝", "医保", "产业"],
                                   sentences=data.draw(st.one_of(st.none(), st.integers(1, 3))))
    if made is not None:
        summary, _ = made
        assert all(0 <= start < end <= len(summary.text) for start, end in summary.highlights)


def assert_packed_as_python(analyzer, text, title, **given):
    data = prepare(analyzer, text, title=title, **given)
    expected = data.to_bytes()
    assert packed_compiled(_summaries, analyzer, text, title=title, **given) == expected
    if expected is not None:
        assert SummaryData.from_bytes(expected, text) == data


@pytest.mark.parametrize("title, text", fixture_texts())
def test_the_compiled_packer_packs_the_fixtures_as_python_does(analyzer, title, text):
    assert_packed_as_python(analyzer, text, title)


PACKED_TEXTS = [
    (None, ""),
    ("", ""),
    ("灵芝", "。！？"),
    ("醫保新制", "臺灣醫保新制今年上路，民眾報銷更方便。醫保局表示，新制將減少等候時間。"),
    (None, "第一段。\n\n第二段，有“医保”。\n"),
    ("灵芝", "冠县灵芝产业发展迅速，产品远销各地。" * 4000),  # offsets past 65,535: four-byte integers
    (None, "𠀀𠀁医保𠀂。医保𠀃𠀄，灵芝。"),  # characters outside the Basic Multilingual Plane
    ("Apple 2024", "Apple公司于2024年发布iPhone 16，售价7999元。ABC abc Abc！"),
]


@pytest.mark.parametrize("title, text", PACKED_TEXTS)
def test_the_compiled_packer_packs_special_texts_as_python_does(analyzer, title, text):
    assert_packed_as_python(analyzer, text, title)


@pytest.mark.parametrize("title, text", PACKED_TEXTS)
def test_the_compiled_packer_takes_the_callers_tokens_as_prepare_does(analyzer, title, text):
    """Given tokens are used as given: a title's only when there is a title, a text's only with sentences."""
    assert_packed_as_python(analyzer, text, title, tokens=analyzer.analyze(text),
                            title_tokens=analyzer.analyze("灵芝产业" + (title or "")))


PACKED_ALPHABET = list("医保贫困户灵芝產業冠縣今年资金的了是1361.，。！？；\n “”《》「」 abcAB𠀀𠀁")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(PACKED_ALPHABET), max_size=300),
       st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("医保灵芝冠县產業 a1𠀀，")), max_size=10)))
def test_the_compiled_packer_packs_any_text_as_python_does(analyzer, text, title):
    assert_packed_as_python(analyzer, text, title)


@settings(max_examples=12, deadline=None)
@given(st.text(alphabet=st.sampled_from(PACKED_ALPHABET), min_size=20, max_size=200),
       st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("医保灵芝冠县產業 ")), max_size=8)))
def test_the_compiled_packer_packs_long_texts_as_python_does(analyzer, piece, title):
    text = piece * (70_000 // len(piece) + 1)  # offsets past 65,535
    assert_packed_as_python(analyzer, text, title)


def places_of(tokens):
    places = {}
    for term, start, end in tokens:
        places.setdefault(term, []).append((start, end))
    return places


def python_packed(sentences, letters, weight, words, tokens, title_tokens):
    return SummaryData(sentences, weight, words, letters, places_of(tokens), places_of(title_tokens)).to_bytes()


TERMS = st.text(alphabet=st.sampled_from(list("医保a1𠀀\0")), max_size=3)
SPANS = st.tuples(st.integers(0, 70_000), st.integers(0, 70_000))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_compiled_packer_packs_any_data_as_to_bytes_does(data):
    """Terms with NUL in them, empty terms, terms only in the title, weights of any bits, small and large
    integers: the same bytes, or None alike."""
    weight = data.draw(st.dictionaries(TERMS, st.floats(allow_nan=True, allow_infinity=True), max_size=8))
    terms = list(weight)
    n = data.draw(st.integers(0, 5))
    sentences = [Sentence("", *data.draw(SPANS)) for _ in range(n)]
    letters = [data.draw(st.integers(0, 70_000)) for _ in range(n)]
    words = [data.draw(st.lists(st.sampled_from(terms), unique=True)) if terms else [] for _ in range(n)]
    tokens = [(term, *data.draw(SPANS)) for term in data.draw(st.lists(TERMS, max_size=12))]
    title_tokens = [(term, *data.draw(SPANS)) for term in data.draw(st.lists(TERMS, max_size=6))]
    expected = python_packed(sentences, letters, weight, words, tokens, title_tokens)
    assert _summaries.pack(sentences, letters, weight, words, tokens, title_tokens) == expected
    every_term = [*weight, *(t[0] for t in tokens), *(t[0] for t in title_tokens)]
    # The stored form's lookups never find the empty term, which no analyzer makes.
    if expected is not None and "" not in every_term and not any(math.isnan(w) for w in weight.values()):
        kept = SummaryData.from_bytes(expected, "")
        assert dict(kept.weight) == weight and list(kept.words) == words
        assert dict(kept.places) == places_of(tokens) and dict(kept.title_places) == places_of(title_tokens)


def test_a_term_holding_nul_is_not_packed():
    for weight, tokens, title in (({"a\0": 0.5}, [], []), ({}, [("\0", 0, 1)], []), ({}, [], [("x\0y", 0, 3)])):
        assert python_packed([], [], weight, [], tokens, title) is None
        assert _summaries.pack([], [], weight, [], tokens, title) is None


def test_a_term_with_a_lone_surrogate_fails_as_to_bytes_does():
    with pytest.raises(UnicodeEncodeError):
        python_packed([], [], {}, [], [("医\ud800", 0, 1)], [])
    with pytest.raises(UnicodeEncodeError):
        _summaries.pack([], [], {}, [], [("医\ud800", 0, 1)], [])


class TermSubclass(str):
    def __hash__(self):
        raise AssertionError("the packer runs no Python code")

    def __eq__(self, other):
        raise AssertionError("the packer runs no Python code")


def test_str_subclasses_are_packed_as_their_text():
    tokens = [(TermSubclass("医保"), 0, 2), ("医保", 3, 5), (TermSubclass("灵芝"), 6, 8)]
    expected = SummaryData([], {"灵芝": 0.25}, [], [], {"医保": [(0, 2), (3, 5)], "灵芝": [(6, 8)]}, {}).to_bytes()
    assert _summaries.pack([], [], {"灵芝": 0.25}, [], tokens, []) == expected


GOOD = ([Sentence("医保", 0, 2)], [2], {"医保": 0.5}, [["医保"]], [("医保", 0, 2)], [("医保", 0, 2)])


@pytest.mark.parametrize("position, bad", [
    (0, None), (0, [("医保", 0)]), (0, [["医保", 0, 2]]), (0, [("医保", 0.0, 2)]), (0, [("医保", "0", 2)]),
    (1, None), (1, ["2"]), (1, [2.0]),
    (2, None), (2, [("医保", 0.5)]), (2, {"医保": "0.5"}), (2, {3: 0.5}), (2, {"医保": None}),
    (3, None), (3, [None]), (3, [[3]]),
    (4, None), (4, [("医保", 0, 2, 3)]), (4, ["医保"]), (4, [(b"\xe5", 0, 2)]), (4, [(None, 0, 2)]),
    (4, [("医保", 0, None)]),
    (5, 3), (5, [("医保", 0)]), (5, [(1, 0, 2)]),
])
def test_wrong_types_raise_type_error(position, bad):
    arguments = list(GOOD)
    arguments[position] = bad
    with pytest.raises(TypeError):
        _summaries.pack(*arguments)


def test_inconsistent_data_raises_instead_of_packing():
    assert _summaries.pack(*GOOD) == python_packed(*GOOD)
    with pytest.raises(ValueError):
        _summaries.pack(GOOD[0], [], *GOOD[2:])  # fewer letters than sentences
    with pytest.raises(ValueError):
        _summaries.pack(GOOD[0], GOOD[1], GOOD[2], [], *GOOD[4:])  # fewer word lists than sentences
    with pytest.raises(KeyError):
        _summaries.pack(GOOD[0], GOOD[1], GOOD[2], [["不在"]], *GOOD[4:])
    for wrong in (-1, 2 ** 32, 2 ** 70):
        with pytest.raises(OverflowError):
            _summaries.pack(GOOD[0], GOOD[1], GOOD[2], GOOD[3], [("医保", 0, wrong)], [])
    with pytest.raises(TypeError):
        _summaries.pack(*GOOD[:5])


def test_ingest_extras_are_the_same_with_every_compiled_part_switched_off():
    texts = fixture_texts() + PACKED_TEXTS
    compiled_made = extras_of(texts)
    assert compiled_made == in_pure_python("test_summaries:extras_of", texts, path=[TESTS, TESTS / "native"])
    analyzer = Analyzer()
    for (title, text), made in zip(texts, compiled_made):
        assert packed(analyzer, text, title=title or "") == (made.summary_data or None)


def extras_of(texts):
    settings_ = ExtrasSettings(summary_sentences=2, summary_max_chars=160, keywords_count=10)
    analyzer = Analyzer()
    return [work_out_extras(analyzer, settings_, Article(id=str(i), title=title or "", body=text), Rarity())
            for i, (title, text) in enumerate(texts)]
