import json

from service.ingest.formats import read_jsonl


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
        {"id": "bad date", "title": "t", "body": "b"},
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
