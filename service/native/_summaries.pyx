# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""A hit's summary sentences straight from its stored summary data (`choose`), and that data's packing at
ingest (`pack`): the compiled twins of `SummaryData.from_bytes(...).summary(...)` and `SummaryData.to_bytes`
(`service/summaries/data.py`, `service/summaries/packed.py`, where the form is described).

A page of hits needs ten summaries. In Python each costs a decoding of the stored data into lists and
dictionaries and a greedy choice over tuples and sets, about 150 microseconds, most of a search's time.
`choose` reads only what the query needs from the bytes (the query words' places, the pool sentences' words
and weights) and makes the same choice as `SummaryData.summary`: the same keys, compared in the same order,
the same floating-point operations in the same order (built with -ffp-contract=off), so the same sentences.
It reads the data only when `packed.unpack` would (the same checks, all of them before the choice), and
answers None otherwise.

In Python, packing first gathers the places of every token into a dictionary of lists by term, then walks
them again term by term into a list of integers and through NumPy into bytes: about half a millisecond of an
article's ingest. `pack` numbers the tokens by term in one table and writes each where its term's places go,
and writes the bytes out little-endian one by one, whatever the machine.

The Python code stays as the reference, and tests/native/test_summaries.py holds the two to the same output.
The GIL is held throughout: a call is a few microseconds, less than handing the GIL over and back can cost.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_Next, PyDict_Size
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.long cimport PyLong_AsDouble, PyLong_AsUnsignedLongLong
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject, PyTypeObject
from cpython.sequence cimport PySequence_Fast, PySequence_Fast_GET_ITEM, PySequence_Fast_GET_SIZE
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport (Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE, PyUnicode_AsUTF8AndSize,
                              PyUnicode_AsUTF8String, PyUnicode_DATA, PyUnicode_FindChar, PyUnicode_GET_LENGTH,
                              PyUnicode_KIND, PyUnicode_READ)
from libc.math cimport isfinite
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memchr, memcmp, memcpy, memmove

cdef extern from "Python.h":
    Py_ssize_t PY_SSIZE_T_MAX
    bint PyUnicode_IS_ASCII(object o)

cdef extern from *:
    int __builtin_popcountll(unsigned long long) nogil

cdef enum:
    FORMAT = 2  # `packed.FORMAT`
    HEADER = 24  # `packed.HEADER`: six uint32
cdef uint64_t FINITE_BITS = 0x7FF0000000000000ULL  # `packed.FINITE_BITS`: the bits of inf


# ---- Reading the stored form -------------------------------------------------------------------------------

cdef struct Ints:
    const unsigned char *ints  # the integers' bytes, little-endian
    Py_ssize_t width           # 2 or 4
    Py_ssize_t count


cdef inline Py_ssize_t int_at(const Ints *ints, Py_ssize_t k) noexcept nogil:
    cdef const unsigned char *p = ints.ints + k * ints.width
    if ints.width == 2:
        return <Py_ssize_t>p[0] | (<Py_ssize_t>p[1] << 8)
    return <Py_ssize_t>(<uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24))


cdef inline uint32_t u32_at(const unsigned char *p) noexcept nogil:
    return <uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


cdef inline uint64_t u64_at(const unsigned char *p) noexcept nogil:
    cdef uint64_t bits = 0
    cdef int b
    for b in range(7, -1, -1):
        bits = (bits << 8) | p[b]
    return bits


cdef inline bint continuation(unsigned char b) noexcept nogil:
    return (b & 0xC0) == 0x80


cdef Py_ssize_t utf8_char(const unsigned char *p, Py_ssize_t left) noexcept nogil:
    """Bytes of the one character at `p` (`left` bytes there) as Python's strict UTF-8 decoder takes it: no
    overlong form, no surrogate, nothing past U+10FFFF; 0 where it would fail."""
    cdef unsigned char b = p[0]
    if b < 0x80:
        return 1
    if b < 0xC2:
        return 0
    if b < 0xE0:
        return 2 if left >= 2 and continuation(p[1]) else 0
    if b < 0xF0:
        if left < 3 or not continuation(p[2]):
            return 0
        if b == 0xE0:
            return 3 if 0xA0 <= p[1] <= 0xBF else 0
        if b == 0xED:
            return 3 if 0x80 <= p[1] <= 0x9F else 0
        return 3 if continuation(p[1]) else 0
    if b > 0xF4 or left < 4 or not continuation(p[2]) or not continuation(p[3]):
        return 0
    if b == 0xF0:
        return 4 if 0x90 <= p[1] <= 0xBF else 0
    if b == 0xF4:
        return 4 if 0x80 <= p[1] <= 0x8F else 0
    return 4 if continuation(p[1]) else 0


# One sentence's distinct letter pairs (`choice._bigrams`), sorted: a pair is two code points in one number, a
# lone letter is marked by the top bit so it never equals a pair.
cdef struct Pairs:
    uint64_t *codes
    Py_ssize_t size
    bint made


cdef int compare_codes(const void *a, const void *b) noexcept nogil:
    cdef uint64_t x = (<const uint64_t *>a)[0]
    cdef uint64_t y = (<const uint64_t *>b)[0]
    return (x > y) - (x < y)


