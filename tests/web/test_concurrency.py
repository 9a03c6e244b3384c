"""Searches against a real server while ingests swap its index: no failures, no answer from two generations."""

import pytest
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from service.engine import INDEX_DIR, Engine
from service.index import storage

from helpers import ADMIN_TOKEN, SEED_PAGE, RunningServer, make_config

MARKER = "蝾螈"
PER_BATCH = 5
BATCHES = 6
SEARCH_THREADS = 6


def batch_articles(number):
    return [{"id": f"swap-{number}-{i}", "title": f"{MARKER}观察第{number}批第{i}篇",
             "body": f"保护区的{MARKER}数量稳定。第{number}批记录，第{i}篇。"} for i in range(PER_BATCH)]


def request(server, path, method="GET", data=None, headers=None):
    req = urllib.request.Request(server.url + path, method=method, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, json.loads(response.read().decode("utf-8"))


@pytest.mark.slow
def test_searches_during_index_swaps_never_fail_and_each_sees_one_generation(tmp_path, analyzer):
    data = tmp_path / "data"
    engine = Engine(make_config(data), analyzer=analyzer)
    engine.ingest([SEED_PAGE])
    engine.close()
    server = RunningServer(data, tmp_path / "serve.log", workers=2, env={"JIANSUO_ADMIN_TOKEN": ADMIN_TOKEN})
    answers, failures = [], []
    stop = threading.Event()
    query = "/api/search?k=100&q=" + urllib.parse.quote(MARKER)

    def search():
        while not stop.is_set():
            try:
                status, body = request(server, query)
                answers.append((body["index_generation"], body["total"], [h["id"] for h in body["results"]]))
            except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=search) for _ in range(SEARCH_THREADS)]
    try:
        for thread in threads:
            thread.start()
        generations = []
        for number in range(1, BATCHES + 1):
            body = json.dumps({"articles": batch_articles(number)}, ensure_ascii=False).encode("utf-8")
            status, report = request(server, "/api/ingest", "POST", body,
                                     {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert status == 200 and len(report["added"]) == PER_BATCH
            generations.append(report["index_generation"])
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        # Every worker answers from the archive's current generation without a restart: the last ingest's, or
        # one a background merge switched in after it.
        settled = 0
        for _ in range(200):
            current = storage.current_generation(data / INDEX_DIR)
            answered = request(server, query)[1]["index_generation"]
            settled = settled + 1 if answered == current else 0
            if settled == 6:
                break
            time.sleep(0.05)
        assert settled == 6 and (current == generations[-1] or current not in generations)
    finally:
        stop.set()
        server.stop()
    assert failures == []
    assert len(answers) > 50, len(answers)
    batches_in = {None: 0, **{g: n for n, g in enumerate(generations, start=1)}}
    seen_generations = set()
    for generation, total, ids in answers:
        # The seed page's generation (before any batch) is not in `generations`, and neither are those the
        # server's background merges switch in (the articles of the generation before them): each holds whole
        # batches, the first ones.
        batches = batches_in.get(generation)
        if batches is None:
            assert total % PER_BATCH == 0, (generation, total, ids)
            batches = total // PER_BATCH
        seen_generations.add(generation)
        allowed = {f"swap-{n}-{i}" for n in range(1, batches + 1) for i in range(PER_BATCH)}
        assert total == batches * PER_BATCH and set(ids) == allowed, (generation, total, ids)
    assert len(seen_generations) >= 3, "the searches did not overlap the swaps"


# --- writers at once, and a write stopped between the store and the index ------------------------------------

def _paused_cli_ingest(data, folder, gate, tmp_path):
    """A `jiansuo ingest` paused with its articles committed and its index not yet switched (`tests/faults.py`)."""
    import os
    import subprocess
    import sys

    from helpers import PROJECT, TESTS

    records = [{"id": f"cli-{i}", "title": f"{MARKER}普查第{i}篇", "body": f"湿地里的{MARKER}普查，第{i}篇。"}
               for i in range(PER_BATCH)]
    path = tmp_path / "cli.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(TESTS / "faults.py"), "pause", "--index", str(data), "ingest",
                                str(path)], cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8",
                                               "JIANSUO_TEST_GATE": str(gate)})
    for line in process.stderr:
        if line.strip() == "PAUSED":
            return process, {r["id"] for r in records}
    process.wait(timeout=60)
    raise AssertionError(f"the CLI ingest ended before its pause (exit {process.returncode})")


