"""A generated archive for the cluster tests, and queries over it: sentences of the CMRC and DRCD samples put
together into dated, sectioned articles, so terms repeat across articles and shards as in a real archive."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, read_jsonl

SECTIONS = ("要闻", "经济", "城事", "文体")


def sentences() -> list[str]:
    out = []
    for record in read_jsonl(CMRC_SAMPLE) + read_jsonl(DRCD_SAMPLE):
        out += [s for s in re.split(r"(?<=[。！？])", record.get("text") or "") if len(s) >= 8]
    return out


def write_articles(path: Path, count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    pool = sentences()
    records = []
    for number in range(count):
        body = "".join(rng.sample(pool, rng.randint(1, 8)))
        if rng.random() < 0.3:  # paragraphs, so some ledes are a first paragraph
            body = body.replace("。", "。\n", 1)
        title = rng.choice(pool)[:rng.randint(6, 20)].rstrip("，。")
        records.append({"id": f"a{number:04d}", "title": title, "body": body,
                        "date": f"20{rng.randint(15, 19)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        "section": rng.choice(SECTIONS), "authors": [rng.choice(("王敏", "李娜", "张伟"))]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return records


def queries(records: list[dict], analyzer, count: int, seed: int = 11) -> list[str]:
    """Words of the articles, one to three at a time; some quoted, some long, some with a filter or a
    one-character word: every path of the ranker."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        record = rng.choice(records)
        words = [w for w in analyzer.terms(record["title"] + record["body"]) if len(w) >= 2]
        if not words:
            continue
        kind = len(out) % 10
        if kind == 0:
            start = rng.randrange(max(1, len(record["body"]) - 6))
            out.append('"' + re.sub(r"[\W_]+", "", record["body"][start:start + 4]) + '"')
        elif kind == 1:
            out.append(" ".join(rng.sample(words, min(len(words), 6))))
        elif kind == 2:
            out.append(f"{rng.choice(words)} section:{rng.choice(SECTIONS)}")
        elif kind == 3:
            out.append(rng.choice(words)[0])
        elif kind == 4:
            out.append(f"{rng.choice(words)} -{rng.choice(words)}")
        else:
            out.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
    return [q for q in out if q.strip('"')]
