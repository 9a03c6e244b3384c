"""Bylines, photo credits and openers, and the names they hold.

At step 3 a byline (``(苏扬帆 周威)``) closes an article and a photo credit (``记者 李军 摄影报道``) a photo
story; an opener (``本报讯（记者 张三）``) begins an article, its names taken for the authors when no byline
closes it. A line that is a byline or an opener is no headline (`layout._is_title_like`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .lines import _BULLETS, _compact

# --- names, bylines and photo credits ------------------------------------------

_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}(?:[·•・‧][\u4e00-\u9fff]{1,8})+")
_BYLINE = re.compile(r"^[(（]([^()（）]{2,60})[)）]$")
# Words that sit in parentheses at an article's end but are not names.
_NOT_NAMES = frozenset({"待续", "未完", "续完", "未完待续", "全文完", "本文完", "图片", "资料图", "资料图片", "供图",
                        "待續", "續完", "未完待續", "圖片", "資料圖", "資料圖片", "供圖"})
# An issue's, part's or session's number in brackets (`（第九期）`, `（第三届）`, `（之二）`, `（上篇）`) closes a headline, never a
# story: no one is named `第九期`.
_NUMBERING = re.compile(r"第[一二三四五六七八九十百千零〇两]{1,5}[期届次集版部章回篇辑批轮号]"
                        r"|之[一二三四五六七八九十]{1,3}|[上中下续][篇集]")
# Longest first: a role is stripped from the front of the token it starts.
_ROLES = ("新华社特约记者", "新华社记者", "人民日报记者", "光明日报记者", "经济日报记者", "中新社记者", "中新网记者",
          "新華社特約記者", "新華社記者", "人民日報記者", "光明日報記者", "經濟日報記者", "中新社記者", "中新網記者",
          "本报特约记者", "本报见习记者", "本报实习记者", "特约通讯员", "本报记者", "特约记者", "见习记者",
          "实习记者", "摄影记者", "通讯员", "实习生", "记者", "本报", "新华社", "中新社", "新華社",
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
    more characters each stood where a space was; one leaving a single character broke a name in two. Two
    single characters in a row are one name padded to the width of three (`龚 刚`), as credits set them; three are
    one name letter-spaced (`丁 振 帆`)."""
    pieces: list[str] = []
    for token in _CREDIT_SPLIT.split(text):
        parts = token.split(_BREAK)
        merged = [parts[0]]
        for part in parts[1:]:
            # A name broken after its dot (`木合塔尔·` / `依明`) goes on.
            if len(merged[-1]) >= 2 and len(part) >= 2 and not merged[-1].endswith(_NAME_DOTS):
                merged.append(part)
            else:
                merged[-1] += part
        pieces.extend(t for t in merged if t)
    tokens: list[str] = []
    run: list[str] = []  # lone characters in a row: letter-spaced names, two or three characters each
    for piece in pieces + [""]:
        if len(piece) == 1:
            run.append(piece)
            continue
        while run:
            take = 3 if len(run) in (3, 5) else 2  # `丁 振 帆`; `龚 刚 李 明` is two names
            tokens.append("".join(run[:take]))
            run = run[take:]
        if piece:
            tokens.append(piece)
    return tokens


_NAME_DOTS = ("·", "•", "・", "‧")


# A role set without spaces between names (`记者龙欣实习生孔伟平`) still separates them.
_INNER_ROLE = re.compile("|".join(sorted(map(re.escape, _ROLES), key=len, reverse=True)))


# A role broken over two lines (`通讯` / `员 丁 振 帆`) is still a role.
_ROLE_BROKEN = re.compile("|".join(sorted((re.escape(role[:i]) + _BREAK + re.escape(role[i:])
                                           for role in _ROLES for i in range(1, len(role))), key=len, reverse=True)))


# The outlet a reporter works for, set before the role (`中央人民广播电台记者刘振英`): a word ending in what outlets'
# names end in, standing at a name's place right before a role.
_AFFILIATION = re.compile(r"(?:^|(?<=[\s、，,/]))[\u4e00-\u9fff]{1,10}(?:电台|电视台|通讯社|日报社|日报|晚报|报社|杂志社|新闻社|"
                          r"電台|電視台|通訊社|日報社|日報|晚報|報社|雜誌社|新聞社)"
                          r"(?=(?:特约|特約|见习|見習|实习|實習|摄影|攝影)?(?:记者|記者|通讯员|通訊員))")


