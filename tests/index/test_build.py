"""Runs and their merge give exactly the index that building everything at once gives."""

from collections import Counter

import numpy as np
from hypothesis import given, settings, strategies as st

from service.index.bm25 import BM25Params
from service.index.build import RunBuilder, Source, channel_folder, merge_channel, merged_doc_lists
from service.index.postings import build_counted
from service.index import storage

PARAMS = BM25Params()
CHANNELS = ("words", "grams")


def counts_of(terms: list[str]) -> dict:
    return {"words": [len(terms), dict(Counter(terms))],
            "grams": [len(terms) * 2, dict(Counter(t + "!" for t in terms))]}


def expected(docs: list[tuple[str, list[str]]], channel: str):
    return build_counted(((doc_id, *counts_of(terms)[channel]) for doc_id, terms in docs), PARAMS)


def merged(tmp_path, sources, channel, block_postings=4_000_000):
    out = tmp_path / f"out-{channel}"
    info = merge_channel(sources, channel, out, sync=False, block_postings=block_postings)
    names = ("term_offsets", "doc_numbers", "term_freqs", "doc_lengths")
    arrays = {name: np.load(out / f"{name}.npy") for name in names}
    terms = storage._read_lines(out / "terms.txt")
    return info, terms, arrays


def assert_same(tmp_path, sources, docs, block_postings=4_000_000):
    ids, hashes = merged_doc_lists(sources)
    assert ids == [doc_id for doc_id, _ in docs]
    assert hashes == [f"h-{doc_id}" for doc_id, _ in docs]
    for channel in CHANNELS:
        info, terms, arrays = merged(tmp_path, sources, channel, block_postings)
        want = expected(docs, channel)
        assert terms == list(want.terms)
        for name, values in arrays.items():
            assert values.tolist() == getattr(want, name).tolist(), name
        assert info.terms == len(want.terms) and info.postings == int(want.doc_numbers.size)


def write_runs(folder, docs, max_postings):
    builder = RunBuilder(folder, CHANNELS, max_postings=max_postings)
    for doc_id, terms in docs:
        builder.add(doc_id, f"h-{doc_id}", counts_of(terms))
    builder.flush()
    return builder.written


DOCS = [("a", ["中国", "足球", "中国"]), ("b", ["足球", "比赛"]), ("c", ["灵芝"]), ("d", ["中国", "灵芝", "x"]),
        ("e", ["比赛", "比赛", "比赛"])]


def test_runs_merge_into_the_index_built_at_once(tmp_path):
    runs = write_runs(tmp_path / "runs", DOCS, max_postings=3)
    assert len(runs) > 1
    assert_same(tmp_path, [Source(r) for r in runs], DOCS)


def test_small_blocks_give_the_same_merge(tmp_path):
    runs = write_runs(tmp_path / "runs", DOCS, max_postings=4)
    assert_same(tmp_path, [Source(r) for r in runs], DOCS, block_postings=1)


def test_dropped_documents_and_their_only_terms_disappear(tmp_path):
    [run] = write_runs(tmp_path / "runs", DOCS, max_postings=10_000)
    keep = np.array([True, False, False, True, True])
    kept_docs = [d for d, k in zip(DOCS, keep) if k]
    assert_same(tmp_path, [Source(run, keep)], kept_docs)
    _, terms, _ = merged(tmp_path, [Source(run, keep)], "words")
    assert "灵芝" in terms and "足球" in terms  # still held by a and d
    none_kept = [Source(run, np.zeros(5, dtype=bool))]
    info, terms, arrays = merged(tmp_path, none_kept, "words")
    assert terms == [] and info.postings == 0 and arrays["term_offsets"].tolist() == [0]


def test_a_generation_is_a_source_like_a_run(tmp_path):
    """The live index, less deleted articles, followed by new runs: what an ingest merges."""
    first = DOCS[:3]
    words = build_counted(((d, *counts_of(t)["words"]) for d, t in first), PARAMS)
    grams = build_counted(((d, *counts_of(t)["grams"]) for d, t in first), PARAMS)
    storage.save(words, tmp_path / "index", "fp", channels={"grams": grams},
                 doc_hashes=[f"h-{d}" for d, _ in first])
    generation = tmp_path / "index" / storage.current_generation(tmp_path / "index")
    runs = write_runs(tmp_path / "runs", DOCS[3:], max_postings=2)
    keep = np.array([True, False, True])
    docs = [DOCS[0], DOCS[2], *DOCS[3:]]
    assert_same(tmp_path, [Source(generation, keep), *[Source(r) for r in runs]], docs)
    assert channel_folder(generation, "grams") == generation / "channels" / "grams"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["甲", "乙", "丙丁", "a", "𠀋", "b c"]), max_size=6), min_size=1,
                max_size=12),
       st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=30), st.data())
def test_any_documents_any_run_size_any_block_size(tmp_path_factory, texts, run_postings, block, data):
    tmp_path = tmp_path_factory.mktemp("merge")
    docs = [(f"d{i}", terms) for i, terms in enumerate(texts)]
    runs = write_runs(tmp_path / "runs", docs, max_postings=run_postings)
    keeps = [data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
             for n in (len(storage._read_lines(r / "doc_ids.txt")) for r in runs)]
    sources = [Source(r, np.array(k, dtype=bool)) for r, k in zip(runs, keeps)]
    kept = [d for d, k in zip(docs, [k for ks in keeps for k in ks]) if k]
    assert_same(tmp_path, sources, kept, block_postings=block)


def test_a_merged_generation_scores_as_rank_bm25_does_on_thousands_of_documents(tmp_path):
    """Parity at a larger scale: 3,000 Zipf-distributed documents written as runs, merged with deletions,
    opened from disk, every score of 60 queries against BM25Okapi over the kept documents."""
    from rank_bm25 import BM25Okapi

    rng = np.random.default_rng(11)
    vocabulary = [f"词{i}" for i in range(4000)]
    ranks = np.arange(1, len(vocabulary) + 1)
    weights = 1 / ranks
    weights /= weights.sum()
    docs = [(f"d{i}", [vocabulary[t] for t in rng.choice(len(vocabulary), size=int(rng.integers(5, 300)),
                                                          p=weights)]) for i in range(3000)]
    runs = write_runs(tmp_path / "runs", docs, max_postings=40_000)
    assert len(runs) > 5
    keep = [np.array([(i % 17) != 3 for i in range(n)], dtype=bool)
            for n in (len(storage._read_lines(r / "doc_ids.txt")) for r in runs)]
    sources = [Source(r, k) for r, k in zip(runs, keep)]
    kept = [d for d, k in zip(docs, np.concatenate(keep).tolist()) if k]
    out = tmp_path / "generation"
    merge_channel(sources, "words", out, sync=False, block_postings=10_000)
    ids, _ = merged_doc_lists(sources)
    (out / "doc_ids.txt").write_text("".join(i + "\n" for i in ids), encoding="utf-8")
    counts = {"terms": len(storage._read_lines(out / "terms.txt")),
              "postings": int(np.load(out / "doc_numbers.npy").size)}
    postings = storage._read_postings(out, ids, PARAMS, counts)
    reference = BM25Okapi([terms for _, terms in kept], k1=PARAMS.k1, b=PARAMS.b, epsilon=PARAMS.epsilon)
    for q in range(60):
        query = [vocabulary[t] for t in rng.choice(len(vocabulary), size=int(rng.integers(1, 5)), p=weights)]
        candidates, scores = postings.score(query)
        dense = np.zeros(len(kept))
        dense[candidates] = scores
        np.testing.assert_allclose(dense, reference.get_scores(query), rtol=0, atol=1e-9)
