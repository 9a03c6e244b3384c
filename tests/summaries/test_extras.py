import sqlite3

from service.articles import Article
from service.summaries.extras import Extras, ExtrasSettings, ExtrasStore, work_out_extras
from service.summaries.keywords import Rarity, keywords
from service.store import Store
from service.summaries.data import SummaryData, summarize


def test_rows_are_current_only_for_the_same_content_and_fingerprint(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = Store(path)
    extras = ExtrasStore(path)
    a, b = Article(id="a", title="甲", body="医保。"), Article(id="b", title="乙", body="灵芝。")
    store.upsert([a, b])
    assert extras.stale_ids("f1") == ["a", "b"]
    extras.put_many([("a", a.content_hash, "f1", Extras("医保。", [("医保", "医保", 1.5)], b"data"))])
    assert extras.stale_ids("f1") == ["b"] and extras.stale_ids("f2") == ["a", "b"]
    assert extras.get_many(["a", "b"], "f1") == {"a": Extras("医保。", [("医保", "医保", 1.5)], b"data")}
    assert extras.summaries_many(["a", "b"], "f1") == {"a": ("医保。", b"data")}
    assert extras.get_many(["a"], "f2") == {} and extras.summaries_many(["a"], "f2") == {}
    store.upsert([Article(id="a", title="甲", body="医保报销。")])  # changed content: the row no longer counts
    # The replaced article moved to the end of ingest order.
    assert extras.stale_ids("f1") == ["b", "a"] and extras.get_many(["a"], "f1") == {}
    assert extras.summaries_many(["a"], "f1") == {}


def test_rows_of_articles_gone_from_the_store_are_pruned(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = Store(path)
    extras = ExtrasStore(path)
    extras.put_many([("gone", "hash", "f1", Extras("", []))])
    assert extras.prune() == 1 and extras.get_many(["gone"], "f1") == {}
    store.close()
    extras.close()


def test_a_row_without_summary_data_is_usable_but_made_again(tmp_path):
    path = tmp_path / "articles.sqlite3"
    store = Store(path)
    extras = ExtrasStore(path)
    a = Article(id="a", title="甲", body="医保。")
    store.upsert([a])
    extras.put_many([("a", a.content_hash, "f1", Extras("医保。", []))])
    assert extras.get_many(["a"], "f1") == {"a": Extras("医保。", [], None)}
    assert extras.stale_ids("f1") == ["a"]


def as_version_3(path, extras_columns: str | None):
    """The store at `path` as version 3 left it: the extras table made outside the migrations, or none."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE article_extras")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        if extras_columns:
            conn.execute(f"CREATE TABLE article_extras ({extras_columns})")


def test_a_version_3_store_without_the_extras_table_gains_it(tmp_path):
    path = tmp_path / "articles.sqlite3"
    Store(path).upsert([Article(id="a", title="甲", body="医保。")])
    as_version_3(path, None)
    Store(path).close()
    extras = ExtrasStore(path)
    extras.put_many([("a", "h", "f1", Extras("医保。", [], b"data"))])
    assert extras.get_many(["a"], "f1") == {}  # another content hash
    assert extras.stale_ids("f1") == ["a"]


def test_a_version_3_store_keeps_its_extras_rows_and_their_summary_data(tmp_path):
    path = tmp_path / "articles.sqlite3"
    a = Article(id="a", title="甲", body="医保。")
    Store(path).upsert([a])
    as_version_3(path, "id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, fingerprint TEXT NOT NULL, "
                       "summary TEXT NOT NULL, keywords TEXT NOT NULL, summary_data BLOB")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO article_extras VALUES ('a', ?, 'f1', 'kept', '[]', x'01')", (a.content_hash,))
    Store(path).close()
    assert ExtrasStore(path).get_many(["a"], "f1") == {"a": Extras("kept", [], b"\x01")}


def test_a_store_made_before_summary_data_gains_the_column(tmp_path):
    path = tmp_path / "articles.sqlite3"
    Store(path).upsert([Article(id="a", title="甲", body="医保。")])
    as_version_3(path, None)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE article_extras (id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, "
                     "fingerprint TEXT NOT NULL, summary TEXT NOT NULL, keywords TEXT NOT NULL)")
        conn.execute("INSERT INTO article_extras SELECT id, content_hash, 'f1', 'old', '[]' FROM articles")
    Store(path).close()
    extras = ExtrasStore(path)
    assert extras.get_many(["a"], "f1") == {"a": Extras("old", [], None)}
    assert extras.stale_ids("f1") == ["a"]


def test_extras_from_one_analysis_equal_the_separate_ones(analyzer):
    article = Article(id="a", title="冠县灵芝产业发展迅速", body="冠县灵芝产业发展迅速，产品远销各地。\n"
                      "灵芝种植户收入明显增加。全乡1361户贫困户参加了医保。")
    rarity = Rarity()
    settings = ExtrasSettings(summary_sentences=1, summary_max_chars=40, keywords_count=3)
    made = work_out_extras(analyzer, settings, article, rarity)
    assert made.summary == summarize(analyzer, article.body, sentences=1, max_chars=40, title=article.title).text
    expected = keywords(article.title, analyzer.analyze(article.title), article.body,
                        analyzer.analyze(article.body), rarity, 3)
    assert made.keywords == [(k.term, k.text, k.weight) for k in expected]
    data = SummaryData.from_bytes(made.summary_data, article.body)
    assert data.summary(article.body, sentences=2, query_terms=["医保"]) == summarize(
        analyzer, article.body, sentences=2, query_terms=["医保"], title=article.title)
    given = work_out_extras(analyzer, settings, article, rarity, body_tokens=analyzer.analyze(article.body),
                            title_tokens=analyzer.analyze(article.title))
    assert given == made


def test_archive_frequencies_are_looked_up_once_per_word():
    asked = []

    def doc_freq(term):
        asked.append(term)
        return 3

    rarity = Rarity(doc_freq, 100)
    first = rarity.idf("灵芝")
    assert rarity.idf("灵芝") == first and asked == ["灵芝"]
    assert Rarity().doc_freq("灵芝") == 0
