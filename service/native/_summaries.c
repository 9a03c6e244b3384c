/* Choosing a hit's summary sentences straight from its stored summary data (`SummaryData.to_bytes`).
 *
 * A page of hits needs ten summaries. In Python each costs a decoding of the stored data into lists and
 * dictionaries and a greedy choice over tuples and sets, about 150 microseconds, most of a search's time.
 * This reads only what the query needs from the bytes (the query words' places, the pool sentences' words
 * and weights) and makes the same choice as `SummaryData.summary`: the same keys, compared in the same
 * order, the same floating-point operations in the same order (built with -ffp-contract=off), so the same
 * sentences. `service/summaries/data.py` keeps the Python code for when this is not built, and the tests hold
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

/* Packing a text's summary data (`SummaryData.to_bytes`) straight from what `prepare` has, at ingest.
 *
 * In Python the places of every token are first gathered into a dictionary of lists by term, then walked
 * again term by term into a list of integers and through NumPy into bytes: about half a millisecond of an
 * article's ingest. Here the tokens are numbered by term in one table and written where their term's places
 * go, and the bytes are written out little-endian one by one, whatever the machine. The Python code stays as
 * the reference, and the tests hold the two to the same bytes.
 */

/* Term numbers by term, open addressing. The terms are borrowed from the caller's sequences: no Python code
 * runs while they are in use (only exact ints, floats, tuples and strs are read), so none can go away. */
typedef struct {
    PyObject **term;       /* by slot; NULL: empty */
    Py_hash_t *hash;
    Py_ssize_t *number;
    Py_ssize_t mask;
    PyObject **by_number;  /* the terms in term order */
    Py_ssize_t count;
} TermTable;

static int table_init(TermTable *table, Py_ssize_t most) {
    Py_ssize_t size = 8;
    while (size < 2 * most + 1) {
        if (size > PY_SSIZE_T_MAX / 4 / (Py_ssize_t)sizeof(Py_ssize_t)) {
            PyErr_NoMemory();
            return -1;
        }
        size *= 2;
    }
    table->term = PyMem_Calloc((size_t)size, sizeof(PyObject *));
    table->hash = PyMem_Malloc(sizeof(Py_hash_t) * (size_t)size);
    table->number = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)size);
    table->by_number = PyMem_Malloc(sizeof(PyObject *) * (size_t)(most + 1));
    table->mask = size - 1;
    table->count = 0;
    if (!table->term || !table->hash || !table->number || !table->by_number) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void table_free(TermTable *table) {
    PyMem_Free(table->term);
    PyMem_Free(table->hash);
    PyMem_Free(table->number);
    PyMem_Free(table->by_number);
}

static int same_text(PyObject *a, PyObject *b) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(a);
    int kind = PyUnicode_KIND(a);
    /* Equal strings are stored in the same kind, the narrowest that holds them. */
    return length == PyUnicode_GET_LENGTH(b) && kind == PyUnicode_KIND(b)
           && memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)(length * kind)) == 0;
}

/* The term's number, a new one when `add` and it is not yet in the table; -1 when it is not and not added,
 * -2 on an error. The table has room for every term it is given. */
static Py_ssize_t table_number(TermTable *table, PyObject *term, int add) {
    if (!PyUnicode_Check(term)) {
        PyErr_Format(PyExc_TypeError, "a term must be a str, not %.100s", Py_TYPE(term)->tp_name);
        return -2;
    }
    if (PyUnicode_READY(term) != 0) return -2;
    /* str's own hash, as a str subclass's __hash__ would run Python code. */
    Py_hash_t hash = PyUnicode_Type.tp_hash(term);
    if (hash == -1) return -2;
    Py_ssize_t slot = (Py_ssize_t)((size_t)hash & (size_t)table->mask);
    while (table->term[slot] != NULL) {
        if (table->term[slot] == term || (table->hash[slot] == hash && same_text(table->term[slot], term))) {
            return table->number[slot];
        }
        slot = (slot + 1) & table->mask;
    }
    if (!add) return -1;
    table->term[slot] = term;
    table->hash[slot] = hash;
    table->number[slot] = table->count;
    table->by_number[table->count] = term;
    return table->count++;
}

