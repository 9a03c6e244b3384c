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


SCRATCH = ("total", "held", "part", "mark", "touched")
# Arrays of the right item size (or none that would be read) but the wrong kind of number: each would be read
# as garbage (int64 weights of 3 as 1.5e-323) were only the item size checked.
WRONG_KINDS = [
    ("weights", np.array([3], dtype=np.int64)),
    ("weights", np.array([3], dtype=np.uint64)),
    ("weights", np.array([3.0], dtype=">f8")),
    ("weights", np.array([3.0], dtype=np.complex64)),
    ("docs", np.array([0], dtype=np.uint32)),
    ("docs", np.array([0], dtype=np.float32)),
    ("docs", np.array([0], dtype=">i4")),
    ("docs", np.array([[0]], dtype=np.int32)),
    ("total", np.zeros(4, dtype=np.int64)),
    ("total", np.zeros(4, dtype=np.uint64)),
    ("part", np.zeros(4, dtype=np.int64)),
    ("part", np.zeros(4, dtype=">f8")),
    ("held", np.zeros(4, dtype=np.int8)),
    ("held", np.zeros(4, dtype=np.uint8)),
    ("mark", np.zeros(4, dtype=np.int8)),
    ("mark", np.zeros(4, dtype=np.uint8)),
    ("touched", np.zeros(4, dtype=np.uint32)),
    ("touched", np.zeros(4, dtype=np.float32)),
    ("touched", np.zeros(4, dtype=np.int64)),
]


@pytest.mark.parametrize("name, wrong", WRONG_KINDS, ids=[f"{n}-{w.dtype.str}-{w.ndim}d" for n, w in WRONG_KINDS])
def test_arrays_of_the_right_size_but_the_wrong_kind_are_refused_by_name(name, wrong):
    scratch = dict(zip(SCRATCH, arrays(4)))
    term = {"docs": np.array([0], dtype=np.int32), "weights": np.array([3.0])}
    (scratch if name in scratch else term)[name] = wrong
    with pytest.raises(TypeError, match=name):
        _accumulate.add_channel(*scratch.values(), [(term["docs"], term["weights"], 1)], 1.0)
    for array in scratch.values():
        assert not array.any()


def test_native_order_little_endian_arrays_of_the_right_kinds_are_taken():
    total, held, part, mark, touched = arrays(4)
    docs, weights = np.array([1, 3], dtype="=i4"), np.array([3.0, 0.5], dtype="=f8")
    _accumulate.add_channel(total, held, part, mark, touched, [(docs, weights, 2)], 1.0)
    assert total.tolist() == [0.0, 6.0, 0.0, 1.0] and held.tolist() == [False, True, False, True]


def test_read_only_scratch_is_refused():
    total, held, part, mark, touched = arrays(2)
    total.flags.writeable = False
    with pytest.raises((TypeError, ValueError, BufferError)):
        _accumulate.add_channel(total, held, part, mark, touched, [], 1.0)


# --- fuzzing: arbitrary arrays, never a crash, and NumPy's sums wherever the arrays are of the right kinds -----

RIGHT = {"total": np.float64, "held": np.bool_, "part": np.float64, "mark": np.bool_, "touched": np.int32,
         "docs": np.int32, "weights": np.float64}
WRONG = [np.int64, np.uint64, np.float32, np.int32, np.uint32, np.int8, np.uint8, np.bool_, np.int16, np.float16,
         np.complex128, ">f8", ">i4", "<f8", np.float64]
FLOATS = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True) | st.sampled_from(
    [0.0, -0.0, 1.0, 0.5, float("nan"), float("inf"), float("-inf"), 5e-324, 1.7976931348623157e308])


@st.composite
def fuzzed_array(draw, name: str, n: int, values, mess: str | None = None):
    """An array of the right kind and length, read-only now and then where only read; `mess`: of another kind,
    length or shape, read-only, or strided (see MESSES)."""
    dtype = draw(st.sampled_from(WRONG).filter(lambda d: np.dtype(d) != np.dtype(RIGHT[name]))) \
        if mess == "kind" else RIGHT[name]
    size = draw(st.integers(0, n + 2).filter(lambda k: k != n)) if mess == "length" else n
    data = draw(st.lists(values, min_size=size, max_size=size))
    with np.errstate(all="ignore"):
        array = np.array(data, dtype=np.float64).astype(dtype)
    if mess == "shape":
        array = array.reshape(1, -1) if draw(st.booleans()) else np.repeat(array, 2)[::2]  # 2-d; not contiguous
    if mess == "read-only" or name in ("docs", "weights") and not draw(st.integers(0, 5)):
        array.flags.writeable = False
    return array


