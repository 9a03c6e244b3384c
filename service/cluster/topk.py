"""The coordinator's ranker: the first `limit` of a query's matches without fetching every match's weights.

A query without quoted phrase or filter (words, OR groups, title fields, `-word`, a long query matched softly) on
a build of format 3 is matched on the shards: its clauses make one Xapian query of the `words` databases, which
count its matches (an MSet of none, every document checked) and send back no id. Every match's id is fetched only
when something asks for them all (`CountedRanking.matches`: facets, collapsing copies, trends). Other queries
find their matches as `search.ranker.Ranker` does (groups, soft matching, phrases, `-word`, filters, the
fallback), each clause's terms intersected on the shards with only the ids of the articles holding them coming
back (`client.ids_only`): the total, the facets and the filters stay exact. The weights are then read top-down, a
threshold algorithm over the channels: each channel's terms make one Xapian query whose articles come back
best-weighted first, in growing batches; every article met that matches (asked of the shards, for the articles
met only, when the matches were counted rather than fetched) is weighed in full (its weight in every channel,
read for it alone through its id term); and the reading stops when the `limit`-th best full score is above what
an article not met yet could still reach, the sum of each channel's last weight read times the channel's weight.
A tie at that bound reads on, so ties fall by document number as on one machine.

When the proximity signal is on, the best `proximity.depth` are found this way (proximity is added to those
only, and never lowers a score, so the first `limit` are among them). A query the reading cannot bound falls
back to the ranker's own way, fetching every match: no `limit` (sorting by date, exports), the OR fallback, and
settings that let a match hold no weighed term (a zero weight for titles, bigrams or characters).
"""

from __future__ import annotations

import numpy as np

from ..search.ranker import Ranker, Ranking, top
from .client import Match, ids_only
from .xapian_lib import require

WORTH = 4  # below this many list entries per page slot and channel, lists are fetched whole
FIRST_BATCH = 16  # at least this many articles read per channel at first (twice the page); each batch doubles


class CountedRanking(Ranking):
    """A ranking whose total was counted on the shards: the ids of every match are fetched from them only when
    `matches` (or `all_matches`) is read, then kept."""

    def __init__(self, *args, count: int | None = None, fetch=None, **kwargs):
        # `dataclasses.replace` makes one with `matches` given, and neither of the others.
        self._count = count
        self._fetch = fetch
        self._matches = None
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def matches(self):
        if self._fetch is not None:
            found = self._fetch()
            if found.size != self._count:  # the shards changed under the coordinator: never a mixed answer
                raise RuntimeError(f"the shards counted {self._count} matches, then sent {found.size}")
            self._matches, self._fetch = found, None
        return self._matches

    @matches.setter
    def matches(self, value) -> None:
        if value is not None:
            self._matches, self._fetch = value, None

    @property
    def total(self) -> int:
        return self._count if self._fetch is not None else super().total


