"""The compiled term numbering of a run against the Python it stands in for: the same numbers, the same runs."""

import random
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.index import build
from service.index.build import RunBuilder
from service.native import pure_python

from helpers import TESTS, compiled, in_pure_python

_vocabulary, pytestmark = compiled("_vocabulary", "RunBuilder numbers terms in Python")

CHANNELS = ("words", "grams")
# No line breaks (a run's terms.txt refuses them) and no lone surrogates (UTF-8 cannot hold them, and the
# analyzer never makes a term of one: it is neither a letter nor a digit, nor CJK).
TERMS = st.sampled_from(["中国", "足球", "中", "a", "", "x" * 40, "\U00020000", "比赛", "灵芝", "t1", "t2"]) | st.text(
    st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=4)
TERM_COUNTS = st.dictionaries(TERMS, st.integers(1, 2**40), max_size=12)
DOCUMENTS = st.lists(st.tuples(TERM_COUNTS, TERM_COUNTS), max_size=25)


def numbered_in_python(vocabulary: dict, terms) -> array:
    return array("q", [vocabulary.setdefault(term, len(vocabulary)) for term in terms])


@settings(max_examples=200, deadline=None)
@given(st.lists(TERM_COUNTS, max_size=25), st.dictionaries(TERMS, st.integers(0, 50), max_size=5))
def test_native_numbers_are_pythons(documents, start):
    native, python = dict(start), dict(start)
    for terms in documents:
        ids = array("q")
        ids.frombytes(_vocabulary.term_ids(native, terms))
        assert ids == numbered_in_python(python, terms)
        assert list(native.items()) == list(python.items())


class Terms(Mapping):
    def __init__(self, counts: dict):
        self._counts = counts

    def __getitem__(self, term):
        return self._counts[term]

    def __iter__(self):
        return iter(self._counts)

    def __len__(self):
        return len(self._counts)


@pytest.mark.parametrize("terms", [Counter("中国中国人"), Terms({"中": 1, "a": 2, "中国": 3}), ["x", "中", "x"], ()])
def test_any_sized_collection_of_terms(terms):
    native, python = {"中": 0}, {"中": 0}
    assert array("q", _vocabulary.term_ids(native, terms)) == numbered_in_python(python, terms)
    assert list(native.items()) == list(python.items())


@pytest.mark.parametrize("vocabulary, terms, error", [
    ([], ["a"], TypeError),
    ({}, (t for t in ["a"]), TypeError),
    ({"a": "zero"}, ["a"], TypeError),
    ({}, [["unhashable"]], TypeError),
])
def test_wrong_arguments_are_refused(vocabulary, terms, error):
    with pytest.raises(error):
        _vocabulary.term_ids(vocabulary, terms)


def test_the_vocabulary_cannot_number_itself():
    vocabulary = {"a": 0}
    with pytest.raises(ValueError):
        _vocabulary.term_ids(vocabulary, vocabulary)


def run_files(folder, documents) -> dict[str, bytes]:
    builder = RunBuilder(folder, CHANNELS, max_postings=40)
    for number, (words, grams) in enumerate(documents):
        builder.add(f"d{number}", f"h{number}", {"words": [sum(words.values()), words],
                                                 "grams": [sum(grams.values()), grams]})
    builder.flush()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def random_documents(seed: int, count: int) -> list[tuple[dict, dict]]:
    rng = random.Random(seed)
    pool = ["中国", "足球", "中", "a", "", "x" * 40, "\U00020000", "比赛", "灵芝", "t1", "t2", "é", "\t", "\0"]
    pool += [f"w{i}" for i in range(60)]
    return [tuple({term: rng.randint(1, 2**40) for term in rng.sample(pool, rng.randint(0, 12))} for _ in "wg")
            for _ in range(count)]


def runs_of(folder, seeds) -> list[dict[str, bytes]]:
    return [run_files(folder / str(seed), random_documents(seed, 25)) for seed in seeds]


def test_runs_are_the_same_with_every_compiled_part_switched_off(tmp_path):
    # The package numbers with the compiled part, unless the switch asks for Python everywhere.
    assert build._term_ids is (None if pure_python() else _vocabulary.term_ids)
    seeds = range(40)
    native = runs_of(tmp_path / "native", seeds)
    assert native == in_pure_python("test_vocabulary:runs_of", tmp_path / "python", seeds, path=[TESTS, TESTS / "native"])


