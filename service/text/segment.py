"""Word segmentation on a private jieba tokenizer.

jieba's module-level functions share one global dictionary that `add_word`
changes for the whole process; a private `jieba.Tokenizer` keeps this service's
segmentation independent of whatever else runs in the process.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba

# jieba announces dictionary loading on stderr at DEBUG level; that noise
# would land in every CLI run.
jieba.setLogLevel(logging.WARNING)


class Segmenter:
    def __init__(self, user_dict: Path | None = None) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False
        self.user_dict = user_dict

    def _ensure_ready(self) -> None:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self._tokenizer.initialize()
                    if self.user_dict is not None:
                        # Every process loads the same file the same way, so all of them cut text alike.
                        self._tokenizer.load_userdict(str(self.user_dict))
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
