"""Jiansuo's compiled parts, each standing in for Python or NumPy code that gives the same results.

- service/index/_accumulate.c: the channel accumulator of the query path.
- service/_summaries.c: the choice of a hit's summary sentences, straight from its stored summary data,
  and the packing of that data at ingest.
- service/_salience.c: each word's salience in an article, for its summary data, at ingest.
- service/text/_counting.c: an article's `grams` and `chars` channel counts, at ingest.
- service/index/_vocabulary.c: a run's term numbering, at ingest.

They are optional: where no C compiler or Python headers are found the install goes on without them, and
the Python and NumPy code they stand in for is used, with the same results.
"""

from setuptools import Extension, setup

# NumPy and Python round after every multiplication and addition: so must the parts that compute with
# floating-point numbers, for the same scores and the same summaries.
_EXACT_FLOATS = ["-O2", "-ffp-contract=off"]

setup(ext_modules=[
    Extension("service.index._accumulate", sources=["service/index/_accumulate.c"], extra_compile_args=_EXACT_FLOATS,
              optional=True),
    Extension("service._summaries", sources=["service/_summaries.c"], extra_compile_args=_EXACT_FLOATS,
              optional=True),
    Extension("service._salience", sources=["service/_salience.c"], extra_compile_args=_EXACT_FLOATS,
              optional=True),
    Extension("service.text._counting", sources=["service/text/_counting.c"], extra_compile_args=["-O2"],
              optional=True),
    Extension("service.index._vocabulary", sources=["service/index/_vocabulary.c"], extra_compile_args=["-O2"],
              optional=True),
])
