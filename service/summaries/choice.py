"""Extractive summaries: a few of the article's own sentences, kept in article order.

The text is analysed once. From its words comes a *salience* for each word: the
chance that a headline written for the text would use it, from how often and
where the word occurs and how rare it is in general Chinese (a logistic model;
`bench/fit_salience.py` fits its weights). A sentence is worth the salience it
carries per character, as an estimate of how well it alone would stand for the
text, with a mild preference for earlier sentences (news puts the essentials
first). When a title is given its words count as salient.

With query terms, sentences holding them come first (most distinct terms,
then salience); without, or when no sentence holds one, the most salient
sentences. Sentences are added while the budget (in sentences, in characters,
or both) allows; a sentence that nearly repeats one already chosen is never
added, and the words of a chosen sentence count for less afterwards, so a
second sentence brings something new. The chosen sentences are shown in
article order.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import struct
import unicodedata
from bisect import bisect_right
from functools import reduce
from operator import add, mul
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from .highlight import merge_spans
from .keywords import background_idf, whole_words
from .text.analyzer import Analyzer, Token
from .text.sentences import Sentence, split_sentences

try:  # the compiled chooser (setup.py); without it the Python code below makes the same summaries
    from ._summaries import choose as _choose_stored
except ImportError:  # built only where the install found a C compiler
    _choose_stored = None
try:  # the compiled salience (setup.py); without it `_word_stats` and `_salience_of` give the same weights
    from ._salience import weigh as _weigh_compiled
except ImportError:
    _weigh_compiled = None
try:  # the compiled packer of summary data at ingest; without it `prepare(...).to_bytes()` makes the same bytes
    from ._summaries import pack as _pack
except ImportError:
    _pack = None

GAP = "……"  # shown between sentences that were not adjacent in the article
ELLIPSIS = "…"  # shown where one over-long sentence was clipped

# The word salience model: a logistic regression over these features of a word
# in one text. Fitted by `bench/fit_salience.py` on LCSTS part II (the CLGE
# validation and test splits, 1,975 Weibo news texts and their headlines, less
# the texts that also occur in part III): the label is whether the headline
# contains the word.
SALIENCE_FEATURES = ("bias", "log_tf", "other_sentences", "idf", "unknown_word", "length", "single_char",
                     "in_first_sentence", "first_position", "has_digit", "inverse_rank", "in_quotes")
SALIENCE_WEIGHTS = (-3.2109, 1.0727, 0.2880, 1.4693, -0.4185, -1.1830, 0.1734, 0.4235, 0.2718, -0.3245, 1.1626,
                    0.5422)
# Sentence value = 2 * expected headline characters / (sentence characters + EXPECTED_OVERLAP_CHARS),
# divided by (1 + POSITION_DECAY * sentence number): a ROUGE-style F-measure against an imagined
# headline, chosen on the same texts as the weights.
EXPECTED_OVERLAP_CHARS = 6.0
POSITION_DECAY = 0.08
TITLE_SALIENCE = 0.8  # a word of the title is at least this salient
REPEAT_DISCOUNT = 0.3  # salience left to a word once a chosen sentence holds it
NEAR_DUPLICATE = 0.7  # share of the shorter sentence's character pairs found in the other

_QUOTED = re.compile(r"“[^”]{1,30}”|《[^》]{1,30}》|「[^」]{1,30}」|\"[^\"]{1,30}\"")


@dataclass(frozen=True)
class Summary:
    text: str
    highlights: list[tuple[int, int]]  # spans of query terms in `text`
    sentences: list[Sentence]  # the chosen sentences, offsets into the summarised text

    def to_dict(self) -> dict:
        return {"summary": self.text, "highlights": [list(span) for span in self.highlights]}


def _letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


# Whether a character is a letter or a digit, by character: looked up once per process.
_LETTER: dict[str, bool] = {}


def _letter_counts(sentences: Sequence[Sentence]) -> list[int]:
    """`_letters` of each sentence."""
    letter = _LETTER
    for sentence in sentences:
        for ch in set(sentence.text).difference(letter):
            letter[ch] = unicodedata.category(ch)[0] in "LN"
    return [sum(map(letter.__getitem__, sentence.text)) for sentence in sentences]


# The features of a word that depend on the word alone, by word: (idf, whether the general-Chinese table
# lists it, length, single character, holds a digit) as `word_features` gives them.
_TERM_FEATURES: dict[str, tuple[float, float, float, float, float]] = {}
# The products of those with their weights, for the weights the summaries use.
_TERM_PRODUCTS: dict[str, tuple[float, float, float, float, float]] = {}
# An archive's rare words never stop coming: past this many words a cache starts again rather than grow
# through a whole ingest.
TERM_CACHE_LIMIT = 300_000


def _term_features(term: str) -> tuple[float, float, float, float, float]:
    try:
        return _TERM_FEATURES[term]
    except KeyError:
        table, median = background_idf()
        if len(_TERM_FEATURES) >= TERM_CACHE_LIMIT:
            _TERM_FEATURES.clear()
        found = _TERM_FEATURES[term] = (
            table.get(term, median) / 10,
            0.0 if term in table else 1.0,
            min(len(term), 4) / 4,
            1.0 if len(term) == 1 else 0.0,
            1.0 if any(ch.isdigit() for ch in term) else 0.0,
        )
        return found


def _term_products(term: str) -> tuple[float, float, float, float, float]:
    try:
        return _TERM_PRODUCTS[term]
    except KeyError:
        w = SALIENCE_WEIGHTS
        idf, unknown, length, single, digit = _term_features(term)
        if len(_TERM_PRODUCTS) >= TERM_CACHE_LIMIT:
            _TERM_PRODUCTS.clear()
        found = _TERM_PRODUCTS[term] = (w[3] * idf, w[4] * unknown, w[5] * length, w[6] * single, w[9] * digit)
        return found


def _word_stats(text: str, sentences: Sequence[Sentence], whole: Sequence[Token], every: list[list[str]] | None = None
                ) -> tuple[dict[str, list], list[dict[str, None]]]:
    """For each distinct whole word inside a sentence [occurrences, sentences holding it, last such sentence,
    first sentence, first start, inside quotes], and each sentence's distinct words in order; `every`, when
    given (a list per sentence), gets each sentence's words as they occur.

    `whole` is `whole_words` of the text's tokens: in text order, so the sentence (and the last quotation
    opening) before a word is found by moving forward, never by searching.
    """
    starts = [s.start for s in sentences] + [math.inf]  # the last start stops every forward search
    ends = [s.end for s in sentences]
    quote_starts, quote_ends = [math.inf], [-1]
    for match in _QUOTED.finditer(text):
        quote_starts.insert(-1, match.start())
        quote_ends.insert(-1, match.end())
    per_sentence: list[dict[str, None]] = [{} for _ in sentences]
    seen: dict[str, list] = {}
    i = -1  # the last sentence starting at or before the word
    next_start, last_end = starts[0], -1
    words: dict[str, None] = {}
    listed: list[str] = []
    q = 0  # how many quotations open before the word
    for term, start, end in whole:
        if start >= next_start:
            i += 1
            while starts[i + 1] <= start:
                i += 1
            next_start, last_end, words = starts[i + 1], ends[i], per_sentence[i]
            if every is not None:
                listed = every[i]
        if end > last_end:
            continue  # before the first sentence, or across the end of its sentence
        words[term] = None
        if every is not None:
            listed.append(term)
        info = seen.get(term)
        if info is None:
            info = seen[term] = [1, 1, i, i, start, False]
        else:
            info[0] += 1
            if info[2] != i:
                info[1] += 1
                info[2] = i
        if not info[5]:
            while quote_starts[q] < start:
                q += 1
            info[5] = q > 0 and end < quote_ends[q - 1]
    return seen, per_sentence


def _ranks(seen: dict[str, list]) -> dict[str, int]:
    """Each word's place by tf x idf, highest first (ties by the word)."""
    table, median = background_idf()
    get = table.get
    order = sorted((-(info[0] * get(term, median)), term) for term, info in seen.items())
    return {term: r for r, (_, term) in enumerate(order)}


