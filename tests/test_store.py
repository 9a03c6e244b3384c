import json
import sqlite3

import pytest

from service import store as store_module
from service.articles import Article
from service.errors import IndexUnusable, NotFound
from service.store import SCHEMA_VERSION, Store


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


def test_a_replaced_article_moves_to_the_end_of_ingest_order_keeping_when_it_was_added(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("b"), article("a"), article("c")])
    conn = sqlite3.connect(tmp_path / "s.sqlite3")
    added = conn.execute("SELECT added_at FROM articles WHERE id = 'a'").fetchone()[0]
    conn.execute("UPDATE articles SET added_at = '2001-01-01T00:00:00Z' WHERE id = 'a'")
    conn.commit()
    assert added
    counts = store.upsert([article("a", body="改。"), article("b")])
    assert counts.replaced == ["a"] and counts.unchanged == ["b"]
    assert [a.id for a in store.iter_articles()] == ["b", "c", "a"]
    assert store.get("a").body == "改。"
    assert conn.execute("SELECT added_at FROM articles WHERE id = 'a'").fetchone()[0] == "2001-01-01T00:00:00Z"


def test_an_id_twice_in_one_batch_is_added_then_replaced(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    counts = store.upsert([article("a"), article("b"), article("a", body="再改。"), article("a", body="再改。")])
    assert (counts.added, counts.replaced, counts.unchanged) == (["a", "b"], ["a"], ["a"])
    assert [(a.id, a.body) for a in store.iter_articles()] == [("b", "正文。"), ("a", "再改。")]


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


# --- schema versions and migration ----------------------------------------------------------------------

# The schema exactly as version 1 of the store wrote it, frozen here: a migration must keep working on
# archives built by that version even after the code that wrote them is gone.
_VERSION_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, body TEXT NOT NULL,
    date TEXT, section TEXT, page TEXT, authors TEXT NOT NULL DEFAULT '[]', kind TEXT NOT NULL DEFAULT 'article',
    source TEXT, position INTEGER, editor TEXT, warnings TEXT NOT NULL DEFAULT '[]', content_hash TEXT NOT NULL,
    added_at TEXT NOT NULL);
CREATE TABLE ingests (id INTEGER PRIMARY KEY AUTOINCREMENT, finished_at TEXT NOT NULL, files INTEGER NOT NULL,
    added INTEGER NOT NULL, replaced INTEGER NOT NULL, unchanged INTEGER NOT NULL, skipped INTEGER NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
"""


def make_version_1_store(path, articles):
    conn = sqlite3.connect(path)
    conn.executescript(_VERSION_1)
    for a in articles:
        conn.execute("INSERT INTO articles(id, title, body, date, authors, kind, source, position, editor, warnings, "
                     "content_hash, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, '2026-01-01T00:00:00Z')",
                     (a.id, a.title, a.body, a.date, json.dumps(list(a.authors), ensure_ascii=False), a.kind,
                      a.source, a.position, a.editor, a.content_hash))
    conn.execute("INSERT INTO ingests(finished_at, files, added, replaced, unchanged, skipped) "
                 "VALUES ('2026-01-01T00:00:00Z', 1, ?, 0, 0, 0)", (len(articles),))
    conn.commit()
    conn.close()


def test_a_version_1_store_is_migrated_in_place_keeping_every_article(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = [article("a1", authors=("张三",), date="2018-02-28", position=1, editor="李璇"), article("a2", body="二。")]
    make_version_1_store(path, old)
    store = Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    assert {"kicker", "subtitle", "source_page"} <= columns
    assert [a.id for a in store.iter_articles()] == ["a1", "a2"]
    assert store.get("a1") == old[0] and store.get("a1").kicker is None
    assert store.last_ingest() == "2026-01-01T00:00:00Z"
    # Unchanged content keeps its hash across the migration: re-reading the same files changes nothing.
    again = store.upsert(old)
    assert again.unchanged == ["a1", "a2"] and store.revision() == 0
    store.upsert([article("a3", kicker="引题", subtitle="——副题")])
    assert store.get("a3").subtitle == "——副题" and store.revision() == 1
    # Opening it again finds it current and migrates nothing twice.
    assert Store(path).count() == 3


def test_migration_steps_cover_every_version():
    assert sorted(store_module._MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_a_store_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "new.sqlite3"
    Store(path).upsert([article("a1")])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    with pytest.raises(IndexUnusable, match="newer than this Jiansuo reads") as info:
        Store(path)
    assert info.value.code == "store_schema"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1


def test_a_failed_migration_leaves_the_old_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    make_version_1_store(path, [article("a1")])
    broken = dict(store_module._MIGRATIONS)
    broken[1] = store_module._MIGRATIONS[1] + ("ALTER TABLE no_such_table ADD COLUMN x TEXT",)
    monkeypatch.setattr(store_module, "_MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
    assert "kicker" not in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    monkeypatch.undo()
    assert Store(path).get("a1").title == "标题"


# --- revision, terms, deletes ------------------------------------------------------------------------------

def test_revision_counts_committed_changes_only(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert store.revision() == 0
    store.upsert([article("a1")])
    store.upsert([article("a1")])
    assert store.revision() == 1
    store.delete(["nope"])
    assert store.revision() == 1
    store.delete(["a1"])
    assert store.revision() == 2 and store.count() == 0


def test_the_reader_lists_ids_and_hashes_and_reads_chosen_articles_in_ingest_order(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("a1"), article("a2"), article("a3")])
    store.upsert([article("a1", body="新的。")])
    with store.reading() as reader:
        assert reader.id_hashes() == [(i, store.get(i).content_hash) for i in ("a2", "a3", "a1")]
        assert [a.id for a in reader.articles({"a1", "a2"})] == ["a2", "a1"]
        assert [a.id for a in reader.articles()] == ["a2", "a3", "a1"]


def test_delete_removes_articles(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("a1"), article("a2")])
    assert store.delete(["a1", "a1", "missing"]) == ["a1"]
    assert [x.id for x in store.iter_articles()] == ["a2"]


def test_a_version_2_store_loses_its_per_article_terms_table(tmp_path):
    path = tmp_path / "s.sqlite3"
    make_version_1_store(path, [article("a1")])
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute("CREATE TABLE terms (article_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, "
                 "fingerprint TEXT NOT NULL, length INTEGER NOT NULL, counts TEXT NOT NULL)")
    conn.execute("INSERT INTO terms VALUES ('a1', 'h', 'fp', 1, '{}')")
    conn.commit()
    assert Store(path).get("a1").title == "标题"
    conn = sqlite3.connect(tmp_path / "s.sqlite3")
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'terms'").fetchone() is None


def test_ids_with_prefix_treats_like_wildcards_literally(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("p1_a-01"), article("p1xa-01"), article("p1_a-02"), article("q")])
    with store.writing() as writer:
        assert writer.ids_with_prefix("p1_a-") == ["p1_a-01", "p1_a-02"]
