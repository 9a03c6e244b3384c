"""Where the query's terms stand in a text: spans, never markup.

Spans come from the analyzer's token offsets into the original text, so a
Traditional text gets its own characters marked for a Simplified query.
Adapters turn spans into `<mark>` (escaping the text between them).
"""

from __future__ import annotations

from typing import Iterable

from .text.analyzer import Analyzer


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans become one (search-mode tokens overlap: 中华人民共和国 / 人民)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def highlight_spans(analyzer: Analyzer, text: str, query_terms: Iterable[str]) -> list[tuple[int, int]]:
    wanted = set(query_terms)
    if not wanted or not text:
        return []
    return merge_spans((t.start, t.end) for t in analyzer.analyze(text) if t.term in wanted)
