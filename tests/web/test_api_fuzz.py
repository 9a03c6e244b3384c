"""Any request parameters, any ids: the API answers 200 or a documented 4xx in the one error shape, never 500."""

import urllib.parse

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.engine import Engine
from service.web import SECURITY_HEADERS, create_app

from helpers import DATED_ARCHIVE, SEED_PAGE, make_config

SEARCH_NAMES = ["q", "k", "offset", "script", "date_from", "date_to", "section", "explain", "page", "x", "Q", ""]
VALUES = st.one_of(
    st.sampled_from(["医保", "扶贫 OR 灵芝", '"医保 报销"', "-医保", "author:刘洪斌", "date:2018-02", "section:城事",
                     "0", "1", "-1", "10", "101", "99999999999999999999", "1e3", " 5", "simplified", "traditional",
                     "2018", "2018-02", "2018-02-30", "2018-13", "城事", "<script>", "", "\x00", "%", "..", "𠀀"]),
    st.text(max_size=40))


@pytest.fixture(scope="module")
def client(tmp_path_factory, analyzer):
    engine = Engine(make_config(tmp_path_factory.mktemp("fuzz") / "data"), analyzer=analyzer)
    engine.ingest([SEED_PAGE, DATED_ARCHIVE])
    yield create_app(engine=engine).test_client()
    engine.close()


def check_answer(response, allowed):
    assert response.status_code in allowed, (response.status_code, response.get_data(as_text=True)[:300])
    for name in ("Content-Security-Policy", "X-Content-Type-Options"):
        assert response.headers[name] == SECURITY_HEADERS[name]
    if response.content_type.startswith("application/json") and response.status_code >= 400:
        error = response.json["error"]
        assert set(error) == {"code", "message"} and error["code"] != "internal" and error["message"]


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(SEARCH_NAMES), VALUES), max_size=6))
def test_search_parameters_never_make_a_500(client, pairs):
    query = urllib.parse.urlencode(pairs)
    check_answer(client.get(f"/api/search?{query}"), {200, 400})
    check_answer(client.get(f"/search?{query}"), {200, 400})


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=60), st.lists(st.tuples(st.sampled_from(["q", "script", "x"]), VALUES),
                                                  max_size=3))
def test_any_article_id_is_200_400_or_404(client, article_id, pairs):
    path = "/api/articles/" + urllib.parse.quote(article_id, safe="") + "?" + urllib.parse.urlencode(pairs)
    for response in (client.get(path), client.get(path.replace("/api/articles/", "/articles/", 1))):
        # An id with "//" in it is a path with doubled slashes: Werkzeug redirects to the path with them merged,
        # always to this server.
        check_answer(response, {200, 400, 404, 308} if "//" in urllib.parse.unquote(path) else {200, 400, 404})
        if response.status_code == 308:
            location = urllib.parse.urlsplit(response.headers["Location"])
            assert location.netloc in ("", "localhost") and not location.path.startswith("//")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8")),
                 st.dictionaries(st.sampled_from(["text", "sentences", "query", "max_chars", "x"]),
                                 st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(),
                                           st.text(st.characters(blacklist_categories=()), max_size=80),
                                           st.lists(st.integers(), max_size=3)),
                                 max_size=5).map(lambda d: __import__("json").dumps(d).encode())))
@example(body=b'{"text": null}')
def test_any_summarize_body_never_makes_a_500(client, body):
    response = client.post("/api/summarize", data=body, headers={"Content-Type": "application/json"})
    check_answer(response, {200, 400})
