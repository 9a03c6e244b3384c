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
