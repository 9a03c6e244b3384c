"""The tiered policy, and merges: off the request path, and giving exactly the index a fresh build gives."""

import json
import threading

import pytest

from helpers import CMRC_SAMPLE, make_config, read_jsonl
from service.engine import Engine
from service.index import generations, merging, storage
from service.index.merging import Policy, Segment, pick

ROWS = read_jsonl(CMRC_SAMPLE)


def _records(rows, prefix=""):
    return [{"id": prefix + r["id"], "title": r["title"], "body": r["text"]} for r in rows]


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _segments(engine):
    return [(e["documents"], e.get("deleted", 0)) for e in storage.read_manifest(engine.index_dir)[1]["segments"]]


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def test_the_policy_merges_neighbours_of_one_tier_the_lowest_first():
    policy = Policy(per_tier=3, factor=4, floor_documents=10)
    seg = lambda n, gone=0: Segment("s", n, gone)  # noqa: E731
    assert pick([seg(1000), seg(3), seg(2)], policy) is None  # two of tier 0: not yet
    assert pick([seg(1000), seg(3), seg(2), seg(1)], policy) == (1, 4)
    # Tier 2 (41-160 documents) and tier 0 both full: the cheaper, lower tier first.
    assert pick([seg(100), seg(90), seg(120), seg(5), seg(5), seg(5)], policy) == (3, 6)
    assert pick([seg(100), seg(90), seg(120), seg(500)], policy) == (0, 3)
    # Only neighbours: a segment of another tier between them keeps them apart.
    assert pick([seg(3), seg(500), seg(3), seg(3)], policy) is None
    # Too many deleted documents: merged alone, to drop them.
    assert pick([seg(1000, 400), seg(3)], policy) == (0, 1)
    assert pick([seg(1000, 200), seg(3)], policy) is None
    assert pick([seg(1)] * 30, Policy(per_tier=3, max_at_once=10)) == (0, 10)


