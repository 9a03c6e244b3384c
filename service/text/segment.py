"""Word segmentation on a private jieba tokenizer.

jieba's module-level functions share one global dictionary that `add_word`
changes for the whole process; a private `jieba.Tokenizer` keeps this service's
segmentation independent of whatever else runs in the process.
"""

from __future__ import annotations

import logging
import threading

import jieba

# jieba announces dictionary loading on stderr at DEBUG level; that noise
# would land in every CLI run.
jieba.setLogLevel(logging.WARNING)


class Segmenter:
    def __init__(self) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False

    def _ensure_ready(self) -> None:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self._tokenizer.initialize()
                    self._ready = True

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """Search-mode tokens (word, start, end): long words and the known words inside them."""
        self._ensure_ready()
        return list(self._tokenizer.tokenize(text, mode="search", HMM=True))

    @property
    def dictionary_name(self) -> str:
        return str(self._tokenizer.dictionary)

    @staticmethod
    def version() -> str:
        return jieba.__version__
