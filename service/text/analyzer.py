"""The one analyzer: the same steps for documents, queries, highlights and summaries."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import NamedTuple

import opencc

from .normalize import Folder
from .segment import Segmenter

# Bump when a change to the steps below would tokenise any text differently.
ANALYZER_VERSION = 1


class Token(NamedTuple):
    term: str  # folded form, the unit of matching
    start: int  # offsets into the ORIGINAL text
    end: int


def _is_word(term: str) -> bool:
    """A term with at least one letter or digit; punctuation, symbols and spaces are not searched."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in term)


class Analyzer:
    def __init__(self, opencc_config: str = "t2s", lowercase: bool = True):
        self.folder = Folder(opencc_config, lowercase)
        self.segmenter = Segmenter()

    @classmethod
    def from_config(cls, config) -> "Analyzer":
        return cls(opencc_config=config.analysis_opencc, lowercase=config.analysis_lowercase)

    def analyze(self, text: str) -> list[Token]:
        folded, origins = self.folder.fold_with_origins(text)
        tokens = []
        for word, start, end in self.segmenter.tokenize(folded):
            if _is_word(word):
                tokens.append(Token(word, origins[start], origins[end - 1] + 1))
        return tokens

    def terms(self, text: str) -> list[str]:
        return [token.term for token in self.analyze(text)]

    def fold(self, text: str) -> str:
        return self.folder.fold(text)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the same text could be tokenised differently; indexes record it."""
        description = {
            "analyzer_version": ANALYZER_VERSION,
            "unicode": unicodedata.unidata_version,
            "opencc": [getattr(opencc, "__version__", "unknown"), self.folder.opencc_config],
            "lowercase": self.folder.lowercase,
            "jieba": [Segmenter.version(), self.segmenter.dictionary_name.rsplit("/", 1)[-1]],
            "mode": "search",
        }
        blob = json.dumps(description, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]
