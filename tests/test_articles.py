import pytest

from service.articles import Article, article_path, check_id, content_id, quote_id
from service.errors import InputError


@pytest.mark.parametrize("good", ["DEV_0", "1147-5", "p3f2-01", "新闻:2018.02", "a" * 200, "2018-02-28/B03/1",
                                  "Q_ANN_TST_003022#00", "50%", "q?x", "a b", "a\\b", "新闻 12？", "a..b/c.d", ".x/..y"])
def test_ids_accepted(good):
    assert check_id(good) == good


@pytest.mark.parametrize("bad", ["", " ", " a", "a ", "x\ny", "x\ty", "a\x00", "a\u2028b", "a\u200bb", "a\ud800",
                                 "a" * 201, ".", "..", "../etc/passwd", "a/./b", "a/..", None, 5])
def test_ids_refused(bad):
    with pytest.raises(InputError) as caught:
        check_id(bad)
    assert caught.value.code == "bad_id"


@pytest.mark.parametrize("article_id, path", [
    ("2018-02-28/B03/1", "/articles/2018-02-28%2FB03%2F1"),
    ("Q_ANN_TST_003022#00", "/articles/Q_ANN_TST_003022%2300"),
    ("50% a?b", "/articles/50%25%20a%3Fb"),
    ("新闻", "/articles/%E6%96%B0%E9%97%BB"),
    ("a-b_c.d~e", "/articles/a-b_c.d~e"),
])
def test_article_paths_percent_encode_the_id(article_id, path):
    assert article_path(article_id) == path
    assert article_path(article_id, "https://x.org/a/") == "https://x.org/a/" + path.removeprefix("/articles/")
    from urllib.parse import unquote
    assert unquote(quote_id(article_id)) == article_id


def test_content_hash_follows_content_not_warnings():
    a = Article(id="x", title="t", body="b")
    assert a.content_hash == Article(id="x", title="t", body="b", warnings=("guessed title",)).content_hash
    assert a.content_hash != Article(id="x", title="t", body="b2").content_hash


def test_content_ids_are_stable():
    assert content_id("a", "题", "文") == content_id("a", "题", "文") != content_id("a", "题", "文2")


def test_paragraphs_skip_blank_lines():
    assert Article(id="x", title="t", body="一。\n\n二。\n").paragraphs == ["一。", "二。"]
