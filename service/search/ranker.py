"""From a parsed query to ranked document numbers, over the index's channels.

Each article is indexed four ways (the channels): `words` (jieba search-mode
words of the headline and body: plain BM25, equal to rank-bm25 on those
tokens), `title` (words of the headline block alone), `grams` (overlapping CJK
bigrams, so a word inside a longer word or a name jieba does not know is still
found) and `chars` (single characters, for one-character query words). An
article's score is the weighted sum of its BM25 scores in the channels:

    words + ranking.title_weight * title + ranking.grams_weight * grams + ranking.chars_weight * chars

A weighted sum of per-field BM25 rather than BM25F: each channel stays a plain
BM25 index that can be checked against rank-bm25, and the weights are tuned on
held-out queries (bench/retrieval.py).

Which articles are ranked: every query group must match (AND; a group is one
word or phrase, or several joined by OR); a word matches an article holding all
its jieba words, or all its characters' bigrams. When fewer articles than
`ranking.and_fallback_below` match, every article holding any query term is
ranked instead (OR), and the result says so.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple

import numpy as np

from .. import native
from ..index.postings import Postings, member, union
from ..text.analyzer import Analyzer
from .query import Clause, ParsedQuery

_accumulate = native.compiled("_accumulate")

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Weights:
    title: float = 1.0
    grams: float = 0.5
    chars: float = 0.5

    def of(self, channel: str) -> float:
        return 1.0 if channel == "words" else getattr(self, channel)


@dataclass
class ClauseTerms:
    clause: Clause
    words: list[str]
    grams: list[str]  # bigrams of the clause's CJK runs
    chars: list[str]  # CJK characters standing alone in the clause
    key: str  # the clause folded, without spaces or punctuation: what a phrase must contain

    @property
    def empty(self) -> bool:
        return not (self.words or self.grams or self.chars)


def squash(analyzer: Analyzer, text: str) -> str:
    """Folded, without spaces or punctuation: where a phrase's words must stand next to each other."""
    return _NOT_WORD.sub("", analyzer.fold(text))


def plan_clause(analyzer: Analyzer, clause: Clause) -> ClauseTerms:
    channels = analyzer.channels(clause.text)
    return ClauseTerms(clause=clause, words=[t.term for t in channels.words],
                       grams=[t.term for t in channels.grams if len(t.term) == 2],
                       chars=[t.term for t in channels.grams if len(t.term) == 1],
                       key=squash(analyzer, clause.text))


@dataclass
class Ranking:
    candidates: np.ndarray  # document numbers, best first: every match, or the first `limit` asked for
    scores: np.ndarray
    mode: str  # "and", "or", or "filter" (no query words, only filters)
    terms: list[str]  # every term scored, for display and highlights
    keys: list[str]  # clause texts as folded, for marking matches found through characters
    scored: list[tuple[str, str]] = field(default_factory=list)  # (channel, term), once per query occurrence
    matches: np.ndarray | None = None  # every matching document, ascending; None: `candidates` are all of them

    @property
    def total(self) -> int:
        return int((self.candidates if self.matches is None else self.matches).size)

    @property
    def all_matches(self) -> np.ndarray:
        return self.candidates if self.matches is None else self.matches


CHANNEL_ORDER = ("words", "title", "grams", "chars")


class _Scratch(NamedTuple):
    total: np.ndarray  # float64 per article: the scores being summed
    held: np.ndarray  # bool per article: reached by some term
    part: np.ndarray  # float64 per article: one channel's sum before its weight
    mark: np.ndarray  # bool per article: reached in this channel (the compiled accumulator's)
    touched: np.ndarray  # int32: the articles reached in this channel, in order (the compiled accumulator's)


