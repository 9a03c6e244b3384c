"""A generation of several segments, searched as one index with exact global statistics.

A segmented generation (format version 2) names its *segments*, folders in the single-generation layout of
version 1, in ingest order, and for each the documents of it that were deleted or replaced since it was
written (`deletes/<segment>.npy`). An ingest writes its articles as one new small segment and records the
articles of older segments it replaces, without rewriting them; merges (`index.merging`) fold segments
together later, off the request path.

The segments are opened here as one index whose document numbers are those one merged index would give:
the live documents of the first segment, then those of the second, and so on (a deleted document has no
number). Every statistic BM25 reads is over the live documents of all segments together: N, each channel's
average length, each term's document frequency, and rank-bm25's floor for negative idf (epsilon times the
mean idf over every term some live document holds). So the scores are those of the merged index.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from .positions import Positions
from .postings import WEIGHTS_KEPT_FROM, WEIGHTS_KEPT_MAX, Postings, RecentArrays, SortedTerms

DELETES_DIR = "deletes"
_KEY_BYTES = 16  # a term's prefix compared as one fixed-width NumPy string
_KEY_CHUNK = 1 << 18  # terms turned into keys at a time: bounds the temporary index arrays
_SCAN_POSTINGS = 1 << 24  # postings scanned at a time for the deleted documents' terms
_GATHERED_KEPT = 2_000_000  # document numbers of common terms kept per channel (4 bytes each)
_DOC_FREQS_KEPT = 100_000  # document frequencies remembered per channel, forgotten all at once past this
_RECENT_POSTINGS = 1 << 17  # postings of the other terms last gathered or weighed, kept per channel
_LOOKED_UP_FROM = 1000  # a list this many times longer than the terms sought is searched term by term


class Layout(NamedTuple):
    """Where one segment's documents stand among the generation's."""

    base: int  # the number of its first live document
    live: np.ndarray | None  # its live documents' own numbers, ascending (None: all of them)
    global_of: np.ndarray | None  # its own number -> the generation's (-1: deleted); None: own number + base


def layouts(sizes: Sequence[int], deleted: Sequence[np.ndarray | None]) -> list[Layout]:
    """Each segment's layout from its document count and its deleted documents' numbers."""
    out, base = [], 0
    for size, gone in zip(sizes, deleted):
        if gone is None or gone.size == 0:
            out.append(Layout(base, None, None))
            base += size
            continue
        keep = np.ones(size, dtype=bool)
        keep[gone] = False
        live = np.flatnonzero(keep)
        global_of = np.full(size, -1, dtype=np.int64)
        global_of[live] = np.arange(live.size, dtype=np.int64) + base
        out.append(Layout(base, live, global_of))
        base += int(live.size)
    return out


def live_count(size: int, layout: Layout) -> int:
    return size if layout.live is None else int(layout.live.size)


def deleted_doc_freqs(postings: Postings, deleted: np.ndarray) -> np.ndarray:
    """How many of each term's postings belong to the `deleted` documents (int64 per term): one pass over the
    segment's document numbers, in bounded pieces."""
    counts = np.zeros(len(postings.terms), dtype=np.int64)
    if deleted.size == 0:
        return counts
    mask = np.zeros(len(postings.doc_ids), dtype=bool)
    mask[deleted] = True
    docs, offsets = postings.doc_numbers, postings.term_offsets
    hits = [np.flatnonzero(mask[docs[lo:lo + _SCAN_POSTINGS]]) + lo for lo in range(0, docs.size, _SCAN_POSTINGS)]
    at = np.concatenate(hits) if hits else np.empty(0, dtype=np.int64)
    if at.size:
        counts += np.bincount(np.searchsorted(offsets, at, side="right") - 1, minlength=counts.size)
    return counts


# --- terms of one segment found among another's ---------------------------------------------------------------

_keys_lock = threading.Lock()
# Each open terms list's keys, for as long as the list is in use: a large segment's are made once, not again
# whenever a small segment is added beside it.
_keys: dict[int, tuple[weakref.ref, np.ndarray]] = {}


def _forget_keys(number: int) -> None:
    with _keys_lock:
        _keys.pop(number, None)


def _has_keys(terms: SortedTerms) -> bool:
    with _keys_lock:
        kept = _keys.get(id(terms))
        return kept is not None and kept[0]() is terms


