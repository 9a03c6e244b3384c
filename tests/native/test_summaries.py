"""The compiled summary chooser and packer (service/native/_summaries.pyx) against the Python code they stand in
for: the same summaries and title places from the same stored data, the same None for data neither reads (damaged,
lying, or with a weight that is not finite or is negative) and never a hang, and the same bytes as
`SummaryData.to_bytes` from the same analysis, or the same None for a weight that is not finite."""

import math
import struct
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import TESTS, compiled, in_pure_python, summary_texts
from service.articles import Article
from service.summaries.extras import ExtrasSettings, work_out_extras
from service.summaries.keywords import Rarity
from service.summaries.data import (SummaryData, packed, packed_compiled, prepare, stored_summary,
                                    stored_summary_compiled, stored_summary_in_python)
from service.summaries.kinds import sentence_priors
from service.summaries.packed import FORMAT, HEADER
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
    # The long text is there for its wide integers; the budgets' own cases are the short texts'.
    budgets = BUDGETS if len(text) < 10_000 else BUDGETS[:3]
    for terms in query_sets(analyzer, text, title) + [["医保", "灵芝"]]:
        for count, max_chars in budgets:
            python, compiled = both(blob, text, terms, count, max_chars)
            assert compiled == python


@pytest.mark.timeout(60)
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


@pytest.mark.timeout(60)
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(PACKED_ALPHABET), max_size=300),
       st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("医保灵芝冠县產業 a1𠀀，")), max_size=10)))
def test_the_compiled_packer_packs_any_text_as_python_does(analyzer, text, title):
    assert_packed_as_python(analyzer, text, title)


@pytest.mark.timeout(60)
@settings(max_examples=5, deadline=None)
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


def python_packed(sentences, letters, weight, words, tokens, title_tokens, priors=None):
    return SummaryData(sentences, weight, words, letters, places_of(tokens), places_of(title_tokens),
                       priors).to_bytes()


def compiled_pack(sentences, letters, weight, words, tokens, title_tokens, priors=None):
    """`_summaries.pack`, with a post's priors (`SummaryData`'s own when none are given) by default."""
    if priors is None:
        priors = sentence_priors("post", "", sentences)
    return _summaries.pack(sentences, letters, weight, words, tokens, title_tokens, priors)


TERMS = st.text(alphabet=st.sampled_from(list("医保a1𠀀\0")), max_size=3)
SPANS = st.tuples(st.integers(0, 70_000), st.integers(0, 70_000))
LONG_TEXT = "灵" * 70_001  # every span of SPANS is within it


def readable(sentences, weight, tokens, title_tokens, text):
    """Whether the reader (`packed.unpack`, `_summaries.choose`) reads data packed of these: weights not negative
    (nor -0.0), sentences in order within the text, no empty token (data packed from an analysis always is)."""
    return (all(math.copysign(1.0, w) > 0 for w in weight.values())
            and all(s.start <= s.end <= len(text) for s in sentences)
            and all(b.start >= a.end for a, b in zip(sentences, sentences[1:]))
            and all(start < end for _, start, end in [*tokens, *title_tokens]))


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_compiled_packer_packs_any_data_as_to_bytes_does(data):
    """Terms with NUL in them, empty terms, terms only in the title, weights of any bits, small and large
    integers: the same bytes, or None alike (a term with NUL, a weight that is not finite); what is packed is
    read back whole where the reader reads it."""
    weight = data.draw(st.dictionaries(TERMS, st.floats(allow_nan=True, allow_infinity=True), max_size=8))
    terms = list(weight)
    n = data.draw(st.integers(0, 5))
    bounds = data.draw(st.lists(st.integers(0, 70_000), min_size=2 * n, max_size=2 * n))
    if data.draw(st.booleans()):
        bounds.sort()  # sentences in order, as the reader takes them
    sentences = [Sentence("", bounds[2 * i], bounds[2 * i + 1]) for i in range(n)]
    letters = [data.draw(st.integers(0, 70_000)) for _ in range(n)]
    words = [data.draw(st.lists(st.sampled_from(terms), unique=True)) if terms else [] for _ in range(n)]
    tokens = [(term, *data.draw(SPANS)) for term in data.draw(st.lists(TERMS, max_size=12))]
    title_tokens = [(term, *data.draw(SPANS)) for term in data.draw(st.lists(TERMS, max_size=6))]
    expected = python_packed(sentences, letters, weight, words, tokens, title_tokens)
    assert compiled_pack(sentences, letters, weight, words, tokens, title_tokens) == expected
    every_term = [*weight, *(t[0] for t in tokens), *(t[0] for t in title_tokens)]
    if not all(map(math.isfinite, weight.values())) and not any("\0" in t for t in every_term):
        assert expected is None
    # The stored form's lookups never find the empty term, which no analyzer makes.
    if expected is not None and "" not in every_term:
        kept = SummaryData.from_bytes(expected, LONG_TEXT)
        assert (kept is not None) == readable(sentences, weight, tokens, title_tokens, LONG_TEXT)
        if kept is not None:
            assert dict(kept.weight) == weight and list(kept.words) == words
            assert dict(kept.places) == places_of(tokens) and dict(kept.title_places) == places_of(title_tokens)


