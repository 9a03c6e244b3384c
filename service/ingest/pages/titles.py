"""Steps 4 and 5: a photo story's title, and an article's title block (kicker, headline, subtitle).

Whether one line could be a headline at all (`layout._is_title_like`, `layout._standalone_title`) is decided
in layout.py, since measuring a column skips headline lines too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .credits import _bulleted_name, _byline_line_names, _opener_at
from .layout import (_INDENT_AT_MOST, _bulleted, _column_widths, _has_phrase_space, _is_short, _is_subtitle, _is_title_like,
                     _join_lines, _joins, _kicker_like, _long_headline, _wraps_at_its_dash, _opens_by_its_words, _opens_lede, _opens_paragraph,
                     _opens_unclosed, _ends_sentence,
                     _repair_spacing, _standalone_title, _strong_start)
from .lines import _BULLETS, _compact, _indented, _next_line, _trim_blanks, _width
from .segments import _ECHO_MIN, _FULL_LINE_SLACK, _Segment, _echo, _indent_short


# --- titles -----------------------------------------------------------------

# A headline set across several columns is wider than the body column under it.
_SPANNING_TITLE = 1.15
# A column-set headline's second line, in its larger type, is well short of a body line;
# a body paragraph's first line is only its indent short.
_SHORT_SECOND_LINE = 0.8
_WIDTH_SAMPLE = 12
# A headline broken just after a feature's `——记` (`做与中国合作的先行——记` / `希腊船王…`): whom it portrays follows.
_PORTRAIT_BROKEN = re.compile(r"(?:[—－─━]{1,3}|-{2,3})[记記访訪]$")
# Lines of the story read for a headline line's words.
_ECHO_LINES = 5
# A sentence closing within the first few characters of a line (`这组照片。吸引我的不`): it began on the line above.
_SENTENCE_CLOSED_EARLY = re.compile(r"^[^。！？!?，,、；;：:“”\s]{1,5}[。！？!?]")


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
    """(indices of the headline lines a segment opens with, where the body starts, warnings). A line that one
    step kept in the headline and a later one left out is not named as kept."""
    kept: list[tuple[int, str]] = []
    block, body, warnings = _headline_lines_noting(lines, kept)
    return block, body, warnings + [note for line, note in kept if line in block]


def _headline_lines_noting(lines: list[str | None], kept: list[tuple[int, str]]) -> tuple[list[int], int, list[str]]:
    """`_headline_lines`, the notes on lines kept in the headline against a sign of the body put in `kept`."""
    candidates: list[int] = []
    gap_notes: list[str] = []
    index = 0
    while index < len(lines) and len(candidates) < 5:
        line = lines[index]
        if line is None:
            # A gap ends the title block, except one setting a kicker apart from the headline, and one the
            # OCR saw inside a headline broken mid-word (`十二届全国人大常` / `委会委员长会议…`).
            if (len(candidates) == 1 and index + 1 < len(lines) and _is_title_like(lines[index + 1])
                    and (_kicker_like(lines[candidates[0]]) or _joins(lines[candidates[0]], lines[index + 1])
                         or _PORTRAIT_BROKEN.search(_compact(lines[candidates[0]]))
                         or _broken_by_the_column(lines, candidates[0], index + 1))):
                broken = _broken_by_the_column(lines, candidates[0], index + 1)
                if broken and not _joins(lines[candidates[0]], lines[index + 1]):
                    gap_notes.append(broken)
                index += 1
                continue
            break
        if not (_is_title_like(line) or not candidates and _wraps_at_its_dash(line, lines[index + 1:index + 2])) or (
                candidates and _bulleted_name(line) is not None):
            break
        if candidates and (_names_the_headline(lines, candidates, line) or _broken_dateline(line)):
            break
        candidates.append(index)
        index += 1
    columns = _column_widths(lines)
    explicit = any(_indented(line) for line in lines)
    warnings: list[str] = gap_notes
    # A long headline holding clause commas, from the first line down (its first lines may read as a headline's
    # on their own: `清河市出台促进民营经济发展二十条` / `措施，从市场准入…`).
    contiguous = candidates == list(range(len(candidates)))
    taken = _long_headline(lines, 0) if contiguous else 0
    # (Not over a line that says the headline again: `第7届日本参议院议员通常选举` / `第7届日本参议院议员通常选举于昭`.)
    if taken > len(candidates) and not any(_broken_dateline(line) for line in lines[1:taken]) and not any(
            _names_the_headline(lines, list(range(line)), lines[line]) for line in range(1, taken)):
        body = _next_line(lines, taken)
        if body < len(lines) and not _joins(lines[taken - 1], lines[body]) and (
                _opens_paragraph(lines, body, columns, explicit) or _byline_line_names(lines[body]) is not None):
            return list(range(taken)), body, ["a long headline read from the lines over the first paragraph, "
                                              "though they hold clause commas"]
    if not candidates:
        return [], 0, ["no title found; the text may run on from another page"]
    after = index + 1 if index < len(lines) and lines[index] is None else index
    if len(candidates) == 2 and candidates[1] > candidates[0] + 1:
        # A kicker set apart by a blank from a one-line headline: together they are the title block.
        return candidates, after, warnings
    # A subtitle closes the title block: whatever follows it is body.
    subtitles = [i for i in candidates if _is_subtitle(lines[i])]
    if subtitles:
        last = subtitles[-1]
        # (A subtitle wrapped goes on where a word, or a name the story says unbroken, runs across.)
        while last + 1 in candidates and (_joins(lines[last], lines[last + 1])
                                          or _named_across(lines[last], lines[last + 1], lines[last + 2:])):
            last += 1
        return [i for i in candidates if i <= last], _next_line(lines, last + 1), warnings
    # A paragraph surely beginning under the candidates makes them all headline; otherwise the first
    # candidate that surely begins one (or opens with 本报讯) ends the title block.
    if (after < len(lines) and len(candidates) <= 3 and not _joins(lines[candidates[-1]], lines[after])
            and (_opener_at(lines, after) is not None or _opens_paragraph(lines, after, columns, explicit)
                 or _byline_line_names(lines[after]) is not None or _bulleted_name(lines[after]) is not None
                 or _opens_by_its_words(lines, after))):
        # (Not over a line under the first that opens a letter, a speech or a list by its words: the text began
        # there (`中共中央致九三学社七大的贺词` / `各位代表、各位同志：在九三学社第七次` / `全国代表大会隆重开幕之际，…`).)
        opened = next((i for i in candidates[1:] if _opens_by_its_words(lines, i)), None)
        if opened is None:
            return candidates, after, warnings
        return candidates[:candidates.index(opened)], opened, warnings + [
            f"the headline ends above {_compact(lines[opened])[:12]!r}, which opens a letter, a speech or a list by "
            "its words, though a paragraph begins under it too"]
    for position, line_index in enumerate(candidates[1:], start=1):
        above = lines[candidates[position - 1]]
        if (_joins(above, lines[line_index]) or _opens_unclosed(above) or _PORTRAIT_BROKEN.search(_compact(above))
                or _wraps_at_its_dash(above, [lines[line_index]])):
            continue  # a word, a bracket or quotation left open, or a dash runs across: this line goes on from the one above
        if _opener_at(lines, line_index) is not None or _opens_unclosed(lines[line_index]):
            return candidates[:position], line_index, []
        if _strong_start(lines, line_index, columns, explicit) and not _opens_by_its_words(lines, line_index + 1):
            # (A paragraph's first line runs on into the next; a line under it opening a letter, a speech or a list
            # point (`主席先生：…`, `１．５月…`) is no paragraph's second line, so the line above it is the headline's.)
            if not _closes_headline_over_its_echo(lines, line_index):
                return candidates[:position], line_index, []
            kept.append((line_index, f"{_compact(lines[line_index])!r} kept in the headline though it is an indent "
                                     "short of the column: a gap follows it and the story under it takes up its words"))
        if _opens_by_its_words(lines, line_index) and not _opens_lede(lines[line_index]):
            return candidates[:position], line_index, [
                f"the headline ends above {_compact(lines[line_index])[:12]!r}, which opens a letter or a list as a "
                "story's first line does"]
        if _opens_lede(lines[line_index]):
            # Only the wording decided: a headline line can open so too.
            return candidates[:position], line_index, [
                f"the headline ends above {_compact(lines[line_index])[:12]!r}, which opens as a story's first "
                "sentence does; nothing in the layout set it apart"]
    # Otherwise the headline is the first line, or the first two, told apart from the body by widths.
    first = lines[candidates[0]]
    if len(candidates) == 1:
        return candidates, _next_line(lines, candidates[0] + 1), warnings
    # A title mark or quotation left open, a label (`本报评论员：`), a word broken at the line's end
    # (`…社会主义市场` / `经济法律体系…`) or a dash the line ends on goes on into the second line.
    if (_opens_unclosed(first) or _compact(first).endswith(("：", ":")) or _joins(first, lines[candidates[1]])
            or _PORTRAIT_BROKEN.search(_compact(first)) or _wraps_at_its_dash(first, [lines[candidates[1]]])):
        return candidates[:2], _next_line(lines, candidates[1] + 1), warnings
    second = lines[candidates[1]]
    under = candidates[1] + 1
    if under < len(lines) and _joins(second, lines[under]):
        # A word runs on from the second line into the line under it, no gap between: a paragraph's first line
        # (`中国人民治协商会议第八届全国委` / `员会第五次会议…`), as a headline's last line ends its last word.
        return candidates[:1], candidates[1], warnings + [
            f"the headline ends above {_compact(second)[:12]!r}: a word runs on from it into the line under it"]
    following = [line for line in lines[candidates[1] + 1:] if line is not None][:_WIDTH_SAMPLE]
    column = _column_width(following)
    guessed = ["title guessed from the first line; the second may belong to it"]
    if column is None or re.search(r"[、：:]", second):
        return candidates[:1], candidates[1], guessed + warnings if column is None else warnings
    if _width(first) > _SPANNING_TITLE * column:
        return candidates[:1], candidates[1], warnings
    if _width(_compact(second)) <= _SHORT_SECOND_LINE * column:
        below = _next_line(lines, candidates[1] + 1)
        closing = _SENTENCE_CLOSED_EARLY.match(_compact(lines[below])) if below < len(lines) else None
        if closing and not _ends_sentence(second):
            # (`做新时代“最可爱的人”` / `我久久凝视着眼前` / `这组照片。吸引我的不`: a sentence the short line began closes a
            # few characters into the line under it; a headline's last line leaves none open.)
            return candidates[:1], candidates[1], warnings + [
                f"the headline ends above {_compact(second)[:12]!r}, short as a headline's line: the sentence it "
                f"begins closes at {closing.group(0)!r} in the line under it"]
        return candidates[:2], _next_line(lines, candidates[1] + 1), warnings
    return candidates[:1], candidates[1], guessed + warnings


def _broken_by_the_column(lines: list[str | None], first: int, after_gap: int) -> str | None:
    """Whether a headline's first line, a gap under it, fills the column of the body below while the line past
    the gap does not (`■以色列国议会议长达` / gap / `恩·蒂雄` over a column ten wide): the headline ran to the
    column's edge and the column broke there; a one-line headline over its body's first line is set short of
    the column, and a body line past the gap would fill it."""
    body = _next_line(lines, after_gap + 1)
    if body >= len(lines) or _is_title_like(lines[body]):
        return None
    column = _column_widths(lines)[body]
    if column is None or _opens_lede(lines[after_gap]):
        return None
    past = _compact(lines[after_gap])
    # A briefs item's bulleted headline over a word or two past the gap, far shorter than any paragraph's first
    # line (`■ 国际社会深切哀悼邓小平` / gap / `逝世`), goes on there, full or not: its bullet marks a headline.
    if _bulleted(lines[first]) and _is_short(lines[after_gap], column, _INDENT_AT_MOST):
        return f"the bulleted headline goes on past the gap into {past!r}, far shorter than a paragraph's first line"
    if (abs(_width(lines[first]) - column) < _FULL_LINE_SLACK and _width(lines[after_gap]) <= column - _FULL_LINE_SLACK
            and not _indent_short(lines[after_gap], column)):
        return (f"the headline goes on past the gap into {past!r}: its first line fills the column of {column:g}, "
                "where the column broke")
    return None


# A dateline or a date the column broke off (`新华社北京１２月` / `１８日电…`, `１９９６年４月` / `１０日，…`): the body's
# first words, never a headline line of their own.
_BROKEN_DATELINE = re.compile(r"(?:本报|本報|新华社|新華社|中新社)[^\s，,。]{0,8}?[０-９0-9一二三四五六七八九十]{1,3}月"
                              r"(?:[０-９0-9一二三四五六七八九十]{1,3}日?)?|[０-９0-9]{4}年(?:[０-９0-9]{1,2}月(?:[０-９0-9]{1,2}日?)?)?")
def _broken_dateline(line: str | None) -> bool:
    return line is not None and _BROKEN_DATELINE.fullmatch(_compact(line)) is not None


# A headline's opening this short may recur in its own second line by chance (`中国` / `中国共产党…`).
_RESTATED_MIN = 3


def _names_the_headline(lines: list[str | None], candidates: list[int], line: str) -> bool:
    """Whether ``line`` says again how the headline above it opens (`填字游戏` over `填字游戏是一种常`, `美特斯邦威` over
    `上海美特斯邦威服`, `安德里·拉乔利纳` over `安德里·尼里纳·拉`): a story's first sentence names its subject so; a
    wrapped headline's next line does not begin it again (its repeats, `共和国`, `办公厅`, come later in it)."""
    headline = _compact("".join(lines[i] for i in candidates))
    return len(headline) >= _RESTATED_MIN and headline[:_RESTATED_MIN] in _compact(line)


