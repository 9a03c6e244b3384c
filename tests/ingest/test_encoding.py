import codecs

import pytest

from service.errors import InputError
from service.ingest.encoding import decode

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
