"""Article files, read and validated record by record: `.jsonl` (one JSON object a line), `.csv` (a header
row naming the columns) and plain-text articles (`.txt`, first line the title). A bad record is a `Problem`
with its file and line number; the good ones are kept."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ..articles import Article, check_id, check_text, content_id
from ..errors import InputError

_TEXT_FIELDS = ("title", "date", "section", "page", "source", "kicker", "subtitle")
_AUTHOR_SEPARATORS = re.compile(r"[\s、,，;；/]+")
# A date, or a whole date with a time of day (`2012-07-02 19:06:13`, `2012-07-02T19:06:13+08:00`): the date is
# kept as written, the time of day is not stored.
_DATE = re.compile(r"(\d{4}(?:-\d{2}(?:-\d{2})?)?)"
                   r"|(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?")
KINDS = ("article", "photo")
DEFAULT_KIND = "article"
MAX_POSITION = 1_000_000
# The fields a `.jsonl` record is read for; any other is named in a warning once per file.
RECORD_FIELDS = frozenset({"id", "body", "text", "authors", "kind", "position", *_TEXT_FIELDS})


@dataclass(frozen=True)
class Problem:
    """Something in an input that was skipped, with where it was."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class FileNotes:
    """What a file's records held that was read anyway, to be said once per file rather than once a record."""

    unknown_fields: Counter = field(default_factory=Counter)  # field name -> records holding it
    unknown_kinds: Counter = field(default_factory=Counter)  # kind value -> records giving it
    mapped: Counter = field(default_factory=Counter)  # field name mapped from (--column) -> records holding it
    fields: Counter = field(default_factory=Counter)  # every field name the records hold -> records holding it

    def warnings(self, source: str, columns: dict[str, str] | None = None) -> list[str]:
        out = []
        if self.unknown_fields:
            named = ", ".join(f"{name} ({count})" for name, count in self.unknown_fields.most_common())
            out.append(f"{source}: fields not read: {named}; read one as a field with --column FIELD=NAME "
                       f"(e.g. --column section={self.unknown_fields.most_common(1)[0][0]})")
        if self.unknown_kinds:
            named = ", ".join(f"{value} ({count})" for value, count in self.unknown_kinds.most_common())
            out.append(f"{source}: kind values not known: {named}; those records were kept as "
                       f"{DEFAULT_KIND} (kinds are {', '.join(KINDS)})")
        return out

    def unmapped(self, columns: dict[str, str] | None) -> str | None:
        """Why a file whose records hold none of the fields `columns` maps from cannot be read with it, or None.
        Read anyway, every record would lose the field it maps to: an article stored again with an empty title
        (or date, or section) replaces the one the archive holds."""
        if not self.fields:
            return None  # no record was an object: the file's problems already say why
        for field_name, name in (columns or {}).items():
            if not self.mapped[name]:
                held = ", ".join(n for n, _ in self.fields.most_common(20))
                return (f"no record has the field {name!r} given for {field_name} (--column {field_name}={name}); "
                        f"the records' fields are: {held}. Nothing of the file was read")
        return None


def check_columns(columns: dict[str, str] | None) -> None:
    """A column mapping names only fields articles have; InputError naming the one that is not."""
    for field_name in columns or {}:
        if field_name not in CSV_COLUMNS:
            raise InputError(f"unknown field {field_name!r} in the column mapping; fields are "
                             f"{', '.join(CSV_COLUMNS)}", code="bad_column_map")


def _mapped(record: dict, columns: dict[str, str], notes: FileNotes | None) -> dict:
    """`record` with each mapped field read from the name it is mapped from (`--column section=category`)."""
    out = {k: v for k, v in record.items() if k not in columns}  # a mapped field is read from its name only
    for field_name, name in columns.items():
        if name in record:
            out[field_name] = record[name]
            if notes is not None:
                notes.mapped[name] += 1
    return out


def record_date(value: str) -> str | None:
    """The date a record gives (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`, or a whole date with a time of day), or None
    when it is none of these."""
    match = _DATE.fullmatch(value)
    return None if match is None else match[1] or match[2]


