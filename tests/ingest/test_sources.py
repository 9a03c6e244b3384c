import pytest

from helpers import SEED_PAGE
from service.errors import InputError
from service.ingest import sources
from service.ingest.sources import collect_files, read_paths


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
    (tmp_path / "blank.txt").write_text("\n\n   \n", encoding="utf-8")
    result = read_paths([tmp_path / "blank.txt"])
    assert result.articles == [] and "no articles found" in str(result.problems[0])


def test_an_oversized_file_is_skipped_naming_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 10)
    (tmp_path / "big.txt").write_text("很长的一页" * 10, encoding="utf-8")
    result = read_paths([tmp_path / "big.txt"])
    assert result.articles == [] and "larger than the 10-byte limit" in str(result.problems[0])