def _names_in(credit: str) -> tuple[str, ...] | None:
    """The names in ``记者 张三 李四``-like text (roles dropped), or None if anything else is in it."""
    names = []
    credit = _ROLE_BROKEN.sub(lambda broken: broken.group().replace(_BREAK, ""), credit)
    credit = _AFFILIATION.sub("", credit)
    for token in _credit_tokens(_INNER_ROLE.sub(lambda role: f" {role.group()} ", credit)):
        token, _, _ = _strip_role(token)
        if not token:
            continue
        if token in _NOT_NAMES or not _NAME.fullmatch(token) or _NUMBERING.fullmatch(token):
            return None
        names.append(token)
    return tuple(names)


def _byline_names(line: str) -> tuple[str, ...] | None:
    """``(苏扬帆 周威)`` / ``（刘华伟）`` -> the names; None if the line is not a byline."""
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    names = _names_in(match.group(1))
    if names and names[-1].endswith(_PHOTO_SUFFIXES):
        return None  # `（上官萍 欧阳兰摄）`: a photo's credit
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
    if names and 1 <= len(names) <= 4 and len(_compact(joined)) <= 40 and not names[-1].endswith(_PHOTO_SUFFIXES):
        return following, names
    return None


# A byline run on after the last sentence (`…取消补贴资格。(记者 何墨)`), whole or wrapping onto the next line
# (`…第三名。（记者 龙欣 实习` / `生 孔伟平）`).
_RUN_ON_BYLINE = re.compile(r"^(.*[。！？!?…”’」』])\s*([(（][^()（）]{0,40})$")


# The common surnames (the first of a name of two or three characters): a single name in brackets after a
# story's last sentence (`（苏萱）`) is a byline when it opens with one; `（图四）`, `（待续）` do not.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝扎"
    "劉陳楊黃趙吳週孫馬郭鄭梁謝韓馮鄧曹彭曾蕭葉蘇魏呂盧薑鍾譚陸範賈韋鄒閆顧龔萬錢嚴湯樊齊喬龐顏聶魯歐"
    "關蘭甯紀單裴塗駱藍靳鮑饒穆車婁竇衛")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "歐陽",
                      "司馬", "諸葛")


def _looks_like_a_name(token: str) -> bool:
    if token.startswith(_COMPOUND_SURNAMES):
        return 3 <= len(token) <= 4
    return 2 <= len(token) <= 3 and token[0] in _SURNAMES


def _reporter_closes(inside: str, following: str) -> bool:
    """Whether a bracket naming a reporter by role (`（记者 郝艳）`) ends its story though a line follows with no gap
    (the next story's headline, `…哀悼。（记者 郝艳）` / `人民日报国际部主办…`): a role and a name after a finished
    sentence close a story, and no story's text goes on after them. Not a photo's credit (`（通讯员 贺倩` / `摄）`), whose
    photo's title may follow, nor over a bracketed line (a jump line)."""
    text = inside.replace(_BREAK, "")
    return (bool(_INNER_ROLE.search(text)) and not text.endswith(_PHOTO_SUFFIXES)
            and following.strip()[:1] not in "（(")


