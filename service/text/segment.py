"""Word segmentation: jieba's search mode, cut by jieba-rs (rjieba) where it cuts exactly as jieba does.

jieba cuts text in blocks (runs of `jieba.re_han_default`: CJK characters U+4E00..U+9FD5, ASCII letters and
digits, and `+#&._%-`), each on its own. jieba-rs, with jieba's own `dict.txt` loaded, cuts those blocks the same
way, about ten times faster, except in two cases:

- a block holding one of `+#&._%-` (`1993-1996`, `x-15`, `1.5%`): jieba-rs's guess at unknown words splits
  numbers and symbols its own way there;
- jieba-rs's blocks also take CJK characters outside U+4E00..U+9FD5 (extension A, U+9FD6..U+9FFF, compatibility
  and astral ideographs), where jieba's blocks end.

So every maximal jieba-rs block that holds any character of those two kinds is cut by jieba (a private
`jieba.Tokenizer`, never the global one) and the rest by jieba-rs. Both libraries cut blocks independently, and a
jieba-rs block always begins and ends where jieba's blocks do, so the result is jieba's, token for token and in
jieba's order (`tests/text/test_segment.py` holds both to the same output on the fixture texts).

One difference remains: jieba-rs's hidden Markov model (the guess at words not in the dictionary) keeps its
probabilities with fewer digits than jieba's. Where two cuts of an unknown stretch score within about 1e-7 of
each other the two can choose differently: `常在较` is `常 在 较` in jieba and `常在 较` in jieba-rs. On the
CMRC 2018 and DRCD corpora (1.46 million characters folded) that is one place; the analyzer fingerprint names
the segmenter, so an index always matches the segmenter that reads queries against it.

With a user dictionary, everything is cut by jieba: its words must weigh in every block exactly as jieba
weighs them.

Loading the whole dictionary into jieba-rs takes a sixth of a second; a process that cuts only a few short texts
(a command-line search: the query, a title) need not. jieba-rs cuts a block from the dictionary words that
are substrings of that block and from the sum of all the dictionary's frequencies, nothing else: a segmenter
holding just the words found in the text, plus one word that can never be found (a control character, which
no block holds) carrying the rest of the total, cuts that text exactly as the whole dictionary does. The words
are looked up in a sorted copy of the dictionary kept in the user's cache folder (`_SortedDictionary`); after
`_SMALL_BUDGET_CHARS` characters cut that way, or at the first longer text, the whole dictionary is loaded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import logging
import os
import re
import threading
from collections import deque
from pathlib import Path

# The CJK ranges of jieba-rs's block class, beyond jieba's U+4E00..U+9FD5.
_WIDER_CJK = ("\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002b73f"
              "\U0002b740-\U0002b81f\U0002b820-\U0002ceaf\U0002ceb0-\U0002ebef\U0002f800-\U0002fa1f")
_RJIEBA_BLOCK = "\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-" + _WIDER_CJK
_JIEBA_ONLY = "+#&._%\\-" + _WIDER_CJK
# A whole jieba-rs block holding a character jieba-rs does not cut as jieba does. The look-behind makes a
# match start only at a block's first character, which keeps the search linear.
_FOR_JIEBA = re.compile(f"(?<![{_RJIEBA_BLOCK}])[{_RJIEBA_BLOCK}]*[{_JIEBA_ONLY}][{_RJIEBA_BLOCK}]*")

_load_lock = threading.Lock()
_rjieba = None
_plain_jieba = None  # jieba without a user dictionary, shared as jieba-rs is: nothing changes it after loading

# Texts up to this long are cut by a segmenter holding only their dictionary words, until this many characters
# have been cut so; then the whole dictionary is worth loading (a few hundred short texts cost what it costs).
_SMALL_TEXT_CHARS = 256
_SMALL_BUDGET_CHARS = 4000
_small_chars = 0
# The word that carries the rest of the dictionary's total: a control character no jieba-rs block holds.
_REST_OF_TOTAL = "\x01"
_SORTED_FORMAT = "jiansuo-sorted-jieba-dictionary 1"
_sorted: "_SortedDictionary | None | bool" = None  # False: none can be had in this process


def _jieba_dictionary() -> Path:
    spec = importlib.util.find_spec("jieba")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "dict.txt"


@functools.lru_cache(maxsize=1)
def _rjieba_class():
    """jieba-rs's `Jieba` class, from its extension module alone.

    Importing the `rjieba` package builds a module-level segmenter from jieba-rs's embedded dictionary (about
    70 ms), which is never used here: the dictionary loaded is jieba's own. Loading the extension by itself
    skips that; it is the same module `rjieba` re-exports its class from.
    """
    spec = importlib.util.find_spec("rjieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("rjieba is not installed")
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).glob("rjieba*.so")) + sorted(Path(folder).glob("rjieba*.pyd")):
            loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(path))
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader("rjieba.rjieba", loader))
            loader.exec_module(module)
            return module.Jieba
    import rjieba  # a layout this does not know: the package import works everywhere

    return rjieba.Jieba


def _add_dictionary(segmenter, path: Path) -> None:
    """Every `word freq tag` line of jieba's dictionary added in file order, as `add_word` takes them."""
    text = path.read_text(encoding="utf-8")
    fields = text.split()
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    try:
        # Every line a word, its frequency and its tag (jieba's own file is so): fed to add_word by C loops
        # rather than line by line in Python. A line with fewer or more fields puts a tag where a frequency
        # should be, which int() refuses before anything is added.
        frequencies = list(map(int, fields[1::3])) if len(fields) == 3 * lines else None
    except ValueError:
        frequencies = None
    add_word = segmenter.add_word
    if frequencies is not None:
        deque(map(add_word, fields[0::3], frequencies, fields[2::3]), maxlen=0)
        return
    for line in text.splitlines():
        parts = line.split()
        if parts:
            add_word(parts[0], int(parts[1]), parts[2] if len(parts) > 2 else None)