cdef int make_pairs(Pairs *pairs, int kind, const void *data, Py_ssize_t start, Py_ssize_t end) except -1:
    cdef Py_ssize_t letters = 0, k, unique
    cdef uint32_t ch, previous = 0, first = 0  # code points (Cython takes a Py_UCS4 for a one-character str)
    pairs.codes = <uint64_t *>PyMem_Malloc(sizeof(uint64_t) * <size_t>(end - start + 1))
    if pairs.codes == NULL:
        raise MemoryError()
    pairs.size = 0
    for k in range(start, end):
        ch = PyUnicode_READ(kind, <void *>data, k)
        # Python's `re` counts a character as a word character when `str.isalnum` holds for it.
        if not Py_UNICODE_ISALNUM(ch):
            continue
        if letters == 0:
            first = ch
        else:
            pairs.codes[pairs.size] = (<uint64_t>previous << 32) | <uint64_t>ch
            pairs.size += 1
        previous = ch
        letters += 1
    if letters == 1:
        pairs.codes[pairs.size] = (<uint64_t>1 << 63) | <uint64_t>first
        pairs.size += 1
    qsort(pairs.codes, <size_t>pairs.size, sizeof(uint64_t), compare_codes)
    unique = 0
    for k in range(pairs.size):
        if unique == 0 or pairs.codes[unique - 1] != pairs.codes[k]:
            pairs.codes[unique] = pairs.codes[k]
            unique += 1
    pairs.size = unique
    pairs.made = True
    return 0


cdef bint overlapping(const Pairs *x, const Pairs *y, double near_duplicate) noexcept nogil:
    if x.size == 0 or y.size == 0:
        return False
    cdef Py_ssize_t i = 0, j = 0, shared = 0
    while i < x.size and j < y.size:
        if x.codes[i] < y.codes[j]:
            i += 1
        elif x.codes[i] > y.codes[j]:
            j += 1
        else:
            shared += 1
            i += 1
            j += 1
    cdef Py_ssize_t smaller = x.size if x.size < y.size else y.size
    return <double>shared / <double>smaller >= near_duplicate


# A sentence's place in the choice: the key `choice.choose` compares, (new query words, query words, value, -i).
cdef struct Entry:
    Py_ssize_t fresh
    Py_ssize_t found
    double value
    Py_ssize_t sentence


cdef inline bint before(const Entry *a, const Entry *b) noexcept nogil:
    """Whether `a` comes before `b` in the choice: more new query words, then more query words, then more value,
    then the earlier sentence."""
    if a.fresh != b.fresh:
        return a.fresh > b.fresh
    if a.found != b.found:
        return a.found > b.found
    if a.value != b.value:
        return a.value > b.value
    return a.sentence < b.sentence


cdef struct Terms:
    const unsigned char *blob  # the terms, NUL between them
    Py_ssize_t *start          # byte offset of each term in blob
    Py_ssize_t *size           # its bytes
    Py_ssize_t *chars          # its characters
    Py_ssize_t count


cdef int read_terms(Terms *terms, Py_ssize_t blob_size) noexcept nogil:
    """Where each term is and how many characters it has; -1 unless the bytes are UTF-8 with exactly
    `terms.count - 1` NUL in them."""
    cdef Py_ssize_t j = 0, k = 0, begin = 0, chars = 0, step
    cdef const unsigned char *blob = terms.blob
    if terms.count == 0:
        return 0 if blob_size == 0 else -1
    while True:
        if k == blob_size or blob[k] == 0:
            if j >= terms.count:
                return -1
            terms.start[j] = begin
            terms.size[j] = k - begin
            terms.chars[j] = chars
            j += 1
            if k == blob_size:
                break
            k += 1
            begin = k
            chars = 0
            continue
        step = utf8_char(blob + k, blob_size - k)
        if step == 0:
            return -1
        k += step
        chars += 1
    return 0 if j == terms.count else -1


cdef inline uint64_t term_hash(const unsigned char *p, Py_ssize_t size) noexcept nogil:
    """A hash of a term's bytes from its size and its first and last eight bytes: distinct terms that share
    them only probe further."""
    cdef uint64_t head = 0, tail = 0
    if size >= 8:
        memcpy(&head, p, 8)
        memcpy(&tail, p + size - 8, 8)
    else:
        memcpy(&head, p, <size_t>size)
    cdef uint64_t h = (head * 0x9E3779B97F4A7C15ULL) ^ (tail + <uint64_t>size) * 0xC2B2AE3D27D4EB4FULL
    return h ^ (h >> 29)


cdef int distinct_terms(const Terms *terms, Py_ssize_t n, bint *distinct) except -1:
    """Whether the first `n` terms are distinct (the weighed ones: `SummaryData.summary` keys their weights by
    their text)."""
    cdef Py_ssize_t size = 8, j, slot, other
    cdef uint64_t h
    while size < 2 * n:
        size *= 2
    cdef Py_ssize_t *table = <Py_ssize_t *>PyMem_Calloc(<size_t>size, sizeof(Py_ssize_t))  # term + 1; 0: empty
    if table == NULL:
        raise MemoryError()
    distinct[0] = True
    for j in range(n):
        h = term_hash(terms.blob + terms.start[j], terms.size[j])
        slot = <Py_ssize_t>(h & <uint64_t>(size - 1))
        while table[slot] != 0:
            other = table[slot] - 1
            if terms.size[other] == terms.size[j] and memcmp(terms.blob + terms.start[other],
                                                             terms.blob + terms.start[j],
                                                             <size_t>terms.size[j]) == 0:
                distinct[0] = False
                break
            slot = (slot + 1) & (size - 1)
        if not distinct[0]:
            break
        table[slot] = j + 1
    PyMem_Free(table)
    return 0


cdef Py_ssize_t find_term(const Terms *terms, object term):
    """The number of the stored term that is `term`; -1 where there is none."""
    cdef Py_ssize_t size, j
    cdef const char *text
    if not isinstance(term, str):
        return -1
    try:
        text = PyUnicode_AsUTF8AndSize(term, &size)
    except UnicodeEncodeError:  # a lone surrogate: no stored term can equal it
        return -1
    if size == 0 or memchr(text, 0, <size_t>size) != NULL:
        return -1
    for j in range(terms.count):
        if terms.size[j] == size and memcmp(terms.blob + terms.start[j], text, <size_t>size) == 0:
            return j
    return -1


