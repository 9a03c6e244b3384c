"""How well pages split: Jiansuo's page splitter against gold files.

    python -m bench.pages GOLD_DIR [GOLD_DIR ...] [--details] [--json]

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

The scoring is `service.ingest.pages.scoring`, which the tests use too (tests/ingest/test_page_corpus.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.common import parser_for
from service.ingest.pages.scoring import HEADER_FIELDS, score_files


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("gold_dirs", nargs="+", type=Path, metavar="GOLD_DIR")
    parser.add_argument("--details", action="store_true", help="list every difference")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    gold_files = sorted(p for d in args.gold_dirs for p in d.rglob("*.gold.json"))
    if not gold_files:
        print(f"no *.gold.json under {', '.join(map(str, args.gold_dirs))}", file=sys.stderr)
        return 2
    tally, totals, details = score_files(gold_files)
    gold_total, got_total, paired = totals.gold, totals.predicted, totals.paired
    precision, recall, f1 = totals.precision, totals.recall, totals.f1
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
