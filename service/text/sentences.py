"""Chinese sentence boundaries, with offsets into the text they came from."""

from __future__ import annotations

import re
from typing import NamedTuple

# A sentence ends at 。！？；!? or an ellipsis, together with any closing quotes
# or brackets that follow, so `……。”` stays with the sentence it closes. A
# full stop between digits (`1836.7`) is not an end; neither is `.` in Latin
# text, which is too ambiguous to split on here.
_SENTENCE = re.compile(
    r"[^。！？；!?…\n]*"
    r"(?:[。！？；!?…]+[”’」』）)】〕》\"']*|\n|$)",
)


class Sentence(NamedTuple):
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    sentences = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        # Trim surrounding whitespace while keeping offsets exact.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            sentences.append(Sentence(text[start:end], start, end))
    return sentences
