"""Where an HTTP/1.x request ends in the bytes read so far: enough of a parser to know when a whole request is
in, so a request thread is given only requests it can answer without waiting on the client.

It reads only the framing (the end of the head, Content-Length, chunked Transfer-Encoding); gunicorn's parser
still parses and checks everything once the request is complete. What this cannot frame (two lengths, an
unknown coding) is handed over as soon as the head is in, for gunicorn to refuse without reading further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEAD_BYTES = 64 * 1024
MAX_CHUNK_LINE = 4096  # a chunk-size line with its extensions
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_BARE_LF = re.compile(rb"(?<!\r)\n")


@dataclass(frozen=True)
class Framing:
    """`state`: "head" (the head is not all in), "body" (the body is not all in), "complete", or "refuse"
    with `status` and `message`. `head_end` is where the body starts, once known; `expects_continue` when the
    client waits for `100 Continue` before it sends the body."""

    state: str
    head_end: int = -1
    path: str = ""
    expects_continue: bool = False
    status: int = 0
    message: str = ""


def _refuse(status: int, message: str, head_end: int = -1) -> Framing:
    return Framing("refuse", head_end, status=status, message=message)


def scan(buffer: bytes | bytearray, body_limit) -> Framing:
    """How far `buffer` holds a request. `body_limit(path)` is the largest body allowed for that path."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        if _BARE_LF.search(buffer):
            return Framing("complete")  # gunicorn refuses a line ended by a bare LF at once
        if len(buffer) > MAX_HEAD_BYTES:
            return _refuse(431, f"the request's line and headers are longer than {MAX_HEAD_BYTES} bytes")
        return Framing("head")
    head_end += 4
    lines = bytes(buffer[:head_end - 4]).split(b"\r\n")
    request_line = lines[0].split(b" ")
    path = request_line[1].split(b"?", 1)[0].decode("latin-1") if len(request_line) == 3 else ""
    lengths, codings, expects_continue = [], [], False
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if not colon:
            continue
        if name == b"content-length":
            lengths.append(value)
        elif name == b"transfer-encoding":
            codings += [c.strip().lower() for c in value.split(b",") if c.strip()]
        elif name == b"expect" and value.lower() == b"100-continue":
            expects_continue = True
    ready = Framing("complete", head_end, path)
    if codings:
        if lengths or codings[-1] != b"chunked":
            return ready  # gunicorn refuses it from the head alone
        return _chunked(buffer, head_end, path, body_limit(path), expects_continue)
    if not lengths:
        return ready
    if len(set(lengths)) > 1 or not lengths[0].isdigit():
        return ready  # as above
    length = int(lengths[0])
    if length > body_limit(path):
        return _refuse(413, f"the request body of {length} bytes is larger than the limit of "
                            f"{body_limit(path)} bytes", head_end)
    if len(buffer) - head_end < length:
        return Framing("body", head_end, path, expects_continue)
    return ready


def _chunked(buffer, head_end: int, path: str, limit: int, expects_continue: bool) -> Framing:
    position, size = head_end, 0
    waiting = Framing("body", head_end, path, expects_continue)
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            if len(buffer) - position > MAX_CHUNK_LINE:
                return _refuse(400, "a chunk-size line of the chunked request body is too long", head_end)
            return waiting
        size_text = bytes(buffer[position:line_end]).split(b";", 1)[0]
        if not _HEX.fullmatch(size_text):
            return _refuse(400, f"the chunked request body has a bad chunk size {size_text[:20]!r}: "
                                "it must be hexadecimal digits", head_end)
        chunk = int(size_text, 16)
        position = line_end + 2
        if chunk == 0:
            break
        size += chunk
        if size > limit:
            return _refuse(413, f"the request body is larger than the limit of {limit} bytes", head_end)
        if len(buffer) < position + chunk + 2:
            return waiting
        if buffer[position + chunk:position + chunk + 2] != b"\r\n":
            return _refuse(400, "a chunk of the chunked request body does not end where its size says",
                           head_end)
        position += chunk + 2
    # Trailer fields, then an empty line.
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            if len(buffer) - position > MAX_HEAD_BYTES:
                return _refuse(431, "the chunked request body's trailer is too long", head_end)
            return waiting
        if line_end == position:
            return Framing("complete", head_end, path)
        position = line_end + 2
