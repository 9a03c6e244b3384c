"""`jiansuo` with a fault put in at one exact point of a write, run as a real process:

    python tests/faults.py FAULT [jiansuo arguments...]

FAULT is one of
- `pause`: the articles are committed to the store and the new index generation's sources are chosen (the
  live generation it merges from, its staging folder made); the process writes `PAUSED` to stderr and waits
  for the file named by $JIANSUO_TEST_GATE to exist (two minutes at most) before it writes and switches the
  generation. A test kills it there, or lets another writer try to run meanwhile.
- `merge-pause`: a merge (`jiansuo merge`, `optimize`) has written its merged segment and holds the write lock
  to switch it in; it pauses there as `pause` does.
- `index-full`: writing the new generation's files fails with ENOSPC, as on a full disk.
- `store-full`: the store's transaction fails as SQLite fails on a full disk.

Nothing in the package knows of these faults: they are patched in here, before the command runs.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import cli  # noqa: E402
from service import store  # noqa: E402
from service.index import generations, merging, storage  # noqa: E402

GATE_ENV = "JIANSUO_TEST_GATE"
_GATE_SECONDS = 120


def _paused(write):
    def paused(*args, **kwargs):
        print("PAUSED", file=sys.stderr, flush=True)
        gate = Path(os.environ[GATE_ENV])
        deadline = time.monotonic() + _GATE_SECONDS
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return write(*args, **kwargs)

    return paused


def _pause() -> None:
    generations._write = _paused(generations._write)  # a generation built afresh
    generations._write_segmented = _paused(generations._write_segmented)  # a segment added to a live one


def _merge_pause() -> None:
    merging._switch = _paused(merging._switch)


def _index_full() -> None:
    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    generations.write_lines = full
    generations.write_npy = full
    storage.seal = full


def _store_full() -> None:
    def full(self, articles):
        raise sqlite3.OperationalError("database or disk is full")

    store.Writer.upsert_many = full


FAULTS = {"pause": _pause, "merge-pause": _merge_pause, "index-full": _index_full, "store-full": _store_full}

if __name__ == "__main__":
    FAULTS[sys.argv[1]]()
    sys.exit(cli.main(sys.argv[2:]))
