"""The one compiled part of Jiansuo: the channel accumulator of the query path (service/index/_accumulate.c).

It is optional: where no C compiler or Python headers are found the install goes on without it, and
searches take the NumPy path, with the same results.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "service.index._accumulate",
    sources=["service/index/_accumulate.c"],
    # NumPy rounds after every multiplication and addition: so must this, for the same scores.
    extra_compile_args=["-O2", "-ffp-contract=off"],
    optional=True,
)])
