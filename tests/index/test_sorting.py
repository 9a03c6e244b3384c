"""The stable order of integer keys, by a plain sort where the keys allow it."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from service.index.sorting import stable_order


def _same_as_argsort(keys: np.ndarray) -> None:
    order = stable_order(keys)
    assert order.dtype == np.int64
    assert np.array_equal(order, np.argsort(keys, kind="stable"))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint32, np.int16])
def test_many_repeated_keys_keep_their_places(dtype):
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 300, 200_000).astype(dtype)
    _same_as_argsort(keys)


@pytest.mark.timeout(60)
@given(st.lists(st.integers(-2 ** 40, 2 ** 40), max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_keys_any_length(values):
    _same_as_argsort(np.array(values, dtype=np.int64))


@pytest.mark.timeout(60)
def test_keys_too_wide_to_share_an_int64_with_their_places():
    rng = np.random.default_rng(6)
    keys = rng.choice(rng.integers(-2 ** 62, 2 ** 62, 3_000, dtype=np.int64), 10_000)  # keys repeated
    _same_as_argsort(keys)


@pytest.mark.timeout(60)
def test_empty_and_single():
    _same_as_argsort(np.empty(0, dtype=np.int64))
    _same_as_argsort(np.array([7], dtype=np.int32))
