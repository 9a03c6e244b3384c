"""A last line behind pytest-timeout: a test still running well past its timeout ends its process.

pytest-timeout interrupts a test with a signal, which Python handles only between bytecodes: a compiled loop
that never returns, holding the GIL, would hang the run until CI's own limit. faulthandler's watchdog is a C
thread that needs no GIL: past twice the test's timeout plus a margin it prints every thread's stack and
exits the process, which pytest-xdist reports as a crashed worker, naming the test.
"""

from __future__ import annotations

import faulthandler
import os

import pytest

# Seconds past twice the timeout; its own tests set less.
MARGIN_SECONDS = float(os.environ.get("JIANSUO_WATCHDOG_MARGIN", "30"))


# The process's own standard error, taken before pytest captures file descriptor 2: what the watchdog
# prints must outlive the capture it cuts short.
_STDERR = os.fdopen(os.dup(2), "w")


def _timeout_of(item: pytest.Item) -> float | None:
    marker = item.get_closest_marker("timeout")
    if marker is not None:
        value = marker.args[0] if marker.args else marker.kwargs.get("timeout")
    else:
        value = item.config.getini("timeout")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    seconds = _timeout_of(item)
    if seconds is None:
        return (yield)
    faulthandler.dump_traceback_later(2 * seconds + MARGIN_SECONDS, exit=True, file=_STDERR)
    try:
        return (yield)
    finally:
        faulthandler.cancel_dump_traceback_later()
