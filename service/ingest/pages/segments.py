"""Step 3: the page's text cut into segments, and again where another article visibly begins.

A segment is closed by a byline (an article), a photo credit (a photo story) or nothing (an article that
runs on to another page, or one taken to end where the next headline begins). A segment is cut again
where an article opens with ``本报讯（记者 张三）`` or where a headline stands between a finished paragraph
and a new one; before a photo's credit, only the last paragraph is its caption.
"""

from __future__ import annotations

import re
from collections import Counter
from math import sqrt
from dataclasses import dataclass

from .credits import (_byline_at, _byline_line_names, _credit_at, _opener_at, _rejoined_byline_line, _run_on_byline_at,
                      _run_on_credit_at)
from .layout import (_FOLLOWING_SHORT, _INDENT_AT_MOST, _SENTENCE_MARK, _word_frequency, _addresses_its_hearers,
                     _bulleted, _column_widths,
                     _ends_paragraph, _ends_sentence, _inside_a_story, _is_column_head, _is_short, _is_subtitle,
                     _is_title_like, _joins, _kicker_like, _labelled_headline, _leaves_clause_open, _links_back,
                     _long_headline, _opens_by_its_words, _opens_news_lede, _opens_own_text, _opens_paragraph, _opens_unclosed,
                     _paragraph_starts,
                     _standalone_title)
from .lines import _BULLETS, _collapse_blanks, _compact, _indented, _line, _next_line, _trim_blanks, _width


@dataclass
class _Segment:
    kind: str  # "article" closed by a byline, "photo" closed by a credit, "open" closed by nothing
    lines: list[str | None]
    authors: tuple[str, ...] = ()
    followed: bool = False  # an "open" segment another article visibly follows (not the page's end)
    evidence: tuple[str, ...] = ()  # what decided where it begins, when that was weaker than a byline or a gap


# A jump line: the article goes on on another page (`（下转第2版）`, `(转A4版)`), on its own line or run on after
# the last words set here. Where it stands the article's part on this page ends; it is no text of the article.
_JUMP_ON = re.compile(r"\s*[（(]\s*(?:下\s*)?(?:转|轉|续|續)\s*(?:第\s*)?[A-Za-z]?\s*[0-9０-９一二三四五六七八九十]{1,3}"
                      r"\s*版\s*[）)]\s*$")
# Where an article's continuation begins (`（上接第1版）`): a note to the reader, no text of the article.
_JUMP_FROM = re.compile(r"^\s*[（(]\s*(?:上\s*)?(?:接|承)\s*(?:第\s*)?[A-Za-z]?\s*[0-9０-９一二三四五六七八九十]{1,3}"
                        r"\s*版\s*[）)]\s*")


def _closed_segments(lines: list[str | None]) -> list[_Segment]:
    segments = []
    start = index = 0
    note: tuple[str, ...] = ()  # why the next segment begins where it does, when no gap shows it
    while index < len(lines):
        line = lines[index]
        if line is None:
            index += 1
            continue
        jump = _JUMP_ON.search(line)
        if jump is not None:
            last = line[:jump.start()].rstrip()
            kept = [_line(last, _indented(line))] if last else []
            segments.append(_Segment("article", _trim_blanks(lines[start:index]) + kept, evidence=note))
            note = ()
            start = index = index + 1
            continue
        byline = _byline_at(lines, index)
        if byline is not None:
            end, authors = byline
            segments.append(_Segment("article", _trim_blanks(lines[start:index]), authors, evidence=note))
            note = ()
            start = index = end + 1
            continue
        # A byline or a photo credit run on after the last sentence, on the same line.
        kind, run_on = "article", _run_on_byline_at(lines, index)
        if run_on is None:
            kind, run_on = "photo", _run_on_credit_at(lines, index)
        if run_on is not None:
            end, text, names = run_on
            last = _line(text, _indented(line))
            segments.append(_Segment(kind, _trim_blanks(lines[start:index]) + [last], names, evidence=note))
            following = lines[end + 1] if end + 1 < len(lines) else None
            note = ()
            if kind == "article" and following is not None and following.strip()[:1] not in _BULLETS + "【":
                note = (f"taken to begin a new article at {_compact(following)!r} with no gap above it: the story "
                        f"above ends on its reporter's byline ({'、'.join(names)})",)
            start = index = end + 1
            continue
        credit = _credit_at(lines, index)
        if credit is not None:
            end, names = credit
            segments.append(_Segment("photo", _trim_blanks(lines[start:index]), names, evidence=note))
            note = ()
            start = index = end + 1
            continue
        index += 1
    tail = _trim_blanks(lines[start:])
    if tail:
        segments.append(_Segment("open", tail, evidence=note))
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
            and _kicker_like(lines[index - 1]) and (index - 2 < floor or lines[index - 2] is None):
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


