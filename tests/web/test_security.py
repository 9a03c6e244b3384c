"""Putting the service on a network: write access by token, hostile names and markup, headers, limits."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from service.engine import Engine
from service.web import SECURITY_HEADERS, create_app

from helpers import ADMIN_TOKEN, make_config, multipart

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
JSON = {"Content-Type": "application/json"}


def call(server, path, method="GET", data=None, headers=None):
    request = urllib.request.Request(server.url + path, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def articles_body(*articles):
    return json.dumps({"articles": list(articles)}, ensure_ascii=False).encode("utf-8")


def search_ids(server, query):
    status, _, text = call(server, "/api/search?q=" + urllib.parse.quote(query) + "&k=100")
    assert status == 200, text
    return [hit["id"] for hit in json.loads(text)["results"]]


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "token_missing"),
    ({"Authorization": "Bearer "}, 403, "token_wrong"),
    ({"Authorization": "Bearer"}, 403, "token_wrong"),
    ({"Authorization": f"Bearer {ADMIN_TOKEN}x"}, 403, "token_wrong"),
    ({"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}"}, 403, "token_wrong"),
    ({"Authorization": f"Basic {ADMIN_TOKEN}"}, 403, "token_wrong"),
])
def test_write_endpoints_refuse_missing_wrong_and_empty_tokens(live_server, headers, status, code):
    body = articles_body({"id": "never-stored", "title": "不该存入", "body": "不该存入的文章。"})
    for method, path, data, extra in (("POST", "/api/ingest", body, JSON), ("DELETE", "/api/articles/dated-09",
                                                                            None, {})):
        got, response_headers, text = call(live_server, path, method, data, {**extra, **headers})
        assert got == status and json.loads(text)["error"]["code"] == code, (method, text)
        if status == 401:
            assert response_headers["WWW-Authenticate"].startswith("Bearer")
    assert "never-stored" not in search_ids(live_server, "不该存入")
    assert call(live_server, "/api/articles/dated-09")[0] == 200


def test_without_a_configured_token_writing_is_off(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data", server_admin_token=""), analyzer=analyzer)
    client = create_app(engine=engine).test_client()
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer anything"}):
        response = client.post("/api/ingest", data=articles_body({"body": "正文"}), headers={**JSON, **headers})
        assert response.status_code == 403 and response.json["error"]["code"] == "writes_disabled"
        assert "JIANSUO_ADMIN_TOKEN" in response.json["error"]["message"]
    assert engine.store.count() == 0
    engine.close()


def test_ingested_articles_are_searchable_when_ingest_answers_and_gone_when_deleted(live_server):
    article = {"id": "security-roundtrip", "title": "蝾螈保护区今日开放", "body": "蝾螈保护区今日正式开放。",
               "date": "2019-05-01", "section": "城事", "authors": "记者甲"}
    status, _, text = call(live_server, "/api/ingest", "POST", articles_body(article), {**JSON, **ADMIN})
    report = json.loads(text)
    assert status == 200 and report["added"] == ["security-roundtrip"] and report["skipped"] == 0
    # Both workers see the new generation at once: the answer came after it went live.
    for _ in range(4):
        assert "security-roundtrip" in search_ids(live_server, "蝾螈")
    status, _, text = call(live_server, "/api/articles/security-roundtrip", "DELETE", None, ADMIN)
    assert status == 200 and json.loads(text)["deleted"] == ["security-roundtrip"]
    for _ in range(4):
        assert "security-roundtrip" not in search_ids(live_server, "蝾螈")


def test_bad_records_are_counted_as_skipped_with_their_position(live_server):
    body = articles_body({"id": "fine-but-empty", "body": ""}, {"id": "../../etc/passwd", "body": "正文"},
                         "not an object")
    status, _, text = call(live_server, "/api/ingest", "POST", body, {**JSON, **ADMIN})
    report = json.loads(text)
    assert status == 200 and report["added"] == [] and report["skipped"] == 3
    assert report["problems"][1].startswith("request:2:") and "slash" in report["problems"][1]


@pytest.mark.parametrize("name", ["../escape.jsonl", "..\\escape.jsonl", "/etc/escape.jsonl", "C:escape.jsonl",
                                  ".hidden.jsonl", "sub/dir.jsonl", "nul\x01.jsonl", "page.exe", ""])
def test_upload_names_that_reach_outside_or_are_not_ingestible_are_refused(live_server, live_archive, name):
    before = sorted(p.name for p in live_archive.parent.rglob("*"))
    content = json.dumps({"id": "escaped", "body": "不该存入。"}, ensure_ascii=False).encode()
    body, content_type = multipart({"file": (name, content)})
    status, _, text = call(live_server, "/api/ingest", "POST", body, {**content_type, **ADMIN})
    assert status == 400, text
    assert json.loads(text)["error"]["code"] in ("bad_upload_name", "unsupported_file", "bad_upload")
    assert sorted(p.name for p in live_archive.parent.rglob("*")) == before
    assert call(live_server, "/api/articles/escaped")[0] == 404


def test_a_hostile_article_sent_over_the_api_renders_as_text(live_server):
    title = "<script>alert('ingest')</script>蝾螈<img src=x onerror=alert(2)>"
    article = {"id": "security-xss", "title": title, "body": "<iframe src=//evil>蝾螈</iframe>的正文。"}
    status, _, _ = call(live_server, "/api/ingest", "POST", articles_body(article), {**JSON, **ADMIN})
    assert status == 200
    try:
        for path in ("/search?q=" + urllib.parse.quote("蝾螈"), "/articles/security-xss"):
            status, headers, html = call(live_server, path)
            assert status == 200 and headers["Content-Type"].startswith("text/html")
            assert "<script>alert('ingest')" not in html and "<img src=x" not in html and "<iframe" not in html
            assert "&lt;script&gt;" in html
    finally:
        call(live_server, "/api/articles/security-xss", "DELETE", None, ADMIN)


@pytest.mark.parametrize("path", ["/articles/..", "/api/articles/..", "/api/articles/%2E%2E",
                                  "/api/articles/..%2F..%2Fetc%2Fpasswd", "/articles/%2E%2E%2Fconfig.toml"])
def test_path_traversal_in_ids_finds_nothing(live_server, path):
    status, _, text = call(live_server, path)
    assert status in (400, 404) and "root:" not in text and "[server]" not in text


@pytest.mark.parametrize("path", ["/", "/search?q=%E5%8C%BB%E4%BF%9D", "/api/search?q=%E5%8C%BB%E4%BF%9D",
                                  "/api/search?q=", "/no-such-page", "/healthz"])
def test_every_answer_carries_the_security_headers(live_server, path):
    _, headers, _ = call(live_server, path)
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]


def test_errors_never_show_a_stack_trace(tmp_path, analyzer, monkeypatch):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    app = create_app(engine=engine)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals at /home/user/file.py line 12")

    monkeypatch.setattr(engine, "search", explode)
    client = app.test_client()
    for path in ("/api/search?q=x", "/search?q=x"):
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 500 and "Traceback" not in text and "secret internals" not in text
    engine.close()


def test_too_many_query_terms_is_400_naming_the_limit(live_server):
    query = " ".join(chr(0x4E00 + n) for n in range(100))  # 100 one-character words, within the length limit
    status, _, text = call(live_server, "/api/search?q=" + urllib.parse.quote(query))
    error = json.loads(text)["error"]
    assert status == 400 and error["code"] == "too_many_terms" and "search.max_query_terms" in error["message"]


def test_the_server_binds_to_loopback_by_default():
    from service import config

    assert config.defaults().server_host == "127.0.0.1"


def test_healthz_is_503_naming_the_fix_when_an_index_file_lost_bytes(tmp_path, analyzer):
    from helpers import SEED_PAGE

    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest([SEED_PAGE])
    client = create_app(engine=engine).test_client()
    assert client.get("/healthz").status_code == 200
    generation = engine.index_dir / engine.stats()["index_generation"]
    (generation / "doc_ids.txt").write_text("", encoding="utf-8")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["error"]["code"] == "index_damaged"
    assert "jiansuo reindex" in response.json["error"]["message"]
    engine.close()


def test_an_upload_between_the_body_and_the_upload_limits_is_read(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data", server_admin_token="t" * 20), analyzer=analyzer)
    client = create_app(engine=engine).test_client()
    body = json.dumps({"articles": [], "padding": "x" * (engine.config.server_max_body_bytes + 1)}).encode()
    response = client.post("/api/ingest", data=body, headers={**JSON, "Authorization": "Bearer " + "t" * 20})
    # Past server.max_body_bytes but within server.max_upload_bytes: read, and refused for its field.
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_articles"
    engine.close()
