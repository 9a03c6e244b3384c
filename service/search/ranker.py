"""From a parsed query to ranked document numbers, over the index's channels.

Each article is indexed five ways (the channels): `words` (jieba search-mode
words of the headline and body: plain BM25, equal to rank-bm25 on those
tokens), `title` (words of the headline block alone), `lede` (words of the
body's opening, `text.lede`), `grams` (overlapping CJK bigrams, so a word inside
a longer word or a name jieba does not know is still found) and `chars` (single
characters, for one-character query words). An article's score is the weighted
sum of its BM25 scores in the channels, and for the best articles the closeness
of the query's words in it (`search.proximity`, from the index's positions):

    words + title_weight * title + lede_weight * lede + grams_weight * grams + chars_weight * chars
          + proximity_weight * proximity

A weighted sum of per-field BM25 rather than BM25F: each channel stays a plain
BM25 index that can be checked against rank-bm25, and the weights are tuned on
held-out queries (bench/tune.py, docs/ranking.md). A question does not weigh
the lede unless `ranking.lede_for_questions`: what it asks may stand anywhere.

Which articles are ranked: every query group must match (AND; a group is one
word or phrase, or several joined by OR); a word matches an article holding all
its jieba words, or all its characters' bigrams. A long query (a headline, a
question) is ranked rather than filtered: an article holding a share of its
words is enough (`SoftMatch`). When fewer articles than
`ranking.and_fallback_below` match, every article holding any query term is
ranked instead (OR), and the result says so; never when a phrase is quoted.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple

import numpy as np

from .. import native
from ..index.positions import squashed
from ..index.postings import Postings, member, union
from ..text.analyzer import Analyzer
from .proximity import ProximityWord, proximity_scores
from .query import Clause, ParsedQuery

_accumulate = native.compiled("_accumulate")



@dataclass(frozen=True)
class Weights:
    title: float = 1.0
    grams: float = 0.5
    chars: float = 0.5
    lede: float = 0.0

    def of(self, channel: str) -> float:
        return 1.0 if channel == "words" else getattr(self, channel)


@dataclass
class ClauseTerms:
    clause: Clause
    words: list[str]
    grams: list[str]  # bigrams of the clause's CJK runs
    chars: list[str]  # CJK characters standing alone in the clause
    key: str  # the clause folded, without spaces or punctuation: what a phrase must contain
    # The clause's outermost words one by one, each with the words, bigrams and characters inside it: what a
    # long query counts when it matches softly.
    units: list["ClauseTerms"] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.words or self.grams or self.chars)

    @property
    def softens(self) -> bool:
        """Whether the clause's words may be counted one by one: a plain clause, not a phrase or a field."""
        return not self.clause.phrase and self.clause.field is None


def squash(analyzer: Analyzer, text: str) -> str:
    """Folded, without spaces or punctuation: where a phrase's words must stand next to each other."""
    return squashed(analyzer.fold(text))


def plan_clause(analyzer: Analyzer, clause: Clause) -> ClauseTerms:
    channels = analyzer.channels(clause.text)
    plan = ClauseTerms(clause=clause, words=[t.term for t in channels.words],
                       grams=[t.term for t in channels.grams if len(t.term) == 2],
                       chars=[t.term for t in channels.grams if len(t.term) == 1],
                       key=squash(analyzer, clause.text))
    if plan.softens:
        plan.units = _units(analyzer, channels)
    return plan


def _units(analyzer: Analyzer, channels) -> list[ClauseTerms]:
    """One plan for each outermost word of the clause (jieba's search mode adds the words inside a long word:
    `注册制` brings `注册`), matched as the clause would be: its words, or its bigrams and characters."""
    outermost: list = []
    for token in sorted(channels.words, key=lambda t: (t.start, -(t.end - t.start))):
        if not outermost or token.start >= outermost[-1].end:
            outermost.append(token)
    units = []
    for token in outermost:
        inside = [t.term for t in channels.words if token.start <= t.start and t.end <= token.end]
        grams = [g.term for g in channels.grams if len(g.term) == 2 and token.start <= g.start and g.end <= token.end]
        chars = [g.term for g in channels.chars if token.start <= g.start and g.end <= token.end] if not grams else []
        units.append(ClauseTerms(clause=Clause(token.term), words=list(dict.fromkeys(inside)), grams=grams,
                                 chars=chars, key=squash(analyzer, token.term)))
    return units


