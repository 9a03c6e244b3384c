"""A new generation after a write: made from what that write changed when the live index held the store before
it, compared with every stored article otherwise; either way the index of what the store holds."""

import pytest

from helpers import CMRC_SAMPLE, make_config, read_jsonl
from service.articles import Article
from service.engine import Engine
from service.index import generations
from service.store import Reader

pytestmark = pytest.mark.timeout(300)


def _records(rows, changed=""):
    return [{"id": r["id"], "title": r["title"], "body": r["text"] + changed} for r in rows]


@pytest.fixture
def compared(monkeypatch):
    """How many times a new generation compared every stored article with the live one."""
    calls = []
    real = Reader.id_hashes
    monkeypatch.setattr(Reader, "id_hashes", lambda self: calls.append(1) or real(self))
    return calls


def _same_index(engine, analyzer, tmp_path, queries):
    """The engine's index holds what a build from its store gives: the same documents, in order, and scores."""
    fresh = Engine(make_config(tmp_path / "fresh"), analyzer=analyzer)
    fresh.ingest_records([{"id": a.id, "title": a.title, "body": a.body} for a in engine.store.iter_articles()])
    assert engine.postings().doc_ids == fresh.postings().doc_ids
    for query in queries:
        ours = engine.search(query, k=20, summaries=False, collapse=False)
        theirs = fresh.search(query, k=20, summaries=False, collapse=False)
        assert [h.article.id for h in ours.hits] == [h.article.id for h in theirs.hits]
        assert [h.score for h in ours.hits] == pytest.approx([h.score for h in theirs.hits], rel=1e-9)
    fresh.close()


def test_a_write_into_a_current_index_looks_up_only_the_articles_it_changed(tmp_path, analyzer, compared):
    rows = read_jsonl(CMRC_SAMPLE)[:60]
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest_records(_records(rows[:40]))
    compared.clear()
    engine.ingest_records(_records(rows[40:50]) + _records(rows[3:5], changed="（更新）"))  # added and replaced
    engine.delete([rows[7]["id"], rows[45]["id"]])
    engine.ingest_records(_records(rows[50:51]))
    assert compared == []
    assert engine.index_is_current()
    _same_index(engine, analyzer, tmp_path, [rows[4]["title"], rows[45]["title"], rows[50]["title"], "的"])
    engine.close()


def test_an_index_behind_the_store_is_compared_with_every_stored_article(tmp_path, analyzer, compared):
    rows = read_jsonl(CMRC_SAMPLE)[:30]
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest_records(_records(rows[:20]))
    # Stored by a write that did not make the index follow (killed before its switch, say).
    engine.store.upsert([Article(id=r["id"], title=r["title"], body=r["text"]) for r in rows[20:25]])
    compared.clear()
    engine.ingest_records(_records(rows[25:26]))
    assert compared, "the index did not hold the store before this write: every article is compared"
    assert engine.index_is_current()
    assert rows[22]["id"] in engine.postings().doc_ids
    _same_index(engine, analyzer, tmp_path, [rows[22]["title"], rows[25]["title"]])
    engine.close()


def test_a_delta_of_another_revision_than_the_stores_is_not_used(tmp_path, analyzer, compared):
    rows = read_jsonl(CMRC_SAMPLE)[:12]
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest_records(_records(rows[:10]))
    engine.store.upsert([Article(id=rows[10]["id"], title=rows[10]["title"], body=rows[10]["text"])])
    live = generations.reusable(engine.index_dir, analyzer.fingerprint, None)
    stale = generations.Delta(engine.store.revision() - 1, frozenset(), frozenset())
    compared.clear()
    engine._rebuild(None, live, stale)
    assert compared and rows[10]["id"] in engine.postings().doc_ids
    engine.close()


def test_the_lists_of_a_segment_are_read_once_and_let_go_with_it(tmp_path, analyzer, monkeypatch):
    rows = read_jsonl(CMRC_SAMPLE)[:20]
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine._merge_after_write = lambda: None
    engine.ingest_records(_records(rows[:10]))
    engine.ingest_records(_records(rows[10:12]))
    live = generations.reusable(engine.index_dir, analyzer.fingerprint, None)
    read = []
    real = generations.read_lines
    monkeypatch.setattr(generations, "read_lines", lambda path: read.append(path.parent) or real(path))
    again = generations.reusable(engine.index_dir, analyzer.fingerprint, None)
    assert read == [] and [s.ids for s in again.segments] == [s.ids for s in live.segments]
    assert again.segments[0].numbers()[rows[3]["id"]] == 3
    engine.merge(everything=True)
    merged = generations.reusable(engine.index_dir, analyzer.fingerprint, None)
    assert len(merged.segments) == 1 and read == [merged.segments[0].folder] * 2
    assert set(generations._LISTS) & {s.folder for s in live.segments} == set()
    engine.close()


def test_every_file_of_a_new_segment_is_on_disk_before_it_is_sealed(tmp_path, analyzer, monkeypatch):
    from service.index import storage

    rows = read_jsonl(CMRC_SAMPLE)[:12]
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest_records(_records(rows[:10]))
    synced, sealed = set(), []
    real_fsync, real_seal = storage._fsync_dir, storage.seal

    def fsync(path):
        synced.add(path)
        real_fsync(path)

    def seal(index_dir, name, staging, manifest, files):
        assert {staging / f for f in files} <= synced
        sealed.append(name)
        return real_seal(index_dir, name, staging, manifest, files)

    monkeypatch.setattr(storage, "_fsync_dir", fsync)
    monkeypatch.setattr(storage, "seal", seal)
    engine.ingest_records(_records(rows[10:12]))
    assert any(name.startswith(storage.SEGMENT_PREFIX) for name in sealed)
    assert rows[11]["id"] in engine.postings().doc_ids
    engine.close()