# --- fuzzing: arbitrary vocabularies and terms, never a crash, and Python's numbers wherever they are right ----

class Vocabulary(dict):
    pass


class Word(str):
    pass


class Collides:
    """Hashes as "中" does and equals nothing: the dict's probing goes past the term it collides with."""

    def __hash__(self):
        return hash("中")

    def __eq__(self, other):
        return self is other


KEYS = TERMS | st.integers(-3, 3) | st.builds(Word, TERMS) | st.tuples(TERMS) | st.just(float("nan")) | st.builds(
    Collides)  # NaN: one object, found by identity
NUMBERS = st.integers(-(2**63), 2**63 - 1) | st.integers(0, 50) | st.booleans()
WRONG_NUMBERS = st.sampled_from([2**63, -(2**63) - 1, 1.5, "1", None, b"1"])


@st.composite
def fuzzed_vocabulary(draw):
    entries = draw(st.lists(st.tuples(KEYS, NUMBERS if draw(st.integers(0, 4)) else NUMBERS | WRONG_NUMBERS),
                            max_size=8))
    kind = draw(st.sampled_from(["dict"] * 4 + ["dict subclass", "list", "none", "mapping"]))
    entries = dict(entries)
    return {"dict": dict, "dict subclass": Vocabulary, "list": list, "none": lambda _: None,
            "mapping": Terms}[kind](entries)


@st.composite
def fuzzed_terms(draw, vocabulary):
    terms = draw(st.lists(KEYS | (st.just(["unhashable"]) if not draw(st.integers(0, 4)) else st.nothing()),
                          max_size=10))
    kind = draw(st.sampled_from(["list", "list", "tuple", "dict", "Counter", "mapping", "iterator", "str", "set",
                                 "none", "itself", "its keys"]))
    hashable = [t for t in terms if not isinstance(t, list)]
    return {"list": lambda: terms, "tuple": lambda: tuple(terms), "dict": lambda: dict.fromkeys(hashable, 1),
            "Counter": lambda: Counter(hashable), "mapping": lambda: Terms(dict.fromkeys(hashable, 1)),
            "iterator": lambda: iter(terms), "str": lambda: "".join(t for t in hashable if isinstance(t, str)),
            "set": lambda: set(hashable), "none": lambda: None, "itself": lambda: vocabulary,
            "its keys": lambda: vocabulary.keys() if isinstance(vocabulary, dict) else terms}[kind]()


def outcome(function, vocabulary, terms):
    try:
        return function(vocabulary, terms), None
    except (TypeError, ValueError, OverflowError, RuntimeError) as error:
        return None, type(error)


@pytest.mark.timeout(60)
@settings(max_examples=500, deadline=None)
@given(st.data(), fuzzed_vocabulary())
def test_fuzzed_vocabularies_and_terms_never_crash_and_number_as_python_does(data, vocabulary):
    terms = data.draw(fuzzed_terms(vocabulary))
    if not isinstance(vocabulary, dict) or terms is vocabulary or terms is None or isinstance(terms, Iterator):
        _, error = outcome(_vocabulary.term_ids, vocabulary, terms)  # not a dict; itself; terms not counted
        assert error is (ValueError if isinstance(vocabulary, dict) and terms is vocabulary else TypeError)
        return
    native, python = type(vocabulary)(vocabulary), type(vocabulary)(vocabulary)
    own_keys = isinstance(terms, type({}.keys()))  # each numbers its own vocabulary's terms
    got, error = outcome(_vocabulary.term_ids, native, native.keys() if own_keys else terms)
    expected, expected_error = outcome(lambda v, t: numbered_in_python(v, t).tobytes(), python,
                                       python.keys() if own_keys else terms)
    # Refused where Python refuses (not always for the same term first: Python meets a number that is not a
    # 64-bit integer only after numbering every term).
    assert (error is None) == (expected_error is None)
    if error is None:
        assert got == expected
        assert list(native.items()) == list(python.items())
