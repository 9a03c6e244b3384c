import time
import urllib.request


def test_one_line_per_request_with_status_and_time(live_server):
    with urllib.request.urlopen(live_server.url + "/healthz?probe=access-log") as response:
        assert response.status == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in open(live_server.log.name, encoding="utf-8") if "probe=access-log" in line]
        if lines:
            break
        time.sleep(0.1)
    assert len(lines) == 1
    assert "jiansuo.access 127.0.0.1 GET /healthz?probe=access-log 200 " in lines[0] and lines[0].rstrip().endswith("ms")
