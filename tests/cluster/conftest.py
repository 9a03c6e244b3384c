"""One generated archive, its single-machine index and a 3-shard cluster build of it, shared by the cluster tests."""

from __future__ import annotations

import pytest

from service.engine import Engine

from cluster.archive import write_articles
from helpers import make_config
from cluster.shards import MISSING

ARTICLES = 600
SHARDS = 3


@pytest.fixture(scope="session")
def cluster_archive(tmp_path_factory, analyzer):
    """(data dir, records, build dir): the archive ingested, then built into SHARDS shards in this process."""
    if MISSING:
        pytest.skip("needs Xapian")
    from service.cluster.build import build

    root = tmp_path_factory.mktemp("cluster")
    records = write_articles(root / "articles.jsonl", ARTICLES)
    engine = Engine(make_config(root / "data"), analyzer=analyzer)
    try:
        engine.ingest([root / "articles.jsonl"])
        build(engine, root / "build", SHARDS)
    finally:
        engine.close()
    return root / "data", records, root / "build"
