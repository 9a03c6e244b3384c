/* Summing one channel's BM25 weights into per-article slots, in one pass over each term's postings.
 *
 * NumPy's `total[docs] += weights` reads, adds and writes through temporary arrays, and a channel of several
 * terms needs its documents gathered again to be weighted and added to the total: about ten passes over
 * every posting. This does the same floating-point operations in the same order (so the scores are the
 * same to the last bit) in one pass over the postings and one over the channel's distinct documents.
 * `service/search/ranker.py` uses it when it is built and keeps the NumPy code for when it is not.
 *
 * Built with -ffp-contract=off: a fused multiply-add would round once where NumPy rounds twice.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    Py_buffer docs;
    Py_buffer weights;
    double count;
} Slice;

/* The kinds of numbers the accumulator reads and writes, as buffer format characters (struct module syntax). */
#define FLOAT64 'd'
#define INT32 'i'  /* any signed integer format whose items are 4 bytes */
#define BOOL '?'

static const char *kind_name(char kind) {
    return kind == FLOAT64 ? "float64" : kind == INT32 ? "int32" : "bool";
}

/* Whether a buffer's format is one item of `kind` in this machine's byte order: the item size alone would
 * let int64 weights be read as float64, or float32 documents as int32. */
static int format_is(const char *format, char kind) {
    if (format == NULL) return 0;  /* the exporter gave none: unsigned bytes, never what is wanted */
    const int little = PY_LITTLE_ENDIAN;
    if (*format == '@' || *format == '=' || (*format == '<' && little) ||
        ((*format == '>' || *format == '!') && !little)) {
        format++;
    }
    if (format[0] == '\0' || format[1] != '\0') return 0;
    switch (kind) {
    case INT32:
        return format[0] == 'b' || format[0] == 'h' || format[0] == 'i' || format[0] == 'l' || format[0] == 'q';
    default:
        return format[0] == kind;
    }
}

static int get_buffer(PyObject *obj, Py_buffer *view, char kind, Py_ssize_t itemsize, int writable,
                      const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) != 0) {
        return -1;
    }
    if (view->itemsize != itemsize || view->ndim != 1 || !format_is(view->format, kind)) {
        PyErr_Format(PyExc_TypeError, "%s: a one-dimensional array of %s in native byte order is needed, not "
                     "format '%s' in %zd dimension(s)", name, kind_name(kind), view->format ? view->format : "B",
                     (Py_ssize_t)view->ndim);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void release_slices(Slice *slices, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        PyBuffer_Release(&slices[i].docs);
        PyBuffer_Release(&slices[i].weights);
    }
    PyMem_Free(slices);
}

/* add_channel(total, held, part, mark, touched, slices, weight)
 *
 * total, part: float64[n]; held, mark: bool[n]; touched: int32[n]; slices: a sequence of
 * (docs int32[m], weights float64[m], count int), one per distinct term in query order; weight: the
 * channel's weight. `part` and `mark` must be all zero and are left so.
 *
 * As in `Ranker._score_into`: a term's weights are multiplied by its count (when not 1); one term's are then
 * multiplied by the channel weight (when not 1) and added to `total`; several terms' are first summed per
 * article in query order, and the sum multiplied and added. Every article reached gets `held` set.
 */
