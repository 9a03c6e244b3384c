/* Choosing a hit's summary sentences straight from its stored summary data (`SummaryData.to_bytes`).
 *
 * A page of hits needs ten summaries. In Python each costs a decoding of the stored data into lists and
 * dictionaries and a greedy choice over tuples and sets, about 150 microseconds, most of a search's time.
 * This reads only what the query needs from the bytes (the query words' places, the pool sentences' words
 * and weights) and makes the same choice as `SummaryData.summary`: the same keys, compared in the same
 * order, the same floating-point operations in the same order (built with -ffp-contract=off), so the same
 * sentences. `service/summarize.py` keeps the Python code for when this is not built, and the tests hold
 * the two to the same output.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const unsigned char *ints;  /* the integers' bytes, little-endian */
    Py_ssize_t width;           /* 2 or 4 */
    Py_ssize_t count;
} Ints;

static Py_ssize_t int_at(const Ints *ints, Py_ssize_t k) {
    const unsigned char *p = ints->ints + k * ints->width;
    if (ints->width == 2) {
        return (Py_ssize_t)p[0] | ((Py_ssize_t)p[1] << 8);
    }
    return (Py_ssize_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}

static uint32_t u32_at(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static double f64_at(const unsigned char *p) {
    uint64_t bits = 0;
    for (int b = 7; b >= 0; b--) {
        bits = (bits << 8) | p[b];
    }
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* One sentence's distinct letter pairs (`summarize._bigrams`), sorted: a pair is two code points in one
 * number, a lone letter is marked by the top bit so it never equals a pair. */
typedef struct {
    uint64_t *codes;
    Py_ssize_t size;
    int made;
} Pairs;

static int compare_codes(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int make_pairs(Pairs *pairs, int kind, const void *data, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t letters = 0;
    Py_UCS4 previous = 0;
    pairs->codes = PyMem_Malloc(sizeof(uint64_t) * (size_t)(end - start + 1));
    if (pairs->codes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    pairs->size = 0;
    Py_UCS4 first = 0;
    for (Py_ssize_t k = start; k < end; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        /* Python's `re` counts a character as a word character when `str.isalnum` holds for it. */
        if (!Py_UNICODE_ISALNUM(ch)) {
            continue;
        }
        if (letters == 0) {
            first = ch;
        } else {
            pairs->codes[pairs->size++] = ((uint64_t)previous << 32) | ch;
        }
        previous = ch;
        letters++;
    }
    if (letters == 1) {
        pairs->codes[pairs->size++] = ((uint64_t)1 << 63) | first;
    }
    qsort(pairs->codes, (size_t)pairs->size, sizeof(uint64_t), compare_codes);
    Py_ssize_t unique = 0;
    for (Py_ssize_t k = 0; k < pairs->size; k++) {
        if (unique == 0 || pairs->codes[unique - 1] != pairs->codes[k]) {
            pairs->codes[unique++] = pairs->codes[k];
        }
    }
    pairs->size = unique;
    pairs->made = 1;
    return 0;
}

static int overlapping(const Pairs *x, const Pairs *y, double near_duplicate) {
    if (x->size == 0 || y->size == 0) {
        return 0;
    }
    Py_ssize_t i = 0, j = 0, shared = 0;
    while (i < x->size && j < y->size) {
        if (x->codes[i] < y->codes[j]) {
            i++;
        } else if (x->codes[i] > y->codes[j]) {
            j++;
        } else {
            shared++;
            i++;
            j++;
        }
    }
    Py_ssize_t smaller = x->size < y->size ? x->size : y->size;
    return (double)shared / (double)smaller >= near_duplicate;
}

/* A sentence's place in the choice: the key `_choose` compares, (new query words, query words, value, -i). */
typedef struct {
    Py_ssize_t fresh, found;
    double value;
    Py_ssize_t sentence;
} Entry;

/* Whether `a` comes before `b` in the choice: more new query words, then more query words, then more value,
 * then the earlier sentence. */
static int before(const Entry *a, const Entry *b) {
    if (a->fresh != b->fresh) return a->fresh > b->fresh;
    if (a->found != b->found) return a->found > b->found;
    if (a->value != b->value) return a->value > b->value;
    return a->sentence < b->sentence;
}

typedef struct {
    const unsigned char *blob;  /* the terms, NUL between them */
    Py_ssize_t *term_start;     /* byte offset of each term in blob */
    Py_ssize_t *term_size;      /* its bytes */
    Py_ssize_t *term_chars;     /* its characters */
    Py_ssize_t n_terms;
} Terms;

static Py_ssize_t find_term(const Terms *terms, PyObject *term) {
    if (!PyUnicode_Check(term)) {
        return -1;
    }
    Py_ssize_t size;
    const char *bytes = PyUnicode_AsUTF8AndSize(term, &size);
    if (bytes == NULL) {
        PyErr_Clear();  /* a lone surrogate: no stored term can equal it */
        return -1;
    }
    if (size == 0 || memchr(bytes, 0, (size_t)size) != NULL) {
        return -1;
    }
    for (Py_ssize_t j = 0; j < terms->n_terms; j++) {
        if (terms->term_size[j] == size && memcmp(terms->blob + terms->term_start[j], bytes, (size_t)size) == 0) {
            return j;
        }
    }
    return -1;
}

/* The joiner between sentences a < b once both are chosen: nothing when b follows a with only white space
 * between them, else the gap mark. */
static Py_ssize_t joiner(int kind, const void *data, const Py_ssize_t *starts, const Py_ssize_t *ends,
                         Py_ssize_t a, Py_ssize_t b, Py_ssize_t gap_length) {
    if (b != a + 1) {
        return gap_length;
    }
    for (Py_ssize_t k = ends[a]; k < starts[b]; k++) {
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k))) {
            return gap_length;
        }
    }
    return 0;
}

static PyObject *spans_list(const Ints *ints, Py_ssize_t from, Py_ssize_t to) {
    PyObject *list = PyList_New(0);
    if (list == NULL) return NULL;
    for (Py_ssize_t k = from; k + 1 < to; k += 2) {
        PyObject *span = Py_BuildValue("(nn)", int_at(ints, k), int_at(ints, k + 1));
        if (span == NULL || PyList_Append(list, span) != 0) {
            Py_XDECREF(span);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(span);
    }
    return list;
}

static PyObject *choose(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer view;
    PyObject *text, *query_terms;
    Py_ssize_t count, gap_length;
    double budget, repeat_discount, overlap_chars, position_decay, near_duplicate;
    if (!PyArg_ParseTuple(args, "y*UOndddddn:choose", &view, &text, &query_terms, &count, &budget,
                          &repeat_discount, &overlap_chars, &position_decay, &near_duplicate, &gap_length)) {
        return NULL;
    }
    PyObject *result = NULL, *terms_seq = NULL, *chosen_list = NULL, *title = NULL;
    Terms terms = {0};
    Py_ssize_t *starts = NULL, *ends = NULL, *word_start = NULL, *places_end = NULL, *title_end = NULL;
    Py_ssize_t *chosen = NULL, *found_count = NULL;
    uint64_t *found_bits = NULL, *covered = NULL;
    double *weight = NULL;
    Pairs *pairs = NULL;
    Entry *queue = NULL;
    PyObject **sentence_spans = NULL;
    Py_ssize_t n = 0;

    const unsigned char *data = view.buf;
    Py_ssize_t length = view.len;
    if (length < 24) goto unreadable;
    uint32_t form = u32_at(data), n_terms = u32_at(data + 4), n_weighed = u32_at(data + 8);
    uint32_t n_sentences = u32_at(data + 12), width = u32_at(data + 16), blob_size = u32_at(data + 20);
    if (form != 1 || (width != 2 && width != 4) || n_weighed > n_terms) goto unreadable;
    Py_ssize_t at = 24 + 8 * (Py_ssize_t)n_weighed;
    if (at > length || (Py_ssize_t)blob_size > length - at || (length - at - blob_size) % width != 0) {
        goto unreadable;
    }
    Ints ints = {data + at, width, (length - at - blob_size) / width};
    n = n_sentences;

    /* The terms. */
    terms.blob = data + length - blob_size;
    terms.n_terms = n_terms;
    if (n_terms > 0) {
        terms.term_start = PyMem_Malloc(sizeof(Py_ssize_t) * n_terms);
        terms.term_size = PyMem_Malloc(sizeof(Py_ssize_t) * n_terms);
        terms.term_chars = PyMem_Malloc(sizeof(Py_ssize_t) * n_terms);
        if (!terms.term_start || !terms.term_size || !terms.term_chars) goto no_memory;
        Py_ssize_t j = 0, begin = 0, chars = 0;
        for (Py_ssize_t k = 0; k <= (Py_ssize_t)blob_size; k++) {
            if (k == (Py_ssize_t)blob_size || terms.blob[k] == 0) {
                if (j >= (Py_ssize_t)n_terms) goto unreadable;
                terms.term_start[j] = begin;
                terms.term_size[j] = k - begin;
                terms.term_chars[j] = chars;
                j++;
                begin = k + 1;
                chars = 0;
            } else if ((terms.blob[k] & 0xC0) != 0x80) {
                chars++;
            }
        }
        if (j != (Py_ssize_t)n_terms) goto unreadable;
    }

    /* The integers: sentences (start, end, letters), words per sentence, word numbers, where each term's
     * places end (text, then title), then the places. */
    Py_ssize_t text_length = PyUnicode_GET_LENGTH(text);
    if (ints.count < 4 * n) goto unreadable;
    starts = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    ends = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    word_start = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    if (!starts || !ends || !word_start) goto no_memory;
    word_start[0] = 4 * n;
    for (Py_ssize_t i = 0; i < n; i++) {
        starts[i] = int_at(&ints, 3 * i);
        ends[i] = int_at(&ints, 3 * i + 1);
        if (starts[i] > ends[i] || ends[i] > text_length || (i > 0 && starts[i] < ends[i - 1])) goto unreadable;
        word_start[i + 1] = word_start[i] + int_at(&ints, 3 * n + i);
    }
    Py_ssize_t places_at = word_start[n];
    if (places_at + 2 * (Py_ssize_t)n_terms > ints.count) goto unreadable;
    Py_ssize_t flat_at = places_at + 2 * n_terms, flat_count = ints.count - flat_at;
    places_end = PyMem_Malloc(sizeof(Py_ssize_t) * (n_terms + 1));
    title_end = PyMem_Malloc(sizeof(Py_ssize_t) * (n_terms + 1));
    if (!places_end || !title_end) goto no_memory;
    places_end[0] = title_end[0] = 0;
    for (Py_ssize_t j = 0; j < (Py_ssize_t)n_terms; j++) {
        places_end[j + 1] = int_at(&ints, places_at + j);
        title_end[j + 1] = int_at(&ints, places_at + n_terms + j);
        if (places_end[j + 1] < places_end[j] || title_end[j + 1] < title_end[j]) goto unreadable;
    }
    Py_ssize_t held = places_end[n_terms];
    if (held > flat_count || title_end[n_terms] > flat_count - held) goto unreadable;

    /* The query's terms: which sentences hold each, and where. */
    terms_seq = PySequence_Fast(query_terms, "query terms must be a sequence");
    if (terms_seq == NULL) goto done;
    Py_ssize_t n_query = PySequence_Fast_GET_SIZE(terms_seq);
    Py_ssize_t words_per_set = (n_query + 63) / 64;
    if (words_per_set == 0) words_per_set = 1;
    found_bits = PyMem_Calloc((size_t)(n + 1) * words_per_set, sizeof(uint64_t));
    covered = PyMem_Calloc((size_t)words_per_set, sizeof(uint64_t));
    found_count = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    sentence_spans = PyMem_Calloc((size_t)n + 1, sizeof(PyObject *));
    if (!found_bits || !covered || !found_count || !sentence_spans) goto no_memory;
    title = PyDict_New();
    if (title == NULL) goto done;
    for (Py_ssize_t q = 0; q < n_query; q++) {
        PyObject *term = PySequence_Fast_GET_ITEM(terms_seq, q);
        Py_ssize_t j = find_term(&terms, term);
        if (j < 0) continue;
        for (Py_ssize_t k = places_end[j]; k + 1 < places_end[j + 1]; k += 2) {
            Py_ssize_t start = int_at(&ints, flat_at + k), end = int_at(&ints, flat_at + k + 1);
            if (start >= end) goto unreadable;  /* a token is never empty */
            /* The last sentence starting at or before the place (bisect_right, less one). */
            Py_ssize_t low = 0, high = n;
            while (low < high) {
                Py_ssize_t middle = (low + high) / 2;
                if (start < starts[middle]) high = middle; else low = middle + 1;
            }
            Py_ssize_t i = low - 1;
            if (i < 0 || end > ends[i]) continue;
            uint64_t *bits = found_bits + i * words_per_set;
            if (!(bits[q / 64] & ((uint64_t)1 << (q % 64)))) {
                bits[q / 64] |= (uint64_t)1 << (q % 64);
                found_count[i]++;
            }
            if (sentence_spans[i] == NULL && (sentence_spans[i] = PyList_New(0)) == NULL) goto done;
            PyObject *span = Py_BuildValue("(nn)", start, end);
            if (span == NULL || PyList_Append(sentence_spans[i], span) != 0) {
                Py_XDECREF(span);
                goto done;
            }
            Py_DECREF(span);
        }
        if (title_end[j + 1] > title_end[j]) {
            PyObject *spans = spans_list(&ints, flat_at + held + title_end[j], flat_at + held + title_end[j + 1]);
            if (spans == NULL || PyDict_SetItem(title, term, spans) != 0) {
                Py_XDECREF(spans);
                goto done;
            }
            Py_DECREF(spans);
        }
    }

    /* The pool: the sentences holding a query term, or else all of them. */
    queue = PyMem_Malloc(sizeof(Entry) * (n + 1));
    chosen = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    pairs = PyMem_Calloc((size_t)n + 1, sizeof(Pairs));
    weight = PyMem_Malloc(sizeof(double) * (n_weighed + 1));
    if (!queue || !chosen || !pairs || !weight) goto no_memory;
    for (Py_ssize_t j = 0; j < (Py_ssize_t)n_weighed; j++) {
        weight[j] = f64_at(data + 24 + 8 * j);
    }
    Py_ssize_t queued = 0;
    int any_found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (found_count[i] > 0) any_found = 1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (any_found && found_count[i] == 0) continue;
        for (Py_ssize_t k = word_start[i]; k < word_start[i + 1]; k++) {
            if (k >= places_at || int_at(&ints, k) >= (Py_ssize_t)n_weighed) goto unreadable;
        }
        queue[queued++].sentence = i;
    }

    /* The greedy choice of `_choose`. The key of an entry was worked out when it was queued and can only have
     * fallen since, so the entry first in order is worked out again and taken only if its key is unchanged;
     * otherwise it goes back with its new key. */
#define KEY_OF(entry, i) do { \
        Py_ssize_t fresh_ = 0; \
        const uint64_t *bits_ = found_bits + (i) * words_per_set; \
        for (Py_ssize_t w_ = 0; w_ < words_per_set; w_++) fresh_ += __builtin_popcountll(bits_[w_] & ~covered[w_]); \
        double sum_ = 0.0; \
        for (Py_ssize_t k_ = word_start[i]; k_ < word_start[(i) + 1]; k_++) { \
            Py_ssize_t term_ = int_at(&ints, k_); \
            sum_ = sum_ + weight[term_] * (double)terms.term_chars[term_]; \
        } \
        (entry).fresh = fresh_; \
        (entry).found = found_count[i]; \
        (entry).value = 2.0 * sum_ / ((double)int_at(&ints, 3 * (i) + 2) + overlap_chars) \
                        / (1.0 + position_decay * (double)(i)); \
        (entry).sentence = (i); \
    } while (0)

    for (Py_ssize_t e = 0; e < queued; e++) {
        Py_ssize_t i = queue[e].sentence;
        KEY_OF(queue[e], i);
    }
    Py_ssize_t n_chosen = 0, summary_length = 0, overlong = -1;
    if (count < 0) count = n;
    int kind = PyUnicode_KIND(text);
    const void *text_data = PyUnicode_DATA(text);
    while (queued > 0 && n_chosen < count) {
        Py_ssize_t top = 0;
        for (Py_ssize_t e = 1; e < queued; e++) {
            if (before(&queue[e], &queue[top])) top = e;
        }
        Entry stored = queue[top], current;
        Py_ssize_t i = stored.sentence;
        KEY_OF(current, i);
        if (current.fresh != stored.fresh || current.found != stored.found || current.value != stored.value) {
            queue[top] = current;
            continue;
        }
        queue[top] = queue[--queued];
        if (!pairs[i].made && make_pairs(&pairs[i], kind, text_data, starts[i], ends[i]) != 0) goto done;
        int repeats = 0;
        for (Py_ssize_t c = 0; c < n_chosen && !repeats; c++) {
            repeats = overlapping(&pairs[i], &pairs[chosen[c]], near_duplicate);
        }
        if (repeats) continue;
        Py_ssize_t place = 0;
        while (place < n_chosen && chosen[place] <= i) place++;
        Py_ssize_t grown = summary_length + ends[i] - starts[i];
        if (place > 0) grown += joiner(kind, text_data, starts, ends, chosen[place - 1], i, gap_length);
        if (place < n_chosen) {
            grown += joiner(kind, text_data, starts, ends, i, chosen[place], gap_length);
            if (place > 0) grown -= joiner(kind, text_data, starts, ends, chosen[place - 1], chosen[place], gap_length);
        }
        if ((double)grown > budget) {
            if (overlong < 0) overlong = i;
            continue;
        }
        memmove(chosen + place + 1, chosen + place, sizeof(Py_ssize_t) * (n_chosen - place));
        chosen[place] = i;
        n_chosen++;
        summary_length = grown;
        const uint64_t *bits = found_bits + i * words_per_set;
        for (Py_ssize_t w = 0; w < words_per_set; w++) covered[w] |= bits[w];
        for (Py_ssize_t k = word_start[i]; k < word_start[i + 1]; k++) {
            Py_ssize_t term = int_at(&ints, k);
            weight[term] = weight[term] * repeat_discount;
        }
    }
#undef KEY_OF
    if (n_chosen == 0 && overlong >= 0) {
        chosen[n_chosen++] = overlong;
    }

    chosen_list = PyList_New(n_chosen);
    if (chosen_list == NULL) goto done;
    for (Py_ssize_t c = 0; c < n_chosen; c++) {
        Py_ssize_t i = chosen[c];
        PyObject *spans = sentence_spans[i] ? sentence_spans[i] : Py_None;
        PyObject *item = Py_BuildValue("(nnnO)", i, starts[i], ends[i], spans);
        if (item == NULL) goto done;
        PyList_SET_ITEM(chosen_list, c, item);
    }
    result = PyTuple_Pack(2, chosen_list, title);
    goto done;

unreadable:
    result = Py_NewRef(Py_None);
    goto done;
no_memory:
    PyErr_NoMemory();
done:
    if (pairs != NULL) {
        for (Py_ssize_t i = 0; i < n; i++) PyMem_Free(pairs[i].codes);
    }
    if (sentence_spans != NULL) {
        for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(sentence_spans[i]);
    }
    PyMem_Free(sentence_spans);
    PyMem_Free(pairs);
    PyMem_Free(queue);
    PyMem_Free(chosen);
    PyMem_Free(weight);
    PyMem_Free(found_bits);
    PyMem_Free(covered);
    PyMem_Free(found_count);
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(word_start);
    PyMem_Free(places_end);
    PyMem_Free(title_end);
    PyMem_Free(terms.term_start);
    PyMem_Free(terms.term_size);
    PyMem_Free(terms.term_chars);
    Py_XDECREF(terms_seq);
    Py_XDECREF(chosen_list);
    Py_XDECREF(title);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"choose", choose, METH_VARARGS,
     "choose(data, text, query_terms, count, budget, repeat_discount, overlap_chars, position_decay, "
     "near_duplicate, gap_length) -> ([(sentence, start, end, spans or None), ...] in article order, "
     "{query term: title spans}), or None when `data` is not summary data this reads."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_summaries", NULL, -1, methods};

PyMODINIT_FUNC PyInit__summaries(void) {
    return PyModule_Create(&module);
}