class BoundedRanker(Ranker):
    def __init__(self, *args, bounded: bool = True, pushed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounded = bounded  # False: every match's weights are fetched, as the ranker does over one index
        self.pushed = pushed  # False: matches are found from their ids (builds before format 3)

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
        match = self._match_query(groups, excluded, keep)
        if match is not None:
            return self._rank_counted(match, groups, excluded, n_docs, limit, question)
        found = self._dry_run(groups, excluded, keep, n_docs, question)
        if found.mode not in ("and", "most"):
            return super().rank(groups, excluded, keep, n_docs, limit=limit, question=question)
        return self._ranked(found, groups, limit, found.candidates)  # ascending: every score was left at zero

    def _dry_run(self, groups, excluded, keep, n_docs, question) -> Ranking:
        """The ranker's own decisions (mode, the terms scored, the matches) without weighing anything."""
        self._local.deferring = True
        try:
            with ids_only():
                return super().rank(groups, excluded, keep, n_docs, limit=None, question=question)
        finally:
            self._local.deferring = False

    def _ranked(self, found: Ranking, groups, limit: int, matches: np.ndarray | None,
                count: int | None = None, match=None) -> Ranking:
        """The first `limit` of the matches: `matches` when fetched, else the `count` that `match` has on the
        shards."""
        near = self._proximity_words(groups)
        need = max(limit, self.proximity.depth) if near else limit
        channels = [(postings, weight, postings.channel_query(counts))
                    for postings, weight, counts in self._by_channel(found.scored)]
        if matches is None and (count <= need or self._short(found.scored, need)):
            matches = self.channels["words"].matching(match)  # few: their ids cost less than finding the best
            if matches.size != count:  # the shards changed under the coordinator: never a mixed answer
                raise RuntimeError(f"the shards counted {count} matches, then sent {matches.size}")
        if matches is not None:
            count = matches.size
            docs, scores = self._best(found.scored, channels, matches, need)
        else:
            docs, scores = self._best_counted(channels, match, need)
        added: dict[int, float] = {}
        if near and docs.size:
            scores, added = self._add_proximity(near, docs, scores)
        extra = {"min_match": found.min_match, "units": found.units, "proximity": added}
        common = (found.mode, found.terms, found.keys, found.scored)
        if count <= limit:
            order = np.lexsort((docs, -scores))
            return Ranking(docs[order], scores[order], *common, **extra)
        best = top(docs, scores, limit)
        if matches is not None:
            return Ranking(docs[best], scores[best], *common, matches=matches, **extra)
        words = self.channels["words"]
        return CountedRanking(docs[best], scores[best], *common, count=count, fetch=lambda: words.matching(match),
                              **extra)

    def _match_query(self, groups, excluded, keep) -> Match | None:
        """The query's matching as the shards can decide it alone, or None: a quoted phrase (checked in the
        stored texts), filters and deleted articles (the store knows them), builds before format 3."""
        if not self.pushed or keep is not None:
            return None
        if any(p.clause.phrase for p in [*(p for g in groups for p in g), *excluded]):
            return None
        xapian = require()
        Query = xapian.Query
        words = self.channels["words"]

        def clause(plan):
            return words.clause_query(plan.words, plan.grams, plan.chars, title=plan.clause.field == "title")

        def every(required):
            return Query(Query.OP_AND, [Query(Query.OP_OR, [clause(p) for p in g]) for g in required])

        units = [u for g in groups if len(g) == 1 and g[0].softens for u in g[0].units]
        needed = self.soft.needed(len(units))
        if needed is not None and needed < len(units):
            # A long query: each word's clause weighs one (a synonym, however many terms it holds), the
            # phrases, fields and OR groups must match besides, and an article must weigh `needed`.
            counted = Query(Query.OP_OR, [Query(Query.OP_SYNONYM, [clause(u)]) for u in units])
            required = [g for g in groups if not (len(g) == 1 and g[0].softens)]
            match = Match(Query(Query.OP_FILTER, counted, every(required)) if required else counted, needed)
        else:
            match = Match(every(groups))
        if excluded:
            match = match._replace(query=Query(Query.OP_AND_NOT, match.query,
                                               Query(Query.OP_OR, [clause(p) for p in excluded])))
        return match

    def _rank_counted(self, match: Match, groups, excluded, n_docs, limit, question) -> Ranking:
        count = self.channels["words"].count(match)
        # The ranker's choice between its AND (or "most") matches and the OR fallback, from the count.
        if match.at_least:
            matched = count > 0
        else:
            matched = count >= max(1, self.and_fallback_below) or len(groups) == 1 and count > 0
        if not matched:
            return super().rank(groups, excluded, None, n_docs, limit=limit, question=question)
        self._local.stand_in = (np.arange(count, dtype=np.int64), {id(p) for p in excluded})
        try:
            found = self._dry_run(groups, excluded, None, n_docs, question)
        finally:
            self._local.stand_in = None
        if found.mode != ("most" if match.at_least else "and") or found.total != count:
            raise RuntimeError(f"the ranker took the {found.mode} path for {count} matches counted on the shards")
        return self._ranked(found, groups, limit, None, count, match)

    def clause_docs(self, plan, within=None):
        stand_in = getattr(self._local, "stand_in", None)
        if stand_in is not None:
            # The dry run of a query counted on the shards: every clause stands for the counted matches (the
            # ranker then takes its AND path with their number), an excluded one for none (the count left them out).
            docs, excluded = stand_in
            return docs[:0] if id(plan) in excluded else docs
        return super().clause_docs(plan, within)

    def score_among(self, scored, docs):
        if self._deferring():  # the matches only: they are weighed afterwards, the best of them
            return docs.astype(np.int64), np.zeros(docs.size, dtype=np.float64)
        return super().score_among(scored, docs)

    def _add_proximity(self, near, candidates, scores):
        if self._deferring():
            return scores, {}
        return super()._add_proximity(near, candidates, scores)

    def _short(self, scored, need: int) -> bool:
        """Whether the query's terms' lists are short enough to be fetched whole: then fewer documents move than
        batches and per-article reads would move."""
        weighed = list(self._by_channel(scored))
        everything = sum(postings.doc_freq(t) for postings, _, counts in weighed for t in counts)
        return everything <= WORTH * need * len(weighed)

    def _best(self, scored, channels, matches: np.ndarray, need: int) -> tuple[np.ndarray, np.ndarray]:
        """The first `need` of `matches` (ascending) by full score, then document number; ascending."""
        if matches.size <= need:
            return matches, self._full_scores(channels, matches)
        if self._short(scored, need):
            docs, scores = super().score_among(scored, matches)
            keep = np.sort(top(docs, scores, need)) if docs.size > need else np.arange(docs.size)
            return docs[keep], scores[keep]
        inside = np.zeros(self.n_docs, dtype=bool)
        inside[matches] = True
        return self._threshold(channels, need, lambda fresh, sure: fresh[inside[fresh]])

    def _best_counted(self, channels, match, need: int) -> tuple[np.ndarray, np.ndarray]:
        """`_best` for matches counted on the shards, not fetched: the `words` channel's list is read among the
        matches only (the shards filter it), the other channels' articles are asked about once met."""
        xapian = require()
        words = self.channels["words"]
        if match.at_least:  # a filter cannot weigh the words a long query's match counts: none is sure
            return self._threshold(channels, need, lambda fresh, sure: words.matching(match, fresh))
        channels = [(postings, weight, xapian.Query(xapian.Query.OP_FILTER, query, match.query)
                     if postings is words and query is not None else query) for postings, weight, query in channels]

        def members(fresh: np.ndarray, sure: np.ndarray) -> np.ndarray:
            unsure = fresh[~np.isin(fresh, sure)]
            return np.union1d(fresh[np.isin(fresh, sure)], words.matching(match, unsure))

        return self._threshold(channels, need, members, sure_of=words)

    def _threshold(self, channels, need: int, members, sure_of=None) -> tuple[np.ndarray, np.ndarray]:
        """The threshold reading: each channel's list best-weighted first, in batches that double, until the
        `need`-th best full score is above what an article not met yet could reach. `members(fresh, sure)` keeps
        the matches among the articles met for the first time (`sure`: those read from `sure_of`'s list, which
        holds matches only)."""
        seen = np.zeros(self.n_docs, dtype=bool)
        met: list[np.ndarray] = []
        met_scores: list[np.ndarray] = []
        read = [0] * len(channels)
        last = [np.inf] * len(channels)
        size = max(FIRST_BATCH, 2 * need)
        while True:
            batch, sure = [], np.empty(0, dtype=np.int64)
            for i, (postings, _, query) in enumerate(channels):
                if last[i] == 0.0 or read[i] >= size:
                    continue
                numbers, weights = postings.ranked(query, read[i], size - read[i])
                read[i] += numbers.size
                # A short batch is the end of the channel's list: nothing unread holds its terms.
                last[i] = float(weights[-1]) if read[i] == size and weights.size else 0.0
                batch.append(numbers)
                if postings is sure_of:
                    sure = numbers
            fresh = np.unique(np.concatenate(batch)) if batch else np.empty(0, dtype=np.int64)
            fresh = fresh[~seen[fresh]]
            seen[fresh] = True  # weighed once
            fresh = members(fresh, sure)
            if fresh.size:
                met.append(fresh)
                met_scores.append(self._full_scores(channels, fresh))
            docs, scores = (np.concatenate(met), np.concatenate(met_scores)) if met else (fresh[:0], np.empty(0))
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