def _run_on_byline_at(lines: list[str | None], start: int) -> tuple[int, str, tuple[str, ...]] | None:
    """A byline run on at the end of the line at ``start``: (index of its last line, the text before it,
    names). Words in brackets after a sentence (`（图四）`) are one only with a role in them (`记者`), two names
    or one opening with a common surname, and where a gap, the page's end or a briefs item's bullet follows, as
    it follows an article's end (or, where a role names a reporter, any line: `_reporter_closes`)."""
    line = lines[start]
    if line is None or ("（" not in line and "(" not in line):
        return None
    text = line.strip()
    whole = re.match(r"^(.*[。！？!?…”’」』])\s*([(（][^()（）]{2,40}[)）])$", text)
    if whole:
        end, before, inside = start, whole.group(1), whole.group(2)[1:-1]
    else:
        opened = _RUN_ON_BYLINE.match(text)
        if not opened:
            return None
        # The byline may wrap over up to two more lines, each holding names only, the last closing it.
        parts, end = [opened.group(2)[1:]], start
        gap = 0
        while True:
            end += 1
            if end == start + 1 and end + 1 < len(lines) and lines[end] is None:
                end, gap = end + 1, 1  # a column break inside the byline (`…成员国？（记者 段` / gap / `远）`)
            if end >= len(lines) or lines[end] is None or end - start - gap >= _MAX_CREDIT_LINES:
                return None
            rest = lines[end].strip()
            if any(ch in rest[:-1] for ch in "()（）") or len(_compact(rest)) > 16:
                return None
            if rest.endswith((")", "）")):
                parts.append(rest[:-1])
                break
            parts.append(rest)
        before, inside = opened.group(1), _BREAK.join(parts)
    if (end + 1 < len(lines) and lines[end + 1] is not None and lines[end + 1].strip()[:1] not in _BULLETS + "【"
            and not _reporter_closes(inside, lines[end + 1])):
        # An article ends at a gap, the page's end, or the next briefs item's bullet or bracketed headline; one its
        # reporter's byline closes ends whatever follows.
        return None
    names = _names_in(inside)
    if names and (_PHOTO_WORDS.intersection(names) or names[-1].endswith(_PHOTO_SUFFIXES)):
        # a photo's credit (`（记者 吕鹏 通讯员 姚强 摄影报道）`, `（上官萍 欧阳兰摄）`), read as one
        return None
    if not names or len(names) > 4 or (len(names) < 2 and not _INNER_ROLE.search(inside.replace(_BREAK, ""))
                                        and not _looks_like_a_name(names[0])):
        return None
    return end, before, names


# A photo credit run on after a caption's last sentence: `…走进校园。（记者 薛琪 摄）`, maybe wrapping
# (`…1200余副。（记者 郭伟` / `摄）`), or without brackets after a role (`…前来观赏。 记者 苏华芳` / `摄`).
_RUN_ON_CREDIT = re.compile(r"^(.*[。！？!?…”’」』])\s*(?:([(（])([^()（）]{0,40}[)）]?)|((?:本报|本報|新华社|新華社|中新社)?"
                            r"(?:特约|特約)?(?:摄影记者|攝影記者|记者|記者|通讯员|通訊員)[^()（）。！？]{0,30}))$")


def _run_on_credit_at(lines: list[str | None], start: int) -> tuple[int, str, tuple[str, ...]] | None:
    """A photo credit run on at the end of the line at ``start``: (index of its last line, the caption's text
    before it, names). Unlike a byline it needs no gap after it: its photo mark (`摄`) settles it, and a photo
    story's title may come straight after its caption."""
    line = lines[start]
    if line is None:
        return None
    match = _RUN_ON_CREDIT.match(line.strip())
    if not match:
        return None
    bracketed = match.group(2) is not None
    parts, end = [match.group(3) if bracketed else match.group(4)], start
    closed = not bracketed
    if bracketed and parts[0].endswith((")", "）")):
        parts[0], closed = parts[0][:-1], True
    while not _credit_complete(parts, bracketed, closed):
        end += 1
        if end >= len(lines) or lines[end] is None or end - start >= _MAX_CREDIT_LINES:
            return None
        rest = lines[end].strip()
        if len(_compact(rest)) > 16 or any(ch in rest[:-1] for ch in "()（）"):
            return None
        if bracketed and rest.endswith((")", "）")):
            rest, closed = rest[:-1], True
        parts.append(rest)
    credit = ""
    for part in parts:
        glued = credit and (len(credit.split(" ")[-1]) == 1 or len(part.split(" ")[0]) == 1)
        credit += ("" if glued or not credit else " ") + part
    parsed = _parse_credit_line(credit)
    if bracketed and parsed is None and (spaced := _letter_spaced_credit(credit)):
        return end, match.group(1), spaced
    # In brackets after a caption's sentence, a mark glued to the last name (`（上官萍 欧阳兰摄）`) is the credit's too.
    if parsed is None or not parsed.names or not (parsed.photo_mark or parsed.glued_mark and (parsed.has_role or bracketed)):
        return None
    return end, match.group(1), tuple(parsed.names)


