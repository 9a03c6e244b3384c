"""The compiled grams and chars counting against the Python it stands in for: the same counts, in the same order."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.index import channels
from service.index.channels import _cjk_counted_in_python

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
    assert channels._cjk_counted is _counting.count_cjk
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
