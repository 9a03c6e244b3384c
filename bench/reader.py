"""The archive reader's workbench at scale: one JSON-lines export in, then browse, sort and export, each a fresh
`jiansuo` process, with its time and peak RSS (GNU time) beside a baseline measured in the same run.

    python -m bench.reader SOURCE.jsonl... [--articles 30000] [--seed 7] [--keep DIR]

SOURCE files are article `.jsonl` files (e.g. ../shared/data/cmrc2018_retrieval/corpus.jsonl); their sentences
are recombined (`bench.scale.write_corpus`'s way) into one file shaped as exports from other systems are:
ids holding `#` and `/` (`Q_ANN_TST_000012#00`, `2012-07-02/B03/4`), dates with a time of day (`2012-07-02
19:06:13`), `kind: "item"`, the section in a `category` field, page codes and positions, over about two years.
It is ingested in one `jiansuo ingest FILE --column section=category` call. Then:

- baseline: `jiansuo search WORD -k 10 --json` (start-up, the index opened, one page of hits);
- `--sort newest` of the same query, and of a query of filters only;
- `--export csv`, `ris` and `gbt7714` of every hit of a year of the archive (`date:2011`, more hits than
  search's pages reach), of a common word, and `--export csv` of a month (`date:2011-03`): the peak RSS of
  each against the baseline's, and of the year's export against the month's (flat memory: near 1 whatever
  the number of hits);
- `jiansuo browse` (every day), `browse DAY`, `browse DAY PAGE`.

Everything is written to a temporary folder (or `--keep DIR`), never into the repository.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import add_corpora, parser_for
from bench.scale import article_length, read_source
from service.testing import PROJECT

SECTIONS = ("要闻", "城事", "民生", "经济", "文体", "国际", "评论", "副刊")


def write_export(path: Path, n: int, sentences: list[str], titles: list[str], seed: int) -> int:
    """N articles as one JSON-lines export (see the module's doc); returns its size in bytes."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            day = 730 * i // n  # about two years, in date order as exports are
            year, rest = 2011 + day // 365, day % 365
            month, dom = 1 + rest // 31 % 12, 1 + rest % 28
            date = f"{year}-{month:02d}-{dom:02d}"
            page = f"{'AB'[i % 2]}{1 + i % 12:02d}"
            wanted, parts, size = article_length(rng), [], 0
            start = rng.randrange(len(sentences))
            while size < wanted:
                sentence = sentences[start % len(sentences)]
                start += 1 if rng.random() > 0.2 else rng.randrange(len(sentences))
                parts.append(sentence)
                size += len(sentence)
            record = {"id": f"Q_ANN_TST_{i:06d}#00" if i % 2 else f"{date}/{page}/{i}",
                      "title": rng.choice(titles)[:30], "body": "".join(parts),
                      "date": f"{date} {rng.randrange(24):02d}:{rng.randrange(60):02d}:13",
                      "kind": "item", "category": SECTIONS[i % len(SECTIONS)], "page": page, "position": i % 7 + 1,
                      "authors": [f"记者{i % 40}"]}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def run(data: Path, *args: str, stdout=subprocess.PIPE) -> tuple[float, int, subprocess.CompletedProcess]:
    """(seconds, peak RSS in MB, the process) of one `jiansuo` call under GNU time."""
    command = ["/usr/bin/time", "-v", sys.executable, "-P", "-m", "service", "--index", str(data), *args]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    started = time.perf_counter()
    done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=PROJECT, env=env, timeout=3600)
    seconds = time.perf_counter() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr.decode("utf-8", "replace"))
    if done.returncode not in (0, 4):
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    return seconds, int(match[1]) // 1024 if match else -1, done


def main() -> None:
    parser = parser_for(__doc__)
    add_corpora(parser, "sources")
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="build the archive here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiansuo-reader-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        sentences, titles = read_source(args.sources)
        export = folder / "export.jsonl"
        size = write_export(export, args.articles, sentences, titles, args.seed)
        data = folder / "data"
        rows = []
        seconds, rss, done = run(data, "ingest", str(export), "--column", "section=category")
        stderr = done.stderr.decode("utf-8", "replace")
        summary = next(line for line in stderr.splitlines() if line.startswith("ingest done"))
        warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
        print(f"ingest of {size / 1e6:.1f} MB, {args.articles} articles, one call: {seconds:.1f} s, peak RSS "
              f"{rss} MB\n  {summary}")
        for line in warnings:
            print(f"  {line[:200]}")
        stats = json.loads(run(data, "stats")[2].stdout)
        print(f"  stored {stats['articles']} articles")
        common = "发展"
        base_s, base_rss, _ = run(data, "search", common, "-k", "10", "--json")
        rows.append(("baseline: search -k 10 --json", base_s, base_rss, None))
        for label, extra in (("search --sort newest", (common, "--sort", "newest", "-k", "10", "--json")),
                             ("filters only (newest)", ("section:城事", "-k", "10", "--json"))):
            s, r, d = run(data, "search", *extra)
            answer = json.loads(d.stdout)
            rows.append((f"{label}: total {answer['total']}, first {answer['results'][0]['date']}", s, r, None))
        exported = {}
        # A year of the archive (more hits than search's pages reach), and a month of it.
        for word, fmt in (("date:2011", "csv"), ("date:2011", "ris"), ("date:2011", "gbt7714"), (common, "csv"),
                          ("date:2011-03", "csv")):
            out = folder / f"export-{word.replace(':', '-')}.{fmt}"
            with open(out, "wb") as f:
                s, r, d = run(data, "search", word, "--export", fmt, "--base-url", "http://127.0.0.1:5000/articles/",
                              "--publication", "测试报", stdout=f)
            hits = int(re.search(r"exported (\d+) hits", d.stderr.decode())[1])
            exported[(word, fmt)] = (hits, r)
            rows.append((f"export {fmt} of {word!r}: {hits} hits, {out.stat().st_size / 1e6:.1f} MB", s, r, None))
        for label, extra in (("browse (every day)", ("--json",)), ("browse DAY", ("2011-03-05", "--json")),
                             ("browse DAY PAGE", ("2011-03-05", "A03", "--json"))):
            s, r, d = run(data, "browse", *extra)
            answer = json.loads(d.stdout)
            count = len(answer.get("dates", answer.get("pages", answer.get("articles", []))))
            rows.append((f"{label}: {count} entries", s, r, None))
        print(f"\n{'run':<62} {'seconds':>8} {'peak RSS MB':>12} {'RSS / baseline':>15}")
        for label, s, r, _ in rows:
            print(f"{label:<62} {s:>8.2f} {r:>12} {r / base_rss:>15.2f}")
        (big, big_rss), (small, small_rss) = exported[("date:2011", "csv")], exported[("date:2011-03", "csv")]
        print(f"\nexport memory: {big} hits {big_rss} MB against {small} hits {small_rss} MB: ratio "
              f"{big_rss / small_rss:.2f} for {big / max(small, 1):.1f}x the hits")


if __name__ == "__main__":
    main()
