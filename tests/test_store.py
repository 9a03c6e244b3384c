import json
import sqlite3

import pytest

from service import store as store_module
from service.articles import Article
from service.errors import IndexUnusable, NotFound, StoreDamaged
from service.store import SCHEMA_VERSION, Store

from helpers import flip_byte_in_file


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


def test_a_meta_value_is_kept_without_counting_as_a_change(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("a1")])
    assert store.meta("extras_current") is None
    store.set_meta("extras_current", "abc 1")
    assert store.meta("extras_current") == "abc 1" and store.revision() == 1
    assert Store(tmp_path / "s.sqlite3").meta("extras_current") == "abc 1"


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


# --- row checksums -----------------------------------------------------------------------------------------

def _read_all(store):
    with store.reading() as reader:
        return list(reader.articles({"b"}))


def _damaged_store(tmp_path, needle: bytes, at: int, mask: int):
    """A closed store of three articles, one byte of article b's row changed on disk."""
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    store.upsert([article("a", body="第一篇。"), article("b", body="第二篇 unique-marker 文章。", source="pages/b.txt"),
                  article("c", body="第三篇。")])
    store.close()
    assert not (tmp_path / "s.sqlite3-wal").exists()
    flip_byte_in_file(path, needle, at, mask)
    return Store(path)


@pytest.mark.parametrize("needle, at, mask", [
    (b"unique-marker", 0, 0x02),  # 'u' -> 'w': still text, only the checksum knows
    ("第二篇".encode(), 1, 0x40),  # inside a character's UTF-8: no longer text, SQLite cannot decode it
])
def test_a_byte_changed_inside_a_row_is_an_error_naming_the_article_and_its_repair(tmp_path, needle, at, mask):
    store = _damaged_store(tmp_path, needle, at, mask)
    for read in (lambda: store.get("b"), lambda: store.get_many(["a", "b"]), lambda: list(store.iter_articles()),
                 lambda: _read_all(store)):
        with pytest.raises(StoreDamaged) as info:
            read()
        assert info.value.code == "article_damaged" and info.value.http_status == 503 and info.value.exit_code == 6
        assert "article 'b' is damaged" in info.value.message
        assert "jiansuo ingest pages/b.txt" in info.value.message and "jiansuo delete b" in info.value.message
    assert store.get("a").body == "第一篇。" and set(store.get_many(["a", "c"])) == {"a", "c"}
    assert [(d.seq, d.id) for d in store.damaged_rows()] == [(2, "b")]
    assert store.integrity() == []  # SQLite's own check sees structure only


def test_storing_a_damaged_article_again_repairs_it_and_keeps_the_rest(tmp_path):
    store = _damaged_store(tmp_path, b"unique-marker", 0, 0x02)
    counts = store.upsert([article("a", body="第一篇。"), article("b", body="第二篇 unique-marker 文章。",
                                                                   source="pages/b.txt")])
    assert counts.unchanged == ["a"] and counts.replaced == ["b"]
    assert store.damaged_rows() == [] and store.get("b").body == "第二篇 unique-marker 文章。"


def test_a_row_sqlite_cannot_read_is_named_too(tmp_path):
    """The page holding the rows loses its header: SQLite itself fails, and the article asked for is named."""
    store = _damaged_store(tmp_path, b"unique-marker", 0, 0x00)
    page_size = sqlite3.connect(tmp_path / "s.sqlite3").execute("PRAGMA page_size").fetchone()[0]
    data = bytearray((tmp_path / "s.sqlite3").read_bytes())
    page_start = data.index(b"unique-marker") // page_size * page_size
    data[page_start] = 0x07  # a b-tree page type that does not exist
    store.close()
    (tmp_path / "s.sqlite3").write_bytes(bytes(data))
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(StoreDamaged, match=r"article 'b' is damaged .* cannot be read by SQLite") as info:
        store.get("b")
    assert info.value.code == "article_damaged"
    with pytest.raises(StoreDamaged, match="article 'a' is damaged"):
        list(store.iter_articles())
    assert {d.id for d in store.damaged_rows()} >= {"a", "b"}