def _rjieba_segmenter():
    """jieba-rs with jieba's `dict.txt`: one per process, shared, never changed after loading."""
    global _rjieba
    if _rjieba is None:
        with _load_lock:
            if _rjieba is None:
                # Loading jieba's own dictionary (under a fifth of a second) into an empty segmenter makes the
                # word table jieba's by construction, whatever copy jieba-rs embeds.
                segmenter = _rjieba_class().empty()
                _add_dictionary(segmenter, _jieba_dictionary())
                _rjieba = segmenter
    return _rjieba


class _SortedDictionary:
    """jieba's dictionary as jieba-rs holds it once every line is added in order (a repeated word keeps its first
    tag and its last frequency; the total is the sum of the words' frequencies), its words sorted in UTF-8 byte
    order, one `word<TAB>freq<TAB>tag` a line, looked up by binary search where they lie."""

    def __init__(self, body: bytes, total: int, longest: int):
        self.body = body
        self.total = total
        self.longest = longest

    @classmethod
    def build(cls, text: str) -> "_SortedDictionary":
        entries: dict[str, list] = {}
        for line in text.splitlines():
            parts = line.split()
            if not parts:
                continue
            entry = entries.get(parts[0])
            if entry is None:
                entries[parts[0]] = [int(parts[1]), parts[2] if len(parts) > 2 else ""]
            else:  # as add_word does to a word it holds: the new frequency, the old tag
                entry[0] = int(parts[1])
        words = sorted(entries, key=lambda word: word.encode("utf-8"))
        body = "".join(f"{word}\t{entries[word][0]}\t{entries[word][1]}\n" for word in words).encode("utf-8")
        return cls(body, sum(entry[0] for entry in entries.values()), max(map(len, words), default=0))

    def to_bytes(self, source_digest: str) -> bytes:
        header = (f"{_SORTED_FORMAT} {source_digest} {self.total} {self.longest} "
                  f"{hashlib.sha256(self.body).hexdigest()}\n")
        return header.encode("ascii") + self.body

    @classmethod
    def from_bytes(cls, data: bytes, source_digest: str) -> "_SortedDictionary | None":
        """The dictionary written by `to_bytes` for the source with this digest; None for anything else."""
        header, newline, body = data.partition(b"\n")
        fields = header.decode("ascii", "replace").rsplit(" ", 4)
        if (not newline or len(fields) != 5 or fields[0] != _SORTED_FORMAT or fields[1] != source_digest
                or not fields[2].isdigit() or not fields[3].isdigit()
                or hashlib.sha256(body).hexdigest() != fields[4]):
            return None
        return cls(body, int(fields[2]), int(fields[3]))

    def _first_at_or_after(self, key: bytes) -> int:
        """Where the first line not sorting before `key` starts (the length of the body when none).

        A binary search over byte offsets, each probe widened to the line it falls in: no table of line starts
        to build first.
        """
        body = self.body
        lo, hi = 0, len(body)  # lo is a line start, and so is hi unless it is the end
        while lo < hi:
            mid = (lo + hi) // 2
            newline = body.rfind(b"\n", lo, mid)
            start = lo if newline < 0 else newline + 1
            end = body.find(b"\n", start)
            if body[start:end] < key:
                lo = end + 1
            else:
                hi = start
        return lo

    def words_in(self, text: str) -> list[tuple[str, int, str]]:
        """(word, frequency, tag) of every dictionary word that is a substring of `text`."""
        found = []
        body = self.body
        for i in range(len(text)):
            for end in range(i + 1, min(len(text), i + self.longest) + 1):
                if text[end - 1].isspace():  # no word holds a space (nor a TAB or a line end, this file's marks)
                    break
                key = text[i:end].encode("utf-8", "surrogatepass")
                at = self._first_at_or_after(key)
                # Lines sort as their words do (TAB sorts before every character of a word), so the first line
                # at or after `key` starts with it if any word does; if none, no longer substring is a word.
                if not body.startswith(key, at):
                    break
                if body.startswith(key + b"\t", at):
                    _, frequency, tag = body[at:body.find(b"\n", at)].decode("utf-8").split("\t")
                    found.append((text[i:end], int(frequency), tag))
        return found

    def segmenter_for(self, text: str):
        """A jieba-rs segmenter that cuts `text` as one holding the whole dictionary does."""
        segmenter = _rjieba_class().empty()
        held = 0
        for word, frequency, tag in dict.fromkeys(self.words_in(text)):
            segmenter.add_word(word, frequency, tag)
            held += frequency
        segmenter.add_word(_REST_OF_TOTAL, self.total - held, None)
        return segmenter