# What may be wrong with one argument of a call: every one must be refused (a TypeError, ValueError or
# OverflowError) before anything is written. "twice" and "dirty" are not refused: what comes of them is not
# defined (an array given for two arguments; `part` and `mark` not left zero), but never a crash, and nothing is
# ever written outside the arrays.
MESSES = ["kind", "length", "shape", "read-only", "range", "count", "twice", "dirty"]
ARGUMENTS = ["total", "held", "part", "mark", "touched", "docs", "weights"]


@st.composite
def fuzzed_call(draw):
    """add_channel's arguments: right (and the sums compared with NumPy's) about half the time, one of them
    wrong in one way otherwise."""
    mess = draw(st.none() | st.sampled_from(MESSES))
    victim = draw(st.sampled_from(ARGUMENTS))
    n = draw(st.integers(0, 8))

    def array(name, size, values):
        return draw(fuzzed_array(name, size, values, mess if name == victim else None))
    scratch = {"total": array("total", n, FLOATS), "held": array("held", n, st.booleans()),
               "part": array("part", n, FLOATS if mess == "dirty" else st.just(0)),
               "mark": array("mark", n, st.booleans() if mess == "dirty" else st.just(0)),
               "touched": array("touched", n, st.integers(-5, n + 5))}
    slices = []
    doc_values = st.integers(-2, n + 2) if mess == "range" else st.integers(0, max(n - 1, 0))
    for _ in range(draw(st.integers(0 if mess not in ("range", "count") else 1, 4))):
        m = draw(st.integers(0 if mess != "range" else 1, 6))
        docs, weights = array("docs", m, doc_values), array("weights", m, FLOATS)
        count = draw(st.integers(-3, 5) | st.sampled_from([2**53 + 1, 2**63 - 1, -(2**63), True, np.int64(3)]))
        slices.append((docs, weights, count))
    if mess == "count":
        slices[-1] = (*slices[-1][:2], draw(st.sampled_from([2**63, -(2**63) - 1, 1.0, 1.5, None, "1", np.float64(1)])))
    if mess == "twice":
        if draw(st.booleans()) or not slices:
            scratch["part"] = scratch["total"]
        else:
            slices[0] = (scratch["touched"], *slices[0][1:])  # read as documents while written as the ones reached
    weight = draw(FLOATS | st.sampled_from([1.0, 0.5, 2, True]))
    return scratch, slices, weight


def is_right(array, name: str, n: int | None = None) -> bool:
    return (isinstance(array, np.ndarray) and array.dtype == np.dtype(RIGHT[name]) and array.ndim == 1
            and array.flags.c_contiguous and (n is None or array.size == n)
            and (array.flags.writeable or name in ("docs", "weights")))


def wrong(scratch: dict, slices: list) -> bool:
    """Whether add_channel must refuse these: an array of the wrong kind, length or shape, scratch it may not
    write, a count that is not a 64-bit integer, a document number out of range."""
    n = scratch["total"].size if scratch["total"].ndim == 1 else -1
    if not all(is_right(a, name, n) for name, a in scratch.items()):
        return True
    for docs, weights, count in slices:
        if not (is_right(docs, "docs") and is_right(weights, "weights") and docs.size == weights.size):
            return True
        if not (isinstance(count, (int, np.integer)) and -(2**63) <= count < 2**63):
            return True
        if docs.size and not (0 <= docs.min() and docs.max() < n):
            return True
    return False


def defined(scratch: dict, slices: list) -> bool:
    """Whether what add_channel makes of these is defined (and NumPy's): no array given twice, `part` and
    `mark` left zero."""
    given = [id(a) for a in scratch.values()] + [id(docs) for docs, _, _ in slices]
    return len(set(given)) == len(given) and not scratch["part"].any() and not scratch["mark"].any()


def add_channel_in_numpy(total, held, part, slices, weight) -> None:
    """What `Ranker._score_into` does with one channel (each addition one at a time, in order: a repeated
    document is added again, as the compiled loop does), into arrays already holding other channels' sums."""
    weighted = [(docs, weights * float(count) if count != 1 else weights) for docs, weights, count in slices]
    if len(weighted) == 1:
        docs, weights = weighted[0]
        np.add.at(total, docs, weights * weight if weight != 1.0 else weights)
        held[docs] = True
    elif weighted:
        for docs, weights in weighted:
            np.add.at(part, docs, weights)
        docs = np.concatenate([d for d, _ in weighted])
        seen = docs[np.sort(np.unique(docs, return_index=True)[1])]
        total[seen] += part[seen] * weight if weight != 1.0 else part[seen]
        held[seen] = True
        part[seen] = 0.0


