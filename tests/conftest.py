"""Shared fixtures: one analyzer for the whole run (jieba's dictionary takes a second to load)."""

from __future__ import annotations

import pytest

from service.engine import Engine
from service.text.analyzer import Analyzer

from helpers import PROJECT, make_config

@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def engine(tmp_path, analyzer) -> Engine:
    """An empty archive in a temporary folder."""
    e = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    yield e
    e.close()


@pytest.fixture(scope="session")
def seed_engine(tmp_path_factory, analyzer) -> Engine:
    """The embedded corpus ingested once for the session; tests must not write to it."""
    data_dir = tmp_path_factory.mktemp("seed") / "data"
    e = Engine(make_config(data_dir), analyzer=analyzer)
    e.ingest([PROJECT / "corpus"])
    yield e
    e.close()


@pytest.fixture(scope="session")
def dated_engine(tmp_path_factory, analyzer) -> Engine:
    """The embedded corpus and the small dated archive (dates and sections), ingested once for the session;
    tests must not write to it."""
    from helpers import DATED_ARCHIVE

    e = Engine(make_config(tmp_path_factory.mktemp("dated") / "data"), analyzer=analyzer)
    e.ingest([PROJECT / "corpus", DATED_ARCHIVE])
    yield e
    e.close()


@pytest.fixture(scope="session")
def live_archive(tmp_path_factory, analyzer):
    """The embedded corpus, a small archive with dates and sections, and one article with a hostile title,
    for the server tests."""
    import json

    from helpers import DATED_ARCHIVE, HOSTILE_TITLE

    root = tmp_path_factory.mktemp("live")
    extra = root / "hostile.jsonl"
    extra.write_text(json.dumps({"id": "hostile-1", "title": HOSTILE_TITLE, "date": "2018-03-01",
                                 "body": "问：<b>用药</b>怎样才安全？答：带上<img src=x onerror=alert(1)>证件。"},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    data_dir = root / "data"
    e = Engine(make_config(data_dir), analyzer=analyzer)
    e.ingest([PROJECT / "corpus", DATED_ARCHIVE, extra])
    e.close()
    return data_dir


@pytest.fixture(scope="session")
def live_server(live_archive, tmp_path_factory):
    from helpers import ADMIN_TOKEN, LIVE_MAX_UPLOAD_BYTES, RunningServer

    logs = tmp_path_factory.mktemp("logs")
    config = logs / "config.toml"
    # Many tests send wrong tokens on purpose: the throttle on them has its own test and server.
    config.write_text(f"[server]\nmax_upload_bytes = {LIVE_MAX_UPLOAD_BYTES}\nadmin_failures_per_minute = 100000\n",
                      encoding="utf-8")
    server = RunningServer(live_archive, logs / "serve.log", workers=2,
                           env={"JIANSUO_CONFIG": str(config), "JIANSUO_ADMIN_TOKEN": ADMIN_TOKEN})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def reprint_server(tmp_path_factory, analyzer):
    """A server over an archive holding one story printed three times and another on its topic."""
    from helpers import REPRINTS_ARCHIVE, RunningServer

    root = tmp_path_factory.mktemp("reprints")
    e = Engine(make_config(root / "data"), analyzer=analyzer)
    e.ingest([REPRINTS_ARCHIVE])
    e.close()
    server = RunningServer(root / "data", root / "serve.log")
    yield server
    server.stop()
