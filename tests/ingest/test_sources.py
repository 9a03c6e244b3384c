import json

import pytest

from helpers import SEED_PAGE
from service.errors import InputError
from service.ingest import sources
from service.ingest.sources import ReadOptions, collect_files, read_bytes, read_file, read_paths


def test_folders_give_their_page_and_article_files_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "a.jsonl", "1.txt", "notes.md", "x.gold.json", "b/img.png"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in collect_files([tmp_path])] == ["1.txt", "a.jsonl", "b/2.txt"]


def test_a_named_file_of_another_kind_is_refused(tmp_path):
    (tmp_path / "page.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="cannot ingest .pdf files"):
        collect_files([tmp_path / "page.pdf"])


def test_a_missing_path_is_named(tmp_path):
    with pytest.raises(InputError, match="nope.txt: no such file or folder"):
        collect_files([tmp_path / "nope.txt"])


def test_page_articles_carry_page_fields_and_stable_ids(tmp_path):
    first = read_paths([SEED_PAGE])
    copy = tmp_path / "copy.txt"
    copy.write_bytes(SEED_PAGE.read_bytes())
    again = read_paths([copy])
    assert [a.id for a in first.articles] == [a.id for a in again.articles]
    assert len({a.id for a in first.articles}) == 10
    article = first.articles[6]
    assert (article.date, article.section, article.page, article.editor, article.position) == \
        ("2018-02-28", "城事", "B03", "李璇", 7)
    assert article.source == SEED_PAGE.as_posix()


def test_a_page_with_no_articles_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "header.txt").write_text("A01 要闻 2019年3月1日 星期五\n", encoding="utf-8")
    result = read_paths([tmp_path / "header.txt"])
    assert result.articles == [] and "no articles found" in str(result.problems[0])


@pytest.mark.parametrize("txt", ["auto", "page", "article"])
def test_an_empty_text_file_is_said_to_be_empty_however_it_is_read(tmp_path, txt):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.txt").write_text("\n\n   \n", encoding="utf-8")
    result = read_paths([tmp_path / "empty.txt", tmp_path / "blank.txt"], ReadOptions(txt=txt))
    assert result.articles == [] and [p.line for p in result.problems] == [None, None]
    assert [p.message for p in result.problems] == [
        "the file is empty", "the file is empty: it holds only blank lines and spaces"]


