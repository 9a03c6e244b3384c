"""The page corpus: generated pages (corpus/), hand-made ones (hand/) and the seed, against their gold files.

The generator is deterministic and the committed pages are its output; the corpus covers every layout
the splitter is meant to read; the hand-made pages and the seed split exactly as their gold; and the
generated corpus as a whole scores above a floor (`service.ingest.pages.scoring`, whose numbers
`python -m bench.pages` prints).
"""

from __future__ import annotations

import codecs
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES
from service.ingest.pages import split_pages
from service.ingest.pages.scoring import gold_pages, score_files
from service.ingest.sources import read_text_file

PAGES = FIXTURES / "pages"
CORPUS = PAGES / "corpus"
HAND = PAGES / "hand"


def _load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _golds(folder: Path) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.gold.json"))]


def test_the_committed_corpus_is_what_the_generator_makes(capsys):
    generator = _load_module(PAGES / "make_corpus.py", "make_corpus")
    assert generator.main(["--check"]) == 0, capsys.readouterr().out


def test_the_corpus_covers_every_layout_it_is_meant_to():
    golds = _golds(CORPUS)
    pages = [page for _, gold in golds for page in gold_pages(gold)]
    items = [item for page in pages for item in page["items"]]
    raw = {gold["source"]: (path.parent / gold["source"]).read_bytes() for path, gold in golds}
    texts = {name: read_text_file(CORPUS / name) for name in raw}
    every_line = [line for text in texts.values() for line in text.splitlines()]
    assert len(pages) >= 30
    # Encodings and line ends.
    assert any(data.startswith(codecs.BOM_UTF8) for data in raw.values())
    assert any(b"\r\n" in data for data in raw.values())
    gb = [data for data in raw.values() if not _is_utf8(data)]
    assert gb, "a GB18030/GBK page"
    # Several pages in one file, separated by a form feed or by the next header alone.
    multi = [gold for _, gold in golds if "pages" in gold]
    assert len(multi) >= 2 and any("\f" in texts[gold["source"]] for gold in multi)
    assert any("\f" not in texts[gold["source"]] for gold in multi)
    # Page headers: the seed's glued form, spaced, ordinal, date first, none; and the editor lines.
    headers = {line for line in every_line if re.search(r"\d{4}年\d{1,2}月\d{1,2}日|^第\d+版", line)}
    assert any(re.match(r"^[A-C]\d\d[\u4e00-\u9fff]", h) for h in headers)
    assert any(re.match(r"^[A-C]\d\d \S+ \d{4}年", h) for h in headers)
    assert any(re.match(r"^第\d+版$", h) for h in headers)
    assert any(re.match(r"^\d{4}年.*星期. [A-C]\d\d", h) for h in headers)
    assert any(page["page"] is None for page in pages)
    for editor_line in (r"^编辑：\S+ 组版：", r"^责任编辑：\S+ 美编：", r"^编辑：\S+ 校对："):
        assert any(re.match(editor_line, line) for line in every_line), editor_line
    # Bylines: half- and full-width parentheses, one to four names; openers; wrapped photo credits.
    assert any(re.match(r"^\((?!.*[（）]).+\)$", line) for line in every_line)
    assert any(re.match(r"^（.+）$", line) for line in every_line)
    assert {len(item["authors"]) for item in items if item["kind"] == "article"} >= {0, 1, 2, 3, 4}
    assert any(line.startswith("本报讯（") or line.startswith("本报讯(") for line in every_line)
    assert any(re.match(r"^本报\S+电[（(]", line) for line in every_line)
    assert any(line.endswith("摄影报道") and not line.startswith("记者") for line in every_line)
    # Headlines: two lines, kicker, subtitle; photo stories with the title after the credit.
    assert any(item["kicker"] for item in items) and any(item["subtitle"] for item in items)
    assert any(_set_over_two_lines(item["title"], texts) for item in items)
    assert sum(1 for item in items if item["kind"] == "photo") >= 10
    # Columns 10 to 20 wide; OCR spacing; kept indentation.
    assert any(re.search(r"(?:[\u4e00-\u9fff] ){4,}", line) for line in every_line), "letter-spaced line"
    assert any(re.search(r"\d ?\. ?\d", line) and re.search(r"\d \.|\. \d", line) for line in every_line)
    assert any(re.search(r"\d \d", line) for line in every_line), "spaced digits"
    assert any(line.startswith("\u3000\u3000") for line in every_line)
    assert any("國際" in (page["section"] or "") for page in pages), "a Traditional-script page"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _set_over_two_lines(title: str, texts: dict[str, str]) -> bool:
    return len(title) > 4 and any(re.search(re.escape(title[:3]) + r"[^\n]*\n" + re.escape(title[-3:]), text)
                                  for text in texts.values())


@pytest.mark.parametrize("gold_path", sorted(HAND.glob("*.gold.json")) + sorted((PAGES / "seed").glob("*.gold.json")),
                         ids=lambda p: p.name)
def test_hand_made_pages_and_the_seed_split_exactly_as_their_gold(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    pages = [page for _, page in split_pages(read_text_file(gold_path.parent / gold["source"]))]
    wanted = gold_pages(gold)
    assert [(p.code, p.section, p.date, p.editor, p.layout) for p in pages] == \
        [(w["page"], w["section"], w["date"], w["editor"], w["layout"]) for w in wanted]
    for page, want in zip(pages, wanted):
        got = [(i.kind, i.title, list(i.authors), re.sub(r"\s", "", i.body)) for i in page.items]
        assert got == [(w["kind"], w["title"], w["authors"], re.sub(r"\s", "", w["body"])) for w in want["items"]]
        for item, w in zip(page.items, want["items"]):
            if "paragraphs" in w:
                assert list(item.paragraphs) == w["paragraphs"], w["title"]
            if "kicker" in w:
                assert (item.kicker, item.subtitle) == (w["kicker"], w["subtitle"]), w["title"]


def test_the_generated_corpus_scores_above_its_floor():
    tally, totals, details = score_files(sorted(CORPUS.glob("*.gold.json")))
    report = "\n".join(details)
    assert totals.f1 >= 0.97, report
    assert tally.rate("title") >= 0.92, report
    assert tally.rate("authors") >= 0.92, report
    assert tally.rate("body similarity") >= 0.95, report
    assert tally.rate("header date") == tally.rate("header page") == 1.0, report
