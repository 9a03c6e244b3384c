"""/api/openapi.json describes the API as it answers: every route, every status, every field.

Real responses (from the `jiansuo serve` process; the 503s from an app over an empty archive) are validated
against the document's schemas made strict, so a field the service sends but the document does not list fails
here, while the published document stays open to fields added later.
"""

import copy
import json
import re
import urllib.error
import urllib.request

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from service.engine import Engine
from service.web import create_app
from service.web.api import (ARTICLE_PARAMETERS, DATES_PARAMETERS, ENTITY_PARAMETERS, EXPORT_PARAMETERS,
                             PAGE_PARAMETERS, PAGES_PARAMETERS, SEARCH_PARAMETERS, SUMMARIZE_FIELDS,
                             TRENDS_PARAMETERS)

from helpers import ADMIN_TOKEN, LIVE_MAX_UPLOAD_BYTES, PROJECT, announce_only, make_config, multipart

MEDICAL_ID = "pb3c625c95d19e72e-07"
JSON = {"Content-Type": "application/json"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PROBE = json.dumps({"articles": [{"id": "openapi-probe", "title": "接口探针", "body": "探针文章的正文。",
                                  "date": "2019-01-02", "authors": ["记者"]}]}, ensure_ascii=False).encode()
UPLOAD, UPLOAD_TYPE = multipart({"file": ("probe.jsonl", json.dumps(
    {"id": "openapi-upload", "title": "上传探针", "body": "上传的正文。"}, ensure_ascii=False).encode())})

# (method, path, body, headers, expected status): at least one request for every documented status
LIVE_REQUESTS = [
    ("GET", "/api/search?q=%E5%8C%BB%E4%BF%9D", None, {}, 200),
    ("GET", "/api/search?q=%E5%8C%BB%E4%BF%9D+OR+%E7%81%B5%E8%8A%9D&explain=1", None, {}, 200),
    ("GET", "/api/search?q=%E6%89%B6%E8%B4%AB&k=3&offset=1&script=traditional&date_from=2017&date_to=2018-12"
            "&section=%E8%A6%81%E9%97%BB", None, {}, 200),
    ("GET", "/api/search?q=%E7%81%AB%E6%98%9F", None, {}, 200),
    ("GET", "/api/search?q=", None, {}, 400),
    ("GET", "/api/search?q=x&date_from=May", None, {}, 400),
    ("POST", "/api/search?q=x", b"{}", JSON, 405),
    ("GET", f"/api/articles/{MEDICAL_ID}", None, {}, 200),
    ("GET", f"/api/articles/{MEDICAL_ID}?q=%E5%8C%BB%E4%BF%9D&script=simplified", None, {}, 200),
    ("GET", f"/api/articles/{MEDICAL_ID}/related?k=3", None, {}, 200),
    ("GET", f"/api/articles/{MEDICAL_ID}/related?k=0", None, {}, 400),
    ("GET", "/api/articles/no-such-id/related", None, {}, 404),
    ("GET", "/api/articles/dated-09?script=simplified", None, {}, 200),
    ("GET", f"/api/articles/{MEDICAL_ID}?script=latin", None, {}, 400),
    ("GET", "/api/articles/no-such-article", None, {}, 404),
    ("POST", "/api/summarize", json.dumps({"text": "第一句。第二句提到资金。", "sentences": 1, "query": "资金"}).encode(),
     JSON, 200),
    ("POST", "/api/summarize", b'{"text": ""}', JSON, 400),
    ("POST", "/api/summarize", 1_100_000, JSON, 413),  # a length announced, no body sent (announce_only)
    ("POST", "/api/summarize", b"text", {"Content-Type": "text/plain"}, 415),
    ("POST", "/api/ingest", PROBE, {**JSON, **ADMIN}, 200),
    ("POST", "/api/ingest", UPLOAD, {**UPLOAD_TYPE, **ADMIN}, 200),
    ("POST", "/api/ingest", b'{"article": []}', {**JSON, **ADMIN}, 400),
    ("POST", "/api/ingest", PROBE, JSON, 401),
    ("POST", "/api/ingest", PROBE, {**JSON, "Authorization": "Bearer wrong"}, 403),
    ("POST", "/api/ingest", LIVE_MAX_UPLOAD_BYTES + 1, {**JSON, **ADMIN}, 413),
    ("POST", "/api/ingest", b"x", {"Content-Type": "text/plain", **ADMIN}, 415),
    ("DELETE", "/api/articles/openapi-probe", None, ADMIN, 200),
    ("DELETE", "/api/articles/openapi-upload", None, ADMIN, 200),
    ("DELETE", "/api/articles/openapi-probe", None, ADMIN, 404),
    ("DELETE", "/api/articles/%20a", None, ADMIN, 400),
    ("DELETE", "/api/articles/dated-09", None, {}, 401),
    ("DELETE", "/api/articles/dated-09", None, {"Authorization": "Bearer "}, 403),
    ("GET", "/api/search?q=%E5%8C%BB%E4%BF%9D&sort=newest", None, {}, 200),
    ("GET", "/api/search?q=%E5%8C%BB%E4%BF%9D&sort=latest", None, {}, 400),
    ("GET", "/api/export?q=%E5%8C%BB%E4%BF%9D&format=csv&sort=oldest&script=traditional&date_from=2017"
            "&section=%E5%9F%8E%E4%BA%8B&publication=%E8%81%8A%E5%9F%8E%E6%99%9A%E6%8A%A5", None, {}, 200),
    ("GET", "/api/export?q=%E5%8C%BB%E4%BF%9D&format=ris", None, {}, 200),
    ("GET", "/api/export?q=%E5%8C%BB%E4%BF%9D&format=xlsx", None, {}, 400),
    ("GET", "/api/dates?from=2018&to=2018-02", None, {}, 200),
    ("GET", "/api/search?q=%E6%89%B6%E8%B4%AB&facets=terms&script=traditional", None, {}, 200),
    ("GET", "/api/search?q=%E6%89%B6%E8%B4%AB&facets=people", None, {}, 400),
    ("GET", "/api/trends?q=%E6%89%B6%E8%B4%AB&q=%E5%8C%BB%E4%BF%9D&by=month&from=2017&to=2018-03"
            "&section=%E8%A6%81%E9%97%BB", None, {}, 200),
    ("GET", "/api/trends?q=%E6%89%B6%E8%B4%AB&by=week", None, {}, 400),
    ("GET", "/api/dates?from=2018-13", None, {}, 400),
    ("GET", "/api/pages?date=2018-02-28", None, {}, 200),
    ("GET", "/api/pages?date=2018-02", None, {}, 400),
    ("GET", "/api/pages/2018-02-28/b03?script=traditional", None, {}, 200),
    ("GET", "/api/pages/2018-02-28/B03?script=latin", None, {}, 400),
    ("GET", "/api/pages/2018-02-28/Z99", None, {}, 404),
    ("GET", "/api/stats", None, {}, 200),
    ("GET", "/api/openapi.json", None, {}, 200),
    ("GET", "/healthz", None, {}, 200),
]
# Without an index the service answers 503 wherever it needs one.
EMPTY_ARCHIVE_REQUESTS = [("GET", "/api/search?q=x", 503), ("GET", "/api/trends?q=x", 503), ("GET", "/api/export?q=x&format=csv", 503),
                          ("GET", "/api/stats", 503), ("GET", "/healthz", 503)]
# Against an archive whose names have been read (tests/fixtures/entities).
ENTITY_REQUESTS = [("GET", "/api/search?q=person:%E7%8E%8B%E5%BB%BA%E5%9B%BD&entities=person,place,org", 200),
                   ("GET", "/api/articles/e1-before-correction", 301),
                   ("GET", "/api/stats", 200),
                   ("GET", "/api/entities/person/%E6%9D%8E%E5%85%8B%E5%BC%BA?k=1&sort=oldest&script=traditional", 200),
                   ("GET", "/api/entities/thing/%E6%9D%8E", 400),
                   ("GET", "/api/entities/person/%E5%BC%A0%E6%97%A0%E5%BF%8C", 404)]


def fetch(server, method, path, body, headers):
    if isinstance(body, int):
        status, response_headers, content = announce_only(server, method, path, body, headers)
        return status, response_headers["Content-Type"], content
    request = urllib.request.Request(server.url + path, method=method, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture(scope="module")
def document(live_server):
    status, content_type, body = fetch(live_server, "GET", "/api/openapi.json", None, {})
    assert status == 200 and content_type.startswith("application/json")
    return json.loads(body)


def strict(schema):
    """The schema with every object that lists its properties closed to others."""
    schema = copy.deepcopy(schema)

    def close(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def template_of(path):
    """/api/articles/abc -> /api/articles/{}; /api/articles/<article_id> -> the same."""
    path = path.split("?", 1)[0]
    path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", path)
    path = re.sub(r"\{[^}]*\}", "{}", path)
    path = re.sub(r"^/api/pages/[^/{}]+/[^{}]+$", "/api/pages/{}/{}", path)
    path = re.sub(r"^/api/entities/[^/{}]+/[^{}]+$", "/api/entities/{}/{}", path)
    return re.sub(r"^/api/articles/[^/{}]+(/related)?$", r"/api/articles/{}\1", path)


def operation(document, method, path):
    for documented, item in document["paths"].items():
        if template_of(documented) == template_of(path) and method.lower() in item:
            return item[method.lower()]
    return None


def check(document, method, path, status, content_type, body, seen):
    op = operation(document, method, path)
    if op is None:  # a method the path does not have: the documented error shape still applies
        schema = {"$ref": "urn:jiansuo:openapi#/components/schemas/Error"}
    else:
        key = str(status) if str(status) in op["responses"] else "default"
        assert key in op["responses"], f"{method} {path} answered {status}, which is not documented"
        seen.add((template_of(path), method.lower(), key))
        content = op["responses"][key]["content"]
        if "application/json" not in content:  # a download (an export): one of its documented media types
            assert content_type.split(";")[0] in content, (method, path, content_type)
            return
        pointer = next(p for p, item in document["paths"].items() if template_of(p) == template_of(path))
        escaped = pointer.replace("~", "~0").replace("/", "~1")
        schema = {"$ref": f"urn:jiansuo:openapi#/paths/{escaped}/{method.lower()}/responses/{key}/content/"
                          "application~1json/schema"}
    assert content_type.startswith("application/json"), (method, path, content_type)
    registry = Registry().with_resource("urn:jiansuo:openapi",
                                        Resource.from_contents(strict(document), default_specification=DRAFT202012))
    errors = sorted(Draft202012Validator(schema, registry=registry).iter_errors(json.loads(body)), key=str)
    assert not errors, f"{method} {path} ({status}): " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])


def test_the_document_is_openapi_3_1_with_valid_schemas(document):
    assert document["openapi"] == "3.1.0" and document["info"]["version"]
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document))
    assert refs and set(refs) <= set(document["components"]["schemas"])
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_route_is_documented_and_every_documented_route_exists(document, live_archive, analyzer):
    engine = Engine(make_config(live_archive), analyzer=analyzer)
    app = create_app(engine=engine)
    routes = {(template_of(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") or rule.rule == "/healthz"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(template_of(path), method) for path, item in document["paths"].items() for method in item}
    engine.close()
    assert routes == documented


def test_documented_parameters_are_the_accepted_ones(document):
    def names(path, where):
        return {p["name"] for p in document["paths"][path]["get"]["parameters"] if p["in"] == where}

    assert names("/api/search", "query") == set(SEARCH_PARAMETERS)
    assert names("/api/articles/{id}", "query") == set(ARTICLE_PARAMETERS)
    assert names("/api/export", "query") == set(EXPORT_PARAMETERS)
    assert names("/api/dates", "query") == set(DATES_PARAMETERS)
    assert names("/api/trends", "query") == set(TRENDS_PARAMETERS)
    assert names("/api/pages", "query") == set(PAGES_PARAMETERS)
    assert names("/api/pages/{date}/{page}", "query") == set(PAGE_PARAMETERS)
    assert names("/api/entities/{kind}/{name}", "query") == set(ENTITY_PARAMETERS)
    body = document["components"]["schemas"]["SummarizeRequest"]["properties"]
    assert set(body) == set(SUMMARIZE_FIELDS)


def test_real_responses_match_the_document(document, live_server, tmp_path, analyzer):
    seen = set()
    for method, path, body, headers, expected in LIVE_REQUESTS:
        status, content_type, raw = fetch(live_server, method, path, body, headers)
        assert status == expected, (method, path, raw[:200])
        check(document, method, path, status, content_type, raw, seen)
    empty = Engine(make_config(tmp_path / "empty"), analyzer=analyzer)
    client = create_app(engine=empty).test_client()
    for method, path, expected in EMPTY_ARCHIVE_REQUESTS:
        response = client.open(path, method=method)
        assert response.status_code == expected, (path, response.data[:200])
        check(document, method, path, response.status_code, response.content_type, response.data, seen)
    named = Engine(make_config(tmp_path / "named"), analyzer=analyzer)
    named.ingest([PROJECT / "tests" / "fixtures" / "entities" / "articles.jsonl"])
    named.update_entities()
    with named.store.writing() as writer:  # as a corrected reading of a page leaves the ids it replaced
        writer.supersede({"e1-before-correction": "e1"})
    client = create_app(engine=named).test_client()
    for method, path, expected in ENTITY_REQUESTS:
        response = client.open(path, method=method)
        assert response.status_code == expected, (path, response.data[:200])
        check(document, method, path, response.status_code, response.content_type, response.data, seen)
    named.close()
    empty.close()
    documented = {(template_of(path), method, status) for path, item in document["paths"].items()
                  for method, op in item.items() for status in op["responses"] if status != "default"}
    assert documented - seen == set(), "documented answers no test request produced"
