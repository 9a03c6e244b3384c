"""OCR'd newspaper page -> articles.

A page arrives as the plain text an OCR engine made of it: a header line, an
editor line, then the page's columns read top to bottom, broken mid-word at
every column edge, with blank lines wherever the engine saw a gap (between
paragraphs, and where one column ends and the next begins). A file may hold
several pages one after another. The splitter recovers each page's items in
order:

1. pages are told apart by form feeds, rule lines and page headers;
2. the header (``B03城事2018年2月28日 星期三``, ``A01 要闻 2019年3月1日 星期五``,
   ``第3版``) and the editor line (``编辑：李璇 组版：叶成虎``) are read and
   taken out of the text;
3. the rest is cut into segments, each closed by a byline ``(苏扬帆 周威)``
   (an article) or a photo credit ``记者 李军 摄影报道`` (a photo story);
   segments are cut again where an article opens with ``本报讯（记者 张三）``
   or where a headline stands between a finished paragraph and a new one;
4. a photo story's title is the short line that follows its credit, unless
   its caption opened with one;
5. an article's title block is the short lines it opens with: a kicker
   above the headline, the headline over one or two lines, a ``——`` subtitle;
6. body lines are joined without separators; paragraphs are found from the
   indentation pattern (a first line two characters short of the column, or
   kept indentation), not from every blank line, since a blank may be only a
   column break; OCR spacing is repaired.

What is guessed is recorded in ``warnings``; no input makes it raise.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field

import jieba

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class PageItem:
    kind: str  # "article" or "photo"
    title: str
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]
    position: int  # 1-based order on the page
    warnings: tuple[str, ...] = ()
    kicker: str | None = None  # the line set above the headline (引题)
    subtitle: str | None = None  # the line set below it (副题), e.g. "——记……"

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


class _Line(str):
    """A line's text, and whether the OCR kept a paragraph indent in front of it."""

    indented: bool = False


def _line(text: str, indented: bool = False) -> _Line:
    line = _Line(text)
    line.indented = indented
    return line


def _indented(line: str | None) -> bool:
    return bool(getattr(line, "indented", False))


# --- header and editor line -------------------------------------------------

# The header is looked for only this far down: further on, a dated line is prose.
_HEADER_SEARCH_LINES = 3
_CODE_AT_START = re.compile(r"^([A-Z]{1,2}\s?\d{1,3})(?:版)?(?![\d年./-])")
_CODE_AT_END = re.compile(r"(?:^|\s)([A-Z]{1,2}\d{1,3})版?$")
_ORDINAL_PAGE = re.compile(r"第\s*([A-Z]?[0-9一二三四五六七八九十〇零]{1,4})\s*版")
_DATE = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2})(?!\d))")
_WEEKDAY = re.compile(r"(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]")
_SECTION = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·・]{0,7}")
_SECTION_TRIM = " :：|｜·・-—/"

_STAFF_KEY = re.compile(
    r"(?:本版)?(美术编辑|美術編輯|责任编辑|責任編輯|责编|責編|美编|美編|编辑|編輯|组版|組版|排版|版式|校对|校對|审校|審校|"
    r"审读|審讀|制图|製圖|视觉|視覺)\s*[:：]\s*")
_EDITOR_KEYS = ("责任编辑", "責任編輯", "责编", "責編", "编辑", "編輯")
_LAYOUT_KEYS = ("组版", "組版", "排版", "版式", "美编", "美編", "美术编辑", "美術編輯")

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


# Newspapers set these in half an ideograph's width (the seed page's full lines agree within half a
# character when they are counted so, and within a whole one when they are not).
_COMPRESSED_PUNCT = frozenset("，。、；：？！“”‘’（）《》「」『』")


def _width(text: str) -> float:
    """Printed width in ideograph widths: a column holds about the same width on every line."""
    total = 0.0
    for ch in text:
        if ch.isspace():
            continue
        total += 0.5 if ch.isascii() or ch in _COMPRESSED_PUNCT else 1.0
    return total


# --- words broken across lines ------------------------------------------------

_dictionary: jieba.Tokenizer | None = None
_dictionary_lock = threading.Lock()


