"""Jiansuo's compiled parts (`service/native/`), each standing in for Python or NumPy code that gives the same
results; `service/native/__init__.py` says which and how to switch them off.

They are optional: where no C compiler or Python headers are found the install goes on without them, and
the Python and NumPy code they stand in for is used, with the same results.
"""

from pathlib import Path

from setuptools import Extension, setup

NATIVE = Path("service/native")
# NumPy and Python round after every multiplication and addition: so must the parts that compute with
# floating-point numbers, for the same scores and the same summaries.
_EXACT_FLOATS = ["-O2", "-ffp-contract=off"]
_PARTS = ("_accumulate", "_summaries", "_salience", "_runs")


def _source(name: str) -> str:
    pyx = NATIVE / f"{name}.pyx"
    return (pyx if pyx.exists() else NATIVE / f"{name}.c").as_posix()


extensions = [Extension(f"service.native.{name}", sources=[_source(name)], extra_compile_args=_EXACT_FLOATS,
                        optional=True)
              for name in _PARTS]
if any(source.endswith(".pyx") for extension in extensions for source in extension.sources):
    from Cython.Build import cythonize

    # The C that Cython writes goes to build/, apart from the sources.
    extensions = cythonize(extensions, build_dir="build/cython", language_level=3, quiet=True)
    for extension in extensions:
        extension.optional = True  # cythonize makes new Extensions without it

setup(ext_modules=extensions)
