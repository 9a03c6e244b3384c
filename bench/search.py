"""Query latency of Jiansuo's postings index against rank-bm25 on the same tokens, in one run.

    python -m bench.search DATASET_DIR [--copies N] [--queries 200]

DATASET_DIR is in BEIR layout (corpus.jsonl with id/title/text, queries.jsonl with id/text), for example
../shared/data/cmrc2018_retrieval. `--copies N` repeats the corpus N times (with new ids) to reach a larger
archive. Both systems score the same analyzer tokens; the report gives each one's median and 95th-percentile
time per query (bench/common.py defines them), their ratio, and how often their top 10 agree (it must be
100 %).
"""

from __future__ import annotations

import sys

import numpy as np
from rank_bm25 import BM25Okapi

from bench.common import add_dataset, each_in_turn, parser_for, percentile, read_jsonl, timed
from service.index.bm25 import BM25Params
from service.index.postings import build, rank
from service.text.analyzer import Analyzer


def top_ids(candidates: np.ndarray, scores: np.ndarray, k: int = 10) -> list[int]:
    ordered, _ = rank(candidates, scores)
    return ordered[:k].tolist()


def main() -> int:
    parser = parser_for(__doc__)
    add_dataset(parser)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    analyzer = Analyzer()
    corpus = read_jsonl(args.dataset / "corpus.jsonl")
    queries = read_jsonl(args.dataset / "queries.jsonl")[: args.queries]
    analyse_s, tokens = timed(lambda: [analyzer.terms(r.get("title", "")) + analyzer.terms(r["text"]) for r in corpus])
    documents = [(f"{r['id']}#{copy}", t) for copy in range(args.copies) for r, t in zip(corpus, tokens)]
    query_terms = [analyzer.terms(q["text"]) for q in queries]

    ours_build_s, postings = timed(lambda: build(documents, BM25Params()))
    theirs_build_s, reference = timed(lambda: BM25Okapi([t for _, t in documents]))

    def theirs(terms: list[str]) -> list[int]:
        scores = reference.get_scores(terms)
        nonzero = np.flatnonzero(scores)
        return top_ids(nonzero, scores[nonzero])

    (ours_ms, theirs_ms), agreed = each_in_turn(query_terms, [lambda terms: top_ids(*postings.score(terms)), theirs],
                                                outcome=lambda ours, theirs: ours == theirs)
    agree = sum(agreed)
    p50_ours, p50_theirs = percentile(ours_ms, 0.5), percentile(theirs_ms, 0.5)
    print(f"dataset            {args.dataset} x{args.copies}: {len(documents)} documents, {len(query_terms)} queries")
    print(f"analysis           {analyse_s:.1f} s for {len(corpus)} documents (done once, shared by both)")
    print(f"build              jiansuo {ours_build_s:.2f} s   rank-bm25 {theirs_build_s:.2f} s")
    print(f"query p50          jiansuo {p50_ours:.3f} ms   rank-bm25 {p50_theirs:.3f} ms   "
          f"ratio {p50_theirs / p50_ours:.1f}x")
    print(f"query p95          jiansuo {percentile(ours_ms, 0.95):.3f} ms   "
          f"rank-bm25 {percentile(theirs_ms, 0.95):.3f} ms")
    print(f"top-10 agreement   {agree}/{len(query_terms)} ({100 * agree / len(query_terms):.1f} %)")
    return 0 if agree == len(query_terms) else 1


if __name__ == "__main__":
    sys.exit(main())
