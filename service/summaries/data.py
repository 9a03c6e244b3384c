"""What a summary of one text needs besides the text and the query (`SummaryData`), prepared from one
analysis: the sentences, each word's salience, each sentence's words and every token's place.

Kept with an article at ingest in its compact form (`summaries.packed`), it makes the summary for any query
without analysing the article again (`stored_summary`); `summarize` prepares it and chooses at once.
"""

from __future__ import annotations

import math
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .. import native
from ..text.analyzer import Analyzer, Token
from ..text.sentences import Sentence, split_sentences
from . import packed as packed_form
from .choice import EXPECTED_OVERLAP_CHARS, GAP, NEAR_DUPLICATE, REPEAT_DISCOUNT, Summary, choose, finish
from .keywords import whole_words
from .kinds import kind_of, sentence_priors, trim_credits
from .packed import _Sentences, _Weights, _Words
from .salience import TITLE_SALIENCE, weigh_words

_summaries = native.compiled("_summaries")


def summarize(analyzer: Analyzer, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
              query_terms: list[str] | None = None, title: str | None = None,
              tokens: Sequence[Token] | None = None, kind: str | None = None) -> Summary:
    """Up to `sentences` sentences (None: no limit) in at most `max_chars` characters (None: no limit).

    `tokens` are the analyzer's tokens of `text` when the caller already has them; `kind` is an article's kind
    as stored (`photo` for a photo story).
    """
    return prepare(analyzer, text, title=title, tokens=tokens, kind=kind).summary(
        text, sentences=sentences, max_chars=max_chars, query_terms=query_terms)


@dataclass
class SummaryData:
    """What a summary of one text needs besides the text and the query, from one analysis: kept with an
    article at ingest, it makes the summary for any query without the analyzer.

    `weight` is each whole word's salience (the title's words raised), `words` the distinct whole words of
    each sentence in the order they first occur, `priors` what each sentence is worth for where it stands
    (`summaries.kinds`), `places` every token's (start, end) by term, in text order; `title_places` the same of
    the title's tokens, for marking the title without analysing it.
    """

    sentences: list[Sentence]
    weight: dict[str, float]
    words: Sequence[Sequence[str]]
    letters: list[int]
    places: Mapping[str, list[tuple[int, int]]]
    title_places: Mapping[str, list[tuple[int, int]]] = field(default_factory=dict)
    priors: Sequence[float] | None = None  # None: a post's (`kinds.sentence_priors`)

    def __post_init__(self) -> None:
        if self.priors is None:
            self.priors = sentence_priors("post", "", self.sentences)

    def holds_any(self, query_terms: Iterable[str]) -> bool:
        return any(term in self.places for term in query_terms)

    def summary(self, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
                query_terms: Iterable[str] | None = None) -> Summary:
        """The summary of `text` (the text this was prepared from) for `query_terms`, as `summarize` makes it."""
        all_sentences = self.sentences
        if not all_sentences:
            return Summary("", [], [])
        n = len(all_sentences)
        count = n if sentences is None else max(1, sentences)
        budget = max_chars if max_chars is not None else math.inf
        if isinstance(all_sentences, _Sentences):
            starts, ends = all_sentences.starts, all_sentences.ends
        else:
            starts, ends = [s.start for s in all_sentences], [s.end for s in all_sentences]
        found: list[set[str]] = [_NO_WORDS] * n
        spans: dict[int, list[tuple[int, int]]] = {}
        # The same tokens the index matched: what is marked is what was found.
        for term in set(query_terms or ()):
            for start, end in self.places.get(term, ()):
                i = bisect_right(starts, start) - 1
                if i >= 0 and end <= ends[i]:
                    if found[i] is _NO_WORDS:
                        found[i] = set()
                    found[i].add(term)
                    spans.setdefault(i, []).append((start, end))
        pool = sorted(spans) or list(range(n))
        # Only the sentences in the pool are ever weighed or chosen: only their words and weights are needed.
        words: list[list[str]] = [_NO_LIST] * n
        weight: dict[str, float] = {}
        if isinstance(self.words, _Words) and isinstance(self.weight, _Weights):
            for i in pool:
                words[i], values = self.words.weighed(i, self.weight)
                weight.update(zip(words[i], values))
        else:
            for i in pool:
                words[i] = list(self.words[i])
                weight.update((w, self.weight[w]) for w in words[i])
        chosen = sorted(choose(text, all_sentences, pool, found, words, weight, self.letters, self.priors,
                              count, budget))
        return finish(text, [all_sentences[i] for i in chosen], [spans.get(i, ()) for i in chosen], budget)

    def to_bytes(self) -> bytes | None:
        """The compact form the article store keeps (`summaries.packed`); None for the rare text with a NUL
        inside a word, which it cannot hold, and for a weight that is not finite, which it does not."""
        return packed_form.pack(self)

    @classmethod
    def from_bytes(cls, data: bytes, text: str) -> "SummaryData | None":
        """The data again, for the same `text`; None when it is of a form this code does not read."""
        fields = packed_form.unpack(data, text)
        return None if fields is None else cls(*fields)


_NO_WORDS: set[str] = set()
_NO_LIST: list[str] = []


def _letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


# Whether a character is a letter or a digit, by character: looked up once per process.
_LETTER: dict[str, bool] = {}


def _letter_counts(sentences: Sequence[Sentence]) -> list[int]:
    """`_letters` of each sentence."""
    letter = _LETTER
    for sentence in sentences:
        for ch in set(sentence.text).difference(letter):
            letter[ch] = unicodedata.category(ch)[0] in "LN"
    return [sum(map(letter.__getitem__, sentence.text)) for sentence in sentences]


