"""The fourth page generator (tests/fixtures/pages4): its gold describes the pages it prints, the scorer reads
that gold, and the committed corpus is what the generator makes from the committed articles."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys

from helpers import FIXTURES
from service.ingest.pages.scoring import score_files

PAGES4 = FIXTURES / "pages4"

SAMPLE = [
    {"title": "全国冬小麦播种面积稳中有增——农业部门加强田间管理",
     "text": "本报北京１１月３日电记者王金福报道：据农业部统计，今年全国冬小麦播种面积达到４．２亿亩，比上年增加２．５％。\n"
             "各地抓住墒情有利时机，适时播种，苗情总体好于常年。\n"
             "农业部有关负责人表示，入冬前要抓好田间管理，确保小麦安全越冬，为明年夏粮丰收打好基础。"},
    {"title": "上海港集装箱吞吐量创新高",
     "text": "今年前十个月，上海港完成集装箱吞吐量２１０万标准箱，同比增长１８．３％，提前两个月完成全年计划。\n"
             "港务局负责人介绍，新建的外高桥港区一期工程投入使用后，港口通过能力明显提高。"},
]


def _generator():
    spec = importlib.util.spec_from_file_location("pages4_make_pages", PAGES4 / "make_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pages4_make_pages"] = module
    spec.loader.exec_module(module)
    return module


def _plain(text: str) -> str:
    # the page's white space and OCR spacing aside
    return re.sub(r"\s+", "", text or "")


def test_gold_describes_the_printed_pages_and_scores(tmp_path):
    make_pages = _generator()
    articles = tmp_path / "sample.jsonl"
    articles.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in SAMPLE), encoding="utf-8")
    out = tmp_path / "pages"
    assert make_pages.main(["--articles", str(articles), "--out", str(out), "--pages", "6", "--seed", "7"]) == 0
    golds = sorted(out.glob("*.gold.json"))
    assert len(golds) == 6
    items = 0
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        page = _plain((out / gold["source"]).read_text(encoding="utf-8"))
        assert gold["page"] and gold["section"] and re.fullmatch(r"\d{4}-\d\d-\d\d", gold["date"])
        assert gold["editor"] and gold["editor"] in page
        assert len(gold["items"]) >= 2
        for position, item in enumerate(gold["items"], start=1):
            assert item["position"] == position and item["kind"] in ("article", "photo")
            assert item["body"] == "\n".join(item["paragraphs"])
            assert _plain(item["title"]) in page, item["title"]
            for paragraph in item["paragraphs"]:
                # full-width digits are printed half-width; OCR may space a decimal point
                assert "４" not in paragraph and "．" not in paragraph
                assert _plain(paragraph).replace(".", "") in page.replace(".", ""), paragraph
            for name in item["authors"]:
                assert name in page
            items += 1
    # the source dateline is no part of a body, and its reporter is the item's author
    first = [item for path in golds for item in json.loads(path.read_text(encoding="utf-8"))["items"]
             if item["title"] == "全国冬小麦播种面积稳中有增" and item["kind"] == "article"]
    assert first and all(item["body"].startswith("据农业部统计") for item in first)
    assert all(item["subtitle"] == "——农业部门加强田间管理" for item in first)
    assert any(item["authors"] == ["王金福"] for item in first)
    _, totals, _ = score_files(golds)
    assert totals.gold == items


def test_committed_corpus_is_a_fresh_run(tmp_path, capsys):
    make_pages = _generator()
    assert make_pages.main(["--check"]) == 0
    changed = tmp_path / "corpus"
    shutil.copytree(PAGES4 / "corpus", changed)
    victim = sorted(changed.glob("*.txt"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "多出一行\n", encoding="utf-8")
    assert make_pages.main(["--check", "--out", str(changed)]) == 1
    assert victim.name in capsys.readouterr().err
