"""Words that characterise a result set: over-represented in its best hits compared with the whole archive.

The score is JLH, the default of Elasticsearch's `significant_terms`: with `fg` the share of the sampled hits
holding a word and `bg` the share of the archive's articles holding it,

    JLH = (fg - bg) * (fg / bg)     (words with fg <= bg score nothing)

The absolute gain favours words common in the hits, the relative gain words rare in the archive; their
product prefers words that are both. Chi-square (also offered by Elasticsearch) ranks nearly the same ten words
on real news (docs/trends.md); JLH is kept as Elasticsearch's default, with no table of four counts to fill.

The foreground is a sample, the best `SAMPLE` hits in the order shown: a query matching a third of the archive
would otherwise cost a pass over a hundred thousand articles, and the best hits are what the query is about
(the long tail of a broad query holds every topic, and pulls the list toward the archive's own words).
Elasticsearch's `sampler` aggregation is there for the same reason. The words considered are the stored
keywords of the sampled articles (worked out once per article at ingest, so no article is read or cut into
words at query time), the `MAX_CANDIDATES` most frequent of them; each one's count among the sample and in the
archive comes from the index's postings, exact, not from the keyword lists.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from ..index.postings import Postings
from ..summaries.keywords import is_candidate

# Sampled hits: enough for a word in 2 % of them to reach MIN_HITS, few enough that the sample's keywords
# (10 each) are a few hundred postings lookups.
SAMPLE = 200
MAX_TERMS = 10
# A word in one or two of the hits says more about those articles than about the result set.
MIN_HITS = 3
# Words counted at most: those that are keywords of the most sampled hits. Each is a postings lookup; a sample of
# varied hits has up to SAMPLE x 10 different keywords, and one keyword of a single hit seldom makes the list.
MAX_CANDIDATES = 500


def jlh(fg_hits: int, fg_size: int, bg_hits: int, bg_size: int) -> float:
    """Elasticsearch's JLH score of a word in `fg_hits` of `fg_size` sampled hits and `bg_hits` of the
    archive's `bg_size` articles; 0 unless the word is over-represented in the hits."""
    if not fg_size or not bg_size or not bg_hits:
        return 0.0
    fg, bg = fg_hits / fg_size, bg_hits / bg_size
    if fg <= bg:
        return 0.0
    return (fg - bg) * (fg / bg)


@dataclass(frozen=True)
class SignificantTerm:
    term: str  # as the index holds it (folded)
    text: str  # as the hits most often write it
    hits: int  # sampled hits holding it
    docs: int  # archive articles holding it
    score: float

    def to_dict(self) -> dict:
        return {"value": self.text, "count": self.hits, "archive_count": self.docs, "score": round(self.score, 6)}


def count_in(docs: np.ndarray, in_sample: np.ndarray) -> int:
    """How many of `docs` (document numbers) are in the sample (`in_sample`: a mask over every document).

    A gather over the posting list, one pass over memory read in order, where a binary search of each sampled
    article in it jumps about the list (a keyword's posting list holds a few thousand articles at most)."""
    return int(np.count_nonzero(in_sample[docs])) if docs.size else 0


def _is_query_word(term: str, keys: Iterable[str], terms: set[str]) -> bool:
    """A word of the query, or one holding it or held in it: `扶贫工作` says nothing new about `扶贫`."""
    return term in terms or any(term in key or key in term for key in keys if key)


def significant_terms(sample: np.ndarray, keywords: Iterable[tuple[str, str]], postings: Postings, *,
                      query_terms: Iterable[str] = (), query_keys: Iterable[str] = (),
                      stopwords: frozenset[str] = frozenset(), limit: int = MAX_TERMS,
                      min_hits: int = MIN_HITS) -> list[SignificantTerm]:
    """The `limit` words with the highest JLH among `keywords` ((folded term, as written) of the sampled
    hits' stored keywords), counted in `sample` (document numbers) against the whole of `postings`.

    Stop-words, single characters, numbers and the query's own words are left out.
    """
    n_docs = postings.n_docs
    in_sample = np.zeros(n_docs, dtype=bool)
    in_sample[np.asarray(sample, dtype=np.int64)] = True
    size = int(np.count_nonzero(in_sample))
    terms, keys = set(query_terms), [k for k in query_keys if k]
    # Each (word, spelling) counted once, then each word checked once: a sample repeats its keywords.
    written: dict[str, dict[str, int]] = {}
    for (term, text), count in Counter(keywords).items():
        written.setdefault(term, {})[text] = count
    written = {term: spellings for term, spellings in written.items()
               if len(term) >= 2 and term not in stopwords and is_candidate(term)
               and not _is_query_word(term, keys, terms)}
    if len(written) > MAX_CANDIDATES:  # the most frequent keywords, the first met breaking ties (dicts keep order)
        kept = sorted(written, key=lambda t: -sum(written[t].values()))[:MAX_CANDIDATES]
        written = {term: written[term] for term in kept}
    found = []
    for term, spellings in written.items():
        docs = postings.docs_with(term)
        hits = count_in(docs, in_sample)
        if hits < min_hits:
            continue
        score = jlh(hits, size, int(docs.size), n_docs)
        if score > 0:
            text = max(spellings, key=lambda t: (spellings[t], t == term))
            found.append(SignificantTerm(term, text, hits, int(docs.size), score))
    found.sort(key=lambda t: (-t.score, t.term))
    return found[:limit]
