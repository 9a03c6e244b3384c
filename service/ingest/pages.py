"""OCR'd newspaper page -> articles.

A page arrives as the plain text an OCR engine made of it: a header line, an
editor line, then the page's columns read top to bottom, broken mid-word at
every column edge, with blank lines wherever the engine saw a gap. The
splitter recovers the page's items in order:

1. the header (``B03城事2018年2月28日 星期三``) and the editor line
   (``编辑：李璇 组版：叶成虎``) are read and taken out of the text;
2. the rest is cut into segments, each closed by a byline ``(苏扬帆 周威)``
   (an article) or a photo credit ``记者 李军 摄影报道`` (a photo story);
3. a photo story's title is the short line that follows its credit, unless
   its caption opened with one;
4. an article's title is the short line, or two, it opens with;
5. body lines are joined without separators, a blank line is a paragraph
   break only after a sentence end, and OCR spacing is repaired.

What is guessed is recorded in ``warnings``; no input makes it raise.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageItem:
    kind: str  # "article" or "photo"
    title: str
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]
    position: int  # 1-based order on the page
    warnings: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Page:
    code: str | None  # e.g. "B03"
    section: str | None  # e.g. "城事"
    date: str | None  # ISO "2018-02-28"
    editor: str | None
    layout: str | None  # 组版
    items: tuple[PageItem, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = ()


# --- header and editor line -------------------------------------------------

# The header is looked for only this far down: further on, a dated line is prose.
_HEADER_SEARCH_LINES = 3
_CODE = re.compile(r"^([A-Z]{1,2}\s?\d{1,3})(?![\d年./-])")
_ORDINAL_PAGE = re.compile(r"第\s*([0-9一二三四五六七八九十〇零]{1,4})\s*版")
_DATE = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2})(?!\d))")
_WEEKDAY = re.compile(r"(?:星期|礼拜|周)[一二三四五六日天]")
_SECTION = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·・]{0,7}")
_SECTION_TRIM = " :：|｜·・-—/"

_STAFF_KEY = re.compile(
    r"(?:本版)?(美术编辑|责任编辑|责编|美编|编辑|组版|排版|版式|校对|审校|审读|制图|视觉)\s*[:：]\s*")
_EDITOR_KEYS = ("责任编辑", "责编", "编辑")
_LAYOUT_KEYS = ("组版", "排版", "版式", "美编", "美术编辑")

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
    if match := _CODE.match(rest):
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
    if not keys or keys[0].start() != 0:
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


# --- character classes and widths ------------------------------------------

def _is_han(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
            or "\U00020000" <= ch <= "\U0002ffff" or "\u3040" <= ch <= "\u30ff")


def _is_word_letter(ch: str) -> bool:
    """A letter of a script that separates words with spaces (Latin, Cyrillic, Hangul...)."""
    return ch.isalpha() and not _is_han(ch)


def _width(text: str) -> float:
    """Printed width in ideograph widths: a column holds about the same width on every line."""
    total = 0.0
    for ch in text:
        if ch.isspace():
            continue
        total += 0.5 if ch.isascii() else 1.0
    return total


# --- spacing repair ---------------------------------------------------------

_SPACED_DECIMAL = re.compile(r"(\d)(?: +[.．] *| *[.．] +)(\d)")
_ASCII_PUNCT_NEAR_WORDS = set(",.;:!?)]}'\"%&([{-/")


def _han_run(text: str, start: int, step: int) -> int:
    count = 0
    i = start
    while 0 <= i < len(text) and _is_han(text[i]):
        count += 1
        i += step
    return count


def _keep_space(text: str, i: int) -> bool:
    left, right = text[i - 1], text[i + 1]
    if _is_word_letter(left) or _is_word_letter(right):
        # Between words of a spaced script, or a word and its number or punctuation.
        return all(_is_word_letter(ch) or ch.isdigit() or ch in _ASCII_PUNCT_NEAR_WORDS for ch in (left, right))
    if _is_han(left) and _is_han(right):
        # Letter-spaced OCR leaves single characters between spaces; a space between two
        # phrases of two or more characters each was printed ("绘传统年画 扬文化精粹").
        return _han_run(text, i - 1, -1) >= 2 and _han_run(text, i + 1, 1) >= 2
    return False


def _repair_spacing(text: str) -> str:
    text = _SPACED_DECIMAL.sub(r"\1.\2", text.strip())
    out = []
    for i, ch in enumerate(text):
        if ch != " ":
            out.append(ch)
        elif 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] != " " and _keep_space(text, i):
            out.append(" ")
    return "".join(out)


def _join_lines(lines: list[str]) -> str:
    """Lines of one column run, joined as the words they were broken from."""
    joined = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if joined and _is_word_letter(joined[-1]) and _is_word_letter(line[0]):
            joined += " "
        joined += line
    return joined


# --- line kinds -------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？!?…][\"'”’」』）)]*$")
_CLAUSE_PUNCT = re.compile(r"[，。；;]|,(?!\d)")
_TITLE_BAD_END = re.compile(r"[！？!?…：:、—-]$")
_CONTINUATION_START = re.compile(r"^[”’）)》」』、，。；：,.;:!?！？]")
_MAX_TITLE_WIDTH = 40

_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}(?:[·•・‧][\u4e00-\u9fff]{1,8})+")
_BYLINE = re.compile(r"^[(（]([^()（）]{2,60})[)）]$")
# Words that sit in parentheses at an article's end but are not names.
_NOT_NAMES = frozenset({"待续", "未完", "续完", "未完待续", "全文完", "本文完", "图片", "资料图", "资料图片", "供图"})
# Longest first: a role is stripped from the front of the token it starts.
_ROLES = ("本报特约记者", "本报见习记者", "本报实习记者", "特约通讯员", "本报记者", "特约记者", "见习记者",
          "实习记者", "摄影记者", "通讯员", "实习生", "记者", "本报")
_PHOTO_ROLES = frozenset({"摄影记者"})
_PHOTO_WORDS = frozenset({"摄影报道", "摄影", "摄", "供图", "图", "图文", "文图"})
_FILLER_WORDS = frozenset({"文", "报道"})
_PHOTO_SUFFIXES = ("摄影报道", "摄影", "供图", "摄")
_CREDIT_SPLIT = re.compile(r"[\s、，,/／:：|]+")
_MAX_CREDIT_LINES = 3


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line.rstrip()))


def _is_title_like(line: str) -> bool:
    """Could this line be (part of) a headline: short, and no clause or sentence punctuation."""
    text = _compact(line)
    if not text or _width(text) > _MAX_TITLE_WIDTH or not any(ch.isalpha() for ch in text):
        return False
    if _CLAUSE_PUNCT.search(text) or _TITLE_BAD_END.search(text) or _CONTINUATION_START.match(text):
        return False
    return _byline_names(line) is None


def _strip_role(token: str) -> tuple[str, bool, bool]:
    """(token without its leading role words, had a role, the role marks a photographer)."""
    had_role = is_photo = False
    stripped = True
    while stripped:
        stripped = False
        for role in _ROLES:
            if token.startswith(role):
                token = token[len(role):]
                had_role = True
                is_photo = is_photo or role in _PHOTO_ROLES
                stripped = True
                break
    return token, had_role, is_photo


def _byline_names(line: str) -> tuple[str, ...] | None:
    """``(苏扬帆 周威)`` / ``（刘华伟）`` -> the names; None if the line is not a byline."""
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    names = []
    for token in _CREDIT_SPLIT.split(match.group(1)):
        token, _, _ = _strip_role(token)
        if not token:
            continue
        if token in _NOT_NAMES or not _NAME.fullmatch(token):
            return None
        names.append(token)
    return tuple(names) if 1 <= len(names) <= 4 else None


@dataclass
class _CreditLine:
    names: list[str] = field(default_factory=list)
    has_role: bool = False
    photo_mark: bool = False  # "摄影报道", "摄", "图" standing as a word, or a photographer's role
    glued_mark: bool = False  # "李军摄": trusted only after a role word


def _parse_credit_line(line: str) -> _CreditLine | None:
    """``记者 李军 通讯员 陈勇`` / ``相茂弟 摄影报道``: roles, names and photo marks only, or None."""
    result = _CreditLine()
    for token in _CREDIT_SPLIT.split(unicodedata.normalize("NFKC", line).strip()):
        if not token:
            continue
        if token in _PHOTO_WORDS:
            result.photo_mark = True
            continue
        if token in _FILLER_WORDS:
            continue
        token, had_role, is_photo = _strip_role(token)
        result.has_role = result.has_role or had_role
        result.photo_mark = result.photo_mark or is_photo
        for suffix in _PHOTO_SUFFIXES:
            if token.endswith(suffix) and len(token) > len(suffix) + 1:
                token = token[:-len(suffix)]
                result.glued_mark = True
                break
        if not token:
            continue
        if not _NAME.fullmatch(token):
            return None
        result.names.append(token)
    return result if result.names or result.photo_mark else None


def _credit_at(lines: list[str | None], start: int) -> tuple[int, tuple[str, ...]] | None:
    """A photo credit starting at ``start``: (index of its last line, names), or None.

    A credit may wrap, but then its first line opens with a role word and the
    wrapped part ends with the photo mark (``记者 李军 通讯员 陈勇`` / ``相茂弟 摄影报道``).
    """
    names: list[str] = []
    has_role = False
    for index in range(start, min(start + _MAX_CREDIT_LINES, len(lines))):
        line = lines[index]
        parsed = _parse_credit_line(line) if line is not None else None
        if parsed is None:
            return None
        names.extend(parsed.names)
        has_role = has_role or parsed.has_role
        # "张三摄" alone could end a sentence about filming; a role word before it settles it.
        if parsed.photo_mark or (parsed.glued_mark and has_role):
            return (index, tuple(names)) if names else None
        if not has_role:
            return None
    return None


# --- segments ---------------------------------------------------------------

@dataclass
class _Segment:
    kind: str  # "article" closed by a byline, "photo" closed by a credit, "open" closed by nothing
    lines: list[str | None]
    authors: tuple[str, ...] = ()


def _clean_line(line: str) -> str:
    chars = []
    for ch in line:
        if ch.isspace():
            chars.append(" ")
        elif unicodedata.category(ch)[0] != "C":  # control, format, private-use, unassigned
            chars.append(ch)
    return re.sub(r" {2,}", " ", "".join(chars)).strip()


def _trim_blanks(lines: list[str | None]) -> list[str | None]:
    start, end = 0, len(lines)
    while start < end and lines[start] is None:
        start += 1
    while end > start and lines[end - 1] is None:
        end -= 1
    return lines[start:end]


def _collapse_blanks(lines: list[str | None]) -> list[str | None]:
    """One blank stands for any run of them: only whether there was a gap matters."""
    return [line for i, line in enumerate(lines) if line is not None or i == 0 or lines[i - 1] is not None]


def _segments(lines: list[str | None]) -> list[_Segment]:
    segments = []
    start = index = 0
    while index < len(lines):
        line = lines[index]
        if line is None:
            index += 1
            continue
        authors = _byline_names(line)
        if authors is not None:
            segments.append(_Segment("article", _trim_blanks(lines[start:index]), authors))
            start = index = index + 1
            continue
        credit = _credit_at(lines, index)
        if credit is not None:
            end, names = credit
            segments.append(_Segment("photo", _trim_blanks(lines[start:index]), names))
            start = index = end + 1
            continue
        index += 1
    tail = _trim_blanks(lines[start:])
    if tail:
        segments.append(_Segment("open", tail))
    return segments


# --- titles -----------------------------------------------------------------

# A headline set across several columns is wider than the body column under it.
_SPANNING_TITLE = 1.15
# A column-set headline's second line, in its larger type, is well short of a body line;
# a body paragraph's first line is only its indent short.
_SHORT_SECOND_LINE = 0.8
_WIDTH_SAMPLE = 12


def _column_width(lines: list[str]) -> float | None:
    """Typical body line width; the upper quartile skips indented first and short last lines."""
    widths = sorted(_width(line) for line in lines)
    if len(widths) < 3:
        return None
    return widths[int(0.75 * (len(widths) - 1))]


def _block_end(lines: list[str | None], start: int) -> int:
    end = start
    while end < len(lines) and lines[end] is not None:
        end += 1
    return end


def _article_title(lines: list[str | None]) -> tuple[list[str], int, list[str]]:
    """(title lines, index where the body starts, warnings) for a segment's lines."""
    if not lines or lines[0] is None or not _is_title_like(lines[0]):
        return [], 0, ["no title found; the text may run on from another page"]
    first = lines[0]
    second = lines[1] if len(lines) > 1 else None
    if second is None or not _is_title_like(second) or re.search(r"[、：:]", second):
        return [first], 1, []
    following = [line for line in lines[2:] if line is not None][:_WIDTH_SAMPLE]
    column = _column_width(following)
    if column is None:
        return [first], 1, ["title guessed from the first line; the second may belong to it"]
    if _width(first) > _SPANNING_TITLE * column:
        return [first], 1, []
    if _width(_compact(second)) <= _SHORT_SECOND_LINE * column:
        return [first, second], 2, []
    return [first], 1, ["title guessed from the first line; the second may belong to it"]


