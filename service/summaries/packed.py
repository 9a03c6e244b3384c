"""The compact binary form of an article's summary data, as the article store keeps it, and read-only views
of it that decode only what a summary asks for.

Little-endian arrays behind a header of six uint32 (format, terms, weighed terms, sentences, bytes of each
integer, bytes of the terms), then the weights (float64, of the first terms), each sentence's prior (float64,
`summaries.kinds`; from format 2 on), the integers (each sentence's
start, end and letters; how many words each sentence has, then their term numbers; where each term's tokens
end in the text's and in the title's starts and ends, then those) and the terms in UTF-8, NUL between them.
`service/native/_summaries.pyx` writes the same bytes (`pack`) and reads them (`choose`): a change of form is
a change there too.

Data is read only when it is whole and consistent (`unpack`, and `choose` alike, which return None otherwise):
sizes in the header that fit the bytes, weights and priors finite and not negative (nor -0.0), terms in UTF-8 and the weighed
ones distinct, sentences in order within the text, word numbers of weighed terms, each term's place ends even and
rising and accounting for every integer, and no empty place. A lying count is caught before anything of its size is
made, and no weight can make a summary value NaN (whose key never equals itself: the lazy choice would never end).
Data packed from an analysis always passes: `pack` writes no weight that is not finite (None instead), and salience
is never negative.
"""

from __future__ import annotations

import itertools
import math
import operator
import struct
from typing import Mapping, Sequence

import numpy as np

from ..text.sentences import Sentence

FORMAT = 2  # 1 had no priors: its data is not read (a summary is made from the text instead)
HEADER = 24
FINITE_BITS = 0x7FF0000000000000  # the bits of inf: a weight read is a float of fewer


def pack(data) -> bytes | None:
    """`SummaryData` `data` in the compact form; None for the rare text with a NUL inside a word, which it cannot
    hold, and for a weight that is not finite (NaN or infinite), which it does not."""
    terms = list(data.weight) + [t for t in data.places if t not in data.weight]
    terms += [t for t in data.title_places if t not in data.weight and t not in data.places]
    if any("\0" in t for t in terms) or not all(map(math.isfinite, data.weight.values())) \
            or not all(map(math.isfinite, data.priors)):
        return None
    number = {term: i for i, term in enumerate(terms)}
    ints: list[int] = []
    for sentence, letters in zip(data.sentences, data.letters):
        ints += (sentence.start, sentence.end, letters)
    ints += [len(w) for w in data.words]
    for words in data.words:
        ints += [number[w] for w in words]
    ints += itertools.accumulate(2 * len(data.places.get(t, ())) for t in terms)
    ints += itertools.accumulate(2 * len(data.title_places.get(t, ())) for t in terms)
    for places in (data.places, data.title_places):
        for term in terms:
            for start, end in places.get(term, ()):
                ints += (start, end)
    wide = max(ints, default=0) > 0xFFFF
    blob = "\0".join(terms).encode("utf-8")
    header = np.array([FORMAT, len(terms), len(data.weight), len(data.sentences), 4 if wide else 2,
                       len(blob)], dtype="<u4")
    return (header.tobytes() + np.array(list(data.weight.values()), dtype="<f8").tobytes()
            + np.array(list(data.priors), dtype="<f8").reshape(len(data.sentences)).tobytes()
            + np.array(ints, dtype="<u4" if wide else "<u2").tobytes() + blob)


def unpack(data: bytes, text: str) -> tuple | None:
    """The fields of `SummaryData` again, as views of `data`, for the same `text`; None when `data` is not of a form
    this code reads (the module's docstring says what it reads, as `_summaries.choose` does)."""
    if len(data) < HEADER:
        return None
    form, n_terms, n_weighed, n_sentences, width, blob_size = struct.unpack_from("<6I", data)
    if form != FORMAT or width not in (2, 4) or n_weighed > n_terms:
        return None
    at = HEADER + 8 * n_weighed + 8 * n_sentences
    size = len(data) - at - blob_size  # the integers' bytes
    if size < 0 or size % width:
        return None
    weights = np.frombuffer(data, dtype="<f8", count=n_weighed, offset=HEADER)
    priors = np.frombuffer(data, dtype="<f8", count=n_sentences, offset=HEADER + 8 * n_weighed)
    # Finite with the sign bit clear (not NaN, infinite, negative nor -0.0): their bits as integers are below
    # those of inf, which no float of a set sign bit is.
    if n_weighed and int(weights.view("<u8").max()) >= FINITE_BITS:
        return None
    if n_sentences and int(priors.view("<u8").max()) >= FINITE_BITS:
        return None
    blob = data[len(data) - blob_size:]
    if (blob.count(b"\0") != n_terms - 1) if n_terms else blob:  # NUL between the terms; no terms, no bytes
        return None
    try:
        joined = blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
    terms = joined.split("\0") if n_terms else []
    # Weighed terms are keyed by their text in a summary's choice: two of one text would be one.
    if len(set(terms[:n_weighed])) != n_weighed:
        return None
    count = size // width
    ints = np.frombuffer(data, dtype="<u4" if width == 4 else "<u2", count=count, offset=at)
    n = n_sentences
    i = 3 * n
    if 4 * n > count:
        return None
    # Each check is as cheap as it can be made: a sentence's few numbers as a list, a term's many in NumPy.
    bounds = ints[:i].tolist()
    sentences = _Sentences(text, bounds)
    starts, ends = sentences.starts, sentences.ends
    if n and (not all(map(operator.le, starts, ends)) or not all(map(operator.le, ends, starts[1:]))
              or ends[-1] > len(text)):  # in order within the text
        return None
    word_starts = list(itertools.accumulate(ints[i:i + n].tolist(), initial=0))
    i += n
    total = word_starts[-1]
    if i + total + 2 * n_terms > count:
        return None
    ids = ints[i:i + total]
    if total and int(ids.max()) >= n_weighed:  # words are weighed terms
        return None
    i += total
    # Where each term's tokens end, in the text then in the title: rising, two integers a place, and then the
    # places, all the integers left.
    ends_at = ints[i:i + 2 * n_terms]
    place_ends, title_ends = ends_at[:n_terms], ends_at[n_terms:]
    held, title_held = (int(place_ends[-1]), int(title_ends[-1])) if n_terms else (0, 0)
    if i + 2 * n_terms + held + title_held != count:
        return None
    if n_terms:
        falls = ends_at[1:] < ends_at[:-1]
        falls[n_terms - 1] = False  # the title's ends start again from 0
        if falls.any() or int(np.bitwise_or.reduce(ends_at)) & 1:
            return None
    flat = ints[i + 2 * n_terms:]
    if (flat[0::2] >= flat[1::2]).any():  # a token is never empty
        return None
    letters = bounds[2::3]
    words = _Words(terms, ids, word_starts)
    numbers = _Numbers(terms, joined)
    places = _Places(numbers, place_ends, flat[:held])
    title_places = _Places(numbers, title_ends, flat[held:])
    return sentences, _Weights(numbers, weights), words, letters, places, title_places, priors.tolist()


