# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A document's terms numbered in a run's vocabulary, at ingest: the loop `index.build.RunBuilder.add` makes
over each of an article's five channels, about a thousand terms an article.

In Python each term costs a method call, a `len` and a list item before the arrays are extended: about 0.4 ms
an article of 2 KB, as much as the run's sorting and writing. This walks the counts once, looks each term up
in the vocabulary as a dictionary does, and writes its number and count straight into the arrays.
`index.build.number_terms_in_python` is the same in Python, for when this is not built; the tests hold the two
to the same vocabulary and arrays.
"""

from cpython.array cimport array, resize_smart
from cpython.dict cimport PyDict_GetItemWithError, PyDict_Next, PyDict_SetItem
from cpython.object cimport PyObject


cdef inline int check_int64(array values, str name) except -1:
    if values.ob_descr.typecode_char != b'q':
        raise TypeError(f"{name} must be an array of typecode 'q'")
    return 0


def number_terms(dict vocabulary, dict term_counts, array term_ids, array freqs):
    """Each term of `term_counts` (in its order) numbered in `vocabulary`, a new term getting the next number
    (the vocabulary's size), its number appended to `term_ids` and its count to `freqs` (arrays of int64)."""
    check_int64(term_ids, "term_ids")
    check_int64(freqs, "freqs")
    if vocabulary is term_counts:
        raise ValueError("the vocabulary and the counts must be two dictionaries")
    cdef Py_ssize_t size = len(term_counts), n = len(term_ids), m = len(freqs), pos = 0, written = 0
    cdef PyObject *key
    cdef PyObject *value
    cdef PyObject *found
    cdef long long number, count
    resize_smart(term_ids, n + size)
    resize_smart(freqs, m + size)
    cdef long long *ids = term_ids.data.as_longlongs
    cdef long long *counts = freqs.data.as_longlongs
    try:
        while PyDict_Next(term_counts, &pos, &key, &value):
            count = <object>value  # a TypeError or OverflowError as array.extend gives
            # An error in the lookup (a failing comparison) is raised here as the dictionary raises it.
            found = PyDict_GetItemWithError(vocabulary, <object>key)
            if found is NULL:
                number = len(vocabulary)
                PyDict_SetItem(vocabulary, <object>key, number)
            else:
                number = <object>found
            ids[n + written] = number
            counts[m + written] = count
            written += 1
    finally:
        # What was not written is not kept: the arrays stay as long as what they hold.
        resize_smart(term_ids, n + written)
        resize_smart(freqs, m + written)
    return written
