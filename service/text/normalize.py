"""Folding text to the one form that both documents and queries are matched in.

Folding must keep a map back to the original text, because highlights and
summaries are cut from the original: a Traditional article is shown in
Traditional, with its own characters marked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import opencc


def _fold_char(ch: str, lowercase: bool) -> str:
    """One character on its own: NFKC, then lower case. Folding never looks across characters."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded.lower() if lowercase else folded


class _FoldTable(dict):
    """A `str.translate` table filled on first sight of each character.

    Characters that fold to themselves map to their own code point, so a character is worked out once per
    process. Characters whose folding is longer than one character (`…` -> `...`, `㎡` -> `m2`) are also
    collected in `growing`, which is what decides whether offsets need a map at all.
    """

    def __init__(self, lowercase: bool):
        super().__init__()
        self.lowercase = lowercase
        self.growing: set[str] = set()
        self._growing_pattern: tuple[int, re.Pattern] = (0, re.compile("(?!)"))

    def __missing__(self, code: int) -> str | int:
        ch = chr(code)
        folded = _fold_char(ch, self.lowercase)
        if len(folded) > 1:
            # Recorded before the table entry, so a character any thread finds in the table is in `growing`.
            self.growing.add(ch)
        value: str | int = code if folded == ch else folded
        self[code] = value
        return value

    def growing_pattern(self) -> re.Pattern:
        """A pattern matching every character seen so far whose folding is longer than itself."""
        size, pattern = self._growing_pattern
        if size != len(self.growing):
            characters = sorted(self.growing)  # one snapshot: `growing` only grows
            pattern = re.compile("[" + "".join(re.escape(ch) for ch in characters) + "]")
            self._growing_pattern = (len(characters), pattern)
        return pattern


_TABLES: dict[bool, _FoldTable] = {}


def _fold_table(lowercase: bool) -> _FoldTable:
    table = _TABLES.get(lowercase)
    if table is None:
        table = _TABLES.setdefault(lowercase, _FoldTable(lowercase))
    return table


class Folder:
    """NFKC width folding, optional lower-casing, then OpenCC script conversion."""

    def __init__(self, opencc_config: str = "t2s", lowercase: bool = True):
        self.opencc_config = opencc_config
        self.lowercase = lowercase
        self._converter = opencc.OpenCC(opencc_config)
        self._table = _fold_table(lowercase)

    def fold(self, text: str) -> str:
        return self.fold_with_origins(text)[0]

    def _width_fold(self, text: str) -> tuple[str, Sequence[int]]:
        """Each character folded on its own, and for each folded character the index it came from."""
        if unicodedata.is_normalized("NFKC", text) and not (self.lowercase and text.lower() != text):
            # The usual case, checked in C: a character NFKC changes on its own has quick-check "No" and so
            # is never found in normalised text, and a character lower-casing changes makes the whole text's
            # lower case differ (final sigma included), so every character folds to itself.
            return text, range(len(text))
        table = self._table
        width_folded = text.translate(table)
        if len(width_folded) == len(text):
            # No character folds to nothing (NFKC never yields an empty string), so equal lengths mean every
            # character stayed one character.
            return width_folded, range(len(text))
        origins: list[int] = []
        position = 0
        for match in table.growing_pattern().finditer(text):
            i = match.start()
            origins.extend(range(position, i))
            origins.extend([i] * len(table[ord(match.group())]))
            position = i + 1
        origins.extend(range(position, len(text)))
        return width_folded, origins

    def fold_with_origins(self, text: str) -> tuple[str, Sequence[int]]:
        """Return the folded text and, for each folded character, the index it came from.

        The origins are a `range` when every character stayed one character, a list otherwise.
        """
        width_folded, origins = self._width_fold(text)
        converted = self._converter.convert(width_folded)
        if len(converted) == len(width_folded):
            return converted, origins
        # A phrase rule changed the length; convert character by character so
        # every output character still knows where it came from.
        pieces, char_origins = [], []
        for ch, origin in zip(width_folded, origins):
            out = self._converter.convert(ch)
            pieces.append(out)
            char_origins.extend([origin] * len(out))
        return "".join(pieces), char_origins


class ScriptConverter:
    """Display conversion (Simplified <-> Traditional) kept apart from analysis folding."""

    def __init__(self, config: str):
        self.config = config
        self._converter = opencc.OpenCC(config)

    def convert(self, text: str) -> str:
        return self._converter.convert(text)