def _article_starts(segment: _Segment, after_photo: bool = False, evidence: dict[int, str] | None = None) -> list[int]:
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
            # (Not the opener under the headline just taken, across a gap.)
            text_above = any(lines[i] is not None for i in range(floor, top))
            # A headline over the opener, set apart by a gap, starts a story whatever the text above ended on (a
            # text may end on a bracket, a figure, a name: `…人口2.4万人（2007年）`), since an opener under a headline
            # opens a story; not where a word runs across the gap into it (a headline the OCR saw broken).
            last = next((lines[i] for i in range(top - 1, floor - 1, -1) if lines[i] is not None), None)
            headed = floor < top < index and lines[top - 1] is None and not _joins(last, lines[top])
            finished = _after_finished_text(lines, top, floor, after_photo)
            if (headed or finished) and (text_above and top < index or not starts and top == 0):
                starts.append(top)
                if not finished and last is not None and evidence is not None:
                    evidence[top] = (f"taken to begin a new article at {_text_of(lines[top:index])!r}: an opener "
                                     f"stands under it, though the text above ends on {_compact(last)[-8:]!r}, "
                                     "no sentence end")
                index += 1
                continue
        if paragraph_start and _byline_line_names(line) is not None:
            # A byline line under a headline set apart by a gap opens a story as an opener does, whatever the text
            # above ended on (a bracket, a semicolon: `…也有外国人；` / gap / `应江泽民主席邀请叶利钦总` / `统抵京…` /
            # gap / `本报记者 慕容墨`); not where a word runs across the gap into the headline.
            top = _title_block_above(lines, index, floor)
            last = next((lines[i] for i in range(top - 1, floor - 1, -1) if lines[i] is not None), None)
            if (floor < top < index and lines[top - 1] is None and last is not None and not _joins(last, lines[top])
                    and not _after_finished_text(lines, top, floor, after_photo)):
                starts.append(top)
                if evidence is not None:
                    evidence[top] = (f"taken to begin a new article at {_text_of(lines[top:index])!r}: a byline line "
                                     f"stands under it, though the text above ends on {_compact(last)[-8:]!r}, "
                                     "no sentence end")
                index += 1
                continue
        if (index > floor and _bulleted(line) and (previous is None or _ends_paragraph(previous))
                and _text_under_bulleted(lines, index)):
            # A bullet marks a briefs item's headline, gap or none above it.
            starts.append(index)
            index += 1
            continue
        # A headline may stand right under the story above with no gap, where that story's last line ends a sentence;
        # the body under it must then open visibly (`…顺致最崇高的敬意。` / `国际社会深切哀悼邓小平逝世` / `本报讯（…）`).
        gapless = index > floor and previous is not None and _ends_sentence(previous) and not _closes_unopened(line)
        if (index > 0 and _is_title_like(line) and not _is_subtitle(line)
                and (lines[index - 1] is None and not _under_a_headline(lines, starts, index)
                     and _after_finished_text(lines, index, floor) or gapless)
                and not _runs_into_a_spread_line(lines, index, columns) and not _links_back(line)):
            # A line that reads as inside a story (a quotation, a list point) heads a new one only where a byline
            # or an opener under it says so (`“一件事一次办”` / `企业开办最快半天办结` / `本报记者 谢伟`).
            inside = _inside_a_story(line)
            # The headline may run over a few lines; the body starts under the first of them that
            # is followed by a paragraph's indented start (or an opener, or a subtitle's end).
            end = index
            found = None
            while end < len(lines) and end - index < 4 and _is_title_like(lines[end]):
                end += 1
                if (end == index + 1 and end + 1 < len(lines) and lines[end] is None and _is_title_like(lines[end + 1])
                        and (_kicker_like(line) or _joins(line, lines[end + 1]))):
                    end += 1  # a kicker set apart from its headline by a blank, or a gap inside a broken word
                    continue
                body = end + 1 if end < len(lines) and lines[end] is None else end
                if body >= len(lines) or _joins(lines[end - 1], lines[body]) or _leaves_clause_open(lines[end - 1]):
                    continue
                if inside:
                    if _opener_at(lines, body) is not None or _byline_line_names(lines[body]) is not None:
                        found = body
                        break
                elif gapless:
                    opened = _visibly_opened(lines, body)
                    if opened is not None:
                        found = body
                        if evidence is not None:
                            evidence[index] = (f"taken to begin a new article at {_text_of(lines[index:body])!r} with "
                                               f"no gap above it: the text above ends a sentence and {opened} under it")
                        break
                    last = _compact(lines[end - 1])
                    if (_short_unfinished_over_full(lines, end - 1, body, columns) and last[-1:] not in _CLAUSE_GOES_ON
                            and not _LIST_GOES_ON.search(last)):
                        # (`美方出席今天午宴的有` / `前国务卿…`: a clause left open goes on into the line under it.)
                        found = body
                        if evidence is not None:
                            evidence[index] = (f"taken to begin a new article at {_text_of(lines[index:body])!r} with "
                                               "no gap above it: the text above ends a sentence, and its last line "
                                               "falls short of the column and ends no sentence over a full line")
                        break
                elif (_opens_paragraph(lines, body, columns, explicit) or _opener_at(lines, body) is not None
                        or _byline_line_names(lines[body]) is not None
                        or (_subtitle_closes(lines, index, end) and not _is_title_like(lines[body]))):
                    found = body
                    break
                elif _short_unfinished_over_full(lines, end - 1, body, columns):
                    found = body
                    if evidence is not None:
                        evidence[index] = (f"taken to begin a new article at {_text_of(lines[index:body])!r}: its last "
                                           f"line falls short of the column and ends no sentence over a full line, "
                                           f"{_compact(lines[body])!r}")
                    break
            if found is None and not inside and not gapless and _standalone_headline(lines, index, columns):
                found = _next_line(lines, index + _standalone_title(lines[index:]))
            if found is not None:
                starts.append(index)
                index = found + 1
                continue
        if (index > 0 and lines[index - 1] is None and not _is_title_like(line) and not _links_back(line)
                and _after_finished_text(lines, index, floor) and not _runs_into_a_spread_line(lines, index, columns)):
            # A long headline with clause commas, between gaps, over a paragraph's start.
            taken = _long_headline(lines, index)
            body = _next_line(lines, index + taken) if taken else len(lines)
            if (body < len(lines) and not _joins(lines[index + taken - 1], lines[body])
                    and (_opens_paragraph(lines, body, columns, explicit) or _byline_line_names(lines[body]) is not None)):
                starts.append(index)
                index = body + 1
                continue
        if index > floor and _labelled_headline(line) and _after_a_sentence(lines, index):
            starts.append(index)
            index += 1
            continue
        if (index > floor and _is_title_like(line) and not _is_subtitle(line) and not _inside_a_story(line)
                and not _links_back(line)):
            body = _echoed_headline(lines, index, columns)
            if body is not None:
                starts.append(index)
                if evidence is not None:
                    headline = _text_of(lines[index:body])
                    shared = "、".join(pair for pair in _topic_bigrams([headline])
                                      if pair in _text_of(lines[body:body + _ECHO_SPAN]))
                    evidence[index] = (f"taken to begin a new article at {headline!r} with no opener or byline "
                                       f"under it: it follows a finished sentence and the lines under it take up its "
                                       f"words ({shared})")
                index = body + 1
                continue
        index += 1
    return starts