def _closes_headline_over_its_echo(lines: list[str | None], index: int) -> bool:
    """Whether a headline line an indent short of the column, which a paragraph's first line could be, ends the
    headline instead: a gap follows it (a first line runs on into its paragraph) and the story under the gap takes
    up its words (`首次突破百万标箱` over `…吞吐量达到100.3万标准箱，首次突破`), as a paragraph's first line is
    not taken up by the lines under it."""
    if index + 1 >= len(lines) or lines[index + 1] is not None:
        return False
    body = _next_line(lines, index + 1)
    return _echo(lines[index], _compact("".join(line for line in lines[body:body + _ECHO_LINES]
                                                 if line is not None))) >= _ECHO_MIN


def _dash_split(lines: list[str | None], index: int) -> str | None:
    """A warning where the line at ``index`` opens with half a dash whose other half ends the line above
    (`做与中国合作的先行—` / `—记希腊船王…`): the column broke one headline inside its dash, which a subtitle set on
    a line of its own opens whole."""
    above = lines[index - 1] if index > 0 else None
    line = _compact(lines[index] or "")
    if above is None or not line.startswith("—") or not _compact(above).endswith("—"):
        return None
    return f"{line!r} read as the headline's, no subtitle: its dash begins at the end of the line above"


def _title_block(lines: list[str | None]) -> _TitleBlock:
    indices, body_start, warnings = _headline_lines(lines)
    block = _TitleBlock(body_start=body_start, warnings=warnings)
    if not indices:
        return block
    subtitle_lines = [i for i in indices if _is_subtitle(lines[i])]
    if subtitle_lines:
        # A subtitle wrapped runs on into the lines under it (`——记希腊船王康斯坦` / `塔科普洛斯`).
        subtitle_lines = [i for i in indices if i >= subtitle_lines[0]]
        wrapped = _wrapped_at_its_dash(lines, subtitle_lines[0], body_start) or _dash_split(lines, subtitle_lines[0])
        if wrapped:
            block.warnings.append(wrapped)
            subtitle_lines = []
    heads = [i for i in indices if i not in subtitle_lines]
    if subtitle_lines:
        block.subtitle = _title_text([lines[i] for i in subtitle_lines])
    if len(heads) >= 2:
        # A gap that a word runs across is inside the headline, not under a kicker.
        gap_after_first = (heads[1] > heads[0] + 1 and not _joins(lines[heads[0]], lines[heads[1]])
                           and not _PORTRAIT_BROKEN.search(_compact(lines[heads[0]]))
                           and not _broken_by_the_column(lines, heads[0], heads[1]))
        # A first line joining two phrases by a dash (`伟大的变革——庆祝…展览`) is a kicker too, unless a word runs
        # on from it into the next line.
        # A line leaving a title mark or quotation open is no kicker: it goes on into the next.
        across = _named_across(lines[heads[0]], lines[heads[1]], lines[body_start:])
        if across and _kicker_like(lines[heads[0]]) and not gap_after_first and not _has_phrase_space(lines[heads[0]]):
            block.warnings.append(f"{_compact(lines[heads[0]])!r} read as the headline's first line, no kicker: the "
                                  f"story says {across!r} unbroken, which the line break splits")
        subject = _PLACE_AFTER_DASH.search(_compact(lines[heads[0]])) if not gap_after_first else None
        if subject and _kicker_like(lines[heads[0]]) and not _has_phrase_space(lines[heads[0]]):
            block.warnings.append(f"{_compact(lines[heads[0]])!r} read as the headline's first line, no kicker: it ends "
                                  f"on a place, {subject.group(1)!r}, that the next line's words go on from")
        left_open = _left_open_after_dash(lines[heads[0]]) if not gap_after_first and not subject else None
        if left_open and _kicker_like(lines[heads[0]]) and not _has_phrase_space(lines[heads[0]]):
            block.warnings.append(f"{_compact(lines[heads[0]])!r} read as the headline's first line, no kicker: the "
                                  f"phrase after its dash, {left_open!r}, is left open and goes on in the next line")
            subject = left_open
        if not _opens_unclosed(lines[heads[0]]) and (
                _has_phrase_space(lines[heads[0]]) or gap_after_first
                or (_kicker_like(lines[heads[0]]) and not _joins(lines[heads[0]], lines[heads[1]])
                    and not across and not subject)):
            block.kicker = _title_text([lines[heads[0]]])
            heads = heads[1:]
        elif len(heads) >= 3 and not block.subtitle and _set_apart_by_width(lines[heads[-2]], lines[heads[-1]]):
            block.subtitle = _title_text([lines[heads[-1]]])
            block.warnings.append("the last of three headline lines taken for a subtitle: it is wider than the "
                                  "line above, which a wrapped headline fills")
            heads = heads[:-1]
        elif len(heads) >= 3:
            # Three lines with no gap or phrase space setting the first apart: one long headline wrapped.
            block.warnings.append("three headline lines taken for one wrapped headline (no gap or phrase space "
                                  "sets a kicker apart)")
    block.title = _title_text([lines[i] for i in heads])
    return block


