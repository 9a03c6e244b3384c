# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Each whole word's salience in one text, at ingest: `_word_stats` and `_salience_of` in one pass.

In Python the walk over an article's words and the logistic model over their features cost about 0.9 ms an
article. This makes the same walk (forward through the sentences and the quotations) and the same
floating-point operations in the same order, with the C library's `log` and `exp` that Python's `math` calls
(built with -ffp-contract=off), so the weights are the same to the last bit and in the same order; where
`math.exp` would refuse a result too large for a float (OverflowError) this refuses it too, and a position
past 2**53 is divided as Python divides two integers. `service/summaries/salience.py` keeps the Python code
for when this is not built, and the tests hold the two to the same output.

Model weights, the median idf and the idf of each word weighed must be finite: anything else is a
ValueError naming it, here as in `weigh_words_in_python`, rather than weights that depend on how NaN sorts.
"""

from cpython.dict cimport PyDict_GetItemWithError
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from cpython.sequence cimport PySequence_Fast, PySequence_Fast_GET_ITEM, PySequence_Fast_GET_SIZE
from cpython.unicode cimport Py_UNICODE_ISDIGIT, PyUnicode_Compare
from libc.math cimport exp, isfinite, isinf, log
from libc.string cimport memcpy

cdef enum:
    FEATURES = 12

# Integers up to this (in size) are floats exactly: their quotient as floats is the one Python gives.
cdef Py_ssize_t EXACT = 2 ** 53


cdef struct Word:
    Py_ssize_t occurrences, sentences, last_sentence, first_sentence, first_start
    bint quoted
    double idf
    bint listed  # whether the general-Chinese table holds the word
    double rank_key  # -(occurrences x idf): ranks sort on (rank_key, term)


cdef inline int read_pair(object item, Py_ssize_t size, Py_ssize_t first, str what, Py_ssize_t *a,
                          Py_ssize_t *b) except -1:
    """Reads the two integers at `first` and `first + 1` of a tuple of `size` items; `what` names it in errors."""
    if not isinstance(item, tuple) or len(<tuple>item) != size:
        raise TypeError(f"each {what} must be a tuple of {size} items")
    x = (<tuple>item)[first]
    y = (<tuple>item)[first + 1]
    if not isinstance(x, int) or not isinstance(y, int):
        raise TypeError(f"a {what}'s offsets must be integers")
    a[0] = x  # OverflowError past a machine integer
    b[0] = y
    return 0


cdef Py_ssize_t read_pairs(object items, Py_ssize_t size, Py_ssize_t first, str what, Py_ssize_t **a,
                           Py_ssize_t **b) except -1:
    """The `size`-tuples of `items` (a sequence) as two arrays (the caller frees them) of their integers at
    `first` and `first + 1`."""
    fast = PySequence_Fast(items, "expected a sequence")
    cdef Py_ssize_t n = PySequence_Fast_GET_SIZE(fast), k
    a[0] = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
    b[0] = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
    if a[0] == NULL or b[0] == NULL:
        raise MemoryError()
    for k in range(n):
        read_pair(<object>PySequence_Fast_GET_ITEM(fast, k), size, first, what, a[0] + k, b[0] + k)
    return n


cdef inline bint ranks_before(const Word *a, const Word *b, list terms, Py_ssize_t i, Py_ssize_t j):
    """Whether word `i` ranks before word `j`: by tf x idf, highest first, then by the word in code point
    order, as Python orders the tuples (-(tf * idf), term). The keys are never NaN (the idf is finite)."""
    if a.rank_key != b.rank_key:
        return a.rank_key < b.rank_key
    return PyUnicode_Compare(terms[i], terms[j]) < 0  # exact str: never fails


cdef void sort_by_rank(const Word *words, list terms, Py_ssize_t *order, Py_ssize_t *spare, Py_ssize_t n):
    """Sorts `order` (indices into `words`) by rank: a merge sort."""
    cdef Py_ssize_t width = 1, low, middle, high, i, j, k
    while width < n:
        low = 0
        while low < n:
            middle = low + width if low + width < n else n
            high = low + 2 * width if low + 2 * width < n else n
            i, j, k = low, middle, low
            while i < middle and j < high:
                if ranks_before(&words[order[j]], &words[order[i]], terms, order[j], order[i]):
                    spare[k] = order[j]
                    j += 1
                else:
                    spare[k] = order[i]
                    i += 1
                k += 1
            while i < middle:
                spare[k] = order[i]
                i += 1
                k += 1
            while j < high:
                spare[k] = order[j]
                j += 1
                k += 1
            low += 2 * width
        memcpy(order, spare, sizeof(Py_ssize_t) * <size_t>n)
        width *= 2


cdef inline bint has_digit(str term):
    cdef Py_UCS4 ch
    for ch in term:
        if Py_UNICODE_ISDIGIT(ch):
            return True
    return False


cdef int rank_words(Word *words, list terms, Py_ssize_t n, object table, double median,
                    Py_ssize_t *rank) except -1:
    """Each word's idf and rank key from the general-Chinese table, then its rank."""
    cdef Py_ssize_t k, r
    cdef PyObject *found
    cdef Py_ssize_t *order = NULL
    cdef Py_ssize_t *spare = NULL
    for k in range(n):
        term = terms[k]
        found = PyDict_GetItemWithError(table, term)
        words[k].listed = found != NULL
        words[k].idf = median
        if found != NULL:
            words[k].idf = <double><object>found
            if not isfinite(words[k].idf):
                raise ValueError(f"the idf of {term!r} is not finite: {words[k].idf!r}")
        words[k].rank_key = -(<double>words[k].occurrences * words[k].idf)
    try:
        order = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
        spare = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1))
        if order == NULL or spare == NULL:
            raise MemoryError()
        for k in range(n):
            order[k] = k
        sort_by_rank(words, terms, order, spare, n)
        for r in range(n):
            rank[order[r]] = r
    finally:
        PyMem_Free(order)
        PyMem_Free(spare)
    return 0


