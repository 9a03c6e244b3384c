"""The stable order of integer keys, the sort every run and merge of the index is built on.

`np.argsort(kind="stable")` of int64 keys is several times slower than NumPy's plain sort of int64 values.
Where each key, less the smallest, fits beside its place in the array in one int64, the keys made unique by
their places are sorted plainly instead: among unique keys every sort is stable, so the order that comes out
is exactly the stable argsort's.
"""

from __future__ import annotations

import numpy as np

# Bits of a combined key, short of int64's 63 so that it stays non-negative with room to spare.
_BITS = 62


def stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of integer keys, as int64."""
    n = keys.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    shift = (n - 1).bit_length()
    smallest = int(keys.min())
    if int(keys.max()) - smallest >= 1 << max(_BITS - shift, 0):
        return np.argsort(keys, kind="stable").astype(np.int64, copy=False)
    combined = keys.astype(np.int64)  # a copy, whatever the keys' type: sorted in place below
    if smallest:
        combined -= smallest
    combined <<= shift
    combined |= np.arange(n, dtype=np.int64)
    combined.sort()
    combined &= (1 << shift) - 1
    return combined