def _letter_spaced_credit(credit: str) -> tuple[str, ...] | None:
    """The names of a credit set letter-spaced, its mark spaced too (`记者 赵 伟 摄`): read as a byline's names, the
    mark then ends the last one."""
    names = _names_in(credit)
    if not names:
        return None
    last = names[-1]
    for suffix in _PHOTO_SUFFIXES:
        if last.endswith(suffix) and len(last) - len(suffix) >= 2:
            return names[:-1] + (last[:-len(suffix)],)
    return None


def _credit_complete(parts: list[str], bracketed: bool, closed: bool) -> bool:
    if bracketed:
        return closed
    last = parts[-1].strip()
    return any(last.endswith(mark) for mark in _PHOTO_SUFFIXES)


@dataclass
class _CreditLine:
    names: list[str] = field(default_factory=list)
    has_role: bool = False
    photo_mark: bool = False  # "摄影报道", "摄", "图" standing as a word, or a photographer's role
    glued_mark: bool = False  # "李军摄": trusted only after a role word


def _parse_credit_line(line: str) -> _CreditLine | None:
    """``记者 李军 通讯员 陈勇`` / ``相茂弟 摄影报道``: roles, names and photo marks only, or None."""
    result = _CreditLine()
    # A credit may stand in brackets of its own (`（本报记者 唐凯平 谢娟静` / `摄）`).
    text = unicodedata.normalize("NFKC", line).strip()
    text = text[1:] if text[:1] == "(" else text
    text = text[:-1] if text[-1:] == ")" and "(" not in text else text
    for token in _CREDIT_SPLIT.split(text):
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
    if lines[start] is not None and _WORDS_AND_PICTURES.match(lines[start].strip()):
        return None  # `文/图 郭林宁`: one wrote the story and took its pictures, a byline under a headline
    names: list[str] = []
    has_role = False
    for index in range(start, min(start + _MAX_CREDIT_LINES, len(lines))):
        line = lines[index]
        parsed = _parse_credit_line(line) if line is not None else None
        if parsed is None:
            return None
        names.extend(parsed.names)
        has_role = has_role or parsed.has_role
        # "张三摄" alone could end a sentence about filming; a role word before it settles it, or the line standing
        # alone between a caption's last sentence and a photo's short title.
        if parsed.photo_mark or (parsed.glued_mark and (has_role or _lone_glued_credit(lines, start, index, parsed))):
            return (index, tuple(names)) if names else None
        if not has_role:
            return None
    return None


def _lone_glued_credit(lines: list[str | None], start: int, index: int, parsed: _CreditLine) -> bool:
    """Whether names with the photo mark glued to the last (`何辉勇摄`, `许杰静 孙东亮摄`) stand on a line of their own
    between a caption's last sentence and a short title under it: no sentence is one line of names ending on 摄."""
    if index != start or not all(_looks_like_a_name(name) for name in parsed.names):
        return False
    above = _near_line(lines, start, -1)
    below = _near_line(lines, start, 1)
    if above is None or below is None or not _compact(above).endswith(_SENTENCE_ENDS):
        return False
    title = _compact(below)
    return 2 <= len(title) <= _PHOTO_TITLE_AT_MOST and not any(mark in title for mark in "。！？；，,!?;：:")


def _near_line(lines: list[str | None], index: int, step: int) -> str | None:
    """The line next to ``index`` in direction ``step``, over one gap at most."""
    for near in (index + step, index + 2 * step):
        if 0 <= near < len(lines) and lines[near] is not None:
            return lines[near]
        if not 0 <= near < len(lines):
            return None
    return None


_SENTENCE_ENDS = ("。", "！", "？", "!", "?", "”", "」", "』", "）", ")")
_PHOTO_TITLE_AT_MOST = 16


# --- openers: 本报讯（记者 张三 李四） -------------------------------------------

# A dateline may name its country in brackets (`新华社必打灵查亚（马来西亚）7月27日电`) and a story retold from an
# agency's wire opens with `据` (`据新华社北京7月9日电`).
_OPENER = re.compile(r"^(?:(?:本报|本報)(?:讯|訊)|(?:据|據)?(?:本报|本報|新华社|新華社|中新社|中新網|中新网|人民网|人民網)"
                     r"[^\s（(，,。：:]{0,14}?(?:[（(][\u4e00-\u9fff]{2,8}[)）][^\s（(，,。：:]{0,10}?)?(?:电|電|讯|訊))")
