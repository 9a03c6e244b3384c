"""The compiled channel accumulator against the NumPy one it stands in for: the same scores, bit for bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.index.bm25 import BM25Params
from service.index.postings import build
from service.search.ranker import Ranker, Weights

from helpers import compiled

_accumulate, pytestmark = compiled("_accumulate", "the NumPy path is used")

VOCABULARY = [f"t{i}" for i in range(12)]
DOCUMENTS = st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=12), min_size=1, max_size=40)
CHANNEL = st.sampled_from(["words", "title", "grams", "chars"])
SCORED = st.lists(st.tuples(CHANNEL, st.sampled_from(VOCABULARY + ["absent"])), max_size=12)
WEIGHT = st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.7])


def ranker(channels: dict[str, list[list[str]]], weights: Weights) -> Ranker:
    params = BM25Params()
    postings = {name: build(((str(i), terms) for i, terms in enumerate(docs)), params)
                for name, docs in channels.items()}
    return Ranker(postings.pop("words"), postings, weights, and_fallback_below=1)


@settings(max_examples=150, deadline=None)
@given(st.data(), WEIGHT, WEIGHT, WEIGHT, SCORED)
def test_native_scores_are_numpys_to_the_bit(data, title, grams, chars, scored):
    n = data.draw(st.integers(1, 30))
    docs = st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=12), min_size=n, max_size=n)
    channels = {name: data.draw(docs) for name in ("words", "title", "grams", "chars")}
    r = ranker(channels, Weights(title=title, grams=grams, chars=chars))
    expected = r.score_in_numpy(scored)
    for _ in range(2):  # the second time over the scratch arrays the first left behind
        got = r.score_compiled(scored)
        assert got[0].tolist() == expected[0].tolist()
        assert got[1].tobytes() == expected[1].tobytes()


def test_scratch_arrays_are_left_zero():
    r = ranker({name: [["t1", "t2"], ["t2"], ["t3"]] for name in ("words", "title", "grams", "chars")}, Weights())
    r.score_compiled([("words", "t1"), ("words", "t2"), ("grams", "t2"), ("chars", "t3")])
    scratch = r._scratch()
    assert not scratch.total.any() and not scratch.held.any() and not scratch.part.any() and not scratch.mark.any()


def arrays(n: int):
    return (np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int32))


def test_a_document_number_out_of_range_is_reported_and_nothing_is_written():
    total, held, part, mark, touched = arrays(4)
    slices = [(np.array([0, 1], dtype=np.int32), np.array([1.0, 2.0]), 1),
              (np.array([2, 9], dtype=np.int32), np.array([1.0, 2.0]), 1)]
    with pytest.raises(ValueError, match="document number 9 is outside 0..3"):
        _accumulate.add_channel(total, held, part, mark, touched, slices, 1.0)
    assert not total.any() and not held.any() and not part.any() and not mark.any()


@pytest.mark.parametrize("bad, message", [
    ({"docs": np.array([0], dtype=np.int64)}, "docs"),
    ({"weights": np.array([1.0], dtype=np.float32)}, "weights"),
    ({"weights": np.array([1.0, 2.0])}, "one length"),
])
def test_arrays_of_the_wrong_kind_are_refused(bad, message):
    total, held, part, mark, touched = arrays(4)
    term = {"docs": np.array([0], dtype=np.int32), "weights": np.array([1.0]), **bad}
    with pytest.raises((TypeError, ValueError), match=message):
        _accumulate.add_channel(total, held, part, mark, touched, [(term["docs"], term["weights"], 1)], 1.0)


def test_read_only_scratch_is_refused():
    total, held, part, mark, touched = arrays(2)
    total.flags.writeable = False
    with pytest.raises((TypeError, ValueError, BufferError)):
        _accumulate.add_channel(total, held, part, mark, touched, [], 1.0)
