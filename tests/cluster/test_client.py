"""The sharded index against the single-machine engine: the same top 10 and scores, failover, and the 503."""

from __future__ import annotations

import io
import math
from contextlib import redirect_stderr

import numpy as np
import pytest

from cluster.archive import queries
from cluster.shards import Servers, require_cluster, serve_build
from helpers import make_config

require_cluster()

from service.cli import main  # noqa: E402
from service.cluster.client import ShardUnavailable, xapian_idf  # noqa: E402
from service.cluster.layout import CHANNELS, shard_dir, xapian_term  # noqa: E402
from service.cluster.xapian_lib import xapian  # noqa: E402
from service.engine import Engine  # noqa: E402
from service.web import create_app  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def served(cluster_archive):
    servers = Servers()
    try:
        _, _, out = cluster_archive
        yield serve_build(servers, out, 3)
    finally:
        servers.stop_all()


@pytest.fixture(scope="module")
def engines(cluster_archive, served, analyzer):
    data_dir, records, out = cluster_archive
    single = Engine(make_config(data_dir), analyzer=analyzer)
    sharded = Engine(make_config(data_dir, cluster_catalog=out, cluster_replicas=(tuple(served),)),
                     analyzer=analyzer)
    yield single, sharded, records
    single.close()
    sharded.close()


def test_top_ten_and_scores_equal_the_single_machine_engine(engines, analyzer):
    single, sharded, records = engines
    asked = queries(records, analyzer, 200)
    assert len(asked) == 200
    worst, found = 0.0, 0
    for query in asked:
        one = single.search(query, k=10, summaries=False)
        many = sharded.search(query, k=10, summaries=False)
        assert [h.article.id for h in many.hits] == [h.article.id for h in one.hits], query
        assert (many.total, many.mode) == (one.total, one.mode), query
        for a, b in zip(one.hits, many.hits):
            assert b.score == pytest.approx(a.score, abs=1e-9, rel=0), query
            worst = max(worst, abs(a.score - b.score))
        found += bool(one.hits)
    assert found >= 150  # the queries find something: the comparison is not of empty lists
    assert worst < 1e-9


def test_summaries_highlights_explain_and_filters_come_through(engines):
    single, sharded, _ = engines
    for query in ('"中国"', "历史 section:经济", "游戏"):
        one = single.search(query, k=5, explain=True, facets=True)
        many = sharded.search(query, k=5, explain=True, facets=True)
        assert [h.summary.text for h in many.hits] == [h.summary.text for h in one.hits]
        assert [h.title_highlights for h in many.hits] == [h.title_highlights for h in one.hits]
        assert many.facets.to_dict() == one.facets.to_dict()
        for a, b in zip(one.hits, many.hits):
            for channel, terms in a.explain["channels"].items():
                assert b.explain["channels"][channel] == pytest.approx(terms, abs=1e-9)


def test_shard_local_statistics_would_not_give_the_same_scores(cluster_archive, engines):
    """Each shard scoring with its own document counts and frequencies, as a naive merge would: the scores
    differ from the single machine's, which the merged statistics above reproduce."""
    single, _, _ = engines
    _, _, out = cluster_archive
    words = single.postings()
    k1, b = single.params.k1, single.params.b
    compared = differing = 0
    for term in ("中国", "游戏", "历史", "公司", "美国", "时间"):
        docs, weights = words.term_weights(term)
        expected = dict(zip((words.doc_ids[int(d)] for d in docs), weights))
        for shard in range(3):
            db = xapian.Database(str(shard_dir(out, shard) / "words"))
            n, df = db.get_doccount(), db.get_termfreq(xapian_term(term))
            if not df:
                continue
            local_idf = math.log(n - df + 0.5) - math.log(df + 0.5)
            enquire = xapian.Enquire(db)
            enquire.set_weighting_scheme(xapian.BM25Weight(k1, 0, 0, b, 0))
            enquire.set_query(xapian.Query(xapian.Query.OP_SCALE_WEIGHT, xapian.Query(term),
                                           local_idf / xapian_idf(n, df)))
            ids = [line for line in (out / "catalog.txt").read_text(encoding="utf-8").split("\n") if line]
            in_shard = [i for i in ids if _shard(i) == shard]
            for match in enquire.get_mset(0, df):
                compared += 1
                differing += abs(match.weight - expected[in_shard[match.docid - 1]]) > 1e-6
    assert compared > 50
    assert differing > compared // 2


