"""Scores must equal rank-bm25's BM25Okapi on the same tokens, document by document."""

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, read_jsonl
from service.index.bm25 import BM25Params, okapi_idf
from service.index.postings import build


@pytest.fixture(scope="module")
def tokenized(analyzer):
    records = read_jsonl(CMRC_SAMPLE) + read_jsonl(DRCD_SAMPLE)
    docs = [(r["id"], analyzer.terms(r["title"]) + analyzer.terms(r["text"])) for r in records]
    queries = [analyzer.terms(r["title"]) for r in records[::7]]
    queries += [["的"], ["医保", "医保"], ["不存在的词语xyz"], [], ["电影", "导演", "电影", "上映"]]
    return docs, queries


@pytest.mark.parametrize("params", [BM25Params(), BM25Params(k1=1.2, b=0.5, epsilon=0.1),
                                    BM25Params(k1=0.9, b=0.4, epsilon=0.25)])
def test_every_score_equals_rank_bm25(tokenized, params):
    docs, queries = tokenized
    assert len(docs) >= 300
    reference = BM25Okapi([terms for _, terms in docs], k1=params.k1, b=params.b, epsilon=params.epsilon)
    postings = build(docs, params)
    assert postings.avgdl == pytest.approx(reference.avgdl, abs=1e-12)
    for query in queries:
        expected = reference.get_scores(query)
        candidates, scores = postings.score(query)
        dense = np.zeros(len(docs))
        dense[candidates] = scores
        np.testing.assert_allclose(dense, expected, rtol=0, atol=1e-9, err_msg=f"query {query}")
        # Documents outside the candidates hold none of the query terms.
        assert set(np.flatnonzero(expected)) <= set(candidates.tolist())


def test_idf_floor_matches_rank_bm25_on_common_terms():
    corpus = [["a", "b"], ["a", "c"], ["a", "b", "d"], ["e"]]
    reference = BM25Okapi(corpus)
    postings = build([(str(i), doc) for i, doc in enumerate(corpus)], BM25Params())
    for term in "abcde":
        assert postings.idf(term) == pytest.approx(reference.idf[term], abs=1e-12)
    assert reference.idf["a"] > 0 and reference.idf["a"] == pytest.approx(0.25 * reference.average_idf)


def test_idf_of_an_empty_vocabulary():
    assert okapi_idf(np.array([], dtype=np.int64), 0, 0.25).size == 0


def test_empty_index_scores_nothing():
    postings = build([], BM25Params())
    candidates, scores = postings.score(["任何"])
    assert candidates.size == 0 and scores.size == 0
