"""`jiansuo backup`: a consistent copy of store and index, also while a real server is searched and written."""

import json
import os
import subprocess
import sys
import threading
import urllib.parse

import pytest

from service import backup as backup_module
from service.articles import Article
from service.engine import Engine
from service.errors import QueryError

from helpers import ADMIN_TOKEN, CMRC_SAMPLE, PROJECT, SEED_PAGE, RunningServer, fetch, make_config

QUERIES = ["医保", "扶贫", "冠县 金融", "蝾螈", "学校", "比赛 冠军", '"贫困户"']


def _engine(data, analyzer):
    return Engine(make_config(data), analyzer=analyzer)


def _answers(engine):
    return {q: _without_time(engine.search(q).to_dict()) for q in QUERIES}


def _without_time(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "took_ms"}


def test_a_backup_is_an_archive_that_opens_as_it_is_and_answers_alike(tmp_path, analyzer):
    source = _engine(tmp_path / "data", analyzer)
    source.ingest([SEED_PAGE])
    report = source.backup(tmp_path / "copy")
    assert report.index_current and report.index_generation == source.check()["index_generation"]
    assert report.articles == 10 and report.files > 10 and not report.linked
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == ["articles.sqlite3", "index"]  # no log beside
    copy = _engine(tmp_path / "copy", analyzer)
    try:
        assert copy.check()["problems"] == [] and copy.index_is_current()
        assert _answers(copy) == _answers(source)
        # The copy is independent: writing to the original leaves it as it was.
        source.ingest_records([{"id": "x1", "title": "蝾螈新闻", "body": "保护区的蝾螈数量稳定。"}])
        assert copy.search("蝾螈").total == 0 and source.search("蝾螈").total == 1
    finally:
        copy.close()
        source.close()


def test_hard_linked_index_files_share_the_originals(tmp_path, analyzer):
    source = _engine(tmp_path / "data", analyzer)
    source.ingest([SEED_PAGE])
    report = source.backup(tmp_path / "copy", link=True)
    source.close()
    linked = tmp_path / "copy" / "index" / report.index_generation / "doc_numbers.npy"
    assert report.linked and os.stat(linked).st_nlink == 2
    assert _engine(tmp_path / "copy", analyzer).check()["problems"] == []


def test_an_existing_folder_that_is_not_empty_is_refused_and_left_alone(tmp_path, analyzer):
    source = _engine(tmp_path / "data", analyzer)
    source.ingest([SEED_PAGE])
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(QueryError, match="already exists and is not an empty folder") as info:
        source.backup(taken)
    assert info.value.code == "backup_exists" and info.value.exit_code == 2
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    assert source.backup(tmp_path / "empty").index_current  # an empty folder is taken
    assert not list(tmp_path.glob(".*partial*"))
    source.close()


def test_a_store_ahead_of_its_index_waits_for_the_index_being_written(tmp_path, analyzer, monkeypatch):
    """Between an ingest's commit and its index switch, the copy of the store is newer than the live index."""
    source = _engine(tmp_path / "data", analyzer)
    source.ingest([SEED_PAGE])
    old = source.check()["index_generation"]
    source.store.upsert([Article(id="late", title="蝾螈观察", body="保护区的蝾螈数量稳定。")])  # committed, not indexed
    copied = threading.Event()
    copy_store = backup_module._copy_store

    def copy_then_tell(*args):
        result = copy_store(*args)
        copied.set()
        return result

    monkeypatch.setattr(backup_module, "_copy_store", copy_then_tell)
    reports = []
    thread = threading.Thread(target=lambda: reports.append(source.backup(tmp_path / "copy", wait_seconds=120)))
    thread.start()
    assert copied.wait(timeout=60)
    new = source.reindex()  # the index the store's copy needs, written after it was taken
    thread.join(timeout=120)
    assert not thread.is_alive()
    [report] = reports
    assert new != old and report.index_generation == new and report.index_current
    copy = _engine(tmp_path / "copy", analyzer)
    assert copy.search("蝾螈").total == 1 and copy.check()["problems"] == []
    copy.close()
    source.close()


