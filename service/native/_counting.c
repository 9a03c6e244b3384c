/* The `grams` and `chars` channels of an article counted in one pass over its folded texts.
 *
 * In Python every bigram and every character becomes a string before `Counter` sees it: several string
 * allocations and dict look-ups per CJK character of the archive. Here each term is a number (its one or
 * two code points) counted in a small hash table, and only the distinct terms become strings. The result
 * is the one `service/index/channels.py` makes in Python, key order included; it uses this when it is built.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* Exactly `_CJK_RUN` of service/text/ngrams.py. */
static int is_cjk(Py_UCS4 c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x2FFFF);
}

/* A term as a number: its first code point shifted up, its second (0 for a one-character term, which no
 * CJK character is) below. Code points take 21 bits. */
#define SECOND_BITS 21
#define SECOND_MASK ((UINT64_C(1) << SECOND_BITS) - 1)

static uint64_t term_key(Py_UCS4 first, Py_UCS4 second) { return ((uint64_t)first << SECOND_BITS) | second; }

typedef struct {
    uint64_t key;
    Py_ssize_t count;
} Entry;

/* Terms with their counts in the order they first occur, found through an open-addressed index. */
typedef struct {
    Entry *entries;
    Py_ssize_t size;
    Py_ssize_t capacity;  /* entries; the index has twice as many slots, so it is never more than half full */
    Py_ssize_t *slots;    /* an entry's position, or -1 */
} Tally;

/* SplitMix64's finalizer: every bit of a key reaches the low bits taken, where a bare multiplication would
 * leave a character's key (its low 21 bits zero) to a few hundred slots. */
static size_t slot_of(uint64_t key, Py_ssize_t n_slots) {
    uint64_t h = key;
    h = (h ^ (h >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    h = (h ^ (h >> 27)) * UINT64_C(0x94D049BB133111EB);
    h ^= h >> 31;
    return (size_t)h & (size_t)(n_slots - 1);
}

static int tally_init(Tally *tally, Py_ssize_t capacity) {
    tally->size = 0;
    tally->capacity = capacity;
    tally->entries = PyMem_Malloc(capacity * sizeof(Entry));
    tally->slots = PyMem_Malloc(2 * capacity * sizeof(Py_ssize_t));
    if (tally->entries == NULL || tally->slots == NULL) {
        PyMem_Free(tally->entries);
        PyMem_Free(tally->slots);
        tally->entries = NULL;
        tally->slots = NULL;
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < 2 * capacity; i++) tally->slots[i] = -1;
    return 0;
}

static void tally_free(Tally *tally) {
    PyMem_Free(tally->entries);
    PyMem_Free(tally->slots);
    tally->entries = NULL;
    tally->slots = NULL;
}

static int tally_grow(Tally *tally) {
    if (tally->capacity > PY_SSIZE_T_MAX / (Py_ssize_t)(2 * sizeof(Entry))) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t capacity = 2 * tally->capacity;
    Entry *entries = PyMem_Realloc(tally->entries, capacity * sizeof(Entry));
    if (entries == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    tally->entries = entries;
    Py_ssize_t *slots = PyMem_Malloc(2 * capacity * sizeof(Py_ssize_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < 2 * capacity; i++) slots[i] = -1;
    for (Py_ssize_t e = 0; e < tally->size; e++) {
        size_t s = slot_of(entries[e].key, 2 * capacity);
        while (slots[s] != -1) s = (s + 1) & (size_t)(2 * capacity - 1);
        slots[s] = e;
    }
    PyMem_Free(tally->slots);
    tally->slots = slots;
    tally->capacity = capacity;
    return 0;
}

static int tally_add(Tally *tally, uint64_t key) {
    size_t mask = (size_t)(2 * tally->capacity - 1);
    size_t s = slot_of(key, 2 * tally->capacity);
    while (tally->slots[s] != -1) {
        Entry *entry = &tally->entries[tally->slots[s]];
        if (entry->key == key) {
            entry->count++;
            return 0;
        }
        s = (s + 1) & mask;
    }
    if (tally->size == tally->capacity) {
        if (tally_grow(tally) != 0) return -1;
        return tally_add(tally, key);
    }
    tally->entries[tally->size] = (Entry){key, 1};
    tally->slots[s] = tally->size++;
    return 0;
}

/* [total, {term: count}] as `_counted` in service/index/channels.py makes it: stopwords left out of both. */
static PyObject *counted(const Tally *tally, PyObject *stopwords) {
    PyObject *counts = PyDict_New();
    if (counts == NULL) return NULL;
    int check_stopwords = PySet_GET_SIZE(stopwords) > 0;
    Py_ssize_t total = 0;
    for (Py_ssize_t e = 0; e < tally->size; e++) {
        Py_UCS4 chars[2] = {(Py_UCS4)(tally->entries[e].key >> SECOND_BITS),
                            (Py_UCS4)(tally->entries[e].key & SECOND_MASK)};
        PyObject *term = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, chars, chars[1] ? 2 : 1);
        if (term == NULL) goto fail;
        int stop = check_stopwords ? PySet_Contains(stopwords, term) : 0;
        if (stop < 0) {
            Py_DECREF(term);
            goto fail;
        }
        if (!stop) {
            PyObject *count = PyLong_FromSsize_t(tally->entries[e].count);
            if (count == NULL) {
                Py_DECREF(term);
                goto fail;
            }
            int failed = PyDict_SetItem(counts, term, count);
            Py_DECREF(count);
            if (failed) {
                Py_DECREF(term);
                goto fail;
            }
            total += tally->entries[e].count;
        }
        Py_DECREF(term);
    }
    PyObject *total_obj = PyLong_FromSsize_t(total);
    if (total_obj == NULL) goto fail;
    PyObject *result = PyList_New(2);
    if (result == NULL) {
        Py_DECREF(total_obj);
        goto fail;
    }
    PyList_SET_ITEM(result, 0, total_obj);
    PyList_SET_ITEM(result, 1, counts);
    return result;

fail:
    Py_DECREF(counts);
    return NULL;
}

/* Bigrams of each CJK run (a run of one character as itself) into `grams`, every CJK character into
 * `chars`, in the order `bigram_terms(cjk_runs(text))` and `"".join(cjk_runs(text))` give them. */
static int tally_text(PyObject *text, Tally *grams, Tally *chars) {
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) != 0) return -1;
#endif
    int kind = PyUnicode_KIND(text);
    if (kind == PyUnicode_1BYTE_KIND) return 0;  /* every code point below 256: no CJK */
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    Py_UCS4 previous = 0;
    Py_ssize_t run = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (is_cjk(c)) {
            if (tally_add(chars, term_key(c, 0)) != 0) return -1;
            if (run > 0 && tally_add(grams, term_key(previous, c)) != 0) return -1;
            previous = c;
            run++;
        } else {
            if (run == 1 && tally_add(grams, term_key(previous, 0)) != 0) return -1;
            run = 0;
        }
    }
    if (run == 1 && tally_add(grams, term_key(previous, 0)) != 0) return -1;
    return 0;
}

