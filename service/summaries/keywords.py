"""Keywords: the words that say what an article is about, by TF-IDF.

Words are the analyzer's tokens with the sub-words of search mode left out
(`中华人民共和国`, not also `人民`), so a keyword is what a reader sees as one word.

How rare a word is comes from two sources. jieba ships a table of inverse
document frequencies of general Chinese (`jieba/analyse/idf.txt`, ln(N/df) over
a large corpus); it says that 中国 or 表示 say little about any article even in
an archive of ten. The archive's own document frequencies say what is common
*here* (the county's name in a county paper). The table counts as
`BACKGROUND_DOCS` documents beside the archive's own, so a small archive leans
on general Chinese and a large one on itself.
"""

from __future__ import annotations

import heapq
import importlib.util
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..text.analyzer import Token

BACKGROUND_DOCS = 1000
# A word in the title counts as this many occurrences in the body: the title names the subject.
TITLE_WEIGHT = 3
# Words of two characters or more that the general-Chinese table does not rank low enough,
# yet never tell one news article from another.
STOPWORDS = frozenset("""
    我们 你们 他们 她们 它们 自己 大家 这个 那个 这些 那些 这样 那样 这里 那里 一个 一些 一种 一样
    什么 怎么 如何 为何 为什么 是否 还是 就是 不是 没有 可以 可能 已经 正在 曾经 应该 需要 能够
    因为 所以 但是 然而 而且 并且 如果 虽然 以及 或者 还有 其中 此外 另外 同时 对于 关于 通过 根据
    之后 之前 以后 以前 以上 以下 目前 现在 当时 今年 去年 明年 今天 昨天 明天 昨日 今日 近日 日前
    记者 表示 认为 指出 介绍 据悉 了解 进行 开展 实现 成为 作为 相关 有关 有些 一是 二是 三是
    起来 按照 严格 完成 参加 使用 加强 有利于 长期 积极 进一步 不断 充分 切实 认真 有效 全面 深入
    推进 推动 确保 实施 落实 提高 加大 工作 问题 方面 情况 要求 通知 一起 主要 重要 不少 很多 许多
    尽管 自从 由于 包括 其他 之间 以来 开始 用于 两者 三者 相似
""".split())


@lru_cache(maxsize=1)
def background_idf() -> tuple[dict[str, float], float]:
    """jieba's table of general-Chinese idf, and its median (the idf of a word it does not list)."""
    # Found, not imported: importing jieba costs a tenth of a second and nothing of it but this file is needed.
    spec = importlib.util.find_spec("jieba")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


_START_END = itemgetter(1, 2)
_TERM = itemgetter(0)


def whole_words(tokens: Iterable[Token]) -> list[Token]:
    """Tokens that are not inside a longer token: search mode's sub-words dropped, in text order.

    A token is kept when it ends beyond every token that starts before it and is the longest of those starting
    where it starts (of equal ones, the first given). Sorting on (start, end) descending keeps equal tokens in
    the order given, so read backwards each start's tokens come shortest first and the one kept comes last.
    """
    kept: list[Token] = []
    reach = -1  # the furthest end of the tokens starting before the current start
    last = None
    for token in reversed(sorted(tokens, key=_START_END, reverse=True)):
        if last is not None and token[1] != last[1]:
            if last[2] > reach:
                kept.append(last)
                reach = last[2]
        last = token
    if last is not None and last[2] > reach:
        kept.append(last)
    return kept


def is_candidate(term: str) -> bool:
    """Could this word be a keyword: two characters or more, not a number, not a function word."""
    try:
        return _CANDIDATE[term]
    except KeyError:
        if len(_CANDIDATE) >= _CANDIDATE_LIMIT:
            _CANDIDATE.clear()  # rare words never stop coming: start again rather than grow without end
        answer = _CANDIDATE[term] = _is_candidate(term)
        return answer


# Whether a word can be a keyword depends on the word alone, and an archive's words repeat from article to
# article: each is judged once per process.
_CANDIDATE: dict[str, bool] = {}
_CANDIDATE_LIMIT = 300_000


