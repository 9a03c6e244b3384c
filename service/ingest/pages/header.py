"""Step 2: the page header (``B03城事2018年2月28日 星期三``, ``A01 要闻 2019年3月1日 星期五``, ``第3版``)
and the editor line (``编辑：李璇 组版：叶成虎``), read and taken out of the page's text."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

# The header is looked for only this far down: further on, a dated line is prose.
_HEADER_SEARCH_LINES = 3
_CODE_AT_START = re.compile(r"^([A-Z]{1,2}\s?\d{1,3})(?:版)?(?![\d年./-])")
_CODE_AT_END = re.compile(r"(?:^|\s)([A-Z]{1,2}\d{1,3})版?$")
_ORDINAL_PAGE = re.compile(r"第\s*([A-Z]?[0-9一二三四五六七八九十〇零]{1,4})\s*版")
_DATE = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2})(?!\d))")
_WEEKDAY = re.compile(r"(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]")
_SECTION = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·・]{0,7}")
_SECTION_TRIM = " :：|｜·・-—/"

_STAFF_KEYS = (r"(?:本版)?(美术编辑|美術編輯|责任编辑|責任編輯|责编|責編|美编|美編|编辑|編輯|组版|組版|排版|版式设计|版式設計|版式|校对|校對|"
               r"审校|審校|审读|審讀|制图|製圖|视觉|視覺)")
_STAFF_KEY = re.compile(_STAFF_KEYS + r"\s*[:：/／]\s*")  # `编辑：X`, and `编辑/X 美编/Y` as some papers print it
# Some pages print the line without colons (`编辑 姜鑫红  组版 尹刚建`): then two keys at least, each before a
# space and a name.
_STAFF_KEY_SPACED = re.compile(_STAFF_KEYS + r"\s+(?=[\u4e00-\u9fff·]{2,5}(?:\s|$))")
# A key no body line opens with, standing alone before a name (`责任编辑 张三`): a staff line of one field.
_STAFF_KEY_ALONE = re.compile(r"(?:本版)?(责任编辑|責任編輯|责编|責編)\s+([\u4e00-\u9fff·]{2,5})")
_EDITOR_KEYS = ("责任编辑", "責任編輯", "责编", "責編", "编辑", "編輯")
_LAYOUT_KEYS = ("组版", "組版", "排版", "版式", "版式设计", "版式設計", "美编", "美編", "美术编辑", "美術編輯")

_CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class _Header:
    code: str | None
    section: str | None
    date: str | None


def _chinese_number(text: str) -> str:
    """'十二' -> '12'; digits pass through. Only the small numbers page ordinals use."""
    if text.isdigit():
        return str(int(text))
    if not all(ch in _CHINESE_DIGITS or ch == "十" for ch in text):
        return text
    if "十" not in text:
        return "".join(str(_CHINESE_DIGITS.get(ch, ch)) for ch in text)
    tens, _, units = text.partition("十")
    value = (_CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CHINESE_DIGITS.get(units, 0) if units else 0)
    return str(value)


def _iso_date(match: re.Match) -> str | None:
    year = int(match.group(1))
    month = int(match.group(2) or match.group(4))
    day = int(match.group(3) or match.group(5))
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _parse_header(line: str) -> _Header | None:
    """The page header's fields, or None when the line is not a page header."""
    rest = unicodedata.normalize("NFKC", line).strip()
    code = None
    spaced_code = False
    if match := _CODE_AT_START.match(rest):
        code = match.group(1).replace(" ", "")
        rest = rest[match.end():]
        spaced_code = not rest or rest[0] == " "
    elif (match := _ORDINAL_PAGE.search(rest)) and (match.start() == 0 or match.end() == len(rest)):
        code = _chinese_number(match.group(1))
        rest = rest[:match.start()] + " " + rest[match.end():]
        spaced_code = True
    date = None
    if match := _DATE.search(rest):
        date = _iso_date(match)
        rest = rest[:match.start()] + " " + rest[match.end():]
    rest, weekdays = _WEEKDAY.subn(" ", rest)
    if code is None and date is not None:
        # A date-first header: "2019年3月1日 星期五 A05 经济" or "... 第5版 经济".
        rest = rest.strip()
        if match := (_CODE_AT_START.match(rest) or _CODE_AT_END.search(rest)):
            code = match.group(1).replace(" ", "")
            rest = rest[:match.start()] + " " + rest[match.end():]
        elif match := _ORDINAL_PAGE.search(rest):
            code = _chinese_number(match.group(1))
            rest = rest[:match.start()] + " " + rest[match.end():]
    # A code glued to text with no date ("G20峰会开幕") is a headline, not a header.
    if date is None and not spaced_code:
        return None
    section = re.sub(r"\s+", "", rest.strip(_SECTION_TRIM))
    if section and not _SECTION.fullmatch(section):
        return None
    # Without a page code or weekday, "2019年3月1日两会开幕" is a dated headline.
    if section and code is None and not weekdays:
        return None
    return _Header(code, section or None, date)


def _parse_staff(line: str) -> dict[str, str] | None:
    """``编辑：李璇 组版：叶成虎`` -> {"编辑": "李璇", "组版": "叶成虎"}; None if the line is anything else."""
    text = unicodedata.normalize("NFKC", line).strip()
    keys = list(_STAFF_KEY.finditer(text))
    if not keys:
        keys = list(_STAFF_KEY_SPACED.finditer(text))
        if len(keys) < 2:
            alone = _STAFF_KEY_ALONE.fullmatch(text)
            return {alone.group(1): alone.group(2)} if alone else None
    if keys[0].start() != 0:
        return None
    fields: dict[str, str] = {}
    for key, following in zip(keys, keys[1:] + [None]):
        value = text[key.end():following.start() if following else len(text)].strip()
        if not value or len(value) > 16 or re.search(r"[，。；;,]", value):
            return None
        fields.setdefault(key.group(1), value)
    return fields


def _first_of(fields: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((fields[key] for key in keys if key in fields), None)


def _read_header(lines: list[str | None]) -> tuple[_Header | None, dict[str, str]]:
    """Header and staff fields; the lines they came from are blanked in ``lines``."""
    header = None
    staff: dict[str, str] = {}
    filled = [i for i, line in enumerate(lines) if line is not None]
    for index in filled[:_HEADER_SEARCH_LINES]:
        header = _parse_header(lines[index])
        if header is not None:
            lines[index] = None
            break
    for index in filled:
        if lines[index] is None:
            continue
        fields = _parse_staff(lines[index])
        if fields is not None:
            staff = fields
            lines[index] = None
            break
    return header, staff
