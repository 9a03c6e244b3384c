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


def test_a_crlf_in_the_path_cannot_forge_a_log_line(live_server):
    import socket

    forged = "2026-01-01 00:00:00,000 jiansuo.access 10.9.9.9 GET /forged 200 1.0ms"
    path = "/healthz%0D%0A" + forged.replace(" ", "%20") + "%E2%80%A8x"
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("ascii"))
        while sock.recv(65536):
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = open(live_server.log.name, encoding="utf-8").read().splitlines()
        written = [line for line in lines if "10.9.9.9" in line]
        if written:
            break
        time.sleep(0.1)
    assert len(written) == 1
    assert "/healthz\\x0d\\x0a2026-01-01" in written[0] and "\\u2028x" in written[0]
    assert not any(line.startswith("2026-01-01 00:00:00,000") for line in lines)


def test_loggable_escapes_every_control_character_and_the_backslash():
    from service.web.access_log import loggable

    assert loggable("a\r\nb\x00\x1b[31m\x7f\x85\\ 中") == "a\\x0d\\x0ab\\x00\\x1b[31m\\x7f\\x85\\\\ 中"
