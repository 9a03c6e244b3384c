"""The extras worked out at ingest equal, to the byte, those of the slower code they replaced
(`bench/extras_reference.py`, which `bench/analysis.py` times them against)."""

import importlib.util
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.articles import Article
from service.extras import ExtrasSettings, work_out_extras
from service.ingest.sources import read_paths
from service.keywords import Rarity, keywords, whole_words
from service.ranking import analyze_article
from service.summarize import prepare, word_features
from service.text.analyzer import Token
from service.text.sentences import split_sentences

from helpers import PROJECT

_spec = importlib.util.spec_from_file_location("extras_reference", PROJECT / "bench" / "extras_reference.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def _fixture_articles() -> list[Article]:
    articles = []
    for path in sorted((PROJECT / "tests" / "fixtures" / "collections").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                body = record.get("text") or record.get("body") or record.get("content") or ""
                title = record.get("title") or ""
                if not body and not title:
                    body = " ".join(str(v) for v in record.values() if isinstance(v, str))
                articles.append(Article(id=str(len(articles)), title=title, body=body))
    return articles + read_paths([PROJECT / "corpus"]).articles


@pytest.fixture(scope="module")
def analysed(analyzer):
    return [(article, analyze_article(analyzer, [article.title, "", ""], article.body))
            for article in _fixture_articles()]


def test_the_fixtures_are_many_and_varied(analysed):
    assert len(analysed) > 800 and sum(bool(a.body) for a, _ in analysed) > 800


def test_extras_equal_the_reference_to_the_byte(analyzer, analysed):
    settings_ = ExtrasSettings()
    ours, theirs = Rarity(), Rarity()
    for article, analysis in analysed:
        tokens = dict(body_tokens=analysis.body_words, title_tokens=analysis.headline_words[0])
        new = work_out_extras(analyzer, settings_, article, ours, **tokens)
        old = reference.work_out_extras(analyzer, settings_, article, theirs, **tokens)
        assert repr(new) == repr(old), article.id


def test_with_an_archive_the_keywords_equal_the_reference(analysed):
    def doc_freq(term: str) -> int:
        return len(term) * 7 % 40

    ours, theirs = Rarity(doc_freq, 50), Rarity(doc_freq, 50)
    for article, analysis in analysed[:200]:
        args = (article.title, analysis.headline_words[0], article.body, analysis.body_words)
        assert keywords(*args, ours, 10) == reference.keywords(*args, theirs, 10)
        assert keywords(*args, ours, 3) == reference.keywords(*args, theirs, 3)


def test_summary_data_and_features_equal_the_reference(analyzer, analysed):
    for article, analysis in analysed[:300]:
        body, tokens = article.body, analysis.body_words
        for title in (article.title, None):
            assert prepare(analyzer, body, title=title, tokens=tokens) == \
                reference.prepare(analyzer, body, title=title, tokens=tokens)
        sentences = split_sentences(body)
        assert repr(word_features(body, sentences, tokens)) == repr(reference.word_features(body, sentences, tokens))


_spans = st.lists(st.tuples(st.sampled_from("甲乙丙"), st.integers(0, 12), st.integers(1, 6)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_spans)
def test_whole_words_equal_the_reference_on_any_tokens(spans):
    # Any spans at all: nested, overlapping, repeated with other terms, in any order.
    tokens = [Token(term, start, start + size) for term, start, size in spans]
    assert whole_words(tokens) == reference.whole_words(tokens)
    assert [id(t) for t in whole_words(tokens)] == [id(t) for t in reference.whole_words(tokens)]


_pieces = st.sampled_from(["中国", "经济", "发展", "人民", "中华人民共和国", "北京大学", "说", "的", "。", "，", "！", "“",
                           "”", "《", "》", "「", "」", "\"", "1836.7", "2018年", "50%", "iPhone", " ", "\n", "一是", "（记者 王）",
                           "……", "灵芝产业", "表示", "醫保", "台灣"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_pieces, max_size=60), st.lists(_pieces, max_size=6))
def test_extras_equal_the_reference_on_any_text(analyzer, body_pieces, title_pieces):
    article = Article(id="x", title="".join(title_pieces), body="".join(body_pieces))
    analysis = analyze_article(analyzer, [article.title, "", ""], article.body)
    tokens = dict(body_tokens=analysis.body_words, title_tokens=analysis.headline_words[0])
    new = work_out_extras(analyzer, ExtrasSettings(), article, Rarity(), **tokens)
    old = reference.work_out_extras(analyzer, ExtrasSettings(), article, Rarity(), **tokens)
    assert repr(new) == repr(old)
