"""Query operators, normalisation, the character signal and the fallback, end to end through the engine."""

import json

import pytest
from rank_bm25 import BM25Okapi

from helpers import CMRC_SAMPLE, make_config, read_jsonl
from service.engine import Engine
from service.errors import QueryError
from service.search.ranker import SoftMatch
from service.text.analyzer import Analyzer

ARTICLES = [
    {"id": "bank", "title": "中国农业发展银行支持春耕", "body": "中国农业发展银行今年投放贷款。", "date": "2018-02-03",
     "section": "经济", "authors": ["王强"]},
    {"id": "farm", "title": "农业合作社扩大种植", "body": "合作社今年种植灵芝和蔬菜。", "date": "2018-03-15",
     "section": "城事", "authors": ["李丽"]},
    {"id": "clinic", "title": "医保报销提速", "body": "全乡贫困户参加医保，报销更快。", "date": "2019-07-01",
     "section": "城事", "authors": ["刘洪斌"]},
    {"id": "tw", "title": "醫保新制上路", "body": "臺灣醫保新制今年上路，民眾報銷更方便。", "date": "2019-08-01",
     "section": "兩岸", "authors": ["陳美"]},
    {"id": "name", "title": "任志光录入信息", "body": "所长任志光把信息录入系统。", "date": "2018-01-28",
     "section": "城事", "authors": ["刘洪斌"]},
    {"id": "chip", "title": "ＡＰＰ上线", "body": "新版App支持１２３项服务，iPhone用户可下载。", "date": "2020-05-05",
     "section": "科技", "authors": []},
    {"id": "phrase", "title": "发展农业", "body": "要把农业放在首位，发展是硬道理。", "date": "2020-06-06",
     "section": "评论", "authors": ["王强"]},
    {"id": "hen", "title": "养鸡场", "body": "村里的鸡舍扩建了。", "date": "2020-07-07", "section": "城事",
     "authors": []},
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, analyzer):
    root = tmp_path_factory.mktemp("ranking")
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    engine = Engine(make_config(root / "data"), analyzer=analyzer)
    engine.ingest([source])
    return engine


def ids(results):
    return [hit.article.id for hit in results.hits]


def test_words_are_anded(archive):
    results = archive.search("农业 灵芝")
    assert ids(results) == ["farm"] and results.mode == "and"


def test_or_ranking_when_no_article_holds_every_word(archive):
    results = archive.search("灵芝 任志光")
    assert set(ids(results)) == {"farm", "name"} and results.mode == "or"


def test_fallback_threshold_comes_from_config(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "d", ranking_and_fallback_below=5), analyzer=analyzer)
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    engine.ingest([source])
    results = engine.search("农业 灵芝")
    assert results.mode == "or" and set(ids(results)) >= {"farm", "bank", "phrase"}


def test_a_word_inside_a_longer_word_is_found(archive):
    assert "bank" in ids(archive.search("农业"))


def test_a_name_is_found_through_its_characters(archive):
    assert ids(archive.search("志光"))[0] == "name"


def test_phrase_needs_adjacent_words(archive):
    assert set(ids(archive.search('"农业 发展"'))) == {"bank"}
    assert set(ids(archive.search("农业 发展"))) >= {"bank", "phrase"}


def test_exclusion(archive):
    assert "bank" not in ids(archive.search("农业 -银行"))
    assert "farm" in ids(archive.search("农业 -银行"))
    assert ids(archive.search('农业 -"发展银行"')) and "bank" not in ids(archive.search('农业 -"发展银行"'))


def test_or_between_words(archive):
    assert set(ids(archive.search("灵芝 OR 鸡舍"))) == {"farm", "hen"}


def test_title_field(archive):
    assert set(ids(archive.search("title:发展"))) == {"bank", "phrase"}
    assert ids(archive.search("title:春耕")) == ["bank"]
    assert "bank" not in ids(archive.search("title:灵芝")) and ids(archive.search("title:灵芝")) == []


def test_author_section_and_date_filters(archive):
    assert set(ids(archive.search("author:刘洪斌"))) == {"clinic", "name"}
    assert archive.search("author:刘洪斌").mode == "filter"
    assert ids(archive.search("医保 section:城事")) == ["clinic"]
    assert set(ids(archive.search("农业 date:2018-02..2018-03"))) == {"bank", "farm"}
    assert ids(archive.search("农业 date:2020")) == ["phrase"]
    assert set(ids(archive.search("医保 section:城事 section:两岸"))) == {"clinic", "tw"}


