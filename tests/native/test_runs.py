"""The compiled numbering of a document's terms (service/native/_runs.pyx) against the Python code it stands
in for (`index.build.number_terms_in_python`): the same vocabulary, in the same order, and the same arrays;
the same exception, with nothing half-written, on input of the wrong form; fuzzed over any documents."""

from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import compiled
from service.index.build import number_terms_in_python

_runs, pytestmark = compiled("_runs", "the Python path is used")


def both(documents):
    """Each document numbered in turn by both, into vocabularies and arrays of their own."""
    results = []
    for number in (_runs.number_terms, number_terms_in_python):
        vocabulary, term_ids, freqs = {}, array("q"), array("q")
        added = [number(vocabulary, counts, term_ids, freqs) for counts in documents]
        results.append((list(vocabulary.items()), term_ids.tolist(), freqs.tolist(), added))
    return results


@pytest.mark.timeout(60)
def test_terms_numbered_as_first_met_and_counts_kept():
    documents = [{"经济": 2, "发展": 1}, {"发展": 3, "中国": 1, "经济": 1}, {}, {"中国": 7}]
    compiled_result, python_result = both(documents)
    assert compiled_result == python_result
    assert compiled_result[0] == [("经济", 0), ("发展", 1), ("中国", 2)]
    assert compiled_result[1] == [0, 1, 1, 2, 0, 2]
    assert compiled_result[2] == [2, 1, 3, 1, 1, 7]


@pytest.mark.timeout(120)
@given(st.lists(st.dictionaries(st.text(max_size=3), st.integers(0, 2 ** 40), max_size=30), max_size=20))
@settings(max_examples=200, deadline=None)
def test_any_documents_numbered_alike(documents):
    compiled_result, python_result = both(documents)
    assert compiled_result == python_result


@pytest.mark.timeout(60)
@pytest.mark.parametrize("counts, error", [({"a": 1, "b": "2"}, TypeError), ({"a": 1, "b": 2 ** 70}, OverflowError)])
def test_a_bad_count_raises_as_in_python_and_leaves_the_arrays_as_long_as_they_hold(counts, error):
    for number in (_runs.number_terms, number_terms_in_python):
        with pytest.raises(error):
            number({"z": 0}, counts, array("q", [0]), array("q", [5]))
    vocabulary, term_ids, freqs = {"z": 0}, array("q", [0]), array("q", [5])
    with pytest.raises(error):
        _runs.number_terms(vocabulary, counts, term_ids, freqs)
    assert (term_ids.tolist(), freqs.tolist(), vocabulary) == ([0, 1], [5, 1], {"z": 0, "a": 1})


@pytest.mark.timeout(60)
def test_arrays_of_another_type_are_refused():
    with pytest.raises(TypeError, match="typecode 'q'"):
        _runs.number_terms({}, {"a": 1}, array("i"), array("q"))
    with pytest.raises(TypeError):
        _runs.number_terms({}, {"a": 1}, [], array("q"))
    with pytest.raises(ValueError, match="two dictionaries"):
        same = {"a": 1}
        _runs.number_terms(same, same, array("q"), array("q"))
