from service.articles import Article
from service.extras import Extras, ExtrasStore
from service.store import Store


def test_rows_are_current_only_for_the_same_content_and_fingerprint(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = Store(path)
    extras = ExtrasStore(path)
    a, b = Article(id="a", title="甲", body="医保。"), Article(id="b", title="乙", body="灵芝。")
    store.upsert([a, b])
    assert extras.stale_ids("f1") == ["a", "b"]
    extras.put_many([("a", a.content_hash, "f1", Extras("医保。", [("医保", "医保", 1.5)]))])
    assert extras.stale_ids("f1") == ["b"] and extras.stale_ids("f2") == ["a", "b"]
    assert extras.get_many(["a", "b"], "f1") == {"a": Extras("医保。", [("医保", "医保", 1.5)])}
    assert extras.get_many(["a"], "f2") == {}
    store.upsert([Article(id="a", title="甲", body="医保报销。")])  # changed content: the row no longer counts
    # The replaced article moved to the end of ingest order.
    assert extras.stale_ids("f1") == ["b", "a"] and extras.get_many(["a"], "f1") == {}


def test_rows_of_articles_gone_from_the_store_are_pruned(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = Store(path)
    extras = ExtrasStore(path)
    extras.put_many([("gone", "hash", "f1", Extras("", []))])
    assert extras.prune() == 1 and extras.get_many(["gone"], "f1") == {}
    store.close()
    extras.close()
