/* A run's term numbers for one document's terms, numbering the new ones as they come.
 *
 * `RunBuilder.add` does `vocabulary.setdefault(term, len(vocabulary))` for every term of every channel of
 * every article: a Python-level call and a `len` per posting. This is the same dict work without them, and
 * hands the numbers back as the bytes of an `array('q')`, for `frombytes`. `service/index/build.py` uses it
 * when it is built and keeps the Python code for when it is not.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* array('q') holds C long longs. */
_Static_assert(sizeof(long long) == 8, "array('q') items are taken to be 8 bytes");

static PyObject *term_ids(PyObject *self, PyObject *args) {
    PyObject *vocabulary, *terms;
    if (!PyArg_ParseTuple(args, "O!O", &PyDict_Type, &vocabulary, &terms)) return NULL;
    if (terms == vocabulary) {
        PyErr_SetString(PyExc_ValueError, "the terms cannot be the vocabulary they are numbered in");
        return NULL;
    }
    Py_ssize_t n = PyObject_Size(terms);
    if (n < 0) return NULL;
    if (n > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(long long)) return PyErr_NoMemory();
    PyObject *ids = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(long long));
    if (ids == NULL) return NULL;
    long long *out = (long long *)PyBytes_AS_STRING(ids);
    PyObject *iterator = PyObject_GetIter(terms);
    if (iterator == NULL) goto fail;
    Py_ssize_t i = 0;
    PyObject *term;
    while ((term = PyIter_Next(iterator)) != NULL) {
        if (i == n) {
            Py_DECREF(term);
            PyErr_SetString(PyExc_RuntimeError, "the terms changed size while they were numbered");
            goto fail_iterator;
        }
        long long id;
        PyObject *known = PyDict_GetItemWithError(vocabulary, term);  /* borrowed */
        if (known != NULL) {
            id = PyLong_AsLongLong(known);
            if (id == -1 && PyErr_Occurred()) {
                Py_DECREF(term);
                goto fail_iterator;
            }
        } else if (PyErr_Occurred()) {
            Py_DECREF(term);
            goto fail_iterator;
        } else {
            id = PyDict_GET_SIZE(vocabulary);
            PyObject *id_obj = PyLong_FromLongLong(id);
            if (id_obj == NULL) {
                Py_DECREF(term);
                goto fail_iterator;
            }
            int failed = PyDict_SetItem(vocabulary, term, id_obj);
            Py_DECREF(id_obj);
            if (failed) {
                Py_DECREF(term);
                goto fail_iterator;
            }
        }
        Py_DECREF(term);
        out[i++] = id;
    }
    if (PyErr_Occurred()) goto fail_iterator;
    Py_DECREF(iterator);
    if (i != n) {
        PyErr_SetString(PyExc_RuntimeError, "the terms changed size while they were numbered");
        goto fail;
    }
    return ids;

fail_iterator:
    Py_DECREF(iterator);
fail:
    Py_DECREF(ids);
    return NULL;
}

static PyMethodDef methods[] = {
    {"term_ids", term_ids, METH_VARARGS,
     "term_ids(vocabulary, terms) -> bytes: each term's number in vocabulary, a new term numbered "
     "len(vocabulary) and added, as the native-order int64s of an array('q')."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_vocabulary", NULL, -1, methods};

PyMODINIT_FUNC PyInit__vocabulary(void) { return PyModule_Create(&module); }