# A story's first lines take up its headline's words (`南环路施工期间部分公交改线` / `因南环路雨污分流改造施工`); a
# paragraph's first line does not repeat itself in the lines under it.
_ECHO_MIN = 2
_ECHO_SPAN = 3  # lines of the body read for the echo
_ECHO_HEADLINE_LINES = 2
# A clause left open at a line's end (`美方出席今天午宴的有`): a sentence running on, never a headline's end.
_CLAUSE_GOES_ON = frozenset("的和与及在把被对从将向是有而并或但则")
_SPREAD_MIN = 3
# A list broken just after one of its commas (`…少数尖子学生、只`) goes on into the next line.
_LIST_GOES_ON = re.compile(r"、.{0,2}$")
# A line inside a paragraph fills its column to within a character (a word or number that did not fit).
_FULL_LINE_SLACK = 1.0


def _echo(headline: str, body: str) -> int:
    """Topic bigrams of a headline found again in the text under it."""
    return sum(1 for pair in _topic_bigrams([headline]) if pair in body)


def _set_apart_from_column(headline: list[str | None], column: float | None) -> bool:
    """Whether no headline line is as wide as the column of the body under it, as every line inside a paragraph
    is (a headline is set in its own type, at its own width)."""
    return column is None or all(abs(_width(line) - column) >= _FULL_LINE_SLACK for line in headline if line is not None)