def _words(text: str) -> list[str]:
    """Dictionary words of ``text`` (jieba's precise mode, no guessing of unknown words), on a private
    tokenizer loaded on first use."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _dictionary = tokenizer
    return list(_dictionary.cut(text, HMM=False))


def _joins(upper: str | None, lower: str | None) -> bool:
    """Whether a line runs on into the next mid-word: a dictionary word (or a number) spans the break.

    A headline ends with a whole word and the body under it starts a new one; a line broken at the
    column edge often splits a word (``介`` / ``绍``). A word across the break is no proof of the
    opposite, so this only ever vetoes a headline.
    """
    if not upper or not lower:
        return False
    left, right = _compact(upper)[-4:], _compact(lower)[:4]
    if not left or not right:
        return False
    if left[-1].isdigit() and right[0].isdigit():
        return True
    if not (_is_han(left[-1]) and _is_han(right[0])):
        return False
    position = 0
    for word in _words(left + right):
        end = position + len(word)
        if position < len(left) < end:
            return True
        position = end
    return False


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
_PARAGRAPH_END = re.compile(r"[。！？!?…：:][\"'”’」』）)]*$")
_CLAUSE_PUNCT = re.compile(r"[，。；;]|,(?!\d)")
_TITLE_BAD_END = re.compile(r"[！？!?…：:、—-]$")
_CONTINUATION_START = re.compile(r"^[”’）)》」』、，。；：,.;:!?！？]")
_SUBTITLE_START = re.compile(r"^\s*(?:—{1,3}|－{1,3}|-{2,3}|─{1,3}|━{1,3})\s*\S")
_MAX_TITLE_WIDTH = 40

_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}(?:[·•・‧][\u4e00-\u9fff]{1,8})+")
_BYLINE = re.compile(r"^[(（]([^()（）]{2,60})[)）]$")
# Words that sit in parentheses at an article's end but are not names.
_NOT_NAMES = frozenset({"待续", "未完", "续完", "未完待续", "全文完", "本文完", "图片", "资料图", "资料图片", "供图",
                        "待續", "續完", "未完待續", "圖片", "資料圖", "資料圖片", "供圖"})
# Longest first: a role is stripped from the front of the token it starts.
_ROLES = ("本报特约记者", "本报见习记者", "本报实习记者", "特约通讯员", "本报记者", "特约记者", "见习记者",
          "实习记者", "摄影记者", "通讯员", "实习生", "记者", "本报",
          "本報特約記者", "本報見習記者", "本報實習記者", "特約通訊員", "本報記者", "特約記者", "見習記者",
          "實習記者", "攝影記者", "通訊員", "實習生", "記者", "本報")
_PHOTO_ROLES = frozenset({"摄影记者", "攝影記者"})
_PHOTO_WORDS = frozenset({"摄影报道", "摄影", "摄", "供图", "图", "图文", "文图",
                          "攝影報道", "攝影", "攝", "供圖", "圖", "圖文", "文圖"})
_FILLER_WORDS = frozenset({"文", "报道", "報道"})
_PHOTO_SUFFIXES = ("摄影报道", "摄影", "供图", "摄", "攝影報道", "攝影", "供圖", "攝")
_CREDIT_SPLIT = re.compile(r"[\s、，,/／:：|]+")
_MAX_CREDIT_LINES = 3
_BREAK = "\ue000"  # where a line ended, inside text joined for reading a credit (never in cleaned text)


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line.rstrip()))


def _ends_paragraph(line: str) -> bool:
    """A sentence end, or the colon a list or a quotation follows."""
    return bool(_PARAGRAPH_END.search(line.rstrip()))


def _is_subtitle(line: str | None) -> bool:
    return line is not None and bool(_SUBTITLE_START.match(line)) and not _CLAUSE_PUNCT.search(line[-1:])


def _is_title_like(line: str | None) -> bool:
    """Could this line be (part of) a headline: short, and no clause or sentence punctuation."""
    if line is None or _indented(line):
        return False
    text = _compact(line)
    if not text or _width(text) > _MAX_TITLE_WIDTH or not any(ch.isalpha() for ch in text):
        return False
    if _is_subtitle(line):
        return True
    if _CLAUSE_PUNCT.search(text) or _TITLE_BAD_END.search(text) or _CONTINUATION_START.match(text):
        return False
    return _byline_names(line) is None and _opener_lead(text) is None


def _opens_unclosed(line: str) -> bool:
    """A bracket or quotation mark opened and not closed: the line runs on into the next, as a body line
    does (``尤金袋鼠（"``); a headline line does not."""
    text = _compact(line)
    return any(text.count(a) > text.count(b) for a, b in ("（）", "()", "“”", "「」", "《》"))


def _has_phrase_space(line: str) -> bool:
    """Two phrases set apart by a space (``绿化家园 共建美丽城市``): how kickers are often set."""
    text = line.strip()
    return any(text[i] == " " and _han_run(text, i - 1, -1) >= 2 and _han_run(text, i + 1, 1) >= 2
               for i in range(1, len(text) - 1))


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


def _credit_tokens(text: str) -> list[str]:
    """Tokens of a credit that may run over several lines. A line break between two parts of two or
    more characters each stood where a space was; one leaving a single character broke a name in two."""
    tokens = []
    for token in _CREDIT_SPLIT.split(text):
        parts = token.split(_BREAK)
        merged = [parts[0]]
        for part in parts[1:]:
            if len(merged[-1]) >= 2 and len(part) >= 2:
                merged.append(part)
            else:
                merged[-1] += part
        tokens.extend(t for t in merged if t)
    return tokens


def _names_in(credit: str) -> tuple[str, ...] | None:
    """The names in ``记者 张三 李四``-like text (roles dropped), or None if anything else is in it."""
    names = []
    for token in _credit_tokens(credit):
        token, _, _ = _strip_role(token)
        if not token:
            continue
        if token in _NOT_NAMES or not _NAME.fullmatch(token):
            return None
        names.append(token)
    return tuple(names)


def _byline_names(line: str) -> tuple[str, ...] | None:
    """``(苏扬帆 周威)`` / ``（刘华伟）`` -> the names; None if the line is not a byline."""
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    names = _names_in(match.group(1))
    return names if names and 1 <= len(names) <= 4 else None


def _byline_at(lines: list[str | None], start: int) -> tuple[int, tuple[str, ...]] | None:
    """A byline starting at ``start``: (index of its last line, names). One that wraps onto a second
    line (``（记者 张三 李四`` / ``王五）``) is read as one."""
    line = lines[start]
    if line is None:
        return None
    names = _byline_names(line)
    if names is not None:
        return start, names
    text = line.strip()
    if not text or text[0] not in "(（" or any(ch in text for ch in ")）"):
        return None
    following = start + 1
    if following < len(lines) and lines[following] is None:
        following += 1
    if following >= len(lines) or lines[following] is None:
        return None
    rest = lines[following].strip()
    if not rest or rest[-1] not in ")）" or any(ch in rest[:-1] for ch in "()（）"):
        return None
    joined = text + _BREAK + rest
    names = _names_in(joined[1:-1])
    if names and 1 <= len(names) <= 4 and len(_compact(joined)) <= 40:
        return following, names
    return None


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


# --- openers: 本报讯（记者 张三 李四） -------------------------------------------

_OPENER = re.compile(r"^(?:(?:本报|本報)(?:讯|訊)|(?:本报|本報|新华社|新華社|中新社|中新網|中新网|人民网|人民網)"
                     r"[^\s（(，,。：:]{0,14}?(?:电|電|讯|訊))")


def _opener_lead(compact_text: str) -> re.Match | None:
    return _OPENER.match(compact_text)


@dataclass(frozen=True)
class _Opener:
    authors: tuple[str, ...]
    length: int  # characters it takes at the start of its paragraph, spaces not counted


def _opener_at(lines: list[str | None], start: int) -> _Opener | None:
    """An opener at the start of the paragraph beginning at ``start``, read across line and column breaks."""
    parts: list[str] = []
    index = start
    while index < len(lines) and len(parts) < 4:
        line = lines[index]
        index += 1
        if line is None:
            continue
        parts.append(line.strip())
        if any(ch in line for ch in ")）") or len(_compact("".join(parts))) > 48:
            break
    text = _BREAK.join(parts)
    plain = _compact(text.replace(_BREAK, ""))
    lead = _opener_lead(plain)
    if lead is None:
        return None
    rest = plain[lead.end():]
    if rest[:1] in ("(", "（"):
        close = min((rest.find(ch) for ch in ")）" if ch in rest), default=-1)
        if 0 < close <= 48:
            # The credit as printed, spaces and line breaks kept: they separate the names.
            position = _position_after(text, lead.end() + 1)
            end = _position_after(text, lead.end() + close)
            names = _names_in(text[position:end])
            if names is not None:
                return _Opener(authors=names, length=lead.end() + close + 1)
    return _Opener(authors=(), length=lead.end())


def _position_after(text: str, count: int) -> int:
    """Index in ``text`` just past its first ``count`` characters that are not spaces or line breaks."""
    seen = 0
    for index, ch in enumerate(text):
        if seen == count:
            return index
        if not ch.isspace() and ch != _BREAK:
            seen += 1
    return len(text)


def _strip_opener(paragraph: str, opener: _Opener) -> str:
    rest = paragraph[_position_after(paragraph, opener.length):]
    return rest.lstrip(" ：:，,")


# --- columns and paragraphs ----------------------------------------------------

# A paragraph's first line is set two characters in; OCR drops the spaces, leaving the line short.
_INDENT_SHORT = 1.5
_CLEARLY_SHORT = 3.0
# ... but not much shorter: a line far shorter than its column is a headline or a paragraph's end.
_INDENT_AT_MOST = 4.0
# A full line can fall short of the column when the next word or number did not fit.
_FOLLOWING_SHORT = 2.0


def _column_widths(lines: list[str | None]) -> list[float | None]:
    """For each line, the width of the column it was set in, from the full lines around it.

    A block's usable widths are those of its lines after the first (which may be a paragraph's indented
    start) and after any headline lines it opens with. A block with enough of them gives its own
    estimate (`_column_estimate`); a shorter one pools its widths with the blocks below it (a column
    often ends a paragraph or two later), then those above, until there are enough.
    """
    blocks = []
    index = 0
    while index < len(lines):
        if lines[index] is None:
            index += 1
            continue
        end = index
        while end < len(lines) and lines[end] is not None:
            end += 1
        blocks.append((index, end))
        index = end
    own: list[list[float]] = []
    lent: list[list[float]] = []
    for start, end in blocks:
        first = start
        while first < min(end - 1, start + 4) and _is_title_like(lines[first]):
            first += 1  # a headline set above the column is not the column
        own.append([_width(lines[i]) for i in range(first + 1, end)])
        # Lent to a neighbour, the first line counts too: short or not, it does not raise the estimate.
        lent.append([_width(lines[i]) for i in range(first, end)])
    result: list[float | None] = [None] * len(lines)
    for number, (start, end) in enumerate(blocks):
        widths = list(own[number])
        # The blocks below first: they are the same article's columns more often than those above.
        nearby = list(range(number + 1, len(blocks))) + list(range(number - 1, -1, -1))
        estimate = _column_estimate(widths)
        for other in nearby:
            if estimate is not None:
                break
            widths.extend(lent[other])
            estimate = _column_estimate(widths)
        for i in range(start, end):
            result[i] = estimate
    return result


def _column_estimate(widths: list[float]) -> float | None:
    """The column's width: the widest line but one (the widest may hang a punctuation mark past the
    edge), when at least three lines come near it."""
    ordered = sorted(widths)
    if len(ordered) < 3:
        return None
    estimate = ordered[-2] if len(ordered) >= 4 else ordered[-1]
    # Most lines of a column fill it; without three that do, there is no column to measure against.
    return estimate if sum(1 for width in ordered if width >= 0.8 * estimate) >= 3 else None


def _is_short(line: str, column: float | None, by: float = _INDENT_SHORT) -> bool:
    return column is not None and _width(line) <= column - by


def _strong_start(lines: list[str | None], index: int, columns: list[float | None], explicit: bool) -> bool:
    """Whether the line at ``index`` surely begins a paragraph: it kept its indent, or it is an indent
    short of its column, ends no sentence, and the line under it (if the column goes on) is full or
    ends the paragraph."""
    line = lines[index]
    if line is None:
        return False
    if explicit or _indented(line):
        return _indented(line)
    following = lines[index + 1] if index + 1 < len(lines) else None
    column = columns[index]
    # A line an indent short that ends no sentence is no paragraph's last line, and a line inside a
    # paragraph is full: so it is a first line, whether the column goes on under it or breaks there
    # (or the paragraph ends on the next line).
    return (index + 1 < len(lines) and _is_short(line, column) and not _is_short(line, column, _INDENT_AT_MOST)
            and (following is None or not _is_short(following, column, _FOLLOWING_SHORT)
                 or _ends_paragraph(following))
            and not _ends_sentence(line))


def _paragraph_starts(lines: list[str | None], columns: list[float | None], explicit: bool) -> set[int]:
    """Indices of the lines that begin paragraphs.

    With kept indentation, those lines. Otherwise a paragraph ends at a sentence end, and the next
    begins, when (across a blank) the next line is an indent short or the ending line clearly short;
    or (with no blank between) when both are short. A blank after a full line that happens to end a
    sentence is only a column break.
    """
    starts: set[int] = set()
    previous: int | None = None
    for index, line in enumerate(lines):
        if line is None:
            continue
        if previous is None:
            starts.add(index)
        elif explicit:
            if _indented(line):
                starts.add(index)
        elif _ends_paragraph(lines[previous]):
            gap = previous < index - 1
            column, previous_column = columns[index], columns[previous]
            alone = index + 1 >= len(lines) or lines[index + 1] is None
            if column is None or previous_column is None:
                if gap:
                    starts.add(index)
            elif gap:
                if (not alone and _is_short(line, column)) or _is_short(lines[previous], previous_column,
                                                                            _CLEARLY_SHORT):
                    starts.add(index)
                elif alone and (_is_short(lines[previous], previous_column)
                                or (_is_short(line, column) and not _is_short(line, column, _INDENT_AT_MOST)
                                    and not _ends_sentence(line))):
                    starts.add(index)
            elif (_is_short(lines[previous], previous_column) and _is_short(line, column)
                  and not alone and not _is_short(lines[index + 1], column)):
                starts.add(index)
        previous = index
    return starts


def _paragraphs(lines: list[str | None], explicit: bool) -> tuple[str, ...]:
    columns = _column_widths(lines)
    starts = _paragraph_starts(lines, columns, explicit)
    paragraphs: list[str] = []
    pending: list[str] = []
    for index, line in enumerate(lines):
        if line is None:
            continue
        if index in starts and pending:
            paragraphs.append(_repair_spacing(_join_lines(pending)))
            pending = []
        pending.append(line)
    if pending:
        paragraphs.append(_repair_spacing(_join_lines(pending)))
    return tuple(p for p in paragraphs if p)


# --- segments ---------------------------------------------------------------

@dataclass
class _Segment:
    kind: str  # "article" closed by a byline, "photo" closed by a credit, "open" closed by nothing
    lines: list[str | None]
    authors: tuple[str, ...] = ()
    followed: bool = False  # an "open" segment another article visibly follows (not the page's end)


def _clean_line(line: str) -> _Line | None:
    chars = []
    for ch in line:
        if ch.isspace():
            chars.append(" ")
        elif unicodedata.category(ch)[0] != "C":  # control, format, private-use, unassigned
            chars.append(ch)
    raw = "".join(chars)
    text = re.sub(r" {2,}", " ", raw).strip()
    if not text:
        return None
    lead = line[:len(line) - len(line.lstrip())]
    # Two spaces, or one ideographic space, in front of a line: the paragraph indent was kept.
    indented = "\u3000" in lead or len(lead.replace("\t", "    ")) >= 2
    return _line(text, indented)


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


def _closed_segments(lines: list[str | None]) -> list[_Segment]:
    segments = []
    start = index = 0
    while index < len(lines):
        line = lines[index]
        if line is None:
            index += 1
            continue
        byline = _byline_at(lines, index)
        if byline is not None:
            end, authors = byline
            segments.append(_Segment("article", _trim_blanks(lines[start:index]), authors))
            start = index = end + 1
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


def _title_block_above(lines: list[str | None], body: int, floor: int) -> int:
    """Where the title block of an article whose body starts at ``body`` begins: up over its headline
    lines (and a subtitle), a blank between them and the body, and a kicker set apart by a blank."""
    index = body - 1
    if index >= floor and lines[index] is None:
        index -= 1
    top = body
    taken = 0
    while index >= floor and taken < 4 and _is_title_like(lines[index]):
        top = index
        taken += 1
        index -= 1
    if taken and index - 1 >= floor and lines[index] is None and _is_title_like(lines[index - 1]) \
            and _has_phrase_space(lines[index - 1]) and (index - 2 < floor or lines[index - 2] is None):
        top = index - 1
    return top if taken else body


def _after_finished_text(lines: list[str | None], top: int, floor: int, after_photo: bool = False) -> bool:
    """Whether the text above ``top`` ended (a sentence end, then a gap) so an article may start there."""
    if top <= floor:
        return True
    if lines[top - 1] is not None:
        return False
    above = next((lines[i] for i in range(top - 1, floor - 1, -1) if lines[i] is not None), None)
    if above is None or _ends_paragraph(above):
        return True
    # After a photo story, a headline standing alone where the segment begins is that photo's title.
    before = _trim_blanks(lines[floor:top])
    return after_photo and floor == 0 and 0 < _standalone_title(before) == len(before)


def _article_starts(segment: _Segment, after_photo: bool = False) -> list[int]:
    """Indices inside a segment where another article begins: an opener (``本报讯（记者 …）``) with
    the headline above it, or a headline between finished text and a paragraph's indented start."""
    lines = segment.lines
    columns = _column_widths(lines)
    explicit = any(_indented(line) for line in lines)
    starts: list[int] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line is None or (starts and index <= starts[-1]):
            index += 1
            continue
        floor = starts[-1] + 1 if starts else 0
        previous = lines[index - 1] if index else None
        paragraph_start = previous is None or _ends_paragraph(previous) or _is_title_like(previous)
        if paragraph_start and _opener_at(lines, index) is not None:
            top = _title_block_above(lines, index, floor)
            if _after_finished_text(lines, top, floor, after_photo) and (top > floor or not starts and top == 0):
                starts.append(top)
                index += 1
                continue
        if (index > 0 and _is_title_like(line) and lines[index - 1] is None
                and _after_finished_text(lines, index, floor)
                and not _is_subtitle(line)):
            # The headline may run over a few lines; the body starts under the first of them that
            # is followed by a paragraph's indented start (or an opener, or a subtitle's end).
            end = index
            found = None
            while end < len(lines) and end - index < 4 and _is_title_like(lines[end]):
                end += 1
                if (end == index + 1 and end + 1 < len(lines) and lines[end] is None and _has_phrase_space(line)
                        and _is_title_like(lines[end + 1])):
                    end += 1  # a kicker set apart from its headline by a blank
                    continue
                body = end + 1 if end < len(lines) and lines[end] is None else end
                if body < len(lines) and not _joins(lines[end - 1], lines[body]) and (
                        _strong_start(lines, body, columns, explicit) or _opener_at(lines, body) is not None
                        or (_is_subtitle(lines[end - 1]) and not _is_title_like(lines[body]))):
                    found = body
                    break
            if found is None and _standalone_headline(lines, index, columns):
                found = _next_line(lines, index + _standalone_title(lines[index:]))
            if found is not None:
                starts.append(index)
                index = found + 1
                continue
        index += 1
    return starts


def _standalone_headline(lines: list[str | None], index: int, columns: list[float | None]) -> bool:
    """One or two headline lines standing alone between blanks, after finished text, and not an indent
    short of the columns around them (which a paragraph's first line, alone in its column, would be)."""
    taken = _standalone_title(lines[index:])
    if not taken or index + taken >= len(lines) or lines[index + taken] is not None:
        return False
    body = _next_line(lines, index + taken)
    if body >= len(lines) or _joins(lines[index + taken - 1], lines[body]):
        return False
    first = lines[index]
    around = [c for c in (columns[index - 2] if index >= 2 else None, columns[body]) if c is not None]
    return not any(_is_short(first, c) and not _is_short(first, c, _INDENT_AT_MOST) for c in around)


def _segments(lines: list[str | None]) -> list[_Segment]:
    """Segments closed by bylines and credits, cut again where another article visibly begins."""
    segments: list[_Segment] = []
    previous_kind = None
    for segment in _closed_segments(lines):
        starts = _article_starts(segment, after_photo=previous_kind == "photo")
        previous_kind = segment.kind
        cuts = [start for start in starts if start > 0]
        if not cuts and not (starts and segment.kind == "photo"):
            segments.append(segment)
            continue
        bounds = [0] + cuts + [len(segment.lines)]
        pieces = [_trim_blanks(segment.lines[a:b]) for a, b in zip(bounds, bounds[1:])]
        for piece in pieces[:-1]:
            if piece:
                segments.append(_Segment("open", piece, followed=True))
        last = pieces[-1]
        if segment.kind == "photo":
            # A photo's caption is one short paragraph; anything set before it belongs to the article above.
            caption_start = _caption_start(last)
            if caption_start > 0:
                segments.append(_Segment("open", _trim_blanks(last[:caption_start]), followed=True))
                last = last[caption_start:]
        segments.append(_Segment(segment.kind, last, segment.authors))
    return segments


def _caption_start(lines: list[str | None]) -> int:
    """Where the last paragraph (the caption) of lines closed by a photo credit begins: the last
    paragraph start, or the last line after a gap that follows a finished sentence, whichever is later
    (a caption set under an article with kept indents is set apart by a gap, not by an indent)."""
    columns = _column_widths(lines)
    starts = sorted(_paragraph_starts(lines, columns, any(_indented(line) for line in lines)))
    after_gaps = [i for i in range(1, len(lines)) if lines[i] is not None and lines[i - 1] is None
                  and _after_finished_text(lines, i, 0)]
    return max(starts[-1:] + after_gaps[-1:], default=0)


# --- titles -----------------------------------------------------------------

# A headline set across several columns is wider than the body column under it.
_SPANNING_TITLE = 1.15
# A column-set headline's second line, in its larger type, is well short of a body line;
# a body paragraph's first line is only its indent short.
_SHORT_SECOND_LINE = 0.8
_WIDTH_SAMPLE = 12


@dataclass
class _TitleBlock:
    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    body_start: int = 0
    warnings: list[str] = field(default_factory=list)


def _column_width(lines: list[str]) -> float | None:
    """Typical body line width; the upper quartile skips indented first and short last lines."""
    widths = sorted(_width(line) for line in lines)
    if len(widths) < 3:
        return None
    return widths[int(0.75 * (len(widths) - 1))]


def _headline_lines(lines: list[str | None]) -> tuple[list[int], int, list[str]]:
    """(indices of the headline lines a segment opens with, where the body starts, warnings)."""
    candidates: list[int] = []
    index = 0
    while index < len(lines) and len(candidates) < 5:
        line = lines[index]
        if line is None:
            # A gap ends the title block, except one setting a kicker apart from the headline.
            if (len(candidates) == 1 and _has_phrase_space(lines[candidates[0]]) and index + 1 < len(lines)
                    and _is_title_like(lines[index + 1])):
                index += 1
                continue
            break
        if not _is_title_like(line):
            break
        candidates.append(index)
        index += 1
    if not candidates:
        return [], 0, ["no title found; the text may run on from another page"]
    after = index + 1 if index < len(lines) and lines[index] is None else index
    columns = _column_widths(lines)
    explicit = any(_indented(line) for line in lines)
    if len(candidates) == 2 and candidates[1] > candidates[0] + 1:
        # A kicker set apart by a blank from a one-line headline: together they are the title block.
        return candidates, after, []
    # A subtitle closes the title block: whatever follows it is body.
    subtitles = [i for i in candidates if _is_subtitle(lines[i])]
    if subtitles:
        last = subtitles[-1]
        return [i for i in candidates if i <= last], _next_line(lines, last + 1), []
    # A paragraph surely beginning under the candidates makes them all headline; otherwise the first
    # candidate that surely begins one (or opens with 本报讯) ends the title block.
    if (after < len(lines) and len(candidates) <= 3 and not _joins(lines[candidates[-1]], lines[after])
            and (_opener_at(lines, after) is not None or _strong_start(lines, after, columns, explicit))):
        return candidates, after, []
    for position, line_index in enumerate(candidates[1:], start=1):
        if _joins(lines[candidates[position - 1]], lines[line_index]):
            continue  # a word runs across: this line goes on from the one above
        if (_strong_start(lines, line_index, columns, explicit) or _opener_at(lines, line_index) is not None
                or _opens_unclosed(lines[line_index])):
            return candidates[:position], line_index, []
    # Otherwise the headline is the first line, or the first two, told apart from the body by widths.
    first = lines[candidates[0]]
    if len(candidates) == 1:
        return candidates, _next_line(lines, candidates[0] + 1), []
    following = [line for line in lines[candidates[1] + 1:] if line is not None][:_WIDTH_SAMPLE]
    column = _column_width(following)
    second = lines[candidates[1]]
    guessed = ["title guessed from the first line; the second may belong to it"]
    if column is None or re.search(r"[、：:]", second):
        return candidates[:1], candidates[1], guessed if column is None else []
    if _width(first) > _SPANNING_TITLE * column:
        return candidates[:1], candidates[1], []
    if _width(_compact(second)) <= _SHORT_SECOND_LINE * column:
        return candidates[:2], _next_line(lines, candidates[1] + 1), []
    return candidates[:1], candidates[1], guessed


def _next_line(lines: list[str | None], index: int) -> int:
    while index < len(lines) and lines[index] is None:
        index += 1
    return index


def _title_block(lines: list[str | None]) -> _TitleBlock:
    indices, body_start, warnings = _headline_lines(lines)
    block = _TitleBlock(body_start=body_start, warnings=warnings)
    if not indices:
        return block
    subtitle_lines = [i for i in indices if _is_subtitle(lines[i])]
    heads = [i for i in indices if i not in subtitle_lines]
    if subtitle_lines:
        block.subtitle = _title_text([lines[i] for i in subtitle_lines])
    if len(heads) >= 2:
        gap_after_first = heads[1] > heads[0] + 1
        if _has_phrase_space(lines[heads[0]]) or gap_after_first:
            block.kicker = _title_text([lines[heads[0]]])
            heads = heads[1:]
        elif len(heads) >= 3:
            block.kicker = _title_text([lines[heads[0]]])
            heads = heads[1:]
            block.warnings.append("three headline lines: the first taken for a kicker")
    block.title = _title_text([lines[i] for i in heads])
    return block


def _standalone_title(lines: list[str | None]) -> int:
    """How many leading lines (0, 1 or 2) form a headline standing alone before a gap."""
    end = 0
    while end < len(lines) and lines[end] is not None:
        end += 1
    if end == 0 or end > 2 or not all(_is_title_like(line) for line in lines[:end]):
        return 0
    return end


def _title_text(lines: list[str | None]) -> str:
    return _repair_spacing(_join_lines([line for line in lines if line is not None]))


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
        steals_headline = ((following.kind == "article" and (not rest or not _is_title_like(rest[0])))
                           or (following.kind == "open" and bool(rest) and not _is_title_like(rest[0])))
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
        kicker = subtitle = None
        authors = segment.authors
        if segment.kind == "photo":
            title, caption, warnings = _photo_title(lines, following)
            paragraphs = _paragraphs(caption, any(_indented(line) for line in caption))
            kind = "photo"
        else:
            if not lines:
                if segment.authors:
                    page_warnings.append(f"byline ({' '.join(segment.authors)}) follows no text")
                continue
            block = _title_block(lines)
            title, kicker, subtitle, warnings = block.title, block.kicker, block.subtitle, block.warnings
            body = _trim_blanks(lines[block.body_start:])
            opener = _opener_at(body, 0) if body else None
            paragraphs = _paragraphs(body, any(_indented(line) for line in body))
            if opener is not None and paragraphs:
                first = _strip_opener(paragraphs[0], opener)
                paragraphs = ((first,) if first else ()) + paragraphs[1:]
                if opener.authors and not authors:
                    authors = opener.authors
            kind = "article"
            if segment.kind == "open" and opener is None:
                warnings.append("no byline; the article is taken to end where the next headline begins"
                                if segment.followed else "no byline; the text may run on to another page")
        if not paragraphs:
            warnings.append("no body text")
        items.append(PageItem(kind=kind, title=title, authors=authors, paragraphs=paragraphs,
                              position=len(items) + 1, warnings=tuple(warnings), kicker=kicker, subtitle=subtitle))
    return items, page_warnings


def _split(text: str) -> Page:
    # Rule lines (``==========``) divide pages or decorate them; they are never text.
    lines: list[str | None] = [None if _RULE.match(line) else _clean_line(line) for line in text.splitlines()]
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


# --- several pages in one file ---------------------------------------------------

_RULE = re.compile(r"^\s*[=＝\-－_＿*＊~～—─━·•]{4,}\s*$")


def _page_starts(text: str) -> list[int]:
    """Character offsets where pages begin: after a form feed or a rule line, and at a page header
    standing alone between blank lines once a page has begun."""
    starts = [0]
    offset = 0
    seen_text = 0  # non-blank lines in the current page
    previous_blank = True
    lines = text.splitlines(keepends=True)
    for number, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if "\f" in line:
            before, _, after = line.rpartition("\f")
            starts.append(offset + len(before) + 1)
            seen_text = 1 if after.strip() else 0
            previous_blank = not after.strip()
            offset += len(raw)
            continue
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            offset += len(raw)
            continue
        if _RULE.match(line):
            starts.append(offset + len(raw))
            seen_text = 0
            previous_blank = True
            offset += len(raw)
            continue
        following_blank = number + 1 >= len(lines) or not lines[number + 1].strip()
        if (seen_text >= _HEADER_SEARCH_LINES and previous_blank and following_blank
                and (header := _parse_header(stripped)) is not None and (header.date or header.code)):
            starts.append(offset)
            seen_text = 0
        seen_text += 1
        previous_blank = False
        offset += len(raw)
    return sorted(set(starts))


def split_pages(text: str) -> list[tuple[str, Page]]:
    """Each page a file holds, as (its text, the page split), in order; always at least one."""
    try:
        starts = _page_starts(text)
    except Exception:  # noqa: BLE001 - as in split_page: a file that trips a bug is read as one page
        starts = [0]
    chunks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    chunks = [chunk.strip("\f") for chunk in chunks]
    chunks = [chunk for chunk in chunks if chunk.strip() and not _RULE.match(chunk.strip())]
    if len(chunks) <= 1:
        return [(text, split_page(text))]
    return [(chunk, split_page(chunk)) for chunk in chunks]


def looks_like_page(text: str) -> bool:
    """Whether a `.txt` file is an OCR'd page rather than an article typed one paragraph a line.

    A page has a page header, or lines broken at a newspaper column's width, most of them mid-sentence;
    an article file has a title line and then whole paragraphs, one a line: lines wider than any
    column (about 30 characters), or lines that end their sentences.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return True
    if any(_parse_header(line) is not None for line in lines[:_HEADER_SEARCH_LINES]):
        return True
    body = lines[1:]
    if not body:
        return True
    wide = sum(1 for line in body if _width(line) > 30)
    ended = sum(1 for line in body if _ends_paragraph(line))
    return wide < 0.5 * len(body) and ended < 0.6 * len(body)
