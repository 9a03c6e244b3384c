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

Where the steps are: 1 and the driver that runs the others, here; 2 in ``header``; 3 in ``segments``,
which cuts at the bylines, credits and openers ``credits`` reads; 4 and 5 in ``titles``; 6 in ``layout``,
which also tells what a line may be (a headline, a paragraph's end) for the others; ``lines`` holds the
line itself, its blanks and widths. Imports run one way, each module using only those after it in
titles, segments, layout, credits, lines; ``header`` stands alone.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from .credits import _bulleted_name, _byline_line_names, _credit_at, _opener_at, _strip_opener
from .header import _EDITOR_KEYS, _HEADER_SEARCH_LINES, _LAYOUT_KEYS, _first_of, _parse_header, _read_header
from .layout import _ends_paragraph, _ends_sentence, _is_title_like, _paragraphs
from .lines import _clean_line, _collapse_blanks, _compact, _indented, _trim_blanks, _width
from .segments import _Segment, _segments, _visibly_opened
from .titles import _photo_title, _title_block, _title_text


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


# --- the page ---------------------------------------------------------------

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
            if block.title and block.kicker is None and _kicker_phrase(block.title):
                # A kicker stands alone on its line, a gap under it: not a run-in head before a paragraph's first
                # words, nor a headline right over its body's first line.
                first = next((i for i, x in enumerate(lines) if x is not None), len(lines))
                alone = (first + 1 < len(lines) and lines[first + 1] is None
                         and _compact(lines[first] or "") == _compact(block.title))
                found = _headline_between_gaps(body, alone)
                if found is not None:
                    end, start, headline = found
                    kicker, title = block.title, _title_text(body[:end])
                    subtitle = _title_text([x for x in body[end:start] if x is not None]) or None
                    body_lines, body = body, _trim_blanks(body[start:])
                    gap = "each set apart by a gap" if body_lines[start - 1] is None else "across a gap"
                    warnings = warnings + [f"kicker {kicker!r} over the headline {title!r}, {gap}: {headline} under "
                                           "the headline"]
            # A byline on a line of its own under the headline (`本报记者 唐航`) gives the authors.
            under = _byline_line_names(body[0]) if body else None
            if under is None and body and block.title:
                under = _bulleted_name(body[0])  # a commentary's `□ 徐瑞`
            if under is not None:
                body = _trim_blanks(body[1:])
                authors = authors or under
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
                              position=len(items) + 1, warnings=segment.evidence + tuple(warnings), kicker=kicker, subtitle=subtitle))
    return items, page_warnings


def _kicker_phrase(text: str) -> bool:
    # Phrases a space apart (`喜迎新春 共话发展`) make a kicker too; a title's letter-spacing was repaired already.
    return len(text) <= _KICKER_MAX and not any(mark in text for mark in _SENTENCE_MARKS)


def _headline_between_gaps(body: list[str | None], alone: bool = True) -> tuple[int, int, str] | None:
    """What shows the body's first lines a headline under a kicker (`记者走基层` / gap / `李鹏考察中央电视台时向…` / gap /
    `新华社北京…电`; `权威发布` / gap / `国家教委等四部委制定《农` / `村教育集资管理办法》` / `本报讯记者…报道：`): up to
    three lines ending no sentence (the last maybe a subtitle's `——…`), over text visibly opening, right under them
    or past a gap. Returns where the headline ends, where the body begins and what opens there; None otherwise."""
    subtitle = None
    for end in range(1, min(_HEADLINE_LINES_AT_MOST, len(body) - 1) + 1):
        line = body[end - 1]
        if line is None:
            return None
        text = _compact(line)
        if end > 1 and text[:1] in "—－" and len(text) > 2:
            subtitle = end - 1  # a subtitle under the headline (`——从一组数据看变化`)
        elif subtitle is not None:
            return None
        elif (not _is_title_like(line.rstrip(_HEADLINE_WRAP)) or _ends_sentence(text) or _visibly_opened(body, end - 1)
              or _credit_at(body, end - 1) is not None):
            return None
        headline = "".join(_compact(body[i]) for i in range(end))
        if len(headline) > _HEADLINE_UNDER_KICKER_AT_MOST or headline[0] in "—－(（【■●◆▲□":
            return None
        if body[end] is None:
            opened = _visibly_opened(body, end + 1) if end + 1 < len(body) and body[end + 1] is not None else None
            if opened is None and alone:
                opened = _plain_paragraph_under(body, subtitle or end, end + 1)
            return (subtitle or end, end + 1, opened) if opened else None
        opened = _visibly_opened(body, end)
        if opened and not text.endswith(_HEADLINE_WRAP):
            return subtitle or end, end, opened
    return None


