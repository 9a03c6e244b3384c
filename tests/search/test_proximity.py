"""The term-proximity signal (BM25TP) over word positions, worked by hand on small cases."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from service.search.proximity import ProximityWord, proximity_scores

K1 = 1.2


def occurrences_in(texts: dict[int, str]):
    """`Occurrences` over plain strings: every place each key stands in each document."""
    def occurrences(key: str, docs: np.ndarray):
        found = [(int(d), i) for d in docs for i in range(len(texts[int(d)])) if texts[int(d)].startswith(key, i)]
        return (np.array([d for d, _ in found], dtype=np.int64), np.array([i for _, i in found], dtype=np.int64))
    return occurrences


def scores(texts, words, norms=None):
    docs = np.array(sorted(texts), dtype=np.int64)
    norms = np.ones(docs.size) if norms is None else np.asarray(norms, dtype=np.float64)
    return proximity_scores(words, docs, occurrences_in(texts), norms, K1)


WORDS = [ProximityWord("总书记", 2.0), ProximityWord("考察", 3.0)]


def test_side_by_side_words_score_by_the_formula():
    result = scores({0: "总书记考察"}, WORDS)
    # Each word's accumulator holds the other's idf at distance 1.
    expected = sum(min(1.0, idf) * acc * (K1 + 1) / (acc + 1.0) for idf, acc in ((2.0, 3.0), (3.0, 2.0)))
    assert result[0] == pytest.approx(expected)


def test_closer_words_score_higher_and_far_ones_little():
    near, apart, far = scores({0: "总书记考察", 1: "总书记在广西考察", 2: "总书记" + "某" * 200 + "考察"}, WORDS)
    assert near > apart > far > 0
    assert far < near / 1000


def test_one_word_alone_or_none_scores_nothing():
    assert list(scores({0: "总书记讲话", 1: "无关的文字", 2: "总书记总书记"}, WORDS)) == [0.0, 0.0, 0.0]
    assert list(scores({0: "总书记考察"}, WORDS[:1])) == [0.0]


def test_longer_articles_score_less_for_the_same_closeness():
    short, long = scores({0: "总书记考察", 1: "总书记考察"}, WORDS, norms=[1.0, 3.0])
    assert short > long > 0


def test_only_the_given_documents_are_scored_in_their_order():
    texts = {3: "总书记考察", 5: "无关", 9: "考察总书记"}
    result = scores(texts, WORDS)
    assert result.shape == (3,) and result[1] == 0 and result[0] == pytest.approx(result[2])


def by_hand(texts: dict[int, str], words: list[ProximityWord], norms: np.ndarray) -> list[float]:
    """The formula worked pair by pair in plain Python: the first word of every pair credited first, then the
    second word of every pair, as the sums are made."""
    idf = [w.idf for w in words]
    out = []
    for slot, doc in enumerate(sorted(texts)):
        text = texts[doc]
        found = sorted((i, n) for n, w in enumerate(words) for i in range(len(text)) if text.startswith(w.key, i))
        pairs = []
        for (start, word), (next_start, next_word) in zip(found, found[1:]):
            gap = next_start - (start + len(words[word].key))
            if word != next_word and gap >= 0:
                distance = 1.0 + gap / 2.0
                pairs.append((word, next_word, 1.0 / (distance * distance)))
        acc = [0.0] * len(words)
        for word, other, closeness in pairs:
            acc[word] += idf[other] * closeness
        for word, other, closeness in pairs:
            acc[other] += idf[word] * closeness
        out.append(sum(min(1.0, idf[n]) * (a * (K1 + 1.0) / (a + norms[slot])) for n, a in enumerate(acc)))
    return out


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.integers(0, 40), st.text(alphabet="总书记考察在广西", max_size=60), min_size=1,
                       max_size=6),
       st.lists(st.floats(0.5, 4.0), min_size=6, max_size=6))
def test_every_pair_is_credited_to_both_words_as_the_formula_says(texts, norms):
    words = WORDS + [ProximityWord("广西", 0.7)]
    docs = sorted(texts)
    got = proximity_scores(words, np.array(docs, dtype=np.int64), occurrences_in(texts),
                           np.asarray(norms[:len(docs)], dtype=np.float64), K1)
    expected = by_hand(texts, words, np.asarray(norms[:len(docs)], dtype=np.float64))
    assert got.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)