def _prefix_keys(terms: SortedTerms) -> np.ndarray:
    """Every term's first 16 bytes as a NumPy byte string, in term order: they sort as the terms do (no term
    holds a NUL byte, so the padding sorts a prefix first), so one `searchsorted` finds every term at once."""
    with _keys_lock:
        kept = _keys.get(id(terms))
        if kept is not None and kept[0]() is terms:
            return kept[1]
    data = np.frombuffer(terms._data, dtype=np.uint8) if len(terms) else np.zeros(1, dtype=np.uint8)
    starts, ends = terms._starts, terms._ends
    keys = np.empty(len(terms), dtype=f"S{_KEY_BYTES}")
    step = np.arange(_KEY_BYTES, dtype=np.int64)
    for lo in range(0, len(terms), _KEY_CHUNK):
        at = starts[lo:lo + _KEY_CHUNK, None] + step
        inside = at < ends[lo:lo + _KEY_CHUNK, None]
        chunk = np.where(inside, data[np.minimum(at, data.size - 1)], 0).astype(np.uint8)
        keys[lo:lo + _KEY_CHUNK] = chunk.view(f"S{_KEY_BYTES}").ravel()
    with _keys_lock:
        _keys[id(terms)] = (weakref.ref(terms), keys)
    weakref.finalize(terms, _forget_keys, id(terms))
    return keys


def numbers_in(base: SortedTerms, terms: SortedTerms) -> np.ndarray:
    """Each of `terms`' number in `base`, -1 where `base` lacks it (int64)."""
    out = np.full(len(terms), -1, dtype=np.int64)
    if not len(terms) or not len(base):
        return out
    if len(terms) * _LOOKED_UP_FROM < len(base) and not _has_keys(base):
        # A few terms (a small segment's) against a large list whose keys are not made yet (the first segment
        # added after a full build): a binary search each, not keys for every term of the large list.
        for i, term in enumerate(terms):
            number = base.number(term)
            if number is not None:
                out[i] = number
        return out
    base_keys, keys = _prefix_keys(base), _prefix_keys(terms)
    lo = np.searchsorted(base_keys, keys, side="left")
    hi = np.searchsorted(base_keys, keys, side="right")
    short = (terms._ends - terms._starts) < _KEY_BYTES  # the whole term is in its key
    exact = short & (hi > lo)
    out[exact] = lo[exact]
    for i in np.flatnonzero(~short & (hi > lo)).tolist():  # long terms sharing their first 16 bytes
        term = terms._bytes(i)
        for j in range(int(lo[i]), int(hi[i])):
            if base._bytes(j) == term:
                out[i] = j
                break
    return out


def union_idf_floor(channels: Sequence[Postings], live_dfs: Sequence[np.ndarray], n_docs: int,
                    epsilon: float) -> float:
    """rank-bm25's floor for negative idf over the union of the segments' terms: epsilon times the mean idf
    of every term some live document holds, each with its document frequency over all the segments."""
    if not channels:
        return 0.0
    base = max(range(len(channels)), key=lambda i: len(channels[i].terms))
    union = live_dfs[base].astype(np.int64, copy=True)
    others: Counter = Counter()
    for i, (postings, df) in enumerate(zip(channels, live_dfs)):
        if i == base or not len(postings.terms):
            continue
        where = numbers_in(channels[base].terms, postings.terms)
        found = where >= 0
        np.add.at(union, where[found], df[found])
        for j in np.flatnonzero(~found & (df > 0)).tolist():
            others[postings.terms[j]] += int(df[j])
    dfs = np.concatenate((union[union > 0], np.fromiter(others.values(), dtype=np.int64, count=len(others))))
    if dfs.size == 0:
        return 0.0
    df = dfs.astype(np.float64)
    idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    return epsilon * (float(np.sum(idf)) / idf.size)


# --- the segments as one index -------------------------------------------------------------------------------

