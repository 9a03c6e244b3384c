"""How well the archive finds the same story printed twice (`service.reprints`), and what finding it costs.

    python -m bench.reprints DATA.jsonl... [--articles 2000] [--rates 0.005,0.02,0.05] [--seed 1] [--topics 60]

DATA: jsonl files of texts (`text`, optional `title`, `id`): e.g. ../shared/data/cmrc2018_retrieval/corpus.jsonl,
../shared/data/drcd_retrieval_trad/corpus.jsonl, lcsts_part3/lcsts_part3.jsonl, or the news.jsonl that
`python -m bench.devsets news --data ../shared/data --out DIR` writes. The first `--articles` distinct texts of at
least 120 characters are the originals; each is copied 0 to 3 times (uniformly) with OCR-like noise at a rate:
that share of its characters replaced by a visually similar one, spaces inserted inside words and line breaks
every few dozen characters, an opener (`本报讯（记者 X）`, `新华社北京X月X日电`) added where it had none or removed
where it had one, a byline added at the end, the final paragraph (or last fifth) cut, and one copy in four
printed in Traditional characters. Every rate's set is ingested into a new archive through `Engine.ingest`.

One JSON line per noise rate: copy pairs (the pairs of articles in one group of copies) found, with precision,
recall and F1 against the true pairs (an original and its copies, all pairs among them). Then one line on
distinct articles about one topic: the originals only, ingested alone; `--topics` queries (the titles the data
gives, or else the first words of texts) are searched and every pair among each query's top 10 hits that the
archive holds for copies is a false pair (there must be none). Last, the cost: the same originals and copies
ingested with copy finding on and off, in this run, as milliseconds per article and their ratio, and the finding
of copies timed alone over the articles stored without it, as milliseconds per article and as a share of the
ingest without it (each the best of `--repeat`), with the candidate pairs LSH gave, those verified on their
shingles, the copies found, and the earlier articles read and sketched again to verify a candidate.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import opencc

from bench.common import read_jsonl
from service import config as config_module, reprints
from service.engine import Engine

# Characters OCR confuses with one another, as pairs and runs of look-alikes.
_LOOK_ALIKES = ("己已巳", "未末", "土士", "日曰目", "人入八", "大太犬", "天夫", "王玉主", "田由甲申", "干千于",
                "刀力", "木本术", "问间", "厂广", "住往", "清请情晴", "侯候", "拨拔", "戊戌戍", "坏怀", "贝见",
                "历厉", "几凡", "毛手", "牛午", "员贞", "部郭", "末未", "冶治", "孑子", "千于", "乌鸟", "兔免",
                "今令", "处外", "折拆", "析柝", "杨扬", "场汤", "锡钖", "哀衰衷", "壁璧", "辨辩辫", "籍藉",
                "峰锋蜂", "候侯", "密蜜", "幕墓暮慕", "徒徙", "持特", "编偏遍", "洁浩", "例列", "休体", "很狠",
                "经径", "准淮", "市币", "白自", "了子", "中申", "口日", "二三", "工土", "上土", "发友", "仑仓",
                "己巳", "入人", "万方", "认议", "设没", "话活", "则侧", "年午", "会合", "民氏", "国圆", "东朱")
_SIMILAR: dict[str, str] = {}
for _run in _LOOK_ALIKES:
    for _ch in _run:
        _SIMILAR[_ch] = _SIMILAR.get(_ch, "") + _run.replace(_ch, "")
_OPENERS = ("本报讯（记者 张明）", "新华社北京3月5日电（记者 李华）", "本报讯（通讯员 王五 记者 赵六）",
            "新华社上海6月12日电", "本报北京10月8日电（记者 陈红）")
_BYLINES = ("（记者 刘洋）", "（本报记者 孙丽）", "（完）", "（新华社记者 周强 摄）")
_TRADITIONAL = opencc.OpenCC("s2t")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def add_noise(text: str, rate: float, rng: random.Random) -> str:
    """`text` as another OCR pass or another paper might give it (see the module's description)."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) > 1 and rng.random() < 0.3:
        paragraphs = paragraphs[:-1]
    elif rng.random() < 0.3:
        whole = "".join(paragraphs)
        paragraphs = [whole[:int(len(whole) * 0.8)]]
    body = "\n".join(paragraphs)
    opened = next((o for o in _OPENERS if body.startswith(o)), None)
    if opened and rng.random() < 0.5:
        body = body[len(opened):]
    elif not opened and rng.random() < 0.5:
        body = rng.choice(_OPENERS) + body
    if rng.random() < 0.3:
        body += rng.choice(_BYLINES)
    out = []
    letters = [ch for ch in body if _is_cjk(ch)] or ["的"]
    since_break = 0
    for ch in body:
        if _is_cjk(ch) and rng.random() < rate:
            ch = rng.choice(_SIMILAR.get(ch) or rng.choice(letters))
        out.append(ch)
        since_break += 1
        if rng.random() < rate / 2:
            out.append(" ")
        if since_break >= rng.randint(20, 60):
            out.append("\n")
            since_break = 0
    noisy = "".join(out)
    return _TRADITIONAL.convert(noisy) if rng.random() < 0.25 else noisy


def originals(paths: list[Path], count: int) -> list[dict]:
    """The first `count` distinct texts of at least 120 characters, their ids made unique."""
    seen, found = set(), []
    for path in paths:
        for number, record in enumerate(read_jsonl(path)):
            text = str(record.get("text") or record.get("content") or "").strip()
            if len(text) < 120 or text in seen:
                continue
            seen.add(text)
            title = str(record.get("title") or record.get("summary") or text[:16])
            found.append({"id": f"o{len(found)}", "title": title, "body": text})
            if len(found) == count:
                return found
    return found


def copied(items: list[dict], rate: float, rng: random.Random) -> tuple[list[dict], set[frozenset]]:
    """Originals and their noisy copies, and the true copy pairs."""
    articles, truth = [], set()
    for item in items:
        group = [item["id"]]
        articles.append(item)
        for copy in range(rng.randint(0, 3)):
            copy_id = f"{item['id']}c{copy}"
            articles.append({"id": copy_id, "title": item["title"], "body": add_noise(item["body"], rate, rng)})
            group.append(copy_id)
        truth.update(frozenset(pair) for pair in combinations(group, 2))
    rng.shuffle(articles)
    return articles, truth


def _engine(folder: Path, find_copies: bool = True) -> Engine:
    return Engine(config_module.load().with_overrides(paths_data_dir=folder, ingest_find_copies=find_copies))


def found_pairs(engine: Engine) -> set[frozenset]:
    groups = engine.copy_groups()
    return {frozenset(pair) for group in set(groups.values()) for pair in combinations(group, 2)}


def scores(found: set[frozenset], truth: set[frozenset]) -> dict:
    right = len(found & truth)
    precision = right / len(found) if found else 1.0
    recall = right / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs_true": len(truth), "pairs_found": len(found), "pairs_right": right,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _ingest(engine: Engine, articles: list[dict]) -> float:
    started = time.perf_counter()
    engine.ingest_records(articles)
    return time.perf_counter() - started


def same_topic(items: list[dict], folder: Path, topics: int) -> dict:
    """False pairs among each query's top hits, over the originals alone (no true copies among them)."""
    engine = _engine(folder)
    try:
        engine.ingest_records(items)
        found = found_pairs(engine)
        queries = list(dict.fromkeys(item["title"] for item in items))[:topics]
        looked, false = 0, set()
        for query in queries:
            hits = [h.article.id for h in engine.search(query, k=10, summaries=False, collapse=False).hits]
            pairs = {frozenset(p) for p in combinations(hits, 2)}
            looked += len(pairs)
            false |= pairs & found
        return {"set": "same-topic", "queries": len(queries), "pairs_among_top10": looked,
                "false_pairs": len(false), "false_pairs_anywhere": len(found)}
    finally:
        engine.close()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="+", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rates", default="0.005,0.02,0.05")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--topics", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    items = originals(args.data, args.articles)
    if len(items) < args.articles:
        print(f"only {len(items)} texts of at least 120 characters in {', '.join(map(str, args.data))}",
              file=sys.stderr)
    costs: dict[object, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for number, rate in enumerate(float(r) for r in args.rates.split(",")):
            articles, truth = copied(items, rate, random.Random(args.seed + number))
            engine = _engine(base / f"rate{number}")
            try:
                seconds = _ingest(engine, articles)
                line = {"set": "copies", "noise_rate": rate, "originals": len(items), "articles": len(articles),
                        **scores(found_pairs(engine), truth), "ingest_s": round(seconds, 2)}
            finally:
                engine.close()
            print(json.dumps(line), flush=True)
        print(json.dumps(same_topic(items, base / "topics", args.topics)), flush=True)
        articles, _ = copied(items, 0.02, random.Random(args.seed))
        for attempt in range(args.repeat):
            for find in (False, True):
                engine = _engine(base / f"cost{attempt}{int(find)}", find)
                try:
                    seconds = _ingest(engine, articles) / len(articles)
                    if not find:
                        # The comparison alone, over the same stored articles: what an ingest adds for it.
                        started = time.perf_counter()
                        with engine.store.writing() as writer:
                            compared = reprints.find_copies(writer, engine.analyzer.fold, engine.analyzer.fingerprint)
                        costs["alone"] = min(costs.get("alone", 1e9), (time.perf_counter() - started) / len(articles))
                finally:
                    engine.close()
                costs[find] = min(costs.get(find, seconds), seconds)
    print(json.dumps({"set": "cost", "articles": len(articles),
                      "ms_per_article_without": round(costs[False] * 1000, 3),
                      "ms_per_article_with": round(costs[True] * 1000, 3),
                      "ratio": round(costs[True] / costs[False], 3),
                      "finding_copies_ms_per_article": round(costs["alone"] * 1000, 3),
                      "finding_copies_share": round(costs["alone"] / costs[False], 3),
                      **{f"finding_copies_{k}": v for k, v in compared.to_dict().items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
