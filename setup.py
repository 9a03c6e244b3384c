"""Jiansuo's compiled parts: the channel accumulator of the query path (service/index/_accumulate.c) and the
chooser of summary sentences from stored summary data (service/_summaries.c).

Both are optional: where no C compiler or Python headers are found the install goes on without them, and
searches take the NumPy and Python paths, with the same results.
"""

from setuptools import Extension, setup

# NumPy and Python round after every multiplication and addition: so must these, for the same numbers.
_EXACT_FLOATS = ["-O2", "-ffp-contract=off"]

setup(ext_modules=[
    Extension("service.index._accumulate", sources=["service/index/_accumulate.c"], extra_compile_args=_EXACT_FLOATS,
              optional=True),
    Extension("service._summaries", sources=["service/_summaries.c"], extra_compile_args=_EXACT_FLOATS,
              optional=True),
])