class SegmentedPostings(Postings):
    """One channel of a segmented generation, answering as the `Postings` of the merged index would.

    A term's postings are gathered from every segment holding it, renumbered, the deleted documents' left
    out; its document frequency and idf are over all the segments' live documents.
    """

    def __init__(self, parts: Sequence[Postings], layout: Sequence[Layout], deleted_dfs: Sequence[np.ndarray | None],
                 doc_ids: list[str], doc_lengths: np.ndarray, params):
        self.parts = list(parts)
        self.layout = list(layout)
        self.deleted_dfs = list(deleted_dfs)
        self.doc_ids = doc_ids
        self.doc_lengths = doc_lengths
        self.params = params
        self.terms = ()  # no one list of terms: each segment has its own
        self._doc_numbers = None
        self._norms = None
        self._weights = {}
        self._weights_kept = 0
        self._gathered: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._gathered_kept = 0
        self._doc_freqs: dict[str, int] = {}
        self._recent_gathered = RecentArrays(_RECENT_POSTINGS)
        self._recent_weights = RecentArrays(_RECENT_POSTINGS)
        total = int(doc_lengths.sum(dtype=np.int64))
        self._avgdl = total / len(doc_ids) if doc_ids else 0.0
        live_dfs = []
        for postings, gone in zip(self.parts, self.deleted_dfs):
            df = np.diff(postings.term_offsets)
            live_dfs.append(df if gone is None else df - gone)
        self._floor = union_idf_floor(self.parts, live_dfs, len(doc_ids), params.epsilon)

    def number(self, term: str) -> int | None:
        raise TypeError("a segmented index has no one term numbering; ask by term")

    def numbers(self, terms: Sequence[str]) -> np.ndarray:
        raise TypeError("a segmented index has no one term numbering; ask by term")

    def doc_freq(self, term: str) -> int:
        # Asked several times a query for each of its terms (to order intersections, to choose how to score):
        # summed over the segments once, remembered.
        known = self._doc_freqs.get(term)
        if known is not None:
            return known
        df = self._doc_freq(term)
        if len(self._doc_freqs) >= _DOC_FREQS_KEPT:
            self._doc_freqs.clear()
        self._doc_freqs[term] = df
        return df

    def _doc_freq(self, term: str) -> int:
        df = 0
        for postings, gone in zip(self.parts, self.deleted_dfs):
            number = postings.number(term)
            if number is not None:
                df += int(postings.term_offsets[number + 1] - postings.term_offsets[number])
                if gone is not None:
                    df -= int(gone[number])
        return df

    def doc_freqs(self, terms: Sequence[str]) -> np.ndarray:
        """`doc_freq` of each term, every segment asked for all of them at once."""
        known = self._doc_freqs
        freqs = np.fromiter((known.get(term, -1) for term in terms), dtype=np.int64, count=len(terms))
        unknown = np.flatnonzero(freqs < 0)
        if not unknown.size:
            return freqs
        asked = [terms[i] for i in unknown.tolist()]
        found = np.zeros(len(asked), dtype=np.int64)
        for postings, gone in zip(self.parts, self.deleted_dfs):
            numbers = postings.numbers(asked)
            held = numbers[numbers >= 0]
            live = postings.term_offsets[held + 1] - postings.term_offsets[held]
            found[numbers >= 0] += live if gone is None else live - gone[held]
        freqs[unknown] = found
        if len(known) + len(asked) > _DOC_FREQS_KEPT:
            known.clear()
        known.update(zip(asked, found.tolist()))
        return freqs

    def idf(self, term: str) -> float:
        df = self.doc_freq(term)
        return 0.0 if df == 0 else self._idf_of(df)

    def _idf_of(self, df: int) -> float:
        value = float(np.log(np.float64(len(self.doc_ids) - df + 0.5)) - np.log(np.float64(df + 0.5)))
        return self._floor if value < 0 else value

    def _gather(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(the documents holding `term`, ascending, int32; how often it occurs in each)."""
        kept = self._gathered.get(term)
        if kept is None:
            kept = self._recent_gathered.get(term)
        if kept is not None:
            return kept
        docs_parts, freqs_parts = [], []
        for postings, where in zip(self.parts, self.layout):
            number = postings.number(term)
            if number is None:
                continue
            lo, hi = int(postings.term_offsets[number]), int(postings.term_offsets[number + 1])
            docs, freqs = postings.doc_numbers[lo:hi], postings.term_freqs[lo:hi]
            if where.global_of is None:
                if where.base:
                    docs = docs + np.int32(where.base)
            else:
                moved = where.global_of[docs]
                alive = moved >= 0
                docs, freqs = moved[alive].astype(np.int32), freqs[alive]
            if docs.size:
                docs_parts.append(docs)
                freqs_parts.append(freqs)
        if not docs_parts:
            found = (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32))
        elif len(docs_parts) == 1:
            found = (docs_parts[0], freqs_parts[0])
        else:
            found = (np.concatenate(docs_parts), np.concatenate(freqs_parts))
        size = found[0].size
        if size >= WEIGHTS_KEPT_FROM and self._gathered_kept + size <= _GATHERED_KEPT:
            # A common term's postings gathered from several segments are what its queries copy: kept.
            for array in found:
                array.flags.writeable = False
            self._gathered_kept += size
            self._gathered[term] = found
        else:
            self._recent_gathered.put(term, found)
        return found

    def docs_with(self, term: str) -> np.ndarray:
        return self._gather(term)[0]

    def _weigh_term(self, term: str, docs: np.ndarray, freqs: np.ndarray) -> np.ndarray:
        k1 = self.params.k1
        tf = freqs.astype(np.float64)
        return self._idf_of(int(docs.size)) * (tf * (k1 + 1.0) / (tf + self.norms[docs]))

    def term_weights(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        kept = self._weights.get(term)
        if kept is None:
            kept = self._recent_weights.get(term)
        if kept is not None:
            return kept
        docs, freqs = self._gather(term)
        if docs.size == 0 or self._avgdl == 0:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        weights = self._weigh_term(term, docs, freqs)
        if docs.size >= WEIGHTS_KEPT_FROM and self._weights_kept + docs.size <= WEIGHTS_KEPT_MAX:
            weights.flags.writeable = False
            self._weights_kept += docs.size
            self._weights[term] = (docs, weights)
        else:
            self._recent_weights.put(term, (docs, weights))
        return docs, weights

    def weights_at(self, term: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        holders, freqs = self._gather(term)
        if holders.size == 0 or self._avgdl == 0 or docs.size == 0:
            return np.zeros(docs.size, dtype=bool), np.empty(0, dtype=np.float64)
        where = np.searchsorted(holders, docs)
        np.minimum(where, holders.size - 1, out=where)
        found = holders[where] == docs
        at = where[found]
        k1 = self.params.k1
        tf = freqs[at].astype(np.float64)
        return found, self._idf_of(int(holders.size)) * (tf * (k1 + 1.0) / (tf + self.norms[holders[at]]))


class SegmentedPositions:
    """The positions (`Positions`) of a segmented generation, answering in the generation's document numbers."""

    def __init__(self, parts: Sequence[Positions], layout: Sequence[Layout], n_docs: int):
        self.parts = list(parts)
        self.layout = list(layout)
        self._n_docs = n_docs
        self._ends = [where.base + live_count(part.n_docs, where) for part, where in zip(self.parts, self.layout)]

    @property
    def n_docs(self) -> int:
        return self._n_docs

    def _local(self, number: int, within: np.ndarray | None) -> np.ndarray | None:
        """`within` (the generation's numbers, ascending) as segment `number`'s own numbers."""
        if within is None:
            return None
        where = self.layout[number]
        lo, hi = np.searchsorted(within, [where.base, self._ends[number]])
        inside = within[lo:hi].astype(np.int64) - where.base
        return inside if where.live is None else where.live[inside]

    def _to_global(self, number: int, docs: np.ndarray) -> np.ndarray:
        where = self.layout[number]
        if where.global_of is None:
            return docs.astype(np.int64) + where.base
        moved = where.global_of[docs.astype(np.int64)]
        return moved

    def docs_with(self, key: str, within: np.ndarray | None = None) -> np.ndarray:
        dtype = within.dtype if within is not None else np.int32
        if not key:
            return within if within is not None else np.arange(self.n_docs, dtype=np.int32)
        found = []
        for number, part in enumerate(self.parts):
            local = self._local(number, within)
            if local is not None and local.size == 0:
                continue
            moved = self._to_global(number, part.docs_with(key, local))
            found.append(moved[moved >= 0])
        docs = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
        return docs.astype(dtype, copy=False)

    def occurrences(self, key: str, within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        all_docs, all_starts = [], []
        for number, part in enumerate(self.parts):
            local = self._local(number, within)
            if local.size == 0:
                continue
            docs, starts = part.occurrences(key, local)
            all_docs.append(self._to_global(number, docs))
            all_starts.append(starts)
        if not all_docs:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(all_docs), np.concatenate(all_starts)


def joined(parts: Sequence[Postings], layout: Sequence[Layout]) -> tuple[list[str], np.ndarray]:
    """The generation's article ids and words lengths, live documents only, in its numbering."""
    ids: list[str] = []
    lengths = []
    for postings, where in zip(parts, layout):
        if where.live is None:
            ids.extend(postings.doc_ids)
            lengths.append(np.asarray(postings.doc_lengths))
        else:
            ids.extend(postings.doc_ids[i] for i in where.live.tolist())
            lengths.append(np.asarray(postings.doc_lengths)[where.live])
    doc_lengths = np.concatenate(lengths).astype(np.int32) if lengths else np.empty(0, dtype=np.int32)
    return ids, doc_lengths


def channel_lengths(parts: Sequence[Postings], layout: Sequence[Layout]) -> np.ndarray:
    pieces = [np.asarray(p.doc_lengths) if w.live is None else np.asarray(p.doc_lengths)[w.live]
              for p, w in zip(parts, layout)]
    return np.concatenate(pieces).astype(np.int32) if pieces else np.empty(0, dtype=np.int32)


def segment_path(index_dir: Path, name: str) -> Path:
    return index_dir / name
