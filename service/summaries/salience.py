"""Word salience: how likely a headline written for a text would be to use each of its words.

A logistic model over a word's features in one text: how often it occurs and in how many sentences, how rare
it is in general Chinese (jieba's idf table), its length, whether it is a digit string, where it first
occurs, whether it stands in quotes, and its tf-idf rank. Its weights are fitted by `bench/fit_salience.py`.
The summaries weigh sentences by the salience they carry (`summaries.choice`); the weights are worked out
once per article at ingest and kept with it (`summaries.data`).
"""

from __future__ import annotations

import math
import re
from functools import reduce
from operator import add, mul
from typing import Sequence

from .. import native
from ..text.analyzer import Token
from ..text.sentences import Sentence
from .keywords import background_idf

_salience = native.compiled("_salience")

# The word salience model: a logistic regression over these features of a word
# in one text. Fitted by `bench/fit_salience.py` on LCSTS part II (the CLGE
# validation and test splits, 1,975 Weibo news texts and their headlines, less
# the texts that also occur in part III): the label is whether the headline
# contains the word.
SALIENCE_FEATURES = ("bias", "log_tf", "other_sentences", "idf", "unknown_word", "length", "single_char",
                     "in_first_sentence", "first_position", "has_digit", "inverse_rank", "in_quotes")
SALIENCE_WEIGHTS = (-3.2109, 1.0727, 0.2880, 1.4693, -0.4185, -1.1830, 0.1734, 0.4235, 0.2718, -0.3245, 1.1626,
                    0.5422)
TITLE_SALIENCE = 0.8  # a word of the title is at least this salient

_QUOTED = re.compile(r"“[^”]{1,30}”|《[^》]{1,30}》|「[^」]{1,30}」|\"[^\"]{1,30}\"")

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
    from .keywords import whole_words

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


def weigh_words(text: str, sentences: Sequence[Sentence], whole: Sequence[Token]
                ) -> tuple[dict[str, float], list[dict[str, None]] | list[list[str]]]:
    """The salience of the text's words (`whole_words` of its tokens) and each sentence's distinct words, in
    the order they first occur: compiled where it is built (`service.native`), the same to the last bit."""
    if _salience is None:
        return weigh_words_in_python(text, sentences, whole)
    return weigh_words_compiled(_salience, text, sentences, whole)


def weigh_words_in_python(text: str, sentences: Sequence[Sentence], whole: Sequence[Token]
                          ) -> tuple[dict[str, float], list[dict[str, None]]]:
    # Non-finite weights, median or idf would give weights that hang on how NaN sorts: a ValueError instead,
    # the same (and in the same order) as the compiled weighing's.
    table, median = background_idf()
    for k, w in enumerate(SALIENCE_WEIGHTS):
        if not math.isfinite(w):
            raise ValueError(f"the salience weights must be finite; weight {k} is {float(w)!r}")
    if not math.isfinite(median):
        raise ValueError(f"the median idf must be finite, not {float(median)!r}")
    seen, per_sentence = _word_stats(text, sentences, whole)
    for term in seen:
        idf = table.get(term, median)
        if not math.isfinite(idf):
            raise ValueError(f"the idf of {term!r} is not finite: {float(idf)!r}")
    return _salience_of(text, seen), per_sentence


def weigh_words_compiled(module, text: str, sentences: Sequence[Sentence], whole: Sequence[Token]
                         ) -> tuple[dict[str, float], list[list[str]]]:
    table, median = background_idf()
    return module.weigh(whole, sentences, [match.span() for match in _QUOTED.finditer(text)], len(text), table,
                        median, SALIENCE_WEIGHTS)


_W = SALIENCE_WEIGHTS
_CONSTANT_PRODUCTS = (_W[0] * 1.0, _W[7] * 1.0, _W[7] * 0.0, _W[11] * 1.0, _W[11] * 0.0)
_TF_PRODUCTS: dict[int, float] = {}  # by occurrences
_SENTENCES_PRODUCTS: dict[int, float] = {}  # by sentences holding the word
_RANK_PRODUCTS: list[float] = []  # by rank