def _standalone_title(lines: list[str | None]) -> int:
    """How many leading lines (0, 1 or 2) form a headline standing alone before a gap."""
    end = _block_end(lines, 0)
    if end == 0 or end > 2 or not all(_is_title_like(line) for line in lines[:end]):
        return 0
    return end


def _title_text(lines: list[str | None]) -> str:
    return _repair_spacing(_join_lines([line for line in lines if line is not None]))


# --- bodies -----------------------------------------------------------------

def _paragraphs(lines: list[str | None]) -> tuple[str, ...]:
    """Blank lines split paragraphs only where the text before them ends a sentence;
    elsewhere they are column breaks inside a sentence, even inside a word."""
    paragraphs = []
    pending: list[str] = []
    for index, line in enumerate(lines):
        if line is None:
            continue
        pending.append(line)
        next_is_gap = index + 1 < len(lines) and lines[index + 1] is None
        if next_is_gap and _ends_sentence(line):
            paragraphs.append(_repair_spacing(_join_lines(pending)))
            pending = []
    if pending:
        paragraphs.append(_repair_spacing(_join_lines(pending)))
    return tuple(p for p in paragraphs if p)


# --- the page ---------------------------------------------------------------

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


def _photo_title(caption: list[str | None], following: _Segment | None) -> tuple[str, list[str | None], list[str]]:
    """(title, caption lines, warnings). The layout this was written for puts the title
    after the credit; a caption that opens with a headline standing alone keeps it instead."""
    lead = _standalone_title(caption)
    if lead and lead < len(caption):
        return (_title_text(caption[:lead]), _trim_blanks(caption[lead:]),
                ["photo title taken from the line before the caption"])
    if following is not None:
        taken = _standalone_title(following.lines)
        rest = _trim_blanks(following.lines[taken:])
        # Taking the next article's only headline would leave it untitled: it is not ours.
        steals_headline = following.kind == "article" and (not rest or not _is_title_like(rest[0]))
        if taken and not steals_headline:
            title = _title_text(following.lines[:taken])
            following.lines = rest
            return title, caption, []
    return "", caption, ["photo title not found"]


