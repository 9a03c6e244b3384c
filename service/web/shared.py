"""State every worker process of one server shares: request counters and per-address token buckets.

The arbiter maps one unlinked temporary file before it forks the workers; each of them inherits the mapping, so
what one worker adds the others (and `/metrics`, whichever worker answers it) see. Writers hold an fcntl record
lock, which the kernel releases when its holder dies (a worker killed mid-update cannot leave the others
waiting), and a thread lock, since record locks do not exclude threads of one process from each other.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import tempfile
import threading
import time
from contextlib import contextmanager

import numpy as np

KEY_BYTES = 96


class SharedMemory:
    def __init__(self, size: int):
        self._file = tempfile.TemporaryFile(prefix="jiansuo-shared-")
        self._file.truncate(size)
        self.map = mmap.mmap(self._file.fileno(), size)
        self._used = 0
        self._thread_lock = threading.Lock()
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self._thread_lock = threading.Lock()

    def take(self, dtype: np.dtype, count: int) -> np.ndarray:
        """`count` records of `dtype`, zeroed, from the part of the mapping not yet given out."""
        dtype = np.dtype(dtype)
        start = -(-self._used // 16) * 16
        array = np.frombuffer(self.map, dtype=dtype, count=count, offset=start)
        self._used = start + array.nbytes
        return array

    @contextmanager
    def locked(self):
        with self._thread_lock:
            fcntl.lockf(self._file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self._file.fileno(), fcntl.LOCK_UN)


def _slot_key(text: str) -> bytes:
    raw = text.encode("utf-8")
    # A key longer than a slot holds is stored by its digest: still one slot per distinct key.
    return raw if len(raw) <= KEY_BYTES else hashlib.sha256(raw).hexdigest().encode("ascii")


class _Table:
    """Open addressing over `slots` records, each a key and its values."""

    def __init__(self, memory: SharedMemory, slots: int, fields: list[tuple[str, str]]):
        self.memory = memory
        self.records = memory.take([("key", f"S{KEY_BYTES}"), *fields], slots)

    def _find(self, key: bytes, claim: bool, reusable=None) -> int | None:
        """The slot of `key`; with `claim`, an empty one (or one `reusable` says may be taken) for a new key."""
        slots = len(self.records)
        start = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") % slots
        free = None
        for step in range(min(slots, 64)):
            index = (start + step) % slots
            held = self.records["key"][index]
            if held == key:
                return index
            if free is None and (not held or (reusable is not None and reusable(index))):
                free = index
                if not held:
                    break
        if claim and free is not None:
            self.records[free] = np.zeros(1, dtype=self.records.dtype)[0]
            self.records["key"][free] = key
            return free
        return None


class SharedCounters(_Table):
    """Named numbers that only grow (Prometheus counters), shared by the workers."""

    def __init__(self, memory: SharedMemory, slots: int = 4096):
        super().__init__(memory, slots, [("value", "f8")])
        self.dropped = memory.take("f8", 1)  # apart from the table, so that a full table can still count

    def add(self, name: str, amount: float = 1.0) -> None:
        self.add_many({name: amount})

    def add_many(self, amounts: dict[str, float]) -> None:
        keys = [(_slot_key(name), amount) for name, amount in amounts.items()]
        with self.memory.locked():
            for key, amount in keys:
                index = self._find(key, claim=True)
                if index is None:  # full: counted where it shows, not lost silently
                    self.dropped[0] += 1
                else:
                    self.records["value"][index] += amount

    def snapshot(self) -> dict[str, float]:
        with self.memory.locked():
            keys, values, dropped = self.records["key"].copy(), self.records["value"].copy(), float(self.dropped[0])
        counts = {key.decode("utf-8"): float(value) for key, value in zip(keys, values) if key}
        if dropped:
            counts["jiansuo_metrics_dropped_total"] = dropped
        return counts


class TokenBuckets(_Table):
    """A token bucket per client address: `rate` tokens a second flow into a bucket holding at most `burst`.

    A request is let through while its address's bucket holds a token; what it cost is taken afterwards, so an
    expensive request can leave the bucket in debt, and the address waits until it has paid.
    """

    def __init__(self, memory: SharedMemory, rate: float, burst: float, slots: int = 8192):
        super().__init__(memory, slots, [("tokens", "f8"), ("stamp", "f8")])
        self.rate, self.burst = rate, burst

    def _refilled(self, index: int, now: float) -> float:
        tokens = self.records["tokens"][index] + (now - self.records["stamp"][index]) * self.rate
        return min(self.burst, tokens)

    def _idle(self, now: float):
        # A bucket full again is the same as a new one: its slot may go to another address.
        return lambda index: self._refilled(index, now) >= self.burst

    def wait_seconds(self, address: str, now: float | None = None) -> float:
        """0 when `address` may go on; else how long until its bucket holds a whole token again."""
        now = time.monotonic() if now is None else now
        with self.memory.locked():
            index = self._find(_slot_key(address), claim=False)
            tokens = self.burst if index is None else self._refilled(index, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def charge(self, address: str, cost: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        key = _slot_key(address)
        with self.memory.locked():
            index = self._find(key, claim=False)
            if index is None:
                index = self._find(key, claim=True, reusable=self._idle(now))
                if index is None:  # every nearby slot busy with an address in debt: the oldest gives way
                    return
                tokens = self.burst
            else:
                tokens = self._refilled(index, now)
            self.records["tokens"][index] = tokens - cost
            self.records["stamp"][index] = now


def retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