class Ranker:
    def __init__(self, words: Postings, side: dict[str, Postings], weights: Weights,
                 and_fallback_below: int):
        self.channels = {"words": words, **side}
        self.weights = weights
        self.and_fallback_below = and_fallback_below
        self._local = threading.local()

    @property
    def n_docs(self) -> int:
        return self.channels["words"].n_docs

    def clause_docs(self, plan: ClauseTerms, within: np.ndarray | None = None) -> np.ndarray:
        """Articles a clause matches: all its words, or all its bigrams and lone characters; only those
        among `within` (ascending) when given."""
        n_docs = self.n_docs
        if plan.clause.field == "title":
            return self.channels["title"].docs_with_all(plan.words, within) if plan.words else _none()
        by_words = self.channels["words"].docs_with_all(plan.words, within) if plan.words else _none()
        by_chars = _none()
        if plan.grams or plan.chars:
            docs = within
            if plan.grams:
                docs = self.channels["grams"].docs_with_all(plan.grams, docs)
            if plan.chars and (docs is None or docs.size):
                docs = self.channels["chars"].docs_with_all(plan.chars, docs)
            by_chars = docs
        return union([by_words, by_chars], n_docs)

    def _bound(self, group: list[ClauseTerms]) -> int:
        """At most how many articles a group can match, from its rarest terms: the order to intersect in."""
        def rarest(channel: str, terms: list[str]) -> int:
            return min((self.channels[channel].doc_freq(t) for t in terms), default=0)

        bound = 0
        for plan in group:
            if plan.clause.field == "title":
                bound += rarest("title", plan.words)
                continue
            by_chars = min([rarest("grams", plan.grams)] * bool(plan.grams) + [rarest("chars", plan.chars)]
                           * bool(plan.chars), default=0)
            bound += rarest("words", plan.words) + by_chars
        return bound

    def rank(self, groups: list[list[ClauseTerms]], excluded: list[ClauseTerms],
             phrase_ok: Callable[[np.ndarray, str], np.ndarray],
             keep: Callable[[np.ndarray], np.ndarray] | None, n_docs: int, limit: int | None = None) -> Ranking:
        """Matches in order (score descending, then document number); only the first `limit` of them are
        put in order when given, `matches` then holding them all."""
        scored: list[tuple[str, str]] = []
        for group in groups:
            for plan in group:
                scored.extend(("title", t) for t in plan.words)
                if plan.clause.field != "title":
                    scored.extend(("words", t) for t in plan.words)
                    scored.extend(("grams", t) for t in plan.grams)
                    scored.extend(("chars", t) for t in plan.chars)
        terms = list(dict.fromkeys(t for _, t in scored))
        keys = [p.key for g in groups for p in g if p.key]

        def matched(plan: ClauseTerms, within: np.ndarray | None) -> np.ndarray:
            # Phrases are checked only among the articles every other group left: each check reads an article.
            docs = self.clause_docs(plan, within)
            return phrase_ok(docs, plan.key) if plan.clause.phrase and docs.size else docs

        if not groups:
            candidates = np.arange(n_docs, dtype=np.int64)
            scores = np.zeros(n_docs)
            mode = "filter"
        else:
            # Every group must match: each is looked for only among the articles the smaller ones left.
            both: np.ndarray | None = None
            for group in sorted(groups, key=self._bound):
                both = union([matched(p, both) for p in group], n_docs)
                if both.size == 0:
                    break
            assert both is not None
            if both.size >= max(1, self.and_fallback_below) or len(groups) == 1 and both.size:
                mode = "and"
                candidates, scores = self.score_among(scored, both)
            else:
                mode = "or"
                candidates, scores = self.score(scored)
        if excluded and candidates.size:
            out = union([matched(p, candidates) for p in excluded], n_docs)
            if out.size:
                inside = ~member(candidates, out, n_docs)
                candidates, scores = candidates[inside], scores[inside]
        if keep is not None and candidates.size:
            mask = keep(candidates)
            candidates, scores = candidates[mask], scores[mask]
        if limit is None or candidates.size <= limit:
            order = np.lexsort((candidates, -scores))
            return Ranking(candidates[order], scores[order], mode, terms, keys, scored)
        best = top(candidates, scores, limit)
        return Ranking(candidates[best], scores[best], mode, terms, keys, scored, matches=candidates)

    def _by_channel(self, scored: list[tuple[str, str]]) -> Iterable[tuple[Postings, float, Counter]]:
        for channel in CHANNEL_ORDER:
            weight = self.weights.of(channel)
            counts = Counter(t for c, t in scored if c == channel)
            if counts and weight != 0:
                yield self.channels[channel], weight, counts

    def score(self, scored: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """Weighted BM25 over the channels for every article holding any scored term, ascending.

        Each channel's terms are summed in query order and the channels in turn, as `Postings.score` and a
        sum over the channels' results would: one slot per article instead of sorting every posting. The
        compiled accumulator does it where it is built (`service.native`), NumPy otherwise: the same scores to
        the last bit.
        """
        return self.score_compiled(scored) if _accumulate is not None else self.score_in_numpy(scored)

    def score_in_numpy(self, scored: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        arrays = self._scratch()
        try:
            return self._score_into(scored, arrays.total, arrays.held, arrays.part)
        except BaseException:
            self._local.arrays = None  # perhaps left part-filled: never used again
            raise

    def score_compiled(self, scored: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """`score` by the compiled accumulator, whatever the switch says; an error where it is not built."""
        compiled = native.built("_accumulate")
        if compiled is None:
            raise RuntimeError("the compiled accumulator (service.native._accumulate) is not built")
        arrays = self._scratch()
        try:
            return self._score_native(compiled.add_channel, scored, arrays)
        except BaseException:
            self._local.arrays = None
            raise

    def _score_native(self, add_channel: Callable, scored: list[tuple[str, str]], arrays: "_Scratch"
                      ) -> tuple[np.ndarray, np.ndarray]:
        total, held = arrays.total, arrays.held
        for postings, weight, counts in self._by_channel(scored):
            slices = []
            for term, count in counts.items():
                docs, weights = postings.term_weights(term)
                if docs.size:
                    slices.append((docs, weights, count))
            if slices:
                add_channel(total, held, arrays.part, arrays.mark, arrays.touched, slices, weight)
        candidates = np.flatnonzero(held)
        scores = total[candidates]
        total[candidates] = 0.0  # the scratch arrays are left all zero for the next query
        held[candidates] = False
        return candidates, scores

    def _score_into(self, scored: list[tuple[str, str]], total: np.ndarray, held: np.ndarray,
                    part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Where every slot is still zero a weight is written rather than added: 0 + x is x for every positive
        # x and for +0 (a BM25 weight is never negative zero), and the writing skips reading the slots back.
        empty = True
        for postings, weight, counts in self._by_channel(scored):
            slices = []
            for term, count in counts.items():
                docs, weights = postings.term_weights(term)
                if docs.size:
                    slices.append((docs, weights * count if count != 1 else weights))  # x * 1 is x
            if len(slices) == 1:
                docs, weights = slices[0]
                weights = weights * weight if weight != 1.0 else weights
                if empty:
                    total[docs] = weights
                else:
                    total[docs] += weights
                held[docs] = True
            elif slices:
                for number, (docs, weights) in enumerate(slices):
                    if number == 0:
                        part[docs] = weights
                    else:
                        part[docs] += weights  # a term's documents are distinct
                docs = np.concatenate([d for d, _ in slices])
                # A repeated number writes the same sum again.
                summed = part[docs] * weight if weight != 1.0 else part[docs]
                if empty:
                    total[docs] = summed
                else:
                    total[docs] += summed
                held[docs] = True
                part[docs] = 0.0
            else:
                continue
            empty = False
        candidates = np.flatnonzero(held)
        scores = total[candidates]
        total[candidates] = 0.0  # the scratch arrays are left all zero for the next query
        held[candidates] = False
        return candidates, scores

    def _scratch(self) -> "_Scratch":
        """Zeroed per-article arrays, this thread's own, reused from query to query: fresh ones of a large
        archive cost more in page faults than the scoring itself."""
        arrays = getattr(self._local, "arrays", None)
        if arrays is None:
            n_docs = self.n_docs
            arrays = _Scratch(total=np.zeros(n_docs, dtype=np.float64), held=np.zeros(n_docs, dtype=bool),
                              part=np.zeros(n_docs, dtype=np.float64), mark=np.zeros(n_docs, dtype=bool),
                              touched=np.zeros(n_docs, dtype=np.int32))
            self._local.arrays = arrays
        return arrays

    def score_among(self, scored: list[tuple[str, str]], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`score` for the articles among `docs` (ascending) only: those holding a scored term, and theirs."""
        weighed = list(self._by_channel(scored))
        reads = sum(p.doc_freq(t) for p, _, counts in weighed for t in counts)
        lookups = docs.size * sum(len(counts) for _, _, counts in weighed)
        if lookups * 24 > reads:  # a pass over the postings is cheaper than a binary search per article
            everyone, scores = self.score(scored)
            inside = member(everyone, docs, self.n_docs)
            return everyone[inside], scores[inside]
        total = np.zeros(docs.size, dtype=np.float64)
        held = np.zeros(docs.size, dtype=bool)
        for postings, weight, counts in weighed:
            part = np.zeros(docs.size, dtype=np.float64)
            for term, count in counts.items():
                found, weights = postings.weights_at(term, docs)
                part[found] += weights * count
                held |= found
            total += part * weight
        return docs[held].astype(np.int64), total[held]

    def explain(self, scored: list[tuple[str, str]], doc: int) -> dict:
        """One article's score taken apart: weighted contribution of each term in each channel."""
        docs = np.array([doc], dtype=np.int32)
        channels: dict[str, dict[str, float]] = {}
        for channel, term in scored:
            weight = self.weights.of(channel)
            if weight == 0:
                continue
            value = float(self.channels[channel].contributions(term, docs)[0]) * weight
            if value:
                channels.setdefault(channel, {})
                channels[channel][term] = channels[channel].get(term, 0.0) + value
        return {"weights": {c: self.weights.of(c) for c in ("words", "title", "grams", "chars")},
                "channels": channels}


def top(candidates: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the first `limit` by (score descending, document number ascending), in that order;
    `candidates` ascending. Only those are sorted: the rest are cut off at the `limit`-th score."""
    threshold = -np.partition(-scores, limit - 1)[limit - 1]
    above = np.flatnonzero(scores > threshold)
    tied = np.flatnonzero(scores == threshold)[:limit - above.size]  # the lowest numbers of a tie
    best = np.concatenate((above, tied))
    return best[np.lexsort((candidates[best], -scores[best]))]


def _none() -> np.ndarray:
    return np.empty(0, dtype=np.int32)


def plan_query(analyzer: Analyzer, parsed: ParsedQuery) -> tuple[list[list[ClauseTerms]], list[ClauseTerms]]:
    groups = []
    for group in parsed.groups:
        plans = [p for p in (plan_clause(analyzer, c) for c in group) if not p.empty]
        if plans:
            groups.append(plans)
    excluded = [p for p in (plan_clause(analyzer, c) for c in parsed.excluded) if not p.empty]
    return groups, excluded
