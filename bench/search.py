"""Query latency of Jiansuo's postings index against rank-bm25 on the same tokens, in one run.

    python bench/search.py DATASET_DIR [--copies N] [--queries 200]

DATASET_DIR is in BEIR layout (corpus.jsonl with id/title/text, queries.jsonl with id/text), for example
../shared/data/cmrc2018_retrieval. `--copies N` repeats the corpus N times (with new ids) to reach a larger
archive. Both systems score the same analyzer tokens; the report gives each one's median and 95th-percentile
time per query, their ratio, and how often their top 10 agree (it must be 100 %).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.index.bm25 import BM25Params  # noqa: E402
from service.index.postings import build, rank  # noqa: E402
from service.text.analyzer import Analyzer  # noqa: E402


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def top_ids(candidates: np.ndarray, scores: np.ndarray, k: int = 10) -> list[int]:
    ordered, _ = rank(candidates, scores)
    return ordered[:k].tolist()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    analyzer = Analyzer()
    corpus = read_jsonl(args.dataset / "corpus.jsonl")
    queries = read_jsonl(args.dataset / "queries.jsonl")[: args.queries]
    started = time.perf_counter()
    tokens = [analyzer.terms(r.get("title", "")) + analyzer.terms(r["text"]) for r in corpus]
    analyse_s = time.perf_counter() - started
    documents = [(f"{r['id']}#{copy}", t) for copy in range(args.copies) for r, t in zip(corpus, tokens)]
    query_terms = [analyzer.terms(q["text"]) for q in queries]

    started = time.perf_counter()
    postings = build(documents, BM25Params())
    ours_build_s = time.perf_counter() - started
    started = time.perf_counter()
    reference = BM25Okapi([t for _, t in documents])
    theirs_build_s = time.perf_counter() - started

    ours_ms, theirs_ms, agree = [], [], 0
    for terms in query_terms:
        started = time.perf_counter()
        ours = top_ids(*postings.score(terms))
        ours_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        scores = reference.get_scores(terms)
        nonzero = np.flatnonzero(scores)
        theirs = top_ids(nonzero, scores[nonzero])
        theirs_ms.append((time.perf_counter() - started) * 1000)
        agree += ours == theirs

    p50_ours, p50_theirs = statistics.median(ours_ms), statistics.median(theirs_ms)
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