def test_traditional_query_finds_simplified_text_and_the_reverse(archive):
    assert set(ids(archive.search("醫保"))) == set(ids(archive.search("医保"))) == {"clinic", "tw"}
    assert set(ids(archive.search("台湾"))) == {"tw"}


@pytest.mark.parametrize("query, article", [("app", "chip"), ("ＡＰＰ", "chip"), ("APP", "chip"),
                                            ("iphone", "chip"), ("123", "chip"), ("１２３", "chip")])
def test_width_case_and_digits_are_folded(archive, query, article):
    assert ids(archive.search(query)) == [article]


def test_one_character_query_finds_it_inside_words(archive):
    assert ids(archive.search("鸡")) == ["hen"]


def test_ordinary_text_is_no_syntax_error(archive):
    for text in ("C++", "“双减”", "3:2", 'a"b', "title:"):
        archive.search(text)
    for text in ("-", "OR", '""'):  # nothing to search for: refused as that, not as bad syntax
        with pytest.raises(QueryError) as refused:
            archive.search(text)
        assert refused.value.code == "no_search_words"


def test_bad_date_filter_names_itself(archive):
    with pytest.raises(QueryError, match="date filter"):
        archive.search("农业 date:2018-13")


def test_explain_adds_up_to_the_score(archive):
    for hit in archive.search("农业 银行", explain=True).hits:
        parts = sum(v for terms in hit.explain["channels"].values() for v in terms.values())
        assert parts + hit.explain["proximity"] == pytest.approx(hit.score, abs=1e-9)
        assert set(hit.explain["channels"]) <= {"words", "title", "lede", "grams", "chars"}


def test_marks_cover_words_found_through_characters(archive):
    hit = next(h for h in archive.search("农业").hits if h.article.id == "bank")
    assert [hit.article.title[s:e] for s, e in hit.title_highlights] == ["农业"]


def test_traditional_text_is_marked_in_its_own_characters(archive):
    hit = next(h for h in archive.search("医保").hits if h.article.id == "tw")
    assert [hit.article.title[s:e] for s, e in hit.title_highlights] == ["醫保"]


@pytest.mark.slow
def test_words_channel_alone_equals_rank_bm25(tmp_path, analyzer):
    """With the other channels weighted 0 and OR ranking, scores are rank-bm25's on title and body words."""
    engine = Engine(make_config(tmp_path / "d", ranking_title_weight=0.0, ranking_grams_weight=0.0,
                                ranking_chars_weight=0.0, ranking_lede_weight=0.0, ranking_proximity_weight=0.0,
                                ranking_soft_match_from=0, ranking_and_fallback_below=1000), analyzer=analyzer)
    engine.ingest([CMRC_SAMPLE])
    records = read_jsonl(CMRC_SAMPLE)
    reference = BM25Okapi([analyzer.terms(r["title"]) + analyzer.terms(r["text"]) for r in records],
                          k1=engine.params.k1, b=engine.params.b, epsilon=engine.params.epsilon)
    number = {r["id"]: n for n, r in enumerate(records)}
    for record in records[::25]:
        query = " ".join(analyzer.terms(record["title"]))
        expected = reference.get_scores(analyzer.terms(query))
        results = engine.search(query, k=100, summaries=False)
        for hit in results.hits:
            assert hit.score == pytest.approx(expected[number[hit.article.id]], abs=1e-9)
        holders = {r["id"] for r in records if set(analyzer.terms(query)) & set(analyzer.terms(r["title"]) + analyzer.terms(r["text"]))}
        assert results.total == len(holders)


def test_user_dictionary_changes_segmentation_and_fingerprint(tmp_path):
    plain = Analyzer()
    assert "斜店乡" not in plain.terms("斜店乡保障贫困户")
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("斜店乡 100 ns\n", encoding="utf-8")
    custom = Analyzer(user_dict=dictionary)
    assert "斜店乡" in custom.terms("斜店乡保障贫困户")
    assert custom.fingerprint != plain.fingerprint


