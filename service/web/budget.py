"""A time budget for one request's search or summary, enforced by interrupting the thread that runs it.

A request thread cannot be stopped from outside in Python, except by an exception the interpreter raises in it
at its next bytecode (`PyThreadState_SetAsyncExc`). One watchdog thread per process raises `OverBudget` in a
thread whose budgeted call runs past its deadline. The engine's own clean-up (`finally`, `except
BaseException: ...; raise`) runs as for any exception; the answer is a 503 naming the budget.

Only the call wrapped by `Watchdog.run` can be interrupted: the exception is raised only while it is armed, and
disarming clears one that is set but not yet raised, under the lock the watchdog fires under.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
import time
from typing import Callable, TypeVar

from ..errors import JiansuoError
from ..shield import interrupt_unless_shielded

T = TypeVar("T")

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = [ctypes.c_ulong, ctypes.c_void_p]
_set_async_exc.restype = ctypes.c_int
_SHIELD_POLL = 0.005


class OverBudget(Exception):
    """Raised inside a request thread by the watchdog; never seen outside `Watchdog.run`."""


class BudgetExceeded(JiansuoError):
    code = "over_budget"
    http_status = 503

    def __init__(self, budget_ms: int):
        super().__init__(f"this request took longer than its time budget of {budget_ms} ms "
                         "(server.request_budget_ms) and was stopped; narrow the query, shorten the text or retry later")
        self.retry_after = 1


class Watchdog:
    def __init__(self, budget_ms: int):
        self.budget_ms = budget_ms
        self._reset()
        # A thread started before a fork does not exist in the child: each process starts its own.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._wake = threading.Condition(threading.Lock())
        self._armed: dict[int, tuple[float, object]] = {}  # thread id -> (deadline, token)
        self._fired: set[object] = set()
        self._started = False

    def _ensure_thread(self) -> None:
        with self._wake:
            if not self._started:
                self._started = True
                threading.Thread(target=self._watch, name="jiansuo-budget", daemon=True).start()

    def _watch(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for thread_id, (deadline, token) in list(self._armed.items()):
                    if deadline <= now and token not in self._fired and interrupt_unless_shielded(
                            thread_id, functools.partial(_set_async_exc, thread_id, id(OverBudget))):
                        self._fired.add(token)
                pending = [d for d, token in self._armed.values() if token not in self._fired]
                # A thread past its deadline inside an uninterrupted stretch is looked at again shortly.
                self._wake.wait(timeout=max(_SHIELD_POLL, min(pending) - now) if pending else None)

    def _arm(self) -> object:
        token = object()
        with self._wake:
            self._armed[threading.get_ident()] = (time.monotonic() + self.budget_ms / 1000, token)
            self._wake.notify()
        return token

    def _disarm(self, token: object) -> bool:
        """Disarm; whether the budget had fired."""
        thread_id = threading.get_ident()
        with self._wake:
            if self._armed.get(thread_id, (None, None))[1] is token:
                del self._armed[thread_id]
            if token in self._fired:
                self._fired.discard(token)
                _set_async_exc(thread_id, None)  # set but perhaps not raised yet: never raise it later
                return True
            return False

    def run(self, call: Callable[[], T]) -> T:
        """`call()`, or BudgetExceeded once it has run longer than the budget."""
        if self.budget_ms <= 0:
            return call()
        self._ensure_thread()
        token = self._arm()
        fired = False
        try:
            try:
                return call()
            finally:
                fired = self._disarm(token)
        except OverBudget:
            # Raised perhaps in the `finally` above, before it disarmed: disarming twice is harmless.
            self._disarm(token)
            raise BudgetExceeded(self.budget_ms) from None
        except Exception as error:
            # The interruption landed inside a library's C code, which reported it as an error of its own
            # (`SystemError` from `compile`): it is still the budget that stopped the request.
            if fired and not isinstance(error, JiansuoError):
                raise BudgetExceeded(self.budget_ms) from error
            raise

    def bounded(self, view: Callable[..., T]) -> Callable[..., T]:
        """`view` run within the budget."""
        @functools.wraps(view)
        def run_within_budget(*args, **kwargs):
            return self.run(lambda: view(*args, **kwargs))
        return run_within_budget
