import codecs

import pytest

from service.errors import InputError
from service.ingest import encoding
from service.ingest.encoding import decode, file_encoding

TEXT = "冠县斜店乡保障贫困户参加医保不落一人\n（刘洪斌）"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("gbk"),
    TEXT.encode("gb18030"),
    TEXT.replace("\n", "\r\n").encode("utf-8"),
])
def test_common_encodings_and_line_ends_decode_to_the_same_text(data):
    assert decode(data, "page.txt") == TEXT


def test_binary_file_is_refused_by_name():
    with pytest.raises(InputError, match="page.bin: looks like a binary file") as info:
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "page.bin")
    assert info.value.code == "binary_file"


def test_undecodable_text_is_refused_by_name():
    with pytest.raises(InputError, match="bad.txt: not valid UTF-8 or GB18030") as info:
        decode(b"\x81\x20\x81\x20", "bad.txt")
    assert info.value.code == "bad_encoding"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("gbk"),
    TEXT.replace("\n", "\r\n").encode("utf-8"),
])
def test_a_file_on_disk_is_read_in_the_encoding_decode_finds(tmp_path, data):
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    with open(path, encoding=file_encoding(path, "a.jsonl"), newline=None) as f:
        assert f.read() == decode(data, "a.jsonl")


def test_a_file_checked_a_chunk_at_a_time_names_the_first_bad_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(encoding, "_CHECK_CHUNK", 4)  # a character cut in two by a chunk's end
    path = tmp_path / "bad.jsonl"
    path.write_bytes("冠县斜".encode("utf-8") + b"\x81\x20\x81\x20")
    with pytest.raises(InputError, match="bad.jsonl: not valid UTF-8 or GB18030 text \\(byte 9: ") as info:
        file_encoding(path, "bad.jsonl")
    assert info.value.code == "bad_encoding"
    path.write_bytes(b"{}\x00")
    with pytest.raises(InputError, match="binary"):
        file_encoding(path, "bad.jsonl")
