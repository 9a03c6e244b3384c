"""The ingest-time extras as they were before they were made faster, kept for `bench/analysis.py` (speed) and
the tests (equality): `work_out_extras` with `summarize.prepare`, `word_features`, `salience` and
`keywords.keywords` in their original, one-Python-step-per-token form.

Only the parts that changed are copied; `SummaryData`, its `summary` and `to_bytes` are today's.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from functools import reduce
from operator import add
from typing import Iterable, Sequence

from service.extras import Extras, ExtrasSettings
from service.keywords import STOPWORDS, TITLE_WEIGHT, Keyword, Rarity, background_idf
from service.summarize import SALIENCE_WEIGHTS, TITLE_SALIENCE, SummaryData
from service.text.analyzer import Analyzer, Token
from service.text.sentences import Sentence, split_sentences

_QUOTED = re.compile(r"“[^”]{1,30}”|《[^》]{1,30}》|「[^」]{1,30}」|\"[^\"]{1,30}\"")


def whole_words(tokens: Iterable[Token]) -> list[Token]:
    kept: list[Token] = []
    reach = -1
    for token in sorted(tokens, key=lambda t: (t.start, -t.end)):
        if token.end <= reach:
            continue
        kept.append(token)
        reach = token.end
    return kept


def is_candidate(term: str) -> bool:
    if len(term) < 2 or term in STOPWORDS:
        return False
    if all(unicodedata.category(ch)[0] == "N" or ch in ".,%" for ch in term):
        return False
    return any(unicodedata.category(ch)[0] == "L" for ch in term)


def keywords(title: str, title_tokens: Sequence[Token], body: str, body_tokens: Sequence[Token],
             rarity: Rarity, count: int) -> list[Keyword]:
    tf: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for text, tokens, weight in ((title, title_tokens, TITLE_WEIGHT), (body, body_tokens, 1)):
        for token in whole_words(tokens):
            if is_candidate(token.term):
                tf[token.term] += weight
                surface.setdefault(token.term, text[token.start:token.end])
    scored = sorted(((freq * rarity.idf(term), term) for term, freq in tf.items()), key=lambda x: (-x[0], x[1]))
    return [Keyword(term, surface[term], round(weight, 4)) for weight, term in scored[:count]]


def _letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def _sentence_of(starts: list[int], sentences: Sequence[Sentence], token: Token) -> int | None:
    i = bisect_right(starts, token.start) - 1
    if i >= 0 and token.end <= sentences[i].end:
        return i
    return None


def word_features(text: str, sentences: Sequence[Sentence], tokens: Sequence[Token]
                  ) -> tuple[dict[str, list[float]], list[list[str]]]:
    table, median = background_idf()
    starts = [s.start for s in sentences]
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    quote_starts = [start for start, _ in quoted]
    per_sentence: list[list[str]] = [[] for _ in sentences]
    seen: dict[str, dict] = {}
    for token in whole_words(tokens):
        i = _sentence_of(starts, sentences, token)
        if i is None:
            continue
        per_sentence[i].append(token.term)
        info = seen.setdefault(token.term, {"tf": 0, "sentences": set(), "first": i, "at": token.start,
                                            "quoted": False})
        info["tf"] += 1
        info["sentences"].add(i)
        if not info["quoted"]:
            q = bisect_left(quote_starts, token.start) - 1
            info["quoted"] = q >= 0 and token.end < quoted[q][1]
    tfidf = {term: info["tf"] * table.get(term, median) for term, info in seen.items()}
    rank = {term: r for r, term in enumerate(sorted(tfidf, key=lambda t: (-tfidf[t], t)))}
    length = max(len(text), 1)
    features = {}
    for term, info in seen.items():
        features[term] = [
            1.0,
            math.log(info["tf"]),
            float(len(info["sentences"]) - 1),
            table.get(term, median) / 10,
            0.0 if term in table else 1.0,
            min(len(term), 4) / 4,
            1.0 if len(term) == 1 else 0.0,
            1.0 if info["first"] == 0 else 0.0,
            info["at"] / length,
            1.0 if any(ch.isdigit() for ch in term) else 0.0,
            1 / (1 + rank[term]),
            1.0 if info["quoted"] else 0.0,
        ]
    return features, per_sentence


def salience(features: dict[str, list[float]], weights: Sequence[float] = SALIENCE_WEIGHTS) -> dict[str, float]:
    # Added left to right from 0.0, as `summarize` adds them, whatever the Python version (`sum` compensates
    # float additions from 3.12 on).
    return {term: 1 / (1 + math.exp(-reduce(add, (w * x for w, x in zip(weights, f)), 0.0)))
            for term, f in features.items()}


def prepare(analyzer: Analyzer, text: str, *, title: str | None = None, tokens: Sequence[Token] | None = None,
            title_tokens: Sequence[Token] | None = None) -> SummaryData:
    if title and title_tokens is None:
        title_tokens = analyzer.analyze(title)
    title_places: dict[str, list[tuple[int, int]]] = {}
    for token in (title_tokens or ()) if title else ():
        title_places.setdefault(token.term, []).append((token.start, token.end))
    all_sentences = split_sentences(text)
    if not all_sentences:
        return SummaryData([], {}, [], [], {}, title_places)
    if tokens is None:
        tokens = analyzer.analyze(text)
    features, words = word_features(text, all_sentences, tokens)
    weight = salience(features)
    if title:
        for term in {t.term for t in whole_words(title_tokens)}:
            if term in weight:
                weight[term] = max(weight[term], TITLE_SALIENCE)
    letters = [_letters(s.text) for s in all_sentences]
    places: dict[str, list[tuple[int, int]]] = {}
    for token in tokens:
        places.setdefault(token.term, []).append((token.start, token.end))
    return SummaryData(all_sentences, weight, [list(dict.fromkeys(w)) for w in words], letters, places,
                       title_places)


def work_out_extras(analyzer: Analyzer, settings: ExtrasSettings, article, rarity: Rarity, *,
                    body_tokens: Sequence[Token] | None = None,
                    title_tokens: Sequence[Token] | None = None) -> Extras:
    if body_tokens is None:
        body_tokens = analyzer.analyze(article.body)
    if title_tokens is None:
        title_tokens = analyzer.analyze(article.title)
    data = prepare(analyzer, article.body, title=article.title, tokens=body_tokens, title_tokens=title_tokens)
    summary = data.summary(article.body, sentences=settings.summary_sentences,
                           max_chars=settings.summary_max_chars)
    words = keywords(article.title, title_tokens, article.body, body_tokens, rarity, settings.keywords_count)
    blob = data.to_bytes()
    return Extras(summary.text, [(k.term, k.text, k.weight) for k in words], b"" if blob is None else blob)