# A dash's second phrase ending on a place (`创造良好的学习环境——江苏省` / `整顿高校治安秩序的调查`): the subject of what the
# next line says, so the headline wrapped there; a kicker's phrase ends on what it says of its subject.
_PLACE_AFTER_DASH = re.compile(r"(?:—{1,3}|－{1,3}|─{1,3}|━{1,3})((?:[\u4e00-\u9fff]{1,6}?[省市县区州])?"
                               r"[\u4e00-\u9fff]{1,6}[省市县区镇乡村州])$")
# The phrase after a kicker's dash is whole (`伟大的变革——庆祝改革开放40周年大型展览`). One ending on a list mark or a
# comma (`…——故城县推行乡、`), or opening on `在` without the word that closes it (`上`, `时`, `之际`: `携手合作共创未来——
# 在东亚` / `首脑非正式会晤时的讲话`), is a headline's phrase the line break cut.
_DASH_TAIL = re.compile(r"(?:—{1,3}|－{1,3}|─{1,3}|━{1,3})([^—－─━]+)$")
_CLOSES_AT_PHRASE = re.compile(r"(?:上|中|时|時|里|裏|下|前|后|後|间|間|之际|之際|期间|期間|以来|以來)"
                               r"(?:的(?:讲话|講話|报告|報告|致辞|致辭|发言|發言|演讲|演講|说明|說明))?$")