def _cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder to be found
            return None
    return Path(base) / "jiansuo"


def _sorted_dictionary() -> _SortedDictionary | None:
    """The sorted copy of jieba's dictionary, read from the cache folder, or made (and kept there) when the
    cache lacks a sound one for this dictionary file; None when neither can be had."""
    global _sorted
    if _sorted is None:
        with _load_lock:
            if _sorted is None:
                try:
                    _sorted = _read_or_make_sorted() or False
                except (OSError, ValueError, UnicodeDecodeError, IndexError):
                    _sorted = False
    return _sorted or None


def _read_or_make_sorted() -> _SortedDictionary | None:
    raw = _jieba_dictionary().read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    folder = _cache_dir()
    path = folder / f"jieba-dict-{digest[:16]}.sorted" if folder is not None else None
    if path is not None:
        try:
            found = _SortedDictionary.from_bytes(path.read_bytes(), digest)
        except OSError:
            found = None
        if found is not None:
            return found
    made = _SortedDictionary.build(raw.decode("utf-8"))
    if path is not None:
        # Written whole under another name, then renamed: a reader never sees half a file.
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(made.to_bytes(digest))
            os.replace(partial, path)
        except OSError:  # a cache that cannot be written costs this process nothing more
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
    return made


def _small_segmenter(text: str):
    """A segmenter holding only `text`'s dictionary words, while texts are short and few; else None."""
    global _small_chars
    if len(text) > _SMALL_TEXT_CHARS or _small_chars + len(text) > _SMALL_BUDGET_CHARS:
        return None
    dictionary = _sorted_dictionary()
    if dictionary is None:
        return None
    _small_chars += len(text)
    return dictionary.segmenter_for(text)