class _Numbers:
    """Term numbers of stored data, found in the NUL-joined terms without a dictionary of them all: a summary
    looks up only its query's few terms."""

    def __init__(self, terms: list[str], joined: str):
        self.terms = terms
        self._joined = "\0" + joined + "\0"  # `terms` joined by NUL
        self._all: dict[str, int] | None = None

    def get(self, term: object) -> int | None:
        if not isinstance(term, str) or not term or "\0" in term:
            return None
        at = self._joined.find("\0" + term + "\0")
        return None if at < 0 else self._joined.count("\0", 0, at)

    def all(self) -> dict[str, int]:
        if self._all is None:
            self._all = dict(zip(self.terms, range(len(self.terms))))
        return self._all


class _Sentences(Sequence[Sentence]):
    """`SummaryData.sentences` as stored: a sentence is made only when asked for."""

    def __init__(self, text: str, bounds: list[int]):
        self._text = text
        self.starts, self.ends = bounds[::3], bounds[1::3]

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        start, end = self.starts[i], self.ends[i]
        return Sentence(self._text[start:end], start, end)

    def __len__(self) -> int:
        return len(self.starts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


class _Weights(Mapping[str, float]):
    """`SummaryData.weight` as stored: the weights of the first terms, in term order."""

    def __init__(self, numbers: _Numbers, values: np.ndarray):
        self._numbers, self.values = numbers, values

    def __getitem__(self, term: str) -> float:
        i = self._numbers.get(term)
        if i is None or i >= len(self.values):
            raise KeyError(term)
        return float(self.values[i])

    def __iter__(self):
        return iter(self._numbers.terms[:len(self.values)])

    def __len__(self) -> int:
        return len(self.values)


class _Words(Sequence[list[str]]):
    """`SummaryData.words` as stored: a sentence's words are looked up only when asked for."""

    def __init__(self, terms: list[str], ids: np.ndarray, starts: list[int]):
        self._terms, self._ids, self._starts = terms, ids, starts

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return list(map(self._terms.__getitem__, self._ids[self._starts[i]:self._starts[i + 1]].tolist()))

    def weighed(self, i: int, weights: "_Weights") -> tuple[list[str], list[float]]:
        """Sentence `i`'s words and their weights, by number: no term is looked up by name."""
        ids = self._ids[self._starts[i]:self._starts[i + 1]]
        return list(map(self._terms.__getitem__, ids.tolist())), weights.values[ids].tolist()

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


class _Places(Mapping[str, list[tuple[int, int]]]):
    """`SummaryData.places` as stored: a term's tokens are read out only when asked for."""

    def __init__(self, numbers: _Numbers, ends: np.ndarray, flat: np.ndarray):
        self._numbers, self._ends, self._flat = numbers, ends, flat  # ends: where each term's tokens end

    def _bounds(self, i: int) -> tuple[int, int]:
        return (int(self._ends[i - 1]) if i else 0), int(self._ends[i])

    def __getitem__(self, term: str) -> list[tuple[int, int]]:
        i = self._numbers.get(term)
        if i is None:
            raise KeyError(term)
        start, end = self._bounds(i)
        if start == end:
            raise KeyError(term)
        flat = self._flat[start:end].tolist()
        return list(zip(flat[::2], flat[1::2]))

    def __contains__(self, term: object) -> bool:
        i = self._numbers.get(term)
        if i is None:
            return False
        start, end = self._bounds(i)
        return end > start

    def get(self, term: str, default=None):  # type: ignore[override]
        try:
            return self[term]
        except KeyError:
            return default

    def __iter__(self):
        ends = [0] + self._ends.tolist()
        return (t for i, t in enumerate(self._numbers.terms) if ends[i + 1] > ends[i])

    def __len__(self) -> int:
        return sum(1 for _ in self)
