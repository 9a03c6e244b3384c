"""People, places and organisations over HTTP: the facets of /api/search, /api/entities, the coverage in
/api/stats, and their pages (the facet links on the results page, the entity page in both scripts)."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from service.engine import Engine
from service.web import create_app

from helpers import PROJECT, make_config

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def client(tmp_path_factory, analyzer):
    engine = Engine(make_config(tmp_path_factory.mktemp("named") / "data"), analyzer=analyzer)
    engine.ingest([PROJECT / "tests" / "fixtures" / "entities" / "articles.jsonl"])
    engine.update_entities()
    yield create_app(engine=engine).test_client()
    engine.close()


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_search_counts_names_only_when_asked(client):
    plain = client.get(f"/api/search?q={q('section:经济')}").get_json()
    assert not {"person", "place", "org"} & set(plain["facets"])
    asked = client.get(f"/api/search?q={q('section:经济')}&entities=person,org").get_json()
    assert asked["facets"]["person"] == [{"value": "王建国", "count": 2}]
    assert asked["facets"]["org"][0] == {"value": "中国农业发展银行冠县支行", "count": 2}
    assert "place" not in asked["facets"]
    every = client.get(f"/api/search?q={q('人物:李克強')}&entities=1&script=traditional").get_json()
    assert every["total"] == 2 and every["facets"]["person"][0] == {"value": "李克強", "count": 2}


def test_a_bad_entities_parameter_is_refused_naming_it(client):
    response = client.get(f"/api/search?q={q('扶贫')}&entities=people,things")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_entities" and "'people,things'" in response.get_json()[
        "error"]["message"]


def test_an_entity_answers_with_its_months_companions_and_articles(client):
    body = client.get(f"/api/entities/PER/{q('李克強')}?sort=oldest&k=1").get_json()
    assert (body["kind"], body["type"], body["name"], body["total"]) == ("person", "PER", "李克强", 2)
    assert body["months"] == [{"month": "2018-01", "count": 1}, {"month": "2018-02", "count": 1}]
    assert [a["id"] for a in body["articles"]] == ["e1"] and body["sort"] == "oldest"
    assert {"name": "国务院", "count": 2} in body["named_with"]["org"]
    assert client.get(f"/api/entities/人物/{q('冠縣')}").status_code == 404  # 冠县 is a place, not a person
    assert client.get(f"/api/entities/place/{q('冠縣')}").get_json()["total"] == 2


@pytest.mark.parametrize("path, status, code, words", [
    ("/api/entities/person/" + q("张无忌"), 404, "entity_not_found", "no article names the person '张无忌'"),
    ("/api/entities/thing/x", 400, "bad_entity_type", "person, place or org"),
    ("/api/entities/person/x?sort=relevance", 400, "bad_sort", "newest or oldest"),
    ("/api/entities/person/x?k=0", 400, "bad_k", "k"),
    ("/api/entities/person/x?color=red", 400, "unknown_parameter", "'color'"),
])
def test_entity_errors_name_the_problem(client, path, status, code, words):
    response = client.get(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code and words in response.get_json()["error"]["message"]


def test_stats_say_how_many_articles_are_read_for_names(client):
    entities = client.get("/api/stats").get_json()["entities"]
    assert (entities["articles"], entities["covered"], entities["pending"]) == (5, 5, 0)


def test_the_results_page_lists_names_each_adding_its_filter(client):
    html = client.get(f"/search?q={q('section:经济')}").get_data(as_text=True)
    block = html[html.index('id="facet-entities"'):]
    block = block[:block.index("</nav>")]
    links = {urllib.parse.unquote_plus(href) for href in re.findall(r'href="/search\?q=([^"&]+)', block)}
    assert {"section:经济 person:王建国", "section:经济 place:冠县", "section:经济 org:中国农业发展银行冠县支行"} <= links


def test_the_entity_page_in_both_scripts_and_an_unknown_one(client):
    html = client.get(f"/entities/person/{q('李克强')}").get_data(as_text=True)
    assert "<h1 id=\"entity-name\">李克强</h1>" in html and "人物" in html and "2 篇文章提到" in html
    assert 'class="chart"' in html and f'/entities/place/{q("北京")}' in html
    traditional = client.get(f"/entities/person/{q('李克强')}?script=traditional").get_data(as_text=True)
    assert "<h1 id=\"entity-name\">李克強</h1>" in traditional and "篇文章提到" in traditional
    missing = client.get(f"/entities/person/{q('张无忌')}")
    assert missing.status_code == 404 and "张无忌" in missing.get_data(as_text=True)


def test_an_entity_page_says_when_articles_are_still_to_be_read_for_names(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    try:
        engine.ingest([PROJECT / "tests" / "fixtures" / "entities" / "articles.jsonl"])
        engine.update_entities()
        client = create_app(engine=engine).test_client()
        assert client.get(f"/api/entities/person/{q('李克强')}").get_json()["unread"] == 0
        assert 'id="entity-unread"' not in client.get(f"/entities/person/{q('李克强')}").get_data(as_text=True)
        engine.ingest_records([{"id": "later", "title": "李克强考察", "body": "国务院总理李克强日前在冠县考察。"}],
                              "later.jsonl")
        assert client.get(f"/api/entities/person/{q('李克强')}").get_json()["unread"] == 1
        html = client.get(f"/entities/person/{q('李克强')}").get_data(as_text=True)
        assert 'id="entity-unread"' in html and "还有 1 篇文章尚未识别" in html
    finally:
        engine.close()


def test_a_story_printed_several_times_is_listed_once_on_an_entity_s_page(tmp_path, analyzer):
    from helpers import REPRINTS_ARCHIVE

    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    try:
        engine.ingest([REPRINTS_ARCHIVE])
        engine.update_entities()
        client = create_app(engine=engine).test_client()
        body = client.get(f"/api/entities/place/{q('人民大会堂')}").get_json()
        assert (body["total"], body["stories"]) == (4, 2)
        printed = {a["id"]: a["printings"] for a in body["articles"]}
        assert sorted(printed.values()) == [0, 2] and "rp-t" in printed and printed["rp-t"] == 0
        html = client.get(f"/entities/place/{q('人民大会堂')}").get_data(as_text=True)
        assert "4 篇文章提到" in html and "合并相同报道后 2 篇" in html and "另有 2 篇相同报道" in html
    finally:
        engine.close()
