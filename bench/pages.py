"""How well pages split: Jiansuo's page splitter against gold files.

    python bench/pages.py GOLD_DIR [GOLD_DIR ...] [--details] [--json]

Every `*.gold.json` under the folders names its page file (`source`, beside it). A gold file describes one
page (`page`, `section`, `date`, `editor`, `layout`, `items`) or, for a file holding several, a list of them
under `pages`. Items have `kind`, `title`, `authors`, `body` and, where known, `kicker`, `subtitle` and
`paragraphs`.

Predicted and gold items of one file are paired greedily by body similarity (at least 0.5, whitespace
ignored). Reported:

- item F1: precision (paired / predicted) and recall (paired / gold) over all items;
- title, author exact-match rates: over gold items; an unpaired gold item counts as a miss;
- body similarity: mean over gold items of difflib's ratio on the whitespace-free bodies (0 when unpaired);
- the same for paragraphs (exact list, spaces kept), kicker and subtitle, kind, and the page header fields.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.ingest.pages import split_pages  # noqa: E402
from service.ingest.sources import read_text_file  # noqa: E402

HEADER_FIELDS = (("page", "code"), ("section", "section"), ("date", "date"), ("editor", "editor"),
                 ("layout", "layout"))
MIN_PAIRING = 0.5


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def gold_pages(gold: dict) -> list[dict]:
    return gold["pages"] if "pages" in gold else [gold]


def predicted_items(pages) -> list[dict]:
    return [{"kind": item.kind, "title": item.title, "authors": list(item.authors), "body": item.body,
             "paragraphs": list(item.paragraphs), "kicker": item.kicker, "subtitle": item.subtitle,
             "page_number": number, "position": item.position}
            for number, page in enumerate(pages, start=1) for item in page.items]


def pair(gold_items: list[dict], got_items: list[dict]) -> dict[int, tuple[int, float]]:
    """gold index -> (predicted index, body similarity), greedily, most similar pairs first."""
    candidates = []
    for g, gold in enumerate(gold_items):
        gold_body = squash(gold["body"]) or squash(gold["title"])
        for p, got in enumerate(got_items):
            got_body = squash(got["body"]) or squash(got["title"])
            # Cheap bound first: ratio can't exceed 2*min/(sum) of the lengths.
            if 2 * min(len(gold_body), len(got_body)) / max(1, len(gold_body) + len(got_body)) < MIN_PAIRING:
                continue
            score = similarity(gold_body, got_body)
            if score >= MIN_PAIRING:
                candidates.append((score, g, p))
    pairs: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for score, g, p in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if g not in pairs and p not in used:
            pairs[g] = (p, score)
            used.add(p)
    return pairs


class Tally:
    def __init__(self):
        self.hits: dict[str, int] = {}
        self.totals: dict[str, int] = {}
        self.sums: dict[str, float] = {}

    def count(self, name: str, ok: bool) -> None:
        self.totals[name] = self.totals.get(name, 0) + 1
        self.hits[name] = self.hits.get(name, 0) + int(ok)

    def add(self, name: str, value: float) -> None:
        self.totals[name] = self.totals.get(name, 0) + 1
        self.sums[name] = self.sums.get(name, 0.0) + value

    def rate(self, name: str) -> float | None:
        total = self.totals.get(name, 0)
        if not total:
            return None
        return (self.sums[name] if name in self.sums else self.hits[name]) / total


def score_file(gold_path: Path, tally: Tally, details: list[str]) -> tuple[int, int, int]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    source = gold_path.parent / gold["source"]
    pages = [page for _, page in split_pages(read_text_file(source))]
    wanted_pages = gold_pages(gold)
    tally.count("page count", len(pages) == len(wanted_pages))
    if len(pages) != len(wanted_pages):
        details.append(f"{source.name}: {len(pages)} pages, gold has {len(wanted_pages)}")
    for number, want in enumerate(wanted_pages):
        got = pages[number] if number < len(pages) else None
        for gold_key, attr in HEADER_FIELDS:
            if gold_key in want:
                value = getattr(got, attr) if got else None
                tally.count(f"header {gold_key}", value == want[gold_key])
                if value != want[gold_key]:
                    details.append(f"{source.name} page {number + 1}: {gold_key} {value!r}, want {want[gold_key]!r}")
    gold_items = [item for page in wanted_pages for item in page["items"]]
    got_items = predicted_items(pages)
    pairs = pair(gold_items, got_items)
    for g, want in enumerate(gold_items):
        where = f"{source.name} #{g + 1} {want['title']}"
        if g not in pairs:
            for name in ("title", "authors", "kind", "body exact"):
                tally.count(name, False)
            tally.add("body similarity", 0.0)
            for key in ("paragraphs", "kicker", "subtitle"):
                if key in want:
                    tally.count(key, False)
            details.append(f"{where}: not found")
            continue
        p, score = pairs[g]
        got = got_items[p]
        tally.add("body similarity", score)
        tally.count("body exact", squash(got["body"]) == squash(want["body"]))
        tally.count("title", got["title"] == want["title"])
        tally.count("authors", got["authors"] == want["authors"])
        tally.count("kind", got["kind"] == want["kind"])
        for key in ("paragraphs", "kicker", "subtitle"):
            if key in want:
                tally.count(key, got[key] == want[key])
        for key, label in (("title", "title"), ("authors", "authors"), ("kicker", "kicker"),
                           ("subtitle", "subtitle"), ("kind", "kind")):
            if key in want and got[key] != want[key]:
                details.append(f"{where}: {label} {got[key]!r}, want {want[key]!r}")
        if squash(got["body"]) != squash(want["body"]):
            a, b = squash(got["body"]), squash(want["body"])
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            details.append(f"{where}: body differs at {at}: got …{a[max(0, at - 12):at + 12]}…, "
                           f"want …{b[max(0, at - 12):at + 12]}…")
        elif "paragraphs" in want and got["paragraphs"] != want["paragraphs"]:
            details.append(f"{where}: paragraphs {len(got['paragraphs'])}, want {len(want['paragraphs'])}"
                           f"{'' if len(got['paragraphs']) != len(want['paragraphs']) else ' (spacing differs)'}")
    for p, got in enumerate(got_items):
        if p not in {q for q, _ in pairs.values()}:
            details.append(f"{source.name}: extra item {got['title']!r} ({squash(got['body'])[:20]}…)")
    return len(gold_items), len(got_items), len(pairs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold_dirs", nargs="+", type=Path, metavar="GOLD_DIR")
    parser.add_argument("--details", action="store_true", help="list every difference")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    gold_files = sorted(p for d in args.gold_dirs for p in d.rglob("*.gold.json"))
    if not gold_files:
        print(f"no *.gold.json under {', '.join(map(str, args.gold_dirs))}", file=sys.stderr)
        return 2
    tally, details = Tally(), []
    gold_total = got_total = paired = 0
    for path in gold_files:
        g, p, m = score_file(path, tally, details)
        gold_total, got_total, paired = gold_total + g, got_total + p, paired + m
    precision = paired / got_total if got_total else 0.0
    recall = paired / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    numbers = {"files": len(gold_files), "pages": tally.totals.get("header date", 0), "gold_items": gold_total,
               "predicted_items": got_total, "paired": paired, "item_precision": precision, "item_recall": recall,
               "item_f1": f1, "title_exact": tally.rate("title"), "author_exact": tally.rate("authors"),
               "body_similarity": tally.rate("body similarity"), "body_exact": tally.rate("body exact"),
               "paragraphs_exact": tally.rate("paragraphs"), "kicker_exact": tally.rate("kicker"),
               "subtitle_exact": tally.rate("subtitle"), "kind_exact": tally.rate("kind"),
               "page_count_exact": tally.rate("page count"),
               **{f"header_{key}": tally.rate(f"header {key}") for key, _ in HEADER_FIELDS}}
    if args.json:
        print(json.dumps(numbers, indent=2))
    else:
        print(f"{numbers['files']} files, {numbers['pages']} pages, {gold_total} gold items, "
              f"{got_total} predicted, {paired} paired")
        print(f"item F1             {f1:.3f}  (precision {precision:.3f}, recall {recall:.3f})")
        for label, key in (("title exact-match", "title_exact"), ("author exact-match", "author_exact"),
                           ("body similarity", "body_similarity"), ("body exact", "body_exact"),
                           ("paragraphs exact", "paragraphs_exact"), ("kicker exact", "kicker_exact"),
                           ("subtitle exact", "subtitle_exact"), ("kind exact", "kind_exact"),
                           ("pages per file", "page_count_exact")):
            value = numbers[key]
            print(f"{label:<19} {'-' if value is None else f'{value:.3f}'}")
        print("header fields       " + "  ".join(f"{key} {numbers[f'header_{key}']:.3f}" for key, _ in HEADER_FIELDS
                                                  if numbers[f"header_{key}"] is not None))
    if args.details:
        print("\n".join(details), file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