def _shard(article_id: str) -> int:
    from service.cluster.layout import shard_of

    return shard_of(article_id, 3)


def test_a_stopped_shard_fails_over_to_its_replica_and_without_one_is_a_503(cluster_archive, analyzer, tmp_path):
    data_dir, _, out = cluster_archive
    servers = Servers()
    try:
        primary = serve_build(servers, out, 3)
        replica_of_0 = servers.serve(shard_dir(out, 0))
        replicas = (tuple(primary), (replica_of_0, primary[1], primary[2]))
        single = Engine(make_config(data_dir), analyzer=analyzer)
        sharded = Engine(make_config(data_dir, cluster_catalog=out, cluster_replicas=replicas), analyzer=analyzer)
        try:
            before = sharded.search("历史", k=10, summaries=False)
            servers.stop_shard(primary[0])
            after = sharded.search("游戏 历史", k=10, summaries=False)  # new terms: the shards must be asked
            expected = single.search("游戏 历史", k=10, summaries=False)
            assert before.hits
            assert [(h.article.id, round(h.score, 9)) for h in after.hits] == \
                [(h.article.id, round(h.score, 9)) for h in expected.hits]

            servers.stop_shard(replica_of_0)
            with pytest.raises(ShardUnavailable) as failure:
                sharded.search("公司 时间", k=10, summaries=False)
            assert failure.value.shard == 0
            assert primary[0] in failure.value.message and replica_of_0 in failure.value.message

            response = create_app(engine=sharded).test_client().get("/api/search?q=美国")
            assert response.status_code == 503
            body = response.get_json()
            assert body["error"]["code"] == "shard_unavailable"
            assert "shard 0" in body["error"]["message"]

            config = tmp_path / "config.toml"
            config.write_text(f'[paths]\ndata_dir = "{data_dir}"\n[cluster]\ncatalog = "{out}"\n'
                              f'replicas = [["{primary[0]}", "{primary[1]}", "{primary[2]}"]]\n', encoding="utf-8")
            err = io.StringIO()
            with redirect_stderr(err):
                code = main(["--config", str(config), "search", "美国"])
            assert code == ShardUnavailable.exit_code == 11
            assert "shard 0 does not answer" in err.getvalue() and "Traceback" not in err.getvalue()
        finally:
            single.close()
            sharded.close()
    finally:
        servers.stop_all()


def test_a_shard_of_another_build_is_refused(cluster_archive, analyzer, tmp_path):
    """Shards listed in the wrong order are not combined: each answers as the shard it is."""
    data_dir, _, out = cluster_archive
    servers = Servers()
    try:
        addresses = serve_build(servers, out, 3)
        swapped = (addresses[1], addresses[0], addresses[2])
        engine = Engine(make_config(data_dir, cluster_catalog=out, cluster_replicas=(swapped,)), analyzer=analyzer)
        with pytest.raises(ShardUnavailable, match="serves shard 1 words of build"):
            engine.search("历史")
        engine.close()
    finally:
        servers.stop_all()


def test_every_channel_is_a_database_of_every_article(cluster_archive):
    _, _, out = cluster_archive
    ids = [line for line in (out / "catalog.txt").read_text(encoding="utf-8").split("\n") if line]
    counts = np.array([[xapian.Database(str(shard_dir(out, s) / c)).get_doccount() for c in CHANNELS]
                       for s in range(3)])
    assert (counts == counts[:, :1]).all()
    assert counts[:, 0].sum() == len(ids)
