import json

import pytest

from service.ingest.formats import FileNotes, read_csv, read_jsonl, read_text_article


def lines(*records):
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records)


def test_records_become_articles_keeping_their_ids():
    articles, problems = read_jsonl(lines(
        {"id": "n1", "title": "标题", "body": "正文。", "date": "2018-02-28", "section": "城事", "page": "B03",
         "authors": ["张三", "李四"], "source": "报纸"},
        {"id": 7, "title": "二", "text": "用 text 字段。", "authors": "王五、赵六"},
    ), "a.jsonl")
    assert problems == []
    assert [a.id for a in articles] == ["n1", "7"]
    assert articles[0].authors == ("张三", "李四") and articles[0].source == "报纸" and articles[0].page == "B03"
    assert articles[1].body == "用 text 字段。" and articles[1].authors == ("王五", "赵六")
    assert articles[1].source == "a.jsonl"


def test_record_without_id_gets_a_content_id():
    first, _ = read_jsonl(lines({"title": "标题", "body": "正文。"}), "a.jsonl")
    again, _ = read_jsonl(lines({"title": "标题", "body": "正文。"}), "b.jsonl")
    assert first[0].id == again[0].id and first[0].id.startswith("a")


def test_bad_lines_are_reported_with_their_line_number_and_skipped():
    articles, problems = read_jsonl(lines(
        {"id": "ok1", "title": "t", "body": "b"},
        "{not json",
        {"id": "nobody", "title": "t"},
        {"id": "bad\tid", "title": "t", "body": "b"},
        {"id": "d", "title": "t", "body": "b", "date": "28/02/2018"},
        ["a", "list"],
        {"id": "ok2", "title": "t", "body": "b", "authors": [1, 2]},
        "",
        {"id": "ok3", "title": "t", "body": "b"},
    ), "in.jsonl")
    assert [a.id for a in articles] == ["ok1", "ok3"]
    assert [(p.line, p.source) for p in problems] == [(2, "in.jsonl"), (3, "in.jsonl"), (4, "in.jsonl"),
                                                      (5, "in.jsonl"), (6, "in.jsonl"), (7, "in.jsonl")]
    assert "not valid JSON" in problems[0].message
    assert "`body` or `text`" in problems[1].message
    assert "id" in problems[2].message
    assert "date" in problems[3].message
    assert str(problems[0]).startswith("in.jsonl:2: ")


def test_a_repeated_id_keeps_the_later_record_and_says_so():
    articles, problems = read_jsonl(lines({"id": "x", "title": "旧", "body": "b"},
                                          {"id": "x", "title": "新", "body": "b"}), "a.jsonl")
    assert [a.title for a in articles] == ["新"]
    assert "line 1" in problems[0].message


# --- .csv --------------------------------------------------------------------------------------------------

def test_csv_rows_become_articles_by_their_header_names():
    text = ("id,标题,正文,日期,作者,版面,引题\n"
            "c1,灵芝产业,冠县灵芝产业知名度提升。,2018-02-28,张三、李四,B03,产业兴旺\n"
            '"c2","带逗号的,标题","第一段。\n第二段，带“引号”。",,王五,,\n')
    articles, problems, warnings = read_csv(text, "a.csv")
    assert problems == [] and warnings == []
    assert [a.id for a in articles] == ["c1", "c2"]
    assert (articles[0].title, articles[0].date, articles[0].authors, articles[0].page, articles[0].kicker) == (
        "灵芝产业", "2018-02-28", ("张三", "李四"), "B03", "产业兴旺")
    assert articles[1].title == "带逗号的,标题" and articles[1].paragraphs == ["第一段。", "第二段，带“引号”。"]
    assert articles[1].date is None and articles[1].source == "a.csv"


def test_csv_column_mapping_overrides_the_defaults_and_unused_columns_are_named():
    text = "headline,story,text,note\n题,正文在这里。,不是正文,备注\n"
    articles, problems, warnings = read_csv(text, "a.csv", {"body": "story"})
    assert problems == []
    assert (articles[0].title, articles[0].body) == ("题", "正文在这里。")
    assert warnings == ["a.csv: columns not read: text, note"]


@pytest.mark.parametrize("columns, message", [
    ({"body": "nope"}, "column 'nope' (for body) is not in the header row"),
    ({"colour": "title"}, "unknown field 'colour'"),
])
def test_a_bad_column_mapping_is_a_problem_naming_it(columns, message):
    articles, problems, _ = read_csv("title,body\n题,文。\n", "a.csv", columns)
    assert articles == [] and message in problems[0].message and problems[0].line == 1