def _indent_short(line: str | None, column: float | None) -> bool:
    return line is not None and _is_short(line, column) and not _is_short(line, column, _INDENT_AT_MOST)


def _indents_lost(lines: list[str | None], columns: list[float | None]) -> bool:
    """Whether the column shows paragraphs beginning an indent short with no indent kept: a line after a finished
    sentence, an indent short of its column, a full line under it (across a column break), and whose words the lines under it do not take
    up (as they would a headline's)."""
    above = None
    for index, line in enumerate(lines[:-1]):
        if line is None:
            continue
        after = _next_line(lines, index + 1)
        below = lines[after] if after < len(lines) else None
        if (above is not None and _ends_sentence(above) and not _indented(line) and below is not None
                and _indent_short(line, columns[index]) and not _is_short(below, columns[index], _FOLLOWING_SHORT)
                and _echo(line, _text_of(lines[after:after + _ECHO_SPAN])) < _ECHO_MIN):
            return True
        above = line
    return False


def _closes_unopened(line: str) -> bool:
    """A line ending a sentence or closing a quotation or bracket it did not open (`换车去北京！”`): the end of the
    paragraph above, as a headline's line is not."""
    text = _compact(line)
    return _ends_sentence(text) or any(text.count(b) > text.count(a) for a, b in ("（）", "()", "“”", "「」", "《》"))


def _visibly_opened(lines: list[str | None], body: int) -> str | None:
    """What shows a story's body beginning at ``body`` whatever lines stand above it: an opener, a byline line or a
    kept paragraph indent (a line inside a paragraph keeps none); None when nothing does."""
    line = lines[body]
    if _opener_at(lines, body) is not None:
        return "an opener stands"
    if _byline_line_names(line) is not None:
        return "a byline stands"
    if _indented(line):
        return "a paragraph's kept indent stands"
    return None


def _under_a_headline(lines: list[str | None], starts: list[int], index: int) -> bool:
    """Whether only a gap stands between ``index`` and the one-line headline an article was just taken to begin
    at (`■全国文艺新闻评奖项目审` / gap / `批结束`): the line is that headline's next, the column broken inside it,
    not a headline of its own over no text."""
    return bool(starts) and starts[-1] < index - 1 and all(lines[i] is None for i in range(starts[-1] + 1, index))


def _short_unfinished_over_full(lines: list[str | None], last: int, body: int, columns: list[float | None]) -> bool:
    """Whether a headline's last line ends where a story's first line begins under it with no gap: the line falls
    short of the column by more than an indent and ends no sentence, and the line under it fills the column.
    Inside a paragraph every line but the first (its indent maybe lost) and the last fills the column, and a
    paragraph's last line ends a sentence (`…康斯坦塔` / `科普洛斯` / `１９９５年５月，希腊船`)."""
    line, first, column = lines[last], lines[body], columns[body]
    if line is None or first is None or body != last + 1 or _opens_unclosed(line) or _spread_to_the_column(line):
        return False  # a bracket or a quotation left open runs on into the line under it; a spread line is full
    return (_is_short(line, column, _INDENT_AT_MOST) and not _ends_paragraph(line)
            and not _is_short(first, column, _FOLLOWING_SHORT))