def word_features(text: str, sentences: Sequence[Sentence], tokens: Sequence[Token]
                  ) -> tuple[dict[str, list[float]], list[list[str]]]:
    """The salience features of each distinct word, and the words of each sentence."""
    every: list[list[str]] = [[] for _ in sentences]
    seen, _ = _word_stats(text, sentences, whole_words(tokens), every)
    rank = _ranks(seen)
    length = max(len(text), 1)
    features = {}
    for term, (tf, n_sentences, _, first, at, quoted) in seen.items():
        idf, unknown, size, single, digit = _term_features(term)
        features[term] = [1.0, math.log(tf), float(n_sentences - 1), idf, unknown, size, single,
                          1.0 if first == 0 else 0.0, at / length, digit, 1 / (1 + rank[term]),
                          1.0 if quoted else 0.0]
    return features, every


def salience(features: dict[str, list[float]], weights: Sequence[float] = SALIENCE_WEIGHTS) -> dict[str, float]:
    # Added left to right from 0.0 whatever the Python version (`sum` compensates float additions from 3.12 on).
    return {term: 1 / (1 + math.exp(-reduce(add, map(mul, weights, f), 0.0))) for term, f in features.items()}


def _salience_of(text: str, seen: dict[str, list]) -> dict[str, float]:
    """`salience(word_features(...)[0])`, without the feature lists.

    The products of weights and features are the same floats, added in the same order, so the result is the
    same to the last bit; a product that depends on a word alone, or on a count or a rank, is worked
    out once per process.
    """
    rank = _ranks(seen)
    length = max(len(text), 1)
    w8 = SALIENCE_WEIGHTS[8]
    b0, first_yes, first_no, quoted_yes, quoted_no = _CONSTANT_PRODUCTS
    by_tf, by_sentences, by_rank = _TF_PRODUCTS, _SENTENCES_PRODUCTS, _RANK_PRODUCTS
    if len(by_rank) < len(rank):
        w10 = SALIENCE_WEIGHTS[10]
        by_rank.extend(w10 * (1 / (1 + r)) for r in range(len(by_rank), len(rank)))
    get_products, products, exp = _TERM_PRODUCTS.get, _term_products, math.exp
    weight = {}
    for term, (tf, n_sentences, _, first, at, quoted) in seen.items():
        p3, p4, p5, p6, p9 = get_products(term) or products(term)
        p1 = by_tf.get(tf)
        if p1 is None:
            p1 = by_tf[tf] = SALIENCE_WEIGHTS[1] * math.log(tf)
        p2 = by_sentences.get(n_sentences)
        if p2 is None:
            p2 = by_sentences[n_sentences] = SALIENCE_WEIGHTS[2] * float(n_sentences - 1)
        # Added left to right from 0.0, as in `salience` and the compiled weighing, whatever the Python version
        # (`sum` compensates its float additions from Python 3.12 on).
        total = reduce(add, [b0, p1, p2, p3, p4, p5, p6, first_yes if first == 0 else first_no, w8 * (at / length),
                             p9, by_rank[rank[term]], quoted_yes if quoted else quoted_no], 0.0)
        weight[term] = 1 / (1 + exp(-total))
    return weight


