"""The coordinator's ranker: the first `limit` of a query's matches without fetching every match's weights.

The matches themselves are found as `search.ranker.Ranker` finds them (groups, soft matching, phrases,
`-word`, filters, the fallback), but each clause's terms are intersected on the shards and only the ids of the
articles holding them come back (`client.ids_only`): the total, the facets and the filters stay exact. The
weights are then read top-down, a threshold algorithm over the channels: each channel's terms make one Xapian
query whose articles come back best-weighted first, in growing batches; every article met that matches is
weighed in full (its weight in every channel, read for it alone through its id term); and the reading stops
when the `limit`-th best full score is above what an article not met yet could still reach, the sum of each
channel's last weight read times the channel's weight. A tie at that bound reads on, so ties fall by document
number as on one machine.

When the proximity signal is on, the best `proximity.depth` are found this way (proximity is added to those
only, and never lowers a score, so the first `limit` are among them). A query the reading cannot bound falls
back to the ranker's own way, fetching every match: no `limit` (sorting by date, exports), the OR fallback, and
settings that let a match hold no weighed term (a zero weight for titles, bigrams or characters).
"""

from __future__ import annotations

import numpy as np

from ..search.ranker import Ranker, Ranking, top
from .client import ids_only

WORTH = 4  # below this many list entries per page slot and channel, lists are fetched whole
FIRST_BATCH = 16  # at least this many articles read per channel at first (twice the page); each batch doubles


class BoundedRanker(Ranker):
    def __init__(self, *args, bounded: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounded = bounded  # False: every match's weights are fetched, as the ranker does over one index

    def _deferring(self) -> bool:
        return getattr(self._local, "deferring", False)

    def _every_match_weighed(self, groups) -> bool:
        """Whether every article the query matches holds one of its weighed terms, and so is met in some
        channel's ranked list: a clause's match holds all its words, bigrams and lone characters, or its title
        words, each weighed when those channels are. A long query matching softly counts its words one by one,
        and a one-character word matched by its character alone holds no weighed term unless that character
        stands alone in the query too (or some other group must match as well)."""
        if not all(self.weights.of(c) > 0 for c in ("title", "grams", "chars")):
            return False
        units = [u for g in groups if len(g) == 1 and g[0].softens for u in g[0].units]
        needed = self.soft.needed(len(units))
        if needed is None or needed >= len(units) or any(not (len(g) == 1 and g[0].softens) for g in groups):
            return True
        chars = {c for g in groups for p in g if p.clause.field != "title" for c in p.chars}
        return all(not u.chars or chars.intersection(u.chars) for u in units)

    def rank(self, groups, excluded, keep, n_docs, limit=None, question=False) -> Ranking:
        if not (self.bounded and limit is not None and groups and self._every_match_weighed(groups)):
            return super().rank(groups, excluded, keep, n_docs, limit=limit, question=question)
        self._local.deferring = True
        try:
            with ids_only():
                found = super().rank(groups, excluded, keep, n_docs, limit=None, question=question)
        finally:
            self._local.deferring = False
        if found.mode not in ("and", "most"):
            return super().rank(groups, excluded, keep, n_docs, limit=limit, question=question)
        matches = found.candidates  # ascending: every score was left at zero
        near = self._proximity_words(groups)
        need = max(limit, self.proximity.depth) if near else limit
        docs, scores = self._best(found.scored, matches, need)
        added: dict[int, float] = {}
        if near and docs.size:
            scores, added = self._add_proximity(near, docs, scores)
        extra = {"min_match": found.min_match, "units": found.units, "proximity": added}
        common = (found.mode, found.terms, found.keys, found.scored)
        if matches.size <= limit:
            order = np.lexsort((docs, -scores))
            return Ranking(docs[order], scores[order], *common, **extra)
        best = top(docs, scores, limit)
        return Ranking(docs[best], scores[best], *common, matches=matches, **extra)

    def score_among(self, scored, docs):
        if self._deferring():  # the matches only: they are weighed afterwards, the best of them
            return docs.astype(np.int64), np.zeros(docs.size, dtype=np.float64)
        return super().score_among(scored, docs)

    def _add_proximity(self, near, candidates, scores):
        if self._deferring():
            return scores, {}
        return super()._add_proximity(near, candidates, scores)

    def _best(self, scored, matches: np.ndarray, need: int) -> tuple[np.ndarray, np.ndarray]:
        """The first `need` of `matches` (ascending) by full score, then document number; ascending."""
        channels = [(postings, weight, postings.channel_query(counts))
                    for postings, weight, counts in self._by_channel(scored)]
        if matches.size <= need:
            return matches, self._full_scores(channels, matches)
        everything = sum(postings.doc_freq(t) for postings, _, counts in self._by_channel(scored) for t in counts)
        if everything <= WORTH * need * len(channels):
            # Short lists: fetching them whole moves fewer documents than batches and per-article reads would.
            docs, scores = super().score_among(scored, matches)
            keep = np.sort(top(docs, scores, need)) if docs.size > need else np.arange(docs.size)
            return docs[keep], scores[keep]
        inside = np.zeros(self.n_docs, dtype=bool)
        inside[matches] = True
        met: list[np.ndarray] = []
        met_scores: list[np.ndarray] = []
        read = [0] * len(channels)
        last = [np.inf] * len(channels)
        size = max(FIRST_BATCH, 2 * need)
        while True:
            for i, (postings, _, query) in enumerate(channels):
                if last[i] == 0.0 or read[i] >= size:
                    continue
                numbers, weights = postings.ranked(query, read[i], size - read[i])
                read[i] += numbers.size
                # A short batch is the end of the channel's list: nothing unread holds its terms.
                last[i] = float(weights[-1]) if read[i] == size and weights.size else 0.0
                fresh = np.unique(numbers)
                fresh = fresh[inside[fresh]]
                inside[fresh] = False  # weighed once
                if fresh.size:
                    met.append(fresh)
                    met_scores.append(self._full_scores(channels, fresh))
            docs, scores = (np.concatenate(met), np.concatenate(met_scores)) if met else (matches[:0], np.empty(0))
            unseen = self._combine([(w, np.array([b])) for (_, w, _), b in zip(channels, last)])[0]
            if docs.size >= need and -np.partition(-scores, need - 1)[need - 1] > unseen:
                break
            if all(b == 0.0 for b in last):
                break
            size *= 2
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
        if docs.size > need:
            keep = np.sort(top(docs, scores, need))
            docs, scores = docs[keep], scores[keep]
        return docs.astype(np.int64), scores

    def _full_scores(self, channels, numbers: np.ndarray) -> np.ndarray:
        return self._combine([(w, postings.weights_of(query, numbers)) for postings, w, query in channels])

    @staticmethod
    def _combine(parts: list[tuple[float, np.ndarray]]) -> np.ndarray:
        """The channels' weights summed as `Ranker.score_among` sums them (channel order, each times its weight):
        the bound on unread articles is summed the same way, so rounding cannot put one above it."""
        total = np.zeros(parts[0][1].size if parts else 0, dtype=np.float64)
        for weight, part in parts:
            total += part * weight
        return total