def test_a_term_holding_nul_is_not_packed():
    for weight, tokens, title in (({"a\0": 0.5}, [], []), ({}, [("\0", 0, 1)], []), ({}, [], [("x\0y", 0, 3)])):
        assert python_packed([], [], weight, [], tokens, title) is None
        assert compiled_pack([], [], weight, [], tokens, title) is None


def test_a_term_with_a_lone_surrogate_fails_as_to_bytes_does():
    with pytest.raises(UnicodeEncodeError):
        python_packed([], [], {}, [], [("医\ud800", 0, 1)], [])
    with pytest.raises(UnicodeEncodeError):
        compiled_pack([], [], {}, [], [("医\ud800", 0, 1)], [])


class TermSubclass(str):
    def __hash__(self):
        raise AssertionError("the packer runs no Python code")

    def __eq__(self, other):
        raise AssertionError("the packer runs no Python code")


def test_str_subclasses_are_packed_as_their_text():
    tokens = [(TermSubclass("医保"), 0, 2), ("医保", 3, 5), (TermSubclass("灵芝"), 6, 8)]
    expected = SummaryData([], {"灵芝": 0.25}, [], [], {"医保": [(0, 2), (3, 5)], "灵芝": [(6, 8)]}, {}).to_bytes()
    assert compiled_pack([], [], {"灵芝": 0.25}, [], tokens, []) == expected


GOOD = ([Sentence("医保", 0, 2)], [2], {"医保": 0.5}, [["医保"]], [("医保", 0, 2)], [("医保", 0, 2)], [1.0])


@pytest.mark.parametrize("position, bad", [
    (0, None), (0, [("医保", 0)]), (0, [["医保", 0, 2]]), (0, [("医保", 0.0, 2)]), (0, [("医保", "0", 2)]),
    (1, None), (1, ["2"]), (1, [2.0]),
    (2, None), (2, [("医保", 0.5)]), (2, {"医保": "0.5"}), (2, {3: 0.5}), (2, {"医保": None}),
    (3, None), (3, [None]), (3, [[3]]),
    (4, None), (4, [("医保", 0, 2, 3)]), (4, ["医保"]), (4, [(b"\xe5", 0, 2)]), (4, [(None, 0, 2)]),
    (4, [("医保", 0, None)]),
    (5, 3), (5, [("医保", 0)]), (5, [(1, 0, 2)]),
    (6, None), (6, ["1.0"]), (6, [None]),
])
def test_wrong_types_raise_type_error(position, bad):
    arguments = list(GOOD)
    arguments[position] = bad
    with pytest.raises(TypeError):
        _summaries.pack(*arguments)


def test_inconsistent_data_raises_instead_of_packing():
    assert _summaries.pack(*GOOD) == python_packed(*GOOD)
    assert compiled_pack(*GOOD[:6], [math.nan]) is None and python_packed(*GOOD[:6], [math.inf]) is None
    with pytest.raises(ValueError):
        compiled_pack(GOOD[0], [], *GOOD[2:])  # fewer letters than sentences
    with pytest.raises(ValueError):
        _summaries.pack(*GOOD[:6], [])  # fewer priors than sentences
    with pytest.raises(ValueError):
        compiled_pack(GOOD[0], GOOD[1], GOOD[2], [], *GOOD[4:])  # fewer word lists than sentences
    with pytest.raises(KeyError):
        compiled_pack(GOOD[0], GOOD[1], GOOD[2], [["不在"]], *GOOD[4:])
    for wrong in (-1, 2 ** 32, 2 ** 70):
        with pytest.raises(OverflowError):
            compiled_pack(GOOD[0], GOOD[1], GOOD[2], GOOD[3], [("医保", 0, wrong)], [])
    with pytest.raises(TypeError):
        _summaries.pack(*GOOD[:6])


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


