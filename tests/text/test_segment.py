import functools
import hashlib

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import FIXTURES, PROJECT, SEED_PAGE, read_jsonl
from service.text.normalize import Folder
from service.text.segment import Segmenter


@functools.lru_cache(maxsize=None)
def plain_jieba() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def jieba_tokens(text: str) -> list[tuple[str, int, int]]:
    return list(plain_jieba().tokenize(text, mode="search", HMM=True))


def fixture_texts() -> list[str]:
    texts = []
    for path in sorted((FIXTURES / "collections").glob("*.jsonl")):
        for record in read_jsonl(path):
            texts += [record[key] for key in ("title", "text", "input", "expected") if record.get(key)]
    for path in [SEED_PAGE, *sorted((PROJECT / "corpus").glob("*.txt")),
                 *sorted((FIXTURES / "pages" / "corpus").glob("*.txt"))]:
        raw = path.read_bytes()
        try:
            texts.append(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            texts.append(raw.decode("gb18030"))
    folder = Folder()
    return texts + [folder.fold(text) for text in texts]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.mark.slow
def test_same_tokens_as_jieba_on_every_fixture_text(segmenter):
    texts = fixture_texts()
    assert len(texts) > 800
    differing = [text[:40] for text in texts if segmenter.tokenize(text) != jieba_tokens(text)]
    assert differing == []


def test_words_are_the_tokens_without_offsets(segmenter):
    for text in fixture_texts()[:300]:
        assert segmenter.words(text) == [word for word, _, _ in segmenter.tokenize(text)]


@pytest.mark.parametrize("text", [
    "1993-1996年间，x-15试飞了1-2次，增长1.5%，总投资达1836.7万元",
    "c++与c#、at&t和node.js，snake_case，50%以上",
    "“输血+造血”式帮扶，《冠县-青州扶贫协作工作方案》",
    "-.%+#&_",
    "2008年8月8日8时。1.2.3.4",
    "中文1993-1996中文",
])
def test_blocks_with_symbols_are_cut_as_jieba_cuts_them(segmenter, text):
    assert segmenter.tokenize(text) == jieba_tokens(text)
    folded = Folder().fold(text)
    assert segmenter.tokenize(folded) == jieba_tokens(folded)


@pytest.mark.parametrize("text", [
    "\u3400\u3401中国人民\u9fd6\u9fff银行\uf900丽\U00020000\U0002a700好",  # ideographs beyond jieba's blocks
    "中国\U0002f800人民abc\u4dbf123",
    "中\r\n国  人\t民\u3000银行\r\n",
    "😀中国🇨🇳人民 emoji",
    "",
    " ",
])
def test_ideographs_jieba_does_not_count_as_han_are_cut_as_jieba_cuts_them(segmenter, text):
    assert segmenter.tokenize(text) == jieba_tokens(text)


_ALPHABET = st.sampled_from(list("的中国人民银行发展农业大学生长江市长1234567890abcxyzABC+#&._%-，。 \n\r\t")
                            + ["\u3400", "\u9fd6", "\uf900", "\U00020000", "😀", "\u0301", "ｱ", "Ａ"])


_SEGMENTER = Segmenter()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_same_tokens_as_jieba_on_mixed_text(text):
    assert _SEGMENTER.tokenize(text) == jieba_tokens(text)


def test_a_user_dictionary_sends_everything_to_jieba(tmp_path):
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("斜店乡 100 ns\n", encoding="utf-8")
    custom = Segmenter(user_dict=dictionary)
    assert custom.name == "jieba"
    assert "rjieba" not in custom.description
    assert ("斜店乡", 0, 3) in custom.tokenize("斜店乡保障贫困户")
    assert "斜店乡" in custom.words("斜店乡保障贫困户")
    assert ("斜店乡", 0, 3) not in Segmenter().tokenize("斜店乡保障贫困户")


def test_description_names_the_segmenter_and_its_versions(segmenter):
    description = segmenter.description
    assert description["segmenter"] == "rjieba+jieba"
    assert description["mode"] == "search"
    assert description["rjieba"] and description["jieba"] == jieba.__version__


def _loaded_line_by_line(path):
    """jieba-rs with `path` added a line at a time, the plain way the dictionary loader must agree with."""
    from service.text.segment import _rjieba_class

    segmenter = _rjieba_class().empty()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts:
            segmenter.add_word(parts[0], int(parts[1]), parts[2] if len(parts) > 2 else None)
    return segmenter


@pytest.mark.parametrize("lines", [
    ["中华 10 ns", "人民 20 n", "共和国 30 n", "中华人民共和国 5 ns"],  # every line whole: the fast path
    ["中华 10 ns", "人民 20", "共和国 30 n", "中华人民共和国 5 ns"],  # a line without its tag
    ["中华 10 ns", "", "人民 20 n", "共和国 30 n", "中华人民共和国 5"],  # a blank line, a last line short
    ["中华 10 ns", "人民 20 n n", "共和国 30"],  # too many fields on one line, too few on another: same count
])
def test_the_dictionary_loads_as_added_line_by_line_whatever_its_lines_hold(tmp_path, lines):
    from service.text.segment import _add_dictionary, _rjieba_class

    path = tmp_path / "dict.txt"
    path.write_text("\n".join(lines) + ("\n" if len(lines) % 2 else ""), encoding="utf-8")
    loaded = _rjieba_class().empty()
    _add_dictionary(loaded, path)
    plain = _loaded_line_by_line(path)
    for text in ["中华人民共和国成立了", "人民共和国", "中华人民", "共和国人民中华"]:
        assert loaded.tokenize(text, "search", True) == plain.tokenize(text, "search", True), text
        assert loaded.tag(text, True) == plain.tag(text, True), text


@pytest.fixture
def fresh_process_state(monkeypatch, tmp_path):
    """The segmenters as a new process finds them: nothing loaded, the cache folder empty (under tmp_path)."""
    from service.text import segment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(segment, "_rjieba", None)
    monkeypatch.setattr(segment, "_sorted", None)
    monkeypatch.setattr(segment, "_small_chars", 0)
    return segment


def _pieces(count: int = 3000) -> list[str]:
    """Short stretches of the fixture texts, cut anywhere (mid-word, mid-number, across a line end)."""
    import random

    rng = random.Random(5)
    texts = [text for text in fixture_texts() if len(text) > 1]
    pieces = []
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        pieces.append(text[start:start + rng.randrange(1, 120)])
    return pieces + ["B超检查", "中\t国\n人民", "1.5%的GDP", "中华人民共和国\x01成立", "\U00020000中国", "  ", "。"]


def test_a_segmenter_holding_only_a_texts_words_cuts_it_as_the_whole_dictionary_does(fresh_process_state):
    segment = fresh_process_state
    sorted_dictionary = segment._sorted_dictionary()
    whole = segment._rjieba_segmenter()
    differing = []
    for text in _pieces():
        small = sorted_dictionary.segmenter_for(text)
        if (small.tokenize(text, "search", True) != whole.tokenize(text, "search", True)
                or small.cut_for_search(text, True) != whole.cut_for_search(text, True)):
            differing.append(text)
    assert differing == []


def test_the_sorted_dictionary_holds_every_word_with_the_frequency_and_tag_jieba_rs_keeps(fresh_process_state):
    segment = fresh_process_state
    sorted_dictionary = segment._sorted_dictionary()
    final: dict[str, list] = {}
    for line in segment._jieba_dictionary().read_text(encoding="utf-8").splitlines():
        word, frequency, tag = line.split()
        final.setdefault(word, [0, tag])[0] = int(frequency)  # a repeated word: its last frequency, first tag
    assert sorted_dictionary.total == sum(frequency for frequency, _ in final.values())
    assert sorted_dictionary.longest == max(map(len, final))
    lines = sorted_dictionary.body.decode("utf-8").splitlines()
    assert lines == [f"{word}\t{final[word][0]}\t{final[word][1]}" for word in sorted(final, key=str.encode)]
    for word in ["中国", "中华人民共和国", "B超", "的"]:
        assert (word, *final[word]) in sorted_dictionary.words_in(word)


def test_the_sorted_dictionary_is_kept_in_the_cache_and_a_damaged_copy_is_made_again(fresh_process_state, tmp_path):
    segment = fresh_process_state
    made = segment._sorted_dictionary()
    [kept] = (tmp_path / "cache" / "jiansuo").glob("jieba-dict-*.sorted")
    segment._sorted = None
    read = segment._sorted_dictionary()
    assert read is not made and (read.body, read.total, read.longest) == (made.body, made.total, made.longest)

    data = bytearray(kept.read_bytes())
    data[-3] ^= 0x01  # one bit flipped in a word's line
    kept.write_bytes(bytes(data))
    segment._sorted = None
    again = segment._sorted_dictionary()
    digest = hashlib.sha256(segment._jieba_dictionary().read_bytes()).hexdigest()
    assert again.body == made.body and kept.read_bytes() == made.to_bytes(digest)  # made again and kept


def test_without_a_writable_cache_the_sorted_dictionary_is_still_made(fresh_process_state, monkeypatch, tmp_path):
    segment = fresh_process_state
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert segment._sorted_dictionary().segmenter_for("中国人民").cut("中国人民", True) == ["中国", "人民"]


def test_short_texts_are_cut_without_the_whole_dictionary_until_a_long_one_comes(fresh_process_state):
    segment = fresh_process_state
    segmenter = Segmenter()
    short = "冠县斜店乡保障贫困户参加医保不落一人"
    assert segmenter.tokenize(short) == jieba_tokens(short) and segmenter.words(short)
    assert segment._rjieba is None  # cut by a segmenter holding the words of the text
    long = "；".join(fixture_texts()[:40])[:segment._SMALL_TEXT_CHARS + 1]
    assert segmenter.tokenize(long) == jieba_tokens(long)
    assert segment._rjieba is not None


def test_past_the_budget_of_short_texts_the_whole_dictionary_is_loaded(fresh_process_state):
    segment = fresh_process_state
    segmenter = Segmenter()
    text = "保障贫困户参加医保"
    for _ in range(segment._SMALL_BUDGET_CHARS // len(text)):
        segmenter.words(text)
    assert segment._rjieba is None
    segmenter.words(text)
    assert segment._rjieba is not None


def test_load_loads_the_whole_dictionary(fresh_process_state):
    fresh_process_state_segment = fresh_process_state
    Segmenter().load()
    assert fresh_process_state_segment._rjieba is not None