def test_csv_without_a_body_column_says_which_columns_it_has():
    _, problems, _ = read_csv("title,words\n题,文。\n", "a.csv")
    assert "no body column" in problems[0].message and "title, words" in problems[0].message


def test_bad_csv_rows_are_reported_with_the_line_they_start_on_and_skipped():
    text = ('id,title,body,date\n'
            'ok1,t,"两行的\n正文。",\n'          # lines 2-3
            'short,t\n'                         # line 4: too few fields
            'bad,t,b,28/02/2018\n'              # line 5: bad date
            'nobody,t,,\n'                      # line 6: no text
            '\n'
            'ok2,t,b,2019\n')                   # line 8
    articles, problems, _ = read_csv(text, "in.csv")
    assert [a.id for a in articles] == ["ok1", "ok2"]
    assert [(p.line, p.message.split(" ")[0]) for p in problems] == [(4, "2"), (5, "field"), (6, "record")]
    assert str(problems[0]) == "in.csv:4: 2 fields where the header has 4"


def test_tab_separated_csv_is_read():
    articles, problems, _ = read_csv("title\tbody\n题\t正文，带逗号。\n", "a.csv")
    assert problems == [] and articles[0].body == "正文，带逗号。"


# --- plain-text articles -------------------------------------------------------------------------------------

def test_text_article_first_line_is_the_title_and_each_line_a_paragraph():
    article, problem = read_text_article("\n冠县灵芝产业\n第一段。\n第二段。\n", "a.txt")
    assert problem is None
    assert (article.title, article.paragraphs) == ("冠县灵芝产业", ["第一段。", "第二段。"])
    assert article.id.startswith("t") and article.source == "a.txt"


def test_text_article_with_blank_lines_joins_wrapped_lines_into_paragraphs():
    article, _ = read_text_article("标题\n\n第一段写到一半\n接着写完。\n\nThe New York\nTimes 报道。\n", "a.txt")
    assert article.paragraphs == ["第一段写到一半接着写完。", "The New York Times 报道。"]


@pytest.mark.parametrize("text, message", [("", "the file is empty"), ("\n  \n", "holds only blank lines"),
                                           ("只有标题\n\n", "no body")])
def test_text_article_without_a_body_is_a_problem(text, message):
    article, problem = read_text_article(text, "a.txt")
    assert article is None and message in problem.message


@pytest.mark.parametrize("record, field", [
    ('{"id": "s1", "body": "正文\\ud800内容。"}', "body"),
    ('{"id": "s1", "title": "\\udc80标题", "body": "正文。"}', "title"),
    ('{"id": "s1", "body": "正文。", "authors": ["张\\ud83d"]}', "authors"),
    ('{"id": "s1", "body": "正文。", "section": "\\udfff"}', "section"),
])
def test_a_record_holding_a_lone_surrogate_is_skipped_naming_the_field(record, field):
    """JSON can spell half a surrogate pair on its own; it is not text, and UTF-8 (SQLite, hashes) refuses it."""
    articles, problems = read_jsonl(lines(record, {"id": "s2", "body": "正常的文章。"}), "a.jsonl")
    assert [a.id for a in articles] == ["s2"]
    assert len(problems) == 1 and problems[0].line == 1
    assert f"field `{field}`" in problems[0].message and "surrogate" in problems[0].message


def test_an_id_holding_a_lone_surrogate_is_refused():
    articles, problems = read_jsonl(lines('{"id": "a\\udc80", "body": "正文。"}'), "a.jsonl")
    assert articles == [] and len(problems) == 1 and "id" in problems[0].message


# --- what common JSON-lines exports hold -------------------------------------------------------------------

@pytest.mark.parametrize("written, kept", [
    ("2012-07-02 19:06:13", "2012-07-02"),
    ("2012-07-02T19:06:13+08:00", "2012-07-02"),
    ("2012-07-02T19:06:13Z", "2012-07-02"),
    ("2012-07-02 19:06", "2012-07-02"),
    ("2012-07-02T19:06:13.250-0500", "2012-07-02"),
    ("2012-07", "2012-07"),
])
def test_a_date_with_a_time_of_day_keeps_its_date(written, kept):
    articles, problems = read_jsonl(lines({"id": "d", "title": "t", "body": "b", "date": written}), "a.jsonl")
    assert problems == [] and articles[0].date == kept


