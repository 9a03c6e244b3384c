"""Learn the news lede's bonus of `service/summaries/kinds.py` (LEDE_BONUS) on a news set with reference briefs.

    python -m bench.fit_lede NEWS.jsonl [--sentences 1] [--bonuses 0,0.25,0.5,...] [--titles]

NEWS.jsonl holds `{"id", "text", "summary"[, "title"]}` lines, as bench/summaries.py reads them (`summary` is the
reference: an editor's brief). Each text is analysed once (`summaries.data.prepare`); for each bonus its
sentences' priors are worked out again (`kinds.sentence_priors`) and the summary chosen as `jiansuo summarize`
chooses it. Printed for each bonus: mean ROUGE-1/2/L F1 (character level, rouge-chinese) and how often the
summary opens on the lede. Only texts read as news (`kinds.kind_of`) are affected by the bonus; the others are
scored all the same. With `--titles` each text's `title` is given, as an archive that keeps titles would.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.common import parser_for
from bench.summaries import METRICS, read_set, rouge
from service.summaries import kinds
from service.summaries.data import prepare
from service.text.analyzer import Analyzer


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("set", type=Path, metavar="NEWS.jsonl")
    parser.add_argument("--sentences", type=int, default=1, help="sentences in each summary (default 1)")
    parser.add_argument("--bonuses", default="0,0.25,0.5,0.75,1,1.5,2,3",
                        help="comma-separated LEDE_BONUS values to try")
    parser.add_argument("--titles", action="store_true", help="give each text its `title`")
    parser.add_argument("--split", default=None, help="keep records whose `split` field is this")
    args = parser.parse_args()
    bonuses = [float(b) for b in args.bonuses.split(",")]

    records = read_set(args.set, split=args.split)
    analyzer = Analyzer()
    prepared = []
    for record in records:
        title = record.get("title") if args.titles else None
        data = prepare(analyzer, record["text"], title=title)
        prepared.append((record, data, kinds.kind_of(record["text"], title)))
    news = sum(kind == "news" for _, _, kind in prepared)
    print(f"{args.set}: {len(records)} texts, {news} read as news; {args.sentences} sentence(s)"
          + (", given titles" if args.titles else ""))
    print(f"{'LEDE_BONUS':>10} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'opens on lede':>14}")
    kept = kinds.LEDE_BONUS
    try:
        for bonus in bonuses:
            kinds.LEDE_BONUS = bonus
            totals = dict.fromkeys(METRICS, 0.0)
            opens_on_lede = 0
            for record, data, kind in prepared:
                data.priors = kinds.sentence_priors(kind, record["text"], data.sentences)
                summary = data.summary(record["text"], sentences=args.sentences, max_chars=None)
                for metric, value in rouge(summary.text, record["summary"]).items():
                    totals[metric] += value
                lede = kinds.lede_index(data.sentences)
                opens_on_lede += (lede is not None and bool(summary.sentences)
                                  and summary.sentences[0].start == data.sentences[lede].start)
            n = max(1, len(prepared))
            print(f"{bonus:>10g} {totals['rouge-1'] / n:8.4f} {totals['rouge-2'] / n:8.4f} "
                  f"{totals['rouge-l'] / n:8.4f} {opens_on_lede / n:14.1%}")
    finally:
        kinds.LEDE_BONUS = kept
    return 0


if __name__ == "__main__":
    sys.exit(main())
