"""Folding text to the one form that both documents and queries are matched in.

Folding must keep a map back to the original text, because highlights and
summaries are cut from the original: a Traditional article is shown in
Traditional, with its own characters marked.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=65536)
def _fold_char(ch: str, lowercase: bool) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded.lower() if lowercase else folded


class Folder:
    """NFKC width folding, optional lower-casing, then OpenCC script conversion."""

    def __init__(self, opencc_config: str = "t2s", lowercase: bool = True):
        self.opencc_config = opencc_config
        self.lowercase = lowercase
        self._converter = opencc.OpenCC(opencc_config)

    def fold(self, text: str) -> str:
        return self.fold_with_origins(text)[0]

    def fold_with_origins(self, text: str) -> tuple[str, list[int]]:
        """Return the folded text and, for each folded character, the index it came from."""
        pieces: list[str] = []
        origins: list[int] = []
        for i, ch in enumerate(text):
            folded = _fold_char(ch, self.lowercase)
            pieces.append(folded)
            if len(folded) == 1:
                origins.append(i)
            else:
                origins.extend([i] * len(folded))
        width_folded = "".join(pieces)
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
