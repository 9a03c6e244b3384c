"""How a split compares with gold files: the page splitter's output against hand-checked answers.

A gold file (`*.gold.json`) names its page file (`source`, beside it) and describes one page (`page`,
`section`, `date`, `editor`, `layout`, `items`) or, for a file holding several, a list of them under `pages`.
Items have `kind`, `title`, `authors`, `body` and, where known, `kicker`, `subtitle` and `paragraphs`.

Predicted and gold items of one file are paired greedily by body similarity (at least `MIN_PAIRING`, white
space ignored), most similar pairs first. A `Tally` then counts, over gold items (an unpaired gold item is a
miss):

- exact matches of title, authors, kind, the white-space-free body, and, where the gold gives them,
  paragraphs (the exact list, spaces kept), kicker and subtitle;
- body similarity: difflib's ratio of the white-space-free bodies (0 when unpaired), to average;
- the page header fields and the number of pages of each file.

`score_files` scores many gold files at once; `Totals` gives item precision (paired / predicted), recall
(paired / gold) and F1. Used by `bench/pages.py` and by the test that holds the generated corpus to a floor
(`tests/ingest/test_page_corpus.py`); nothing in the package imports it.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..sources import read_text_file
from . import split_pages

# (key in a gold page, attribute of a `Page`)
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
    """Hits and totals by name (`count`), or sums and totals (`add`); `rate` is hits or sum over total."""

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


@dataclass
class Totals:
    """Items over all the files scored: gold, predicted, and paired."""

    gold: int = 0
    predicted: int = 0
    paired: int = 0

    @property
    def precision(self) -> float:
        return self.paired / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.paired / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_file(gold_path: Path, tally: Tally, details: list[str]) -> tuple[int, int, int]:
    """Split the page file `gold_path` names and count how it compares into `tally`, each difference as a line
    into `details`; returns (gold items, predicted items, paired items)."""
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
    paired_predictions = {q for q, _ in pairs.values()}
    for p, got in enumerate(got_items):
        if p not in paired_predictions:
            details.append(f"{source.name}: extra item {got['title']!r} ({squash(got['body'])[:20]}…)")
    return len(gold_items), len(got_items), len(pairs)


def score_files(gold_paths: Iterable[Path]) -> tuple[Tally, Totals, list[str]]:
    """`score_file` of each gold file into one tally: (the tally, the item totals, every difference)."""
    tally, totals, details = Tally(), Totals(), []
    for path in gold_paths:
        gold, predicted, paired = score_file(path, tally, details)
        totals.gold += gold
        totals.predicted += predicted
        totals.paired += paired
    return tally, totals, details
