"""An article's channels counted at ingest: the same counts, in the same key order, as counting every
token of the analyzer's channels, and the same words the analyzer gives."""

import json
from collections import Counter

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, read_jsonl
from service.index.channels import analyze_article, count_channels
from service.search.ranker import squash
from service.text.analyzer import Analyzer, Token
from service.text.lede import lede_spans

# Headlines and bodies of the kinds the index meets: Simplified and Traditional, full-width, digits, a name.
ARTICLES = [
    ("中国农业发展银行支持春耕", "中国农业发展银行今年投放贷款。"),
    ("醫保新制上路", "臺灣醫保新制今年上路，民眾報銷更方便。"),
    ("任志光录入信息", "所长任志光把信息录入系统。"),
    ("ＡＰＰ上线", "新版App支持１２３项服务，iPhone用户可下载。"),
    ("养鸡场", "村里的鸡舍扩建了。"),
]


def reference_count_channels(analyzer: Analyzer, headline, body: str) -> dict[str, list]:
    """count_channels as first written, from `analyzer.channels`: what the counting path must equal."""
    words, title, grams, chars, lede = [], [], [], [], []
    for text, in_headline in [(t, True) for t in headline] + [(body, False)]:
        if not text:
            continue
        channels = analyzer.channels(text)
        terms = [t.term for t in channels.words]
        words.extend(terms)
        if in_headline:
            title.extend(terms)
        grams.extend(t.term for t in channels.grams)
        chars.extend(t.term for t in channels.chars)
        if not in_headline:
            spans = lede_spans(text)
            lede.extend(t.term for t in channels.words if any(start <= t.start < end for start, end in spans))
    counted = {name: [len(terms), dict(Counter(terms))]
               for name, terms in (("words", words), ("title", title), ("grams", grams), ("chars", chars),
                                   ("lede", lede))}
    # The positions' text is what a phrase was looked for in when it was checked by reading the article: the
    # texts joined by spaces, folded as one, squashed.
    whole = squash(analyzer, " ".join((*headline, body)))
    counted["pairs"] = [len(whole), whole]
    return counted


def counting_cases() -> list[tuple[list[str], str]]:
    cases = [([title], body) for title, body in ARTICLES]
    cases += [([r["title"], "", "副题：1993-1996年"], r["text"]) for r in read_jsonl(CMRC_SAMPLE)[:60]]
    cases += [([r["title"]], r["text"]) for r in read_jsonl(DRCD_SAMPLE)[:20]]
    cases += [([], "…… Ⅻ號㎡醫保 1.5%"), (["", ""], ""), (["ＡＰＰ上线"], ""), ([], "的了的")]
    return cases


def stopword_analyzer(tmp_path) -> Analyzer:
    stopwords = tmp_path / "stop.txt"
    stopwords.write_text("的\n了\n中国\n国\n医保\n", encoding="utf-8")
    return Analyzer(stopwords=stopwords)


def test_count_channels_equals_counting_every_token(tmp_path, analyzer):
    for current in (analyzer, stopword_analyzer(tmp_path)):
        for headline, body in counting_cases():
            counts = count_channels(current, headline, body)
            expected = reference_count_channels(current, headline, body)
            # The same counts in the same key order: what is stored is the same JSON.
            assert json.dumps(counts, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_analyze_article_is_count_channels_and_the_analyzers_words(tmp_path, analyzer):
    for current in (analyzer, stopword_analyzer(tmp_path)):
        for headline, body in counting_cases():
            analysis = analyze_article(current, headline, body)
            assert analysis.counts == count_channels(current, headline, body)
            assert list(analysis.counts) == list(count_channels(current, headline, body))
            assert analysis.headline_words == [current.analyze(text) for text in headline]
            assert analysis.body_words == current.analyze(body)
            assert all(type(token) is Token for token in analysis.body_words)