@pytest.mark.parametrize("written", ["2012-07 19:06", "2012-07-02 at noon", "02/07/2012 19:06", "2012-07-02T"])
def test_a_date_that_is_no_date_is_still_refused(written):
    articles, problems = read_jsonl(lines({"id": "d", "title": "t", "body": "b", "date": written}), "a.jsonl")
    assert articles == [] and "field `date`" in problems[0].message


def test_an_unknown_kind_keeps_the_article_as_the_default_kind_and_warns_once_per_file():
    notes = FileNotes()
    articles, problems = read_jsonl(lines(*({"id": f"i{n}", "title": "t", "body": "b", "kind": "item"}
                                            for n in range(3)),
                                          {"id": "p", "title": "t", "body": "b", "kind": "photo"}), "a.jsonl",
                                    notes=notes)
    assert problems == [] and [a.kind for a in articles] == ["article"] * 3 + ["photo"]
    warnings = notes.warnings("a.jsonl")
    assert warnings == ["a.jsonl: kind values not known: item (3); those records were kept as article (kinds are "
                        "article, photo)"]


def test_unknown_fields_are_named_once_per_file_and_can_be_mapped():
    records = [{"id": f"c{n}", "title": "t", "body": "b", "category": "城事", "url": "x"} for n in range(2)]
    notes = FileNotes()
    articles, _ = read_jsonl(lines(*records), "a.jsonl", notes=notes)
    assert [a.section for a in articles] == [None, None]
    [warning] = notes.warnings("a.jsonl")
    assert "fields not read: category (2), url (2)" in warning and "--column" in warning

    notes = FileNotes()
    articles, _ = read_jsonl(lines(*records), "a.jsonl", {"section": "category"}, notes)
    assert [a.section for a in articles] == ["城事", "城事"]
    assert notes.warnings("a.jsonl", {"section": "category"}) == ["a.jsonl: fields not read: url (2); read one "
                                                                  "as a field with --column FIELD=NAME (e.g. "
                                                                  "--column section=url)"]


def test_a_mapping_overrides_the_records_own_field_and_a_name_no_record_has_is_said():
    notes = FileNotes()
    articles, _ = read_jsonl(lines({"title": "t", "body": "b", "section": "旧", "lanmu": "新"}), "a.jsonl",
                             {"section": "lanmu", "page": "banci"}, notes)
    assert articles[0].section == "新"
    assert notes.warnings("a.jsonl", {"section": "lanmu", "page": "banci"}) == []
    assert notes.unmapped({"section": "lanmu", "page": "banci"}) == (
        "no record has the field 'banci' given for page (--column page=banci); the records' fields are: title, "
        "body, section, lanmu. Nothing of the file was read")
    assert notes.unmapped({"section": "lanmu"}) is None
    assert FileNotes().unmapped({"page": "banci"}) is None  # no record read: nothing to say about their fields


def test_ids_archives_use_are_kept():
    ids = ["2018-02-28/B03/1", "Q_ANN_TST_003022#00", "50%", "a?b", "新闻 12"]
    articles, problems = read_jsonl(lines(*({"id": i, "title": "t", "body": "b"} for i in ids)), "a.jsonl")
    assert problems == [] and [a.id for a in articles] == ids


def test_a_file_given_as_lines_reads_as_its_whole_text():
    text = lines({"id": "a", "title": "t", "body": "b"}, "{bad", {"id": "c", "title": "t", "body": "b"})
    assert read_jsonl(iter(text.split("\n")), "a.jsonl") == read_jsonl(text, "a.jsonl")
    csv_text = "id,title,body\nx,t,\"两行\n正文\"\ny,t,b\n"
    assert read_csv(iter(csv_text.splitlines(keepends=True)), "a.csv") == read_csv(csv_text, "a.csv")


def test_a_records_printed_position_is_read_and_checked():
    articles, problems = read_jsonl(lines({"id": "a", "title": "t", "body": "b", "position": 3},
                                          {"id": "b", "title": "t", "body": "b", "position": "4"},
                                          {"id": "c", "title": "t", "body": "b", "position": -1},
                                          {"id": "d", "title": "t", "body": "b", "position": "first"}), "a.jsonl")
    assert [(a.id, a.position) for a in articles] == [("a", 3), ("b", 4)]
    assert [p.line for p in problems] == [3, 4] and "field `position`" in problems[0].message
    assert read_csv("title,body,位置\n题,文,7\n", "a.csv")[0][0].position == 7
