"""Where a request ends in the bytes read so far."""

import pytest

from service.web.framing import MAX_HEAD_BYTES, scan


def limit(path):
    return 65536 if path == "/api/ingest" else 1024


HEAD = b"POST /api/summarize HTTP/1.1\r\nHost: x\r\n"


@pytest.mark.parametrize("data, state", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n", "head"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "complete"),
    (HEAD + b"Content-Length: 5\r\n\r\nabc", "body"),
    (HEAD + b"Content-Length: 5\r\n\r\nabcde", "complete"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "body"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\n", "body"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "complete"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n", "complete"),
    # Framing gunicorn refuses from the head alone is handed over at once.
    (HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "complete"),
    (HEAD + b"Transfer-Encoding: gzip\r\n\r\n", "complete"),
    (b"GET / HTTP/1.1\nHost: x\n", "complete"),
])
def test_a_request_is_complete_only_when_its_head_and_body_are_in(data, state):
    assert scan(data, limit).state == state


@pytest.mark.parametrize("data, status, words", [
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400, "bad chunk size"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n", 400, "bad chunk size"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n", 400, "does not end"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 5000, 400, "too long"),
    (HEAD + b"Content-Length: 2048\r\n\r\n", 413, "2048 bytes"),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n800\r\n", 413, "1024 bytes"),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_HEAD_BYTES + 1), 431, "longer than"),
])
def test_requests_that_cannot_be_framed_are_refused_naming_why(data, status, words):
    framing = scan(data, limit)
    assert (framing.state, framing.status) == ("refuse", status) and words in framing.message


def test_the_body_limit_is_the_paths_and_the_client_waiting_for_100_continue_is_seen():
    big = b"Content-Length: 2048\r\nExpect: 100-continue\r\n\r\n"
    assert scan(b"POST /api/ingest?x=1 HTTP/1.1\r\nHost: x\r\n" + big, limit).state == "body"
    framing = scan(b"POST /api/ingest HTTP/1.1\r\nHost: x\r\n" + big, limit)
    assert framing.expects_continue and framing.path == "/api/ingest"
