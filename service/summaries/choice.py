"""The choice of a summary's sentences: a few of the article's own, kept in article order.

A sentence is worth the salience its words carry per character (`summaries.salience`), as an estimate of how
well it alone would stand for the text, times what it is worth for where it stands in a text of its kind
(`summaries.kinds`: a news story's lede first, a post's earlier sentences slightly). With query terms, sentences holding them come first (most distinct terms, then value);
without, or when no sentence holds one, the most valuable sentences. Sentences are added while the budget
(in sentences, in characters, or both) allows; a sentence that nearly repeats one already chosen is never
added, and the words of a chosen sentence count for less afterwards, so a second sentence brings something
new. `service/native/_summaries.pyx` makes the same choice straight from the stored summary data.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import reduce
from operator import add, mul
from typing import Sequence

from ..search.highlight import merge_spans
from ..text.sentences import Sentence

GAP = "……"  # shown between sentences that were not adjacent in the article
ELLIPSIS = "…"  # shown where one over-long sentence was clipped

# Sentence value = 2 * expected headline characters / (sentence characters + EXPECTED_OVERLAP_CHARS), times the
# sentence's prior (`summaries.kinds.sentence_priors`): a ROUGE-style F-measure against an imagined headline,
# chosen on the same texts as the weights.
EXPECTED_OVERLAP_CHARS = 6.0
REPEAT_DISCOUNT = 0.3  # salience left to a word once a chosen sentence holds it
NEAR_DUPLICATE = 0.7  # share of the shorter sentence's character pairs found in the other


@dataclass(frozen=True)
class Summary:
    text: str
    highlights: list[tuple[int, int]]  # spans of query terms in `text`
    sentences: list[Sentence]  # the chosen sentences, offsets into the summarised text

    def to_dict(self) -> dict:
        return {"summary": self.text, "highlights": [list(span) for span in self.highlights]}


def sentence_value(expected_chars: float, letters: int, prior: float) -> float:
    return 2 * expected_chars / (letters + EXPECTED_OVERLAP_CHARS) * prior


# Characters that are not letters or numbers (Unicode categories L and N): in Python's `re`, a word character
# is one `str.isalnum` holds for, which is exactly categories L and N (tests/summaries/test_choice.py checks
# every code point), less the underscore.
_NOT_LETTER = re.compile(r"[\W_]+")


def _bigrams(text: str) -> set[str]:
    chars = _NOT_LETTER.sub("", text)
    return set(map(add, chars, chars[1:])) or set(chars)


def _overlapping(x: set[str], y: set[str]) -> bool:
    if not x or not y:
        return False
    return len(x & y) / min(len(x), len(y)) >= NEAR_DUPLICATE


def near_duplicates(a: str, b: str) -> bool:
    return _overlapping(_bigrams(a), _bigrams(b))


def _assemble(text: str, chosen: Sequence[Sentence]) -> tuple[str, list[int]]:
    """The summary text of the `chosen` sentences (in article order) and where each starts in it."""
    pieces, offsets, length, previous_end = [], [], 0, None
    for sentence in chosen:
        joiner = "" if previous_end is None or not text[previous_end:sentence.start].strip() else GAP
        offsets.append(length + len(joiner))
        pieces.append(joiner + sentence.text)
        length += len(joiner) + len(sentence.text)
        previous_end = sentence.end
    return "".join(pieces), offsets


def choose(text: str, sentences: Sequence[Sentence], pool: list[int], found: list[set[str]],
            words: list[list[str]], weight: dict[str, float], letters: list[int], priors: Sequence[float],
            count: int, budget: float) -> list[int]:
    """Greedy choice by (new query terms, query terms, value), best first, within the budget.

    Every part of a sentence's key can only fall as sentences are chosen (terms get covered, words
    discounted), so a key computed earlier is an upper bound: the heap is re-scored lazily, and only the
    sentence on top is ever worked out again.
    """
    covered: set[str] = set()
    if hasattr(sentences, "starts"):  # as stored (`summaries.packed`): the bounds are there already
        starts, ends = sentences.starts, sentences.ends
    else:
        starts, ends = [s.start for s in sentences], [s.end for s in sentences]
    # A sentence's words are distinct and in the order they first occur, so its value is summed in one order.
    lengths = {i: list(map(len, words[i])) for i in pool}
    weigh = weight.__getitem__

    def key(i: int) -> tuple:
        # Added left to right from 0.0, as in the compiled chooser, whatever the Python version (`sum`
        # compensates its float additions from Python 3.12 on).
        value = sentence_value(reduce(add, map(mul, map(weigh, words[i]), lengths[i]), 0.0), letters[i], priors[i])
        return (len(found[i] - covered), len(found[i]), value, -i)

    def joiner(a: int, b: int) -> int:
        # The text between two sentences next to each other is white space only: they join without a gap mark.
        return 0 if b == a + 1 and not text[ends[a]:starts[b]].strip() else len(GAP)

    chosen: list[int] = []  # in article order
    length = 0
    bigrams: dict[int, set[str]] = {}
    heap = [(tuple(-x for x in key(i)), i) for i in pool]
    heapq.heapify(heap)
    overlong: int | None = None
    while heap and len(chosen) < count:
        stored, i = heapq.heappop(heap)
        current = tuple(-x for x in key(i))
        if current != stored:
            heapq.heappush(heap, (current, i))
            continue
        bigrams.setdefault(i, _bigrams(text[starts[i]:ends[i]]))
        if any(_overlapping(bigrams[i], bigrams[j]) for j in chosen):
            continue
        at = bisect_right(chosen, i)
        before = chosen[at - 1] if at > 0 else None
        after = chosen[at] if at < len(chosen) else None
        grown = length + ends[i] - starts[i]
        if before is not None:
            grown += joiner(before, i)
        if after is not None:
            grown += joiner(i, after) - (joiner(before, after) if before is not None else 0)
        if grown > budget:
            if overlong is None:
                overlong = i  # the best sentence, should nothing fit whole
            continue  # a summary hardly ever gets shorter: it is not tried again
        chosen.insert(at, i)
        length = grown
        covered |= found[i]
        for w in words[i]:
            weight[w] *= REPEAT_DISCOUNT
    if not chosen and overlong is not None:
        chosen = [overlong]  # no sentence fits whole: the best one is clipped
    return chosen


def finish(text: str, chosen: list[Sentence], spans: list[Sequence[tuple[int, int]]], budget: float) -> Summary:
    """The summary of the `chosen` sentences (article order), each with the spans of query words it holds."""
    summary_text, offsets = _assemble(text, chosen)
    marks = []
    for sentence, at, held in zip(chosen, offsets, spans):
        shift = at - sentence.start
        marks.extend((start + shift, end + shift) for start, end in held)
    marks = merge_spans(marks)
    if len(summary_text) > budget:
        summary_text, marks = _clip(summary_text, marks, int(budget))
    return Summary(summary_text, marks, chosen)


def _clip(text: str, marks: list[tuple[int, int]], max_chars: int) -> tuple[str, list[tuple[int, int]]]:
    """Cut one over-long sentence to `max_chars`, keeping the first query term in view."""
    if max_chars < 2:
        return text[:max_chars], [(s, min(e, max_chars)) for s, e in marks if s < max_chars]
    start = 0
    if marks and marks[0][1] > max_chars - 1:
        start = max(1, min(marks[0][0] - max_chars // 3, len(text) - (max_chars - 2)))
    room = max_chars - (2 if start else 1)  # leave room for the ellipses
    end = start + room
    lead = ELLIPSIS if start else ""
    clipped = lead + text[start:end] + (ELLIPSIS if end < len(text) else "")
    shift = len(lead) - start
    kept = [(s + shift, e + shift) for s, e in marks if s >= start and e <= end]
    return clipped, kept
