"""Extractive summaries: a few of the article's own sentences, kept in article order."""

from __future__ import annotations

from dataclasses import dataclass

from .highlight import highlight_spans
from .text.analyzer import Analyzer
from .text.sentences import Sentence, split_sentences

GAP = "……"  # shown between sentences that were not adjacent in the article


@dataclass(frozen=True)
class Summary:
    text: str
    highlights: list[tuple[int, int]]  # spans of query terms in `text`
    sentences: list[Sentence]  # the chosen sentences, offsets into the summarised text

    def to_dict(self) -> dict:
        return {"summary": self.text, "highlights": [list(span) for span in self.highlights]}


def _choose(analyzer: Analyzer, sentences: list[Sentence], query_terms: set[str], count: int) -> list[int]:
    """Indices of the sentences to show.

    With a query, sentences carrying more distinct query terms win, earlier
    ones breaking ties (news puts the essentials first); without one, or when
    no sentence carries a term, the lead sentences.
    """
    if query_terms:
        scored = []
        for i, sentence in enumerate(sentences):
            hits = query_terms.intersection(analyzer.terms(sentence.text))
            if hits:
                scored.append((-len(hits), i))
        if scored:
            scored.sort()
            chosen = [i for _, i in scored[:count]]
            return sorted(chosen)
    return list(range(min(count, len(sentences))))


def summarize(analyzer: Analyzer, text: str, *, sentences: int = 2, max_chars: int = 160,
              query_terms: list[str] | None = None) -> Summary:
    wanted = set(query_terms or ())
    all_sentences = split_sentences(text)
    if not all_sentences:
        return Summary("", [], [])
    chosen = [all_sentences[i] for i in _choose(analyzer, all_sentences, wanted, max(1, sentences))]
    pieces: list[str] = []
    kept: list[Sentence] = []
    length = 0
    previous_end = None
    for sentence in chosen:
        joiner = "" if previous_end is None or text[previous_end:sentence.start].strip() == "" else GAP
        if kept and length + len(joiner) + len(sentence.text) > max_chars:
            break
        pieces.append(joiner + sentence.text)
        kept.append(sentence)
        length += len(joiner) + len(sentence.text)
        previous_end = sentence.end
    summary_text = "".join(pieces)
    if len(summary_text) > max_chars:
        summary_text = _clip(analyzer, summary_text, max_chars, wanted)
    return Summary(summary_text, highlight_spans(analyzer, summary_text, wanted), kept)


def _clip(analyzer: Analyzer, text: str, max_chars: int, wanted: set[str]) -> str:
    """Cut one over-long sentence to `max_chars`, keeping the first query term in view."""
    spans = highlight_spans(analyzer, text, wanted)
    start = 0
    if spans and spans[0][1] > max_chars - 1:
        start = max(1, min(spans[0][0] - max_chars // 3, len(text) - (max_chars - 2)))
    room = max_chars - (2 if start else 1)  # leave room for the ellipses
    end = start + room
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