/* An integer of the packed form: to_bytes stores each as uint16 or uint32. */
static int read_count(PyObject *value, uint32_t *out) {
    if (!PyLong_Check(value)) {
        PyErr_Format(PyExc_TypeError, "an int is needed, not %.100s", Py_TYPE(value)->tp_name);
        return -1;
    }
    unsigned long long number = PyLong_AsUnsignedLongLong(value);
    if (number == (unsigned long long)-1 && PyErr_Occurred()) return -1;
    if (number > 0xFFFFFFFFULL) {
        PyErr_SetString(PyExc_OverflowError, "an int of the summary data is past 32 bits");
        return -1;
    }
    *out = (uint32_t)number;
    return 0;
}

/* A (term, start, end) token or a (text, start, end) sentence: a tuple, whose items cannot be replaced while
 * they are borrowed. */
static int check_triple(PyObject *item, const char *what) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
        PyErr_Format(PyExc_TypeError, "a %s must be a tuple of three items, not %.100s", what,
                     Py_TYPE(item)->tp_name);
        return -1;
    }
    return 0;
}

static int read_span(PyObject *item, const char *what, uint32_t *start, uint32_t *end) {
    if (check_triple(item, what) != 0) return -1;
    return read_count(PyTuple_GET_ITEM(item, 1), start) != 0 || read_count(PyTuple_GET_ITEM(item, 2), end) != 0
           ? -1 : 0;
}

/* Each token's term number, the terms not yet numbered numbered as first met. */
static int number_tokens(TermTable *table, PyObject *tokens, Py_ssize_t *numbers) {
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(tokens); k++) {
        PyObject *token = PySequence_Fast_GET_ITEM(tokens, k);
        if (check_triple(token, "token") != 0) return -1;
        if ((numbers[k] = table_number(table, PyTuple_GET_ITEM(token, 0), 1)) == -2) return -1;
    }
    return 0;
}

/* Each token's start and end where its term's places go: `next[t]` is where term t's next place goes, in
 * places from `flat`, and is moved on. */
static int place_tokens(uint32_t *ints, Py_ssize_t flat, PyObject *tokens, const Py_ssize_t *numbers,
                        Py_ssize_t *next) {
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(tokens); k++) {
        Py_ssize_t slot = flat + 2 * next[numbers[k]]++;
        if (read_span(PySequence_Fast_GET_ITEM(tokens, k), "token", &ints[slot], &ints[slot + 1]) != 0) return -1;
    }
    return 0;
}

/* Bytes of the term in UTF-8; -1 with UnicodeEncodeError set for a lone surrogate, as str.encode raises. */
static Py_ssize_t utf8_size(PyObject *term) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(term);
    if (PyUnicode_IS_ASCII(term)) return length;
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    Py_ssize_t size = 0;
    for (Py_ssize_t k = 0; k < length; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (ch < 0x80) size += 1;
        else if (ch < 0x800) size += 2;
        else if (ch >= 0xD800 && ch <= 0xDFFF) {
            PyObject *raised = PyUnicode_AsUTF8String(term);  /* for the error str.encode gives */
            Py_XDECREF(raised);
            if (raised != NULL) PyErr_SetString(PyExc_UnicodeError, "a lone surrogate in a term");
            return -1;
        }
        else if (ch < 0x10000) size += 3;
        else size += 4;
    }
    return size;
}