def same_floats(a: np.ndarray, b: np.ndarray) -> bool:
    """The same bits, NaNs aside (which NaN an operation on two NaNs gives depends on the order the compiler
    put its operands in): NaN where the other has NaN."""
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and a[~nan].tobytes() == b[~nan].tobytes()


@pytest.mark.timeout(60)
@settings(max_examples=600, deadline=None)
@given(fuzzed_call())
def test_fuzzed_calls_never_crash_wrong_ones_are_refused_and_right_ones_sum_as_numpy_does(call):
    scratch, slices, weight = call
    before = {name: a.copy() for name, a in scratch.items()}
    refused = wrong(scratch, slices)
    try:
        _accumulate.add_channel(*scratch.values(), slices, weight)
    except (TypeError, ValueError, OverflowError) as error:
        assert refused, f"right arguments refused: {error!r}"
        for name, a in scratch.items():  # refused before anything was written
            assert a.tobytes() == before[name].tobytes(), name
        return
    assert not refused, "wrong arguments taken"
    if not defined(scratch, slices):
        return  # summed somehow, and nothing written outside the arrays: all that is asked
    total, held, part = before["total"], before["held"], before["part"]
    with np.errstate(all="ignore"):
        add_channel_in_numpy(total, held, part, slices, float(weight))
    assert same_floats(scratch["total"], total)
    assert scratch["held"].tolist() == held.tolist()
    assert not scratch["part"].any() and not scratch["mark"].any()


@pytest.mark.timeout(60)
@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 5), unique=True, max_size=6), st.data()), min_size=1, max_size=4),
       st.sampled_from([1.0, 0.5, float("inf"), float("nan"), 3.0]))
def test_nan_and_infinite_weights_are_summed_as_numpy_sums_them(terms, weight):
    n = 6
    slices = []
    for docs, data in terms:
        weights = data.draw(st.lists(FLOATS, min_size=len(docs), max_size=len(docs)))
        slices.append((np.array(docs, dtype=np.int32), np.array(weights, dtype=np.float64),
                       data.draw(st.integers(0, 3))))
    total, held, part, mark, touched = arrays(n)
    _accumulate.add_channel(total, held, part, mark, touched, slices, weight)
    expected, expected_held, expected_part = np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n)
    with np.errstate(all="ignore"):
        add_channel_in_numpy(expected, expected_held, expected_part, slices, weight)
    assert same_floats(total, expected) and held.tolist() == expected_held.tolist()
    assert not part.any() and not mark.any()


def test_slices_that_are_not_triples_are_refused():
    total, held, part, mark, touched = arrays(2)
    docs, weights = np.array([0], dtype=np.int32), np.array([1.0])
    for slices, error in [([[docs, weights, 1]], TypeError), ([(docs, weights)], TypeError),
                          ([(docs, weights, 1.5)], TypeError), ([(docs, weights, 2**70)], OverflowError),
                          (5, TypeError), ([(None, weights, 1)], TypeError), ([(docs, None, 1)], TypeError)]:
        with pytest.raises(error):
            _accumulate.add_channel(total, held, part, mark, touched, slices, 1.0)
    with pytest.raises(TypeError, match="total"):
        _accumulate.add_channel(None, held, part, mark, touched, [], 1.0)
    assert not total.any() and not held.any()


def test_arrays_given_twice_or_not_left_zero_are_summed_somehow_but_never_written_past():
    n = 5
    docs = np.array([4, 0, 3], dtype=np.int32)
    for trial in range(3):
        total, held, part, mark, touched = arrays(n)
        slices = [(docs, np.array([1.0, 2.0, 3.0]), 1), (docs[::-1].copy(), np.array([0.5, 0.25, 4.0]), 2)]
        if trial == 0:
            part = total  # one array as the sums and the channel's part
        elif trial == 1:
            mark[:] = True  # not left zero: no document is taken as reached for the first time
            part[:] = 7.0
        else:
            touched[:] = [4, 0, 3, 1, 2]
            slices.append((touched, np.ones(n), 1))  # the documents reached, written while read as documents
        guard = np.full(3 * n, 99.0)
        total_in_guard = guard[n:2 * n]  # what lies either side must be left alone
        total_in_guard[:] = total
        _accumulate.add_channel(total_in_guard, held, part if trial else total_in_guard, mark, touched, slices, 0.5)
        assert guard[:n].tolist() == [99.0] * n and guard[2 * n:].tolist() == [99.0] * n
        assert 0 <= touched.min() and touched.max() < n
