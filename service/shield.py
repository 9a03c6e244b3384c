"""Stretches of work that a request's time budget must not cut in two.

A request's budget stops its thread with an exception raised at the interpreter's next bytecode
(`service/web/budget.py`). Raised inside shared work, such as opening a new index generation that every later
request uses, it would leave that work half done, or land inside the C code of a library call and come out as
another error (`SystemError` from `compile`). Such work runs `uninterrupted()`: the budget waits for it to end
and stops the request after.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth: dict[int, int] = {}  # thread id -> how many uninterrupted stretches it is inside


@contextmanager
def uninterrupted() -> Iterator[None]:
    thread_id = threading.get_ident()
    with _lock:
        _depth[thread_id] = _depth.get(thread_id, 0) + 1
    try:
        yield
    finally:
        with _lock:
            if _depth[thread_id] > 1:
                _depth[thread_id] -= 1
            else:
                del _depth[thread_id]


def interrupt_unless_shielded(thread_id: int, interrupt) -> bool:
    """Call `interrupt()` unless the thread is inside an uninterrupted stretch; whether it was called. Decided
    under the lock a thread takes to enter one, so it cannot enter between the check and the call."""
    with _lock:
        if thread_id in _depth:
            return False
        interrupt()
        return True