# ---- Data neither path reads: the same None from both, at once ------------------------------------------------

TEXT = "冠县灵芝产业发展迅速，产品远销各地。县医院新建病房楼一座，医保报销更方便。灵芝种植户收入明显增加。"
TITLE = "灵芝产业"
QUERY = ["灵芝", "医保", "产业"]


@lru_cache(maxsize=None)
def stored_blob() -> bytes:
    return prepare(Analyzer(), TEXT, title=TITLE).to_bytes()


def header(blob: bytes) -> tuple[int, ...]:
    """(format, terms, weighed terms, sentences, bytes of each integer, bytes of the terms)"""
    return struct.unpack_from("<6I", blob)


def with_field(blob: bytes, field: int, value: int) -> bytes:
    damaged = bytearray(blob)
    struct.pack_into("<I", damaged, 4 * field, value % 2 ** 32)
    return bytes(damaged)


def assert_not_read(blob: bytes, text: str = TEXT):
    for terms in ([], QUERY, ["不存在"]):
        for count, max_chars in BUDGETS:
            assert both(blob, text, terms, count, max_chars) == [None, None]
    assert SummaryData.from_bytes(blob, text) is None
    assert stored_summary(blob, text, query_terms=QUERY) is None  # the path the package takes, whichever it is


# Weights that are not finite, or negative: a NaN value never equals itself, so the choice's lazy re-check never
# took the sentence (the C chooser looped for ever holding the GIL); finite weights of both signs made NaN of
# inf - inf, in both paths.
BAD_WEIGHTS = {"NaN": 0x7FF8000000000000, "negative NaN": 0xFFF8000000000000, "signalling NaN": 0x7FF0000000000001,
               "inf": 0x7FF0000000000000, "-inf": 0xFFF0000000000000, "-1.0": 0xBFF0000000000000,
               "-1e308": struct.unpack("<Q", struct.pack("<d", -1e308))[0], "least negative": 0x8000000000000001,
               "-0.0": 0x8000000000000000}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bits", BAD_WEIGHTS.values(), ids=BAD_WEIGHTS.keys())
@pytest.mark.parametrize("which", ["first", "last", "all"])
def test_stored_weights_not_finite_or_negative_are_not_read_by_either_path(bits, which):
    blob = bytearray(stored_blob())
    n_weighed = header(blob)[2]
    for j in {"first": [0], "last": [n_weighed - 1], "all": range(n_weighed)}[which]:
        struct.pack_into("<Q", blob, HEADER + 8 * j, bits)
    assert_not_read(bytes(blob))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("value", [0.0, 5e-324, 1e308, 1.7976931348623157e308])
def test_stored_weights_of_any_finite_size_are_read_alike(value):
    """Zero, the least subnormal, weights whose sums overflow to inf: read, and the same choice by both paths."""
    blob = bytearray(stored_blob())
    for j in range(header(blob)[2]):
        struct.pack_into("<d", blob, HEADER + 8 * j, value)
    for terms in ([], QUERY):
        for count, max_chars in BUDGETS:
            python, compiled = both(bytes(blob), TEXT, terms, count, max_chars)
            assert python is not None and compiled == python


def lies(blob: bytes) -> list[bytes]:
    """The stored data with one header count wrong each: too few, too many, and past any size the bytes hold."""
    form, n_terms, n_weighed, n_sentences, width, blob_size = header(blob)
    told = []
    for field, values in ((1, [0, n_terms - 1, n_terms + 1, 2 ** 31 - 1, 2 ** 32 - 1]),
                          (2, [0, n_weighed - 1, n_weighed + 1, n_terms + 1, 2 ** 32 - 1]),
                          (3, [0, n_sentences - 1, n_sentences + 1, 2 ** 30, 2 ** 32 - 1]),
                          (4, [0, 1, 6 - width, 8, 2 ** 32 - 2]),
                          (5, [0, blob_size - 1, blob_size + 1, blob_size + 2, 2 ** 32 - 1])):
        told += [with_field(blob, field, value) for value in values]
    return told


@pytest.mark.timeout(60)
def test_a_header_that_lies_is_not_read_by_either_path():
    """A lying term count made the C chooser ask for gigabytes (MemoryError) where Python made a summary; a lying
    sentence count made Python fail (IndexError). Now neither reads it, and nothing of a lying size is made."""
    for blob in lies(stored_blob()):
        assert_not_read(blob)


