"""`GET /metrics` of a real server with two workers: Prometheus's text format, counts of the whole server."""

import re
import time
import urllib.request


def scrape(server) -> dict[str, float]:
    with urllib.request.urlopen(server.url + "/metrics", timeout=60) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode("utf-8")
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.fullmatch(r"# (HELP|TYPE) [a-z_]+ .+", line), line
            continue
        series, value = line.rsplit(" ", 1)
        samples[series] = float(value)
    return samples


def test_metrics_count_every_workers_answers_by_endpoint_and_status(live_server):
    before = scrape(live_server)
    key = 'jiansuo_http_requests_total{endpoint="api.healthz",status="200"}'
    for _ in range(20):  # spread over both workers
        with urllib.request.urlopen(live_server.url + "/healthz", timeout=60):
            pass
    # An answer is counted once it has been sent, so the last one may be counted just after its client read it.
    deadline = time.monotonic() + 30
    after = scrape(live_server)
    while after.get(key, 0) - before.get(key, 0) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
        after = scrape(live_server)
    assert after[key] - before.get(key, 0) >= 20
    buckets = [v for s, v in after.items() if s.startswith('jiansuo_http_request_duration_seconds_bucket{endpoint="api.healthz"')]
    assert len(buckets) == 12 and buckets == sorted(buckets)
    assert buckets[-1] == after['jiansuo_http_request_duration_seconds_count{endpoint="api.healthz"}']
    assert after["jiansuo_articles"] > 0 and after["jiansuo_index_current"] in (0, 1)
    assert after["jiansuo_index_lag"] == 0
    assert any(s.startswith("jiansuo_index_generation_info{generation=\"gen-") for s in after)