def _left_open_after_dash(line: str) -> str | None:
    """The phrase after a headline line's dash where it is left open (see `_DASH_TAIL`), else None."""
    match = _DASH_TAIL.search(_compact(line))
    if match is None:
        return None
    tail = match.group(1)
    if tail.endswith(("、", "，", ",")) or tail.startswith(("在", "於")) and not _CLOSES_AT_PHRASE.search(tail):
        return tail
    return None
# Lines of the story read for a name the headline's line break split.
_NAMED_LINES = 8


def _named_across(upper: str, lower: str, story: list[str | None]) -> str | None:
    """Three characters across the break between two headline lines that the story under them says unbroken
    (`文明的起步－－山东安丘市召` / `忽镇婚事新办` over `…的安丘市召忽镇，…`): a name the dictionary does not hold, split
    where the headline wrapped, so the lines are one headline and the first no kicker. A kicker's last words and
    its headline's first are two phrases, which the story hardly says together."""
    left, right = _compact(upper)[-2:], _compact(lower)[:2]
    text = _compact("".join(line for line in story[:_NAMED_LINES] if line is not None))
    for across in (left + right[:1], left[-1:] + right):
        if len(across) == 3 and all("\u4e00" <= ch <= "\u9fff" for ch in across) and across in text:
            return across
    return None