@pytest.mark.timeout(60)
def test_cut_or_lengthened_data_is_not_read_by_either_path():
    blob = stored_blob()
    for size in range(len(blob)):
        assert_not_read(blob[:size])
    for more in (b"\0", b"\0\0", b"\0" * 4, b"\x01" * 8, blob[-8:]):
        assert_not_read(blob + more)


@pytest.mark.timeout(60)
def test_data_that_does_not_fit_its_text_is_not_read_by_either_path():
    """The sentences must be within the text they are read with."""
    assert_not_read(stored_blob(), TEXT[:-1])


UTF8 = {  # (bytes, whether Python's strict decoder takes them)
    "surrogate": (b"\xed\xa0\x80", False), "overlong NUL": (b"\xc0\x80", False),
    "overlong": (b"\xe0\x80\x80", False), "past U+10FFFF": (b"\xf4\x90\x80\x80", False),
    "five bytes": (b"\xf8\x88\x80\x80\x80", False), "lone continuation": (b"\x80", False),
    "cut short": (b"\xe5\x8e", False), "four cut to three": (b"\xf0\x9f\x98", False), "0xff": (b"\xff", False),
    "U+00A9": (b"\xc2\xa9", True), "U+D7FF": (b"\xed\x9f\xbf", True), "U+FFFF": (b"\xef\xbf\xbf", True),
    "U+1F600": (b"\xf0\x9f\x98\x80", True), "U+10FFFF": (b"\xf4\x8f\xbf\xbf", True),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("utf8, valid", UTF8.values(), ids=UTF8.keys())
def test_terms_are_read_as_strict_utf8_by_both_paths(utf8, valid):
    """A weighed term's bytes replaced by as many others, ending where the term ends (a character cut short runs
    into the NUL after it): read alike where they are UTF-8, by neither where not."""
    blob = stored_blob()
    n_weighed, blob_size = header(blob)[2], header(blob)[5]
    terms = blob[len(blob) - blob_size:].split(b"\0")
    longest = max(range(n_weighed), key=lambda j: len(terms[j]))
    assert len(terms[longest]) >= len(utf8)
    terms[longest] = b"x" * (len(terms[longest]) - len(utf8)) + utf8  # no other term is so
    damaged = blob[:len(blob) - blob_size] + b"\0".join(terms)
    for terms_asked in ([], QUERY):
        python, compiled = both(damaged, TEXT, terms_asked, 2, 160)
        assert compiled == python and (python is not None) == valid


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_a_weight_that_is_not_finite_is_not_packed_by_either_path(analyzer, bad):
    data = prepare(analyzer, TEXT, title=TITLE)
    tokens, title_tokens = analyzer.analyze(TEXT), analyzer.analyze(TITLE)
    for term in (next(iter(data.weight)), list(data.weight)[-1]):
        weight = dict(data.weight)
        weight[term] = bad
        assert SummaryData(data.sentences, weight, data.words, data.letters, data.places,
                           data.title_places).to_bytes() is None
        assert compiled_pack(data.sentences, data.letters, weight, data.words, tokens, title_tokens) is None
    for weight in ({"医保": bad}, {"医保": 0.5, "灵芝": bad, "a": -1.0}):
        arguments = ([Sentence("医保灵芝", 0, 4)], [4], weight, [list(weight)], [("医保", 0, 2)], [("灵芝", 0, 2)])
        assert python_packed(*arguments) is None
        assert compiled_pack(*arguments) is None


# Packed by the code before weights were checked (`git show 7ae8828:service/summaries/packed.py`), in format 2
# (the two sentences' priors after the weights): finite weights, negative, negative zero, subnormal and huge among
# them, are packed as they always were.
GOLDEN = bytes.fromhex(
    "020000000700000005000000020000000200000021000000000000000000e03f00000000000000800100000000000000a0c8eb85f3cce17f"
    "00000000000004c0000000000000f03f12da4b682fa1ed3f0000040004000500080003000200020000000300010002000200040006000800"
    "08000a000a0002000200020002000200020004000000020005000700070008000200040009000a000000020002000300e58cbbe4bf9d00e7"
    "81b5e88a9d006100e68aa5e99480006200f0a0808000e9a298")


def test_finite_weights_are_packed_to_the_same_bytes_as_before():
    sentences, letters = [Sentence("医保报销", 0, 4), Sentence("灵芝a", 5, 8)], [4, 3]
    weight = {"医保": 0.5, "灵芝": -0.0, "a": 5e-324, "报销": 1e308, "b": -2.5}
    words = [["医保", "报销"], ["灵芝", "a"]]
    tokens = [("医保", 0, 2), ("报销", 2, 4), ("灵芝", 5, 7), ("a", 7, 8), ("𠀀", 9, 10)]
    title_tokens = [("医保", 0, 2), ("题", 2, 3)]
    assert python_packed(sentences, letters, weight, words, tokens, title_tokens) == GOLDEN
    assert compiled_pack(sentences, letters, weight, words, tokens, title_tokens) == GOLDEN
    assert SummaryData.from_bytes(GOLDEN, "医保报销 灵芝a𠀀") is None  # negative weights: packed, not read
    weight.update({"灵芝": 0.0, "b": 2.5})
    kept = SummaryData.from_bytes(python_packed(sentences, letters, weight, words, tokens, title_tokens),
                                  "医保报销 灵芝a𠀀")
    assert dict(kept.weight) == weight and dict(kept.places) == places_of(tokens)


# ---- Fuzzing: whatever the bytes, both paths give the same answer --------------------------------------------

QUERIES = st.lists(st.sampled_from(QUERY + ["县", "产品", "不存在", "", "a\0b"]), max_size=4)
COUNTS = st.one_of(st.none(), st.integers(1, 3))
MAX_CHARS = st.one_of(st.none(), st.integers(0, 120))


def assert_read_alike(blob, text, terms, count, max_chars):
    python, compiled = both(blob, text, terms, count, max_chars)
    assert compiled == python
    if compiled is not None:
        summary, _ = compiled
        assert all(0 <= start < end <= len(summary.text) for start, end in summary.highlights)


# Bytes behind a header that passes its first checks, so that the checks after it are reached.
HEADED = st.builds(lambda counts, body: struct.pack("<6I", FORMAT, *counts) + body,
                   st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 4), st.sampled_from([2, 4]),
                             st.integers(0, 24)),
                   st.binary(max_size=200))


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), HEADED), QUERIES, COUNTS, MAX_CHARS)
def test_any_bytes_are_read_alike_by_both_paths(blob, terms, count, max_chars):
    assert_read_alike(blob, TEXT, terms, count, max_chars)