def stored_summary(data: bytes, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
                   query_terms: Iterable[str] | None = None
                   ) -> tuple[Summary, Mapping[str, list[tuple[int, int]]]] | None:
    """`SummaryData.from_bytes(data, text)`'s summary for `query_terms`, and its title places: by the compiled
    chooser where it is built (`service.native`), straight from the bytes. None when `data` is not of a form
    this code reads.
    """
    if _summaries is None:
        return stored_summary_in_python(data, text, sentences=sentences, max_chars=max_chars,
                                        query_terms=query_terms)
    return stored_summary_compiled(_summaries, data, text, sentences=sentences, max_chars=max_chars,
                                   query_terms=query_terms)


def stored_summary_in_python(data: bytes, text: str, *, sentences: int | None = 2, max_chars: int | None = 160,
                             query_terms: Iterable[str] | None = None
                             ) -> tuple[Summary, Mapping[str, list[tuple[int, int]]]] | None:
    stored = SummaryData.from_bytes(data, text)
    if stored is None:
        return None
    return (stored.summary(text, sentences=sentences, max_chars=max_chars, query_terms=query_terms),
            stored.title_places)


def stored_summary_compiled(module, data: bytes, text: str, *, sentences: int | None = 2,
                            max_chars: int | None = 160, query_terms: Iterable[str] | None = None
                            ) -> tuple[Summary, Mapping[str, list[tuple[int, int]]]] | None:
    budget = max_chars if max_chars is not None else math.inf
    picked = module.choose(data, text, list(set(query_terms or ())), -1 if sentences is None else max(1, sentences),
                            budget, REPEAT_DISCOUNT, EXPECTED_OVERLAP_CHARS, NEAR_DUPLICATE, len(GAP))
    if picked is None:
        return None
    chosen, title_places = picked
    summary = finish(text, [Sentence(text[start:end], start, end) for _, start, end, _ in chosen],
                      [spans or () for *_, spans in chosen], budget)
    return summary, title_places


def prepare(analyzer: Analyzer, text: str, *, title: str | None = None, tokens: Sequence[Token] | None = None,
            title_tokens: Sequence[Token] | None = None, words: Sequence[Token] | None = None,
            title_words: Sequence[Token] | None = None, with_places: bool = True, kind: str | None = None
            ) -> SummaryData:
    """The analysis a summary of `text` needs, whatever the query and budget.

    The sentences are the text's without their openers and closing photo credits (`kinds.trim_credits`), each
    worth what its place in a text of its kind makes it (`kinds.sentence_priors`; `kind` is an article's kind as
    stored).

    `tokens` and `title_tokens` are the analyzer's tokens of `text` and `title` when the caller has them;
    `words` and `title_words` their `whole_words`, when the caller has those too. Without `with_places`,
    `places` and `title_places` are left empty, for a caller that takes them from the tokens (`packed`).
    """
    if title and title_tokens is None:
        title_tokens = analyzer.analyze(title)
    title_places: dict[str, list[tuple[int, int]]] = {}
    for term, start, end in (title_tokens or ()) if title and with_places else ():
        title_places.setdefault(term, []).append((start, end))
    all_sentences = trim_credits(text, split_sentences(text))
    if not all_sentences:
        return SummaryData([], {}, [], [], {}, title_places, [])
    if tokens is None:
        tokens = analyzer.analyze(text)
    if words is None:
        words = whole_words(tokens)
    weight, per_sentence = weigh_words(text, all_sentences, words)
    if title:
        if title_words is None:
            title_words = whole_words(title_tokens or ())
        for term in {t[0] for t in title_words}:
            if term in weight:
                weight[term] = max(weight[term], TITLE_SALIENCE)
    places: dict[str, list[tuple[int, int]]] = {}
    for term, start, end in tokens if with_places else ():
        held = places.get(term)
        if held is None:
            places[term] = [(start, end)]
        else:
            held.append((start, end))
    priors = sentence_priors(kind_of(text, title, kind), text, all_sentences)
    return SummaryData(all_sentences, weight, [list(w) for w in per_sentence], _letter_counts(all_sentences),
                       places, title_places, priors)


def packed(analyzer: Analyzer, text: str, *, title: str | None = None, tokens: Sequence[Token] | None = None,
           title_tokens: Sequence[Token] | None = None, words: Sequence[Token] | None = None,
           title_words: Sequence[Token] | None = None, kind: str | None = None) -> bytes | None:
    """`prepare(...).to_bytes()` of the same arguments, byte for byte: by the compiled packer where it is built
    (`service.native`), which takes the places straight from the tokens rather than gathering them by term.
    """
    if _summaries is None:
        return prepare(analyzer, text, title=title, tokens=tokens, title_tokens=title_tokens, words=words,
                       title_words=title_words, kind=kind).to_bytes()
    return packed_compiled(_summaries, analyzer, text, title=title, tokens=tokens, title_tokens=title_tokens,
                           words=words, title_words=title_words, kind=kind)


def packed_compiled(module, analyzer: Analyzer, text: str, *, title: str | None = None,
                    tokens: Sequence[Token] | None = None, title_tokens: Sequence[Token] | None = None,
                    words: Sequence[Token] | None = None, title_words: Sequence[Token] | None = None,
                    kind: str | None = None) -> bytes | None:
    if tokens is None:
        tokens = analyzer.analyze(text)
    if title and title_tokens is None:
        title_tokens = analyzer.analyze(title)
    data = prepare(analyzer, text, title=title, tokens=tokens, title_tokens=title_tokens, words=words,
                   title_words=title_words, with_places=False, kind=kind)
    # As `prepare` keeps them: no places of a text without sentences, none of an empty title.
    return module.pack(data.sentences, data.letters, data.weight, data.words, tokens if data.sentences else (),
                       (title_tokens or ()) if title else (), data.priors)