def record_to_article(record: object, source: str, notes: FileNotes | None = None,
                      columns: dict[str, str] | None = None) -> Article:
    """The article a record gives; InputError naming what makes it unusable. What is read anyway (unknown
    fields, an unknown kind kept as the default one) is counted in `notes`."""
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", code="bad_record")
    if notes is not None:
        notes.fields.update(str(name) for name in record)
    if columns:
        record = _mapped(record, columns, notes)
    if notes is not None:
        for name in record:
            if name not in RECORD_FIELDS and name not in (columns or {}).values():
                notes.unknown_fields[str(name)] += 1
    body = record.get("body", record.get("text"))
    if not isinstance(body, str) or not body.strip():
        raise InputError("record has no text: give a non-empty string in `body` or `text`", code="bad_record")
    values: dict[str, str | None] = {}
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, (str, int)):
            raise InputError(f"field `{name}` must be a string, got {type(value).__name__}", code="bad_record")
        values[name] = None if value is None or str(value).strip() == "" else str(value).strip()
    if values["date"] is not None:
        day = record_date(values["date"])
        if day is None:
            raise InputError(f"field `date` must look like 2018-02-28 (a time after it is allowed: 2018-02-28 "
                             f"19:06:13), got {values['date']!r}", code="bad_record")
        values["date"] = day
    authors = record.get("authors", [])
    if isinstance(authors, str):
        authors = [a for a in _AUTHOR_SEPARATORS.split(authors) if a]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise InputError("field `authors` must be a list of strings or one string", code="bad_record")
    position = record.get("position")
    if isinstance(position, str) and position.strip().isdigit():
        position = int(position)
    elif isinstance(position, str) and not position.strip():
        position = None
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)
                                 or not 0 <= position <= MAX_POSITION):
        raise InputError(f"field `position` (the order on its printed page) must be a whole number, got "
                         f"{str(position)[:40]!r}", code="bad_record")
    kind = record.get("kind")
    if kind is None or (isinstance(kind, str) and not kind.strip()):
        kind = DEFAULT_KIND
    elif kind not in KINDS:
        # A kind of the exporting system (`item`, `news`) says nothing this archive reads: the article is kept.
        if notes is not None:
            notes.unknown_kinds[str(kind)[:40]] += 1
        kind = DEFAULT_KIND
    for name, value in [("body", body), *values.items(), *(("authors", a) for a in authors)]:
        if isinstance(value, str):
            check_text(value, f"field `{name}`", code="bad_record")
    title = values["title"] or ""
    if "id" in record and record["id"] is not None:
        raw_id = record["id"]
        article_id = check_id(str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else raw_id)
    else:
        article_id = content_id("a", title, body)
    return Article(id=article_id, title=title, body=body.strip(), date=values["date"], section=values["section"],
                   page=values["page"], authors=tuple(a.strip() for a in authors if a.strip()), kind=kind,
                   source=values["source"] or source, kicker=values["kicker"], subtitle=values["subtitle"],
                   position=position)


def read_jsonl(text: str | Iterable[str], source: str, columns: dict[str, str] | None = None,
               notes: FileNotes | None = None) -> tuple[list[Article], list[Problem]]:
    """Every good record, plus a problem (with its line number) for each bad one. `text` is the whole file,
    or its lines one at a time (a file read as it streams by: no more than one line of it is held)."""
    problems: list[Problem] = []
    lines = text.split("\n") if isinstance(text, str) else text
    seen = {"characters": False, "records": False}

    def records() -> Iterator[tuple[int, object]]:
        for number, line in enumerate(lines, start=1):
            seen["characters"] = seen["characters"] or bool(line)
            if not line.strip():
                continue
            seen["records"] = True
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(source, number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            except RecursionError:
                problems.append(Problem(source, number, "not valid JSON (nested too deeply)"))

    articles = _records_to_articles(records(), source, problems, notes, columns)
    if not seen["records"]:
        # A file of no records is a mistake to name (a truncated export, the wrong file), not a quiet success.
        problems.append(Problem(source, None, empty_text(" " if seen["characters"] else "")))
    return articles, sorted(problems, key=lambda p: p.line or 0)


def read_records(records: list, source: str, notes: FileNotes | None = None) -> tuple[list[Article], list[Problem]]:
    """Records already parsed (a JSON request's `articles`); problems are numbered by position from 1."""
    problems: list[Problem] = []
    return _records_to_articles(enumerate(records, start=1), source, problems, notes), problems


def _records_to_articles(records: Iterable[tuple[int, object]], source: str, problems: list[Problem],
                         notes: FileNotes | None = None, columns: dict[str, str] | None = None) -> list[Article]:
    """The articles of `records`, a problem appended for each bad one; a repeated id keeps the later record."""
    kept: dict[str, tuple[int, Article]] = {}
    for number, record in records:
        try:
            article = record_to_article(record, source, notes, columns)
        except InputError as exc:
            problems.append(Problem(source, number, exc.message))
            continue
        earlier = kept.pop(article.id, None)
        if earlier is not None:
            problems.append(Problem(source, number, f"id {article.id!r} already given on line {earlier[0]}; "
                                                    "the later record wins"))
        kept[article.id] = (number, article)
    return [article for _, article in kept.values()]


# --- .csv --------------------------------------------------------------------------------------------------

# Header names each field is found under when no mapping is given, compared without case or surrounding space.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "编号"),
    "title": ("title", "headline", "标题", "题目"),
    "body": ("body", "text", "content", "正文", "内容"),
    "date": ("date", "日期"),
    "section": ("section", "栏目", "版名"),
    "page": ("page", "版面", "版次"),
    "authors": ("authors", "author", "byline", "作者"),
    "source": ("source", "来源"),
    "kind": ("kind", "类型"),
    "kicker": ("kicker", "引题"),
    "subtitle": ("subtitle", "副题", "副标题"),
    "position": ("position", "位置"),
}


