"""What the user typed -> a structured query.

The syntax is small and forgiving: anything that is not clearly an operator is
taken as text, so no ordinary input (`C++`, `“双减”`, `3:2`, a stray quote) is a
syntax error.

    医保 报销              both terms (AND; the engine falls back to OR ranking when that finds too little)
    "农业 发展"            a phrase: its words adjacent, in order
    灵芝 -盆景             exclude articles with 盆景
    医保 OR 医疗           either
    title:医保             in the title
    author:刘洪斌          by this author (also 作者:)
    section:城事           in this section (also 版面:)
    date:2018-02..2018-03  in this period (also 日期:); one end may be left open: date:..2018-03
    person:张三            naming this person (also 人物:); place:冠县 (地点:), org:农发行 (机构:) likewise;
                           several of one kind mean any of them
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from ..errors import QueryError

_FIELD_NAMES = {"title": "title", "标题": "title", "author": "author", "作者": "author",
                "section": "section", "版面": "section", "date": "date", "日期": "date"}
# People, places and organisations the articles name (`service.mentions`), in either script.
_ENTITY_FIELDS = {"person": "person", "人物": "person", "place": "place", "地点": "place", "地點": "place",
                  "org": "org", "机构": "org", "機構": "org"}
_FIELD_NAMES.update(_ENTITY_FIELDS)
_FIELD = re.compile(r"^(" + "|".join(map(re.escape, _FIELD_NAMES)) + r")[:：](.*)$", re.IGNORECASE)
_QUOTES = {'"': '"', "＂": "＂"}
_DATE_PART = re.compile(r"^(\d{4})(?:[-./](\d{1,2})(?:[-./](\d{1,2}))?)?$")
# A question asks for a fact that may stand anywhere in an article; a headline or a topic names what the
# article is about. Read on the folded text (Simplified, lower case), so Traditional questions are found too.
_QUESTION = re.compile(r"[?？]\s*$|什么|哪|谁|多少|几[个年次岁天种位名人]|怎么|怎样|如何|为何|为什么|是否|何时|何地|何人"
                       r"|[吗呢]\s*$")


@dataclass(frozen=True)
class Clause:
    text: str
    phrase: bool = False
    field: str | None = None  # None: title and body; "title": the title only


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    groups: tuple[tuple[Clause, ...], ...] = ()  # all groups must match; a group matches when any clause does
    excluded: tuple[Clause, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    date_from: str | None = None  # inclusive, ISO
    date_to: str | None = None  # inclusive, ISO
    notes: tuple[str, ...] = field(default=())
    entities: tuple[tuple[str, str], ...] = ()  # (person, place or org; name as typed)
    without_entities: tuple[tuple[str, str], ...] = ()  # -person:张三: articles naming them are left out

    @property
    def clauses(self) -> list[Clause]:
        return [clause for group in self.groups for clause in group]

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.sections or self.date_from or self.date_to or self.entities
                    or self.without_entities)


@dataclass(frozen=True)
class _Lexeme:
    text: str
    quoted: bool
    prefix: str = ""  # what stood before the opening quote: "-", "title:", ...
    start: int = 0  # where it stands in the text, quotes and prefix included
    end: int = 0


def _lex(text: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in _QUOTES:
            i += 1
        prefix = text[start:i]
        if i < n and text[i] in _QUOTES:
            close = text.find(_QUOTES[text[i]], i + 1)
            if close == -1:  # an unmatched quote is punctuation, not syntax
                rest_end = i + 1
                while rest_end < n and not text[rest_end].isspace():
                    rest_end += 1
                lexemes.append(_Lexeme(prefix + text[i + 1:rest_end], False, start=start, end=rest_end))
                i = rest_end
                continue
            lexemes.append(_Lexeme(text[i + 1:close], True, prefix, start=start, end=close + 1))
            i = close + 1
            continue
        lexemes.append(_Lexeme(prefix, False, start=start, end=i))
    return lexemes


def _period(value: str, end: bool) -> str | None:
    match = _DATE_PART.match(value.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            return f"{int(year):04d}-{int(month):02d}-{int(day):02d}" if 1 <= int(month) <= 12 and \
                1 <= int(day) <= calendar.monthrange(int(year), int(month))[1] else None
        if month:
            if not 1 <= int(month) <= 12:
                return None
            last = calendar.monthrange(int(year), int(month))[1]
            return f"{int(year):04d}-{int(month):02d}-{last if end else 1:02d}"
    except ValueError:
        return None
    return f"{int(year):04d}-12-31" if end else f"{int(year):04d}-01-01"


def _parse_dates(value: str) -> tuple[str | None, str | None]:
    low, sep, high = value.partition("..")
    if not sep:
        low = high = value
    date_from = _period(low, end=False) if low.strip() else None
    date_to = _period(high, end=True) if high.strip() else None
    if (low.strip() and date_from is None) or (high.strip() and date_to is None) or not (date_from or date_to):
        raise QueryError(f"date filter {value!r} is not a date or period; write it like 2018-02-28, 2018-02, "
                         "2018, or 2018-02..2018-03", code="bad_date_filter")
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"date filter {value!r} ends before it starts", code="bad_date_filter")
    return date_from, date_to


def parse(text: str) -> ParsedQuery:
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    authors: list[str] = []
    sections: list[str] = []
    entities: list[tuple[str, str]] = []
    without_entities: list[tuple[str, str]] = []
    date_from = date_to = None
    join_next = False
    for lexeme in _lex(text):
        body, quoted, prefix = lexeme.text, lexeme.quoted, lexeme.prefix
        if not quoted and body == "OR":
            join_next = bool(groups)
            continue
        negated = False
        marker = prefix if quoted else body
        if marker.startswith("-") and (quoted or len(body) > 1):
            negated = True
            if quoted:
                prefix = prefix[1:]
            else:
                body = body[1:]
        field_name = None
        match = _FIELD.match(prefix if quoted else body)
        if match and (quoted or match.group(2)):
            field_name = _FIELD_NAMES[match.group(1).lower()]
            if not quoted:
                body = match.group(2)
        elif quoted and prefix:
            # Text glued to a quote (`农业"发展"`) is text of its own.
            groups.append([Clause(prefix)])
        if not body.strip():
            continue
        if field_name == "author":
            authors.append(body.strip())
            continue
        if field_name == "section":
            sections.append(body.strip())
            continue
        if field_name == "date":
            date_from, date_to = _parse_dates(body)
            continue
        if field_name in ("person", "place", "org"):
            (without_entities if negated else entities).append((field_name, body.strip()))
            continue
        clause = Clause(body, phrase=quoted, field=field_name)
        if negated:
            excluded.append(clause)
        elif join_next and groups:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        join_next = False
    return ParsedQuery(raw=text, groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded),
                       authors=tuple(authors), sections=tuple(sections), date_from=date_from, date_to=date_to,
                       entities=tuple(entities), without_entities=tuple(without_entities))


def _filter_field(lexeme: _Lexeme) -> str | None:
    """"date" or "section" when the lexeme is that filter as `parse` reads it."""
    marker = lexeme.prefix if lexeme.quoted else lexeme.text
    if marker.startswith("-") and (lexeme.quoted or len(lexeme.text) > 1):
        marker = marker[1:]
    match = _FIELD.match(marker)
    if not match or not (lexeme.quoted or match.group(2)):
        return None
    name = _FIELD_NAMES[match.group(1).lower()]
    value = lexeme.text if lexeme.quoted else match.group(2)
    return name if name in ("date", "section") and value.strip() else None


def without_filters(text: str, *, dates: bool = True, section: bool = True) -> str:
    """`text` without its date filters and its first section filter: the ones a search takes as its date and
    section filters (`ParsedQuery.date_from`, `date_to`, `sections[0]`), so that a form showing those filters
    in fields of their own can carry the rest of the query beside them. `dates=False` or `section=False`
    leaves that kind in."""
    cuts, section_seen = [], False
    for lexeme in _lex(text):
        field_name = _filter_field(lexeme)
        if field_name == "date" and dates or field_name == "section" and section and not section_seen:
            section_seen = section_seen or field_name == "section"
            cuts.append((lexeme.start, lexeme.end))
    for start, end in reversed(cuts):
        text = text[:start] + text[end:]
    return " ".join(text.split())


def is_question(folded: str) -> bool:
    """Whether a query, folded as the analyzer folds it, is asked as a question (`…是谁？`, `如何…`)."""
    return bool(_QUESTION.search(folded))


SORTS = ("relevance", "newest", "oldest")


def check_sort(sort: object) -> str | None:
    """`sort` when it is one of SORTS (None: the query's default); QueryError naming the values otherwise."""
    if sort is None or (isinstance(sort, str) and not sort.strip()):
        return None
    if not isinstance(sort, str) or sort.strip().lower() not in SORTS:
        raise QueryError(f"parameter sort must be one of {', '.join(SORTS)}, got {str(sort)[:40]!r}",
                         code="bad_sort")
    return sort.strip().lower()
