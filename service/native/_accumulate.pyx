# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Summing one channel's BM25 weights into per-article slots, in one pass over each term's postings.

NumPy's `total[docs] += weights` reads, adds and writes through temporary arrays, and a channel of several
terms needs its documents gathered again to be weighted and added to the total: about ten passes over every
posting. This does the same floating-point operations in the same order (so the scores are the same to the
last bit) in one pass over the postings and one over the channel's distinct documents.
`service/search/ranker.py` uses it when it is built and keeps the NumPy code for when it is not.

Built with -ffp-contract=off: a fused multiply-add would round once where NumPy rounds twice.

Every array is taken as a typed memoryview of exactly the kind of number it holds, in this machine's byte
order (NumPy bools, which a memoryview of bytes would also take as unsigned bytes, are checked by their
format): anything else is a TypeError naming the argument, never numbers read as another kind.
"""

cimport cython
from cpython.buffer cimport PyBUF_FORMAT, PyBUF_ND, PyBuffer_Release, PyObject_GetBuffer
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.number cimport PyNumber_Index
from cpython.sequence cimport PySequence_Fast
from libc.stdint cimport int32_t, uint8_t


cdef struct Slice:
    const int32_t *docs
    const double *weights
    Py_ssize_t size
    double count


@cython.final
@cython.freelist(16)
@cython.auto_pickle(False)
cdef class _Term:
    """One term's arrays, held (their buffers too) while the sums are made without the GIL."""
    cdef const int32_t[::1] docs
    cdef const double[::1] weights
    cdef double count


cdef str _refusal(str name, str wanted, object array, object error):
    """The TypeError's message: the argument by name, what it must be, and what is wrong with it."""
    access = "" if name in ("docs", "weights") else "writable "
    return (f"{name}: a {access}one-dimensional contiguous array of {wanted} in native byte order is needed, not "
            f"{type(array).__name__} ({error})")


cdef double[::1] _floats(object array, str name):
    """A writable float64 array: `total` and `part`."""
    if array is None:
        raise TypeError(_refusal(name, "float64", array, "None"))
    try:
        return array
    except (TypeError, ValueError, BufferError) as error:
        raise TypeError(_refusal(name, "float64", array, error)) from None


cdef const double[::1] _weights(object array):
    if array is None:
        raise TypeError(_refusal("weights", "float64", array, "None"))
    try:
        return array
    except (TypeError, ValueError, BufferError) as error:
        raise TypeError(_refusal("weights", "float64", array, error)) from None


cdef int32_t[::1] _touched(object array):
    if array is None:
        raise TypeError(_refusal("touched", "int32", array, "None"))
    try:
        return array
    except (TypeError, ValueError, BufferError) as error:
        raise TypeError(_refusal("touched", "int32", array, error)) from None


cdef const int32_t[::1] _docs(object array):
    if array is None:
        raise TypeError(_refusal("docs", "int32", array, "None"))
    try:
        return array
    except (TypeError, ValueError, BufferError) as error:
        raise TypeError(_refusal("docs", "int32", array, error)) from None


cdef uint8_t[::1] _bools(object array, str name):
    """A writable bool array: `held` and `mark`. A memoryview of uint8_t takes NumPy's bools ('?') and its
    unsigned bytes ('B') alike: the format tells them apart."""
    cdef Py_buffer view
    if array is None:
        raise TypeError(_refusal(name, "bool", array, "None"))
    try:
        PyObject_GetBuffer(array, &view, PyBUF_FORMAT | PyBUF_ND)
    except (TypeError, ValueError, BufferError) as error:
        raise TypeError(_refusal(name, "bool", array, error)) from None
    cdef const char *f = view.format
    if f != NULL and f[0] in b"@=<>!":
        f += 1  # a byte order says nothing of one-byte items
    cdef bint is_bool = f != NULL and f[0] == b"?" and f[1] == 0
    given = "B" if view.format == NULL else view.format.decode("ascii", "replace")
    PyBuffer_Release(&view)
    if not is_bool:
        raise TypeError(_refusal(name, "bool", array, f"format {given!r}"))
    try:
        return array
    except (TypeError, ValueError, BufferError) as error:
        raise TypeError(_refusal(name, "bool", array, error)) from None