def _weigh_words(text: str, sentences: Sequence[Sentence], whole: Sequence[Token]
                 ) -> tuple[dict[str, float], list[dict[str, None]] | list[list[str]]]:
    """`_salience_of` the text's words and each sentence's distinct words (`_word_stats`): compiled when built."""
    if _weigh_compiled is None:
        seen, per_sentence = _word_stats(text, sentences, whole)
        return _salience_of(text, seen), per_sentence
    table, median = background_idf()
    return _weigh_compiled(whole, sentences, [match.span() for match in _QUOTED.finditer(text)], len(text), table,
                           median, SALIENCE_WEIGHTS)


_W = SALIENCE_WEIGHTS
_CONSTANT_PRODUCTS = (_W[0] * 1.0, _W[7] * 1.0, _W[7] * 0.0, _W[11] * 1.0, _W[11] * 0.0)
_TF_PRODUCTS: dict[int, float] = {}  # by occurrences
_SENTENCES_PRODUCTS: dict[int, float] = {}  # by sentences holding the word
_RANK_PRODUCTS: list[float] = []  # by rank


def sentence_value(expected_chars: float, letters: int, position: int) -> float:
    return 2 * expected_chars / (letters + EXPECTED_OVERLAP_CHARS) / (1 + POSITION_DECAY * position)


# Characters that are not letters or numbers (Unicode categories L and N): in Python's `re`, a word character
# is one `str.isalnum` holds for, which is exactly categories L and N (tests/test_summarize.py checks every
# code point), less the underscore.
_NOT_LETTER = re.compile(r"[\W_]+")