cdef inline double position(Py_ssize_t at, Py_ssize_t length) except? -1.0:
    """`at / length` as Python divides two integers: correctly rounded."""
    if -EXACT <= at <= EXACT and length <= EXACT:
        return <double>at / <double>length
    return <object>at / <object>length


cdef inline double exp_as_python(double x) except? -1.0:
    """`math.exp`: the C library's `exp`, an OverflowError where a finite number overflows."""
    cdef double r = exp(x)
    if isinf(r) and isfinite(x):
        raise OverflowError("math range error")
    return r


cdef double salience(const Word *word, str term, Py_ssize_t rank, Py_ssize_t text_length,
                     const double *w) except? -1.0:
    """The word's salience: the products of the weights and `word_features`' features (the same two floats
    multiplied as in `_term_features` and `_salience_of`), added left to right from 0.0."""
    cdef Py_ssize_t length = len(term)
    cdef double total = 0.0
    total += w[0] * 1.0
    total += w[1] * log(<double>word.occurrences)
    total += w[2] * <double>(word.sentences - 1)
    total += w[3] * (word.idf / 10)
    total += w[4] * (0.0 if word.listed else 1.0)
    total += w[5] * (<double>(length if length < 4 else 4) / <double>4)
    total += w[6] * (1.0 if length == 1 else 0.0)
    total += w[7] * (1.0 if word.first_sentence == 0 else 0.0)
    total += w[8] * position(word.first_start, text_length)
    total += w[9] * (1.0 if has_digit(term) else 0.0)
    total += w[10] * (1 / <double>(1 + rank))
    total += w[11] * (1.0 if word.quoted else 0.0)
    return 1 / (1 + exp_as_python(-total))


