"""The one analyzer: the same steps for documents, queries, highlights and summaries."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from functools import partial
from pathlib import Path
from typing import NamedTuple, Sequence

import opencc

from .ngrams import cjk_bigrams, cjk_unigrams
from .normalize import Folder
from .segment import Segmenter

# Bump when a change to the steps below would tokenise any text differently.
# 3: words cut by jieba-rs where it cuts as jieba does (service/text/segment.py).
ANALYZER_VERSION = 3

# Terms remembered by `_Searchable`; past this many the memory starts afresh.
_SEARCHABLE_MEMORY = 1_000_000


class Token(NamedTuple):
    term: str  # folded form, the unit of matching
    start: int  # offsets into the ORIGINAL text
    end: int


_token_from_tuple = partial(tuple.__new__, Token)


def _is_word(term: str) -> bool:
    """A term with at least one letter or digit; punctuation, symbols and spaces are not searched."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in term)


class _Searchable(dict):
    """term -> whether it is searched (a word, not a stopword), each term worked out once."""

    def __init__(self, stopwords: frozenset[str]):
        super().__init__()
        self.stopwords = stopwords

    def __missing__(self, term: str) -> bool:
        searched = _is_word(term) and term not in self.stopwords
        self[term] = searched
        return searched


class Channels(NamedTuple):
    """One text analysed every way the index matches it."""

    words: list[Token]  # jieba search-mode words
    grams: list[Token]  # overlapping CJK bigrams (a lone CJK character as itself)
    chars: list[Token]  # every CJK character


def _read_stopwords(path: Path | None, folder: Folder) -> frozenset[str]:
    if path is None:
        return frozenset()
    words = set()
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(folder.fold(word))
    return frozenset(words)


def _file_digest(path: Path | None) -> str | None:
    return None if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


class Analyzer:
    def __init__(self, opencc_config: str = "t2s", lowercase: bool = True, *, user_dict: Path | None = None,
                 stopwords: Path | None = None):
        self.folder = Folder(opencc_config, lowercase)
        self.segmenter = Segmenter(user_dict)
        self.stopwords = _read_stopwords(stopwords, self.folder)
        self._searchable = _Searchable(self.stopwords)
        self._files = {"user_dict": _file_digest(user_dict), "stopwords": _file_digest(stopwords)}

    @classmethod
    def from_config(cls, config) -> "Analyzer":
        return cls(opencc_config=config.analysis_opencc, lowercase=config.analysis_lowercase,
                   user_dict=config.analysis_user_dict, stopwords=config.analysis_stopwords)

    def _searched(self) -> _Searchable:
        searchable = self._searchable
        if len(searchable) > _SEARCHABLE_MEMORY:
            searchable.clear()
        return searchable

    def words_of_folded(self, folded: str, origins: Sequence[int]) -> list[Token]:
        """Words of text already folded by `self.folder.fold_with_origins`, offsets into the original text."""
        searched = self._searched()
        tokens = self.segmenter.tokenize(folded)
        if type(origins) is range:  # the folder's sign that offsets did not move
            # The segmenter's (word, start, end) tuples become Tokens as they are: tuple.__new__ called from C,
            # not Token._make's Python frame for each of an article's thousand tokens.
            make = _token_from_tuple
            return [make(token) for token in tokens if searched[token[0]]]
        return [Token(word, origins[start], origins[end - 1] + 1) for word, start, end in tokens if searched[word]]

    def terms_of_folded(self, folded: str) -> list[str]:
        """The terms of `words_of_folded`, without their offsets."""
        return list(filter(self._searched().__getitem__, self.segmenter.words(folded)))

    def fold_with_origins(self, text: str) -> tuple[str, Sequence[int]]:
        """The folded text and, for each of its characters, the index in `text` it came from."""
        return self.folder.fold_with_origins(text)

    def analyze(self, text: str) -> list[Token]:
        """Words, with offsets into `text`."""
        return self.words_of_folded(*self.folder.fold_with_origins(text))

    def _located(self, grams: list[tuple[str, int, int]], origins) -> list[Token]:
        return [Token(g, origins[s], origins[e - 1] + 1) for g, s, e in grams if g not in self.stopwords]

    def channels(self, text: str) -> Channels:
        """Words, bigrams and characters from one folding of `text`, offsets into `text`."""
        folded, origins = self.folder.fold_with_origins(text)
        return Channels(self.words_of_folded(folded, origins), self._located(cjk_bigrams(folded), origins),
                        self._located(cjk_unigrams(folded), origins))

    def bigrams(self, text: str) -> list[Token]:
        """The bigrams channel of `text` alone, offsets into `text`: no segmentation."""
        folded, origins = self.folder.fold_with_origins(text)
        return self._located(cjk_bigrams(folded), origins)

    def terms(self, text: str) -> list[str]:
        return [token.term for token in self.analyze(text)]

    def fold(self, text: str) -> str:
        return self.folder.fold(text)

    @property
    def description(self) -> dict:
        """Everything that decides how text is tokenised: what the fingerprint is made from."""
        return {
            "analyzer_version": ANALYZER_VERSION,
            "unicode": unicodedata.unidata_version,
            "opencc": [getattr(opencc, "__version__", "unknown"), self.folder.opencc_config],
            "lowercase": self.folder.lowercase,
            "segmentation": self.segmenter.description,
            "user_dict": self._files["user_dict"],
            "stopwords": self._files["stopwords"],
        }

    @property
    def fingerprint(self) -> str:
        """Changes whenever the same text could be tokenised differently; indexes record it."""
        blob = json.dumps(self.description, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]
