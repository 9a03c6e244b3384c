"""The bounded ranking over the shards: fewer documents fetched than every match, the same results and pages."""

from __future__ import annotations

import pytest

from cluster.archive import queries
from cluster.shards import Servers, require_cluster, serve_build
from helpers import make_config

require_cluster()

from service.cluster import topk  # noqa: E402
from service.engine import Engine  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

COMMON = ("中国", "历史", "公司", "时间", "美国", "游戏")


@pytest.fixture(scope="module")
def engines(cluster_archive, analyzer):
    data_dir, _, out = cluster_archive
    servers = Servers()
    try:
        served = serve_build(servers, out, 3)
        single = Engine(make_config(data_dir), analyzer=analyzer)
        sharded = Engine(make_config(data_dir, cluster_catalog=out, cluster_replicas=(tuple(served),)),
                         analyzer=analyzer)
        yield single, sharded
        single.close()
        sharded.close()
    finally:
        servers.stop_all()


def moved(sharded: Engine, query: str, bounded: bool, **search) -> tuple[int, object]:
    """Documents fetched from the shards with their weights for one query from cold caches, and its results
    (the ids of the matches, which the exact total needs, are counted apart, as "ids")."""
    live = sharded._live()
    live.ranker.bounded = bounded
    try:
        for postings in live.ranker.channels.values():
            postings.forget()
        shards = live.words.shards
        weighed = ("weights", "ranked", "picked")
        before = sum(shards.moved[k] for k in weighed)
        results = sharded.search(query, summaries=False, **search)
        return sum(shards.moved[k] for k in weighed) - before, results
    finally:
        live.ranker.bounded = True


def same(one, many) -> None:
    assert (many.total, many.mode) == (one.total, one.mode)
    assert [h.article.id for h in many.hits] == [h.article.id for h in one.hits]
    assert [h.score for h in many.hits] == pytest.approx([h.score for h in one.hits], abs=1e-9, rel=0)


def test_common_terms_fetch_fewer_weights_than_every_match_for_the_same_top_ten(engines):
    single, sharded = engines
    long_lists = 0
    # Every article apart: collapsing copies into stories ranks every match when the best ones are mostly copies.
    for query in COMMON:
        expected = single.search(query, k=10, summaries=False, collapse=False)
        everything, _ = moved(sharded, query, bounded=False, k=10, collapse=False)
        bounded, found = moved(sharded, query, bounded=True, k=10, collapse=False)
        assert expected.total > 20, query  # common: more matches than twice the page
        same(expected, found)
        if everything > 200:  # long lists; short ones are fetched whole (`topk.WORTH`)
            assert 0 < bounded < everything, query
            long_lists += 1
    assert long_lists >= 1
    ranked = sharded._live().words.shards.moved["ranked"]
    assert ranked > 0  # the best-weighted lists were read, not every match's weight


def test_pages_further_down_stay_exact(engines):
    single, sharded = engines
    for query in ("中国", "历史 公司", "时间"):
        for offset in (0, 10, 20, 45, 90, 130):
            expected = single.search(query, k=10, offset=offset, summaries=False)
            _, found = moved(sharded, query, bounded=True, k=10, offset=offset)
            same(expected, found)
            assert [h.rank for h in found.hits] == [h.rank for h in expected.hits]


def test_filters_facets_and_excluded_words_stay_exact(engines):
    single, sharded = engines
    for query, options in (("中国 -历史", {}), ("公司", {"facets": True}), ('"中国"', {}),
                           ("时间", {"date_from": "2020", "date_to": "2023"})):
        expected = single.search(query, k=10, summaries=False, **options)
        _, found = moved(sharded, query, bounded=True, k=10, **options)
        same(expected, found)
        if options.get("facets"):
            assert found.facets.to_dict() == expected.facets.to_dict()


def test_plain_queries_are_counted_on_the_shards_without_sending_the_ids_of_the_matches(engines, monkeypatch):
    single, sharded = engines
    shards = sharded._live().words.shards
    # This archive's lists are short enough to be fetched whole (`topk.WORTH`, with the ids of the matches): the
    # reading best-first is what is looked at here. And it has copies, whose stories are counted over every
    # match (docs/scale-out.md): here, as in an archive without copies, they are not.
    monkeypatch.setattr(topk, "WORTH", 0)
    counted, modes = 0, set()
    for engine in (single, sharded):
        monkeypatch.setattr(engine, "_stories", lambda live: None)
    for query in (*COMMON, "中国 -历史", "历史 公司", "历史 OR 公司", "title:中国", " ".join(COMMON),
                  " ".join(COMMON[:5]) + " title:中国 -游戏"):  # long queries: at least a share of their words
        expected = single.search(query, k=10, summaries=False, collapse=False)
        before = dict(shards.moved)
        _, found = moved(sharded, query, bounded=True, k=10, collapse=False)
        same(expected, found)
        assert shards.moved["counted"] == before.get("counted", 0) + 1, query
        if expected.total > 10:  # more than the page: ids were not needed
            assert shards.moved["ids"] == before.get("ids", 0), query
            counted += 1
            modes.add(found.mode)
        for offset in (10, 35):
            _, page = moved(sharded, query, bounded=True, k=10, offset=offset, collapse=False)
            same(single.search(query, k=10, offset=offset, summaries=False, collapse=False), page)
        facets = sharded.search(query, k=10, summaries=False, collapse=False, facets=True)
        assert facets.facets.to_dict() == single.search(query, k=10, summaries=False, collapse=False,
                                                        facets=True).facets.to_dict()
    assert counted >= 5 and modes == {"and", "most"}


def test_every_kind_of_query_read_best_first_equals_the_single_machine(cluster_archive, engines, analyzer,
                                                                       monkeypatch):
    """The 200 queries of every path (phrases, long queries, filters, `-word`, one character), with the lists
    read best first however short, in an archive counted as without copies: the same pages and totals."""
    single, sharded = engines
    monkeypatch.setattr(topk, "WORTH", 0)
    for engine in (single, sharded):
        monkeypatch.setattr(engine, "_stories", lambda live: None)
    shards = sharded._live().words.shards
    counts = shards.moved["counted"]
    _, records, _ = cluster_archive
    for number, query in enumerate(queries(records, analyzer, 200)):
        offset = 10 * (number % 3)
        same(single.search(query, k=10, offset=offset, summaries=False),
             sharded.search(query, k=10, offset=offset, summaries=False))
    assert shards.moved["counted"] - counts >= 50  # many were counted on the shards, the others matched by ids
