"""Extractive summaries: a few of the article's own sentences, kept in article order."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .highlight import merge_spans
from .text.analyzer import Analyzer
from .text.sentences import Sentence, split_sentences

GAP = "……"  # shown between sentences that were not adjacent in the article
ELLIPSIS = "…"  # shown where one over-long sentence was clipped


@dataclass(frozen=True)
class Summary:
    text: str
    highlights: list[tuple[int, int]]  # spans of query terms in `text`
    sentences: list[Sentence]  # the chosen sentences, offsets into the summarised text

    def to_dict(self) -> dict:
        return {"summary": self.text, "highlights": [list(span) for span in self.highlights]}


def _query_hits(analyzer: Analyzer, text: str, sentences: list[Sentence],
                wanted: set[str]) -> tuple[list[set[str]], list[list[tuple[int, int]]]]:
    """For each sentence, the query terms it holds and where they stand in `text`.

    The text is analysed once, as a whole, so the summary marks exactly the
    tokens the index matched.
    """
    terms: list[set[str]] = [set() for _ in sentences]
    spans: list[list[tuple[int, int]]] = [[] for _ in sentences]
    if not wanted:
        return terms, spans
    starts = [s.start for s in sentences]
    for token in analyzer.analyze(text):
        if token.term not in wanted:
            continue
        i = bisect_right(starts, token.start) - 1
        if i >= 0 and token.end <= sentences[i].end:
            terms[i].add(token.term)
            spans[i].append((token.start, token.end))
    return terms, spans


def _choose(terms: list[set[str]], count: int) -> list[int]:
    """Indices of the sentences to show.

    Sentences carrying more distinct query terms win, earlier ones breaking
    ties (news puts the essentials first); with no query, or no sentence
    carrying a term, the lead sentences.
    """
    scored = sorted((-len(found), i) for i, found in enumerate(terms) if found)
    if scored:
        return sorted(i for _, i in scored[:count])
    return list(range(min(count, len(terms))))


def summarize(analyzer: Analyzer, text: str, *, sentences: int = 2, max_chars: int = 160,
              query_terms: list[str] | None = None) -> Summary:
    all_sentences = split_sentences(text)
    if not all_sentences:
        return Summary("", [], [])
    terms, spans = _query_hits(analyzer, text, all_sentences, set(query_terms or ()))
    pieces: list[str] = []
    kept: list[Sentence] = []
    marks: list[tuple[int, int]] = []
    length = 0
    previous_end = None
    for i in _choose(terms, max(1, sentences)):
        sentence = all_sentences[i]
        joiner = "" if previous_end is None or text[previous_end:sentence.start].strip() == "" else GAP
        if kept and length + len(joiner) + len(sentence.text) > max_chars:
            break
        shift = length + len(joiner) - sentence.start
        marks.extend((start + shift, end + shift) for start, end in spans[i])
        pieces.append(joiner + sentence.text)
        kept.append(sentence)
        length += len(joiner) + len(sentence.text)
        previous_end = sentence.end
    summary_text = "".join(pieces)
    marks = merge_spans(marks)
    if len(summary_text) > max_chars:
        summary_text, marks = _clip(summary_text, marks, max_chars)
    return Summary(summary_text, marks, kept)


def _clip(text: str, marks: list[tuple[int, int]], max_chars: int) -> tuple[str, list[tuple[int, int]]]:
    """Cut one over-long sentence to `max_chars`, keeping the first query term in view."""
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
