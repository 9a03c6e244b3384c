"""Where the query's terms stand in a text: spans, never markup.

Spans come from the analyzer's token offsets into the original text, so a
Traditional text gets its own characters marked for a Simplified query.
Adapters turn spans into `<mark>` (escaping the text between them).
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from ..text.analyzer import Analyzer
from ..text.ngrams import is_cjk


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
                    keys: Iterable[str] = (), places: Mapping[str, list[tuple[int, int]]] | None = None,
                    folded: tuple[str, Sequence[int]] | None = None) -> list[tuple[int, int]]:
    """Spans of the query's words in `text`, and of each key (a query word as folded) wherever the folded
    text holds it: that marks what was found through characters, inside a longer word.

    `places` are the analyzer's token spans of `text` by term, when kept: then `text` is not analysed.
    `folded`: `analyzer.fold_with_origins(text)`, when the caller has it.
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
        folded, origins = folded or analyzer.fold_with_origins(text)
        for key in keys:
            start = folded.find(key)
            while start != -1:
                spans.append((origins[start], origins[start + len(key) - 1] + 1))
                start = folded.find(key, start + 1)
    return merge_spans(spans)


def partial_spans(analyzer: Analyzer, text: str, grams: Iterable[str],
                  whole: Iterable[tuple[int, int]] = (),
                  folded: tuple[str, Sequence[int]] | None = None) -> list[tuple[int, int]]:
    """Spans of the query's character bigrams in `text` that no span of `whole` (the query's words as found)
    touches: where a word was matched only in part, through two of its characters (`习进平` in `演习进入`).
    `folded`: `analyzer.fold_with_origins(text)`, when the caller has it."""
    wanted = {gram for gram in grams if len(gram) <= 2 and is_cjk(gram) and gram not in analyzer.stopwords}
    if not wanted or not text:
        return []
    whole = list(whole)
    # Each wanted gram looked for where it stands in the folded text, rather than every bigram of the text made
    # and compared: a page's titles and summaries took a millisecond a search so. A gram is two CJK characters
    # (found anywhere: both in one run) or a lone one (found only as a run of its own), as `cjk_bigrams` has it.
    folded, origins = folded or analyzer.fold_with_origins(text)
    found = []
    for gram in wanted:
        at = folded.find(gram)
        while at != -1:
            end = at + len(gram)
            if len(gram) > 1 or not (is_cjk(folded[at - 1:at]) or is_cjk(folded[end:end + 1])):
                found.append((origins[at], origins[end - 1] + 1))
            at = folded.find(gram, at + 1)
    return merge_spans(span for span in found
                       if not any(start < span[1] and span[0] < end for start, end in whole))
