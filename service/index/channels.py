"""An article's terms in each of the index's five channels and its positions, counted at ingest.

The channels (see `search.ranker`) are `words` (jieba search-mode words of the headline and body), `title`
(the headline block's words), `lede` (the words of the body's lede, `text.lede`), `grams` (CJK bigrams) and
`chars` (CJK characters). They are counted from one
folding and one segmentation of each text; `analyze_article` also keeps the word tokens, so summaries and
keywords start from the same analysis without making it again.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, NamedTuple, Sequence

from ..text.analyzer import Analyzer, Token
from ..text.lede import lede_spans
from ..text.ngrams import bigram_terms, cjk_runs
from .positions import PAIRS, squashed

SIDE_CHANNELS = ("title", "grams", "chars", "lede")


class ArticleAnalysis(NamedTuple):
    """One analysis of an article: what the index counts, and the words summaries and keywords start from."""

    counts: dict[str, list]  # what `count_channels` returns
    headline_words: list[list[Token]]  # `analyzer.analyze` of each headline text
    body_words: list[Token]  # `analyzer.analyze(body)`


def count_channels(analyzer: Analyzer, headline: Iterable[str], body: str) -> dict[str, list]:
    """An article's terms in every channel: {channel: [length, {term: count}]}.

    Terms are counted in the order they first occur (headline texts, then the body), so the stored counts are
    the same object, key order included, whichever way they are worked out.
    """
    return _analyze(analyzer, headline, body, keep_words=False).counts


def analyze_article(analyzer: Analyzer, headline: Sequence[str], body: str) -> ArticleAnalysis:
    """`count_channels` and the word tokens of every text, from one folding and one segmentation of each."""
    return _analyze(analyzer, headline, body, keep_words=True)


def _analyze(analyzer: Analyzer, headline: Iterable[str], body: str, keep_words: bool) -> ArticleAnalysis:
    fold = analyzer.fold_with_origins
    words: list[str] = []
    title: list[str] = []
    folded_texts: list[str] = []
    headline_words: list[list[Token]] = []
    body_words: list[Token] = []
    texts = [(text, True) for text in headline]
    texts.append((body, False))
    for text, in_headline in texts:
        if not text:
            if keep_words and in_headline:
                headline_words.append([])
            continue
        folded, origins = fold(text)
        if keep_words or not in_headline:  # the body's words are placed, to tell which lie in the lede
            tokens = analyzer.words_of_folded(folded, origins)
            if in_headline:
                headline_words.append(tokens)
            else:
                body_words = tokens
            terms = [token[0] for token in tokens]
        else:
            terms = analyzer.terms_of_folded(folded)
        words += terms
        if in_headline:
            title += terms
        folded_texts.append(folded)
    grams, chars = _cjk_counted(folded_texts, analyzer.stopwords)
    counted = {"words": _counted(words), "title": _counted(title), "grams": grams, "chars": chars,
               "lede": _counted(_lede_words(body, body_words))}
    # The positions are kept as the text they come from: the run builder works out every document's pairs
    # and their places at once, far cheaper than a list of places per pair and article here.
    pairs_text = squashed("".join(folded_texts))
    counted[PAIRS] = [len(pairs_text), pairs_text]
    return ArticleAnalysis(counted, headline_words, body_words if keep_words else [])


def _lede_words(body: str, body_words: list[Token]) -> list[str]:
    """The body's words that begin inside its lede, in the body's order."""
    spans = lede_spans(body) if body_words else []
    if not spans:
        return []
    if len(spans) == 1:  # a lede of one paragraph, as most are: one comparison a word
        first, last = spans[0]
        return [token[0] for token in body_words if first <= token[1] < last]
    last = spans[-1][1]
    return [token[0] for token in body_words
            if token[1] < last and any(start <= token[1] < end for start, end in spans)]


def _cjk_counted(folded_texts: Sequence[str], stopwords: frozenset[str]) -> tuple[list, list]:
    """The `grams` and `chars` channels of these texts, each as `_counted` gives it."""
    grams: list[str] = []
    runs: list[str] = []
    for folded in folded_texts:
        text_runs = cjk_runs(folded)
        grams += bigram_terms(text_runs)
        runs += text_runs
    return _counted(grams, stopwords), _counted("".join(runs), stopwords)


def _counted(terms: Iterable[str], stopwords: frozenset[str] = frozenset()) -> list:
    """[length, {term: count}] with stopwords left out (words come without them already)."""
    counts = Counter(terms)
    for term in stopwords.intersection(counts) if stopwords else ():
        del counts[term]
    return [counts.total(), dict(counts)]