def test_stopwords_are_neither_indexed_nor_searched(tmp_path):
    stopwords = tmp_path / "stop.txt"
    stopwords.write_text("# common words\n的\n了\n", encoding="utf-8")
    analyzer = Analyzer(stopwords=stopwords)
    assert analyzer.terms("我的书了") == ["我", "书"]
    assert analyzer.fingerprint != Analyzer().fingerprint


def test_config_names_a_missing_user_dictionary(tmp_path):
    from service import config
    from service.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text('[analysis]\nuser_dict = "nope.txt"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="analysis.user_dict"):
        config.load(path)


def test_reading_marks_searched_words_not_operators_or_excluded_words(archive):
    view = archive.read("farm", query="title:农业 -灵芝 种植")
    marked = {p[s:e] for p, spans in zip(archive.article("farm").paragraphs, [v[1] for v in view.paragraphs])
              for s, e in spans}
    assert "灵芝" not in marked and "种植" in marked
    assert [view.article.title[s:e] for s, e in view.title_highlights] == ["农业", "种植"]


def test_summary_marks_a_word_found_inside_a_longer_word(archive):
    hit = next(h for h in archive.search("农业").hits if h.article.id == "bank")
    assert "农业" in [hit.summary.text[s:e] for s, e in hit.summary.highlights]


LONG_QUERY_ARTICLES = [
    {"id": "spring", "title": "", "body": "全省春耕生产全面展开，农民忙着播种和施肥。"},
    {"id": "bank-loans", "title": "", "body": "银行今年投放贷款支持春耕生产，农民购买种子和化肥更方便。"},
    {"id": "more-loans", "title": "", "body": "银行今年投放贷款支持春耕生产，农民购买种子更方便。"},
    {"id": "weather", "title": "", "body": "气象台预报明天有雨，请注意出行安全。"},
]


@pytest.fixture(scope="module")
def long_query_archive(tmp_path_factory, analyzer):
    root = tmp_path_factory.mktemp("long-queries")
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in LONG_QUERY_ARTICLES),
                      encoding="utf-8")
    engines = {}
    for name, settings in {"soft": {"ranking_soft_match_from": 4, "ranking_soft_match_fraction": 0.6},
                           "strict": {"ranking_soft_match_from": 0}}.items():
        engine = Engine(make_config(root / name, **settings), analyzer=analyzer)
        engine.ingest([source])
        engines[name] = engine
    return engines


HEADLINE = "银行投放贷款支持农民春耕备耕"  # the loans articles lack 备耕: one word of seven


def test_a_long_query_finds_the_article_lacking_one_of_its_words(long_query_archive):
    results = long_query_archive["soft"].search(HEADLINE)
    assert results.mode == "most" and set(ids(results)) == {"bank-loans", "more-loans"}
    assert results.match_words == 7 and results.min_match == 5
    assert results.to_dict()["min_match"] == 5


def test_with_soft_matching_off_every_word_is_needed(long_query_archive):
    results = long_query_archive["strict"].search(HEADLINE)
    assert results.mode == "or"  # no article holds all six: the fallback ranks any
    assert results.to_dict()["min_match"] is None


@pytest.mark.parametrize("from_words, fraction, words, needed", [
    (5, 0.0, 9, 1),      # the default: any of a long query's words
    (5, 0.0, 4, None),   # a short query needs every word
    (4, 0.6, 7, 5),      # 4.2 rounded up
    (4, 0.5, 4, 2),
    (4, 1.0, 9, None),   # every word: no soft matching
    (0, 0.5, 20, None),  # off
])
def test_how_many_words_a_long_query_needs(from_words, fraction, words, needed):
    assert SoftMatch(from_words, fraction).needed(words) == needed


def test_the_default_ranks_every_article_holding_any_word_of_a_long_query(tmp_path, analyzer):
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in LONG_QUERY_ARTICLES),
                      encoding="utf-8")
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest([source])
    results = engine.search(HEADLINE)
    assert results.mode == "most" and results.min_match == 1 and results.match_words == 7
    # (In four articles most of these words' idf is about zero, so the order says little.)
    assert set(ids(results)) == {"spring", "bank-loans", "more-loans"}  # "weather" holds none of the words


def test_short_queries_still_need_every_word(long_query_archive):
    results = long_query_archive["soft"].search("春耕 种子 施肥")
    assert results.mode == "or" and results.min_match is None
    assert set(ids(long_query_archive["soft"].search("春耕 种子"))) == {"bank-loans", "more-loans"}