def _bigrams(text: str) -> set[str]:
    chars = _NOT_LETTER.sub("", text)
    return set(map(add, chars, chars[1:])) or set(chars)


def _overlapping(x: set[str], y: set[str]) -> bool:
    if not x or not y:
        return False
    return len(x & y) / min(len(x), len(y)) >= NEAR_DUPLICATE


def near_duplicates(a: str, b: str) -> bool:
    return _overlapping(_bigrams(a), _bigrams(b))


def _assemble(text: str, chosen: Sequence[Sentence]) -> tuple[str, list[int]]:
    """The summary text of the `chosen` sentences (in article order) and where each starts in it."""
    pieces, offsets, length, previous_end = [], [], 0, None
    for sentence in chosen:
        joiner = "" if previous_end is None or not text[previous_end:sentence.start].strip() else GAP
        offsets.append(length + len(joiner))
        pieces.append(joiner + sentence.text)
        length += len(joiner) + len(sentence.text)
        previous_end = sentence.end
    return "".join(pieces), offsets


def _choose(text: str, sentences: Sequence[Sentence], pool: list[int], found: list[set[str]],
            words: list[list[str]], weight: dict[str, float], letters: list[int], count: int,
            budget: float) -> list[int]:
    """Greedy choice by (new query terms, query terms, value), best first, within the budget.

    Every part of a sentence's key can only fall as sentences are chosen (terms get covered, words
    discounted), so a key computed earlier is an upper bound: the heap is re-scored lazily, and only the
    sentence on top is ever worked out again.
    """
    covered: set[str] = set()
    if isinstance(sentences, _Sentences):
        starts, ends = sentences.starts, sentences.ends
    else:
        starts, ends = [s.start for s in sentences], [s.end for s in sentences]
    # A sentence's words are distinct and in the order they first occur, so its value is summed in one order.
    lengths = {i: list(map(len, words[i])) for i in pool}
    weigh = weight.__getitem__

    def key(i: int) -> tuple:
        # Added left to right from 0.0, as in the compiled chooser, whatever the Python version (`sum`
        # compensates its float additions from Python 3.12 on).
        value = sentence_value(reduce(add, map(mul, map(weigh, words[i]), lengths[i]), 0.0), letters[i], i)
        return (len(found[i] - covered), len(found[i]), value, -i)

    def joiner(a: int, b: int) -> int:
        # The text between two sentences next to each other is white space only: they join without a gap mark.
        return 0 if b == a + 1 and not text[ends[a]:starts[b]].strip() else len(GAP)

    chosen: list[int] = []  # in article order
    length = 0
    bigrams: dict[int, set[str]] = {}
    heap = [(tuple(-x for x in key(i)), i) for i in pool]
    heapq.heapify(heap)
    overlong: int | None = None
    while heap and len(chosen) < count:
        stored, i = heapq.heappop(heap)
        current = tuple(-x for x in key(i))
        if current != stored:
            heapq.heappush(heap, (current, i))
            continue
        bigrams.setdefault(i, _bigrams(text[starts[i]:ends[i]]))
        if any(_overlapping(bigrams[i], bigrams[j]) for j in chosen):
            continue
        at = bisect_right(chosen, i)
        before = chosen[at - 1] if at > 0 else None
        after = chosen[at] if at < len(chosen) else None
        grown = length + ends[i] - starts[i]
        if before is not None:
            grown += joiner(before, i)
        if after is not None:
            grown += joiner(i, after) - (joiner(before, after) if before is not None else 0)
        if grown > budget:
            if overlong is None:
                overlong = i  # the best sentence, should nothing fit whole
            continue  # a summary hardly ever gets shorter: it is not tried again
        chosen.insert(at, i)
        length = grown
        covered |= found[i]
        for w in words[i]:
            weight[w] *= REPEAT_DISCOUNT
    if not chosen and overlong is not None:
        chosen = [overlong]  # no sentence fits whole: the best one is clipped
    return chosen


