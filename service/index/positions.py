"""Where each pair of characters stands in every article: phrases verified from the index, not the articles.

An article's *squashed text* is its headline texts (title, kicker, subtitle) and body, each folded
(`Analyzer.fold`), joined, without spaces, punctuation or underscores: what a quoted phrase must be a
substring of. The `pairs` part of an index holds, for every position of every squashed text, the term
starting there: the pair of characters at that position, or the lone last character at the last one. So every
character of every squashed text starts exactly one term, and the index holds as many positions as characters.

Positions are *global*: the squashed texts of documents 0, 1, 2, ... are laid end to end with one unused place
after each, so document d's characters are at `starts[d] .. starts[d] + length[d] - 1`, with
`starts[d] = sum(length[i] + 1 for i < d)`. A term's positions are one ascending slice of `positions.npy`;
its documents and their frequencies follow from `starts`, so no per-document lists are stored. The unused
place between documents means no phrase is found across two of them: the pair that would cover it does not
exist.

A key of two characters or more is found from the pairs at offsets 0, 2, 4, ... and len - 2 of it: they cover
every character, and every pair of the text is indexed, so the key starts at `s` exactly where each of those
pairs stands at `s + offset`. A one-character key is found through the terms that begin with it (pairs and the
lone last character), which lie next to each other in the sorted term list.
"""

from __future__ import annotations

import bisect
import re
from functools import partial
from typing import Sequence

import numpy as np

from .postings import SortedTerms, TermNumbers, member
from .sorting import stable_order

PAIRS = "pairs"
_NOT_WORD = re.compile(r"[\W_]+")
# A term is coded as one integer whose order is the code-point order of the term text: the first character's
# code point shifted past any code point (all are below 2**21), then the second's plus one (0 for none).
_SHIFT = 21
_UNUSED = 0x0A  # never in a squashed text (a line break is no word character): the place between documents


def squashed(folded: str) -> str:
    """Folded text without spaces, punctuation or underscores: where a phrase's words stand side by side."""
    return _NOT_WORD.sub("", folded)


def position_dtype(span: int) -> np.dtype:
    """Positions below `span` as 4 bytes where they fit (about four billion characters), 8 beyond."""
    return np.dtype("<u4") if span <= 2 ** 32 else np.dtype("<i8")


def doc_starts(doc_lengths: np.ndarray) -> np.ndarray:
    """Where each document's squashed text begins among the global positions, and the end of the last (n + 1)."""
    starts = np.zeros(doc_lengths.size + 1, dtype=np.int64)
    np.cumsum(doc_lengths.astype(np.int64) + 1, out=starts[1:])
    return starts


