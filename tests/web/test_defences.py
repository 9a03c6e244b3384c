"""What one client may take: wrong admin tokens throttled per address, rate limits per address."""

import pytest

from service.engine import Engine
from service.web import create_app

from helpers import ADMIN_TOKEN, make_config


@pytest.fixture
def app_with(tmp_path, analyzer, seed_engine):
    engines = []

    def make(**settings):
        config = make_config(seed_engine.config.data_dir, server_admin_token=ADMIN_TOKEN, **settings)
        engine = Engine(config, analyzer=analyzer)
        engines.append(engine)
        return create_app(engine=engine).test_client()

    yield make
    for engine in engines:
        engine.close()


def delete(client, token, address):
    return client.delete("/api/articles/no-such-article", headers={"Authorization": f"Bearer {token}"},
                         environ_base={"REMOTE_ADDR": address})


def test_wrong_admin_tokens_are_throttled_per_address(app_with):
    client = app_with(server_admin_failures_per_minute=5)
    statuses = [delete(client, "wrong-token-0123456789", "192.0.2.1").status_code for _ in range(8)]
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429] * 3
    throttled = delete(client, ADMIN_TOKEN, "192.0.2.1")  # while throttled, even the right token waits
    assert throttled.status_code == 429
    assert throttled.get_json()["error"]["code"] == "too_many_token_attempts"
    assert "server.admin_failures_per_minute" in throttled.get_json()["error"]["message"]
    assert int(throttled.headers["Retry-After"]) >= 1
    # Another address is not held back by them.
    assert delete(client, ADMIN_TOKEN, "192.0.2.2").get_json()["error"]["code"] == "article_not_found"


def test_a_right_token_is_never_counted_against_its_address(app_with):
    client = app_with(server_admin_failures_per_minute=1)
    for _ in range(5):
        assert delete(client, ADMIN_TOKEN, "192.0.2.3").status_code == 404


def search(client, address):
    return client.get("/api/search?q=%E5%8C%BB%E4%BF%9D", environ_base={"REMOTE_ADDR": address})


def test_rate_limits_hold_each_address_to_its_allowance_and_spare_health_checks(app_with):
    client = app_with(server_rate_limit_per_second=0.001, server_rate_limit_burst=3.0, server_rate_limit_cost_ms=600000)
    assert [search(client, "198.51.100.1").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    refused = search(client, "198.51.100.1")
    assert refused.get_json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
    assert "server.rate_limit_per_second" in refused.get_json()["error"]["message"]
    assert search(client, "198.51.100.2").status_code == 200
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 200


@pytest.mark.parametrize("address", ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_are_not_rate_limited_unless_asked(app_with, address):
    client = app_with(server_rate_limit_per_second=0.001, server_rate_limit_burst=1.0)
    assert {search(client, address).status_code for _ in range(4)} == {200}
    limited = app_with(server_rate_limit_per_second=0.001, server_rate_limit_burst=1.0,
                       server_rate_limit_loopback=True)
    assert [search(limited, address).status_code for _ in range(2)] == [200, 429]


def test_no_rate_limit_when_it_is_off(app_with):
    client = app_with(server_rate_limit_per_second=0.0)
    assert {search(client, "198.51.100.9").status_code for _ in range(50)} == {200}


def test_a_text_longer_than_the_summarize_limit_is_413_naming_the_setting(app_with):
    client = app_with(server_max_summarize_chars=100)
    answer = client.post("/api/summarize", json={"text": "天气很好。" * 30})
    assert answer.status_code == 413
    error = answer.get_json()["error"]
    assert error["code"] == "text_too_long" and "server.max_summarize_chars" in error["message"]
    assert client.post("/api/summarize", json={"text": "天气很好。" * 10}).status_code == 200


def test_a_search_past_its_budget_is_503_over_budget(app_with):
    client = app_with(server_request_budget_ms=1)
    statuses = set()
    for _ in range(30):
        answer = client.post("/api/summarize", json={"text": "今天天气很好，我们去公园散步。" * 5000})
        statuses.add(answer.status_code)
        if answer.status_code == 503:
            assert answer.get_json()["error"]["code"] == "over_budget" and answer.headers["Retry-After"] == "1"
            break
    assert 503 in statuses


def test_expensive_requests_use_an_allowance_up_sooner(app_with):
    client = app_with(server_rate_limit_per_second=0.001, server_rate_limit_burst=3.0, server_rate_limit_cost_ms=1)
    long_text = {"text": "今天天气很好，我们去公园散步。" * 2000}
    statuses = [client.post("/api/summarize", json=long_text, environ_base={"REMOTE_ADDR": "198.51.100.3"}).status_code
                for _ in range(2)]
    assert statuses == [200, 429]