def _plain_paragraph_under(body: list[str | None], end: int, start: int) -> str | None:
    """What shows a plain paragraph opening at ``start`` under a headline ending at ``end`` (`聚焦高质量发展` / gap /
    `少女扎琳娜` / gap / `扎琳娜是位可爱的乌兹别克少女，面色白` / …): every headline line falls far short of the column
    the text fills, that text's first line fills it too (a paragraph's start, no word carried over from the
    headline), and the text ends a sentence within its first lines. None otherwise."""
    text: list[str] = []
    for line in body[start:start + _PLAIN_PARAGRAPH_LINES]:
        if line is None:
            break
        text.append(line)
    if len(text) < _PLAIN_PARAGRAPH_LINES:
        return None
    column = sorted(_width(line) for line in text)[len(text) // 2]
    first = _compact(text[0])
    if (any(_width(line) > column * _HEADLINE_SHORT_OF_COLUMN for line in body[:end] if line is not None)
            or _width(text[0]) < column - 1.0
            or not any(mark in _compact(line) for line in text for mark in "。！？")):
        return None
    return f"a plain paragraph ({first[:12]!r}) filling a column of {column:g}, far wider than the headline,"


# A plain paragraph is known by its first lines; a headline over it is well short of its column.
_PLAIN_PARAGRAPH_LINES = 3
_HEADLINE_SHORT_OF_COLUMN = 0.7

# A headline broken after a dash or an enumeration comma goes on in the next line (`…的“金钥匙”——` / `故城县推行乡、`).
_HEADLINE_WRAP = "—－、"
_HEADLINE_LINES_AT_MOST = 3
_HEADLINE_UNDER_KICKER_AT_MOST = 40


# A kicker is a phrase, not a sentence: short, no sentence mark in it.
_KICKER_MAX = 12
_SENTENCE_MARKS = "。！？；!?;，,"


def _kickers_over_a_gap(items: list[PageItem]) -> list[PageItem]:
    """A lone short line over a headline, set apart by a gap (`记者走基层` / gap / `科普中的“打架”现象不容忽视`), was
    taken for a headline with no text under it: it is the kicker of the story below, which has none."""
    kept: list[PageItem] = []
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if (following is not None and item.kind == following.kind == "article" and not item.paragraphs
                and not item.authors and item.kicker is None and item.subtitle is None and following.kicker is None
                and following.title and _kicker_phrase(item.title)):
            evidence = (f"kicker {item.title!r} taken from the line over the headline across a gap: it heads no text "
                        "of its own, and the headline under it has no kicker")
            kept.append(dataclasses.replace(following, kicker=item.title, warnings=following.warnings + (evidence,)))
            index += 2
            continue
        kept.append(item)
        index += 1
    return [dataclasses.replace(item, position=position) for position, item in enumerate(kept, 1)]


def _split(text: str) -> Page:
    # Rule lines (``==========``) divide pages or decorate them; they are never text.
    lines: list[str | None] = [None if _RULE.match(line) else _clean_line(line) for line in text.splitlines()]
    header, staff = _read_header(lines)
    page_warnings = [] if header is not None else ["no page header found; page code, section and date are empty"]
    segments = _segments(_trim_blanks(_collapse_blanks(lines)))
    items, item_warnings = _items(segments)
    items = _kickers_over_a_gap(items)
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
