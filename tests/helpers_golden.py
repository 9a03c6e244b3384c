"""Golden files: committed expected output, rewritten only on purpose.

Run `JIANSUO_UPDATE_GOLDEN=1 pytest tests/...` to rewrite them after a change
meant to alter the output, then read the diff before committing it.
"""

from __future__ import annotations

import json
import os

from helpers import FIXTURES

GOLDEN = FIXTURES / "golden"


def check_golden(name: str, actual: object) -> None:
    path = GOLDEN / name
    text = json.dumps(actual, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("JIANSUO_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; create it with JIANSUO_UPDATE_GOLDEN=1 and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected, f"output differs from {path}; if the change is intended, rerun with JIANSUO_UPDATE_GOLDEN=1"
