# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The `grams` and `chars` channels of an article counted in one pass over its folded texts.

In Python every bigram and every character becomes a string before `Counter` sees it: several string
allocations and dict look-ups per CJK character of the archive. Here each term is a number (its one or two
code points) counted in a small hash table, and only the distinct terms become strings. The result is the one
`service/index/channels.py` makes in Python, key order included; it uses this when it is built.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.sequence cimport PySequence_Fast
from cpython.set cimport PyAnySet_Check, PySet_Contains, PySet_GET_SIZE
from cpython.unicode cimport (PyUnicode_1BYTE_KIND, PyUnicode_4BYTE_KIND, PyUnicode_DATA, PyUnicode_FromKindAndData,
                              PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ)
from libc.stdint cimport uint64_t

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX

cdef extern from *:
    """
    /* Before Python 3.12 a string made by the deprecated wide-character API is not "ready" (without its kind
     * and data) until PyUnicode_READY is called; from 3.12 every string is, and the call is going away. */
    #if PY_VERSION_HEX >= 0x030C0000
    #define jiansuo_unicode_ready(text) 0
    #else
    #define jiansuo_unicode_ready(text) PyUnicode_READY(text)
    #endif
    """
    int unicode_ready "jiansuo_unicode_ready"(object text) except -1


cdef inline bint is_cjk(Py_UCS4 c) noexcept nogil:
    """Exactly `_CJK_RUN` of service/text/ngrams.py."""
    return (0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF) or (0xF900 <= c <= 0xFAFF) or (0x20000 <= c <= 0x2FFFF)


# A term as a number: its first code point shifted up, its second (0 for a one-character term, which no CJK
# character is) below. Code points take 21 bits.
cdef enum:
    SECOND_BITS = 21
cdef uint64_t SECOND_MASK = (<uint64_t>1 << SECOND_BITS) - 1


cdef inline uint64_t term_key(Py_UCS4 first, Py_UCS4 second) noexcept nogil:
    return (<uint64_t>first << SECOND_BITS) | <uint64_t>second


cdef struct Entry:
    uint64_t key
    Py_ssize_t count


cdef struct Tally:
    # Terms with their counts in the order they first occur, found through an open-addressed index.
    Entry *entries
    Py_ssize_t size
    Py_ssize_t capacity  # entries; the index has twice as many slots, so it is never more than half full
    Py_ssize_t *slots  # an entry's position, or -1


cdef inline size_t slot_of(uint64_t key, Py_ssize_t n_slots) noexcept nogil:
    """SplitMix64's finalizer: every bit of a key reaches the low bits taken, where a bare multiplication
    would leave a character's key (its low 21 bits zero) to a few hundred slots."""
    cdef uint64_t h = key
    h = (h ^ (h >> 30)) * <uint64_t>0xBF58476D1CE4E5B9ULL
    h = (h ^ (h >> 27)) * <uint64_t>0x94D049BB133111EBULL
    h ^= h >> 31
    return <size_t>h & <size_t>(n_slots - 1)


cdef int tally_init(Tally *tally, Py_ssize_t capacity) except -1:
    tally.size = 0
    tally.capacity = capacity
    tally.entries = <Entry *>PyMem_Malloc(capacity * sizeof(Entry))
    tally.slots = <Py_ssize_t *>PyMem_Malloc(2 * capacity * sizeof(Py_ssize_t))
    if tally.entries == NULL or tally.slots == NULL:
        tally_free(tally)
        raise MemoryError()
    cdef Py_ssize_t i
    for i in range(2 * capacity):
        tally.slots[i] = -1
    return 0


cdef void tally_free(Tally *tally) noexcept:
    PyMem_Free(tally.entries)
    PyMem_Free(tally.slots)
    tally.entries = NULL
    tally.slots = NULL