def summarize(analyzer: Analyzer, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
              query_terms: list[str] | None = None, title: str | None = None,
              tokens: Sequence[Token] | None = None) -> Summary:
    """Up to `sentences` sentences (None: no limit) in at most `max_chars` characters (None: no limit).

    `tokens` are the analyzer's tokens of `text` when the caller already has them.
    """
    return prepare(analyzer, text, title=title, tokens=tokens).summary(
        text, sentences=sentences, max_chars=max_chars, query_terms=query_terms)


@dataclass
class SummaryData:
    """What a summary of one text needs besides the text and the query, from one analysis: kept with an
    article at ingest, it makes the summary for any query without the analyzer.

    `weight` is each whole word's salience (the title's words raised), `words` the distinct whole words of
    each sentence in the order they first occur, `places` every token's (start, end) by term, in text order;
    `title_places` the same of the title's tokens, for marking the title without analysing it.
    """

    sentences: list[Sentence]
    weight: dict[str, float]
    words: Sequence[Sequence[str]]
    letters: list[int]
    places: Mapping[str, list[tuple[int, int]]]
    title_places: Mapping[str, list[tuple[int, int]]] = field(default_factory=dict)

    def holds_any(self, query_terms: Iterable[str]) -> bool:
        return any(term in self.places for term in query_terms)

    def summary(self, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
                query_terms: Iterable[str] | None = None) -> Summary:
        """The summary of `text` (the text this was prepared from) for `query_terms`, as `summarize` makes it."""
        all_sentences = self.sentences
        if not all_sentences:
            return Summary("", [], [])
        n = len(all_sentences)
        count = n if sentences is None else max(1, sentences)
        budget = max_chars if max_chars is not None else math.inf
        if isinstance(all_sentences, _Sentences):
            starts, ends = all_sentences.starts, all_sentences.ends
        else:
            starts, ends = [s.start for s in all_sentences], [s.end for s in all_sentences]
        found: list[set[str]] = [_NO_WORDS] * n
        spans: dict[int, list[tuple[int, int]]] = {}
        # The same tokens the index matched: what is marked is what was found.
        for term in set(query_terms or ()):
            for start, end in self.places.get(term, ()):
                i = bisect_right(starts, start) - 1
                if i >= 0 and end <= ends[i]:
                    if found[i] is _NO_WORDS:
                        found[i] = set()
                    found[i].add(term)
                    spans.setdefault(i, []).append((start, end))
        pool = sorted(spans) or list(range(n))
        # Only the sentences in the pool are ever weighed or chosen: only their words and weights are needed.
        words: list[list[str]] = [_NO_LIST] * n
        weight: dict[str, float] = {}
        if isinstance(self.words, _Words) and isinstance(self.weight, _Weights):
            for i in pool:
                words[i], values = self.words.weighed(i, self.weight)
                weight.update(zip(words[i], values))
        else:
            for i in pool:
                words[i] = list(self.words[i])
                weight.update((w, self.weight[w]) for w in words[i])
        chosen = sorted(_choose(text, all_sentences, pool, found, words, weight, self.letters, count, budget))
        return _finish(text, [all_sentences[i] for i in chosen], [spans.get(i, ()) for i in chosen], budget)

    # A compact form for the article store: little-endian arrays behind a header of six uint32 (format,
    # terms, weighed terms, sentences, bytes of each integer, bytes of the terms), then the weights (float64,
    # of the first terms), the integers (each sentence's start, end and letters; how many words each
    # sentence has, then their term numbers; where each term's tokens end in the text's and in the title's
    # starts and ends, then those) and the terms in UTF-8, NUL between them. service/_summaries.c writes
    # the same bytes (`pack`, for `packed`) and reads them (`choose`): a change of form is a change there too.
    _FORMAT = 1
    _HEADER = 24

    def to_bytes(self) -> bytes | None:
        """The compact form; None for the rare text with a NUL inside a word, which it cannot hold."""
        terms = list(self.weight) + [t for t in self.places if t not in self.weight]
        terms += [t for t in self.title_places if t not in self.weight and t not in self.places]
        if any("\0" in t for t in terms):
            return None
        number = {term: i for i, term in enumerate(terms)}
        ints: list[int] = []
        for sentence, letters in zip(self.sentences, self.letters):
            ints += (sentence.start, sentence.end, letters)
        ints += [len(w) for w in self.words]
        for words in self.words:
            ints += [number[w] for w in words]
        ints += itertools.accumulate(2 * len(self.places.get(t, ())) for t in terms)
        ints += itertools.accumulate(2 * len(self.title_places.get(t, ())) for t in terms)
        for places in (self.places, self.title_places):
            for term in terms:
                for start, end in places.get(term, ()):
                    ints += (start, end)
        wide = max(ints, default=0) > 0xFFFF
        blob = "\0".join(terms).encode("utf-8")
        header = np.array([self._FORMAT, len(terms), len(self.weight), len(self.sentences), 4 if wide else 2,
                           len(blob)], dtype="<u4")
        return (header.tobytes() + np.array(list(self.weight.values()), dtype="<f8").tobytes()
                + np.array(ints, dtype="<u4" if wide else "<u2").tobytes() + blob)

    @classmethod
    def from_bytes(cls, data: bytes, text: str) -> "SummaryData | None":
        """The data again, for the same `text`; None when it is of a form this code does not read."""
        if len(data) < cls._HEADER:
            return None
        form, n_terms, n_weighed, n_sentences, width, blob_size = struct.unpack_from("<6I", data)
        if form != cls._FORMAT or width not in (2, 4):
            return None
        at = cls._HEADER + 8 * n_weighed
        weights = np.frombuffer(data, dtype="<f8", count=n_weighed, offset=cls._HEADER)
        ints = np.frombuffer(data, dtype="<u4" if width == 4 else "<u2", count=(len(data) - at - blob_size) // width,
                             offset=at)
        joined = data[len(data) - blob_size:].decode("utf-8") if n_terms else ""
        terms = joined.split("\0") if n_terms else []
        i = 3 * n_sentences
        bounds = ints[:i].tolist()
        sentences = _Sentences(text, bounds)
        letters = bounds[2::3]
        sizes = ints[i:i + n_sentences].tolist()
        i += n_sentences
        total = sum(sizes)
        words = _Words(terms, ints[i:i + total], list(itertools.accumulate(sizes, initial=0)))
        i += total
        numbers = _Numbers(terms, joined)
        # Where each term's tokens end, read only for the terms looked up: a query's few.
        ends = ints[i:i + n_terms]
        title_ends = ints[i + n_terms:i + 2 * n_terms]
        flat = ints[i + 2 * n_terms:]
        held = int(ends[-1]) if n_terms else 0
        places = _Places(numbers, ends, flat[:held])
        title_places = _Places(numbers, title_ends, flat[held:])
        return cls(sentences, _Weights(numbers, weights), words, letters, places, title_places)