def test_an_article_file_of_no_records_is_said_to_be_empty(tmp_path):
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text("\n \n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    result = read_paths([tmp_path / "blank.jsonl", tmp_path / "empty.csv", tmp_path / "empty.jsonl"])
    assert result.articles == [] and [p.line for p in result.problems] == [None, None, None]
    assert [p.message for p in result.problems] == [
        "the file is empty: it holds only blank lines and spaces", "the file is empty", "the file is empty"]
    uploaded = read_bytes(b"", "upload.jsonl", "upload.jsonl")
    assert [p.message for p in uploaded.problems] == ["the file is empty"]


def test_an_oversized_file_is_skipped_naming_the_limit(tmp_path):
    (tmp_path / "big.txt").write_text("很长的一页" * 10, encoding="utf-8")
    result = read_paths([tmp_path / "big.txt"], ReadOptions(max_file_bytes=10))
    assert result.articles == [] and "larger than the 10-byte limit" in str(result.problems[0])
    assert "ingest.max_file_bytes" in str(result.problems[0])


def test_a_file_with_an_overlong_line_is_skipped_naming_the_line_and_the_limit(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text('{"body": "短"}\n{"body": "' + "长" * 500 + '"}\n', encoding="utf-8")
    result = read_file(path, ReadOptions(max_line_chars=100))
    assert result.articles == [] and str(result.problems[0]).startswith(f"{path.as_posix()}:2: line is 512 ")
    assert "ingest.max_line_chars" in str(result.problems[0])
    assert len(read_file(path, ReadOptions(max_line_chars=600)).articles) == 2


def test_a_file_of_too_many_pages_is_skipped_naming_the_limit(tmp_path):
    page = "A01 要闻 2019年3月1日 星期五\n\n第二页标题\n第二页正文，写在这里。\n\n（王五）\n"
    (tmp_path / "many.txt").write_text("\f".join([page] * 4), encoding="utf-8")
    result = read_file(tmp_path / "many.txt", ReadOptions(txt="page", max_pages_per_file=3))
    assert result.articles == [] and "holds 4 pages; the limit is 3 (ingest.max_pages_per_file)" in str(
        result.problems[0])
    assert len(read_file(tmp_path / "many.txt", ReadOptions(txt="page", max_pages_per_file=4)).articles) == 4


@pytest.mark.parametrize("name", ["../x.txt", "a/b.txt", "a\\b.txt", "C:x.txt", ".x.txt", "x..txt", "x.exe", "",
                                  "\x00.txt", "x" * 300 + ".txt"])
def test_upload_names_must_be_plain_ingestible_file_names(name):
    with pytest.raises(InputError):
        sources.check_upload_name(name)


def test_an_upload_is_read_in_memory_like_a_file(tmp_path):
    data = SEED_PAGE.read_bytes()
    path = tmp_path / "page.txt"
    path.write_bytes(data)
    uploaded = sources.read_bytes(data, "page.txt", "upload:page.txt")
    assert [a.id for a in uploaded.articles] == [a.id for a in read_file(path).articles]
    too_big = sources.read_bytes(data, "page.txt", "upload:page.txt", ReadOptions(max_file_bytes=100))
    assert too_big.articles == [] and "ingest.max_file_bytes" in str(too_big.problems[0])


def test_each_page_of_a_file_of_several_gets_its_own_ids_and_number(tmp_path):
    first = SEED_PAGE.read_text(encoding="utf-8")
    second = "A01 要闻 2019年3月1日 星期五\n\n第二页标题\n第二页正文，写在这里。\n\n（王五）\n"
    (tmp_path / "two.txt").write_text(first + "\f" + second, encoding="utf-8")
    (tmp_path / "second.txt").write_text(second, encoding="utf-8")
    both = read_file(tmp_path / "two.txt")
    assert [a.source_page for a in both.articles] == [1] * 10 + [2]
    assert both.articles[-1].page == "A01" and both.articles[0].page == "B03"
    assert len(both.page_prefixes) == 2 and all(a.id.startswith(both.page_prefixes[a.source_page - 1])
                                                for a in both.articles)
    # The same page alone in a file gets the ids it got as the second page of another.
    alone = read_file(tmp_path / "second.txt")
    assert [a.id for a in alone.articles] == [both.articles[-1].id] and alone.articles[0].source_page is None


def test_txt_files_are_read_as_pages_or_articles(tmp_path):
    article_text = "一篇文本文章的标题\n这是正文的第一段，一行就是一段。\n这是第二段，也写在一行里。\n"
    (tmp_path / "article.txt").write_text(article_text, encoding="utf-8")
    (tmp_path / "page.txt").write_bytes(SEED_PAGE.read_bytes())
    assert read_file(tmp_path / "article.txt").read_as == "article"
    assert read_file(tmp_path / "page.txt").read_as == "page"
    forced = read_file(tmp_path / "article.txt", ReadOptions(txt="page"))
    assert forced.read_as == "page"
    as_article = read_file(tmp_path / "page.txt", ReadOptions(txt="article"))
    assert as_article.read_as == "article" and len(as_article.articles) == 1
    with pytest.raises(InputError, match="txt mode must be one of"):
        ReadOptions(txt="pdf")


def test_csv_files_are_collected_and_read_with_a_column_mapping(tmp_path):
    (tmp_path / "a.csv").write_text("编号,headline,story\nx1,题,正文。\n", encoding="utf-8")
    assert collect_files([tmp_path]) == [tmp_path / "a.csv"]
    result = read_file(tmp_path / "a.csv", ReadOptions(columns={"title": "headline", "body": "story"}))
    assert [(a.id, a.title, a.body) for a in result.articles] == [("x1", "题", "正文。")]
    unmapped = read_file(tmp_path / "a.csv")
    assert unmapped.articles == [] and "no body column" in str(unmapped.problems[0])


def test_hidden_files_and_folders_are_not_collected(tmp_path):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("x", encoding="utf-8")
    (tmp_path / "page.txt").write_text("x", encoding="utf-8")
    assert collect_files([tmp_path]) == [tmp_path / "page.txt"]


def test_an_article_file_on_disk_of_any_size_is_read_line_by_line(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"id": f"2012-07-02/A{n:02d}#{n}", "title": "题", "body": "正文。" * 40,
                                        "date": "2012-07-02 19:06:13"}, ensure_ascii=False) + "\n"
                            for n in range(50)), encoding="utf-8")
    options = ReadOptions(max_file_bytes=1000)  # the cap is for pages and uploads
    result = read_file(path, options)
    assert result.problems == [] and len(result.articles) == 50
    assert result.articles[3].id == "2012-07-02/A03#3" and result.articles[3].date == "2012-07-02"
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("id,title,body\n" + "".join(f"c{n},题,\"正文\n第二段\"\n" for n in range(200)),
                        encoding="gb18030")
    read = read_file(csv_path, options)
    assert read.problems == [] and len(read.articles) == 200 and read.articles[0].paragraphs == ["正文", "第二段"]
    uploaded = sources.read_bytes(path.read_bytes(), "big.jsonl", "upload:big.jsonl", options)
    assert uploaded.articles == [] and "ingest.max_file_bytes" in str(uploaded.problems[0])