def _is_candidate(term: str) -> bool:
    if len(term) < 2 or term in STOPWORDS:
        return False
    if all(unicodedata.category(ch)[0] == "N" or ch in ".,%" for ch in term):
        return False
    return any(unicodedata.category(ch)[0] == "L" for ch in term)


class Rarity:
    """idf of a word, from general Chinese and, when given, the archive's document frequencies."""

    def __init__(self, doc_freq: Callable[[str], int] | None = None, n_docs: int = 0,
                 doc_freqs: Callable[[Sequence[str]], Sequence[int]] | None = None):
        self.table, self.median = background_idf()
        self._archive_doc_freq = doc_freq
        self._archive_doc_freqs = doc_freqs  # the same, of many words at once
        self.n_docs = n_docs if doc_freq is not None else 0
        # The archive's lookup is a binary search over the index's terms; one Rarity serves a whole batch of
        # articles, and their words repeat.
        self._doc_freqs: dict[str, int] = {}
        self._idfs: dict[str, float] = {}

    def doc_freq(self, term: str) -> int:
        """In how many of the archive's articles the word occurs (0 without an archive)."""
        if self._archive_doc_freq is None:
            return 0
        try:
            return self._doc_freqs[term]
        except KeyError:
            df = self._doc_freqs[term] = self._archive_doc_freq(term)
            return df

    def learn(self, terms: Iterable[str]) -> None:
        """Look up the archive's document frequencies of the words not known yet, together: one article's
        words in one look-up per segment rather than one each."""
        if self._archive_doc_freqs is None:
            return
        known = self._doc_freqs
        asked = [term for term in terms if term not in known]
        if asked:
            known.update(zip(asked, map(int, self._archive_doc_freqs(asked))))

    def background(self, term: str) -> float:
        return self.table.get(term, self.median)

    def idf(self, term: str) -> float:
        try:
            return self._idfs[term]
        except KeyError:
            if len(self._idfs) >= _CANDIDATE_LIMIT:
                self._idfs.clear()
            idf = self._idfs[term] = self._idf(term)
            return idf

    def _idf(self, term: str) -> float:
        share = math.exp(-self.background(term))  # the fraction of general documents holding the word
        df = self.doc_freq(term)
        return math.log((self.n_docs + BACKGROUND_DOCS) / (df + BACKGROUND_DOCS * share + 0.5))


@dataclass(frozen=True)
class Keyword:
    term: str  # folded form: what the index holds
    text: str  # as first written in the article (Traditional stays Traditional)
    weight: float


def keywords(title: str, title_tokens: Sequence[Token], body: str, body_tokens: Sequence[Token],
             rarity: Rarity, count: int, *, title_words: Sequence[Token] | None = None,
             body_words: Sequence[Token] | None = None) -> list[Keyword]:
    """The `count` words with the highest tf x idf; a word in the title counts `TITLE_WEIGHT` times.

    `title_words` and `body_words` are `whole_words` of the tokens when the caller has them.
    """
    if title_words is None:
        title_words = whole_words(title_tokens)
    if body_words is None:
        body_words = whole_words(body_tokens)
    title_terms = list(map(_TERM, title_words))
    body_terms = list(map(_TERM, body_words))
    tf = Counter(body_terms)
    for term, n in Counter(title_terms).items():
        tf[term] += TITLE_WEIGHT * n
    # Each term's first token, the title's before the body's: the last one written of each term wins.
    first = dict(zip(reversed(body_terms), reversed(body_words)))
    first_in_title = dict(zip(reversed(title_terms), reversed(title_words)))
    candidate = _CANDIDATE
    for term in tf:
        if term not in candidate:
            candidate[term] = _is_candidate(term)
    tf = {term: freq for term, freq in tf.items() if candidate[term]}
    rarity.learn(tf)
    idf = rarity.idf
    # Terms are distinct, so the order is total and the first `count` of a full sort are these.
    scored = heapq.nsmallest(count, ((-(freq * idf(term)), term) for term, freq in tf.items()))
    found = []
    for weight, term in scored:
        token = first_in_title.get(term)
        _, start, end = token if token is not None else first[term]
        found.append(Keyword(term, (title if token is not None else body)[start:end], round(-weight, 4)))
    return found