cdef int tally_grow(Tally *tally) except -1:
    if tally.capacity > PY_SSIZE_T_MAX // <Py_ssize_t>(2 * sizeof(Entry)):
        raise MemoryError()
    cdef Py_ssize_t capacity = 2 * tally.capacity, i, e
    cdef Entry *entries = <Entry *>PyMem_Realloc(tally.entries, capacity * sizeof(Entry))
    if entries == NULL:
        raise MemoryError()
    tally.entries = entries
    cdef Py_ssize_t *slots = <Py_ssize_t *>PyMem_Malloc(2 * capacity * sizeof(Py_ssize_t))
    if slots == NULL:
        raise MemoryError()
    for i in range(2 * capacity):
        slots[i] = -1
    cdef size_t s, mask = <size_t>(2 * capacity - 1)
    for e in range(tally.size):
        s = slot_of(entries[e].key, 2 * capacity)
        while slots[s] != -1:
            s = (s + 1) & mask
        slots[s] = e
    PyMem_Free(tally.slots)
    tally.slots = slots
    tally.capacity = capacity
    return 0


cdef inline int tally_add(Tally *tally, uint64_t key) except -1:
    cdef size_t mask = <size_t>(2 * tally.capacity - 1)
    cdef size_t s = slot_of(key, 2 * tally.capacity)
    cdef Entry *entry
    while tally.slots[s] != -1:
        entry = &tally.entries[tally.slots[s]]
        if entry.key == key:
            entry.count += 1
            return 0
        s = (s + 1) & mask
    if tally.size == tally.capacity:
        tally_grow(tally)
        return tally_add(tally, key)
    tally.entries[tally.size].key = key
    tally.entries[tally.size].count = 1
    tally.slots[s] = tally.size
    tally.size += 1
    return 0


cdef list counted(const Tally *tally, object stopwords):
    """[total, {term: count}] as `_counted` in service/index/channels.py makes it: stopwords left out of both."""
    cdef dict counts = {}
    cdef bint check_stopwords = PySet_GET_SIZE(stopwords) > 0
    cdef Py_ssize_t total = 0, e
    cdef Py_UCS4 chars[2]
    for e in range(tally.size):
        chars[0] = <Py_UCS4>(tally.entries[e].key >> SECOND_BITS)
        chars[1] = <Py_UCS4>(tally.entries[e].key & SECOND_MASK)
        term = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, chars, 2 if chars[1] else 1)
        if check_stopwords and PySet_Contains(stopwords, term):
            continue
        counts[term] = tally.entries[e].count
        total += tally.entries[e].count
    return [total, counts]


cdef int tally_text(str text, Tally *grams, Tally *chars) except -1:
    """Bigrams of each CJK run (a run of one character as itself) into `grams`, every CJK character into
    `chars`, in the order `bigram_terms(cjk_runs(text))` and `"".join(cjk_runs(text))` give them."""
    unicode_ready(text)
    cdef int kind = PyUnicode_KIND(text)
    if kind == PyUnicode_1BYTE_KIND:
        return 0  # every code point below 256: no CJK
    cdef const void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text), i, run = 0
    cdef Py_UCS4 c, previous = 0
    for i in range(length):
        c = PyUnicode_READ(kind, data, i)
        if is_cjk(c):
            tally_add(chars, term_key(c, 0))
            if run > 0:
                tally_add(grams, term_key(previous, c))
            previous = c
            run += 1
        else:
            if run == 1:
                tally_add(grams, term_key(previous, 0))
            run = 0
    if run == 1:
        tally_add(grams, term_key(previous, 0))
    return 0


def count_cjk(texts, stopwords):
    """count_cjk(texts, stopwords) -> (grams, chars): the CJK bigrams and characters of the folded texts, each
    as [total, {term: count}] in first-occurrence order, stopwords left out of counts and total."""
    if not PyAnySet_Check(stopwords):
        raise TypeError("stopwords must be a set or frozenset")
    texts = PySequence_Fast(texts, "texts must be a sequence of str")
    cdef Tally grams, chars
    grams.entries = chars.entries = NULL
    grams.slots = chars.slots = NULL
    try:
        tally_init(&grams, 64)
        tally_init(&chars, 64)
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be str, not {type(text).__name__}")
            tally_text(<str>text, &grams, &chars)
        return counted(&grams, stopwords), counted(&chars, stopwords)
    finally:
        tally_free(&chars)
        tally_free(&grams)