def terms_and_positions(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(term codes, global positions) of every character of `texts` (squashed texts of documents 0, 1, ...),
    sorted by term, positions ascending within each term; the positions in `position_dtype`.

    A batch of analysis holds millions of characters, so no more arrays of that length are alive at once than
    the sort needs: the characters as 4-byte code points, the positions, the codes and the order.
    """
    if not texts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    # The line breaks are the unused places between documents; the last one ends the last document's last pair.
    points = np.frombuffer(("\n".join(texts) + "\n").encode("utf-32-le"), dtype="<u4")
    positions = np.flatnonzero(points != _UNUSED).astype(position_dtype(points.size), copy=False)
    codes = points[positions].astype(np.int64)
    codes <<= _SHIFT
    following = points[positions + 1].astype(np.int64)
    del points
    unused = following == _UNUSED
    following += 1
    following[unused] = 0
    del unused
    codes |= following
    del following
    order = stable_order(codes)  # positions stay ascending within each term
    codes = codes[order]
    positions = positions[order]
    return codes, positions


def code_of(term: str) -> int:
    first = ord(term[0]) << _SHIFT
    return first | (ord(term[1]) + 1) if len(term) == 2 else first


def lines_of_codes(codes: np.ndarray) -> bytes:
    """`terms.txt` of ascending term codes: UTF-8, one term a line."""
    if codes.size == 0:
        return b""
    codes = codes.astype(np.int64)
    second = codes & ((1 << _SHIFT) - 1)
    points = np.empty((codes.size, 3), dtype="<u4")
    points[:, 0] = codes >> _SHIFT
    points[:, 1] = np.maximum(second - 1, 0)
    points[:, 2] = 0x0A
    keep = np.ones((codes.size, 3), dtype=bool)
    keep[:, 1] = second != 0
    return points[keep].tobytes().decode("utf-32-le").encode("utf-8")


def codes_of_lines(data: bytes) -> np.ndarray:
    """The term codes of a `terms.txt`; ValueError where a line is not one or two characters."""
    points = np.frombuffer(data.decode("utf-8").encode("utf-32-le"), dtype="<u4").astype(np.int64)
    ends = np.flatnonzero(points == 0x0A)
    if points.size and (ends.size == 0 or ends[-1] != points.size - 1):
        raise ValueError("terms.txt does not end with a line break")
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64) if ends.size else ends
    lengths = ends - starts
    if np.any((lengths < 1) | (lengths > 2)):
        raise ValueError("a term of the pairs is not one or two characters")
    second = np.where(lengths == 2, points[np.minimum(starts + 1, max(points.size - 1, 0))] + 1, 0)
    return (points[starts] << _SHIFT) | second


class Positions:
    """The `pairs` part of an opened generation: where a squashed key occurs, document by document.

    Read-only over memory-mapped arrays; the lookups keep nothing but the term numbers they found.
    """

    def __init__(self, terms: SortedTerms | Sequence[str], term_offsets: np.ndarray, positions: np.ndarray,
                 doc_lengths: np.ndarray):
        self.terms = terms
        self.term_offsets = term_offsets
        self.positions = positions
        self.doc_lengths = doc_lengths
        self.starts = doc_starts(doc_lengths)
        self._number = TermNumbers(terms)
        if isinstance(terms, SortedTerms):
            self._first_at_or_after = terms.first_at_or_after
        else:
            self._first_at_or_after = partial(bisect.bisect_left, list(terms))

    @property
    def n_docs(self) -> int:
        return int(self.doc_lengths.size)

    def docs_with(self, key: str, within: np.ndarray | None = None) -> np.ndarray:
        """Documents (ascending) whose squashed text holds `key` (folded and squashed already); only those
        among `within` (ascending document numbers) when given, in its dtype."""
        dtype = within.dtype if within is not None else np.int32
        if not key:  # the empty string is in every text, as `in` finds it
            return within if within is not None else np.arange(self.n_docs, dtype=np.int32)
        if within is not None and within.size == 0:
            return within
        if len(key) == 1:
            docs = self._docs_of(self._lone_character(key), within, ascending=False)
        else:
            docs = self._docs_of(self._starts(key, within), within, ascending=True)
        return docs.astype(dtype, copy=False)

    def occurrences(self, key: str, within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents, start positions in their squashed texts) of every occurrence of `key` in the documents
        among `within` (ascending), sorted by document then position."""
        if not key or within.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        found = self._lone_character(key) if len(key) == 1 else self._starts(key, within)
        docs = np.searchsorted(self.starts, found, side="right") - 1
        inside = _among(docs, within)
        docs, found = docs[inside], found[inside]
        if len(key) == 1:  # a global position orders by document, then by place in it
            order = np.argsort(found, kind="stable")
            docs, found = docs[order], found[order]
        return docs, found - self.starts[docs]

    # --- the lookups ------------------------------------------------------------------------------------

    def _slice(self, term: str) -> np.ndarray | None:
        number = self._number(term)
        if number is None:
            return None
        return self.positions[int(self.term_offsets[number]):int(self.term_offsets[number + 1])]

    def _starts(self, key: str, within: np.ndarray | None) -> np.ndarray:
        """Global start positions (ascending, int64) of `key` (two characters or more): all of them, or at
        least all of those inside `within`'s documents."""
        length = len(key)
        offsets = sorted(set(range(0, length - 1, 2)) | {length - 2})
        pairs = []
        for offset in offsets:
            found = self._slice(key[offset:offset + 2])
            if found is None or found.size == 0:
                return np.empty(0, dtype=np.int64)
            pairs.append((found.size, offset, found))
        pairs.sort(key=lambda p: p[0])  # the rarest pair gives the fewest candidates to check
        _, offset, rarest = pairs[0]
        if within is not None and within.size * 8 < rarest.size:
            rarest = self._inside(rarest, within)  # a few binary searches per document beat a pass
        candidates = rarest.astype(np.int64) - offset
        candidates = candidates[candidates >= 0]
        for _, offset, found in pairs[1:]:
            if candidates.size == 0:
                break
            candidates = candidates[_held(candidates + offset, found)]
        return candidates

    def _inside(self, found: np.ndarray, within: np.ndarray) -> np.ndarray:
        """The positions among `found` (ascending) that lie in `within`'s documents, ascending."""
        docs = within.astype(np.int64)
        limit = np.iinfo(found.dtype).max
        lows = np.searchsorted(found, np.minimum(self.starts[docs], limit).astype(found.dtype))
        highs = np.searchsorted(found, np.minimum(self.starts[docs + 1], limit).astype(found.dtype))
        sizes = highs - lows
        total = int(sizes.sum())
        if total == 0:
            return found[:0]
        # Each document's slice of `found`, one after another.
        at = np.arange(total, dtype=np.int64) + np.repeat(lows - (np.cumsum(sizes) - sizes), sizes)
        return found[at]

    def _lone_character(self, key: str) -> np.ndarray:
        """Global positions (int64) where the character `key` stands: where a term beginning with it starts.

        The terms beginning with it are one run of the sorted term list (the character alone, then its pairs),
        so their positions are one slice, ascending term by term but not as a whole.
        """
        first = self._first_at_or_after(key)
        last = self._first_at_or_after(chr(ord(key) + 1)) if ord(key) < 0x10FFFF else len(self.terms)
        return self.positions[int(self.term_offsets[first]):int(self.term_offsets[last])].astype(np.int64)

    def _docs_of(self, found: np.ndarray, within: np.ndarray | None, ascending: bool) -> np.ndarray:
        """The distinct documents (ascending) holding the global positions `found` (`ascending` or not), among
        `within` if given."""
        if found.size == 0:
            return np.empty(0, dtype=np.int64)
        docs = np.searchsorted(self.starts, found, side="right") - 1
        if ascending:
            first = np.empty(docs.size, dtype=bool)
            first[0] = True
            np.not_equal(docs[1:], docs[:-1], out=first[1:])
            docs = docs[first]
        else:  # cheaper than sorting millions of places for a common character
            held = np.zeros(self.n_docs, dtype=bool)
            held[docs] = True
            docs = np.flatnonzero(held)
        if within is not None:
            docs = docs[member(docs, within.astype(np.int64), self.n_docs)]
        return docs


def _held(needles: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Which of `needles` (ascending, distinct, int64) are among `found` (ascending, distinct), as a mask."""
    if needles.size == 0 or found.size == 0:
        return np.zeros(needles.size, dtype=bool)
    if needles.size <= found.size:
        # Needles past the largest position the dtype holds are in no slice; clipped, they still compare unequal.
        clipped = np.minimum(needles, np.iinfo(found.dtype).max).astype(found.dtype)
        where = np.searchsorted(found, clipped)
        np.minimum(where, found.size - 1, out=where)
        return found[where] == needles
    # Fewer positions than needles: look each position up among the needles instead.
    where = np.searchsorted(needles, found.astype(np.int64))
    np.minimum(where, needles.size - 1, out=where)
    mask = np.zeros(needles.size, dtype=bool)
    mask[where[needles[where] == found]] = True
    return mask


def _among(docs: np.ndarray, within: np.ndarray) -> np.ndarray:
    """Which of `docs` (any order, repeats allowed) are in `within` (ascending, distinct), as a mask."""
    if docs.size == 0 or within.size == 0:
        return np.zeros(docs.size, dtype=bool)
    where = np.searchsorted(within, docs)
    np.minimum(where, within.size - 1, out=where)
    return within[where] == docs