def csv_header_map(header: list[str], columns: dict[str, str] | None = None) -> tuple[dict[str, int], list[str]]:
    """(field -> column index, names of columns that map to no field). `columns` maps a field to the header
    name to read it from, overriding the defaults; it raises InputError naming a field or column it cannot use."""
    names = [name.strip() for name in header]
    folded = [name.casefold() for name in names]
    mapping: dict[str, int] = {}
    check_columns(columns)
    for field_name, column in (columns or {}).items():
        if column.strip().casefold() not in folded:
            raise InputError(f"column {column!r} (for {field_name}) is not in the header row "
                             f"({', '.join(names)})", code="bad_column_map")
        mapping[field_name] = folded.index(column.strip().casefold())
    for field_name, aliases in CSV_COLUMNS.items():
        if field_name in mapping:
            continue
        for alias in aliases:
            if alias.casefold() in folded and folded.index(alias.casefold()) not in mapping.values():
                mapping[field_name] = folded.index(alias.casefold())
                break
    unused = [names[i] for i in range(len(names)) if i not in mapping.values() and names[i]]
    return mapping, unused


def _sniff_delimiter(first_line: str) -> str:
    return "\t" if "\t" in first_line and "," not in first_line else ","


def read_csv(text: str | Iterable[str], source: str, columns: dict[str, str] | None = None
             ) -> tuple[list[Article], list[Problem], list[str]]:
    """Every good row as an article, a problem (with its line number) for each bad one, and warnings
    about the file as a whole (columns that were not used). `text` is the whole file or its lines."""
    problems: list[Problem] = []
    warnings: list[str] = []
    lines = iter(io.StringIO(text, newline="") if isinstance(text, str) else text)
    first = next(lines, "")
    if not first:
        return [], [Problem(source, None, empty_text(""))], []
    reader = csv.reader(itertools.chain([first], lines), delimiter=_sniff_delimiter(first.split("\n", 1)[0]))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [Problem(source, 1, f"header row is not valid CSV ({exc})")], []
    if not header or not any(name.strip() for name in header):
        return [], [Problem(source, 1, "no header row: the first line must name the columns")], []
    try:
        mapping, unused = csv_header_map(header, columns)
    except InputError as exc:
        return [], [Problem(source, 1, exc.message)], []
    if "body" not in mapping:
        return [], [Problem(source, 1, f"no body column: name one body, text or content, or map one with "
                                       f"--column body=NAME (header: {', '.join(h.strip() for h in header)})")], []
    if unused:
        warnings.append(f"{source}: columns not read: {', '.join(unused)}")

    def records() -> Iterator[tuple[int, dict]]:
        line_end = reader.line_num
        while True:
            start = line_end + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.append(Problem(source, start, f"not valid CSV ({exc})"))
                if reader.line_num == line_end:
                    return
                line_end = reader.line_num
                continue
            line_end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(Problem(source, start, f"{len(row)} fields where the header has {len(header)}"))
                continue
            yield start, {name: row[index] for name, index in mapping.items() if row[index].strip() != ""}

    articles = _records_to_articles(records(), source, problems)
    return articles, sorted(problems, key=lambda p: p.line or 0), warnings


# --- plain-text articles ------------------------------------------------------------------------------------

def _join_wrapped(lines: list[str]) -> str:
    """Lines of one paragraph wrapped by an editor: Chinese joins directly, words of spaced scripts get a space."""
    out = ""
    for line in lines:
        line = line.strip()
        if out and line and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def empty_text(text: str) -> str | None:
    """What is wrong with a file's text that holds nothing to read, or None when it holds some."""
    if text.strip():
        return None
    return "the file is empty" if not text else "the file is empty: it holds only blank lines and spaces"


def read_text_article(text: str, source: str) -> tuple[Article | None, Problem | None]:
    """A `.txt` article: the first non-empty line is the title, the rest the body. Where the body has blank
    lines they separate paragraphs (lines between them are joined); otherwise each line is a paragraph."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None, Problem(source, None, empty_text(text) or "the file is empty")
    title = " ".join(lines[first].split())
    rest = lines[first + 1:]
    if any(not line.strip() for line in _strip_blank_ends(rest)):
        paragraphs, block = [], []
        for line in rest + [""]:
            if line.strip():
                block.append(line)
            elif block:
                paragraphs.append(_join_wrapped(block))
                block = []
    else:
        paragraphs = [line.strip() for line in rest if line.strip()]
    body = "\n".join(paragraphs)
    if not body:
        return None, Problem(source, first + 1, "article has a title line but no body")
    return Article(id=content_id("t", title, body), title=title, body=body, source=source), None


def _strip_blank_ends(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]
