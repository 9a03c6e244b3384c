"""The compiled summary chooser (service/_summaries.c) against the Python code it stands in for: the same
summaries and title places from the same stored data, and no crash on damaged data."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, compiled, read_jsonl
from service.summarize import prepare, stored_summary

_summaries, pytestmark = compiled("service._summaries", "the Python path is used")

BUDGETS = [(2, 160), (1, 30), (3, None), (None, 80), (1, 5), (None, None)]


def both(blob, text, terms, count, max_chars):
    """(Python, compiled) answers, the title places reduced to the query's terms as the engine reads them."""
    answers = []
    for native in (False, True):
        made = stored_summary(blob, text, sentences=count, max_chars=max_chars, query_terms=terms, native=native)
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
    records = read_jsonl(CMRC_SAMPLE)[:20] + read_jsonl(DRCD_SAMPLE)[:10]  # DRCD is Traditional
    texts = [(r.get("title"), r.get("text") or r.get("body") or "") for r in records]
    corpus = sorted((Path(__file__).parent.parent / "corpus").glob("*.txt"))
    return texts + [(None, path.read_text(encoding="utf-8")) for path in corpus[:10]]


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
        assert stored_summary(damaged, text, query_terms=["医保"], native=True) is None
        assert stored_summary(damaged, text, query_terms=["医保"], native=False) is None


def test_query_terms_that_are_not_words_match_nothing(analyzer):
    text = "县医院新建病房楼一座。医保报销更方便。"
    blob = prepare(analyzer, text).to_bytes()
    expected = stored_summary(blob, text, query_terms=[], native=True)
    assert stored_summary(blob, text, query_terms=[None, 3, "", "\0", "医\ud800"], native=True) == expected


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
    made = stored_summary(bytes(blob), text, query_terms=["灵芝", "医保", "产业"],
                          sentences=data.draw(st.one_of(st.none(), st.integers(1, 3))), native=True)
    if made is not None:
        summary, _ = made
        assert all(0 <= start < end <= len(summary.text) for start, end in summary.highlights)
