/* Each whole word's salience in one text, at ingest: `summarize._word_stats` and `_salience_of` in one pass.
 *
 * In Python the walk over an article's words and the logistic model over their features cost about 0.9 ms
 * an article. This makes the same walk (forward through the sentences and the quotations) and the same
 * floating-point operations in the same order, with the C library's `log` and `exp` that Python's `math`
 * calls (built with -ffp-contract=off), so the weights are the same to the last bit and in the same order.
 * `service/summaries/salience.py` keeps the Python code for when this is not built, and the tests hold the two to the
 * same output.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#define FEATURES 12

typedef struct {
    PyObject *term; /* the first occurrence's object, the key Python's dictionary keeps */
    Py_ssize_t occurrences, sentences, last_sentence, first_sentence, first_start;
    int quoted;
    double idf;
    int listed; /* whether the general-Chinese table holds the word */
    double rank_key; /* -(occurrences x idf): ranks sort on (rank_key, term) */
} Word;

/* Reads the two integers at `first` and `first + 1` of a tuple of `size` items; `what` names it in errors. */
static int read_pair(PyObject *item, Py_ssize_t size, Py_ssize_t first, const char *what, Py_ssize_t *a,
                     Py_ssize_t *b) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != size) {
        PyErr_Format(PyExc_TypeError, "each %s must be a tuple of %zd items", what, size);
        return -1;
    }
    PyObject *x = PyTuple_GET_ITEM(item, first), *y = PyTuple_GET_ITEM(item, first + 1);
    if (!PyLong_Check(x) || !PyLong_Check(y)) {
        PyErr_Format(PyExc_TypeError, "a %s's offsets must be integers", what);
        return -1;
    }
    *a = PyLong_AsSsize_t(x);
    if (*a == -1 && PyErr_Occurred()) {
        return -1;
    }
    *b = PyLong_AsSsize_t(y);
    if (*b == -1 && PyErr_Occurred()) {
        return -1;
    }
    return 0;
}

/* The `size`-tuples of `items` (a sequence) as two arrays of their integers at `first` and `first + 1`. */
static Py_ssize_t read_pairs(PyObject *items, Py_ssize_t size, Py_ssize_t first, const char *what,
                             Py_ssize_t **a, Py_ssize_t **b) {
    PyObject *fast = PySequence_Fast(items, "expected a sequence");
    if (fast == NULL) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    *a = PyMem_New(Py_ssize_t, n + 1);
    *b = PyMem_New(Py_ssize_t, n + 1);
    if (*a == NULL || *b == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (read_pair(PySequence_Fast_GET_ITEM(fast, k), size, first, what, *a + k, *b + k) < 0) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return n;
}

/* Whether `a` ranks before `b`: by tf x idf, highest first, then by the word in code point order, as
 * Python orders the tuples (-(tf * idf), term). */
static int ranks_before(const Word *a, const Word *b) {
    if (a->rank_key != b->rank_key) {
        return a->rank_key < b->rank_key;
    }
    return PyUnicode_Compare(a->term, b->term) < 0;
}

/* Sorts `order` (indices into `words`) by rank; a merge sort, so a comparison that is not a total order
 * (a NaN idf) can reorder but never reads out of bounds. */
static void sort_by_rank(const Word *words, Py_ssize_t *order, Py_ssize_t *spare, Py_ssize_t n) {
    for (Py_ssize_t width = 1; width < n; width *= 2) {
        for (Py_ssize_t low = 0; low < n; low += 2 * width) {
            Py_ssize_t middle = low + width < n ? low + width : n;
            Py_ssize_t high = low + 2 * width < n ? low + 2 * width : n;
            Py_ssize_t i = low, j = middle, k = low;
            while (i < middle && j < high) {
                spare[k++] = ranks_before(&words[order[j]], &words[order[i]]) ? order[j++] : order[i++];
            }
            while (i < middle) spare[k++] = order[i++];
            while (j < high) spare[k++] = order[j++];
        }
        memcpy(order, spare, sizeof(Py_ssize_t) * (size_t)n);
    }
}

static int has_digit(PyObject *term) {
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(term); k++) {
        if (Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, k))) {
            return 1;
        }
    }
    return 0;
}

