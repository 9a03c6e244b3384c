"""Bytes from disk to text: the encodings Chinese archives actually hold."""

from __future__ import annotations

import codecs

from ..errors import InputError

# GB18030 is a superset of GBK and GB2312, the encodings of older Chinese archives.
_FALLBACK_ENCODINGS = ("gb18030",)


def decode(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse binary files by name."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file (NUL bytes), not text", code="binary_file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        for encoding in _FALLBACK_ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"{name}: not valid UTF-8 or GB18030 text (byte {utf8_error.start}: "
                             f"{utf8_error.reason})", code="bad_encoding") from utf8_error
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CHECK_CHUNK = 1 << 20


def file_encoding(path, name: str) -> str:
    """The encoding to read a file on disk in, found as `decode` would, a megabyte at a time: UTF-8 (with or
    without BOM: "utf-8-sig") or GB18030; InputError naming the file when it is binary or neither."""
    with open(path, "rb") as f:
        if b"\x00" in f.read(8192):
            raise InputError(f"{name}: looks like a binary file (NUL bytes), not text", code="binary_file")
    utf8_error = _first_error(path, "utf-8-sig")
    if utf8_error is None:
        return "utf-8-sig"
    for encoding in _FALLBACK_ENCODINGS:
        if _first_error(path, encoding) is None:
            return encoding
    raise InputError(f"{name}: not valid UTF-8 or GB18030 text (byte {utf8_error[0]}: {utf8_error[1]})",
                     code="bad_encoding")


def _first_error(path, encoding: str) -> tuple[int, str] | None:
    """(byte offset, reason) of the first bytes of the file that are not `encoding`, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHECK_CHUNK)
            pending = len(decoder.getstate()[0])  # bytes of a character the last chunk cut in two
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start, exc.reason
            if not chunk:
                return None
            offset += len(chunk)