def test_a_jsonl_files_warnings_and_column_mapping_come_with_its_read(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps({"id": f"x{n}", "title": "题", "body": "文。", "kind": "item",
                                        "category": "城事"}, ensure_ascii=False) + "\n" for n in range(3)),
                    encoding="utf-8")
    plain = read_file(path)
    assert len(plain.articles) == 3 and len(plain.warnings) == 2
    assert "fields not read: category (3)" in plain.warnings[0] and "item (3)" in plain.warnings[1]
    mapped = read_file(path, ReadOptions(columns={"section": "category"}))
    assert [a.section for a in mapped.articles] == ["城事"] * 3 and len(mapped.warnings) == 1
    wrong = read_file(path, ReadOptions(columns={"colour": "category"}))
    assert wrong.articles == [] and "unknown field 'colour'" in str(wrong.problems[0])


def test_a_mapping_from_a_field_no_record_has_refuses_the_whole_file(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps({"id": f"x{n}", "title": "题", "body": "文。"}, ensure_ascii=False) + "\n"
                            for n in range(3)) + "{bad\n", encoding="utf-8")
    refused = read_file(path, ReadOptions(columns={"title": "nosuch"}))
    assert refused.articles == [] and refused.warnings == []
    [problem] = refused.problems
    assert problem.line is None and "'nosuch' given for title" in problem.message
    assert "the records' fields are: id, title, body" in problem.message


def test_a_corrected_reading_s_articles_are_matched_to_the_stories_they_correct_not_to_their_positions():
    from service.articles import Article
    from service.ingest.sources import match_readings

    story = "冠县斜店乡为全乡贫困户代缴医保费用，确保贫困户参加医保不落一人，乡里还组织人员逐户走访核实。"
    other = "青州市与冠县开展东西协作，两地在产业、就业、教育等方面合作，扶贫成效显著，群众收入稳步增加。"
    before = [Article(id="pOLD-01", title="保障贫困户参加医保", body=story),
              Article(id="pOLD-02", title="东西协作扶贫成效显著", body=other)]
    now = [Article(id="pNEW-01", title="新插入的一篇简讯", body="今天上午，市里召开会议，部署春节期间安全生产工作。"),
           Article(id="pNEW-02", title="保障贫困户参加医保", body=story.replace("逐户", "逐戶")),
           Article(id="pNEW-03", title="东西协作扶贫成效显箸", body=other.replace("显著", "显箸"))]
    assert match_readings(now, before) == {"pNEW-02": "pOLD-01", "pNEW-03": "pOLD-02"}
    assert match_readings(now[:1], before) == {}