static PyObject *add_channel(PyObject *self, PyObject *args) {
    PyObject *total_obj, *held_obj, *part_obj, *mark_obj, *touched_obj, *slices_obj;
    double weight;
    if (!PyArg_ParseTuple(args, "OOOOOOd", &total_obj, &held_obj, &part_obj, &mark_obj, &touched_obj,
                          &slices_obj, &weight)) {
        return NULL;
    }
    Py_buffer total, held, part, mark, touched;
    if (get_buffer(total_obj, &total, FLOAT64, 8, 1, "total") != 0) return NULL;
    if (get_buffer(held_obj, &held, BOOL, 1, 1, "held") != 0) goto fail_total;
    if (get_buffer(part_obj, &part, FLOAT64, 8, 1, "part") != 0) goto fail_held;
    if (get_buffer(mark_obj, &mark, BOOL, 1, 1, "mark") != 0) goto fail_part;
    if (get_buffer(touched_obj, &touched, INT32, 4, 1, "touched") != 0) goto fail_mark;
    Py_ssize_t n = total.shape[0];
    if (held.shape[0] != n || part.shape[0] != n || mark.shape[0] != n || touched.shape[0] != n) {
        PyErr_SetString(PyExc_ValueError, "total, held, part, mark and touched must be of one length");
        goto fail_touched;
    }
    PyObject *seq = PySequence_Fast(slices_obj, "slices must be a sequence");
    if (seq == NULL) goto fail_touched;
    Py_ssize_t n_slices = PySequence_Fast_GET_SIZE(seq);
    Slice *slices = PyMem_Calloc(n_slices ? n_slices : 1, sizeof(Slice));
    if (slices == NULL) {
        PyErr_NoMemory();
        goto fail_seq;
    }
    Py_ssize_t ready = 0;
    for (; ready < n_slices; ready++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, ready);
        PyObject *docs_obj, *weights_obj;
        long long count;
        if (!PyArg_ParseTuple(item, "OOL", &docs_obj, &weights_obj, &count)) goto fail_slices;
        if (get_buffer(docs_obj, &slices[ready].docs, INT32, 4, 0, "docs") != 0) goto fail_slices;
        if (get_buffer(weights_obj, &slices[ready].weights, FLOAT64, 8, 0, "weights") != 0) {
            PyBuffer_Release(&slices[ready].docs);
            goto fail_slices;
        }
        if (slices[ready].docs.shape[0] != slices[ready].weights.shape[0]) {
            PyErr_SetString(PyExc_ValueError, "docs and weights of a term must be of one length");
            PyBuffer_Release(&slices[ready].docs);
            PyBuffer_Release(&slices[ready].weights);
            goto fail_slices;
        }
        slices[ready].count = (double)count;
    }
    /* Document numbers come from index files: one out of range is reported, never written through. */
    for (Py_ssize_t s = 0; s < n_slices; s++) {
        const int32_t *docs = slices[s].docs.buf;
        Py_ssize_t m = slices[s].docs.shape[0];
        for (Py_ssize_t i = 0; i < m; i++) {
            if (docs[i] < 0 || docs[i] >= n) {
                PyErr_Format(PyExc_ValueError, "document number %d is outside 0..%zd", (int)docs[i], n - 1);
                goto fail_slices;
            }
        }
    }

    double *t = total.buf, *p = part.buf;
    uint8_t *h = held.buf, *k = mark.buf;
    int32_t *seen = touched.buf;
    Py_BEGIN_ALLOW_THREADS
    if (n_slices == 1) {
        const int32_t *docs = slices[0].docs.buf;
        const double *w = slices[0].weights.buf;
        double count = slices[0].count;
        Py_ssize_t m = slices[0].docs.shape[0];
        for (Py_ssize_t i = 0; i < m; i++) {
            double x = w[i];
            if (count != 1.0) x = x * count;
            if (weight != 1.0) x = x * weight;
            t[docs[i]] += x;
            h[docs[i]] = 1;
        }
    } else if (n_slices > 1) {
        Py_ssize_t n_seen = 0;
        for (Py_ssize_t s = 0; s < n_slices; s++) {
            const int32_t *docs = slices[s].docs.buf;
            const double *w = slices[s].weights.buf;
            double count = slices[s].count;
            Py_ssize_t m = slices[s].docs.shape[0];
            for (Py_ssize_t i = 0; i < m; i++) {
                int32_t d = docs[i];
                double x = w[i];
                if (count != 1.0) x = x * count;
                if (!k[d]) {
                    k[d] = 1;
                    seen[n_seen++] = d;
                }
                p[d] += x;
            }
        }
        for (Py_ssize_t i = 0; i < n_seen; i++) {
            int32_t d = seen[i];
            double x = p[d];
            if (weight != 1.0) x = x * weight;
            t[d] += x;
            h[d] = 1;
            p[d] = 0.0;
            k[d] = 0;
        }
    }
    Py_END_ALLOW_THREADS
    release_slices(slices, n_slices);
    Py_DECREF(seq);
    PyBuffer_Release(&touched);
    PyBuffer_Release(&mark);
    PyBuffer_Release(&part);
    PyBuffer_Release(&held);
    PyBuffer_Release(&total);
    Py_RETURN_NONE;

fail_slices:
    release_slices(slices, ready);
fail_seq:
    Py_DECREF(seq);
fail_touched:
    PyBuffer_Release(&touched);
fail_mark:
    PyBuffer_Release(&mark);
fail_part:
    PyBuffer_Release(&part);
fail_held:
    PyBuffer_Release(&held);
fail_total:
    PyBuffer_Release(&total);
    return NULL;
}

static PyMethodDef methods[] = {
    {"add_channel", add_channel, METH_VARARGS,
     "add_channel(total, held, part, mark, touched, slices, weight): one channel's weighted BM25 sums added "
     "into total, every article reached marked in held."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_accumulate", NULL, -1, methods};

PyMODINIT_FUNC PyInit__accumulate(void) { return PyModule_Create(&module); }
