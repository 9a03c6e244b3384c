"""Where the query's terms stand in a text: spans, never markup.

Spans come from the analyzer's token offsets into the original text, so a
Traditional text gets its own characters marked for a Simplified query.
Adapters turn spans into `<mark>` (escaping the text between them).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from ..text.analyzer import Analyzer


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans become one (search-mode tokens overlap: 中华人民共和国 / 人民)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def highlight_spans(analyzer: Analyzer, text: str, query_terms: Iterable[str],
                    keys: Iterable[str] = (), places: Mapping[str, list[tuple[int, int]]] | None = None
                    ) -> list[tuple[int, int]]:
    """Spans of the query's words in `text`, and of each key (a query word as folded) wherever the folded
    text holds it: that marks what was found through characters, inside a longer word.

    `places` are the analyzer's token spans of `text` by term, when kept: then `text` is not analysed.
    """
    wanted = set(query_terms)
    keys = [k for k in keys if k]
    if not (wanted or keys) or not text:
        return []
    if not wanted:
        spans = []
    elif places is not None:
        spans = [span for term in wanted for span in places.get(term, ())]
    else:
        spans = [(t.start, t.end) for t in analyzer.analyze(text) if t.term in wanted]
    if keys:
        folded, origins = analyzer.folder.fold_with_origins(text)
        for key in keys:
            start = folded.find(key)
            while start != -1:
                spans.append((origins[start], origins[start + len(key) - 1] + 1))
                start = folded.find(key, start + 1)
    return merge_spans(spans)


def partial_spans(analyzer: Analyzer, text: str, grams: Iterable[str],
                  whole: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans of the query's character bigrams in `text` that no span of `whole` (the query's words as found)
    touches: where a word was matched only in part, through two of its characters (`习进平` in `演习进入`)."""
    wanted = set(grams)
    if not wanted or not text:
        return []
    whole = list(whole)
    found = [(t.start, t.end) for t in analyzer.bigrams(text) if t.term in wanted]
    return merge_spans(span for span in found
                       if not any(start < span[1] and span[0] < end for start, end in whole))