def _subtitle_closes(lines: list[str | None], index: int, end: int) -> bool:
    """Whether a subtitle ends the headline run ``index:end``: its last line, or a line of it the run goes on from
    into a gap (`■做与中国合作的先行` / `——记希腊船王康斯坦` / `塔科普洛斯` / gap), the subtitle wrapped."""
    return _is_subtitle(lines[end - 1]) or (end < len(lines) and lines[end] is None
                                            and any(_is_subtitle(lines[i]) for i in range(index + 1, end)))


def _text_of(lines: list[str | None]) -> str:
    return "".join(line for line in lines if line is not None)


def _after_a_sentence(lines: list[str | None], index: int) -> bool:
    """Whether the text above ``index`` (across a gap or not) ends a sentence."""
    above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i] is not None), None)
    return above is not None and _ends_sentence(above)


def _spread_to_the_column(line: str | None) -> bool:
    """A line partly letter-spaced (`這套法規規 定 了 動 物 學 名`): the OCR's sign of a body line spread to fill its
    column. A headline spaced for show is spaced throughout (`翰 墨 迎 新 春`)."""
    if line is None:
        return False
    tokens = line.split()
    singles = sum(1 for token in tokens if len(token) == 1)
    return singles >= _SPREAD_MIN and singles < len(tokens)


# Lines read from a candidate headline down to the first gap for a body line spread to its column.
_HEADLINE_RUN = 3


def _runs_into_a_spread_line(lines: list[str | None], index: int, columns: list[float | None]) -> bool:
    """Whether the line at ``index``, at most an indent short of its column, runs with no gap into a line spread
    to fill the column (`够在 实 现 新 老 交 替 的 基 础`) within a headline's few lines: the text there is a
    paragraph set to the column's width, not a headline over its story. A byline or a paragraph's indented first
    line ends the run, and a headline far shorter than the column stands over it: the body under a headline may
    be spread too (`江泽民主席` / `朋友 们 ：这 是 一 个 崇 高…`)."""
    if _is_short(lines[index], columns[index], _INDENT_AT_MOST):
        return False
    for line in lines[index:index + _HEADLINE_RUN]:
        if line is None or _indented(line) or _byline_line_names(line) is not None:
            return False
        if _spread_to_the_column(line):
            return True
    return False


def _echoed_headline(lines: list[str | None], index: int, columns: list[float | None]) -> int | None:
    """Where the body starts under a headline of one or two lines at ``index`` that follows a finished sentence,
    gap or none, whose words the body's first lines take up; None when no such headline stands there."""
    if not _after_a_sentence(lines, index):
        return None
    for taken in range(1, _ECHO_HEADLINE_LINES + 1):
        last = index + taken - 1
        if last >= len(lines) or not _is_title_like(lines[last]):
            return None
        body = _next_line(lines, last + 1)
        if body >= len(lines) or _joins(lines[last], lines[body]) or _is_title_like(lines[body]) and body > last + 1:
            continue
        headline = "".join(lines[index:last + 1])
        if taken == 1 and _indent_short(lines[index], columns[body]) and _indents_lost(lines, columns):
            return None  # where paragraphs begin an indent short, so does this line: a paragraph's first
        if (_opens_unclosed(headline) or headline.rstrip()[-1:] in _CLAUSE_GOES_ON or _LIST_GOES_ON.search(headline)
                or any(_spread_to_the_column(line) for line in lines[index:last + 1])
                or not _set_apart_from_column(lines[index:last + 1], columns[body])):
            return None
        text = _text_of(lines[body:body + _ECHO_SPAN])
        if _echo(headline, text) >= _ECHO_MIN:
            return body
    return None


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
    # A briefs column's head standing alone (`■简讯`) heads no item.
    lines = _collapse_blanks([None if _is_column_head(line) else line
                              for line in _run_in_titles(_rejoined_bylines(_without_jumps_from(lines)))])
    for segment in _closed_segments(lines):
        after_photo = previous_kind == "photo"
        evidence: dict[int, str] = {}
        starts = _article_starts(segment, after_photo=after_photo, evidence=evidence)
        previous_kind = segment.kind
        cuts = _cuts_between_stories(segment.lines, [start for start in starts if start > 0], evidence)
        if not cuts and not (starts and segment.kind == "photo") and not _text_before_caption(segment):
            segments.append(segment)
            continue
        bounds = [0] + cuts + [len(segment.lines)]
        pieces = [_trim_blanks(segment.lines[a:b]) for a, b in zip(bounds, bounds[1:])]
        noted = [(evidence[bound],) if bound in evidence else () for bound in bounds[:-1]]
        noted[0] = segment.evidence + noted[0]
        for piece, note in zip(pieces[:-1], noted):
            if piece:
                segments.append(_Segment("open", piece, followed=True, evidence=note))
        last, note = pieces[-1], noted[-1]
        if segment.kind == "photo":
            # A photo's caption is one short paragraph; anything set before it belongs to the article above.
            caption_start = _caption_start(last)
            if caption_start > 0 and not (after_photo and _caption_opening(last[:caption_start])):
                segments.append(_Segment("open", _trim_blanks(last[:caption_start]), followed=True, evidence=note))
                last, note = last[caption_start:], ()
        segments.append(_Segment(segment.kind, last, segment.authors, evidence=note))
    return segments