@dataclass
class Ranking:
    candidates: np.ndarray  # document numbers, best first: every match, or the first `limit` asked for
    scores: np.ndarray
    mode: str  # "and", "or", or "filter" (no query words, only filters)
    terms: list[str]  # every term scored, for display and highlights
    keys: list[str]  # clause texts as folded, for marking matches found through characters
    scored: list[tuple[str, str]] = field(default_factory=list)  # (channel, term), once per query occurrence
    matches: np.ndarray | None = None  # every matching document, ascending; None: `candidates` are all of them
    min_match: int | None = None  # mode "most": how many of the query's `units` words an article had to hold
    units: int = 0  # the words a long query counts, when it matched softly
    proximity: dict[int, float] = field(default_factory=dict)  # document -> weighted proximity score added

    @property
    def total(self) -> int:
        return int((self.candidates if self.matches is None else self.matches).size)

    @property
    def all_matches(self) -> np.ndarray:
        return self.candidates if self.matches is None else self.matches


CHANNEL_ORDER = ("words", "title", "lede", "grams", "chars")


class _Scratch(NamedTuple):
    total: np.ndarray  # float64 per article: the scores being summed
    held: np.ndarray  # bool per article: reached by some term
    part: np.ndarray  # float64 per article: one channel's sum before its weight
    mark: np.ndarray  # bool per article: reached in this channel (the compiled accumulator's)
    touched: np.ndarray  # int32: the articles reached in this channel, in order (the compiled accumulator's)


@dataclass(frozen=True)
class SoftMatch:
    """Queries of at least `from_words` words (headlines, questions, pasted sentences) match an article holding
    `fraction` of them, rounded up, rather than every one: one word the article lacks does not lose it."""

    from_words: int = 0  # 0: never; every query word must match
    fraction: float = 1.0

    def needed(self, words: int) -> int | None:
        """How many of a query's `words` an article must hold when it matches softly; None: all of them."""
        if self.from_words <= 0 or words < self.from_words or self.fraction >= 1.0:
            return None
        return max(1, math.ceil(self.fraction * words - 1e-9))


@dataclass(frozen=True)
class ProximityRanking:
    """The proximity signal (`search.proximity`), weighted and added to the best `depth` articles' scores."""

    weight: float = 0.0
    depth: int = 100