static unsigned char *put_utf8(unsigned char *out, PyObject *term) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(term);
    if (PyUnicode_IS_ASCII(term)) {
        memcpy(out, PyUnicode_DATA(term), (size_t)length);
        return out + length;
    }
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    for (Py_ssize_t k = 0; k < length; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (ch < 0x80) {
            *out++ = (unsigned char)ch;
        } else if (ch < 0x800) {
            *out++ = (unsigned char)(0xC0 | (ch >> 6));
            *out++ = (unsigned char)(0x80 | (ch & 0x3F));
        } else if (ch < 0x10000) {
            *out++ = (unsigned char)(0xE0 | (ch >> 12));
            *out++ = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
            *out++ = (unsigned char)(0x80 | (ch & 0x3F));
        } else {
            *out++ = (unsigned char)(0xF0 | (ch >> 18));
            *out++ = (unsigned char)(0x80 | ((ch >> 12) & 0x3F));
            *out++ = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
            *out++ = (unsigned char)(0x80 | (ch & 0x3F));
        }
    }
    return out;
}

static unsigned char *put_u32(unsigned char *out, uint32_t value) {
    for (int b = 0; b < 4; b++) *out++ = (unsigned char)(value >> (8 * b));
    return out;
}

static PyObject *pack(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *sentences_obj, *letters_obj, *weight, *words_obj, *tokens_obj, *title_obj;
    if (!PyArg_ParseTuple(args, "OOO!OOO:pack", &sentences_obj, &letters_obj, &PyDict_Type, &weight, &words_obj,
                          &tokens_obj, &title_obj)) {
        return NULL;
    }
    PyObject *result = NULL, *sentences = NULL, *letters = NULL, *words = NULL, *tokens = NULL, *title = NULL;
    PyObject **sentence_words = NULL;
    TermTable table = {0};
    Py_ssize_t *token_term = NULL, *title_term = NULL, *places_at = NULL, *title_at = NULL;
    uint32_t *ints = NULL;
    double *weights = NULL;
    Py_ssize_t n = 0;

    sentences = PySequence_Fast(sentences_obj, "sentences must be a sequence");
    letters = PySequence_Fast(letters_obj, "letters must be a sequence");
    words = PySequence_Fast(words_obj, "words must be a sequence");
    tokens = PySequence_Fast(tokens_obj, "tokens must be a sequence");
    title = PySequence_Fast(title_obj, "title tokens must be a sequence");
    if (!sentences || !letters || !words || !tokens || !title) goto done;
    n = PySequence_Fast_GET_SIZE(sentences);
    if (PySequence_Fast_GET_SIZE(letters) != n || PySequence_Fast_GET_SIZE(words) != n) {
        PyErr_SetString(PyExc_ValueError, "sentences, letters and words must be as many");
        goto done;
    }
    Py_ssize_t n_weighed = PyDict_GET_SIZE(weight);
    Py_ssize_t n_tokens = PySequence_Fast_GET_SIZE(tokens), n_title = PySequence_Fast_GET_SIZE(title);
    if (n_weighed > PY_SSIZE_T_MAX / 4 - n_tokens - n_title) goto no_memory;

    /* The terms in to_bytes' order: the weighed ones, then those of the text's tokens, then the title's, each
     * as first met. */
    if (table_init(&table, n_weighed + n_tokens + n_title) != 0) goto done;
    weights = PyMem_Malloc(sizeof(double) * (size_t)(n_weighed + 1));
    token_term = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n_tokens + 1));
    title_term = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n_title + 1));
    if (!weights || !token_term || !title_term) goto no_memory;
    Py_ssize_t position = 0, j = 0;
    PyObject *key, *value;
    while (PyDict_Next(weight, &position, &key, &value)) {
        if (PyFloat_Check(value)) {
            weights[j] = PyFloat_AS_DOUBLE(value);
        } else if (PyLong_Check(value)) {
            weights[j] = PyLong_AsDouble(value);
            if (weights[j] == -1.0 && PyErr_Occurred()) goto done;
        } else {
            PyErr_Format(PyExc_TypeError, "a weight must be a float, not %.100s", Py_TYPE(value)->tp_name);
            goto done;
        }
        Py_ssize_t number = table_number(&table, key, 1);
        if (number == -2) goto done;
        if (number != j) {
            PyErr_SetString(PyExc_ValueError, "weighed terms must be distinct");
            goto done;
        }
        j++;
    }
    /* First the numbers only: to_bytes checks every term for NUL before it reads anything else. */
    if (number_tokens(&table, tokens, token_term) != 0 || number_tokens(&table, title, title_term) != 0) goto done;
    Py_ssize_t n_terms = table.count;
    for (Py_ssize_t t = 0; t < n_terms; t++) {
        PyObject *held = table.by_number[t];
        Py_ssize_t found = PyUnicode_FindChar(held, 0, 0, PyUnicode_GET_LENGTH(held), 1);
        if (found == -2) goto done;
        if (found >= 0) {
            result = Py_NewRef(Py_None);  /* the packed form cannot hold it */
            goto done;
        }
    }

    /* The integers, as to_bytes lists them. */
    sentence_words = PyMem_Calloc((size_t)n + 1, sizeof(PyObject *));
    if (sentence_words == NULL) goto no_memory;
    Py_ssize_t total_words = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        sentence_words[i] = PySequence_Fast(PySequence_Fast_GET_ITEM(words, i), "a sentence's words must be a sequence");
        if (sentence_words[i] == NULL) goto done;
        total_words += PySequence_Fast_GET_SIZE(sentence_words[i]);
    }
    if (total_words > PY_SSIZE_T_MAX / 8 - 4 * n - 2 * n_terms - 2 * n_tokens - 2 * n_title) goto no_memory;
    Py_ssize_t n_ints = 4 * n + total_words + 2 * n_terms + 2 * (n_tokens + n_title);
    /* Every count, term number and place end below is at most n_ints. */
    if ((uint64_t)n_ints > 0xFFFFFFFFULL) {
        PyErr_SetString(PyExc_OverflowError, "too many integers for the summary data's 32 bits");
        goto done;
    }
    ints = PyMem_Malloc(sizeof(uint32_t) * (size_t)(n_ints + 1));
    places_at = PyMem_Calloc((size_t)n_terms + 1, sizeof(Py_ssize_t));
    title_at = PyMem_Calloc((size_t)n_terms + 1, sizeof(Py_ssize_t));
    if (!ints || !places_at || !title_at) goto no_memory;
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (read_span(PySequence_Fast_GET_ITEM(sentences, i), "sentence", &ints[at], &ints[at + 1]) != 0
            || read_count(PySequence_Fast_GET_ITEM(letters, i), &ints[at + 2]) != 0) {
            goto done;
        }
        at += 3;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        ints[at++] = (uint32_t)PySequence_Fast_GET_SIZE(sentence_words[i]);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(sentence_words[i]); k++) {
            PyObject *word = PySequence_Fast_GET_ITEM(sentence_words[i], k);
            Py_ssize_t number = table_number(&table, word, 0);
            if (number == -2) goto done;
            if (number == -1) {
                PyErr_SetObject(PyExc_KeyError, word);
                goto done;
            }
            ints[at++] = (uint32_t)number;
        }
    }
    /* Where each term's places end, text then title: a term's places are its tokens', in the order given. */
    for (Py_ssize_t k = 0; k < n_tokens; k++) places_at[token_term[k] + 1]++;
    for (Py_ssize_t k = 0; k < n_title; k++) title_at[title_term[k] + 1]++;
    for (Py_ssize_t t = 0; t < n_terms; t++) {
        places_at[t + 1] += places_at[t];
        title_at[t + 1] += title_at[t];
    }
    for (Py_ssize_t t = 0; t < n_terms; t++) ints[at++] = (uint32_t)(2 * places_at[t + 1]);
    for (Py_ssize_t t = 0; t < n_terms; t++) ints[at++] = (uint32_t)(2 * title_at[t + 1]);
    /* From here on a term's place in `places_at` and `title_at` is where its next place goes. */
    if (place_tokens(ints, at, tokens, token_term, places_at) != 0
        || place_tokens(ints, at + 2 * n_tokens, title, title_term, title_at) != 0) {
        goto done;
    }
    at += 2 * (n_tokens + n_title);
    if (at != n_ints) {
        PyErr_SetString(PyExc_SystemError, "pack: the integers were miscounted");
        goto done;
    }
    uint32_t largest = 0;
    for (Py_ssize_t k = 0; k < n_ints; k++) {
        if (ints[k] > largest) largest = ints[k];
    }
    Py_ssize_t width = largest > 0xFFFF ? 4 : 2;

    /* The terms' bytes, NUL between them. */
    Py_ssize_t blob_size = n_terms > 0 ? n_terms - 1 : 0;
    for (Py_ssize_t t = 0; t < n_terms; t++) {
        Py_ssize_t size = utf8_size(table.by_number[t]);
        if (size < 0) goto done;
        if (size > PY_SSIZE_T_MAX / 8 - blob_size) goto no_memory;
        blob_size += size;
    }
    if ((uint64_t)blob_size > 0xFFFFFFFFULL) {
        PyErr_SetString(PyExc_OverflowError, "the summary data is too large for its header");
        goto done;
    }
    if (n_ints > (PY_SSIZE_T_MAX - 24 - blob_size) / 4 - 2 * n_weighed) goto no_memory;
    result = PyBytes_FromStringAndSize(NULL, 24 + 8 * n_weighed + width * n_ints + blob_size);
    if (result == NULL) goto done;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
    out = put_u32(out, 1);
    out = put_u32(out, (uint32_t)n_terms);
    out = put_u32(out, (uint32_t)n_weighed);
    out = put_u32(out, (uint32_t)n);
    out = put_u32(out, (uint32_t)width);
    out = put_u32(out, (uint32_t)blob_size);
    for (Py_ssize_t k = 0; k < n_weighed; k++) {
        uint64_t bits;
        memcpy(&bits, &weights[k], sizeof bits);
        for (int b = 0; b < 8; b++) *out++ = (unsigned char)(bits >> (8 * b));
    }
    for (Py_ssize_t k = 0; k < n_ints; k++) {
        *out++ = (unsigned char)ints[k];
        *out++ = (unsigned char)(ints[k] >> 8);
        if (width == 4) {
            *out++ = (unsigned char)(ints[k] >> 16);
            *out++ = (unsigned char)(ints[k] >> 24);
        }
    }
    for (Py_ssize_t t = 0; t < n_terms; t++) {
        if (t > 0) *out++ = 0;
        out = put_utf8(out, table.by_number[t]);
    }
    goto done;

