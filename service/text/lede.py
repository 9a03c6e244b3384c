"""The lede of a news article: its opening sentences, after the dateline or source line that opens it.

News is written lede first: the first paragraph says who did what, where and when, and a reader's words for a
story (a headline, a question) are most often found there. The opener that precedes it
(`本报讯（记者 张三）`, `新华社北京3月5日电（记者 李四）`, `央视网消息：`) names who sent the story, not what it
is about, so it is left out of the lede.
"""

from __future__ import annotations

import re

from .sentences import iter_sentences

# Who sent the story: a paper's own (`本报讯`, `又讯`, `本报北京3月5日电`, `本报北京3月22日讯`), an agency, paper or
# site's dateline (`新华社北京3月5日电`, `据新华社北京3月5日电`, `中新网3月5日电`, `人民网北京电`, `中央社东京8日专电`,
# `北京晚报讯`), or a site's `消息` line (`央视网消息：`, `本台消息`, `央视新闻客户端消息`). A sender is `本报` or a
# name of two to six characters ending as agencies, papers, sites and stations do; what follows it is a place of a
# few characters and a date: `合作社传来喜讯` and `国家电网公司今天宣布停电` are no datelines.
_DATE = r"(?:[0-9０-９一二三四五六七八九十]{1,2}月)?[0-9０-９一二三四五六七八九十]{1,3}日"
_SENDER = (r"(?:(?:本报|本報|又|本报专|本報專)(?:讯|訊)"
           r"|(?:据|據)?(?:本报|本報|[\u4e00-\u9fff]{2,6}(?:社|网|網|报|報|台))"
           rf"(?:[\u4e00-\u9fff]{{0,7}}{_DATE}(?:电|電|讯|訊|专电|專電)|[\u4e00-\u9fff]{{0,4}}(?:电|電)|(?:讯|訊))"
           r"|[\u4e00-\u9fff]{1,6}(?:网|網|台|报|報|社|客户端|客戶端)(?:消息|讯|訊))")
# The credit that often follows it, in brackets (`（记者 张三 通讯员 李四）`, `(记者 张三)`), or as older papers
# print it, run on: `记者陈特安、李云飞报道：`.
_RUN_ON_CREDIT = r"[\u4e00-\u9fff]{0,6}(?:记者|記者|通讯员|通訊員)[^：:。！？；;\n（）()]{0,40}?(?:报道|報導|报导)[：:]"
_CREDIT = rf"(?:\s*[（(][^（）()]{{0,40}}[）)]|\s*{_RUN_ON_CREDIT})?"
# A credit standing alone: bracketed (`（记者 王五）`, `（中央社記者陳家倫台北15日電）`, `（新华社北京3月5日电）`,
# `【环球网报道 记者 张三】`) or run on (`总台央视记者 王五 报道：`, `本报通讯员 李四 记者 王五 报道：`).
_CREDIT_ALONE = (r"[（(【〔][^（）()【】〔〕\n]{0,20}(?:记者|記者|通讯员|通訊員)[^（）()【】〔〕\n]{0,40}[）)】〕]"
                 rf"|[（(【〔][^（）()【】〔〕\n]{{0,20}}{_DATE}?(?:电|電|专电|專電)[）)】〕]"
                 r"|【[^【】\n]{0,20}(?:报道|報導)[^【】\n]{0,20}】"
                 rf"|{_RUN_ON_CREDIT}")
