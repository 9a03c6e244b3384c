"""What kind of text a summary is made of, and what each of its sentences is worth for where it stands.

News is written lede first: its first sentence says who did what, where and when, and an editor's brief mostly
restates it. So in a news story the lede is the summary unless another sentence is clearly a better statement
of the whole: it carries a bonus (`LEDE_BONUS`, learned on news) over the salience of its words. Other texts
are summarised their own way:

- a post (a microblog-length text in one paragraph, with no dateline) is read as a whole: its most salient
  sentence, earlier ones slightly preferred (`POSITION_DECAY`, learned on LCSTS's Weibo posts);
- commentary (`评论员文章`, `社论`, `短评`…) states its thesis where it likes, often late: every sentence
  stands equal, and the words decide;
- a photo story's caption is the story: its first sentence, the photographer's credit cut;
- a briefs column (`简讯`, `快讯`, three items or more each opened by `■` or by a dateline of its own) packs
  several stories: each item's lede is worth as much as a news story's, earlier items slightly preferred.

Beyond a post, a heading, a byline or a label standing as a sentence (`本报评论员`, `【小标题】`) is worth nothing
while the text has a statement: it is found by a query that it holds, never chosen for its words.

Where each sentence stands is worked out once, at ingest, and kept with the summary data (`summaries.packed`),
so a search's summaries and the one stored at ingest agree. Openers (`本报讯（记者 张三）`, `新华社北京3月5日电`)
and closing photo credits never open or close a summary: they are cut from the sentences a summary is made of
(`trim_credits`); the article keeps them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Sequence

from ..text.lede import closing_credit_length, opener_length
from ..text.sentences import Sentence

KINDS = ("news", "post", "commentary", "photo", "briefs")

POSITION_DECAY = 0.08  # a sentence's worth falls as 1 / (1 + POSITION_DECAY * its number)
LEDE_BONUS = 1.0  # the lede's worth is (1 + LEDE_BONUS) times its salience
LEDE_MIN_LETTERS = 8  # a first sentence shorter than this (`各位观众：`, a lone place name) is not the lede
POST_MAX_CHARS = 150  # a microblog post: 140 characters and a little room
ITEM_MIN_CHARS = 30  # a briefs item tells a story; a bulleted point of a story is shorter
PHOTO_MAX_CHARS = 400  # a caption longer than this is a story with a photo, not a photo story

_COMMENTARY_WORDS = (r"(?:[\u4e00-\u9fff]{0,6}(?:评论员|評論員)(?:文章)?|社论|社論|短评|短評|时评|時評|述评|述評|快评|快評"
                     r"|锐评|銳評|微评|微評|杂谈|雜談|随笔|隨筆|来论|來論|言论|言論)")
# A commentary's title names it as one: `本报评论员：…`, `社论：…`, `人民日报社论`, `…（短评）`, `【时评】…`. A story's
# title that only mentions one (`外交部回应美媒社论`) does not.
_COMMENTARY_TITLE = re.compile(rf"^\s*[\u4e00-\u9fff]{{0,6}}{_COMMENTARY_WORDS}\s*(?:[：:｜|丨·]|$)"
                               rf"|[（(【〔]{_COMMENTARY_WORDS}[）)】〕]")
# A commentary's text may open on its byline: `本报评论员`, `本报评论员 李明`, `社论：`.
_COMMENTARY_BYLINE = re.compile(rf"^\s*[\u4e00-\u9fff]{{0,6}}{_COMMENTARY_WORDS}(?:\s+[\u4e00-\u9fff·]{{2,5}})?\s*(?:[：:\n]|$)")
_BRIEFS_TITLE = re.compile(r"简讯|簡訊|快讯|快訊|简报|簡報|速递|速遞|速览|速覽|一句话新闻|一句話新聞|集锦|集錦"
                           r"|短波|新闻串串烧|新聞串串燒|要闻速|要聞速|动态|動態|播报|播報")
_PHOTO_OPENING = re.compile(r"^\s*(?:图为|圖為|上图|上圖|下图|下圖|左图|左圖|右图|右圖|图[：:]|圖[：:])")
# An item of a briefs column: a paragraph opened by a bullet or by a dateline of its own. Not a bracketed heading
# (`【标题】`): a long story's subheadings look the same.
_ITEM_MARK = re.compile(r"^\s*[■□●○◆◇▲△★☆▶►•]")
_LETTER = re.compile(r"[^\W_]")
_BULLETS = " \t\u3000■□●○◆◇▲△★☆▶►•·"
# A sentence that ends a statement; a line without one of these at its end is a heading, a byline or a label.
_STATEMENT_END = re.compile(r"[。！？!?…；;．.][”’」』）)\]】〕》\"']*$")
_BRACKETED = re.compile(r"[（(【〔［\[][^\n]*[）)】〕］\]]")


def kind_of(text: str, title: str | None = None, stored_kind: str | None = None) -> str:
    """The kind of `text` (one of `KINDS`), from its title, its shape and, for an article as stored, its kind
    (`photo` for a photo story; one of `KINDS` is taken as it is)."""
    if stored_kind in KINDS:
        return stored_kind
    title = title or ""
    if _COMMENTARY_TITLE.search(title) or _COMMENTARY_BYLINE.match(text):
        return "commentary"
    paragraphs = _paragraphs(text)
    items = item_starts(text)
    if len(items) >= 3 or (len(paragraphs) >= 2 and _BRIEFS_TITLE.search(title)):
        return "briefs"
    if len(text.strip()) <= PHOTO_MAX_CHARS and (closing_credit_length(text.rstrip()) or _PHOTO_OPENING.match(text)):
        return "photo"
    if len(paragraphs) <= 1 and len(text.strip()) <= POST_MAX_CHARS and not opener_length(text.lstrip()):
        return "post"
    return "news"


def item_starts(text: str) -> list[int]:
    """Where the items of a briefs column start: each paragraph opened by a bullet or by a dateline of its own
    that is long enough to tell a story (a story's bulleted list of points is not a column), and the text before
    the first of them, an introduction, as an item too. Empty unless there are two items."""
    starts = [start for start, line in _paragraphs(text)
              if len(line.strip()) >= ITEM_MIN_CHARS and (_ITEM_MARK.match(line) or opener_length(line))]
    if len(starts) < 2:
        return []
    first = len(text) - len(text.lstrip())
    return starts if starts[0] == first else [first, *starts]


def trim_credits(text: str, sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences without the openers that start them and the photo credits that end them; a sentence that
    is nothing but those (`（记者 张三）` on its own) is left out."""
    trimmed = []
    for sentence in sentences:
        start, end = sentence.start, sentence.end
        start += len(text[start:end]) - len(text[start:end].lstrip(_BULLETS))
        # An opener or a credit is far shorter than these reaches: only the ends of a sentence are read.
        start += opener_length(text[start:min(end, start + 240)])
        end -= closing_credit_length(text[max(start, end - 120):end])
        while start < end and text[start] in _BULLETS + "，,：:、":
            start += 1
        if start == sentence.start and end == sentence.end:
            trimmed.append(sentence)
        elif _LETTER.search(text, start, end) if end > start else False:
            trimmed.append(Sentence(text[start:end], start, end))
    # A text that is nothing but an opener is summarised by it, rather than by nothing.
    return trimmed if trimmed or not sentences else list(sentences)


def _letters_at_least(sentence: Sentence, count: int) -> bool:
    return len(_LETTER.findall(sentence.text)) >= count


def headings_of(text: str, sentences: Sequence[Sentence]) -> list[bool]:
    """Which sentences are headings, bylines or labels rather than statements: a whole line that does not end as
    a statement does (`本报评论员`, `本报记者 张三 通讯员 李四`, a subheading), or a bracketed group standing as a
    sentence of its own (`【生态宜居：村容村貌焕然一新】`)."""
    breaks = [-1, *(match.start() for match in re.finditer("\n", text)), len(text)]
    headings = []
    for sentence in sentences:
        if _BRACKETED.fullmatch(sentence.text):
            headings.append(True)
            continue
        line = bisect_right(breaks, sentence.start) - 1  # the line break before the sentence
        line_start, line_end = breaks[line] + 1, breaks[bisect_left(breaks, sentence.end, line + 1)]
        whole_line = not text[line_start:sentence.start].strip() and not text[sentence.end:line_end].strip()
        headings.append(whole_line and not _STATEMENT_END.search(sentence.text))
    return headings


def sentence_priors(kind: str, text: str, sentences: Sequence[Sentence]) -> list[float]:
    """What each sentence is worth for where it stands, by the kind of text (a factor of its salience)."""
    n = len(sentences)
    decayed = [1 / (1 + POSITION_DECAY * i) for i in range(n)]
    if kind == "post" or n == 0:
        return decayed
    # Beyond a post, a heading or byline is no summary sentence while the text has a statement.
    headings = headings_of(text, sentences)
    if all(headings):
        headings = [False] * n
    if kind == "commentary":
        return [0.0 if heading else 1.0 for heading in headings]
    if kind == "briefs":
        starts = item_starts(text) or [start for start, _ in _paragraphs(text)]
        priors = [0.0 if heading else p for heading, p in zip(headings, decayed)]
        item = 0
        for i, sentence in enumerate(sentences):
            # The first statement at or after an item's start is its lede.
            while item < len(starts) and starts[item] <= sentence.start:
                if _letters_at_least(sentence, LEDE_MIN_LETTERS) and not headings[i]:
                    priors[i] = (1 + LEDE_BONUS) / (1 + POSITION_DECAY * item)
                    item += 1
                else:
                    break
        return priors
    # News and photo stories: the lede first.
    priors = [0.0 if heading else p for heading, p in zip(headings, decayed)]
    lede = lede_index(sentences, headings)
    if lede is not None:
        priors[lede] = (1 + LEDE_BONUS) * decayed[lede]
    return priors


def lede_index(sentences: Sequence[Sentence], headings: Sequence[bool] | None = None) -> int | None:
    """Which sentence is a news story's lede: the first statement long enough to say something (None: no such
    sentence). `headings` marks the sentences that are headings or bylines (`headings_of`)."""
    return next((i for i, sentence in enumerate(sentences)
                 if _letters_at_least(sentence, LEDE_MIN_LETTERS) and not (headings and headings[i])), None)


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Each line that is not blank, without its leading white space, and where that starts."""
    paragraphs, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            stripped = line.lstrip()
            paragraphs.append((position + len(line) - len(stripped), stripped))
        position += len(line) + 1
    return paragraphs

