"""Article files: one JSON object a line (`.jsonl`), read and validated record by record."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..articles import Article, check_id, content_id
from ..errors import InputError

_TEXT_FIELDS = ("title", "date", "section", "page", "source")
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
    title = values["title"] or ""
    if "id" in record and record["id"] is not None:
        raw_id = record["id"]
        article_id = check_id(str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else raw_id)
    else:
        article_id = content_id("a", title, body)
    return Article(id=article_id, title=title, body=body.strip(), date=values["date"], section=values["section"],
                   page=values["page"], authors=tuple(a.strip() for a in authors if a.strip()), kind=kind,
                   source=values["source"] or source)


def read_jsonl(text: str, source: str) -> tuple[list[Article], list[Problem]]:
    """Every good record, plus a problem (with its line number) for each bad one."""
    articles: list[Article] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(source, number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
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