U32 = st.one_of(st.integers(0, 2 ** 32 - 1), st.integers(0, 40), st.sampled_from([2 ** 16 - 1, 2 ** 16, 2 ** 31]))


@pytest.mark.timeout(60)
@settings(max_examples=400, deadline=None)
@given(st.data(), QUERIES, COUNTS, MAX_CHARS)
def test_damaged_data_is_read_alike_by_both_paths(data, terms, count, max_chars):
    """Stored data with bytes flipped, cut or added, header counts changed, weights of any bits, integers moved:
    the same summary from both paths, or None from both; never a crash, a hang or a read out of bounds."""
    blob = bytearray(stored_blob())
    n_weighed, width = header(blob)[2], header(blob)[4]
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "grow", "field", "nudge", "weight", "integer"]))
        if action == "flip" and blob:
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del blob[data.draw(st.integers(0, len(blob))):]
        elif action == "grow":
            blob += data.draw(st.binary(max_size=8))
        elif action in ("field", "nudge") and len(blob) >= HEADER:
            field = data.draw(st.integers(1, 5))
            value = header(blob)[field] + data.draw(st.integers(-2, 2)) if action == "nudge" else data.draw(U32)
            blob[:] = with_field(bytes(blob), field, value)
        elif action == "weight" and len(blob) >= HEADER + 8 * n_weighed:
            value = data.draw(st.floats(allow_nan=True, allow_infinity=True)
                              | st.sampled_from([1e308, 5e-324, -0.0, 0.0]))
            struct.pack_into("<d", blob, HEADER + 8 * data.draw(st.integers(0, n_weighed - 1)), value)
        elif action == "integer":
            at = data.draw(st.integers(HEADER + 8 * n_weighed, len(stored_blob()) - header(stored_blob())[5] - width))
            at -= (at - HEADER) % width
            if at + width <= len(blob):
                old = int.from_bytes(blob[at:at + width], "little")
                new = old + data.draw(st.integers(-3, 3)) if data.draw(st.booleans()) else data.draw(U32)
                blob[at:at + width] = (new % 2 ** (8 * width)).to_bytes(width, "little")
    assert_read_alike(bytes(blob), TEXT, terms, count, max_chars)