def test_a_store_whose_index_never_comes_is_copied_with_the_index_it_has_and_says_so(tmp_path, analyzer,
                                                                                   monkeypatch):
    monkeypatch.setattr(backup_module, "_GRACE_SECONDS", 0.2)
    source = _engine(tmp_path / "data", analyzer)
    source.ingest([SEED_PAGE])
    source.store.upsert([Article(id="late", title="蝾螈观察", body="保护区的蝾螈数量稳定。")])
    report = source.backup(tmp_path / "copy", wait_seconds=30)
    assert not report.index_current and report.articles == 11
    source.close()
    copy = _engine(tmp_path / "copy", analyzer)
    assert not copy.check()["index_current"]
    copy.reindex()
    assert copy.search("蝾螈").total == 1
    copy.close()


def _jiansuo(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "service", *args], cwd=PROJECT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.mark.slow
def test_a_backup_taken_while_a_server_is_searched_and_written_restores_to_the_same_answers(tmp_path, analyzer):
    data = tmp_path / "data"
    records = [json.loads(line) for line in CMRC_SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    engine = _engine(data, analyzer)
    engine.ingest([SEED_PAGE])
    engine.ingest_records([{"id": f"c{r['id']}", "title": r["title"], "body": r["text"]} for r in records[:80]])
    engine.close()
    server = RunningServer(data, tmp_path / "serve.log", workers=2, env={"JIANSUO_ADMIN_TOKEN": ADMIN_TOKEN})
    seen: dict[tuple[str, str], dict] = {}  # (generation, query) -> the answer
    failures: list[str] = []

    def ask(query):
        status, body = fetch(server, "/api/search?q=" + urllib.parse.quote(query))
        if status != 200:
            failures.append(f"{query}: {status} {body[:200]}")
            return
        answer = _without_time(json.loads(body))
        seen.setdefault((answer["index_generation"], query), answer)

    def searcher(offset):
        for number in range(30):
            ask(QUERIES[(offset + number) % len(QUERIES)])

    new_articles = [{"id": f"new-{i}", "title": f"冠县医保蝾螈调查第{i}篇",
                     "body": f"冠县扶贫办公室的医保工作组在保护区记录蝾螈。第{i}篇。"} for i in range(6)]
    try:
        for query in QUERIES:
            ask(query)
        before = {g for g, _ in seen}
        threads = [threading.Thread(target=searcher, args=(n,)) for n in range(3)]
        threads.append(threading.Thread(target=lambda: failures.extend(
            f"ingest: {status}" for status, _ in [fetch(
                server, "/api/ingest", "POST", json.dumps({"articles": new_articles}, ensure_ascii=False).encode(),
                {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})] if status != 200)))
        for thread in threads:
            thread.start()
        taken = _jiansuo("--index", str(data), "backup", str(tmp_path / "copy"), "--json")
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
        for query in QUERIES:
            ask(query)  # the answers of the generation the ingest made
    finally:
        server.stop()
    assert taken.returncode == 0, taken.stderr
    assert failures == []
    report = json.loads(taken.stdout)
    assert report["index_current"] and report["articles"] in (90, 96)
    after = {g for g, _ in seen} - before
    assert len(before) == 1 and len(after) == 1
    old, new = before.pop(), after.pop()
    assert report["index_generation"] in (old, new)
    assert any(seen[(old, q)] != seen[(new, q)] for q in QUERIES)  # the ingest changed what they answer

    checked = _jiansuo("--index", str(tmp_path / "copy"), "check", "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["problems"] == [] and json.loads(checked.stdout)["index_current"]
    restored = RunningServer(tmp_path / "copy", tmp_path / "restored.log")
    try:
        for query in QUERIES:
            status, body = fetch(restored, "/api/search?q=" + urllib.parse.quote(query))
            assert status == 200, body
            assert _without_time(json.loads(body)) == seen[(report["index_generation"], query)], query
    finally:
        restored.stop()
    taken = _jiansuo("--index", str(data), "backup", str(tmp_path / "copy"))
    assert taken.returncode == 2 and "already exists and is not an empty folder" in taken.stderr
    assert "Traceback" not in taken.stderr
