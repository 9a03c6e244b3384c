"""The third page generator (tests/fixtures/pages3/): real news typeset as OCR'd pages, written apart from the
splitter and from the other two generators.

Its gold has to say what the printed page says: every title, kicker, subtitle, author and paragraph it
gives is on the page (once spaces are dropped), and the header fields match the header line. The committed
corpus is what the generator makes from the committed articles, and `--check` notices when it is not.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys

from helpers import FIXTURES

PAGES3 = FIXTURES / "pages3"

SAMPLE = [
    {"title": "全市首批重点项目集中开工",
     "text": "１月５日，全市２０２０年第一批重点项目集中开工，共有项目８６个，总投资５１２．６亿元。\n"
             "开工项目涵盖先进制造、基础设施、民生保障等领域，其中投资超过10亿元的项目有15个，"
             "市发展改革委负责人表示，将为项目建设提供“保姆式”服务，确保项目早建成、早见效。\n"
             "今年，全市计划再改造老旧小区150个，并同步推进加装电梯、增设停车位等配套工作。（张三、李四）"},
    {"title": "冬季取暖安全须知", "subtitle": "——消防部门提醒",
     "text": "新华社北京12月3日电（记者王强、赵六）入冬以来，全市进入火灾高发期。\n"
             "消防部门提醒，使用电暖器、电热毯等取暖设备时，要远离可燃物，做到人走电断；"
             "使用燃气取暖时要保持通风，防止一氧化碳中毒。"},
]


def load_generator():
    spec = importlib.util.spec_from_file_location("make_pages3", PAGES3 / "make_pages.py")
    generator = importlib.util.module_from_spec(spec)
    sys.modules["make_pages3"] = generator  # dataclasses look their module up by name
    spec.loader.exec_module(generator)
    return generator


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_gold_says_what_the_page_prints(tmp_path):
    generator = load_generator()
    articles = tmp_path / "sample.jsonl"
    articles.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in SAMPLE), encoding="utf-8")
    out = tmp_path / "pages"
    assert generator.main(["--articles", str(articles), "--seed", "5", "--pages", "12", "--out", str(out)]) == 0
    golds = sorted(out.glob("*.gold.json"))
    assert len(golds) == 12
    seen_authors = set()
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (out / gold["source"]).read_text(encoding="utf-8")
        page = squash(text)
        header = text.splitlines()[0]
        year, month, day = (int(x) for x in gold["date"].split("-"))
        assert f"{year}年{month}月{day}日" in header, path.name
        assert gold["section"] in header and gold["page"] in header, path.name
        assert gold["editor"] in page and (gold["layout"] is None or gold["layout"] in page), path.name
        assert 2 <= len(gold["items"]) <= 12
        for position, item in enumerate(gold["items"], start=1):
            assert item["position"] == position
            assert item["kind"] in ("article", "photo")
            for part in (item["title"], item["kicker"], item["subtitle"], *item["authors"]):
                assert part is None or squash(part) in page, (path.name, part)
            assert item["body"] == "\n".join(item.get("paragraphs", item["body"].split("\n")))
            for paragraph in item["body"].split("\n"):
                assert paragraph and squash(paragraph) in page, (path.name, paragraph)
                # the source's full-width figures read as print sets them, the decimal closed up
                assert not re.search("[０-９]", paragraph), paragraph
                assert "512" not in paragraph or "512.6亿元" in paragraph, paragraph
            seen_authors.update(item["authors"])
    # the names the sample carries in its dateline and trailing credit are its authors, not its body
    assert {"王强", "赵六", "张三", "李四"} <= seen_authors
    for path in golds:
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            assert "（记者" not in item["body"] and "张三、李四" not in item["body"]


def test_the_same_seed_makes_the_same_pages(tmp_path):
    generator = load_generator()
    first, second = tmp_path / "a", tmp_path / "b"
    generator.main(["--pages", "4", "--out", str(first)])
    generator.main(["--pages", "4", "--out", str(second)])
    assert generator.same_tree(first, second) == []
    generator.main(["--pages", "4", "--seed", "9", "--out", str(second)])
    assert generator.same_tree(first, second) != []


def test_the_committed_corpus_is_what_the_generator_makes(tmp_path, capsys):
    generator = load_generator()
    assert generator.main(["--check"]) == 0, capsys.readouterr().err
    copy = tmp_path / "corpus"
    shutil.copytree(PAGES3 / "corpus", copy)
    victim = sorted(copy.glob("*.txt"))[3]
    victim.write_text(victim.read_text(encoding="utf-8").replace("。", "，", 1), encoding="utf-8")
    assert generator.main(["--check", "--out", str(copy)]) == 1
    assert victim.name in capsys.readouterr().err


def test_a_missing_articles_file_is_named(tmp_path, capsys):
    generator = load_generator()
    assert generator.main(["--articles", str(tmp_path / "none.jsonl"), "--out", str(tmp_path)]) == 2
    assert "none.jsonl" in capsys.readouterr().err