_RUN_IN_TITLE_MAX = 32  # a bracket closing later than this holds text, not a headline
_SENTENCE_ENDS = "。！？!?…”’」』"


# Characters that make a bigram say nothing of what a story is about (`的`, `一个`, `他们`).
_FUNCTION_CHARS = frozenset("的了是在一和有不这也我们他她它为上中人大年月日个到说要会对以就等将与及其从把被让着过而并或已都很还又更最")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Topic bigrams (twice on each side) a new story shares with the one above it at most, on both generators' pages;
# a subhead inside a long story shares more. Words every story may use (国家, 问题, 自己, 记者: more often than this
# in jieba's dictionary counts) are no topic: adjacent news stories share them.
_SHARED_TOPIC_MAX = 2
_EVERYDAY_WORD = 20000
# Topic bigrams shared at least once each side, in number and against the geometric mean of both sides' counts,
# from which a heading is a subhead: on both generators' pages new stories shared at most 0.07 of it, subheads
# 0.09 or more.
_SHARED_ONCE_MIN = 8
_SHARED_ONCE_SHARE = 0.08


def _without_jumps_from(lines: list[str | None]) -> list[str | None]:
    kept: list[str | None] = []
    for line in lines:
        jump = _JUMP_FROM.match(line) if line is not None else None
        if jump is not None:
            rest = line[jump.end():].strip()
            line = _line(rest, _indented(line)) if rest else None
        kept.append(line)
    return kept


def _topic_bigrams(lines: list[str | None]) -> Counter:
    text = "".join(ch for line in lines if line is not None for ch in line if _HAN.match(ch))
    return Counter(pair for pair in (text[i:i + 2] for i in range(len(text) - 1)) if not set(pair) & _FUNCTION_CHARS)