def weigh(words, sentences, quotations, Py_ssize_t text_length, table, double median, weights, /):
    """weigh(words, sentences, quotations, text_length, idf_table, median_idf, weights) -> (salience by word
    in first-occurrence order, each sentence's distinct words): `_salience_of(text, _word_stats(...)[0])` and
    `_word_stats(...)[1]` as lists. `words` are `whole_words` (term, start, end) tuples in text order,
    `sentences` (text, start, end) tuples, `quotations` the (start, end) spans of `_QUOTED`. A ValueError
    where a weight, the median or a weighed word's idf is not finite."""
    if not isinstance(table, dict):
        raise TypeError(f"weigh() argument 5 must be dict, not {type(table).__name__}")
    cdef double w[FEATURES]
    cdef Py_ssize_t k
    fast_weights = PySequence_Fast(weights, "the weights must be a sequence")
    if PySequence_Fast_GET_SIZE(fast_weights) != FEATURES:
        raise TypeError(f"expected {FEATURES} weights")
    for k in range(FEATURES):
        w[k] = <double><object>PySequence_Fast_GET_ITEM(fast_weights, k)
        if not isfinite(w[k]):
            raise ValueError(f"the salience weights must be finite; weight {k} is {w[k]!r}")
    if not isfinite(median):
        raise ValueError(f"the median idf must be finite, not {median!r}")

    cdef Py_ssize_t *starts = NULL
    cdef Py_ssize_t *ends = NULL
    cdef Py_ssize_t *quote_starts = NULL
    cdef Py_ssize_t *quote_ends = NULL
    cdef Py_ssize_t *rank = NULL
    cdef Word *found = NULL
    cdef Word *word
    cdef Py_ssize_t n_sentences, n_quotations, n_tokens, n_words = 0, t, start, end, number, length
    cdef Py_ssize_t i = -1, q = 0, last_end = -1  # see the walk below
    cdef bint new_in_sentence
    cdef dict seen = {}
    cdef list terms = []  # each word's first occurrence, the key Python's dictionary keeps
    cdef list per_sentence, listed = None
    cdef dict weight
    try:
        n_sentences = read_pairs(sentences, 3, 1, "sentence", &starts, &ends)
        n_quotations = read_pairs(quotations, 2, 0, "quotation", &quote_starts, &quote_ends)
        fast = PySequence_Fast(words, "the words must be a sequence")
        n_tokens = PySequence_Fast_GET_SIZE(fast)
        found = <Word *>PyMem_Malloc(sizeof(Word) * (n_tokens + 1))
        if found == NULL:
            raise MemoryError()
        per_sentence = [[] for _ in range(n_sentences)]

        # The forward walk of `_word_stats`: `i` is the last sentence starting at or before the word, -1 before
        # the first; `q` how many quotations open before it.
        for t in range(n_tokens):
            token = <object>PySequence_Fast_GET_ITEM(fast, t)
            read_pair(token, 3, 1, "word", &start, &end)
            term = (<tuple>token)[0]
            if type(term) is not str:
                raise TypeError("a word's term must be a str")
            if i + 1 < n_sentences and start >= starts[i + 1]:
                i += 1
                while i + 1 < n_sentences and starts[i + 1] <= start:
                    i += 1
                last_end = ends[i]
                listed = <list>per_sentence[i]
            if end > last_end:
                continue  # before the first sentence, or across the end of its sentence
            index = seen.get(term)
            if index is None:
                seen[term] = n_words
                terms.append(term)
                word = &found[n_words]
                n_words += 1
                word.occurrences = 1
                word.sentences = 1
                word.last_sentence = i
                word.first_sentence = i
                word.first_start = start
                word.quoted = False
                new_in_sentence = True
            else:
                number = <Py_ssize_t>index
                word = &found[number]
                word.occurrences += 1
                new_in_sentence = word.last_sentence != i
                if new_in_sentence:
                    word.sentences += 1
                    word.last_sentence = i
            # Before the first sentence a word is counted but listed in no sentence.
            if new_in_sentence and listed is not None:
                listed.append(term)
            if not word.quoted:
                while q < n_quotations and quote_starts[q] < start:
                    q += 1
                word.quoted = q > 0 and end < quote_ends[q - 1]

        rank = <Py_ssize_t *>PyMem_Malloc(sizeof(Py_ssize_t) * (n_words + 1))
        if rank == NULL:
            raise MemoryError()
        rank_words(found, terms, n_words, table, median, rank)
        weight = {}
        length = text_length if text_length > 1 else 1
        for k in range(n_words):
            weight[terms[k]] = salience(&found[k], <str>terms[k], rank[k], length, w)
        return weight, per_sentence
    finally:
        PyMem_Free(found)
        PyMem_Free(rank)
        PyMem_Free(starts)
        PyMem_Free(ends)
        PyMem_Free(quote_starts)
        PyMem_Free(quote_ends)
