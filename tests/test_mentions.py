"""People, places and organisations kept in the article store: the schema step, the reading pass (stopped and
run again, run twice), what replacing and deleting do, and the search filters, facets and entity view."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from service import mentions as mentions_module
from service.articles import Article
from service.errors import NotFound, QueryError
from service.store import SCHEMA_VERSION, Store

from helpers import PROJECT

pytestmark = pytest.mark.timeout(600)

ARTICLES = PROJECT / "tests" / "fixtures" / "entities" / "articles.jsonl"


def rows(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT article_id, type, name, text, count FROM mentions ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()


@pytest.fixture
def named(engine):
    """The five test articles, ingested and read for names."""
    engine.ingest([ARTICLES])
    engine.update_entities()
    return engine


def test_a_version_6_store_gains_the_mention_tables_and_keeps_its_articles(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store(path).upsert([Article(id="a1", title="标题", body="正文。")])
    conn = sqlite3.connect(path)
    conn.executescript("DROP TRIGGER mentions_of_gone_article; DROP TABLE mentions; DROP TABLE mentions_read; "
                       "UPDATE meta SET value = '6' WHERE key = 'schema_version';")
    conn.close()
    store = Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"mentions", "mentions_read", "mentions_by_name", "mentions_of_gone_article"} <= tables
    assert [a.id for a in store.iter_articles()] == ["a1"]
    assert mentions_module.Mentions(path).coverage().to_dict()["pending"] == 1


def test_the_pass_reads_every_article_and_a_second_run_changes_nothing(named):
    coverage = named.entity_coverage()
    assert (coverage["articles"], coverage["covered"], coverage["pending"]) == (5, 5, 0)
    before = rows(named.mentions.path)
    assert ("e3", "PER", "李克强", "李克強", 2) in before  # folded to one name, written as the article writes it
    again = named.update_entities()
    assert again["recognised"] == 0 and rows(named.mentions.path) == before


def test_a_pass_stopped_after_a_batch_keeps_it_and_the_next_run_finishes(engine, tmp_path):
    engine.ingest([ARTICLES])

    def die(done, pending):
        raise KeyboardInterrupt  # the process ends between two batches

    with pytest.raises(KeyboardInterrupt):
        engine.update_entities(batch=2, progress=die)
    assert engine.entity_coverage()["covered"] == 2
    rest = engine.update_entities(batch=2)
    assert rest["recognised"] == 3 and rest["pending"] == 0
    reference = type(engine)(engine.config.with_overrides(paths_data_dir=tmp_path / "reference"),
                             analyzer=engine.analyzer)
    reference.ingest([ARTICLES])
    reference.update_entities()
    assert rows(engine.mentions.path) == rows(reference.mentions.path)
    reference.close()


def test_a_killed_update_is_finished_by_running_it_again(tmp_path):
    """`jiansuo entities --update` killed by SIGKILL (wherever it was) and run again ends with every article read,
    the same names as a run never stopped."""
    source = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({**a, "id": f"{a['id']}-{n}"}, ensure_ascii=False) + "\n"
                            for n in range(40) for a in source), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}

    def cli(data, *args, **kwargs):
        return subprocess.run([sys.executable, "-P", "-m", "service", "--index", str(data), *args], cwd=PROJECT,
                              env=env, capture_output=True, text=True, timeout=300, **kwargs)

    for data in (tmp_path / "killed", tmp_path / "whole"):
        assert cli(data, "ingest", str(many)).returncode == 0
    store = tmp_path / "killed" / "articles.sqlite3"
    process = subprocess.Popen([sys.executable, "-P", "-m", "service", "--index", str(tmp_path / "killed"),
                                "entities", "--update"], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240  # a hang guard only
        while process.poll() is None and time.monotonic() < deadline:
            if mentions_module.Mentions(store).coverage().covered:
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    again = cli(tmp_path / "killed", "entities", "--update", "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["articles"], report["covered"], report["pending"]) == (200, 200, 0)
    assert cli(tmp_path / "whole", "entities", "--update").returncode == 0
    assert rows(store) == rows(tmp_path / "whole" / "articles.sqlite3")
    assert json.loads(cli(tmp_path / "killed", "entities", "--update", "--json").stdout)["recognised"] == 0


def test_replacing_or_deleting_an_article_drops_its_names(named):
    changed = json.loads(ARTICLES.read_text(encoding="utf-8").splitlines()[1])
    changed["body"] = "今年城区将新建两座公园。"
    changed["title"] = "城区新建公园"
    named.ingest_records([changed])
    assert not [row for row in rows(named.mentions.path) if row[0] == "e2"]
    assert named.entity_coverage()["pending"] == 1
    named.delete(["e4"])
    assert not [row for row in rows(named.mentions.path) if row[0] == "e4"]
    assert named.update_entities()["recognised"] == 1
    assert named.entity_coverage() == {**named.entity_coverage(), "articles": 4, "covered": 4, "pending": 0}


def test_a_text_changed_while_it_was_read_is_left_for_the_next_pass(named, tmp_path):
    stale = mentions_module.tally("e1", "not-its-hash", [("PER", "张三")], named.analyzer.fold)
    assert named.mentions.put([stale]) == 0
    assert ("e1", "PER", "张三", "张三", 1) not in rows(named.mentions.path)


def ids(results) -> set[str]:
    return {hit.article.id for hit in results.hits}


def test_query_filters_by_person_place_and_org_in_either_script(named):
    assert ids(named.search("person:李克强")) == {"e1", "e3"}
    assert ids(named.search("人物:李克強")) == {"e1", "e3"}
    assert ids(named.search("place:冠县 place:上海")) == {"e2", "e3", "e4"}  # several of one kind: any
    assert ids(named.search("person:王建国 place:冠县斜店乡")) == {"e4"}  # of different kinds: all
    assert ids(named.search("扶贫 person:王建国")) == {"e4"}  # with words
    assert ids(named.search("机构:中国农业发展银行冠县支行 section:经济")) == {"e2", "e4"}  # with other filters
    assert ids(named.search("place:冠县 -person:王建国")) == set()
    assert named.search("person:张无忌").total == 0


def test_facets_count_the_names_of_every_match_only_when_asked(named):
    plain = named.search("section:经济 OR section:要闻")
    assert plain.entity_facets is None and "person" not in plain.to_dict().get("facets", {})
    results = named.search("section:经济", entity_facets=("person", "place", "org"))
    facets = results.to_dict()["facets"]
    assert facets["person"] == [{"value": "王建国", "count": 2}]
    assert facets["org"][0] == {"value": "中国农业发展银行冠县支行", "count": 2}
    assert {"value": "冠县", "count": 2} in facets["place"]
    shown = named.search("person:李克强", entity_facets=("person",), script="traditional")
    assert shown.entity_facets["person"][0] == ("李克強", 2)


def test_an_entity_has_its_months_its_companions_and_its_articles_by_date(named):
    view = named.entity("PER", "李克強")
    assert (view.kind, view.name, view.key, view.total) == ("person", "李克强", "李克强", 2)
    assert view.months == [("2018-01", 1), ("2018-02", 1)]
    assert {"北京", "上海"} <= {name for name, _ in view.named_with["place"]}
    assert ("国务院", 2) in view.named_with["org"]
    assert [a.id for a in view.articles] == ["e3", "e1"]
    assert [a.id for a in named.entity("person", "李克强", sort="oldest").articles] == ["e1", "e3"]
    assert [a.id for a in named.entity("person", "李克强", k=1, offset=1).articles] == ["e1"]
    assert named.entity("place", "冠县", script="traditional").name == "冠縣"


def test_an_unknown_entity_or_kind_is_named_in_the_error(named):
    with pytest.raises(NotFound, match="no article names the person '张无忌'") as info:
        named.entity("person", "张无忌")
    assert info.value.code == "entity_not_found"
    with pytest.raises(QueryError, match="person, place or org") as bad:
        named.entity("thing", "李克强")
    assert bad.value.code == "bad_entity_type"
    with pytest.raises(QueryError, match="newest or oldest"):
        named.entity("person", "李克强", sort="relevance")