def test_a_phrase_in_a_long_query_is_still_required(long_query_archive):
    loose = long_query_archive["soft"].search("化肥 银行 投放 贷款 农民 春耕 备耕")
    assert loose.mode == "most" and set(ids(loose)) == {"bank-loans", "more-loans"}
    results = long_query_archive["soft"].search('"化肥" 银行 投放 贷款 农民 春耕 备耕')
    assert results.mode == "most" and ids(results) == ["bank-loans"] and results.match_words == 6

    # A phrase no article holds leaves nothing: neither soft matching nor the fallback drops it.
    for engine in long_query_archive.values():
        for query in ('"化肥 贷款" 银行 投放 贷款 农民 春耕 备耕', '"化肥 贷款"', '"化肥 贷款" 银行'):
            assert engine.search(query).total == 0, query


def heating_articles(folder):
    """Two articles of the same sentences in another order: equal in every channel but the lede."""
    filler = "会上还讨论了其他事项，包括道路维修、学校建设和公园绿化等。" * 8
    articles = [{"id": "mentioned", "title": "", "body": "市政府召开常务会议。" + filler + "冬季供暖明天开始。"},
                {"id": "about", "title": "", "body": "冬季供暖明天开始。" + filler + "市政府召开常务会议。"},
                {"id": "other", "title": "", "body": "气象台预报明天有雨。"}, {"id": "more", "title": "", "body": "公园开放。"}]
    source = folder / "a.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return source


def test_the_lede_lifts_an_article_about_the_query(tmp_path, analyzer):
    source = heating_articles(tmp_path)
    order = {}
    for weight in (0.0, 1.0):
        engine = Engine(make_config(tmp_path / f"d{weight}", ranking_lede_weight=weight), analyzer=analyzer)
        engine.ingest([source])
        results = engine.search("冬季供暖", explain=True, collapse=False)  # its articles share their filler
        order[weight] = ids(results)
        if weight:
            assert set(results.hits[0].explain["channels"]["lede"]) == {"冬季", "供暖"}
    assert order == {0.0: ["mentioned", "about"], 1.0: ["about", "mentioned"]}


def test_a_question_does_not_weigh_the_lede_unless_asked_to(tmp_path, analyzer):
    source = heating_articles(tmp_path)
    for lede_for_questions in (False, True):
        engine = Engine(make_config(tmp_path / f"d{lede_for_questions}", ranking_lede_weight=1.0,
                                    ranking_lede_for_questions=lede_for_questions), analyzer=analyzer)
        engine.ingest([source])
        question = engine.search("冬季供暖什么时候开始？", explain=True).hits[0].explain
        statement = engine.search("冬季供暖开始", explain=True).hits[0].explain
        assert "lede" in statement["channels"] and statement["weights"]["lede"] == 1.0
        assert ("lede" in question["channels"]) is lede_for_questions
        assert question["weights"]["lede"] == (1.0 if lede_for_questions else 0.0)


def test_pages_beyond_the_proximity_depth_rank_as_one_long_page(tmp_path, analyzer):
    filler = "会上还讨论了道路维修、学校建设和公园绿化等其他事项。" * 3
    articles = [{"id": "apart", "title": "", "body": "春耕春耕开始。" + filler + "农民农民忙碌。"},
                {"id": "together", "title": "", "body": filler + "春耕农民忙碌。" + filler},
                {"id": "once", "title": "", "body": "春耕开始。" + filler + "农民忙碌。" + filler},
                *({"id": f"other{i}", "title": "", "body": f"气象台预报明天有雨，第{i}号公园开放。"} for i in range(30))]
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    engine = Engine(make_config(tmp_path / "data", ranking_proximity_depth=1, ranking_proximity_weight=20.0),
                    analyzer=analyzer)
    engine.ingest([source])
    whole = [(h.article.id, h.score) for h in engine.search("春耕 农民", k=3, summaries=False,
                                                        collapse=False).hits]  # its three share their filler
    paged = [(h.article.id, h.score) for offset in range(3)
             for h in engine.search("春耕 农民", k=1, offset=offset, summaries=False, collapse=False).hits]
    assert len(whole) == 3 and paged == whole