cdef Py_ssize_t joiner(int kind, const void *data, const Py_ssize_t *starts, const Py_ssize_t *ends,
                       Py_ssize_t a, Py_ssize_t b, Py_ssize_t gap_length) noexcept:
    """The joiner between sentences a < b once both are chosen: nothing when b follows a with only white space
    between them, else the gap mark."""
    cdef Py_ssize_t k
    if b != a + 1:
        return gap_length
    for k in range(ends[a], starts[b]):
        if not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, <void *>data, k)):
            return gap_length
    return 0


cdef list spans_list(const Ints *ints, Py_ssize_t start, Py_ssize_t end):
    cdef list spans = []
    cdef Py_ssize_t k = start
    while k + 1 < end:
        spans.append((int_at(ints, k), int_at(ints, k + 1)))
        k += 2
    return spans


# Everything `choose` allocates, freed in one place.
cdef struct Work:
    Py_ssize_t *starts
    Py_ssize_t *ends
    Py_ssize_t *word_start
    Py_ssize_t *places_end
    Py_ssize_t *title_end
    Py_ssize_t *chosen
    Py_ssize_t *found_count
    uint64_t *found_bits
    uint64_t *covered
    double *weight
    double *priors
    Pairs *pairs
    Py_ssize_t n_pairs
    Entry *queue
    Terms terms


cdef void free_work(Work *work) noexcept:
    cdef Py_ssize_t i
    if work.pairs != NULL:
        for i in range(work.n_pairs):
            PyMem_Free(work.pairs[i].codes)
    PyMem_Free(work.pairs)
    PyMem_Free(work.queue)
    PyMem_Free(work.chosen)
    PyMem_Free(work.weight)
    PyMem_Free(work.priors)
    PyMem_Free(work.found_bits)
    PyMem_Free(work.covered)
    PyMem_Free(work.found_count)
    PyMem_Free(work.starts)
    PyMem_Free(work.ends)
    PyMem_Free(work.word_start)
    PyMem_Free(work.places_end)
    PyMem_Free(work.title_end)
    PyMem_Free(work.terms.start)
    PyMem_Free(work.terms.size)
    PyMem_Free(work.terms.chars)


cdef inline bint key_of(Entry *entry, Py_ssize_t i, const uint64_t *found_bits, const uint64_t *covered,
                        Py_ssize_t words_per_set, const Py_ssize_t *found_count, const Py_ssize_t *word_start,
                        const Ints *ints, const double *weight, const Py_ssize_t *term_chars,
                        double overlap_chars, const double *priors) noexcept nogil:
    """Sentence i's key now (`choice.choose`'s `key`), its value summed left to right from 0.0; False when the
    value is NaN, which no data that is read makes."""
    cdef Py_ssize_t fresh = 0, w, k, term
    cdef const uint64_t *bits = found_bits + i * words_per_set
    for w in range(words_per_set):
        fresh += __builtin_popcountll(bits[w] & ~covered[w])
    cdef double total = 0.0
    for k in range(word_start[i], word_start[i + 1]):
        term = int_at(ints, k)
        total = total + weight[term] * <double>term_chars[term]
    entry.fresh = fresh
    entry.found = found_count[i]
    entry.value = 2.0 * total / (<double>int_at(ints, 3 * i + 2) + overlap_chars) * priors[i]
    entry.sentence = i
    return entry.value == entry.value


cdef inline void memset_work(Work *work) noexcept nogil:
    work.starts = work.ends = work.word_start = work.places_end = work.title_end = NULL
    work.chosen = work.found_count = NULL
    work.found_bits = work.covered = NULL
    work.weight = work.priors = NULL
    work.pairs = NULL
    work.n_pairs = 0
    work.queue = NULL
    work.terms.start = work.terms.size = work.terms.chars = NULL
    work.terms.count = 0
    work.terms.blob = NULL


def choose(data, str text not None, query_terms, Py_ssize_t count, double budget, double repeat_discount,
           double overlap_chars, double near_duplicate, Py_ssize_t gap_length):
    """choose(data, text, query_terms, count, budget, repeat_discount, overlap_chars, near_duplicate,
    gap_length) -> ([(sentence, start, end, spans or None), ...] in article order,
    {query term: title spans}), or None when `data` is not summary data this reads (`packed.unpack` None)."""
    cdef Py_buffer view
    cdef Work work
    PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    memset_work(&work)
    try:
        return _choose(&work, <const unsigned char *>view.buf, view.len, text, query_terms, count, budget,
                       repeat_discount, overlap_chars, near_duplicate, gap_length)
    finally:
        free_work(&work)
        PyBuffer_Release(&view)


