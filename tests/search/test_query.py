import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import QueryError
from service.search.query import Clause, is_question, parse


def texts(query):
    return [[c.text for c in group] for group in query.groups]


def test_plain_words_are_anded():
    assert texts(parse("医保 报销")) == [["医保"], ["报销"]]


def test_ideographic_space_separates_too():
    assert texts(parse("医保\u3000报销")) == [["医保"], ["报销"]]


def test_quoted_phrase():
    query = parse('"农业 发展" 银行')
    assert query.groups[0] == (Clause("农业 发展", phrase=True),) and texts(query)[1] == ["银行"]


def test_exclusion_of_a_word_and_of_a_phrase():
    query = parse('灵芝 -盆景 -"专业 合作社"')
    assert texts(query) == [["灵芝"]]
    assert query.excluded == (Clause("盆景"), Clause("专业 合作社", phrase=True))


def test_or_joins_neighbours():
    assert texts(parse("医保 OR 医疗 报销")) == [["医保", "医疗"], ["报销"]]
    assert texts(parse("a OR b OR c")) == [["a", "b", "c"]]


def test_or_at_the_edges_and_lower_case_or_are_text():
    assert texts(parse("OR 医保")) == [["医保"]]
    assert texts(parse("医保 OR")) == [["医保"]]
    assert texts(parse("cats or dogs")) == [["cats"], ["or"], ["dogs"]]


def test_fields():
    query = parse("title:医保 author:刘洪斌 section:城事 作者:张三 版面:要闻")
    assert query.groups == ((Clause("医保", field="title"),),)
    assert query.authors == ("刘洪斌", "张三") and query.sections == ("城事", "要闻")


def test_title_phrase():
    assert parse('title:"参加 医保"').groups == ((Clause("参加 医保", phrase=True, field="title"),),)


@pytest.mark.parametrize("value, low, high", [
    ("2018-02..2018-03", "2018-02-01", "2018-03-31"),
    ("2018-02-28", "2018-02-28", "2018-02-28"),
    ("2016", "2016-01-01", "2016-12-31"),
    ("..2018-02", None, "2018-02-28"),
    ("2020-02..", "2020-02-01", None),
    ("2018.2.3..2018/3/1", "2018-02-03", "2018-03-01"),
])
def test_date_filters(value, low, high):
    query = parse(f"扶贫 date:{value}")
    assert (query.date_from, query.date_to) == (low, high) and texts(query) == [["扶贫"]]


@pytest.mark.parametrize("value", ["2018-13", "yesterday", "2018-02-30", "2018-03..2018-01", ".."])
def test_bad_date_filters_name_the_problem(value):
    with pytest.raises(QueryError, match="date filter"):
        parse(f"date:{value}")


@pytest.mark.parametrize("text, expected", [
    ("C++", [["C++"]]),
    ("“双减”政策", [["“双减”政策"]]),
    ("比分3:2", [["比分3:2"]]),
    ('他说"好', [["他说好"]]),
    ("COVID-19", [["COVID-19"]]),
    ("-", [["-"]]),
    ("http://example.com", [["http://example.com"]]),
    ("title:", [["title:"]]),
])
def test_ordinary_text_is_taken_literally(text, expected):
    assert texts(parse(text)) == expected


@given(st.text(max_size=120))
def test_any_text_parses_or_names_a_bad_date(text):
    try:
        query = parse(text)
    except QueryError as error:
        assert error.code == "bad_date_filter"
        return
    for clause in query.clauses + list(query.excluded):
        assert clause.text.strip()


_QUERY_PIECES = st.sampled_from([
    "医保", "報銷", "灵芝", "C++", "3:2", "OR", "or", "-", "--", "-盆景", '"', "＂", '"农业 发展"', "“双减”",
    "title:", "标题：", "author:", "作者:刘洪斌", "section:", "版面:城事", "date:", "日期:", "date:2018-02..2018-03",
    "date:..2018", "date:2018..", "date:2018-13", "date:9999-99-99", "date:2018-02-30..", "(", ")", "*", "?", "\\",
    "<script>", "%", "\u3000", "\t", "\n", "\x00", "𠀀", "..", ":", "：", "title:\"医保 报销\"", "-title:医保",
])


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(_QUERY_PIECES, st.text(max_size=8)), max_size=14),
       st.lists(st.sampled_from([" ", "", "\u3000"]), min_size=14, max_size=14))
def test_queries_built_from_operators_parse_or_name_the_bad_date(pieces, gaps):
    text = "".join(piece + gap for piece, gap in zip(pieces, gaps))
    try:
        query = parse(text)
    except QueryError as error:
        assert error.code == "bad_date_filter" and error.http_status == 400
        return
    for clause in query.clauses + list(query.excluded):
        assert clause.text.strip() and clause.field in (None, "title")
    assert all(group for group in query.groups)
    for date in (query.date_from, query.date_to):
        assert date is None or (len(date) == 10 and date[4] == date[7] == "-")


@pytest.mark.parametrize("folded, question", [
    ("《战国无双3》是由哪两个公司合作开发的？", True),
    ("谁是第一位登上月球的人", True),
    ("北京到上海有多少公里", True),
    ("如何申请医保报销", True),
    ("冬季供暖明天开始吗", True),
    ("小米模式能走多远?", True),
    ("银行投放贷款支持农民春耕备耕", False),  # a headline names what the article is about
    ("医保 报销", False),
    ("李嘉诚回应撤资质疑", False),
    ("哈哈镜", False),
])
def test_questions_are_told_from_headlines_and_topics(folded, question):
    assert is_question(folded) is question


@pytest.mark.parametrize("text, rest", [
    ("date:2020-02 疫情", "疫情"),
    ("疫情 section:城事 section:要闻", "疫情 section:要闻"),  # only the first section is the section filter
    ('日期：2018..2019 "农业 发展" -盆景', '"农业 发展" -盆景'),
    ('section:"城 事" 医保', "医保"),
    ("date:2020", ""),
    ("date: 医保 title:医保", "date: 医保 title:医保"),  # an empty field is text, as `parse` reads it
])
def test_without_filters_leaves_what_the_filter_fields_do_not_show(text, rest):
    from service.search.query import without_filters

    assert without_filters(text) == rest
    kept = parse(rest)
    assert kept.date_from is None and kept.groups == parse(text).groups
    assert without_filters("date:2020 section:城事 医保", dates=False) == "date:2020 医保"
    assert without_filters("date:2020 section:城事 医保", section=False) == "section:城事 医保"


def test_people_places_and_organisations_are_filters_in_either_script():
    parsed = parse("扶贫 person:张三 人物:李四 place:冠县 地點:上海 org:农发行 機構:国务院 -person:王五")
    assert texts(parsed) == [["扶贫"]]
    assert parsed.entities == (("person", "张三"), ("person", "李四"), ("place", "冠县"), ("place", "上海"),
                               ("org", "农发行"), ("org", "国务院"))
    assert parsed.without_entities == (("person", "王五"),)
    assert parse("PERSON：张三").entities == (("person", "张三"),)
    assert parse('person:"Joe Biden"').entities == (("person", "Joe Biden"),)
    only = parse("place:冠县")
    assert only.has_filters and not only.groups
    assert parse("person:").entities == () and parse("personal:张三").entities == ()
