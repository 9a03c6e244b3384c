"""Marking a query's character bigrams in a hit's title and summary (`highlight.partial_spans`), against the
reference it replaced: every bigram of the text made by the bigram channel (`Analyzer.bigrams`) and compared with
the query's. Each text is a title and the first 160 characters of an article's text, each query six
characters of another article's, both ways on the same pairs in turn; the spans must be the same.

    python -m bench.highlight ../shared/data/cmrc2018_retrieval/corpus.jsonl [--pairs 2000] [--seed 3]

Reported: microseconds a call, p50 of each way, and their ratio (a results page makes two calls a hit).
"""

from __future__ import annotations

import random

from bench.common import add_corpora, each_in_turn, parser_for, percentiles, read_articles
from service.search.highlight import merge_spans, partial_spans
from service.text.analyzer import Analyzer
from service.text.ngrams import cjk_bigrams


def by_channel(analyzer: Analyzer, text: str, grams: list[str]) -> list[tuple[int, int]]:
    wanted = set(grams)
    return merge_spans((t.start, t.end) for t in analyzer.bigrams(text) if t.term in wanted)


def main() -> int:
    parser = parser_for(__doc__)
    add_corpora(parser)
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    analyzer = Analyzer()
    articles = read_articles(args.corpora)
    rng = random.Random(args.seed)
    pairs = []
    for _ in range(args.pairs):
        title, text = rng.choice(articles)
        query = rng.choice(articles)[1][:6]
        pairs.append((title + text[:160], [gram for gram, _, _ in cjk_bigrams(analyzer.fold(query))]))
    (reference, ours), same = each_in_turn(
        pairs, [lambda pair: by_channel(analyzer, *pair), lambda pair: partial_spans(analyzer, *pair)],
        alternate_first=True, outcome=lambda a, b: a == b)
    p50_reference, p50_ours = percentiles(reference, (0.5,))[0] * 1000, percentiles(ours, (0.5,))[0] * 1000
    print(f"{len(pairs)} pairs, spans the same in {sum(same)}; p50 {p50_reference:.1f} us by the bigram channel, "
          f"{p50_ours:.1f} us by partial_spans: {p50_reference / p50_ours:.2f}x")
    return 0 if all(same) else 1


if __name__ == "__main__":
    raise SystemExit(main())