cdef object _choose(Work *work, const unsigned char *data, Py_ssize_t length, str text, query_terms,
                    Py_ssize_t count, double budget, double repeat_discount, double overlap_chars,
                    double near_duplicate, Py_ssize_t gap_length):
    cdef Py_ssize_t i, j, k, q, e, c, w, place, top, queued, n_chosen, summary_length, overlong, grown, term
    cdef Py_ssize_t low, high, middle, start, end
    cdef Entry stored, current
    cdef Ints ints
    cdef bint distinct, any_found, repeats
    cdef uint64_t *bits
    if length < HEADER:
        return None
    # Counts as read, up to 2**32 - 1 each: none is trusted before it is checked against the bytes.
    cdef Py_ssize_t form = u32_at(data), n_terms = u32_at(data + 4), n_weighed = u32_at(data + 8)
    cdef Py_ssize_t n = u32_at(data + 12), width = u32_at(data + 16), blob_size = u32_at(data + 20)
    if form != FORMAT or (width != 2 and width != 4) or n_weighed > n_terms:
        return None
    if n_weighed > (length - HEADER) // 8 or n > (length - HEADER) // 8 - n_weighed:
        return None
    cdef Py_ssize_t at = HEADER + 8 * n_weighed + 8 * n
    if at > length or blob_size > length - at or (length - at - blob_size) % width != 0:
        return None
    ints.ints = data + at
    ints.width = width
    ints.count = (length - at - blob_size) // width

    # The weights (as many as the header says, which fit): finite with the sign bit clear, so that no sum of
    # them is NaN. Their bits as integers are then below those of inf, which no float of a set sign bit is.
    work.weight = <double *>PyMem_Malloc(sizeof(double) * (n_weighed + 1))
    if work.weight == NULL:
        raise MemoryError()
    cdef double *weight = work.weight
    cdef uint64_t bits_of
    for j in range(n_weighed):
        bits_of = u64_at(data + HEADER + 8 * j)
        if bits_of >= FINITE_BITS:
            return None
        memcpy(&weight[j], &bits_of, sizeof(double))
    # Each sentence's prior, after the weights: finite and not negative alike.
    work.priors = <double *>PyMem_Malloc(sizeof(double) * (n + 1))
    if work.priors == NULL:
        raise MemoryError()
    cdef double *priors = work.priors
    for j in range(n):
        bits_of = u64_at(data + HEADER + 8 * n_weighed + 8 * j)
        if bits_of >= FINITE_BITS:
            return None
        memcpy(&priors[j], &bits_of, sizeof(double))

    # The terms, NUL between them: no more of them than the bytes hold, in UTF-8, the weighed ones distinct.
    if n_terms > 0 and n_terms - 1 > blob_size:
        return None
    cdef Terms *terms = &work.terms
    terms.blob = data + length - blob_size
    terms.count = n_terms
    if n_terms > 0:
        terms.start = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * n_terms)
        terms.size = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * n_terms)
        terms.chars = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * n_terms)
        if terms.start == NULL or terms.size == NULL or terms.chars == NULL:
            raise MemoryError()
    if read_terms(terms, blob_size) != 0:
        return None
    distinct_terms(terms, n_weighed, &distinct)
    if not distinct:
        return None

    # The integers: sentences (start, end, letters), words per sentence, word numbers, where each term's
    # places end (text, then title), then the places.
    cdef Py_ssize_t text_length = PyUnicode_GET_LENGTH(text)
    if 4 * n > ints.count:  # each sentence's start, end, letters and words
        return None
    work.starts = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
    work.ends = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
    work.word_start = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
    if work.starts == NULL or work.ends == NULL or work.word_start == NULL:
        raise MemoryError()
    cdef Py_ssize_t *starts = work.starts
    cdef Py_ssize_t *ends = work.ends
    cdef Py_ssize_t *word_start = work.word_start
    word_start[0] = 4 * n
    for i in range(n):
        starts[i] = int_at(&ints, 3 * i)
        ends[i] = int_at(&ints, 3 * i + 1)
        if starts[i] > ends[i] or ends[i] > text_length or (i > 0 and starts[i] < ends[i - 1]):
            return None
        word_start[i + 1] = word_start[i] + int_at(&ints, 3 * n + i)
        if word_start[i + 1] > ints.count:
            return None
    cdef Py_ssize_t places_at = word_start[n]
    if places_at + 2 * n_terms > ints.count:
        return None
    for k in range(4 * n, places_at):
        if int_at(&ints, k) >= n_weighed:
            return None
    cdef Py_ssize_t flat_at = places_at + 2 * n_terms
    work.places_end = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n_terms + 1))
    work.title_end = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n_terms + 1))
    if work.places_end == NULL or work.title_end == NULL:
        raise MemoryError()
    cdef Py_ssize_t *places_end = work.places_end
    cdef Py_ssize_t *title_end = work.title_end
    places_end[0] = title_end[0] = 0
    for j in range(n_terms):
        places_end[j + 1] = int_at(&ints, places_at + j)
        title_end[j + 1] = int_at(&ints, places_at + n_terms + j)
        if (places_end[j + 1] < places_end[j] or title_end[j + 1] < title_end[j]
                or (places_end[j + 1] | title_end[j + 1]) & 1):
            return None
    cdef Py_ssize_t held = places_end[n_terms]
    if flat_at + held + title_end[n_terms] != ints.count:
        return None
    k = flat_at
    while k < ints.count:
        if int_at(&ints, k) >= int_at(&ints, k + 1):  # a token is never empty
            return None
        k += 2

    # The query's terms: which sentences hold each, and where.
    cdef object terms_seq = PySequence_Fast(query_terms, "query terms must be a sequence")
    cdef Py_ssize_t n_query = PySequence_Fast_GET_SIZE(terms_seq)
    cdef Py_ssize_t words_per_set = (n_query + 63) // 64
    if words_per_set == 0:
        words_per_set = 1
    work.found_bits = <uint64_t *>PyMem_Calloc(<size_t>(n + 1) * words_per_set, sizeof(uint64_t))
    work.covered = <uint64_t *>PyMem_Calloc(<size_t>words_per_set, sizeof(uint64_t))
    work.found_count = <Py_ssize_t *>PyMem_Calloc(<size_t>n + 1, sizeof(Py_ssize_t))
    if work.found_bits == NULL or work.covered == NULL or work.found_count == NULL:
        raise MemoryError()
    cdef uint64_t *found_bits = work.found_bits
    cdef uint64_t *covered = work.covered
    cdef Py_ssize_t *found_count = work.found_count
    cdef list sentence_spans = [None] * n
    cdef dict title = {}
    cdef object query_term, spans
    for q in range(n_query):
        query_term = <object>PySequence_Fast_GET_ITEM(terms_seq, q)
        j = find_term(terms, query_term)
        if j < 0:
            continue
        k = places_end[j]
        while k + 1 < places_end[j + 1]:
            start = int_at(&ints, flat_at + k)
            end = int_at(&ints, flat_at + k + 1)
            k += 2
            # The last sentence starting at or before the place (bisect_right, less one).
            low = 0
            high = n
            while low < high:
                middle = (low + high) // 2
                if start < starts[middle]:
                    high = middle
                else:
                    low = middle + 1
            i = low - 1
            if i < 0 or end > ends[i]:
                continue
            bits = found_bits + i * words_per_set
            if not (bits[q // 64] & (<uint64_t>1 << (q % 64))):
                bits[q // 64] |= <uint64_t>1 << (q % 64)
                found_count[i] += 1
            spans = sentence_spans[i]
            if spans is None:
                spans = sentence_spans[i] = []
            (<list>spans).append((start, end))
        if title_end[j + 1] > title_end[j]:
            title[query_term] = spans_list(&ints, flat_at + held + title_end[j], flat_at + held + title_end[j + 1])

    # The pool: the sentences holding a query term, or else all of them.
    work.queue = <Entry *>PyMem_Malloc(sizeof(Entry) * (n + 1))
    work.chosen = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
    work.pairs = <Pairs *>PyMem_Calloc(<size_t>n + 1, sizeof(Pairs))
    if work.queue == NULL or work.chosen == NULL or work.pairs == NULL:
        raise MemoryError()
    work.n_pairs = n
    cdef Entry *queue = work.queue
    cdef Py_ssize_t *chosen = work.chosen
    cdef Pairs *pairs = work.pairs
    queued = 0
    any_found = False
    for i in range(n):
        if found_count[i] > 0:
            any_found = True
            break
    for i in range(n):
        if any_found and found_count[i] == 0:
            continue
        queue[queued].sentence = i
        queued += 1

    # The greedy choice of `choice.choose`. The key of an entry was worked out when it was queued and can only
    # have fallen since, so the entry first in order is worked out again and taken only if its key is
    # unchanged; otherwise it goes back with its new key.
    for e in range(queued):
        if not key_of(&queue[e], queue[e].sentence, found_bits, covered, words_per_set, found_count, word_start,
                      &ints, weight, terms.chars, overlap_chars, priors):
            raise ValueError("a summary value is NaN: the choice's parameters are not numbers it can use")
    n_chosen = 0
    summary_length = 0
    overlong = -1
    if count < 0:
        count = n
    cdef int kind = PyUnicode_KIND(text)
    cdef const void *text_data = PyUnicode_DATA(text)
    while queued > 0 and n_chosen < count:
        top = 0
        for e in range(1, queued):
            if before(&queue[e], &queue[top]):
                top = e
        stored = queue[top]
        i = stored.sentence
        if not key_of(&current, i, found_bits, covered, words_per_set, found_count, word_start, &ints, weight,
                      terms.chars, overlap_chars, priors):
            raise ValueError("a summary value is NaN: the choice's parameters are not numbers it can use")
        if current.fresh != stored.fresh or current.found != stored.found or current.value != stored.value:
            queue[top] = current
            continue
        queued -= 1
        queue[top] = queue[queued]
        if not pairs[i].made:
            make_pairs(&pairs[i], kind, text_data, starts[i], ends[i])
        repeats = False
        for c in range(n_chosen):
            if overlapping(&pairs[i], &pairs[chosen[c]], near_duplicate):
                repeats = True
                break
        if repeats:
            continue
        place = 0
        while place < n_chosen and chosen[place] <= i:
            place += 1
        grown = summary_length + ends[i] - starts[i]
        if place > 0:
            grown += joiner(kind, text_data, starts, ends, chosen[place - 1], i, gap_length)
        if place < n_chosen:
            grown += joiner(kind, text_data, starts, ends, i, chosen[place], gap_length)
            if place > 0:
                grown -= joiner(kind, text_data, starts, ends, chosen[place - 1], chosen[place], gap_length)
        if <double>grown > budget:
            if overlong < 0:
                overlong = i
            continue
        memmove(chosen + place + 1, chosen + place, sizeof(Py_ssize_t) * (n_chosen - place))
        chosen[place] = i
        n_chosen += 1
        summary_length = grown
        bits = found_bits + i * words_per_set
        for w in range(words_per_set):
            covered[w] |= bits[w]
        for k in range(word_start[i], word_start[i + 1]):
            term = int_at(&ints, k)
            weight[term] = weight[term] * repeat_discount
    if n_chosen == 0 and overlong >= 0:
        chosen[0] = overlong
        n_chosen = 1

    cdef list chosen_list = []
    for c in range(n_chosen):
        i = chosen[c]
        chosen_list.append((i, starts[i], ends[i], sentence_spans[i]))
    return chosen_list, title


# ---- Packing -----------------------------------------------------------------------------------------------

# Term numbers by term, open addressing. The terms are borrowed from the caller's sequences: no Python code runs
# while they are in use (only ints, floats, tuples and strs are read, through the C API), so none can go away.
cdef struct TermTable:
    PyObject **term       # by slot; NULL: empty
    Py_hash_t *hash
    Py_ssize_t *number
    Py_ssize_t mask
    PyObject **by_number  # the terms in term order
    Py_ssize_t count


cdef int table_init(TermTable *table, Py_ssize_t most) except -1:
    cdef Py_ssize_t size = 8
    while size < 2 * most + 1:
        if size > (<Py_ssize_t>(<size_t>-1 >> 1)) // 4 // <Py_ssize_t>sizeof(Py_ssize_t):
            raise MemoryError()
        size *= 2
    table.term = <PyObject **>PyMem_Calloc(<size_t>size, sizeof(PyObject *))
    table.hash = <Py_hash_t *>PyMem_Malloc(sizeof(Py_hash_t) * <size_t>size)
    table.number = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * <size_t>size)
    table.by_number = <PyObject **>PyMem_Malloc(sizeof(PyObject *) * <size_t>(most + 1))
    table.mask = size - 1
    table.count = 0
    if table.term == NULL or table.hash == NULL or table.number == NULL or table.by_number == NULL:
        raise MemoryError()
    return 0


cdef void table_free(TermTable *table) noexcept:
    PyMem_Free(table.term)
    PyMem_Free(table.hash)
    PyMem_Free(table.number)
    PyMem_Free(table.by_number)


cdef inline bint same_text(PyObject *a, PyObject *b) noexcept:
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(<object>a)
    cdef int kind = PyUnicode_KIND(<object>a)
    # Equal strings are stored in the same kind, the narrowest that holds them.
    return (length == PyUnicode_GET_LENGTH(<object>b) and kind == PyUnicode_KIND(<object>b)
            and memcmp(PyUnicode_DATA(<object>a), PyUnicode_DATA(<object>b), <size_t>(length * kind)) == 0)


cdef Py_ssize_t table_number(TermTable *table, object term, bint add) except -2:
    """The term's number, a new one when `add` and it is not yet in the table; -1 when it is not and not added.
    The table has room for every term it is given."""
    if not isinstance(term, str):
        raise TypeError(f"a term must be a str, not {type(term).__name__:.100s}")
    # str's own hash, as a str subclass's __hash__ would run Python code.
    cdef Py_hash_t hash = (<PyTypeObject *>str).tp_hash(term)
    cdef Py_ssize_t slot = <Py_ssize_t>(<size_t>hash & <size_t>table.mask)
    cdef PyObject *held
    while table.term[slot] != NULL:
        held = table.term[slot]
        if held == <PyObject *>term or (table.hash[slot] == hash and same_text(held, <PyObject *>term)):
            return table.number[slot]
        slot = (slot + 1) & table.mask
    if not add:
        return -1
    table.term[slot] = <PyObject *>term
    table.hash[slot] = hash
    table.number[slot] = table.count
    table.by_number[table.count] = <PyObject *>term
    table.count += 1
    return table.count - 1


cdef int read_count(object value, uint32_t *out) except -1:
    """An integer of the packed form: `to_bytes` stores each as uint16 or uint32."""
    if not isinstance(value, int):
        raise TypeError(f"an int is needed, not {type(value).__name__:.100s}")
    cdef unsigned long long number = PyLong_AsUnsignedLongLong(value)
    if number > 0xFFFFFFFFULL:
        raise OverflowError("an int of the summary data is past 32 bits")
    out[0] = <uint32_t>number
    return 0


cdef int check_triple(object item, str what) except -1:
    """A (term, start, end) token or a (text, start, end) sentence: a tuple, whose items cannot be replaced
    while they are borrowed."""
    if not isinstance(item, tuple) or PyTuple_GET_SIZE(item) != 3:
        raise TypeError(f"a {what} must be a tuple of three items, not {type(item).__name__:.100s}")
    return 0


cdef int read_span(object item, str what, uint32_t *start, uint32_t *end) except -1:
    check_triple(item, what)
    read_count(<object>PyTuple_GET_ITEM(item, 1), start)
    read_count(<object>PyTuple_GET_ITEM(item, 2), end)
    return 0


cdef int number_tokens(TermTable *table, object tokens, Py_ssize_t *numbers) except -1:
    """Each token's term number, the terms not yet numbered numbered as first met."""
    cdef Py_ssize_t k
    cdef object token
    for k in range(PySequence_Fast_GET_SIZE(tokens)):
        token = <object>PySequence_Fast_GET_ITEM(tokens, k)
        check_triple(token, "token")
        numbers[k] = table_number(table, <object>PyTuple_GET_ITEM(token, 0), True)
    return 0


cdef int place_tokens(uint32_t *ints, Py_ssize_t flat, object tokens, const Py_ssize_t *numbers,
                      Py_ssize_t *next) except -1:
    """Each token's start and end where its term's places go: `next[t]` is where term t's next place goes, in
    places from `flat`, and is moved on."""
    cdef Py_ssize_t k, slot
    for k in range(PySequence_Fast_GET_SIZE(tokens)):
        slot = flat + 2 * next[numbers[k]]
        next[numbers[k]] += 1
        read_span(<object>PySequence_Fast_GET_ITEM(tokens, k), "token", &ints[slot], &ints[slot + 1])
    return 0


cdef Py_ssize_t utf8_size(object term) except -1:
    """Bytes of the term in UTF-8; UnicodeEncodeError for a lone surrogate, as str.encode raises."""
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(term), size = 0, k
    cdef int kind = PyUnicode_KIND(term)
    cdef void *data = PyUnicode_DATA(term)
    cdef uint32_t ch  # a code point
    if PyUnicode_IS_ASCII(term):
        return length
    for k in range(length):
        ch = PyUnicode_READ(kind, data, k)
        if ch < 0x80:
            size += 1
        elif ch < 0x800:
            size += 2
        elif 0xD800 <= ch <= 0xDFFF:
            PyUnicode_AsUTF8String(term)  # raises the error str.encode gives
            raise UnicodeError("a lone surrogate in a term")
        elif ch < 0x10000:
            size += 3
        else:
            size += 4
    return size


cdef unsigned char *put_utf8(unsigned char *out, object term) noexcept:
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(term), k
    cdef int kind = PyUnicode_KIND(term)
    cdef void *data = PyUnicode_DATA(term)
    cdef uint32_t ch  # a code point
    if PyUnicode_IS_ASCII(term):
        memcpy(out, data, <size_t>length)
        return out + length
    for k in range(length):
        ch = PyUnicode_READ(kind, data, k)
        if ch < 0x80:
            out[0] = <unsigned char>ch
            out += 1
        elif ch < 0x800:
            out[0] = <unsigned char>(0xC0 | (ch >> 6))
            out[1] = <unsigned char>(0x80 | (ch & 0x3F))
            out += 2
        elif ch < 0x10000:
            out[0] = <unsigned char>(0xE0 | (ch >> 12))
            out[1] = <unsigned char>(0x80 | ((ch >> 6) & 0x3F))
            out[2] = <unsigned char>(0x80 | (ch & 0x3F))
            out += 3
        else:
            out[0] = <unsigned char>(0xF0 | (ch >> 18))
            out[1] = <unsigned char>(0x80 | ((ch >> 12) & 0x3F))
            out[2] = <unsigned char>(0x80 | ((ch >> 6) & 0x3F))
            out[3] = <unsigned char>(0x80 | (ch & 0x3F))
            out += 4
    return out


cdef inline unsigned char *put_u32(unsigned char *out, uint32_t value) noexcept nogil:
    cdef int b
    for b in range(4):
        out[b] = <unsigned char>(value >> (8 * b))
    return out + 4


# Everything `pack` allocates, freed in one place.
cdef struct Packing:
    TermTable table
    Py_ssize_t *token_term
    Py_ssize_t *title_term
    Py_ssize_t *places_at
    Py_ssize_t *title_at
    uint32_t *ints
    double *weights
    double *priors


def pack(sentences, letters, weight, words, tokens, title_tokens, priors):
    """pack(sentences, letters, weight, words, tokens, title_tokens, priors) -> SummaryData(sentences, weight,
    words, letters, places, title_places, priors).to_bytes(), where places and title_places are the (term, start, end) tokens'
    places by term: the same bytes, or None when a term holds a NUL or a weight or prior is not finite."""
    if not isinstance(weight, dict):
        raise TypeError(f"pack() argument 3 must be dict, not {type(weight).__name__:.100s}")
    cdef Packing work
    work.table.term = work.table.by_number = NULL
    work.table.hash = NULL
    work.table.number = NULL
    work.token_term = work.title_term = work.places_at = work.title_at = NULL
    work.ints = NULL
    work.weights = work.priors = NULL
    try:
        return _pack(&work, sentences, letters, weight, words, tokens, title_tokens, priors)
    finally:
        table_free(&work.table)
        PyMem_Free(work.token_term)
        PyMem_Free(work.title_term)
        PyMem_Free(work.places_at)
        PyMem_Free(work.title_at)
        PyMem_Free(work.ints)
        PyMem_Free(work.weights)
        PyMem_Free(work.priors)


cdef object _pack(Packing *work, sentences_given, letters_given, dict weight, words_given, tokens_given,
                  title_given, priors_given):
    cdef Py_ssize_t i, j, k, t, number, at, size, position
    cdef PyObject *key
    cdef PyObject *value
    cdef object given_weight, word
    cdef TermTable *table = &work.table
    # Every sequence first: from here on no Python code runs (a list's items are read as they are).
    cdef object sentences = PySequence_Fast(sentences_given, "sentences must be a sequence")
    cdef object letters = PySequence_Fast(letters_given, "letters must be a sequence")
    cdef object priors_seq = PySequence_Fast(priors_given, "priors must be a sequence")
    cdef object words = PySequence_Fast(words_given, "words must be a sequence")
    cdef object tokens = PySequence_Fast(tokens_given, "tokens must be a sequence")
    cdef object title = PySequence_Fast(title_given, "title tokens must be a sequence")
    cdef Py_ssize_t n = PySequence_Fast_GET_SIZE(sentences)
    if (PySequence_Fast_GET_SIZE(letters) != n or PySequence_Fast_GET_SIZE(words) != n
            or PySequence_Fast_GET_SIZE(priors_seq) != n):
        raise ValueError("sentences, letters, priors and words must be as many")
    work.priors = <double *>PyMem_Malloc(sizeof(double) * <size_t>(n + 1))
    if work.priors == NULL:
        raise MemoryError()
    cdef object given_prior
    for i in range(n):
        given_prior = <object>PySequence_Fast_GET_ITEM(priors_seq, i)
        if isinstance(given_prior, float):
            work.priors[i] = PyFloat_AS_DOUBLE(given_prior)
        elif isinstance(given_prior, int):
            work.priors[i] = PyLong_AsDouble(given_prior)
        else:
            raise TypeError(f"a prior must be a float, not {type(given_prior).__name__:.100s}")
    cdef list sentence_words = [PySequence_Fast(<object>PySequence_Fast_GET_ITEM(words, i),
                                                "a sentence's words must be a sequence") for i in range(n)]
    cdef Py_ssize_t n_weighed = PyDict_Size(weight)
    cdef Py_ssize_t n_tokens = PySequence_Fast_GET_SIZE(tokens), n_title = PySequence_Fast_GET_SIZE(title)
    if n_weighed > PY_SSIZE_T_MAX // 4 - n_tokens - n_title:
        raise MemoryError()

    # The terms in to_bytes' order: the weighed ones, then those of the text's tokens, then the title's, each
    # as first met.
    table_init(table, n_weighed + n_tokens + n_title)
    work.weights = <double *>PyMem_Malloc(sizeof(double) * <size_t>(n_weighed + 1))
    work.token_term = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * <size_t>(n_tokens + 1))
    work.title_term = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * <size_t>(n_title + 1))
    if work.weights == NULL or work.token_term == NULL or work.title_term == NULL:
        raise MemoryError()
    cdef double *weights = work.weights
    position = 0
    j = 0
    while PyDict_Next(weight, &position, &key, &value):
        given_weight = <object>value
        if isinstance(given_weight, float):
            weights[j] = PyFloat_AS_DOUBLE(given_weight)
        elif isinstance(given_weight, int):
            weights[j] = PyLong_AsDouble(given_weight)
        else:
            raise TypeError(f"a weight must be a float, not {type(given_weight).__name__:.100s}")
        if table_number(table, <object>key, True) != j:
            raise ValueError("weighed terms must be distinct")
        j += 1
    # First the numbers only: to_bytes checks every term for NUL, and every weight, before it reads anything else.
    number_tokens(table, tokens, work.token_term)
    number_tokens(table, title, work.title_term)
    cdef Py_ssize_t n_terms = table.count
    for t in range(n_terms):
        word = <object>table.by_number[t]
        if PyUnicode_FindChar(word, 0, 0, PyUnicode_GET_LENGTH(word), 1) >= 0:
            return None  # the packed form cannot hold it
    for j in range(n_weighed):
        if not isfinite(weights[j]):
            return None  # nor is it written: no reader would read it
    for i in range(n):
        if not isfinite(work.priors[i]):
            return None

    # The integers, as to_bytes lists them.
    cdef Py_ssize_t total_words = 0
    for i in range(n):
        total_words += PySequence_Fast_GET_SIZE(sentence_words[i])
    if total_words > PY_SSIZE_T_MAX // 8 - 4 * n - 2 * n_terms - 2 * n_tokens - 2 * n_title:
        raise MemoryError()
    cdef Py_ssize_t n_ints = 4 * n + total_words + 2 * n_terms + 2 * (n_tokens + n_title)
    # Every count, term number and place end below is at most n_ints.
    if <uint64_t>n_ints > 0xFFFFFFFFULL:
        raise OverflowError("too many integers for the summary data's 32 bits")
    work.ints = <uint32_t *>PyMem_Malloc(sizeof(uint32_t) * <size_t>(n_ints + 1))
    work.places_at = <Py_ssize_t *>PyMem_Calloc(<size_t>n_terms + 1, sizeof(Py_ssize_t))
    work.title_at = <Py_ssize_t *>PyMem_Calloc(<size_t>n_terms + 1, sizeof(Py_ssize_t))
    if work.ints == NULL or work.places_at == NULL or work.title_at == NULL:
        raise MemoryError()
    cdef uint32_t *ints = work.ints
    cdef Py_ssize_t *places_at = work.places_at
    cdef Py_ssize_t *title_at = work.title_at
    at = 0
    for i in range(n):
        read_span(<object>PySequence_Fast_GET_ITEM(sentences, i), "sentence", &ints[at], &ints[at + 1])
        read_count(<object>PySequence_Fast_GET_ITEM(letters, i), &ints[at + 2])
        at += 3
    for i in range(n):
        ints[at] = <uint32_t>PySequence_Fast_GET_SIZE(sentence_words[i])
        at += 1
    cdef object held_words
    for i in range(n):
        held_words = sentence_words[i]
        for k in range(PySequence_Fast_GET_SIZE(held_words)):
            word = <object>PySequence_Fast_GET_ITEM(held_words, k)
            number = table_number(table, word, False)
            if number == -1:
                raise KeyError(word)
            ints[at] = <uint32_t>number
            at += 1
    # Where each term's places end, text then title: a term's places are its tokens', in the order given.
    for k in range(n_tokens):
        places_at[work.token_term[k] + 1] += 1
    for k in range(n_title):
        title_at[work.title_term[k] + 1] += 1
    for t in range(n_terms):
        places_at[t + 1] += places_at[t]
        title_at[t + 1] += title_at[t]
    for t in range(n_terms):
        ints[at] = <uint32_t>(2 * places_at[t + 1])
        at += 1
    for t in range(n_terms):
        ints[at] = <uint32_t>(2 * title_at[t + 1])
        at += 1
    # From here on a term's place in `places_at` and `title_at` is where its next place goes.
    place_tokens(ints, at, tokens, work.token_term, places_at)
    place_tokens(ints, at + 2 * n_tokens, title, work.title_term, title_at)
    at += 2 * (n_tokens + n_title)
    if at != n_ints:
        raise SystemError("pack: the integers were miscounted")
    cdef uint32_t largest = 0
    for k in range(n_ints):
        if ints[k] > largest:
            largest = ints[k]
    cdef Py_ssize_t width = 4 if largest > 0xFFFF else 2

    # The terms' bytes, NUL between them.
    cdef Py_ssize_t blob_size = n_terms - 1 if n_terms > 0 else 0
    for t in range(n_terms):
        size = utf8_size(<object>table.by_number[t])
        if size > PY_SSIZE_T_MAX // 8 - blob_size:
            raise MemoryError()
        blob_size += size
    if <uint64_t>blob_size > 0xFFFFFFFFULL:
        raise OverflowError("the summary data is too large for its header")
    if n_ints > (PY_SSIZE_T_MAX - HEADER - blob_size) // 4 - 2 * n_weighed - 2 * n:
        raise MemoryError()
    cdef bytes result = PyBytes_FromStringAndSize(NULL, HEADER + 8 * n_weighed + 8 * n + width * n_ints
                                                  + blob_size)
    cdef unsigned char *out = <unsigned char *>PyBytes_AS_STRING(result)
    out = put_u32(out, FORMAT)
    out = put_u32(out, <uint32_t>n_terms)
    out = put_u32(out, <uint32_t>n_weighed)
    out = put_u32(out, <uint32_t>n)
    out = put_u32(out, <uint32_t>width)
    out = put_u32(out, <uint32_t>blob_size)
    cdef uint64_t bits
    cdef int b
    for k in range(n_weighed):
        memcpy(&bits, &weights[k], sizeof(bits))
        for b in range(8):
            out[b] = <unsigned char>(bits >> (8 * b))
        out += 8
    for k in range(n):
        memcpy(&bits, &work.priors[k], sizeof(bits))
        for b in range(8):
            out[b] = <unsigned char>(bits >> (8 * b))
        out += 8
    for k in range(n_ints):
        out[0] = <unsigned char>ints[k]
        out[1] = <unsigned char>(ints[k] >> 8)
        if width == 4:
            out[2] = <unsigned char>(ints[k] >> 16)
            out[3] = <unsigned char>(ints[k] >> 24)
        out += width
    for t in range(n_terms):
        if t > 0:
            out[0] = 0
            out += 1
        out = put_utf8(out, <object>table.by_number[t])
    return result
