import sqlite3

import pytest

from service.articles import Article
from service.errors import NotFound
from service.store import Store


def article(article_id="a1", title="标题", body="正文。", **extra):
    return Article(id=article_id, title=title, body=body, **extra)


def test_upsert_adds_replaces_and_leaves_identical_articles_alone(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    first = store.upsert([article("a1"), article("a2", authors=("张三", "李四"), date="2018-02-28")])
    assert (first.added, first.replaced, first.unchanged) == (["a1", "a2"], [], [])
    again = store.upsert([article("a1"), article("a2", authors=("张三", "李四"), date="2018-02-28")])
    assert (again.added, again.replaced, again.unchanged) == ([], [], ["a1", "a2"])
    changed = store.upsert([article("a1", body="新的正文。")])
    assert changed.replaced == ["a1"]
    assert store.count() == 2
    assert store.get("a1").body == "新的正文。"
    assert store.get("a2").authors == ("张三", "李四")


def test_ingest_order_is_kept_even_when_an_article_is_replaced(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("b"), article("a"), article("c")])
    store.upsert([article("a", body="改。")])
    assert [a.id for a in store.iter_articles()] == ["b", "a", "c"]


def test_unknown_id_is_not_found(tmp_path):
    with pytest.raises(NotFound, match="no article with id 'x'"):
        Store(tmp_path / "s.sqlite3").get("x")


def test_failed_batch_adds_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("keep")])

    def batch():
        yield article("new")
        raise RuntimeError("reader failed half-way")

    with pytest.raises(RuntimeError):
        store.upsert(batch())
    assert [a.id for a in store.iter_articles()] == ["keep"]


def test_store_uses_write_ahead_logging(tmp_path):
    Store(tmp_path / "s.sqlite3")
    mode = sqlite3.connect(tmp_path / "s.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_get_many_returns_what_exists(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article(f"id{i}") for i in range(1200)])
    found = store.get_many([f"id{i}" for i in range(0, 1300, 3)])
    assert len(found) == len(range(0, 1200, 3))