def _items(segments: list[_Segment]) -> tuple[list[PageItem], list[str]]:
    items: list[PageItem] = []
    page_warnings: list[str] = []
    for index, segment in enumerate(segments):
        following = segments[index + 1] if index + 1 < len(segments) else None
        lines = segment.lines
        warnings: list[str] = []
        if segment.kind == "photo":
            title, caption, warnings = _photo_title(lines, following)
            paragraphs = _paragraphs(caption)
            kind = "photo"
        else:
            if not lines:
                if segment.authors:
                    page_warnings.append(f"byline ({' '.join(segment.authors)}) follows no text")
                continue
            title_lines, body_start, warnings = _article_title(lines)
            title = _title_text(title_lines)
            paragraphs = _paragraphs(_trim_blanks(lines[body_start:]))
            kind = "article"
            if segment.kind == "open":
                warnings.append("no byline; the text may run on to another page")
        if not paragraphs:
            warnings.append("no body text")
        items.append(PageItem(kind=kind, title=title, authors=segment.authors, paragraphs=paragraphs,
                              position=len(items) + 1, warnings=tuple(warnings)))
    return items, page_warnings


def _split(text: str) -> Page:
    lines: list[str | None] = [_clean_line(line) or None for line in text.splitlines()]
    header, staff = _read_header(lines)
    page_warnings = [] if header is not None else ["no page header found; page code, section and date are empty"]
    segments = _segments(_trim_blanks(_collapse_blanks(lines)))
    items, item_warnings = _items(segments)
    page_warnings.extend(item_warnings)
    if not items:
        page_warnings.append("no articles found")
    return Page(code=header.code if header else None, section=header.section if header else None,
                date=header.date if header else None, editor=_first_of(staff, _EDITOR_KEYS),
                layout=_first_of(staff, _LAYOUT_KEYS), items=tuple(items), warnings=tuple(page_warnings))


def split_page(text: str) -> Page:
    """Split one OCR'd page into its header fields and its items, in page order."""
    try:
        return _split(text)
    except Exception as exc:  # noqa: BLE001 - a page that trips a bug must not stop an ingest run
        return Page(None, None, None, None, None,
                    warnings=(f"internal error while splitting the page: {type(exc).__name__}: {exc}",))
