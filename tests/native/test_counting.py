"""The compiled grams and chars counting against the Python it stands in for: the same counts, in the same order."""

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.index import channels
from service.index.channels import _cjk_counted_in_python
from service.native import pure_python

from helpers import CMRC_SAMPLE, TESTS, channel_counts, compiled, in_pure_python, read_jsonl

_counting, pytestmark = compiled("_counting", "index/channels.py counts them in Python")

# Few characters of each CJK range, so that terms repeat and stopwords hit; the characters on both sides of
# every range's ends; and text of every string width (ASCII, Latin-1, two bytes, four bytes, a lone surrogate).
CJK = ["\u3400", "\u4db5", "\u4dbf", "\u4e00", "中", "国", "的", "\u9fff", "\uf900", "\ufaff",
       "\U00020000", "\U0002a6d6", "\U0002ffff"]
NEAR_CJK = ["\u33ff", "\u4dc0", "\u4dff", "\ua000", "\uf8ff", "\ufb00", "\U0001ffff", "\U00030000", "\U0010ffff"]
OTHER = ["a", "Z", "0", " ", "\n", "。", "，", "、", "《", "!", "é", "\u00ff", "\u3000", "\ud800", "😀"]
TEXT = st.text(alphabet=st.sampled_from(CJK + NEAR_CJK + OTHER) | st.characters(), max_size=60)
TEXTS = st.lists(TEXT, max_size=4)
TERM = st.builds(str.__add__, st.sampled_from(CJK), st.sampled_from([""] + CJK))
STOPWORDS = st.frozensets(TERM | st.text(max_size=3), max_size=12)


def items(counted: list) -> tuple:
    total, counts = counted
    return total, list(counts.items())


def assert_same(texts: list[str], stopwords: frozenset[str]) -> None:
    got = _counting.count_cjk(texts, stopwords)
    expected = _cjk_counted_in_python(texts, stopwords)
    assert [items(c) for c in got] == [items(c) for c in expected]
    assert got == expected
    assert all(type(c) is list and type(c[0]) is int and type(c[1]) is dict for c in got)


@settings(max_examples=400, deadline=None)
@given(TEXTS, STOPWORDS)
def test_native_counts_are_pythons_in_the_same_order(texts, stopwords):
    assert_same(texts, stopwords)


@pytest.mark.parametrize("texts", [[], [""], ["abc"], ["中"], ["中", "国"], ["中a国"], ["中国"], ["中国中国"],
                                   ["\U00020000\U0002ffff中"], ["a\u3400b"], ["中国人", "", "人民"]])
@pytest.mark.parametrize("stopwords", [frozenset(), frozenset({"中"}), frozenset({"中国", "国"}), {"中"}])
def test_lone_characters_runs_and_empty_texts(texts, stopwords):
    assert_same(texts, stopwords)


COMMON = frozenset({"的", "了", "是", "在", "中国", "我们", "一个"})


def test_articles(analyzer):
    for row in read_jsonl(CMRC_SAMPLE)[:40]:
        texts = [analyzer.fold(row["title"]), analyzer.fold(row["text"])]
        assert_same(texts, frozenset())
        assert_same(texts, COMMON)


def test_the_total_leaves_stopwords_out_as_the_counts_do():
    grams, chars = _counting.count_cjk(["中国的中国"], frozenset({"中国", "的"}))
    assert grams == [2, {"国的": 1, "的中": 1}]
    assert chars == [4, {"中": 2, "国": 2}]


def test_count_channels_is_the_same_either_way(tmp_path):
    # The package counts with the compiled part, unless the switch asks for Python everywhere.
    assert channels._cjk_counted is (_cjk_counted_in_python if pure_python() else _counting.count_cjk)
    stopwords = tmp_path / "stop.txt"
    stopwords.write_text("\n".join(sorted(COMMON)) + "\n", encoding="utf-8")
    rows = read_jsonl(CMRC_SAMPLE)[:40]
    native = channel_counts(stopwords, rows)
    python = in_pure_python("helpers:channel_counts", stopwords, rows, path=[TESTS])
    assert not any("的" in counts["chars"][1] or "中国" in counts["grams"][1] for counts in native)
    assert [{c: items(v) for c, v in n.items()} for n in native] == [
        {c: items(v) for c, v in p.items()} for p in python]


@pytest.mark.parametrize("texts, stopwords, message", [
    (["中国", 3], frozenset(), "str"),
    (5, frozenset(), "sequence"),
    (["中国"], ["中"], "set"),
])
def test_wrong_arguments_are_refused(texts, stopwords, message):
    with pytest.raises(TypeError, match=message):
        _counting.count_cjk(texts, stopwords)


# --- fuzzing: arbitrary texts and stopwords, never a crash, and Python's counts wherever they are right -------

class Text(str):
    pass


class Hostile:
    """Hashable, equal to nothing, and unlike any string."""

    def __hash__(self):
        return hash("中")

    def __eq__(self, other):
        return False


MOSTLY_CJK = st.text(st.sampled_from(CJK + OTHER[:4]), min_size=1, max_size=30)
ANY_TEXT = TEXT | MOSTLY_CJK | st.text(max_size=200) | st.builds(Text, TEXT)
NOT_TEXT = st.sampled_from([None, 3, 3.5, b"\xe4\xb8\xad", bytearray(b"x"), ["中国"], Hostile()])
HASHABLE = TERM | st.text(max_size=3) | st.integers() | st.builds(Text, TERM) | st.just(Hostile()) | st.tuples(TERM)


@st.composite
def fuzzed_texts(draw):
    texts = draw(st.lists(ANY_TEXT | NOT_TEXT if draw(st.integers(0, 5)) == 0 else ANY_TEXT, max_size=5))
    container = draw(st.sampled_from(["list"] * 6 + ["tuple", "iterator", "str", "number", "none", "dict"]))
    if container == "tuple":
        return tuple(texts)
    if container == "iterator":
        return iter(texts)
    if container == "str":
        return "".join(t for t in texts if isinstance(t, str))  # a string is a sequence of strings
    if container == "number":
        return 7
    if container == "none":
        return None
    if container == "dict":
        return {t: 1 for t in texts if isinstance(t, str)}  # its keys are the texts
    return texts


@st.composite
def fuzzed_stopwords(draw):
    words = draw(st.lists(HASHABLE, max_size=8))
    kind = draw(st.sampled_from(["frozenset"] * 6 + ["set", "set subclass", "list", "dict", "none", "str"]))
    return {"frozenset": frozenset, "set": set, "set subclass": type("Words", (set,), {}), "list": list,
            "dict": dict.fromkeys, "none": lambda _: None, "str": lambda w: "".join(map(str, w))}[kind](words)


def call(function, *args):
    try:
        return function(*args), None
    except (TypeError, ValueError) as error:
        return None, type(error)


@pytest.mark.timeout(60)
@settings(max_examples=500, deadline=None)
@given(fuzzed_texts(), fuzzed_stopwords())
def test_fuzzed_texts_and_stopwords_never_crash_and_count_as_python_does(texts, stopwords):
    right = isinstance(stopwords, (set, frozenset)) and not isinstance(texts, (int, type(None)))
    if right:
        if isinstance(texts, Iterator):
            texts = list(texts)  # read once: the same items for both
        right = all(isinstance(t, str) for t in texts)
    got, error = call(_counting.count_cjk, texts, stopwords)
    if not right:
        assert error is TypeError
        return
    assert error is None
    expected = _cjk_counted_in_python(texts, stopwords)
    assert [items(c) for c in got] == [items(c) for c in expected]
    assert all(type(term) is str for _, counts in got for term in counts)