def test_migration_seals_every_stored_row_and_leaves_one_that_is_no_longer_text_to_be_named(tmp_path):
    path = tmp_path / "old.sqlite3"
    make_version_1_store(path, [article("a1"), article("a2", body="二。")])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET body = CAST(X'e4b8' AS TEXT) WHERE id = 'a2'")  # half a character
    conn.commit()
    conn.close()
    store = Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT id FROM articles WHERE row_checksum IS NULL").fetchall() == [("a2",)]
    assert store.get("a1").title == "标题"
    [damaged] = store.damaged_rows()
    assert damaged.id == "a2" and "has no checksum" in damaged.reason
    with pytest.raises(StoreDamaged, match="article 'a2' is damaged"):
        store.get("a2")


def test_row_checksums_cover_every_column_and_tell_null_from_empty():
    row = [b"id", b"", None, b"7"]
    assert store_module.row_checksum(row) != store_module.row_checksum([b"id", None, b"", b"7"])
    assert store_module.row_checksum([b"ab", b"c"]) != store_module.row_checksum([b"a", b"bc"])
    assert len(store_module._CHECKED) == len(store_module._COLUMNS) + 2


def test_a_new_printed_position_alone_replaces_the_stored_article(tmp_path):
    from service.articles import Article

    store = Store(tmp_path / "s.sqlite3")
    first = Article(id="a", title="t", body="b", page="A1", position=2)
    assert store.upsert([first]).added == ["a"]
    assert store.upsert([first]).unchanged == ["a"]
    assert store.upsert([Article(id="a", title="t", body="b", page="A1", position=1)]).replaced == ["a"]
    assert store.get("a").position == 1
    store.close()


# --- copies (`service.reprints`) ------------------------------------------------------------------------------

def test_a_version_6_store_is_migrated_in_place_to_7_with_empty_tables_for_copies(tmp_path):
    path = tmp_path / "v6.sqlite3"
    Store(path).upsert([article("a1"), article("a2", body="二。")])
    conn = sqlite3.connect(path)
    for table in ("reprint_sketches", "reprint_bands", "reprint_pairs"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    store = Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reprint_sketches", "reprint_bands", "reprint_pairs"} <= tables
    assert [a.id for a in store.iter_articles()] == ["a1", "a2"] and store.revision() == 1
    assert store.copy_pairs() == []
    with store.writing() as writer:
        assert writer.unsketched() == ["a1", "a2"]


def test_deleting_or_replacing_an_article_drops_its_sketch_band_keys_and_pairs(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("a1"), article("a2", body="二。"), article("a3", body="三。")])
    with store.writing() as writer:
        writer.put_sketch("a1", "h1", (1, 2), [])
        writer.put_sketch("a2", "h2", (2, 3), ["a1"])
        writer.put_sketch("a3", "h3", (3, 4), ["a2", "a3"])  # never its own copy
        assert sorted(writer.sharing_band([2])) == ["a1", "a2"]
    before = store.copies_revision()
    assert store.copy_pairs() == [("a1", "a2"), ("a2", "a3")] and store.copy_pairs("a1") == store.copy_pairs()
    store.upsert([article("a3", body="三，改过。")])  # replaced: compared anew
    assert store.copy_pairs() == [("a1", "a2")] and store.copies_revision() > before
    store.delete(["a1"])
    assert store.copy_pairs() == []
    with store.writing() as writer:
        assert writer.sharing_band([1, 2, 3, 4]) == ["a2"] and writer.unsketched() == ["a3"]


def test_listings_give_the_few_columns_other_printings_show_and_leave_out_a_row_not_utf8(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = Store(path)
    store.upsert([article("a1", title="甲", date="2018-02-28", page="B03", section="城事"), article("a2", title="乙"),
                  article("a3", title="丙")])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET title = CAST(X'FF' AS TEXT) WHERE id = 'a3'")
    conn.commit()
    conn.close()
    assert Store(path).listings(["a1", "a2", "a3", "missing"]) == {
        "a1": ("甲", "2018-02-28", "B03", "城事"), "a2": ("乙", None, None, None)}


def test_copy_links_name_the_article_compared_later_first_in_the_order_they_were_compared(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("z1"), article("b2", body="二。"), article("a3", body="三。"), article("c4", body="四。")])
    with store.writing() as writer:  # compared z1, b2, a3, c4: ids sort otherwise
        writer.put_sketch("z1", "h1", (1,), [])
        writer.put_sketch("b2", "h2", (1,), ["z1"])
        writer.put_sketch("a3", "h3", (1,), ["b2", "z1"])
        writer.put_sketch("c4", "h4", (1,), ["a3"])
    assert store.copy_links() == [("b2", "z1"), ("a3", "z1"), ("a3", "b2"), ("c4", "a3")]
    store.upsert([article("z1", body="一，改过。")])  # replaced: its pairs go until it is compared anew
    assert store.copy_links() == [("a3", "b2"), ("c4", "a3")]