def test_merging_after_each_write_keeps_the_segments_few(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest([_write(tmp_path / "first.jsonl", _records(ROWS[:50]))])
    for number in range(12):
        engine.ingest_records(_records(ROWS[50 + number:51 + number]))
        assert len(_segments(engine)) <= 1 + Policy().per_tier  # never the per_tier-th small one left standing
    assert len(engine.postings().doc_ids) == 62


def test_merge_all_gives_the_index_a_fresh_build_gives(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine._merge_after_write = lambda: None
    engine.ingest([_write(tmp_path / "a.jsonl", _records(ROWS[:100]))])
    engine.ingest([_write(tmp_path / "b.jsonl", _records(ROWS[100:160]))])
    engine.ingest_records([{**r, "body": r["body"] + "又改了"} for r in _records(ROWS[10:14])])
    engine.delete([ROWS[5]["id"], ROWS[120]["id"]])
    assert len(_segments(engine)) == 3
    queries = [r["title"][:5] for r in ROWS[::13]] + ['"又改了"']
    before = [[(h.article.id, h.score) for h in engine.search(q, k=20, summaries=False).hits] for q in queries]
    assert engine.merge(everything=True)
    assert _segments(engine) == [(160 - 2, 0)]
    assert engine.merge(everything=True) == []  # one segment, nothing deleted: nothing to do
    fresh = Engine(make_config(tmp_path / "fresh"), analyzer=analyzer)
    stored = engine.store.get_many(engine.postings().doc_ids)
    fresh.ingest_records([{"id": i, "title": stored[i].title, "body": stored[i].body}
                          for i in engine.postings().doc_ids])
    (segment, _), = storage.segments_of(*storage.read_manifest(engine.index_dir))
    assert _files(engine.index_dir / segment) == _files(fresh.index_dir / storage.current_generation(fresh.index_dir))
    for query, earlier in zip(queries, before):
        hits = [(h.article.id, h.score) for h in engine.search(query, k=20, summaries=False).hits]
        assert hits == [(h.article.id, h.score) for h in fresh.search(query, k=20, summaries=False).hits]
        assert [i for i, _ in hits] == [i for i, _ in earlier]
        assert [s for _, s in hits] == pytest.approx([s for _, s in earlier], abs=1e-9)
    assert engine.check()["problems"] == []
    # Only what the live generation and its predecessor name is left on disk.
    named = {s for name in (storage.current_generation(engine.index_dir),)
             for s, _ in storage._segments_named(engine.index_dir, name)}
    assert named <= {p.name for p in engine.index_dir.iterdir()}
    assert not list(engine.index_dir.glob("*.partial"))


def test_writes_go_on_during_a_merge_and_its_deletes_are_carried_over(tmp_path, analyzer, monkeypatch):
    """The merge writes its segment without the write lock: an ingest and a delete made meanwhile both land,
    the delete in the segments being merged is carried over to the merged one."""
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine._merge_after_write = lambda: None
    engine.ingest([_write(tmp_path / "a.jsonl", _records(ROWS[:60]))])
    engine.ingest([_write(tmp_path / "b.jsonl", _records(ROWS[60:90]))])
    other = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    write_folder = generations.write_folder
    done = []

    def meanwhile(*args, **kwargs):
        if not done:  # the merge's own segment, written without the lock: another writer goes ahead
            done.append(None)  # (its own segment is written through here too)
            done.append(other.ingest_records([{"id": "during", "title": "合并时写入的文章", "body": "灵芝孢子粉"}]))
            done.append(other.delete([ROWS[3]["id"], ROWS[70]["id"]]))
        return write_folder(*args, **kwargs)

    monkeypatch.setattr(generations, "write_folder", meanwhile)
    switched = engine.merge(everything=True)
    assert len(switched) == 1 and done[2].deleted == [ROWS[3]["id"], ROWS[70]["id"]]
    assert _segments(engine) == [(90, 2), (1, 0)]  # merged from the snapshot, its two deletes carried over
    ids = engine.postings().doc_ids
    assert ROWS[3]["id"] not in ids and ROWS[70]["id"] not in ids and ids[-1] == "during"
    assert engine.search("灵芝孢子粉", summaries=False).hits[0].article.id == "during"
    assert engine.index_is_current() and engine.check()["problems"] == []


def test_a_merge_whose_segments_another_merge_replaced_first_is_dropped(tmp_path, analyzer, monkeypatch):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine._merge_after_write = lambda: None
    engine.ingest([_write(tmp_path / "a.jsonl", _records(ROWS[:30]))])
    engine.ingest([_write(tmp_path / "b.jsonl", _records(ROWS[30:40]))])
    write_folder = generations.write_folder
    first = []

    def overtaken(*args, **kwargs):
        if not first:
            first.append(True)
            monkeypatch.setattr(generations, "write_folder", write_folder)
            first.append(merging.merge_once(engine.index_dir, analyzer.fingerprint, engine.params,
                                            everything=True))
        return write_folder(*args, **kwargs)

    monkeypatch.setattr(generations, "write_folder", overtaken)
    assert merging.merge_once(engine.index_dir, analyzer.fingerprint, engine.params, everything=True) is None
    assert first[1] == storage.current_generation(engine.index_dir)
    assert _segments(engine) == [(40, 0)]
    assert not list(engine.index_dir.glob("*.partial"))
    # The dropped merge's segment is gone: every segment left is named by a generation left.
    named = {s for g in engine.index_dir.glob("gen-*") for s, _ in storage._segments_named(engine.index_dir, g.name)}
    assert {p.name for p in engine.index_dir.glob("seg-*")} <= named


def test_one_merge_at_a_time_and_a_background_merge_leaves_the_answer_alone(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data", index_write_wait_seconds=0), analyzer=analyzer)
    engine.ingest([_write(tmp_path / "a.jsonl", _records(ROWS[:20]))])
    with storage.WriteLock(engine.index_dir, 0, "merge", file=merging.MERGE_LOCK):
        from service.errors import WriteBusy

        with pytest.raises(WriteBusy):
            engine.merge(everything=True)
        assert merging.merge_if_free(engine.index_dir, analyzer.fingerprint, engine.params) == []
    # An ingest may come while the background merge holds the write lock for its switch: it waits.
    engine.config = engine.config.with_overrides(index_write_wait_seconds=120)
    engine.merge_in_background = True
    for number in range(6):
        engine.ingest_records(_records(ROWS[20 + number:21 + number]))
    thread = engine._merging
    assert thread is not None
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert len(_segments(engine)) < 7 and len(engine.postings().doc_ids) == 26
    assert threading.active_count() >= 1
