"""The query path alone at archive scale, on synthetic postings: `Ranker.rank` against the plain reference.

Opening an archive of 300,000 articles would take hours to ingest; the ranking code only sees the arrays, so
this builds the four channels' postings directly from Zipf-distributed document frequencies (fixed seed)
and times `Ranker.rank` for the top `offset + k` against the reference it replaced (every candidate scored
with `np.unique`/`np.add.at` and lexsorted), checking that both give the same top `k`, scores and totals.

    python -m bench.query_path --docs 300000 --queries 300 [--cache DIR]

p50 and p95 are as bench/common.py defines them.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import reduce
from pathlib import Path

import numpy as np

from bench.common import each_in_turn, parser_for, percentiles
from service.index.bm25 import BM25Params, term_weights
from service.index.postings import Postings
from service.search.query import Clause
from service.search.ranker import ClauseTerms, Ranker, Weights

# (vocabulary, distinct terms per document, Zipf exponent) of each channel, roughly those of news text.
CHANNELS = {"words": (150_000, 120, 1.0), "title": (40_000, 8, 0.9), "grams": (250_000, 220, 0.95),
            "chars": (5_000, 150, 1.1)}


def synthetic(n_docs: int, vocabulary: int, per_doc: int, exponent: float, rng: np.random.Generator,
              params: BM25Params) -> Postings:
    weights = 1.0 / np.arange(2, vocabulary + 2, dtype=np.float64) ** exponent
    df = np.minimum(np.maximum(1, np.round(weights / weights.sum() * n_docs * per_doc)), n_docs * 0.9)
    df = df.astype(np.int64)
    terms_of = np.repeat(np.arange(vocabulary, dtype=np.int64), df)
    docs = rng.integers(0, n_docs, terms_of.size, dtype=np.int64)
    keys = np.unique(terms_of * n_docs + docs)
    terms_of, docs = keys // n_docs, keys % n_docs
    offsets = np.zeros(vocabulary + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms_of, minlength=vocabulary), out=offsets[1:])
    tfs = (1 + rng.geometric(0.6, docs.size) - 1).astype(np.int32)
    lengths = np.maximum(1, np.bincount(docs, weights=tfs, minlength=n_docs)).astype(np.int32)
    names = [f"t{i:07d}" for i in range(vocabulary)]  # zero-padded: already in code-point order
    return Postings(terms=names, term_offsets=offsets, doc_numbers=docs.astype(np.int32),
                    term_freqs=tfs, doc_lengths=lengths, doc_ids=[str(i) for i in range(n_docs)], params=params)


def load_or_build(cache: Path | None, n_docs: int, rng: np.random.Generator,
                  params: BM25Params) -> dict[str, Postings]:
    channels = {}
    for name, shape in CHANNELS.items():
        path = cache / f"{name}-{n_docs}.npz" if cache else None
        if path is not None and path.exists():
            arrays = np.load(path)
            channels[name] = Postings(terms=[f"t{i:07d}" for i in range(arrays["term_offsets"].size - 1)],
                                      term_offsets=arrays["term_offsets"], doc_numbers=arrays["doc_numbers"],
                                      term_freqs=arrays["term_freqs"], doc_lengths=arrays["doc_lengths"],
                                      doc_ids=[str(i) for i in range(n_docs)], params=params)
            continue
        channels[name] = postings = synthetic(n_docs, *shape, rng, params)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, term_offsets=postings.term_offsets, doc_numbers=postings.doc_numbers,
                     term_freqs=postings.term_freqs, doc_lengths=postings.doc_lengths)
    return channels


def pick(postings: Postings, rng: np.random.Generator, common: bool) -> str:
    df = np.diff(postings.term_offsets)
    if common:
        return postings.terms[int(rng.integers(0, 1000))]
    rare = np.flatnonzero((df >= 2) & (df <= 40))
    return postings.terms[int(rng.choice(rare))]


def make_queries(channels: dict[str, Postings], count: int, rng: np.random.Generator) -> list[list[list[ClauseTerms]]]:
    """1 to 4 words, each common or rare by a coin toss; a word is one term and two bigrams."""
    queries = []
    for _ in range(count):
        groups = []
        for _ in range(int(rng.integers(1, 5))):
            common = bool(rng.random() < 0.5)
            word = pick(channels["words"], rng, common)
            grams = [pick(channels["grams"], rng, common) for _ in range(int(rng.integers(1, 3)))]
            groups.append([ClauseTerms(Clause(word), [word], grams, [], word)])
        queries.append(groups)
    return queries


# --- the reference: the query path as it was, every candidate scored and sorted --------------------------

def reference_postings_score(p: Postings, query_terms):
    slices = []
    for term, count in Counter(query_terms).items():
        number = p._term_number(term)
        if number is None or p.avgdl == 0:
            continue
        lo, hi = int(p.term_offsets[number]), int(p.term_offsets[number + 1])
        docs = p.doc_numbers[lo:hi]
        w = term_weights(p.term_freqs[lo:hi], p.doc_lengths[docs], float(p._idf[number]), p.avgdl, p.params)
        slices.append((docs, w * count))
    if not slices:
        return np.empty(0, dtype=np.int64), np.empty(0)
    if len(slices) == 1:
        return slices[0][0].astype(np.int64), slices[0][1]
    all_docs = np.concatenate([d for d, _ in slices])
    all_w = np.concatenate([w for _, w in slices])
    cand, inverse = np.unique(all_docs, return_inverse=True)
    scores = np.zeros(cand.size)
    np.add.at(scores, inverse, all_w)
    return cand.astype(np.int64), scores


def reference_docs_with_all(p: Postings, terms):
    result = None
    for term in sorted(set(terms), key=p.doc_freq):
        docs = p.docs_with(term)
        result = docs if result is None else np.intersect1d(result, docs, assume_unique=True)
        if result.size == 0:
            break
    return np.empty(0, dtype=np.int32) if result is None else result


def reference_rank(ranker: Ranker, groups, n_docs: int):
    ch = ranker.channels
    scored = []
    for group in groups:
        for plan in group:
            scored.extend(("title", t) for t in plan.words)
            scored.extend(("words", t) for t in plan.words)
            scored.extend(("grams", t) for t in plan.grams)

    def clause_docs(plan):
        by_words = reference_docs_with_all(ch["words"], plan.words)
        by_chars = reference_docs_with_all(ch["grams"], plan.grams)
        return np.union1d(by_words, by_chars)

    group_docs = [reduce(np.union1d, [clause_docs(p) for p in g]) for g in groups]
    both = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), group_docs)
    parts = []
    for channel in ("words", "title", "grams", "chars"):
        terms = [t for c, t in scored if c == channel]
        if terms:
            d, s = reference_postings_score(ch[channel], terms)
            parts.append((d, s * ranker.weights.of(channel)))
    docs = np.concatenate([d for d, _ in parts])
    scores = np.concatenate([s for _, s in parts])
    unique, inverse = np.unique(docs, return_inverse=True)
    total = np.zeros(unique.size)
    np.add.at(total, inverse, scores)
    all_docs, all_scores = unique.astype(np.int64), total
    if both.size >= max(1, ranker.and_fallback_below) or len(groups) == 1 and both.size:
        inside = np.isin(all_docs, both, assume_unique=True)
        candidates, scores = all_docs[inside], all_scores[inside]
    else:
        candidates, scores = all_docs, all_scores
    order = np.lexsort((candidates, -scores))
    return candidates[order], scores[order]


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("--docs", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, help="folder to keep the built postings in between runs")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    params = BM25Params()
    started = time.perf_counter()
    channels = load_or_build(args.cache, args.docs, rng, params)
    postings_count = sum(p.doc_numbers.size for p in channels.values())
    print(f"{args.docs} documents, {postings_count:,} postings in four channels, built in "
          f"{time.perf_counter() - started:.1f} s")
    ranker = Ranker(channels["words"], {n: channels[n] for n in ("title", "grams", "chars")}, Weights(), 3)
    queries = make_queries(channels, args.queries, np.random.default_rng(args.seed + 1))
    for groups in queries[:20]:  # first touches
        ranker.rank(groups, [], None, args.docs, limit=args.k)
        reference_rank(ranker, groups, args.docs)
    (ours, theirs), agreed = each_in_turn(queries, [
        lambda groups: ranker.rank(groups, [], None, args.docs, limit=args.k),
        lambda groups: reference_rank(ranker, groups, args.docs)],
        outcome=lambda ranking, reference: (ranking.candidates[:args.k].tolist() == reference[0][:args.k].tolist()
                                            and np.array_equal(ranking.scores[:args.k], reference[1][:args.k])
                                            and ranking.total == reference[0].size))
    same = sum(agreed)
    (p50, p95), (r50, r95) = percentiles(ours), percentiles(theirs)
    print(f"Ranker.rank, top {args.k}: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"reference:       p50 {r50:.2f} ms, p95 {r95:.2f} ms   ({r50 / p50:.1f}x at p50, {r95 / p95:.1f}x at p95)")
    print(f"same top {args.k}, scores and total: {same}/{len(queries)}")
    return 0 if same == len(queries) else 1


if __name__ == "__main__":
    raise SystemExit(main())
