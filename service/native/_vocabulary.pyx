# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""A run's term numbers for one document's terms, numbering the new ones as they come.

`RunBuilder.add` does `vocabulary.setdefault(term, len(vocabulary))` for every term of every channel of every
article: a Python-level call and a `len` per posting. This is the same dict work without them, and hands the
numbers back as the bytes of an `array('q')`, for `frombytes`. `service/index/build.py` uses it when it is
built and keeps the Python code for when it is not.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_GetItemWithError, PyDict_SetItem, PyDict_Size
from cpython.number cimport PyNumber_Index
from cpython.object cimport PyObject
from libc.stdint cimport int64_t

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX


def term_ids(vocabulary, terms):
    """term_ids(vocabulary, terms) -> bytes: each term's number in vocabulary, a new term numbered
    len(vocabulary) and added, as the native-order int64s of an array('q')."""
    if not isinstance(vocabulary, dict):
        raise TypeError(f"term_ids() argument 1 must be dict, not {type(vocabulary).__name__}")
    if terms is vocabulary:
        raise ValueError("the terms cannot be the vocabulary they are numbered in")
    cdef Py_ssize_t n = len(terms), i = 0
    if n > PY_SSIZE_T_MAX // <Py_ssize_t>sizeof(int64_t):
        raise MemoryError()
    ids = PyBytes_FromStringAndSize(NULL, n * <Py_ssize_t>sizeof(int64_t))
    cdef int64_t *out = <int64_t *>PyBytes_AS_STRING(ids)  # array('q') holds C long longs: 8 bytes
    cdef int64_t number
    cdef PyObject *known
    for term in terms:
        if i == n:
            raise RuntimeError("the terms changed size while they were numbered")
        known = PyDict_GetItemWithError(vocabulary, term)  # borrowed; NULL and an error raised, or absent
        if known is NULL:
            number = PyDict_Size(vocabulary)
            PyDict_SetItem(vocabulary, term, number)
        else:
            number = PyNumber_Index(<object>known)  # a TypeError (not an integer) or an OverflowError
        out[i] = number
        i += 1
    if i != n:
        raise RuntimeError("the terms changed size while they were numbered")
    return ids