def _end(process):
    if process.poll() is None:
        process.kill()
    process.wait(timeout=60)
    process.stderr.close()


def _found(server):
    status, body = request(server, "/api/search?k=100&q=" + urllib.parse.quote(MARKER))
    return {h["id"] for h in body["results"]}, body["total"]


@pytest.mark.slow
def test_an_http_ingest_during_a_cli_ingest_waits_for_it_and_both_are_searchable(tmp_path, analyzer):
    import time

    data, gate = tmp_path / "data", tmp_path / "gate"
    engine = Engine(make_config(data), analyzer=analyzer)
    engine.ingest([SEED_PAGE])
    engine.close()
    server = RunningServer(data, tmp_path / "serve.log", workers=1, env={"JIANSUO_ADMIN_TOKEN": ADMIN_TOKEN})
    cli = None
    answers = []
    try:
        cli, cli_ids = _paused_cli_ingest(data, tmp_path, gate, tmp_path)
        body = json.dumps({"articles": batch_articles(1)}, ensure_ascii=False).encode("utf-8")
        poster = threading.Thread(target=lambda: answers.append(request(
            server, "/api/ingest", "POST", body,
            {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"})))
        poster.start()
        # The CLI ingest goes on once the request waits for it (or, were there no lock, has been answered).
        deadline = time.monotonic() + 120
        while (poster.is_alive() and time.monotonic() < deadline
               and "ingest waits for another write" not in (tmp_path / "serve.log").read_text(encoding="utf-8")):
            time.sleep(0.1)
        gate.touch()
        assert cli.wait(timeout=300) == 0, cli.stderr.read()
        poster.join(timeout=300)
        found, total = _found(server)
        health = request(server, "/healthz")[1]
    finally:
        gate.touch()
        if cli is not None:
            _end(cli)
        server.stop()
    assert answers and answers[0][0] == 200 and len(answers[0][1]["added"]) == PER_BATCH
    assert found == cli_ids | {a["id"] for a in batch_articles(1)} and total == 2 * PER_BATCH
    assert health["index_lag"] == 0


def _workers(server):
    """The pids of the server's worker processes (the arbiter's children)."""
    from helpers import server_children

    return server_children(server.process.pid)[0]  # the names pass is no worker


@pytest.mark.slow
def test_a_worker_that_replaces_a_killed_one_catches_the_index_up(tmp_path, analyzer):
    """A write killed after the store's commit (as a worker killed during a large POST): the running server
    reports the lag, and the next worker it starts brings the index up to date while it serves."""
    import os
    import signal
    import time

    data, gate = tmp_path / "data", tmp_path / "gate"
    engine = Engine(make_config(data), analyzer=analyzer)
    engine.ingest([SEED_PAGE])
    engine.close()
    server = RunningServer(data, tmp_path / "serve.log", workers=1)
    try:
        cli, cli_ids = _paused_cli_ingest(data, tmp_path, gate, tmp_path)
        cli.send_signal(signal.SIGKILL)
        _end(cli)
        assert request(server, "/healthz")[1]["index_lag"] == 1
        assert _found(server) == (set(), 0)
        (worker,) = _workers(server)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 120
        health = {}
        while time.monotonic() < deadline:
            try:
                health = request(server, "/healthz")[1]
            except OSError:
                health = {}
            if health.get("index_lag") == 0:
                break
            time.sleep(0.2)
        found = _found(server)
    finally:
        gate.touch()
        server.stop()
    assert health.get("index_lag") == 0 and found == (cli_ids, PER_BATCH)
