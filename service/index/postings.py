"""Term-major postings: for each term, the documents holding it and how often.

A query touches only its own terms' slices of three flat arrays:
`term_offsets[t]:term_offsets[t+1]` indexes `doc_numbers` and `term_freqs`.
Documents are numbered 0..n-1 in the order they were added; `doc_ids` maps the
numbers back to article ids.
"""

from __future__ import annotations

import mmap
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .bm25 import BM25Params, okapi_idf


_SEARCHES_BEFORE_HEADS = 256


class SortedTerms(Sequence[str]):
    """The terms of `terms.txt` (UTF-8, one a line, sorted by code point) looked up where they lie.

    UTF-8 byte order is code-point order, so a term's number is found by binary search over the raw bytes:
    opening does not make a Python string and a dictionary entry for every term, and the bytes can be a
    memory map the page cache shares between processes. Only the line starts are this process's own.
    """

    def __init__(self, data: bytes | mmap.mmap):
        self._data = data
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)
        self._ends = ends
        self._starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64) if ends.size else ends
        self._heads: np.ndarray | None = None  # `_heads_of_terms`, made once look-ups are many
        self._searched = 0

    def __len__(self) -> int:
        return int(self._ends.size)

    def _bytes(self, number: int) -> bytes:
        return bytes(self._data[int(self._starts[number]):int(self._ends[number])])

    def __getitem__(self, number):  # type: ignore[override]
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        if number < 0:
            number += len(self)
        if not 0 <= number < len(self):
            raise IndexError(number)
        return self._bytes(number).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self._bytes(i).decode("utf-8") for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def number(self, term: str) -> int | None:
        """The term's line number, or None when the index does not hold it."""
        try:
            key = term.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate cannot have been written, so it is not held
            return None
        at = self._lower_bound(key)
        if at < self._ends.size and self._data[int(self._starts[at]):int(self._ends[at])] == key:
            return at
        return None

    def numbers(self, terms: Sequence[str]) -> np.ndarray:
        """Each term's line number, -1 where the index does not hold it (int64). The heads of all the terms are
        placed among the index's at once: an article's keywords ask for a hundred words of every segment, and
        one look-up at a time spent most of its 7 µs in NumPy's call overhead."""
        found = np.full(len(terms), -1, dtype=np.int64)
        keys = []
        for term in terms:
            try:
                keys.append(term.encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate cannot have been written, so it is not held
                keys.append(None)
        if not keys or not self._ends.size:
            return found
        heads_of_keys = np.fromiter((0 if key is None else int.from_bytes(key[:8].ljust(8, b"\0"), "big")
                                     for key in keys), dtype=np.uint64, count=len(keys))
        heads = self._heads_of_terms()
        lows = np.searchsorted(heads, heads_of_keys, "left").tolist()
        highs = np.searchsorted(heads, heads_of_keys, "right").tolist()
        data, starts, ends = self._data, self._starts, self._ends
        for position, (key, lo, hi) in enumerate(zip(keys, lows, highs)):
            if key is None:
                continue
            lo = self._bisect(key, lo, hi)
            if lo < ends.size and data[int(starts[lo]):int(ends[lo])] == key:
                found[position] = lo
        return found

    def first_at_or_after(self, term: str) -> int:
        """The number of the first term not sorting before `term` (`len(self)` when every term does)."""
        return self._lower_bound(term.encode("utf-8", "surrogatepass"))

    def _heads_of_terms(self) -> np.ndarray:
        """Each term's first 8 bytes as a big-endian integer, zero-padded: never out of the terms' own order (a term
        padded sorts at or before every term it begins), so a search among them narrows a look-up to the few terms that share its key's head. A
        binary search in Python over hundreds of thousands of terms took 8 µs a term; an article's keywords
        look up a hundred words in each segment."""
        heads = self._heads
        if heads is None:
            data = np.frombuffer(self._data, dtype=np.uint8)
            starts, lengths = self._starts, self._ends - self._starts
            heads = np.zeros(self._ends.size, dtype=np.uint64)
            last = max(data.size - 1, 0)
            for offset in range(8):
                byte = data[np.minimum(starts + offset, last)].astype(np.uint64) if data.size else heads
                heads = (heads << np.uint64(8)) | np.where(lengths > offset, byte, np.uint64(0))
            self._heads = heads
        return heads

    def _lower_bound(self, key: bytes) -> int:
        lo, hi = 0, int(self._ends.size)
        # The heads cost a pass over every term (28 ms for 591,211): worth it for an ingest's thousands of look-ups,
        # not for a one-off search's few.
        if self._heads is not None or self._searched >= _SEARCHES_BEFORE_HEADS:
            heads = self._heads_of_terms()
            head = np.uint64(int.from_bytes(key[:8].ljust(8, b"\0"), "big"))
            lo, hi = int(np.searchsorted(heads, head, "left")), int(np.searchsorted(heads, head, "right"))
        else:
            self._searched += 1
        return self._bisect(key, lo, hi)

    def _bisect(self, key: bytes, lo: int, hi: int) -> int:
        """The first term number in `lo:hi` whose bytes do not sort before `key` (`hi` when all do)."""
        data, starts, ends = self._data, self._starts, self._ends
        while lo < hi:
            mid = (lo + hi) // 2
            if data[int(starts[mid]):int(ends[mid])] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo


class TermNumbers:
    """Term numbers of a term list, remembered: over `SortedTerms` each lookup is a binary search in Python.
    Forgotten all at once past `_NUMBERS_KEPT`, so a long-running server's memory stays bounded."""

    def __init__(self, terms: Sequence[str]):
        if isinstance(terms, SortedTerms):
            self._lookup: Callable[[str], int | None] = terms.number
        else:
            self._lookup = {term: i for i, term in enumerate(terms)}.get
        self._numbers: dict[str, int | None] = {}

    def __call__(self, term: str) -> int | None:
        try:
            return self._numbers[term]
        except KeyError:
            pass
        number = self._lookup(term)
        if len(self._numbers) >= _NUMBERS_KEPT:
            self._numbers.clear()
        self._numbers[term] = number
        return number


@dataclass
class Postings:
    terms: Sequence[str]  # sorted by code point: a list when built in memory, SortedTerms when opened
    term_offsets: np.ndarray  # int64, len(terms) + 1
    doc_numbers: np.ndarray  # int32
    term_freqs: np.ndarray  # int32
    doc_lengths: np.ndarray  # int32, one per document
    doc_ids: list[str]
    params: BM25Params
    _term_number: TermNumbers = field(init=False, repr=False)
    _idf: np.ndarray = field(init=False, repr=False)
    _avgdl: float = field(init=False, repr=False)
    _doc_numbers: dict[str, int] | None = field(init=False, repr=False, default=None)
    _norms: np.ndarray | None = field(init=False, repr=False, default=None)
    _weights: dict[int, np.ndarray] = field(init=False, repr=False, default_factory=dict)
    _weights_kept: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        self._term_number = TermNumbers(self.terms)
        self._idf = okapi_idf(np.diff(self.term_offsets), len(self.doc_ids), self.params.epsilon)
        total = int(self.doc_lengths.sum(dtype=np.int64))
        self._avgdl = total / len(self.doc_ids) if self.doc_ids else 0.0

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids)

    @property
    def avgdl(self) -> float:
        return self._avgdl

    def number(self, term: str) -> int | None:
        """The term's number (remembered), or None where the index does not hold it."""
        return self._term_number(term)

    def idf(self, term: str) -> float:
        number = self.number(term)
        return 0.0 if number is None else float(self._idf[number])

    def doc_freq(self, term: str) -> int:
        number = self.number(term)
        if number is None:
            return 0
        return int(self.term_offsets[number + 1] - self.term_offsets[number])

    def numbers(self, terms: Sequence[str]) -> np.ndarray:
        """Each term's number, -1 where the index does not hold it (int64), looked up together."""
        if isinstance(self.terms, SortedTerms):
            return self.terms.numbers(terms)
        return np.fromiter((-1 if n is None else n for n in map(self.number, terms)), dtype=np.int64,
                           count=len(terms))

    def doc_freqs(self, terms: Sequence[str]) -> np.ndarray:
        """`doc_freq` of each term (int64), looked up together."""
        numbers = self.numbers(terms)
        held = numbers >= 0
        freqs = np.zeros(len(terms), dtype=np.int64)
        freqs[held] = self.term_offsets[numbers[held] + 1] - self.term_offsets[numbers[held]]
        return freqs

    def doc_numbers_of(self, doc_ids: Iterable[str]) -> list[int]:
        """Document numbers of the given article ids that this index holds."""
        if self._doc_numbers is None:
            self._doc_numbers = {doc_id: n for n, doc_id in enumerate(self.doc_ids)}
        return [self._doc_numbers[i] for i in doc_ids if i in self._doc_numbers]

    @property
    def norms(self) -> np.ndarray:
        """Each document's BM25 length norm, k1 * (1 - b + b * dl / avgdl), worked out once.

        The same float64 expression as `term_weights`, element by element, so scores do not move.
        """
        norms = self._norms
        if norms is None:
            p = self.params
            avgdl = self._avgdl or 1.0
            norms = p.k1 * (1.0 - p.b + p.b * self.doc_lengths.astype(np.float64) / avgdl)
            self._norms = norms
        return norms

    def docs_with(self, term: str) -> np.ndarray:
        """Document numbers holding `term`, ascending."""
        number = self.number(term)
        if number is None:
            return np.empty(0, dtype=np.int32)
        return self.doc_numbers[int(self.term_offsets[number]):int(self.term_offsets[number + 1])]

    def docs_with_all(self, terms: Iterable[str], within: np.ndarray | None = None) -> np.ndarray:
        """Document numbers holding every one of `terms` (none for no terms), ascending; only those among
        `within` (ascending) when given."""
        wanted = set(terms)
        if not wanted:
            return np.empty(0, dtype=np.int32)
        return holding_all(self, wanted, within)

    def term_weights(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents holding `term`, its BM25 weight in each), as `term_weights` gives it."""
        number = self.number(term)
        if number is None or self._avgdl == 0:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        lo, hi = int(self.term_offsets[number]), int(self.term_offsets[number + 1])
        docs = self.doc_numbers[lo:hi]
        weights = self._weights.get(number)
        if weights is None:
            weights = self._weigh(number, self.term_freqs[lo:hi], docs)
            # A common term's weights are what most queries spend their time on: kept (read-only, the same
            # numbers) while the room lasts. The index never changes under a Postings, so they stay right.
            if hi - lo >= WEIGHTS_KEPT_FROM and self._weights_kept + (hi - lo) <= WEIGHTS_KEPT_MAX:
                weights.flags.writeable = False
                self._weights_kept += hi - lo
                self._weights[number] = weights
        return docs, weights

    def _weigh(self, number: int, tfs: np.ndarray, docs: np.ndarray) -> np.ndarray:
        k1 = self.params.k1
        tf = tfs.astype(np.float64)
        return float(self._idf[number]) * (tf * (k1 + 1.0) / (tf + self.norms[docs]))

    def contributions(self, term: str, docs: np.ndarray) -> np.ndarray:
        """`term`'s BM25 weight in each of `docs` (0 where a document does not hold it)."""
        out = np.zeros(docs.size, dtype=np.float64)
        found, weights = self.weights_at(term, docs)
        out[found] = weights
        return out

    def weights_at(self, term: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of `docs` (ascending) hold `term`, as a mask; `term`'s weight in each of those)."""
        number = self.number(term)
        if number is None or self._avgdl == 0 or docs.size == 0:
            return np.zeros(docs.size, dtype=bool), np.empty(0, dtype=np.float64)
        lo, hi = int(self.term_offsets[number]), int(self.term_offsets[number + 1])
        holders = self.doc_numbers[lo:hi]
        if holders.size == 0:
            return np.zeros(docs.size, dtype=bool), np.empty(0, dtype=np.float64)
        where = np.searchsorted(holders, docs)
        np.minimum(where, holders.size - 1, out=where)
        found = holders[where] == docs
        at = where[found]
        return found, self._weigh(number, self.term_freqs[lo:hi][at], holders[at])

    def score(self, query_terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers holding any query term, their BM25 scores), unordered.

        Only the query terms' postings are read. A term repeated in the query
        counts once per occurrence, as in rank-bm25.
        """
        slices = []
        for term, count in Counter(query_terms).items():
            docs, weights = self.term_weights(term)
            if docs.size:
                slices.append((docs, weights * count))
        if not slices:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        if len(slices) == 1:
            docs, weights = slices[0]
            return docs.astype(np.int64), weights
        # Summed term by term in query order, into one slot per document: the sums `np.add.at` made.
        total = np.zeros(self.n_docs, dtype=np.float64)
        held = np.zeros(self.n_docs, dtype=bool)
        for docs, weights in slices:
            total[docs] += weights  # a term's documents are distinct
            held[docs] = True
        candidates = np.flatnonzero(held)
        return candidates, total[candidates]


_NUMBERS_KEPT = 100_000  # remembered term numbers per index, forgotten all at once past this
# Terms in at least this many documents have their BM25 weights kept, up to this many weights per index
# (8 bytes each): 2,000,000 is 16 MB a channel.
WEIGHTS_KEPT_FROM = 2048
WEIGHTS_KEPT_MAX = 2_000_000


class RecentArrays:
    """The arrays of the terms last asked for, up to `budget` postings in all, the least recent forgotten first:
    a query asks for each of its terms two or three times (to match, to choose how to score, to score), and
    gathering a term from every segment (or every shard) each time was much of its cost. The arrays kept are
    made read-only: every query that finds them here shares them."""

    def __init__(self, budget: int):
        self.budget = budget
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0

    def get(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._kept.get(term)
            if found is not None:
                self._kept.move_to_end(term)
            return found

    def __contains__(self, term: str) -> bool:
        with self._lock:
            return term in self._kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._size = 0

    def put(self, term: str, arrays: tuple[np.ndarray, np.ndarray]) -> None:
        size = int(arrays[0].size)
        if size > self.budget:
            return
        for array in arrays:
            array.flags.writeable = False  # shared by the queries that find it here
        with self._lock:
            if term in self._kept:
                return
            self._kept[term] = arrays
            self._size += size
            while self._size > self.budget:
                _, (gone, _) = self._kept.popitem(last=False)
                self._size -= int(gone.size)


def holding_all(postings, wanted: set[str], within: np.ndarray | None) -> np.ndarray:
    """The document numbers of `postings` (anything with `doc_freq`, `docs_with` and `n_docs`) holding every
    one of `wanted`, among `within` when given."""
    result = within
    for term in sorted(wanted, key=postings.doc_freq):  # rarest first keeps the intersections small
        docs = postings.docs_with(term)
        result = docs if result is None else intersect(result, docs, postings.n_docs)
        if result.size == 0:
            break
    return result


def intersect(a: np.ndarray, b: np.ndarray, n_docs: int) -> np.ndarray:
    """The document numbers in both ascending arrays of distinct numbers below `n_docs`, ascending."""
    if a.size > b.size:
        a, b = b, a
    return a[member(a, b, n_docs)]


def member(a: np.ndarray, b: np.ndarray, n_docs: int) -> np.ndarray:
    """Which of `a` are in `b` (both ascending, distinct, below `n_docs`), as a mask over `a`."""
    if a.size == 0 or b.size == 0:
        return np.zeros(a.size, dtype=bool)
    if a.size * 24 < b.size:  # a few binary searches beat a pass over the longer array
        where = np.searchsorted(b, a)
        np.minimum(where, b.size - 1, out=where)
        return b[where] == a
    if b.size * 24 < a.size:
        where = np.searchsorted(a, b)
        np.minimum(where, a.size - 1, out=where)
        mask = np.zeros(a.size, dtype=bool)
        mask[where[a[where] == b]] = True
        return mask
    mark = np.zeros(n_docs, dtype=bool)
    mark[b] = True
    return mark[a]


def union(arrays: list[np.ndarray], n_docs: int) -> np.ndarray:
    """The document numbers in any of the ascending arrays of distinct numbers below `n_docs`, ascending."""
    arrays = [a for a in arrays if a.size]
    if not arrays:
        return np.empty(0, dtype=np.int32)
    if len(arrays) == 1:
        return arrays[0]
    total = sum(a.size for a in arrays)
    if total * 8 < n_docs:
        # A stable sort finds the ascending runs and merges them: far cheaper than `np.unique`, which hashes.
        joined = np.concatenate(arrays)
        joined.sort(kind="stable")
        first = np.empty(joined.size, dtype=bool)
        first[0] = True
        np.not_equal(joined[1:], joined[:-1], out=first[1:])
        return joined[first]
    mark = np.zeros(n_docs, dtype=bool)
    for a in arrays:
        mark[a] = True
    return np.flatnonzero(mark).astype(arrays[0].dtype, copy=False)


def rank(candidates: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate order: higher score first, then earlier-added document first."""
    order = np.lexsort((candidates, -scores))
    return candidates[order], scores[order]


def build(documents: Iterable[tuple[str, list[str]]], params: BM25Params) -> Postings:
    """Build postings from (article id, terms) pairs, in the order given."""
    return build_counted(((doc_id, len(terms), Counter(terms)) for doc_id, terms in documents), params)


def build_counted(documents: Iterable[tuple[str, int, Mapping[str, int]]], params: BM25Params) -> Postings:
    """Build postings from (article id, number of terms, occurrences of each term) triples, in the order
    given: the form an article's terms are kept in between rebuilds."""
    doc_ids: list[str] = []
    doc_lengths: list[int] = []
    by_term: dict[str, list[tuple[int, int]]] = {}
    for number, (doc_id, length, counts) in enumerate(documents):
        doc_ids.append(doc_id)
        doc_lengths.append(length)
        for term, tf in counts.items():
            by_term.setdefault(term, []).append((number, tf))
    terms = sorted(by_term)
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    sizes = np.fromiter((len(by_term[t]) for t in terms), dtype=np.int64, count=len(terms))
    np.cumsum(sizes, out=offsets[1:])
    doc_numbers = np.empty(int(offsets[-1]), dtype=np.int32)
    term_freqs = np.empty(int(offsets[-1]), dtype=np.int32)
    for i, term in enumerate(terms):
        entries = by_term[term]
        lo = offsets[i]
        doc_numbers[lo:lo + len(entries)] = [doc for doc, _ in entries]
        term_freqs[lo:lo + len(entries)] = [tf for _, tf in entries]
    return Postings(terms=terms, term_offsets=offsets, doc_numbers=doc_numbers, term_freqs=term_freqs,
                    doc_lengths=np.asarray(doc_lengths, dtype=np.int32), doc_ids=doc_ids, params=params)
