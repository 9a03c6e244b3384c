"""Child processes that end when their parent does.

A process killed with SIGKILL runs no clean-up, so its children (the server's workers, an ingest's analysis
workers) would be left running, holding the listening socket or waiting for work that never comes. On Linux
the kernel signals a child whose parent dies (`PR_SET_PDEATHSIG`); elsewhere, and for a parent that died
before the request was made, the child compares its parent's process id with the one it started under.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, signal_number: int = signal.SIGTERM) -> bool:
    """Have `signal_number` sent to this process when its parent (`parent`, its process id) dies; send it now
    if that has already happened. Whether the kernel took the request (Linux only)."""
    asked = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            asked = libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0) == 0
        except (OSError, AttributeError):
            asked = False
    if os.getppid() != parent:
        os.kill(os.getpid(), signal_number)
    return asked


def watch_parent(parent: int, interval: float = 1.0) -> threading.Thread:
    """A daemon thread that ends this process once its parent is no longer `parent`: for a process whose own
    loop belongs to a library (a multiprocessing pool's worker)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)  # nothing of this process's work can reach anyone now

    thread = threading.Thread(target=watch, name="jiansuo-parent-watch", daemon=True)
    thread.start()
    return thread