WORDS = st.text(alphabet=st.sampled_from(list("医保灵芝a1𠀀")), min_size=1, max_size=3)
GOOD_WEIGHTS = st.one_of(st.floats(min_value=0.0, allow_infinity=False), st.sampled_from([0.0, 5e-324, 1e308]),
                         st.floats(0.0, 1.0))


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(st.data(), COUNTS, MAX_CHARS)
def test_any_data_that_is_read_is_read_alike_by_both_paths(data, count, max_chars):
    """Summary data that no analysis makes but the reader reads (words repeated, weights from zero to the
    largest float, sentences and places anywhere in the text): the same choice by both paths, to the last bit."""
    text = data.draw(st.text(alphabet=st.sampled_from(list("医保灵芝冠县产业。，！ \n a1𠀀")), min_size=1,
                             max_size=80))
    points = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=12)))
    sentences = [Sentence(text[a:b], a, b) for a, b in zip(points[0::2], points[1::2])]
    letters = [data.draw(st.integers(0, 60)) for _ in sentences]
    weight = data.draw(st.dictionaries(WORDS, GOOD_WEIGHTS, max_size=8))
    terms = list(weight)
    words = [data.draw(st.lists(st.sampled_from(terms), max_size=5)) if terms else [] for _ in sentences]

    def places(size):
        spans = st.integers(0, len(text) - 1).flatmap(lambda a: st.tuples(st.just(a), st.integers(a + 1, len(text))))
        return st.lists(st.tuples(st.sampled_from(terms) | WORDS, spans).map(lambda t: (t[0], *t[1])), max_size=size)

    tokens = data.draw(places(20)) if terms else []
    title_tokens = data.draw(places(4)) if terms else []
    blob = python_packed(sentences, letters, weight, words, tokens, title_tokens)
    assert compiled_pack(sentences, letters, weight, words, tokens, title_tokens) == blob
    query = data.draw(st.lists(st.sampled_from(terms + ["不存在"]) if terms else st.just("不存在"), max_size=4))
    python, compiled = both(blob, text, query, count, max_chars)
    assert python is not None and compiled == python


ANY_TERMS = st.text(alphabet=st.sampled_from(list("医保a1𠀀\0é\ud800")) | st.characters(), max_size=3)


def outcome(pack, *arguments):
    try:
        return pack(*arguments)
    except Exception as error:  # the same kind of error from both
        return type(error)


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_compiled_packer_packs_anything_as_to_bytes_does(data):
    """Terms of any characters (NUL, lone surrogates), weights of any value, words that are no term, integers up
    to 32 bits: the same bytes, the same None or the same kind of error."""
    weight = data.draw(st.dictionaries(ANY_TERMS, st.floats() | st.integers(-10, 10), max_size=6))
    n = data.draw(st.integers(0, 4))
    numbers = st.integers(0, 2 ** 32 - 1) | st.integers(0, 70_000)
    sentences = [Sentence("", data.draw(numbers), data.draw(numbers)) for _ in range(n)]
    letters = [data.draw(numbers) for _ in range(n)]
    known = st.sampled_from(list(weight)) if weight else ANY_TERMS
    words = [data.draw(st.lists(known | ANY_TERMS if data.draw(st.booleans()) else known, max_size=4, unique=True))
             for _ in range(n)]
    tokens = data.draw(st.lists(st.tuples(ANY_TERMS, numbers, numbers), max_size=10))
    title_tokens = data.draw(st.lists(st.tuples(ANY_TERMS, numbers, numbers), max_size=4))
    arguments = (sentences, letters, weight, words, tokens, title_tokens)
    assert outcome(compiled_pack, *arguments) == outcome(python_packed, *arguments)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("position", [6], ids=["overlap_chars"])
def test_choice_parameters_that_make_a_value_nan_raise_instead_of_hanging(position):
    """No data that is read makes a summary value NaN; a caller's parameter still could (the wrappers pass the
    constants of `summaries.choice`), and is refused rather than looped on."""
    from service.summaries.choice import EXPECTED_OVERLAP_CHARS, GAP, NEAR_DUPLICATE, REPEAT_DISCOUNT

    arguments = [stored_blob(), TEXT, [], 3, math.inf, REPEAT_DISCOUNT, EXPECTED_OVERLAP_CHARS, NEAR_DUPLICATE,
                 len(GAP)]
    assert _summaries.choose(*arguments) is not None
    arguments[position] = math.nan
    with pytest.raises(ValueError):
        _summaries.choose(*arguments)
