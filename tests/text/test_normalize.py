import json
from functools import lru_cache

import pytest

from helpers import FIXTURES
from service.text.normalize import Folder, ScriptConverter

CASES = [json.loads(line) for line in
         (FIXTURES / "collections" / "opencc_testcases.jsonl").read_text(encoding="utf-8").splitlines()]


@lru_cache(maxsize=None)
def converter(config: str) -> ScriptConverter:
    return ScriptConverter(config)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_official_opencc_passes_opencc_own_cases(case):
    # The pure-Python package that also imports as `opencc` fails many of these.
    assert converter(case["config"]).convert(case["input"]) == case["expected"]


def test_width_folding_and_case():
    folder = Folder()
    assert folder.fold("ＡＢＣ１２３，Ｉｐｈｏｎｅ") == "abc123,iphone"


def test_traditional_folds_to_simplified():
    assert Folder().fold("醫保報銷") == "医保报销"


def test_origins_point_into_the_original():
    folder = Folder()
    text = "Ⅻ號㎡醫保"  # NFKC expands Ⅻ to XII and ㎡ to m2
    folded, origins = folder.fold_with_origins(text)
    assert folded == "xii号m2医保"
    assert len(origins) == len(folded)
    assert [text[i] for i in origins] == ["Ⅻ", "Ⅻ", "Ⅻ", "號", "㎡", "㎡", "醫", "保"]
