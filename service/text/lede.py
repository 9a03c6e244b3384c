"""The lede of a news article: its opening sentences, after the dateline or source line that opens it.

News is written lede first: the first paragraph says who did what, where and when, and a reader's words for a
story (a headline, a question) are most often found there. The opener that precedes it
(`本报讯（记者 张三）`, `新华社北京3月5日电（记者 李四）`, `央视网消息：`) names who sent the story, not what it
is about, so it is left out of the lede.
"""

from __future__ import annotations

import re

from .sentences import split_sentences

# Who sent the story: a paper's own (`本报讯`, `本报北京3月5日电`), an agency or site's dateline
# (`新华社北京3月5日电`, `中新网3月5日电`, `人民网北京电`), or a site's `消息` line (`央视网消息：`).
_SENDER = (r"(?:(?:本报|本報)(?:讯|訊)"
           r"|[\u4e00-\u9fff]{0,6}(?:社|网|網|报|報|台|站)[\u4e00-\u9fff0-9０-９]{0,12}?(?:日|月)?(?:电|電)"
           r"|[\u4e00-\u9fff]{1,6}(?:网|網|台|报|報|社)(?:消息|讯|訊))")
# The credit that often follows it, in brackets: `（记者 张三 通讯员 李四）`, `(记者 张三)`.
_CREDIT = r"(?:\s*[（(][^（）()]{0,40}[）)])?"
_OPENER = re.compile(rf"^\s*(?:{_SENDER}{_CREDIT}|[（(](?:本报|本報)?(?:记者|記者|通讯员|通訊員)[^（）()]{{0,40}}[）)])"
                     r"[\s:：，,]*")
_SENDER_ALONE = re.compile(rf"^\s*{_SENDER}")
# A dateline must end at a break, not run into the sentence: `新华社电` is one, `报电子` is not.
_AFTER_SENDER = re.compile(r"[\s:：，,（(]|$")

LEDE_MIN_CHARS = 60  # a first paragraph shorter than this (a subtitle, a dateline alone) takes the next one too
LEDE_MAX_CHARS = 160  # sentences past this are the story's body, not its lede


def opener_length(text: str) -> int:
    """How many characters at the start of `text` are its opener (0 when it has none)."""
    match = _OPENER.match(text)
    if match is None:
        return 0
    sender_end = match.end()
    # The sender alone must be followed by a break (space, colon, comma, bracket) or the end.
    credit_free = _SENDER_ALONE.match(text)
    if credit_free is not None and not _AFTER_SENDER.match(text, credit_free.end()):
        return 0
    return sender_end


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
            for sentence in split_sentences(body[start:end]):
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
