"""One line of an OCR'd page, and the lists of lines the splitter works on.

A page is handled as a list of lines in which ``None`` stands for a blank line: a gap the OCR engine saw,
between paragraphs or where one column ends and the next begins (only whether there was a gap matters, so
a run of blanks is one ``None``). A line is a `_Line`: its text, and whether the OCR kept a paragraph
indent in front of it. Widths are measured in ideograph widths, as a column is set.
"""

from __future__ import annotations

import re
import unicodedata


class _Line(str):
    """A line's text, and whether the OCR kept a paragraph indent in front of it."""

    indented: bool = False


def _line(text: str, indented: bool = False) -> _Line:
    line = _Line(text)
    line.indented = indented
    return line


def _indented(line: str | None) -> bool:
    return bool(getattr(line, "indented", False))


def _clean_line(line: str) -> _Line | None:
    chars = []
    for ch in line:
        if ch.isspace():
            chars.append(" ")
        elif unicodedata.category(ch)[0] != "C":  # control, format, private-use, unassigned
            chars.append(ch)
    raw = "".join(chars)
    text = re.sub(r" {2,}", " ", raw).strip()
    if not text:
        return None
    lead = line[:len(line) - len(line.lstrip())]
    # Two spaces, or one ideographic space, in front of a line: the paragraph indent was kept.
    indented = "\u3000" in lead or len(lead.replace("\t", "    ")) >= 2
    return _line(text, indented)


def _trim_blanks(lines: list[str | None]) -> list[str | None]:
    start, end = 0, len(lines)
    while start < end and lines[start] is None:
        start += 1
    while end > start and lines[end - 1] is None:
        end -= 1
    return lines[start:end]


def _collapse_blanks(lines: list[str | None]) -> list[str | None]:
    """One blank stands for any run of them: only whether there was a gap matters."""
    return [line for i, line in enumerate(lines) if line is not None or i == 0 or lines[i - 1] is not None]


def _next_line(lines: list[str | None], index: int) -> int:
    while index < len(lines) and lines[index] is None:
        index += 1
    return index


# Bullets a briefs column sets in front of each item's headline (and some papers in front of a byline).
_BULLETS = "■□●○◆◇▲△★☆▶►•"


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", line)


# --- character classes and widths ------------------------------------------

def _is_han(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
            or "\U00020000" <= ch <= "\U0002ffff" or "\u3040" <= ch <= "\u30ff")


def _is_word_letter(ch: str) -> bool:
    """A letter of a script that separates words with spaces (Latin, Cyrillic, Hangul...)."""
    return ch.isalpha() and not _is_han(ch)


# Newspapers set these in half an ideograph's width (the seed page's full lines agree within half a
# character when they are counted so, and within a whole one when they are not).
_COMPRESSED_PUNCT = frozenset("，。、；：？！“”‘’（）《》「」『』")


def _width(text: str) -> float:
    """Printed width in ideograph widths: a column holds about the same width on every line."""
    total = 0.0
    for ch in text:
        if ch.isspace():
            continue
        total += 0.5 if ch.isascii() or ch in _COMPRESSED_PUNCT else 1.0
    return total