# The names after a dateline without brackets, up to `报道：` (`本报北京11月10日讯记者唐进修报道：`), a role among them.
_REPORTED = re.compile(r"^([^。！？；;()（）]{2,40}?)(?:报道|報道)[：:]")


# A byline set on a line of its own under the headline, without brackets: `本报记者 唐航`, `◎本报记者 吕楠 钟鑫`,
# `文/本报记者 夏浩明`, `文/图　郭林宁`, `文·图郭平宁`, `记者 张三 通讯员 李四`.
_WORDS_AND_PICTURES = re.compile(r"^文\s*[/／·・]\s*[图圖]")
_BYLINE_LINE_MARK = re.compile(r"^(?:◎|●|文\s*[/／·・]\s*[图圖]\s*|文\s*[/／|｜]\s*|图文\s*[/／|｜]\s*|圖文\s*[/／|｜]\s*)")


_COMMENTATOR = re.compile(r"^(?:本报|本報|新华社|新華社|人民日报|人民日報|光明日报|光明日報|经济日报|經濟日報)?(?:特约|特約)?"
                          r"(?:评论员|評論員)$")


def _byline_line_names(line: str | None) -> tuple[str, ...] | None:
    """The names of a line that is only a byline, roles in it (`本报记者 唐航`); None for any other line."""
    if line is None:
        return None
    text = line.strip()
    marked = _BYLINE_LINE_MARK.match(text)
    rest = text[marked.end():] if marked else text.lstrip(_BULLETS + " ")
    if not rest or len(_compact(rest)) > 30 or re.search(r"[（()）]", rest):
        return None
    if _COMMENTATOR.match(_compact(rest)):
        return ()  # an editorial's byline names the paper's commentator, no one by name
    # Unmarked, it must open with a role and set its names apart by spaces (`记者节到了` is no byline).
    if not marked and not (_INNER_ROLE.match(rest) and " " in rest):
        return None
    names = _names_in(rest)
    return names if names and 1 <= len(names) <= 4 else None


def _bulleted_name(line: str | None) -> tuple[str, ...] | None:
    """A commentary's byline under its headline, a bullet and one name (`□ 徐瑞`, `■徐晨涵`): the name, or None.
    Alone a bullet marks a briefs item's headline as often; only a name with a common surname is read so."""
    if line is None or line.strip()[:1] not in _BULLETS:
        return None
    name = _compact(line.strip().lstrip(_BULLETS))
    return (name,) if _looks_like_a_name(name) else None


def _rejoined_byline_line(line: str | None, following: str | None) -> str | None:
    """A byline line under a headline wrapped onto the next line (`本報記者 何詠詩 黃文傑 通` / `訊員 鄭偉倫`)
    as one line, or None. The break stood for a space unless it left a lone character on either side or broke a
    name after its dot (`阿依古丽·` / `吐尔逊`)."""
    if line is None or following is None or _byline_line_names(line) is not None:
        return None
    credit = _parse_credit_line(line)
    if credit is not None and credit.photo_mark:
        return None  # a photo's credit, complete: what follows is the photo's title (`菊 展 吸 引 游 客`)
    first, second = line.strip(), following.strip()
    if len(_compact(second)) > 16 or _byline_line_names(second) is not None:
        return None
    glued = len(first.split(" ")[-1]) == 1 or len(second.split(" ")[0]) == 1 or first.endswith(("·", "•", "・"))
    joined = first + ("" if glued else " ") + second
    return joined if _byline_line_names(joined) is not None else None


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
        # A bracket closing before the dateline ends is the country's (`…查亚（马来西亚）7` / `月27日电`).
        if ((any(ch in line for ch in ")）") and _OPENER.match(_compact("".join(parts))))
                or len(_compact("".join(parts))) > 48):
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
    elif (reported := _REPORTED.match(rest)) and _INNER_ROLE.search(reported.group(1)):
        position = _position_after(text, lead.end())
        end = _position_after(text, lead.end() + len(reported.group(1)))
        names = _names_in(text[position:end])
        if names and len(names) <= 6:
            return _Opener(authors=names, length=lead.end() + reported.end())
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
