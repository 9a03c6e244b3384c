"""BM25 Okapi as small pure functions, defined exactly as rank-bm25's `BM25Okapi`.

rank-bm25 is the reference the tests hold these functions to: idf is
log((N - df + 0.5) / (df + 0.5)) computed as a difference of logs, negative
idfs are replaced by epsilon times the mean idf over the whole vocabulary, and
a query term counts once per occurrence in the query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


def okapi_idf(doc_freqs: np.ndarray, n_docs: int, epsilon: float) -> np.ndarray:
    """idf for every term, with rank-bm25's floor for terms in more than half the documents."""
    df = doc_freqs.astype(np.float64)
    idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    if idf.size == 0:
        return idf
    floor = epsilon * (float(np.sum(idf)) / idf.size)
    return np.where(idf < 0, floor, idf)


def term_weights(tfs: np.ndarray, doc_lengths: np.ndarray, idf: float, avgdl: float,
                 params: BM25Params) -> np.ndarray:
    """One term's contribution to each document that holds it `tfs` times."""
    tf = tfs.astype(np.float64)
    norm = params.k1 * (1.0 - params.b + params.b * doc_lengths.astype(np.float64) / avgdl)
    return idf * (tf * (params.k1 + 1.0) / (tf + norm))
