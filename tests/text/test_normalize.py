import json
import unicodedata
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def reference_fold_with_origins(folder: Folder, text: str) -> tuple[str, list[int]]:
    """Folding as first written, one character at a time: what the fast path must equal."""
    pieces: list[str] = []
    origins: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch)
        folded = folded.lower() if folder.lowercase else folded
        pieces.append(folded)
        origins.extend([i] * len(folded))
    width_folded = "".join(pieces)
    converted = folder._converter.convert(width_folded)
    if len(converted) == len(width_folded):
        return converted, origins
    pieces, char_origins = [], []
    for ch, origin in zip(width_folded, origins):
        out = folder._converter.convert(ch)
        pieces.append(out)
        char_origins.extend([origin] * len(out))
    return "".join(pieces), char_origins


FOLDERS = {(config, lowercase): Folder(config, lowercase)
           for config in ("t2s", "s2twp") for lowercase in (True, False)}

# Characters where folding is eventful: full width, ligatures and units that grow, Traditional with phrase rules,
# combining marks, letters whose lower case grows (İ), astral ideographs and emoji.
_EVENTFUL = st.sampled_from(list("ＡＢＣａ１２３，。！？＆％＿－Ⅻ㎡½ﬁ…ｶﾞ㈱①İΣẞ醫保報銷臺灣裏面乾隆著名頭髮計算機U盘鼠标")
                            + ["e\u0301", "\u0301", "\u3000", "\U00020000", "\U0002f800", "😀", "\ufeff", "\u00a0"])


@settings(max_examples=500, deadline=None)
# Lone surrogates left out: they cannot come from decoded input, and OpenCC refuses them (both ways alike).
@given(text=st.lists(st.one_of(_EVENTFUL, st.characters(exclude_categories=("Cs",))), max_size=60).map("".join)
       | st.text(max_size=60),
       folder_key=st.sampled_from(sorted(FOLDERS)))
def test_fast_folding_equals_folding_one_character_at_a_time(text, folder_key):
    folder = FOLDERS[folder_key]
    folded, origins = folder.fold_with_origins(text)
    expected_folded, expected_origins = reference_fold_with_origins(folder, text)
    assert folded == expected_folded
    assert list(origins) == expected_origins


def test_origins_are_a_range_when_no_character_grows():
    folded, origins = Folder().fold_with_origins("ＡＰＰ上線，醫保")
    assert folded == "app上线,医保"
    assert origins == range(8)
