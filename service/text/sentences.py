"""Chinese sentence boundaries, with offsets into the text they came from."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator, NamedTuple

# Closing quotes and brackets that belong to the sentence they follow (`……。”`).
_CLOSERS = "”’」』）)】〕》\"'"

# A sentence ends at 。！？；!? or an ellipsis (`……`, `...`), together with any
# closing quotes or brackets that follow. A full stop between digits
# (`1836.7`) is not an end; neither is a single `.` in Latin text, which is too
# ambiguous to split on here. A line break always ends a sentence, so lines
# without end punctuation (headings, bylines) stand on their own.
_SENTENCE = re.compile(
    rf"(?:[^。！？；!?….\n]|\.(?!\.\.))*"
    rf"(?:(?:[。！？；!?…]+|\.{{3,}})[{_CLOSERS}]*|\n|$)",
)

# An item of an enumeration (`一是……，二是……`, `：1.……；2.……`, `（三）……`) starts a
# sentence of its own when it follows a comma or a colon: each item is read,
# matched and summarised as one statement. A marker must follow punctuation,
# so `统一是` or `1836.7` never split.
_ENUMERATION = re.compile(
    r"(?<=[，,：:])\s*(?="
    r"[一二三四五六七八九十]{1,3}是"
    r"|其[一二三四五六七八九十]{1,3}[，,、]"
    r"|第[一二三四五六七八九十]{1,3}[，,、]"
    r"|[0-9]{1,2}[.．、](?![0-9])"
    r"|[（(][0-9一二三四五六七八九十]{1,2}[）)]"
    r")"
)

# A bracketed group opening a sentence, such as a byline or a source (`（南方日报）`, `（记者 刘华伟）`) or a
# Weibo-style headline (`【标题】`), is a sentence of its own when text follows it; a numbered item (`（一）`)
# is not such a group.
_LEADING_GROUP = re.compile(
    r"\s*[（(【〔](?![0-9一二三四五六七八九十]{1,2}[）)】〕])[^（）()【】〔〕。！？；\n]{1,24}[）)】〕](?=\s*\w)"
)

# Trimmed from both ends of a sentence besides Unicode white space: zero-width
# characters that OCR and web copies leave behind.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


class Sentence(NamedTuple):
    text: str
    start: int
    end: int


def _has_word(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _pieces(text: str):
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        cuts = [start] + [item.start() for item in _ENUMERATION.finditer(text, start, end)] + [end]
        for cut, next_cut in zip(cuts, cuts[1:]):
            group = _LEADING_GROUP.match(text, cut, next_cut)
            if group:
                yield cut, group.end()
                cut = group.end()
            if next_cut > cut:
                yield cut, next_cut


def split_sentences(text: str) -> list[Sentence]:
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[Sentence]:
    """`split_sentences` one sentence at a time, for a reader that stops early (the lede): each is given once
    the next is found, since stray punctuation after it still joins it."""
    last: Sentence | None = None
    for start, end in _pieces(text):
        while start < end and (text[start].isspace() or text[start] in _INVISIBLE):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in _INVISIBLE):
            end -= 1
        if start >= end:
            continue
        if not _has_word(text[start:end]):
            # Stray punctuation (`。`, `”`, `……`) is no sentence: it joins the one before it when that
            # one is on the same line, and is dropped otherwise.
            if last is not None and "\n" not in text[last.end:start]:
                last = Sentence(text[last.start:end], last.start, end)
            continue
        if last is not None:
            yield last
        last = Sentence(text[start:end], start, end)
    if last is not None:
        yield last