def _wrapped_at_its_dash(lines: list[str | None], subtitle: int, body: int) -> str | None:
    """Why a `——` line right under a headline line, both filling the body's column, is the headline wrapped at its
    dash rather than a subtitle set on a line of its own (`■做与中国合作的先行` / `——记希腊船王康斯坦` / `塔科普洛斯`,
    ten wide over a column ten wide): a headline wrapped by the column fills every line but its last, where a
    subtitle set apart leaves the line above where its words ended. None where the evidence is not there."""
    above = lines[subtitle - 1] if subtitle > 0 else None
    if above is None or body >= len(lines) or _is_subtitle(above):
        return None
    column = _column_widths(lines)[body]
    if column is None or any(abs(_width(line) - column) >= _FULL_LINE_SLACK for line in (above, lines[subtitle])):
        return None
    return (f"{_compact(lines[subtitle])!r} read as the headline's, no subtitle: it and the line above it fill the "
            f"column of {column:g}, so the headline wrapped at its dash")


def _set_apart_by_width(upper: str, lower: str) -> bool:
    """A headline wrapped by its width fills every line but its last: a line well narrower than the one under
    it ended where its phrase ended, not where the column did. (Read as a kicker over its headline this lost
    on both generators' pages: headlines are broken by meaning as often as by width. Read as a subtitle under
    a two-line headline it held.)"""
    return (_width(_compact(upper)) + 3 <= _width(_compact(lower)) and not _joins(upper, lower)
            and not _opens_unclosed(upper))


