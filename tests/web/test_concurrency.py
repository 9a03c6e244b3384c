"""Searches against a real server while ingests swap its index: no failures, no answer from two generations."""

import pytest
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

from service.engine import Engine

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
        # Every worker answers from the last generation without a restart.
        for _ in range(6):
            assert request(server, query)[1]["index_generation"] == generations[-1]
    finally:
        stop.set()
        server.stop()
    assert failures == []
    assert len(answers) > 50, len(answers)
    batches_in = {None: 0, **{g: n for n, g in enumerate(generations, start=1)}}
    seen_generations = set()
    for generation, total, ids in answers:
        # The seed page's generation (before any batch) is not in `generations`: it holds no marker articles.
        batches = batches_in.get(generation, 0)
        seen_generations.add(generation)
        allowed = {f"swap-{n}-{i}" for n in range(1, batches + 1) for i in range(PER_BATCH)}
        assert total == batches * PER_BATCH and set(ids) == allowed, (generation, total, ids)
    assert len(seen_generations) >= 3, "the searches did not overlap the swaps"
