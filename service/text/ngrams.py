"""Character n-grams over folded text: the signal that finds what word segmentation misses.

jieba may keep `农业` inside `中国农业发展银行` or split an unknown name into
pieces; overlapping character bigrams (what Lucene's CJK analyzer indexes)
still match there. A run of one CJK character stands as itself.
"""

from __future__ import annotations

import re
from operator import add

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")


def is_cjk(text: str) -> bool:
    """Whether `text` is one or more CJK characters of the runs n-grams are taken from (False when empty)."""
    return _CJK_RUN.fullmatch(text) is not None


def cjk_bigrams(folded: str) -> list[tuple[str, int, int]]:
    """(gram, start, end) in `folded` coordinates: overlapping bigrams of each CJK run, lone characters as themselves."""
    grams: list[tuple[str, int, int]] = []
    for match in _CJK_RUN.finditer(folded):
        start, run = match.start(), match.group()
        if len(run) == 1:
            grams.append((run, start, start + 1))
        else:
            grams.extend((run[i:i + 2], start + i, start + i + 2) for i in range(len(run) - 1))
    return grams


def cjk_unigrams(folded: str) -> list[tuple[str, int, int]]:
    """Every CJK character on its own: what a one-character query is matched against."""
    return [(ch, m.start() + i, m.start() + i + 1) for m in _CJK_RUN.finditer(folded) for i, ch in enumerate(m.group())]


def cjk_runs(folded: str) -> list[str]:
    """The CJK runs of `folded`, in order: where `cjk_bigrams` and `cjk_unigrams` take their terms."""
    return _CJK_RUN.findall(folded)


def bigram_terms(runs: list[str]) -> list[str]:
    """The terms of `cjk_bigrams` over these runs, in the same order, without building offsets."""
    grams: list[str] = []
    for run in runs:
        if len(run) > 1:
            grams += map(add, run, run[1:])
        else:
            grams.append(run)
    return grams