def _cuts_between_stories(lines: list[str | None], cuts: list[int],
                          evidence: dict[int, str] | None = None) -> list[int]:
    """The cuts that begin another story: a one-line heading over text that opens with neither an opener nor a
    byline and goes on with the words of the story above (the same people, places and things, each more than
    once) is a subhead inside that story, unless the text under it opens as a text of its own: by addressing its
    hearers, as a news lede, on a list's first point or on the heading's own words."""
    kept: list[int] = []
    for position, cut in enumerate(cuts):
        end = cuts[position + 1] if position + 1 < len(cuts) else len(lines)
        piece = lines[cut:end]
        heading_alone = len(piece) > 2 and piece[1] is None or len(piece) > 1 and not _is_title_like(piece[1])
        opened = any(_opener_at(piece, i) is not None or _byline_line_names(piece[i]) is not None
                     for i in range(min(len(piece), 4)) if piece[i] is not None)
        # A letter or a speech opens by addressing its hearers (`主席先生：`, `各位代表、各位同志：`), a text of its own
        # under its headline whatever words it shares with the story above (the same leaders, the same occasion).
        # So does a news story, whose first sentence opens on its source or its date (`日前，教育部公布…`,
        # `１２月２日，…`): a section under a subhead goes on with the story and opens so hardly ever.
        first = piece[_next_line(piece, 1)] if _next_line(piece, 1) < len(piece) else None
        own_text = ("it opens by addressing its hearers" if _addresses_its_hearers(first)
                    else "it opens as a news story's first sentence" if _opens_news_lede(piece[0], first)
                    else _opens_own_text(piece[0], first))
        if heading_alone and not opened and own_text is not None:
            kept.append(cut)
            if evidence is not None and cut not in evidence:
                evidence[cut] = (f"taken to begin a new article at {_compact(piece[0])!r} though the text under it "
                                 f"shares the words of the story above: {own_text}, {_compact(first)[:12]!r}")
            continue
        if heading_alone and not opened:
            above, below = _topic_bigrams(lines[kept[-1] if kept else 0:cut]), _topic_bigrams(piece[1:])
            above = Counter({pair: count for pair, count in above.items() if _word_frequency(pair) < _EVERYDAY_WORD})
            below = Counter({pair: count for pair, count in below.items() if _word_frequency(pair) < _EVERYDAY_WORD})
            shared = sum(1 for pair, count in below.items() if count >= 2 and above.get(pair, 0) >= 2)
            # Short sections under subheads repeat few words twice, but share many of the story's words once.
            shared_once = sum(1 for pair in below if pair in above)
            if shared > _SHARED_TOPIC_MAX or (shared_once >= _SHARED_ONCE_MIN
                                              and shared_once >= _SHARED_ONCE_SHARE * sqrt(len(above) * len(below))):
                continue
        kept.append(cut)
    return kept


def _text_under_bulleted(lines: list[str | None], index: int) -> bool:
    """Whether text follows the bulleted headline at ``index``, across a gap or at once, the headline maybe
    wrapped onto a second line (`■ 河滨公园樱花进入` / `盛花期`)."""
    below = index + 1
    if below < len(lines) and lines[below] is None:
        below += 1  # a gap between a briefs item's headline and its text
    following = lines[below] if below < len(lines) else None
    if following is None:
        return False
    if not _is_title_like(following):
        return True
    if following.strip()[:1] in _BULLETS or _SENTENCE_MARK.search(lines[index]):
        return False
    after_index = _next_line(lines, below + 1)  # past a gap under a headline wrapped onto a second line
    after = lines[after_index] if after_index < len(lines) else None
    # A narrow briefs column sets its text in lines as short as a headline's: a word running on from the
    # bulleted line, or from its second line into the next, says the text goes on under it.
    # So does a letter's salutation, a lede's opening or a list's first point under the second line.
    if after is None:
        return False
    # Past a gap, a narrow column's first line may read as short as a headline's (`受冷空气和暖湿气`), but a word
    # running from it into the line under it (`气` / `流`) says a paragraph goes on there.
    beyond = lines[after_index + 1] if after_index + 1 < len(lines) else None
    return (not _is_title_like(after) or _joins(lines[index], following) or _joins(following, after)
            or _opens_by_its_words(lines, after_index)
            or after_index > below + 1 and beyond is not None and _joins(after, beyond))


def _rejoined_bylines(lines: list[str | None]) -> list[str | None]:
    result: list[str | None] = []
    index = 0
    while index < len(lines):
        joined = _rejoined_byline_line(lines[index], lines[index + 1] if index + 1 < len(lines) else None)
        if joined is None:
            result.append(lines[index])
            index += 1
        else:
            result.append(_line(joined, _indented(lines[index])))
            index += 2
    return result


def _run_in_title(text: str) -> bool:
    """Whether the text in a paragraph's opening brackets is a briefs item's headline: longer than a word, or a
    series part's number alone (`【二】界首，…`); no headline runs past _RUN_IN_TITLE_MAX."""
    if "【" in text or len(text) >= _RUN_IN_TITLE_MAX:
        return False
    return len(text) > 1 or (len(text) == 1 and text in _PART_NUMERALS)


_PART_NUMERALS = "一二三四五六七八九十"


