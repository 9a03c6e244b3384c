import math

from service.summaries.keywords import BACKGROUND_DOCS, Rarity, background_idf, is_candidate, keywords, whole_words


def test_whole_words_leave_out_search_mode_sub_words(analyzer):
    words = [t.term for t in whole_words(analyzer.analyze("中华人民共和国成立了"))]
    assert words == ["中华人民共和国", "成立", "了"]


def test_candidates_are_words_that_can_name_a_subject():
    assert is_candidate("医保") and is_candidate("iphone") and is_candidate("灵芝产业")
    assert not any(is_candidate(w) for w in ("医", "2017", "1836.7", "我们", "表示", "，。"))


def test_the_general_chinese_table_ranks_function_words_low():
    table, median = background_idf()
    assert len(table) > 100_000 and table["的"] < table["我们"] < table["医保"] < median + 1


def test_an_archive_where_a_word_is_everywhere_finds_it_less_telling():
    alone = Rarity()
    everywhere = Rarity(doc_freq=lambda term: 900 if term == "冠县" else 0, n_docs=1000)
    assert everywhere.idf("冠县") < alone.idf("冠县") - 1
    assert math.isclose(alone.idf("医保"),
                        math.log(BACKGROUND_DOCS / (BACKGROUND_DOCS * math.exp(-background_idf()[0]["医保"]) + 0.5)))


def test_keywords_weigh_the_title_and_keep_the_article_script(analyzer):
    title, body = "醫保政策", "全鄉貧困戶全部參加了醫保。灵芝产业发展迅速，灵芝远销各地。"
    found = keywords(title, analyzer.analyze(title), body, analyzer.analyze(body), Rarity(), 3)
    assert [k.term for k in found][:2] == ["医保", "灵芝"]
    assert found[0].text == "醫保" and found[0].weight > found[1].weight
    assert len(found) == 3 and all(is_candidate(k.term) for k in found)