def test_the_unsketched_articles_of_a_write_are_looked_up_among_its_own_when_they_are_all_there_are(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("a1"), article("a2", body="二。"), article("a3", body="三。")])
    with store.writing() as writer:
        writer.put_sketch("a1", "h1", (1,), [])
        assert writer.unsketched(["a3", "a2"]) == ["a2", "a3"]  # in ingest order
        statements = []
        writer._conn.set_trace_callback(statements.append)
        assert writer.unsketched(["a3", "a2", "a1"]) == ["a2", "a3"]
        assert not any("NOT IN" in statement for statement in statements)  # no pass over the whole store
        # A hint that misses some (stored while copies were not compared) falls back to the pass over all.
        assert writer.unsketched(["a3", "zz"]) == ["a2", "a3"]
        assert any("NOT IN" in statement for statement in statements)
        writer._conn.set_trace_callback(None)


def _author_rows(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, article_id FROM article_authors").fetchall())
    finally:
        conn.close()


def test_the_authors_table_follows_every_add_replacement_and_delete(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("a1", authors=("张三", "李四")), article("a2", authors=("张三",)), article("a3")])
    assert _author_rows(store.path) == [("张三", "a1"), ("张三", "a2"), ("李四", "a1")]
    store.upsert([article("a1", body="改过的正文。", authors=("王五",))])
    assert _author_rows(store.path) == [("张三", "a2"), ("王五", "a1")]
    store.delete(["a2"])
    assert _author_rows(store.path) == [("王五", "a1")]
    assert store.has_author("王五") and not store.has_author("张三") and not store.has_author("王")
    assert store.ids_by_author(lambda name: name == "王五") == ["a1"]
    # A row whose authors are not JSON (damaged; `check` names it) is stored all the same, with no authors.
    conn = sqlite3.connect(store.path)
    conn.execute("INSERT INTO articles(id, title, body, authors, content_hash, added_at) "
                 "VALUES ('x', 't', 'b', 'not json', 'h', '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    assert _author_rows(store.path) == [("王五", "a1")]


def test_a_version_8_store_gains_the_authors_of_the_articles_it_holds(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store(path).upsert([article("a1", authors=("张三",)), article("a2", authors=("李四", "张三")), article("a3")])
    conn = sqlite3.connect(path)
    conn.executescript("DROP TRIGGER authors_of_new_article; DROP TRIGGER authors_of_gone_article; "
                       "DROP TRIGGER authors_of_changed_article; DROP TABLE article_authors; "
                       "UPDATE meta SET value = '8' WHERE key = 'schema_version';")
    conn.close()
    store = Store(path)
    assert _author_rows(path) == [("张三", "a1"), ("张三", "a2"), ("李四", "a2")]
    assert store.ids_by_author(lambda name: name == "张三") == ["a1", "a2"]


def test_an_id_replaced_by_a_corrected_reading_leads_to_its_newest_successor_while_that_is_stored(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.upsert([article("old"), article("other")])
    with store.writing() as writer:
        writer.upsert_many([article("mid")])
        writer.delete(["old"])
        writer.supersede({"old": "mid"})
    assert store.successor("old") == "mid" and store.successor("other") is None
    with store.writing() as writer:
        writer.upsert_many([article("new")])
        writer.delete(["mid"])
        writer.supersede({"mid": "new"})
    assert (store.successor("old"), store.successor("mid")) == ("new", "new")  # one step, however many corrections
    store.delete(["new"])
    assert store.successor("old") is None  # a successor deleted since leads nowhere


def test_a_version_9_store_gains_the_table_of_replaced_ids(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store(path).upsert([article("a1")])
    conn = sqlite3.connect(path)
    conn.executescript("DROP TABLE superseded; UPDATE meta SET value = '9' WHERE key = 'schema_version';")
    conn.close()
    store = Store(path)
    assert store.successor("a0") is None and store.get("a1").id == "a1"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()