def _title_text(lines: list[str | None]) -> str:
    # A briefs item's bullet, or the brackets round its whole headline (`【我市完成首批医保电子凭证激活】`), mark the
    # headline; they are not part of it.
    text = _repair_spacing(_join_lines([line for line in lines if line is not None])).lstrip(_BULLETS + " ")
    if text.startswith("【") and text.endswith("】") and text.count("【") == 1 and text.count("】") == 1:
        text = text[1:-1].strip()
    return text


# --- a photo's title ---------------------------------------------------------

def _photo_title(caption: list[str | None], following: _Segment | None) -> tuple[str, list[str | None], list[str]]:
    """(title, caption lines, warnings). The layout this was written for puts the title
    after the credit; a caption that opens with a headline standing alone keeps it instead."""
    lead = _standalone_title(caption)
    if lead and lead < len(caption):
        return (_title_text(caption[:lead]), _trim_blanks(caption[lead:]),
                ["photo title taken from the line before the caption"])
    if _title_over_caption(caption):
        return (_title_text(caption[:1]), _trim_blanks(caption[1:]),
                ["photo title taken from the line over the caption: it is far shorter than the caption's lines "
                 "and ends no clause"])
    if following is not None:
        taken = _standalone_title(following.lines)
        rest = _trim_blanks(following.lines[taken:])
        # Taking the next article's only headline would leave it untitled: it is not ours.
        # A headline broken after its dash (`驳杂有致别具一格——` / `《翠微居杂笔》评介`) is still a headline there.
        headline_next = bool(rest) and _is_title_like(rest[0].rstrip("—－"))
        steals_headline = ((following.kind == "article" and not headline_next)
                           or (following.kind == "open" and bool(rest) and not headline_next))
        if taken and not steals_headline:
            title = _title_text(following.lines[:taken])
            following.lines = rest
            return title, caption, []
    return "", caption, ["photo title not found"]


def _title_over_caption(caption: list[str | None]) -> bool:
    """Whether the caption's first line is the photo's title set right over it with no gap: a headline line far
    more than an indent short of the caption's widest line, over a line that is no headline's and does not go on
    from it mid-word (a caption is one paragraph, so its first line is full or only an indent short)."""
    if len(caption) < 2 or caption[0] is None or caption[1] is None:
        return False
    widest = max(_width(line) for line in caption[1:] if line is not None)
    return (_is_title_like(caption[0]) and not _is_title_like(caption[1]) and not _joins(caption[0], caption[1])
            and _width(caption[0]) + _INDENT_AT_MOST <= widest)
