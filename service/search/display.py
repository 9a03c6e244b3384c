"""Showing text in the reader's script, with the query terms still marked on the right characters.

Display conversion is apart from analysis folding: the index always matches folded Simplified terms, while a
reader may ask to see titles, summaries and articles in Simplified or Traditional. Highlight spans are offsets
into the text as stored; after conversion they must point at the same words in the converted text.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from ..articles import Article
from ..errors import QueryError
from ..text.analyzer import Analyzer
from ..text.normalize import ScriptConverter
from .highlight import highlight_spans

SCRIPTS = ("simplified", "traditional", "taiwan", "hongkong")
SIMPLIFIED_CONFIG = "t2s"
# `traditional` is OpenCC's standard Traditional (`display.traditional`, s2t by default: 爲, 裏, 着); Taiwan and
# Hong Kong readers write other forms (為, 裡/裏, 著/着), and Taiwan other words too (軟體, 隨身碟).
REGIONAL_CONFIGS = {"taiwan": "s2twp", "hongkong": "s2hk"}

Spans = list[tuple[int, int]]


def check_script(script: object) -> str | None:
    """None keeps the stored text; otherwise one of SCRIPTS."""
    if script is None or script == "":
        return None
    if script not in SCRIPTS:
        raise QueryError(f"parameter script must be one of {', '.join(SCRIPTS)}, got {script!r}",
                         code="bad_script")
    return script


def convert_marked(converter: ScriptConverter, analyzer: Analyzer, text: str, spans: Spans,
                   terms: list[str]) -> tuple[str, Spans]:
    """`text` converted, and `spans` moved onto the converted text.

    The text is converted whole, so phrase rules see their context. Converting it again piece by piece, cut
    at the span edges, tells where each span went: when the pieces join up to the same text (the usual case,
    even where a phrase rule changed the length inside a span, as s2twp's U盘 -> 隨身碟), the pieces' lengths
    are exact offsets. When a phrase straddles a span edge the pieces convert differently; then the spans are
    found again by the analyzer in the converted text, so a mark is never shifted onto the wrong characters.
    """
    converted = converter.convert(text)
    if not spans:
        return converted, []
    pieces: list[str] = []
    moved: Spans = []
    length = last = 0
    for start, end in spans:
        before, inside = converter.convert(text[last:start]), converter.convert(text[start:end])
        pieces += [before, inside]
        moved.append((length + len(before), length + len(before) + len(inside)))
        length += len(before) + len(inside)
        last = end
    pieces.append(converter.convert(text[last:]))
    if "".join(pieces) == converted:
        return converted, moved
    return converted, highlight_spans(analyzer, converted, terms)


class Display:
    """The converters for both scripts, each made once, when first asked for: OpenCC loads its dictionaries per
    converter (s2t's take about 50 ms), which a search shown as stored never needs."""

    def __init__(self, analyzer: Analyzer, traditional_config: str = "s2t"):
        self.analyzer = analyzer
        self.traditional_config = traditional_config
        self._configs = {"simplified": SIMPLIFIED_CONFIG, "traditional": traditional_config, **REGIONAL_CONFIGS}
        self._converters: dict[str, ScriptConverter] = {}
        self._lock = threading.Lock()

    def _converter(self, script: str) -> ScriptConverter:
        converter = self._converters.get(script)
        if converter is None:
            with self._lock:
                converter = self._converters.get(script)
                if converter is None:
                    converter = self._converters[script] = ScriptConverter(self._configs[script])
        return converter

    def text(self, text: str | None, script: str | None) -> str | None:
        if script is None or not text:
            return text
        return self._converter(script).convert(text)

    def marked(self, text: str, spans: Spans, script: str | None, terms: list[str]) -> tuple[str, Spans]:
        if script is None or not text:
            return text, list(spans)
        return convert_marked(self._converter(script), self.analyzer, text, list(spans), terms)

    def article(self, article: Article, script: str | None, *, title: str | None = None,
                body: bool = True) -> Article:
        """Every human-readable field in `script`; ids, dates, page codes and file names as they are.

        `title` is the title already converted (with its marks moved); `body=False` leaves the body as stored
        where only the heading fields are shown (a hit in a result list).
        """
        if script is None:
            return article
        return replace(article, title=self.text(article.title, script) if title is None else title,
                       body=self.text(article.body, script) if body else article.body,
                       section=self.text(article.section, script), editor=self.text(article.editor, script),
                       authors=tuple(self.text(a, script) for a in article.authors),
                       kicker=self.text(article.kicker, script),
                       subtitle=self.text(article.subtitle, script))