def _new_jieba(user_dict: Path | None):
    import jieba

    # jieba announces dictionary loading on stderr at DEBUG level; that noise
    # would land in every CLI run.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    if user_dict is not None:
        # Every process loads the same file the same way, so all of them cut text alike.
        tokenizer.load_userdict(str(user_dict))
    return tokenizer


def _shared_jieba():
    global _plain_jieba
    if _plain_jieba is None:
        with _load_lock:
            if _plain_jieba is None:
                _plain_jieba = _new_jieba(None)
    return _plain_jieba


class Segmenter:
    def __init__(self, user_dict: Path | None = None) -> None:
        self._tokenizer = None  # a private jieba.Tokenizer (never jieba's global one), made when first needed
        self._lock = threading.Lock()
        self.user_dict = user_dict

    def _jieba(self):
        if self._tokenizer is None:
            if self.user_dict is None:
                self._tokenizer = _shared_jieba()
            else:
                with self._lock:
                    if self._tokenizer is None:
                        self._tokenizer = _new_jieba(self.user_dict)
        return self._tokenizer

    def _jieba_tokens(self, text: str) -> list[tuple[str, int, int]]:
        return list(self._jieba().tokenize(text, mode="search", HMM=True))

    def load(self) -> None:
        """Load the whole dictionary now (a process that will cut many texts), not when a long text needs it."""
        if self.user_dict is not None:
            self._jieba()
        else:
            _rjieba_segmenter()

    @staticmethod
    def _rjieba_for(text: str):
        """jieba-rs with the whole dictionary once loaded; before, for a short text, one holding its words."""
        if _rjieba is not None:
            return _rjieba
        small = _small_segmenter(text)
        return small if small is not None else _rjieba_segmenter()

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """Search-mode tokens (word, start, end): long words and the known words inside them."""
        if self.user_dict is not None:
            return self._jieba_tokens(text)
        rjieba = self._rjieba_for(text)
        position = 0
        tokens: list[tuple[str, int, int]] = []
        for match in _FOR_JIEBA.finditer(text):
            start, end = match.span()
            if start > position:
                tokens += _shifted(rjieba.tokenize(text[position:start], "search", True), position)
            tokens += _shifted(self._jieba_tokens(match.group()), start)
            position = end
        if position == 0:
            return rjieba.tokenize(text, "search", True)
        if position < len(text):
            tokens += _shifted(rjieba.tokenize(text[position:], "search", True), position)
        return tokens

    def words(self, text: str) -> list[str]:
        """The words of `tokenize`, in the same order, without offsets (cheaper where only terms count)."""
        if self.user_dict is not None:
            return [token[0] for token in self._jieba_tokens(text)]
        rjieba = self._rjieba_for(text)
        position = 0
        words: list[str] = []
        for match in _FOR_JIEBA.finditer(text):
            start, end = match.span()
            if start > position:
                words += rjieba.cut_for_search(text[position:start], True)
            words += [token[0] for token in self._jieba_tokens(match.group())]
            position = end
        if position == 0:
            return rjieba.cut_for_search(text, True)
        if position < len(text):
            words += rjieba.cut_for_search(text[position:], True)
        return words

    @property
    def name(self) -> str:
        return "jieba" if self.user_dict is not None else "rjieba+jieba"

    @property
    def description(self) -> dict:
        """What decides how text is cut, for the analyzer's fingerprint."""
        description = {"segmenter": self.name, "jieba": _version("jieba"), "dictionary": "jieba/dict.txt",
                       "mode": "search", "hmm": True}
        if self.user_dict is None:
            description["rjieba"] = _version("rjieba")
        return description

    @staticmethod
    def version() -> str:
        return _version("jieba")


def _shifted(tokens: list[tuple[str, int, int]], offset: int) -> list[tuple[str, int, int]]:
    if not offset:
        return tokens
    return [(word, start + offset, end + offset) for word, start, end in tokens]


@functools.lru_cache(maxsize=None)
def _version(package: str) -> str:
    # Reading package metadata scans site-packages: once per process is enough.
    return importlib.metadata.version(package)
