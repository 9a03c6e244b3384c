"""Jiansuo's compiled parts (`service/native/`), each standing in for Python or NumPy code that gives the same
results; `service/native/__init__.py` says which and how to switch them off.

They are optional: where no C compiler or Python headers are found the install goes on without them, and
the Python and NumPy code they stand in for is used, with the same results.
"""

from setuptools import Extension, setup

# NumPy and Python round after every multiplication and addition: so must the parts that compute with
# floating-point numbers, for the same scores and the same summaries.
_EXACT_FLOATS = ["-O2", "-ffp-contract=off"]
_FLOATS = {"_accumulate": True, "_summaries": True, "_salience": True, "_counting": False, "_vocabulary": False}

setup(ext_modules=[
    Extension(f"service.native.{name}", sources=[f"service/native/{name}.c"],
              extra_compile_args=_EXACT_FLOATS if exact else ["-O2"], optional=True)
    for name, exact in _FLOATS.items()
])