def _run_in_titles(lines: list[str | None]) -> list[str | None]:
    """A briefs item's headline run in at its paragraph's start (`【市民可网上预约婚姻登记】市民政局近日…`, its
    bracket maybe closing on the next line) set on a line of its own, marked as a bulleted headline is."""
    result: list[str | None] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        text = line.strip() if line is not None else ""
        if not text.startswith("【"):
            result.append(line)
            index += 1
            continue
        taken = 1
        # The bracket may close on the next line, or on the one after it when a narrow column wraps the
        # headline twice (`【人民日报国际部主办每` / `周国际时事竞答（第九` / `期）】本报讯…`).
        gaps = 0
        while "】" not in text and taken - gaps < 3 and index + taken < len(lines):
            following = lines[index + taken]
            if (following is None and not gaps and index + taken + 1 < len(lines)
                    and _bracket_goes_on(lines[index + taken + 1], lines[index + taken + 2:index + taken + 3])):
                # A column break inside the bracket (`【人民日报国际部主办每` / gap / `周国际时事竞答（第九` / `期）】…`).
                taken, gaps = taken + 1, 1
                continue
            if following is None or "【" in following or (following.find("】") < 0 and taken - gaps == 2):
                break
            if following.find("】") >= 16:
                break
            text, taken = text + following.strip(), taken + 1
        close = text.find("】")
        rest = text[close + 1:].strip() if close > 0 else ""
        after = index + taken
        following = lines[after] if after < len(lines) else None
        if (not rest and taken > 1 and following is not None and not _indented(following)
                and following.strip()[:1] not in _BULLETS + "【"):
            # The wrapped bracket closed at a line's end, the paragraph going on under it with no gap and no
            # indent: a subhead in brackets stands apart from the paragraph under it.
            rest, after = following.strip(), after + 1
            following = lines[after] if after < len(lines) else None
        if _run_in_title(text[1:close] if close > 0 else "") and rest:
            # What follows the bracket begins a paragraph the column goes on with; left on a line of its own,
            # a word of it (`本`, `市民`) would read as a headline's last line.
            if (following is not None and rest[-1] not in _SENTENCE_ENDS and not _indented(following)
                    and following.strip()[:1] not in _BULLETS + "【"):
                rest, after = rest + following.strip(), after + 1
            result += [_line("■" + text[1:close]), _line(rest)]
            index = after
        else:
            result.append(line)
            index += 1
    return result


def _bracket_goes_on(line: str | None, under: list[str | None]) -> bool:
    """Whether a run-in headline's bracket, left open above a gap, closes in ``line`` past it or the line under that,
    early in the line as a headline's last words would."""
    for part in [line] + under:
        if part is None or "【" in part:
            return False
        if "】" in part:
            return part.find("】") < 16
    return False


def _text_before_caption(segment: _Segment) -> bool:
    """Whether a photo's segment holds an article's text before its caption (not just the photo's own title set
    over the caption)."""
    if segment.kind != "photo":
        return False
    start = _caption_start(segment.lines)
    before = _trim_blanks(segment.lines[:start])
    return bool(before) and _standalone_title(before) != len(before)


def _caption_opening(before: list[str | None]) -> bool:
    """Whether the text above a caption's last paragraph, right after another photo's credit, is that other
    photo's title and this caption's first paragraph: a headline alone, then one short finished paragraph. (An
    article's text set above a caption runs longer, or has no headline of its own there.)"""
    before = _trim_blanks(before)
    taken = _standalone_title(before)
    rest = _trim_blanks(before[taken:])
    return (0 < taken and 0 < len(rest) <= _CAPTION_OPENING_LINES and None not in rest
            and rest[-1] is not None and _ends_paragraph(rest[-1]))


_CAPTION_OPENING_LINES = 3


def _caption_start(lines: list[str | None]) -> int:
    """Where the last paragraph (the caption) of lines closed by a photo credit begins: the last
    paragraph start, or the last line after a gap that follows a finished sentence, whichever is later
    (a caption set under an article with kept indents is set apart by a gap, not by an indent)."""
    columns = _column_widths(lines)
    starts = sorted(_paragraph_starts(lines, columns, any(_indented(line) for line in lines)))
    after_gaps = [i for i in range(1, len(lines)) if lines[i] is not None and lines[i - 1] is None
                  and _after_finished_text(lines, i, 0)]
    return max(starts[-1:] + after_gaps[-1:], default=0)
