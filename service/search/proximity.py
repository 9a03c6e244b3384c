"""How close together an article's query words stand: the term-proximity signal of BM25TP.

An article where `习近平` and `总书记` stand side by side is more likely about what the reader means than one
where they lie paragraphs apart. Following Büttcher, Clarke and Lushman (2006), every occurrence of a query
word is paired with the next occurrence of a different query word in the article; each such neighbour adds
the other word's idf divided by the squared distance between them to the word's accumulator, and the
accumulators are saturated and normalised by length like BM25 term frequencies:

    proximity = sum over query words t of  min(1, idf(t)) * acc(t) * (k1 + 1) / (acc(t) + K)

with K the article's BM25 length norm, k1 * (1 - b + b * length / average length). Distances are counted in
characters of the folded text without spaces and punctuation (where the index keeps positions), from the end
of one word to the start of the next, halved (a Chinese word is about two characters long) and one added, so
two words side by side are one apart.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

# (documents, start positions) of every occurrence of a folded, squashed word among the given documents,
# sorted by document then position.
Occurrences = Callable[[str, np.ndarray], tuple[np.ndarray, np.ndarray]]


class ProximityWord(NamedTuple):
    key: str  # folded, without spaces or punctuation: how the positions know it
    idf: float


def proximity_scores(words: Sequence[ProximityWord], docs: np.ndarray, occurrences: Occurrences,
                     norms: np.ndarray, k1: float) -> np.ndarray:
    """The proximity score of each of `docs` (ascending document numbers) for the query's `words`; `norms` is
    each of `docs`' BM25 length norm. Zero where fewer than two of the words occur."""
    scores = np.zeros(docs.size, dtype=np.float64)
    words = [w for w in words if len(w.key) >= 1]
    if len(words) < 2 or docs.size == 0:
        return scores
    found_docs, found_starts, found_words, found_ends = [], [], [], []
    for number, word in enumerate(words):
        doc_numbers, starts = occurrences(word.key, docs)
        if doc_numbers.size:
            found_docs.append(doc_numbers)
            found_starts.append(starts)
            found_words.append(np.full(doc_numbers.size, number, dtype=np.int64))
            found_ends.append(starts + len(word.key))
    if len(found_docs) < 2:
        return scores
    doc_numbers = np.concatenate(found_docs)
    starts = np.concatenate(found_starts).astype(np.int64)
    ends = np.concatenate(found_ends).astype(np.int64)
    word_numbers = np.concatenate(found_words)
    order = np.lexsort((word_numbers, starts, doc_numbers))
    doc_numbers, starts, ends, word_numbers = doc_numbers[order], starts[order], ends[order], word_numbers[order]
    # Neighbours: the same article, different words, the second starting after the first ends.
    gap = starts[1:] - ends[:-1]
    pair = (doc_numbers[1:] == doc_numbers[:-1]) & (word_numbers[1:] != word_numbers[:-1]) & (gap >= 0)
    if not pair.any():
        return scores
    first = np.flatnonzero(pair)
    second = first + 1
    distance = 1.0 + gap[first] / 2.0
    closeness = 1.0 / (distance * distance)
    idf = np.array([w.idf for w in words], dtype=np.float64)
    slot = np.searchsorted(docs, doc_numbers)
    # Each pair adds to both words' accumulators, in pair order: bincount sums in the order given, as two
    # `np.add.at` calls did, at a fraction of their cost.
    width = len(words)
    at = np.concatenate((slot[first] * width + word_numbers[first], slot[second] * width + word_numbers[second]))
    added = np.concatenate((idf[word_numbers[second]] * closeness, idf[word_numbers[first]] * closeness))
    accumulators = np.bincount(at, weights=added, minlength=docs.size * width).reshape(docs.size, width)
    saturated = accumulators * (k1 + 1.0) / (accumulators + norms[:, None])
    return saturated @ np.minimum(1.0, idf)
