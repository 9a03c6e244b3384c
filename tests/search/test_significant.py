"""Words that characterise a result set (`service.search.significant`), alone and through the engine."""

import numpy as np
import pytest

from service.index.bm25 import BM25Params
from service.index.postings import build
from service.search.significant import MIN_HITS, count_in, jlh, significant_terms


def test_jlh_is_elasticsearch_s_absolute_times_relative_gain():
    # 30 of 100 sampled hits against 100 of 10,000 articles: (0.3 - 0.01) * (0.3 / 0.01)
    assert jlh(30, 100, 100, 10_000) == pytest.approx(0.29 * 30)
    assert jlh(1, 100, 100, 10_000) == 0.0  # as common in the hits as in the archive: nothing
    assert jlh(0, 100, 100, 10_000) == 0.0 and jlh(3, 0, 1, 10) == 0.0 and jlh(3, 10, 0, 10) == 0.0
    # A word in as many hits but rarer in the archive scores higher.
    assert jlh(30, 100, 50, 10_000) > jlh(30, 100, 100, 10_000)


def test_count_in_counts_the_sample_s_documents_among_a_posting_list():
    docs = np.array([1, 4, 9, 12], dtype=np.int32)
    in_sample = np.zeros(14, dtype=bool)
    in_sample[[0, 4, 9, 13]] = True
    assert count_in(docs, in_sample) == 2
    assert count_in(docs, np.zeros(14, dtype=bool)) == 0 and count_in(docs[:0], in_sample) == 0


def postings_of(documents):
    return build([(f"d{n}", terms) for n, terms in enumerate(documents)], BM25Params())


def test_the_sample_s_own_words_rank_by_jlh_leaving_out_query_words_stopwords_and_rare_ones():
    background = [["天气", "晴朗"]] * 40
    hits = [["扶贫", "脱贫", "产业", "天气", "我们"], ["扶贫", "脱贫", "产业", "我们"], ["扶贫", "脱贫", "贷款", "我们"],
            ["扶贫", "脱贫", "产业", "扶贫工作", "贷款"]]
    postings = postings_of(hits + background)
    keywords = [(t, t) for doc in hits for t in doc] + [("贷", "贷"), ("农商银行", "農商銀行")]
    found = significant_terms(np.arange(4), keywords, postings, query_terms=["扶贫"], query_keys=["扶贫"],
                              stopwords=frozenset({"我们"}), min_hits=2)
    words = [t.term for t in found]
    assert words == ["脱贫", "产业", "贷款"]  # 扶贫 and 扶贫工作 hold the query; 我们 a stop-word; 天气 is everywhere
    assert found[0].hits == 4 and found[0].docs == 4 and found[0].score > found[1].score
    assert significant_terms(np.arange(4), keywords, postings, query_keys=["扶贫"], min_hits=MIN_HITS)[-1].term \
        == "产业"  # 贷款, in two of the hits, is below three


def test_a_word_is_shown_as_the_hits_most_often_write_it():
    postings = postings_of([["农商银行"]] * 3 + [["其他"]] * 10)
    keywords = [("农商银行", "農商銀行"), ("农商银行", "農商銀行"), ("农商银行", "农商银行")]
    [found] = significant_terms(np.arange(3), keywords, postings)
    assert (found.term, found.text, found.hits) == ("农商银行", "農商銀行", 3)


def test_search_facets_carry_the_words_of_the_hits_only_when_asked(dated_engine):
    plain = dated_engine.search("扶贫", facets=True)
    assert plain.facets.terms is None and "terms" not in plain.to_dict()["facets"]
    asked = dated_engine.search("扶贫", facets=True, facet_terms=True)
    words = [t.text for t in asked.facets.terms]
    assert 0 < len(words) <= 10 and words[0] == "脱贫"
    assert not any("扶贫" in w or len(w) < 2 for w in words)
    assert [h.article.id for h in asked.hits] == [h.article.id for h in plain.hits]  # the page is the same
    assert asked.to_dict()["facets"]["terms"][0] == {"value": "脱贫", "count": asked.facets.terms[0].hits,
                                                     "archive_count": asked.facets.terms[0].docs,
                                                     "score": round(asked.facets.terms[0].score, 6)}


def test_the_words_are_shown_in_the_script_asked_for(dated_engine):
    traditional = dated_engine.search("扶贫", facet_terms=True, script="traditional")
    assert traditional.facets.terms[0].text == "脫貧"


def test_a_query_without_hits_has_no_words(dated_engine):
    assert dated_engine.search("火星探测器", facet_terms=True).facets.terms == []


def test_only_the_most_frequent_keywords_are_counted(monkeypatch):
    import service.search.significant as significant

    postings = postings_of([["常见", "少见"]] * 4)
    keywords = [("常见", "常见")] * 4 + [("少见", "少见")]
    assert {t.term for t in significant_terms(np.arange(4), keywords, postings)} == set()  # both in every article
    postings = postings_of([["常见", "少见"]] * 4 + [["其他"]] * 20)
    assert {t.term for t in significant_terms(np.arange(4), keywords, postings)} == {"常见", "少见"}
    monkeypatch.setattr(significant, "MAX_CANDIDATES", 1)
    assert [t.term for t in significant_terms(np.arange(4), keywords, postings)] == ["常见"]