/* Each word's rank key from the general-Chinese table, then its rank. */
static int rank_words(Word *words, Py_ssize_t n, PyObject *table, double median, Py_ssize_t *rank) {
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *found = PyDict_GetItemWithError(table, words[k].term);
        if (found == NULL && PyErr_Occurred()) {
            return -1;
        }
        words[k].listed = found != NULL;
        words[k].idf = median;
        if (found != NULL) {
            words[k].idf = PyFloat_AsDouble(found);
            if (words[k].idf == -1.0 && PyErr_Occurred()) {
                return -1;
            }
        }
        words[k].rank_key = -((double)words[k].occurrences * words[k].idf);
    }
    Py_ssize_t *order = PyMem_New(Py_ssize_t, n + 1), *spare = PyMem_New(Py_ssize_t, n + 1);
    if (order == NULL || spare == NULL) {
        PyMem_Free(order);
        PyMem_Free(spare);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        order[k] = k;
    }
    sort_by_rank(words, order, spare, n);
    for (Py_ssize_t r = 0; r < n; r++) {
        rank[order[r]] = r;
    }
    PyMem_Free(order);
    PyMem_Free(spare);
    return 0;
}

/* The word's salience: the products of the weights and `word_features`' features (the same two floats
 * multiplied as in `_term_features` and `_salience_of`), added left to right from 0.0. */
static double salience(const Word *word, Py_ssize_t rank, Py_ssize_t text_length, const double *w) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(word->term);
    double total = 0.0;
    total += w[0] * 1.0;
    total += w[1] * log((double)word->occurrences);
    total += w[2] * (double)(word->sentences - 1);
    total += w[3] * (word->idf / 10);
    total += w[4] * (word->listed ? 0.0 : 1.0);
    total += w[5] * ((double)(length < 4 ? length : 4) / (double)4);
    total += w[6] * (length == 1 ? 1.0 : 0.0);
    total += w[7] * (word->first_sentence == 0 ? 1.0 : 0.0);
    total += w[8] * ((double)word->first_start / (double)text_length);
    total += w[9] * (has_digit(word->term) ? 1.0 : 0.0);
    total += w[10] * (1 / (double)(1 + rank));
    total += w[11] * (word->quoted ? 1.0 : 0.0);
    return 1 / (1 + exp(-total));
}

