"""Jiansuo's compiled parts, all here, behind one switch.

Each module stands in for Python or NumPy code that stays in the package as the reference its tests hold it
to and as the path taken where the module is not there, with the same results to the last bit:

- `_accumulate`: a query's channel sums over the postings (`search.ranker.Ranker.score`);
- `_summaries`: a hit's summary sentences straight from its stored summary data (`choose`), and the packing
  of that data at ingest (`pack`) (`summaries.data`);
- `_salience`: each word's salience in an article, for its summary data (`summaries.salience`);
- `_runs`: an article's terms numbered in the vocabulary of the index run it goes into (`index.build`).

A part is kept only where `python -m bench.native` shows it pays for itself (docs/performance.md says how
much each buys).

`setup.py` builds them where it finds a C compiler and the Python headers, and goes on without them where it
does not. Setting `JIANSUO_PURE_PYTHON=1` makes every process that reads it take the Python paths
everywhere, built or not: the one way to compare or to rule out the compiled parts.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

SWITCH = "JIANSUO_PURE_PYTHON"
MODULES = ("_accumulate", "_summaries", "_salience", "_runs")


def pure_python() -> bool:
    """True where the switch asks for the Python paths."""
    return os.environ.get(SWITCH, "").strip() not in ("", "0")


def built(name: str) -> ModuleType | None:
    """The compiled module `name` where it was built, whatever the switch says (for the tests that hold it
    to its Python twin); None where it was not."""
    if name not in MODULES:
        raise ValueError(f"no compiled part named {name!r}; there are {', '.join(MODULES)}")
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError:
        return None


def compiled(name: str) -> ModuleType | None:
    """The compiled module `name` for the package to use: None where it was not built, where the switch asks
    for the Python paths, or on a big-endian machine (the modules read the index's little-endian numbers in the
    machine's order)."""
    if pure_python() or sys.byteorder != "little":
        return None
    return built(name)
