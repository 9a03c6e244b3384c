import pytest

from service.articles import Article, check_id, content_id
from service.errors import InputError


@pytest.mark.parametrize("good", ["DEV_0", "1147-5", "p3f2-01", "新闻:2018.02", "a" * 200])
def test_ids_accepted(good):
    assert check_id(good) == good


@pytest.mark.parametrize("bad", ["", " ", "a b", "../etc/passwd", "a/b", "a\\b", "x\ny", "a" * 201, "q?x", None, 5])
def test_ids_refused(bad):
    with pytest.raises(InputError):
        check_id(bad)


def test_content_hash_follows_content_not_warnings():
    a = Article(id="x", title="t", body="b")
    assert a.content_hash == Article(id="x", title="t", body="b", warnings=("guessed title",)).content_hash
    assert a.content_hash != Article(id="x", title="t", body="b2").content_hash


def test_content_ids_are_stable():
    assert content_id("a", "题", "文") == content_id("a", "题", "文") != content_id("a", "题", "文2")


def test_paragraphs_skip_blank_lines():
    assert Article(id="x", title="t", body="一。\n\n二。\n").paragraphs == ["一。", "二。"]