static PyObject *count_cjk(PyObject *self, PyObject *args) {
    PyObject *texts_obj, *stopwords;
    if (!PyArg_ParseTuple(args, "OO", &texts_obj, &stopwords)) return NULL;
    if (!PyAnySet_Check(stopwords)) {
        PyErr_SetString(PyExc_TypeError, "stopwords must be a set or frozenset");
        return NULL;
    }
    PyObject *texts = PySequence_Fast(texts_obj, "texts must be a sequence of str");
    if (texts == NULL) return NULL;
    PyObject *result = NULL;
    Tally grams, chars;
    if (tally_init(&grams, 64) != 0) goto done_texts;
    if (tally_init(&chars, 64) != 0) goto done_grams;
    for (Py_ssize_t t = 0; t < PySequence_Fast_GET_SIZE(texts); t++) {
        PyObject *text = PySequence_Fast_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "texts must be str, not %.200s", Py_TYPE(text)->tp_name);
            goto done;
        }
        if (tally_text(text, &grams, &chars) != 0) goto done;
    }
    PyObject *grams_counted = counted(&grams, stopwords);
    if (grams_counted == NULL) goto done;
    PyObject *chars_counted = counted(&chars, stopwords);
    if (chars_counted == NULL) {
        Py_DECREF(grams_counted);
        goto done;
    }
    result = PyTuple_Pack(2, grams_counted, chars_counted);
    Py_DECREF(grams_counted);
    Py_DECREF(chars_counted);

done:
    tally_free(&chars);
done_grams:
    tally_free(&grams);
done_texts:
    Py_DECREF(texts);
    return result;
}

static PyMethodDef methods[] = {
    {"count_cjk", count_cjk, METH_VARARGS,
     "count_cjk(texts, stopwords) -> (grams, chars): the CJK bigrams and characters of the folded texts, each "
     "as [total, {term: count}] in first-occurrence order, stopwords left out of counts and total."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_counting", NULL, -1, methods};

PyMODINIT_FUNC PyInit__counting(void) { return PyModule_Create(&module); }