def add_channel(total, held, part, mark, touched, slices, double weight):
    """add_channel(total, held, part, mark, touched, slices, weight): one channel's weighted BM25 sums added
    into total, every article reached marked in held.

    total, part: float64[n]; held, mark: bool[n]; touched: int32[n]; slices: a sequence of
    (docs int32[m], weights float64[m], count int), one per distinct term in query order; weight: the channel's
    weight. `part` and `mark` must be all zero and are left so.

    As in `Ranker._score_into`: a term's weights are multiplied by its count (when not 1); one term's are then
    multiplied by the channel weight (when not 1) and added to `total`; several terms' are first summed per
    article in query order, and the sum multiplied and added. Every article reached gets `held` set.
    """
    cdef double[::1] t = _floats(total, "total")
    cdef uint8_t[::1] h = _bools(held, "held")
    cdef double[::1] p = _floats(part, "part")
    cdef uint8_t[::1] k = _bools(mark, "mark")
    cdef int32_t[::1] seen = _touched(touched)
    cdef Py_ssize_t n = t.shape[0]
    if h.shape[0] != n or p.shape[0] != n or k.shape[0] != n or seen.shape[0] != n:
        raise ValueError("total, held, part, mark and touched must be of one length")

    cdef list terms = []
    cdef _Term term
    cdef Py_ssize_t s, i, m
    cdef long long count
    for item in PySequence_Fast(slices, "slices must be a sequence"):
        if not isinstance(item, tuple) or len(<tuple>item) != 3:
            raise TypeError("each slice must be a (docs, weights, count) tuple")
        term = _Term.__new__(_Term)
        term.docs = _docs((<tuple>item)[0])
        term.weights = _weights((<tuple>item)[1])
        if term.docs.shape[0] != term.weights.shape[0]:
            raise ValueError("docs and weights of a term must be of one length")
        count = PyNumber_Index((<tuple>item)[2])  # a TypeError (not an integer) or an OverflowError
        term.count = <double>count
        terms.append(term)

    # Document numbers come from index files: one out of range is reported, never written through.
    cdef const int32_t *docs
    for term in terms:
        docs = &term.docs[0] if term.docs.shape[0] else NULL
        for i in range(term.docs.shape[0]):
            if docs[i] < 0 or docs[i] >= n:
                raise ValueError(f"document number {docs[i]} is outside 0..{n - 1}")

    cdef Py_ssize_t n_slices = len(terms)
    cdef Slice *table = <Slice *>PyMem_Malloc((n_slices if n_slices else 1) * sizeof(Slice))
    if table == NULL:
        raise MemoryError()
    try:
        for s in range(n_slices):
            term = <_Term>terms[s]
            m = term.docs.shape[0]
            table[s].docs = &term.docs[0] if m else NULL
            table[s].weights = &term.weights[0] if m else NULL
            table[s].size = m
            table[s].count = term.count
        with nogil:
            _add(&t[0] if n else NULL, &h[0] if n else NULL, &p[0] if n else NULL, &k[0] if n else NULL,
                 &seen[0] if n else NULL, n, table, n_slices, weight)
    finally:
        PyMem_Free(table)


cdef void _add(double *t, uint8_t *h, double *p, uint8_t *k, int32_t *seen, Py_ssize_t n, const Slice *slices,
               Py_ssize_t n_slices, double weight) noexcept nogil:
    # Every number was checked to be in range before; checked again (for nothing, unless another thread
    # changed an array meanwhile) so that nothing is ever written outside the arrays.
    cdef const int32_t *docs
    cdef const double *w
    cdef double count, x
    cdef Py_ssize_t i, s, m, n_seen = 0
    cdef int32_t d
    if n_slices == 1:
        docs = slices[0].docs
        w = slices[0].weights
        count = slices[0].count
        m = slices[0].size
        for i in range(m):
            d = docs[i]
            if <size_t>d >= <size_t>n:
                continue
            x = w[i]
            if count != 1.0:
                x = x * count
            if weight != 1.0:
                x = x * weight
            t[d] += x
            h[d] = 1
    elif n_slices > 1:
        for s in range(n_slices):
            docs = slices[s].docs
            w = slices[s].weights
            count = slices[s].count
            m = slices[s].size
            for i in range(m):
                d = docs[i]
                if <size_t>d >= <size_t>n:
                    continue
                x = w[i]
                if count != 1.0:
                    x = x * count
                if not k[d]:
                    if n_seen == n:
                        continue
                    k[d] = 1
                    seen[n_seen] = d
                    n_seen += 1
                p[d] += x
        for i in range(n_seen):
            d = seen[i]
            if <size_t>d >= <size_t>n:
                continue
            x = p[d]
            if weight != 1.0:
                x = x * weight
            t[d] += x
            h[d] = 1
            p[d] = 0.0
            k[d] = 0
