"""How the lines of a page are set, and step 6: the paragraphs they make.

What a line may be (a sentence's or a paragraph's end, a headline, a subtitle), where a word runs on across
a line break (a private jieba tokenizer's dictionary), the OCR's spacing repaired, the width of the column
each line was set in, and from these the paragraphs: body lines are joined without separators and
paragraphs found from the indentation pattern, not from every blank line, since a blank may be only a
column break.
"""

from __future__ import annotations

import logging
import re
import threading

from .credits import _bulleted_name, _byline_line_names, _byline_names, _opener_lead
from .lines import _BULLETS, _compact, _indented, _is_han, _is_word_letter, _next_line, _width


# --- words broken across lines ------------------------------------------------

_dictionary = None  # a jieba.Tokenizer, imported with jieba when first needed
_dictionary_lock = threading.Lock()


def _tokenizer():
    """A private jieba tokenizer, loaded on first use."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _dictionary = tokenizer
    return _dictionary


def _words(text: str) -> list[str]:
    """Dictionary words of ``text`` (jieba's precise mode, no guessing of unknown words)."""
    return list(_tokenizer().cut(text, HMM=False))


def _word_frequency(word: str) -> int:
    """How often jieba's dictionary counts ``word`` (0 for a word it does not hold)."""
    return _tokenizer().FREQ.get(word, 0)


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
_DASH_END = re.compile(r"[^—－─━-](?:—{1,2}|－{1,2}|─{1,2}|━{1,2})$")
_CONTINUATION_START = re.compile(r"^[”’）)》」』、，。；：,.;:!?！？]")
_SUBTITLE_START = re.compile(r"^\s*(?:—{1,3}|－{1,3}|-{2,3}|─{1,3}|━{1,3})\s*\S")
_MAX_TITLE_WIDTH = 40
# A headline's label on a line of its own (`人民日报社论：`, `真相调查：`, `新华时评：`) ends in a colon, as a body
# line introducing speech does (`会议指出：`, `他说：`); the label names a thing, the body line says who spoke.
_LABEL_LINE = re.compile(r"^[\u4e00-\u9fff]{2,8}[：:]$")
_SAYING = re.compile(r"(?:说|道|指出|表示|强调|认为|介绍|提出|要求|获悉|了解到|发现|称|问|答|如下|写道|透露|宣布|坦言|告诉记者"
                     r"|提醒|呼吁|建议|承诺|回应|显示|包括|分别是|是|为|有)[：:]$")


# A headline under its label (`人民日报社论：坚定不移推进改革`, `真相调查：…`, `新华社播发《…》`): the label names a kind of
# piece that heads a story, never a line inside one.
_LABELLED_HEADLINE = re.compile(r"^(?:[\u4e00-\u9fff]{0,6}(?:社论|社評|评论员|評論員|时评|時評|短评|快评|述评|新论|一家之言"
                                r"|调查|調查|观察|觀察|视点|視點|侧记|側記|专访|專訪)[：:]|(?:新华社|新華社)(?:播发|播發|受权|受權)"
                                r"(?:发布|發佈)?[《“])")


def _labelled_headline(line: str | None) -> bool:
    return _is_title_like(line) and bool(_LABELLED_HEADLINE.match(_compact(line)))


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
    if _LABEL_LINE.match(text) and not _SAYING.search(text):
        return True
    # A bulleted line may end on a dash: the headline wrapped there (`■做与中国合作的先行——` / `记希腊船王…`), where a
    # body line ending on one is mid-sentence.
    bad_end = _TITLE_BAD_END.search(text) and not (text[0] in _BULLETS and _DASH_END.search(text))
    if _CLAUSE_PUNCT.search(text) or bad_end or _CONTINUATION_START.match(text):
        return False
    return _byline_names(line) is None and _opener_lead(text) is None and _byline_line_names(line) is None


# A speech or a letter opens by addressing its hearers (`各位代表、各位同志：`, `驻香港部队全体官兵同志们：`, `女士们，
# 先生们：`): the text's first words, which no headline begins with.
_SALUTATION = re.compile(r"^(?:(?:各位|尊敬的|亲爱的)[^。！？!?]{0,16}[：:，,]"
                         r"|[^。！？!?，,：:]{0,14}(?:同志们|朋友们|同胞们|女士们|先生们|代表们|同学们)[，,、：:！!])")


# How a news story's first sentence opens, and a headline's line hardly does: the reporter's source
# (`记者从生态环境部了解到`) or a time (`近日，`). A line so opening under a headline is the body's first.
_LEDE_OPENING = re.compile(r"^(?:(?:本报)?记者(?:从|在|近日|日前|今天|昨天|昨日|获悉|了解|采访|走访|来到|看到|注意到|调查)"
                           r"|近日[，,]|日前[，,]|近期[，,]|连日来|今年以来|入冬以来|入夏以来|当地时间)"
                           r"|" + _SALUTATION.pattern)


# A point of a list or a numbered subhead (`一是加强组织领导`, `二、完善制度`, `（三）`, `1.`, `第一，`), a line
# that is one quotation (`“绿水青山就是金山银山”`) or a subhead in brackets (`【截污：把污水挡在河外】`): lines inside
# a story, never a new story's headline.
_INSIDE_A_STORY = re.compile(r"^(?:[一二三四五六七八九十]{1,3}(?:是|、|要|来|方面)|[（(][一二三四五六七八九十0-9]{1,2}[）)]"
                             r"|[0-9０-９]{1,2}[.．、]|第[一二三四五六七八九十]{1,3}[，,、：:]|其[一二三四五六七八九十][，,、])"
                             r"|^[“「『\"][^“”「」『』\"]*[”」』\"]$"
                             r"|^【[^【】]{2,30}】$")


def _inside_a_story(line: str | None) -> bool:
    return line is not None and bool(_INSIDE_A_STORY.search(_compact(line)))


# Words tying a sentence to the one before it (`并提出要从…`, `由于各参评单位对`, `与会同志一致认为`): a line opening with
# one goes on with the story above it; no headline opens so. (Read as whole words: `并购重组…`, `而立之年` open none.)
_LINKING_WORDS = frozenset({"并", "并且", "而", "而且", "但", "但是", "然而", "由于", "因此", "所以", "同时", "此外", "尽管",
                            "不过", "于是", "与会", "与会者", "与会同志"})
# A single word left hanging at a line's end (`…竞赛好的`, `…参评单位对`): the clause goes on in the next line.
_HANGING_WORDS = frozenset("的和与及在把被对从将至于")


def _links_back(line: str | None) -> bool:
    words = _words(_compact(line)) if line is not None else []
    return bool(words) and words[0] in _LINKING_WORDS


def _leaves_clause_open(line: str | None) -> bool:
    words = _words(_compact(line)) if line is not None else []
    return bool(words) and words[-1] in _HANGING_WORDS


# A briefs column marks each item's headline with a bullet; its head (`简讯`, `新闻速览`) is page furniture.
_COLUMN_HEAD = re.compile(rf"^[{_BULLETS}]?\s*(?:[\u4e00-\u9fff]{{0,2}}(?:简讯|簡訊|快讯|快訊|快报|快報|短讯|短訊|速览|速覽|速递|速遞|简报|簡報"
                          r"|快递|快遞|集萃|短波|一览|一覽)"
                          r"|一句话新闻|一句話新聞|新闻速览|新聞速覽|本地新闻|本地新聞|新闻集锦|新聞集錦)$")


def _bulleted(line: str | None) -> bool:
    """A headline marked with a bullet, as a briefs column sets each item's."""
    return line is not None and line.strip()[:1] in _BULLETS and _is_title_like(line) and not _is_column_head(line)


def _is_column_head(line: str | None) -> bool:
    return line is not None and bool(_COLUMN_HEAD.match(_compact(line)))


# A long headline may hold clause commas (`清河市出台…二十条措施，从市场准入…为企业减负松绑`); it still ends no
# sentence and stands between gaps, over at most three lines.
_LONG_HEADLINE_MAX_WIDTH = 64
_LONG_HEADLINE_MIN_WIDTH = 16
_SENTENCE_MARK = re.compile(r"[。！？!?；;…]")
# A lede's date stands before a comma (`3月1日，`, `9月28日上午，`, `１９９６年４月１０日，`); a date running on (`3月26日在…`) may end a
# sentence that a column break cut.
_DATE_OPENING = re.compile(r"^(?:(?:[0-9０-９]{4}年)?[0-9０-９]{1,2}月[0-9０-９]{1,2}日|[0-9０-９]{1,2}日"
                           r"|[0-9０-９]{4}年(?:以来|初|底|上半年|下半年))"
                           r"(?:上午|下午|晚上|晚间|凌晨|早上|中午|傍晚)?"
                           r"[，,]")


def _long_headline(lines: list[str | None], index: int) -> int:
    """How many lines from ``index`` (one to three, up to a gap) form a long headline with clause commas in
    it: no sentence mark, no clause left open at its end, and a gap (or a byline line, then a gap) after it;
    0 when they do not."""
    end = index
    # The block ends at a gap, or where the body visibly begins under it with no gap: a kept indent, an opener,
    # a lede's opening words or a byline line.
    while end < len(lines) and lines[end] is not None and (end == index or not _under_a_headline(lines[end])):
        end += 1
    block = lines[index:end]
    if len(block) >= 2 and _byline_line_names(block[-1]) is not None:
        block = block[:-1]  # its byline set on the line under it (`■ 记者 梁涛 陆泽`) and then the gap
    if not 1 <= len(block) <= 3 or end >= len(lines) or _indented(block[0]):
        return 0
    text = _compact("".join(block))
    if not _LONG_HEADLINE_MIN_WIDTH <= _width(text) <= _LONG_HEADLINE_MAX_WIDTH or _SENTENCE_MARK.search(text):
        return 0
    if (text[-1] in "，,、：:—-(（“‘《" or _opens_unclosed(text) or _CONTINUATION_START.match(text)
            or _leaves_clause_open(block[-1])):
        return 0  # (`…发布通告，6月7日至` / `9日，全市…` reads as a dateline under a headline; the clause goes on)
    if any(_byline_names(line) is not None or _opener_lead(_compact(line)) is not None for line in block):
        return 0
    return len(block)


def _under_a_headline(line: str) -> bool:
    """A line that opens a story's body (or gives its byline) right under its headline."""
    return (_indented(line) or _opener_lead(_compact(line)) is not None or _opens_lede(line)
            or bool(_DATE_OPENING.match(_compact(line))) or _byline_line_names(line) is not None
            or _bulleted_name(line) is not None)


# One character and a clause mark (`區，主要…`): the end of a word broken at the line above, not a paragraph's start.
_BROKEN_WORD_END = re.compile(r"^.[，,、。；;：:]")


def _opens_paragraph(lines: list[str | None], index: int, columns: list[float | None], explicit: bool) -> bool:
    """Whether the line at ``index`` opens a story's first paragraph, by its layout or its words."""
    line = lines[index]
    if line is None or _BROKEN_WORD_END.match(_compact(line)):
        return False
    return (_strong_start(lines, index, columns, explicit) or _indented(line)
            or _opener_lead(_compact(line)) is not None or _opens_lede(line) or bool(_DATE_OPENING.match(_compact(line))))


def _opens_lede(line: str | None) -> bool:
    return line is not None and bool(_LEDE_OPENING.match(_compact(line)))


def _opens_news_lede(heading: str | None, line: str | None) -> bool:
    """Whether ``line``, under ``heading``, opens as a news story's first sentence does: the reporter's source or a
    time (`日前，教育部公布…`), or a date (`１２月２日，正在墨西哥…`) that is whole on the line, not the end of one the
    heading line began (`１９３５年２月` / `２１日，…`)."""
    if line is None:
        return False
    if _opens_lede(line):
        return True
    text = _compact(line)
    return bool(_DATE_OPENING.match(text)) and not _DATE_OPENING.match(_compact(heading or "") + text)


# A numbered point opening a line (`１．５月２７日…`, `２、`), a list's first item, which a story may open with; a
# letter's salutation ending on an honorific (`主席先生：`, `李鹏总理阁下：`). (Read as a story's opening everywhere,
# the honorific took a letter quoted after `唁函全文如下：` for a story of its own.)
_NUMBERED_POINT = re.compile(r"^[0-9０-９]{1,2}[.．、](?![0-9０-９]*[%％万亿千百元])")  # (not `１．５亿元`, a decimal)
_HONORIFIC_SALUTATION = re.compile(r"^[\u4e00-\u9fff·]{0,10}(?:先生|女士|阁下|閣下|夫人|殿下|陛下)[：:]")
# A speech's salutation may name several hearers before its colon (`克雷蒂安总理阁下，德马雷先生，…：`, `鲍林先生，威尔逊州长
# 先生和夫人，…`): the first named, then a comma.
_HONORIFIC_HEARERS = re.compile(r"^[\u4e00-\u9fff·]{0,10}(?:先生|女士|阁下|閣下|夫人|殿下|陛下)[：:，,]")


# A list's first point (`一、应中华人民共和国…`, `第一，充分认识…`, `（一）`, `1.`): a text laid out as points begins
# with it; a section under a subhead goes on with the story's own points, never from the first again.
_FIRST_POINT = re.compile(r"^(?:一[、，,．.]|第一[，,、：:]|[（(]一[）)]|[1１][.．、](?![0-9０-９]))")
# Characters a heading's text may open with to name what it is about (`索馬利亞` / `索馬利亞海上運輸…`, `排行的资格` /
# `排行本来不是个…`).
_NAMES_ITS_HEADING = 2
_CLAUSE_GOES_ON = ("，", ",", "、")


def _opens_own_text(heading: str | None, line: str | None) -> str | None:
    """How the text under ``heading`` opens as a text of its own, else None: on a list's first point, or on the
    heading's own first words, as an entry or an essay names its subject first; a section under a subhead goes
    on with the story above and opens so hardly ever."""
    if heading is None or line is None:
        return None
    text, head = _compact(line), _compact(heading).lstrip(_BULLETS)
    if _FIRST_POINT.match(text):
        return "it opens on a list's first point"
    # A subhead made of its paragraph's opening clause (`为了增强国有企业的活力` / `为了增强国有企业的活力，我们…`)
    # says the clause whole and the sentence goes on after a comma: a section of the story above.
    if text.startswith(head) and text[len(head):len(head) + 1] in _CLAUSE_GOES_ON:
        return None
    if len(head) >= _NAMES_ITS_HEADING and text.startswith(head[:_NAMES_ITS_HEADING]):
        return "it opens on the heading's own words"
    return None


def _addresses_its_hearers(line: str | None) -> bool:
    """Whether a line opens a letter or a speech by addressing whom it speaks to (`各位代表、各位同志：`, `朋友们：`,
    `主席先生：`, `克雷蒂安总理阁下，德马雷先生，…`): the first words of a text of its own, which no section of a story
    under a subhead opens with."""
    text = _compact(line) if line is not None else ""
    return bool(_SALUTATION.match(text) or _HONORIFIC_HEARERS.match(text))


def _opens_by_its_words(lines: list[str | None], index: int) -> bool:
    """Whether the line at ``index`` opens a paragraph by its words: a lede's opening, a salutation, a numbered
    point."""
    index = _next_line(lines, index)  # (past a column break: a paragraph's first line runs on across it too)
    line = lines[index] if index < len(lines) else None
    return line is not None and (_opens_lede(line) or bool(_NUMBERED_POINT.match(_compact(line)))
                                 or bool(_HONORIFIC_SALUTATION.match(_compact(line))))


def _opens_unclosed(line: str) -> bool:
    """A bracket or quotation mark opened and not closed: the line runs on into the next, as a body line
    does (``尤金袋鼠（"``); a headline line does not."""
    text = _compact(line)
    return (any(text.count(a) > text.count(b) for a, b in ("（）", "()", "“”", "「」", "《》"))
            or text.count('"') % 2 == 1 and text.startswith('"'))


def _has_phrase_space(line: str) -> bool:
    """Two phrases set apart by a space (``绿化家园 共建美丽城市``): how kickers are often set."""
    text = line.strip()
    return any(text[i] == " " and _han_run(text, i - 1, -1) >= 2 and _han_run(text, i + 1, 1) >= 2
               for i in range(1, len(text) - 1))


def _kicker_like(line: str) -> bool:
    """A line that can stand over its headline, set apart by a gap: two phrases set apart by a space, or a
    compound of two joined by a dash (``伟大的变革——庆祝改革开放40周年大型展览``)."""
    return _has_phrase_space(line) or bool(_INNER_DASH.search(_compact(line)))


# Two characters at least after the dash: a line ending `…先行——记` broke a headline's `——记…` in two. A feature's
# `——记…` / `——访…` (whom it portrays) is the end of its headline, never a kicker's second phrase: a line holding
# one and broken before the next (`古城有位好警察——记全国` / `特级优秀人民警察王炳奎`) is a headline wrapped.
_INNER_DASH = re.compile(r"[^—－─━-][—－─━]{1,3}(?![记記訪访])[^—－─━-]{2}")


def _wraps_at_its_dash(line: str | None, under: list[str | None]) -> bool:
    """Whether a line ending on a dash opens a headline the column wrapped there (`驳杂有致别具一格——` / `《翠微居杂笔》评介`,
    `让湖水熠熠闪光—` / `—马拉维纪行之三`): the rest of it reads as a headline's, and so does the line under it. (A body
    line ending on a dash runs on into a line of the paragraph, clause marks and all.)"""
    following = under[0] if under else None
    if line is None or following is None or _indented(line) or not _DASH_END.search(_compact(line)):
        return False
    return _is_title_like(_compact(line).rstrip("—－─━-")) and _is_title_like(following)


def _standalone_title(lines: list[str | None]) -> int:
    """How many leading lines (0, 1 or 2) form a headline standing alone before a gap."""
    end = 0
    while end < len(lines) and lines[end] is not None:
        end += 1
    if end == 0 or end > 2 or not all(_is_title_like(line) for line in lines[:end]):
        return 0
    return end


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
            # A subhead stands unindented between gaps, after a finished paragraph.
            if _indented(line) or (previous < index - 1 and _ends_paragraph(lines[previous]) and _is_title_like(line)
                                   and (index + 1 >= len(lines) or lines[index + 1] is None)):
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