_NO_WORDS: set[str] = set()
_NO_LIST: list[str] = []


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


def _finish(text: str, chosen: list[Sentence], spans: list[Sequence[tuple[int, int]]], budget: float) -> Summary:
    """The summary of the `chosen` sentences (article order), each with the spans of query words it holds."""
    summary_text, offsets = _assemble(text, chosen)
    marks = []
    for sentence, at, held in zip(chosen, offsets, spans):
        shift = at - sentence.start
        marks.extend((start + shift, end + shift) for start, end in held)
    marks = merge_spans(marks)
    if len(summary_text) > budget:
        summary_text, marks = _clip(summary_text, marks, int(budget))
    return Summary(summary_text, marks, chosen)


def stored_summary(data: bytes, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
                   query_terms: Iterable[str] | None = None, native: bool | None = None
                   ) -> tuple[Summary, Mapping[str, list[tuple[int, int]]]] | None:
    """`SummaryData.from_bytes(data, text)`'s summary for `query_terms`, and its title places: by the compiled
    chooser when it is built (`native=None`), straight from the bytes. None when `data` is not of a form this
    code reads.
    """
    use_native = _choose_stored is not None if native is None else native
    if not use_native:
        stored = SummaryData.from_bytes(data, text)
        if stored is None:
            return None
        return (stored.summary(text, sentences=sentences, max_chars=max_chars, query_terms=query_terms),
                stored.title_places)
    if _choose_stored is None:
        raise RuntimeError("the compiled summary chooser (service/_summaries) is not built")
    budget = max_chars if max_chars is not None else math.inf
    picked = _choose_stored(data, text, list(set(query_terms or ())), -1 if sentences is None else max(1, sentences),
                            budget, REPEAT_DISCOUNT, EXPECTED_OVERLAP_CHARS, POSITION_DECAY, NEAR_DUPLICATE, len(GAP))
    if picked is None:
        return None
    chosen, title_places = picked
    summary = _finish(text, [Sentence(text[start:end], start, end) for _, start, end, _ in chosen],
                      [spans or () for *_, spans in chosen], budget)
    return summary, title_places