no_memory:
    PyErr_NoMemory();
done:
    if (sentence_words != NULL) {
        for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(sentence_words[i]);
    }
    PyMem_Free(sentence_words);
    table_free(&table);
    PyMem_Free(token_term);
    PyMem_Free(title_term);
    PyMem_Free(places_at);
    PyMem_Free(title_at);
    PyMem_Free(ints);
    PyMem_Free(weights);
    Py_XDECREF(sentences);
    Py_XDECREF(letters);
    Py_XDECREF(words);
    Py_XDECREF(tokens);
    Py_XDECREF(title);
    return result;
}

static PyMethodDef methods[] = {
    {"choose", choose, METH_VARARGS,
     "choose(data, text, query_terms, count, budget, repeat_discount, overlap_chars, position_decay, "
     "near_duplicate, gap_length) -> ([(sentence, start, end, spans or None), ...] in article order, "
     "{query term: title spans}), or None when `data` is not summary data this reads."},
    {"pack", pack, METH_VARARGS,
     "pack(sentences, letters, weight, words, tokens, title_tokens) -> SummaryData(sentences, weight, words, "
     "letters, places, title_places).to_bytes(), where places and title_places are the (term, start, end) "
     "tokens' places by term: the same bytes, or None when a term holds a NUL."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_summaries", NULL, -1, methods};

PyMODINIT_FUNC PyInit__summaries(void) {
    return PyModule_Create(&module);
}