class Ranker:
    def __init__(self, words: Postings, side: dict[str, Postings], weights: Weights,
                 and_fallback_below: int, *, soft: SoftMatch = SoftMatch(),
                 proximity: ProximityRanking = ProximityRanking(), positions=None, lede_for_questions: bool = True):
        self.channels = {"words": words, **side}
        self.weights = weights
        self.and_fallback_below = and_fallback_below
        self.soft = soft
        self.proximity = proximity
        self.positions = positions  # the index's positions (`occurrences`), for phrases and proximity; may be None
        self.lede_for_questions = lede_for_questions
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
             keep: Callable[[np.ndarray], np.ndarray] | None, n_docs: int, limit: int | None = None,
             question: bool = False) -> Ranking:
        """Matches in order (score descending, then document number); only the first `limit` of them are
        put in order when given, `matches` then holding them all. A `question` (`query.is_question`) weighs the
        lede only with `lede_for_questions`: what it asks may stand anywhere in the article."""
        lede = self.lede_for_questions or not question
        scored: list[tuple[str, str]] = []
        for group in groups:
            for plan in group:
                scored.extend(("title", t) for t in plan.words)
                if plan.clause.field != "title":
                    scored.extend(("words", t) for t in plan.words)
                    if lede:
                        scored.extend(("lede", t) for t in plan.words)
                    scored.extend(("grams", t) for t in plan.grams)
                    scored.extend(("chars", t) for t in plan.chars)
        terms = list(dict.fromkeys(t for _, t in scored))
        keys = [p.key for g in groups for p in g if p.key]

        def matched(plan: ClauseTerms, within: np.ndarray | None) -> np.ndarray:
            # Phrases are checked only among the articles every other group left.
            docs = self.clause_docs(plan, within)
            return self._holding_phrase(docs, plan.key) if plan.clause.phrase and docs.size else docs

        def all_of(required: list[list[ClauseTerms]]) -> np.ndarray | None:
            # Each group is looked for only among the articles the smaller ones left.
            both: np.ndarray | None = None
            for group in sorted(required, key=self._bound):
                both = union([matched(p, both) for p in group], n_docs)
                if both.size == 0:
                    break
            return both

        units = [u for g in groups if len(g) == 1 and g[0].softens for u in g[0].units]
        needed = self.soft.needed(len(units))
        min_match = None
        # A quoted phrase is what the reader insists on: no fallback lets articles without it in.
        quoted = any(p.clause.phrase for g in groups for p in g)
        if not groups:
            candidates = np.arange(n_docs, dtype=np.int64)
            scores = np.zeros(n_docs)
            mode = "filter"
        elif needed is not None and needed < len(units):
            # A long query: phrases, fields and OR groups must match; of its other words, `needed` must.
            both = all_of([g for g in groups if not (len(g) == 1 and g[0].softens)])
            found = _none()
            if both is None or both.size:
                held = np.zeros(n_docs, dtype=np.int32)
                for unit in units:
                    held[self.clause_docs(unit, both)] += 1
                found = np.flatnonzero(held >= needed)
            if found.size or quoted:
                mode, min_match = "most", needed
                candidates, scores = self.score_among(scored, found)
            else:
                mode = "or"
                candidates, scores = self.score(scored)
        else:
            both = all_of(groups)
            assert both is not None
            if both.size >= max(1, self.and_fallback_below) or len(groups) == 1 and both.size or quoted:
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
        near = self._proximity_words(groups) if mode != "filter" else []
        added: dict[int, float] = {}
        if near and candidates.size:
            scores, added = self._add_proximity(near, candidates, scores)
        extra = {"min_match": min_match, "units": len(units) if min_match else 0, "proximity": added}
        if limit is None or candidates.size <= limit:
            order = np.lexsort((candidates, -scores))
            return Ranking(candidates[order], scores[order], mode, terms, keys, scored, **extra)
        best = top(candidates, scores, limit)
        return Ranking(candidates[best], scores[best], mode, terms, keys, scored, matches=candidates, **extra)

    def _holding_phrase(self, docs: np.ndarray, key: str) -> np.ndarray:
        """The articles among `docs` whose squashed text holds `key`, from the index's positions."""
        if self.positions is None:
            raise ValueError("a quoted phrase needs the index's positions, and this ranker has none")
        return self.positions.docs_with(key, docs)

    def _proximity_words(self, groups: list[list[ClauseTerms]]) -> list[ProximityWord]:
        """The words whose closeness counts: each outermost word of the plain clauses, each phrase whole."""
        if self.proximity.weight == 0 or self.positions is None:
            return []
        words = self.channels["words"]
        near: dict[str, ProximityWord] = {}
        for group in groups:
            if len(group) != 1 or group[0].clause.field is not None:
                continue
            plan = group[0]
            for unit in plan.units if plan.softens else [plan]:
                if len(unit.key) < 2 or unit.key in near:
                    continue
                idf = max((words.idf(t) for t in unit.words), default=0.0)
                if idf <= 0:
                    idf = max((self.channels["grams"].idf(g) for g in unit.grams), default=0.0)
                near[unit.key] = ProximityWord(unit.key, idf)
        return list(near.values()) if len(near) >= 2 else []

    def _add_proximity(self, near: list[ProximityWord], candidates: np.ndarray,
                       scores: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
        """Scores with the proximity signal added to the best `proximity.depth` of them. The depth is fixed, not
        the page's: every page of one query is then cut from the same ranking."""
        depth = self.proximity.depth
        picked = top(candidates, scores, depth) if candidates.size > depth else np.arange(candidates.size)
        picked = picked[np.argsort(candidates[picked], kind="stable")]
        docs = candidates[picked]
        words = self.channels["words"]
        closeness = proximity_scores(near, docs, self.positions.occurrences, words.norms[docs], words.params.k1)
        scores = scores.copy()
        added = self.proximity.weight * closeness
        scores[picked] += added
        near_ones = np.flatnonzero(closeness)
        return scores, dict(zip(docs[near_ones].tolist(), added[near_ones].tolist()))

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

    def explain(self, scored: list[tuple[str, str]], doc: int, proximity: float = 0.0) -> dict:
        """One article's score taken apart: weighted contribution of each term in each channel, and the
        proximity signal added to it (`Ranking.proximity`)."""
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
        weights = {c: self.weights.of(c) for c in CHANNEL_ORDER}
        if not any(c == "lede" for c, _ in scored):  # a question not weighing the lede, or no words at all
            weights["lede"] = 0.0
        return {"weights": {**weights, "proximity": self.proximity.weight}, "channels": channels,
                "proximity": proximity}


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