def prepare(analyzer: Analyzer, text: str, *, title: str | None = None, tokens: Sequence[Token] | None = None,
            title_tokens: Sequence[Token] | None = None, words: Sequence[Token] | None = None,
            title_words: Sequence[Token] | None = None, with_places: bool = True) -> SummaryData:
    """The analysis a summary of `text` needs, whatever the query and budget.

    `tokens` and `title_tokens` are the analyzer's tokens of `text` and `title` when the caller has them;
    `words` and `title_words` their `whole_words`, when the caller has those too. Without `with_places`,
    `places` and `title_places` are left empty, for a caller that takes them from the tokens (`packed`).
    """
    if title and title_tokens is None:
        title_tokens = analyzer.analyze(title)
    title_places: dict[str, list[tuple[int, int]]] = {}
    for term, start, end in (title_tokens or ()) if title and with_places else ():
        title_places.setdefault(term, []).append((start, end))
    all_sentences = split_sentences(text)
    if not all_sentences:
        return SummaryData([], {}, [], [], {}, title_places)
    if tokens is None:
        tokens = analyzer.analyze(text)
    if words is None:
        words = whole_words(tokens)
    weight, per_sentence = _weigh_words(text, all_sentences, words)
    if title:
        if title_words is None:
            title_words = whole_words(title_tokens or ())
        for term in {t[0] for t in title_words}:
            if term in weight:
                weight[term] = max(weight[term], TITLE_SALIENCE)
    places: dict[str, list[tuple[int, int]]] = {}
    for term, start, end in tokens if with_places else ():
        held = places.get(term)
        if held is None:
            places[term] = [(start, end)]
        else:
            held.append((start, end))
    return SummaryData(all_sentences, weight, [list(w) for w in per_sentence], _letter_counts(all_sentences),
                       places, title_places)


def packed(analyzer: Analyzer, text: str, *, title: str | None = None, tokens: Sequence[Token] | None = None,
           title_tokens: Sequence[Token] | None = None, words: Sequence[Token] | None = None,
           title_words: Sequence[Token] | None = None, native: bool | None = None) -> bytes | None:
    """`prepare(...).to_bytes()` of the same arguments, byte for byte: by the compiled packer when it is built
    (`native=None`), which takes the places straight from the tokens rather than gathering them by term.
    """
    use_native = _pack is not None if native is None else native
    if not use_native:
        return prepare(analyzer, text, title=title, tokens=tokens, title_tokens=title_tokens, words=words,
                       title_words=title_words).to_bytes()
    if _pack is None:
        raise RuntimeError("the compiled summary packer (service/_summaries) is not built")
    if tokens is None:
        tokens = analyzer.analyze(text)
    if title and title_tokens is None:
        title_tokens = analyzer.analyze(title)
    data = prepare(analyzer, text, title=title, tokens=tokens, title_tokens=title_tokens, words=words,
                   title_words=title_words, with_places=False)
    # As `prepare` keeps them: no places of a text without sentences, none of an empty title.
    return _pack(data.sentences, data.letters, data.weight, data.words, tokens if data.sentences else (),
                 (title_tokens or ()) if title else ())


def _clip(text: str, marks: list[tuple[int, int]], max_chars: int) -> tuple[str, list[tuple[int, int]]]:
    """Cut one over-long sentence to `max_chars`, keeping the first query term in view."""
    if max_chars < 2:
        return text[:max_chars], [(s, min(e, max_chars)) for s, e in marks if s < max_chars]
    start = 0
    if marks and marks[0][1] > max_chars - 1:
        start = max(1, min(marks[0][0] - max_chars // 3, len(text) - (max_chars - 2)))
    room = max_chars - (2 if start else 1)  # leave room for the ellipses
    end = start + room
    lead = ELLIPSIS if start else ""
    clipped = lead + text[start:end] + (ELLIPSIS if end < len(text) else "")
    shift = len(lead) - start
    kept = [(s + shift, e + shift) for s, e in marks if s >= start and e <= end]
    return clipped, kept