_OPENER = re.compile(rf"^\s*(?:{_SENDER}{_CREDIT}|{_CREDIT_ALONE})[\s:：，,]*")
_SENDER_ALONE = re.compile(rf"^\s*{_SENDER}")
# A dateline must end at a break or a run-on credit, not run into the sentence: `新华社电` is one, `报电子` is not.
_AFTER_SENDER = re.compile(rf"[\s:：，,（(]|$|{_RUN_ON_CREDIT}")
# A dateline with its date (`新华社北京３月３日电`), `本报讯` or `又讯` may run straight into the story, as older text
# has it.
_DATED = re.compile(r"(?:日(?:电|電|讯|訊|专电|專電)|^\s*(?:又|本报|本報|本报专|本報專)(?:讯|訊))$")
# A photographer's credit closing a caption (`（新华社记者 李四 摄）`, `本报记者 王五摄`, `(张三 摄)`), or the mark
# closing a report (`（完）`, `（全文完）`).
_CLOSING_CREDIT = re.compile(r"\s*(?:[（(][^（）()]{1,40}?(?:摄|攝)[）)]|[（(](?:全文|本文)?完[）)]"
                             r"|(?:新华社|新華社|本报|本報|中新社)?(?:记者|記者|通讯员|通訊員|摄影|攝影)\s*"
                             r"[\u4e00-\u9fff·]{2,5}(?:[\s、]+[\u4e00-\u9fff·]{2,5}){0,3}\s*(?:摄|攝))"
                             r"[\s。.]*$")
_CREDIT_REACH = 64  # a credit is shorter than this, with its trailing space and stop

LEDE_MIN_CHARS = 60  # a first paragraph shorter than this (a subtitle, a dateline alone) takes the next one too
LEDE_MAX_CHARS = 160  # sentences past this are the story's body, not its lede


# Every opener holds one of these within its first characters: most text can be passed over without the
# full pattern.
_OPENER_MARKS = re.compile("电|電|讯|訊|消息|记者|記者|通讯员|通訊員|报道|報導")
_OPENER_REACH = 48  # past the longest sender (`据` and 6 + 12 characters) and a bracketed credit's start


def opener_length(text: str) -> int:
    """How many characters at the start of `text` are its opener (0 when it has none)."""
    if not _OPENER_MARKS.search(text, 0, _OPENER_REACH + len(text) - len(text.lstrip())):
        return 0
    match = _OPENER.match(text)
    if match is None:
        return 0
    sender_end = match.end()
    # The sender alone must be followed by a break (space, colon, comma, bracket) or the end.
    credit_free = _SENDER_ALONE.match(text)
    if (credit_free is not None and not _AFTER_SENDER.match(text, credit_free.end())
            and not _DATED.search(credit_free.group())):
        return 0
    return sender_end


def closing_credit_length(text: str) -> int:
    """How many characters at the end of `text` are a photographer's credit or a closing `（完）` (0 when it has
    none)."""
    tail = text[-_CREDIT_REACH:]
    if "摄" not in tail and "攝" not in tail and "完" not in tail:
        return 0
    match = _CLOSING_CREDIT.search(text, max(0, len(text.rstrip(" \t\n\u3000。.")) - _CREDIT_REACH))
    return 0 if match is None else len(text) - match.start()


def lede_spans(body: str, *, min_chars: int = LEDE_MIN_CHARS, max_chars: int = LEDE_MAX_CHARS
               ) -> list[tuple[int, int]]:
    """Where the lede lies in `body`, as (start, end) offsets: its first paragraph without the opener, joined by
    the next ones while shorter than `min_chars`, cut after the sentence that reaches `max_chars` characters.
    Paragraphs are the lines of `body`; a body without line breaks is one paragraph, its first sentences the
    lede."""
    spans: list[tuple[int, int]] = []
    length = 0
    position = 0
    for line in body.split("\n"):
        line_start, position = position, position + len(line) + 1
        start, end = line_start, line_start + len(line)
        while start < end and body[start].isspace():
            start += 1
        start += opener_length(body[start:end])
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if length + (end - start) > max_chars:
            # Whole sentences up to the first that reaches the limit: a lede is never cut mid-sentence.
            cut = end
            for sentence in iter_sentences(body[start:end]):
                cut = start + sentence.end
                if length + sentence.end >= max_chars:
                    break
            spans.append((start, cut))
            break
        spans.append((start, end))
        length += end - start
        if length >= min_chars:
            break
    return spans


def lede(body: str, *, min_chars: int = LEDE_MIN_CHARS, max_chars: int = LEDE_MAX_CHARS) -> str:
    """The lede's text (`lede_spans`), its paragraphs on lines of their own."""
    return "\n".join(body[start:end] for start, end in lede_spans(body, min_chars=min_chars, max_chars=max_chars))