static PyObject *weigh(PyObject *self, PyObject *args) {
    PyObject *tokens, *sentence_items, *quotation_items, *table, *weight_items;
    Py_ssize_t text_length;
    double median;
    if (!PyArg_ParseTuple(args, "OOOnO!dO:weigh", &tokens, &sentence_items, &quotation_items, &text_length,
                          &PyDict_Type, &table, &median, &weight_items)) {
        return NULL;
    }
    double w[FEATURES];
    PyObject *fast_weights = PySequence_Fast(weight_items, "the weights must be a sequence");
    if (fast_weights == NULL) {
        return NULL;
    }
    if (PySequence_Fast_GET_SIZE(fast_weights) != FEATURES) {
        Py_DECREF(fast_weights);
        PyErr_Format(PyExc_TypeError, "expected %d weights", FEATURES);
        return NULL;
    }
    for (int k = 0; k < FEATURES; k++) {
        w[k] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast_weights, k));
        if (w[k] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast_weights);
            return NULL;
        }
    }
    Py_DECREF(fast_weights);

    PyObject *fast = NULL, *seen = NULL, *per_sentence = NULL, *weight = NULL, *result = NULL;
    Py_ssize_t *starts = NULL, *ends = NULL, *quote_starts = NULL, *quote_ends = NULL, *rank = NULL;
    Word *words = NULL;
    Py_ssize_t n_words = 0;
    Py_ssize_t n_sentences = read_pairs(sentence_items, 3, 1, "sentence", &starts, &ends);
    if (n_sentences < 0) {
        goto done;
    }
    Py_ssize_t n_quotations = read_pairs(quotation_items, 2, 0, "quotation", &quote_starts, &quote_ends);
    if (n_quotations < 0) {
        goto done;
    }
    fast = PySequence_Fast(tokens, "the words must be a sequence");
    if (fast == NULL) {
        goto done;
    }
    Py_ssize_t n_tokens = PySequence_Fast_GET_SIZE(fast);
    words = PyMem_New(Word, n_tokens + 1);
    seen = PyDict_New();
    per_sentence = PyList_New(n_sentences);
    if (words == NULL || seen == NULL || per_sentence == NULL) {
        if (words == NULL) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_sentences; k++) {
        PyObject *listed = PyList_New(0);
        if (listed == NULL) {
            goto done;
        }
        PyList_SET_ITEM(per_sentence, k, listed);
    }

    /* The forward walk of `_word_stats`: `i` is the last sentence starting at or before the word, -1 before
     * the first; `q` how many quotations open before it. */
    Py_ssize_t i = -1, q = 0, last_end = -1;
    PyObject *listed = NULL;
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        PyObject *token = PySequence_Fast_GET_ITEM(fast, t);
        Py_ssize_t start, end;
        if (read_pair(token, 3, 1, "word", &start, &end) < 0) {
            goto done;
        }
        PyObject *term = PyTuple_GET_ITEM(token, 0);
        if (!PyUnicode_CheckExact(term)) {
            PyErr_SetString(PyExc_TypeError, "a word's term must be a str");
            goto done;
        }
        if (i + 1 < n_sentences && start >= starts[i + 1]) {
            i++;
            while (i + 1 < n_sentences && starts[i + 1] <= start) {
                i++;
            }
            last_end = ends[i];
            listed = PyList_GET_ITEM(per_sentence, i);
        }
        if (end > last_end) {
            continue; /* before the first sentence, or across the end of its sentence */
        }
        PyObject *number = PyDict_GetItemWithError(seen, term);
        Word *word;
        int new_in_sentence;
        if (number == NULL) {
            if (PyErr_Occurred()) {
                goto done;
            }
            number = PyLong_FromSsize_t(n_words);
            if (number == NULL) {
                goto done;
            }
            int failed = PyDict_SetItem(seen, term, number);
            Py_DECREF(number);
            if (failed) {
                goto done;
            }
            word = &words[n_words++];
            Py_INCREF(term);
            *word = (Word){.term = term, .occurrences = 1, .sentences = 1, .last_sentence = i,
                           .first_sentence = i, .first_start = start, .quoted = 0};
            new_in_sentence = 1;
        } else {
            word = &words[PyLong_AsSsize_t(number)];
            word->occurrences++;
            new_in_sentence = word->last_sentence != i;
            if (new_in_sentence) {
                word->sentences++;
                word->last_sentence = i;
            }
        }
        /* Before the first sentence a word is counted but listed in no sentence. */
        if (new_in_sentence && listed != NULL && PyList_Append(listed, term) < 0) {
            goto done;
        }
        if (!word->quoted) {
            while (q < n_quotations && quote_starts[q] < start) {
                q++;
            }
            word->quoted = q > 0 && end < quote_ends[q - 1];
        }
    }

    rank = PyMem_New(Py_ssize_t, n_words + 1);
    if (rank == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (rank_words(words, n_words, table, median, rank) < 0) {
        goto done;
    }
    weight = PyDict_New();
    if (weight == NULL) {
        goto done;
    }
    Py_ssize_t length = text_length > 1 ? text_length : 1;
    for (Py_ssize_t k = 0; k < n_words; k++) {
        PyObject *value = PyFloat_FromDouble(salience(&words[k], rank[k], length, w));
        if (value == NULL) {
            goto done;
        }
        int failed = PyDict_SetItem(weight, words[k].term, value);
        Py_DECREF(value);
        if (failed) {
            goto done;
        }
    }
    result = PyTuple_Pack(2, weight, per_sentence);

done:
    for (Py_ssize_t k = 0; k < n_words; k++) {
        Py_DECREF(words[k].term);
    }
    PyMem_Free(words);
    PyMem_Free(rank);
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(quote_starts);
    PyMem_Free(quote_ends);
    Py_XDECREF(fast);
    Py_XDECREF(seen);
    Py_XDECREF(per_sentence);
    Py_XDECREF(weight);
    return result;
}

static PyMethodDef methods[] = {
    {"weigh", weigh, METH_VARARGS,
     "weigh(words, sentences, quotations, text_length, idf_table, median_idf, weights) -> (salience by word "
     "in first-occurrence order, each sentence's distinct words): `_salience_of(text, _word_stats(...)[0])` "
     "and `_word_stats(...)[1]` as lists. `words` are `whole_words` (term, start, end) tuples in text "
     "order, `sentences` (text, start, end) tuples, `quotations` the (start, end) spans of `_QUOTED`."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_salience", NULL, -1, methods};

PyMODINIT_FUNC PyInit__salience(void) {
    return PyModule_Create(&module);
}
