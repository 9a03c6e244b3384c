"""Article files, read and validated record by record: `.jsonl` (one JSON object a line), `.csv` (a header
row naming the columns) and plain-text articles (`.txt`, first line the title). A bad record is a `Problem`
with its file and line number; the good ones are kept."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from ..articles import Article, check_id, check_text, content_id
from ..errors import InputError

_TEXT_FIELDS = ("title", "date", "section", "page", "source", "kicker", "subtitle")
_AUTHOR_SEPARATORS = re.compile(r"[\s、,，;；/]+")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Problem:
    """Something in an input that was skipped, with where it was."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


def record_to_article(record: object, source: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", code="bad_record")
    body = record.get("body", record.get("text"))
    if not isinstance(body, str) or not body.strip():
        raise InputError("record has no text: give a non-empty string in `body` or `text`", code="bad_record")
    values: dict[str, str | None] = {}
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, (str, int)):
            raise InputError(f"field `{name}` must be a string, got {type(value).__name__}", code="bad_record")
        values[name] = None if value is None or str(value).strip() == "" else str(value).strip()
    if values["date"] is not None and not _DATE.match(values["date"]):
        raise InputError(f"field `date` must look like 2018-02-28, got {values['date']!r}", code="bad_record")
    authors = record.get("authors", [])
    if isinstance(authors, str):
        authors = [a for a in _AUTHOR_SEPARATORS.split(authors) if a]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise InputError("field `authors` must be a list of strings or one string", code="bad_record")
    kind = record.get("kind", "article")
    if kind not in ("article", "photo"):
        raise InputError(f"field `kind` must be article or photo, got {kind!r}", code="bad_record")
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
                   source=values["source"] or source, kicker=values["kicker"], subtitle=values["subtitle"])


def read_jsonl(text: str, source: str) -> tuple[list[Article], list[Problem]]:
    """Every good record, plus a problem (with its line number) for each bad one."""
    records: list[tuple[int, object]] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(Problem(source, number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
        except RecursionError:
            problems.append(Problem(source, number, "not valid JSON (nested too deeply)"))
    articles, more = _records_to_articles(records, source)
    return articles, sorted(problems + more, key=lambda p: p.line or 0)


def read_records(records: list, source: str) -> tuple[list[Article], list[Problem]]:
    """Records already parsed (a JSON request's `articles`); problems are numbered by position from 1."""
    return _records_to_articles(list(enumerate(records, start=1)), source)


def _records_to_articles(records: list[tuple[int, object]], source: str) -> tuple[list[Article], list[Problem]]:
    articles: list[Article] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, record in records:
        try:
            article = record_to_article(record, source)
        except InputError as exc:
            problems.append(Problem(source, number, exc.message))
            continue
        if article.id in seen:
            problems.append(Problem(source, number, f"id {article.id!r} already given on line {seen[article.id]}; "
                                                    "the later record wins"))
            articles = [a for a in articles if a.id != article.id]
        seen[article.id] = number
        articles.append(article)
    return articles, problems


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
}


def csv_header_map(header: list[str], columns: dict[str, str] | None = None) -> tuple[dict[str, int], list[str]]:
    """(field -> column index, names of columns that map to no field). `columns` maps a field to the header
    name to read it from, overriding the defaults; it raises InputError naming a field or column it cannot use."""
    names = [name.strip() for name in header]
    folded = [name.casefold() for name in names]
    mapping: dict[str, int] = {}
    for field_name, column in (columns or {}).items():
        if field_name not in CSV_COLUMNS:
            raise InputError(f"unknown field {field_name!r} in the column mapping; fields are "
                             f"{', '.join(CSV_COLUMNS)}", code="bad_column_map")
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


def read_csv(text: str, source: str, columns: dict[str, str] | None = None) -> tuple[list[Article], list[Problem],
                                                                                    list[str]]:
    """Every good row as an article, a problem (with its line number) for each bad one, and warnings
    about the file as a whole (columns that were not used)."""
    problems: list[Problem] = []
    warnings: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text.split("\n", 1)[0]))
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
    records: list[tuple[int, dict]] = []
    line_end = reader.line_num
    while True:
        start = line_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(source, start, f"not valid CSV ({exc})"))
            if reader.line_num == line_end:
                break
            line_end = reader.line_num
            continue
        line_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(source, start, f"{len(row)} fields where the header has {len(header)}"))
            continue
        records.append((start, {name: row[index] for name, index in mapping.items() if row[index].strip() != ""}))
    articles, more = _records_to_articles(records, source)
    return articles, sorted(problems + more, key=lambda p: p.line or 0), warnings


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


def read_text_article(text: str, source: str) -> tuple[Article | None, Problem | None]:
    """A `.txt` article: the first non-empty line is the title, the rest the body. Where the body has blank
    lines they separate paragraphs (lines between them are joined); otherwise each line is a paragraph."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None, Problem(source, None, "empty file")
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
