"""The article: what every reader produces and every adapter shows."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import quote

from .errors import InputError, QueryError

MAX_ID_CHARS = 200
# Half of a UTF-16 surrogate pair on its own: JSON can spell one (`"\ud800"`), but it is not text, and no
# UTF-8 file, SQLite string or hash can hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str  # paragraphs separated by "\n"
    date: str | None = None  # ISO "YYYY-MM-DD" (or "YYYY-MM", "YYYY")
    section: str | None = None
    page: str | None = None
    authors: tuple[str, ...] = ()
    kind: str = "article"  # "article" or "photo"
    source: str | None = None  # file it came from
    position: int | None = None  # order on its page
    editor: str | None = None
    kicker: str | None = None  # the line set above a headline (引题)
    subtitle: str | None = None  # the line set below it (副题), e.g. "——记……"
    source_page: int | None = None  # which page of its file, when a file holds several
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    @property
    def content_hash(self) -> str:
        fields = [self.title, self.body, self.date, self.section, self.page, list(self.authors), self.kind]
        # Only when present, so articles stored before these fields existed keep their hashes.
        if self.kicker or self.subtitle:
            fields += [self.kicker or "", self.subtitle or ""]
        payload = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["warnings"] = list(self.warnings)
        data["paragraphs"] = self.paragraphs
        return data


STANDIN_CHARS = 20


def standin_title(text: str | None) -> str:
    """What is shown for an article that has no title (a record mapped without one, a page item whose title the
    splitter did not find): the opening of its text, so its link has something to click and tells it apart. ""
    when there is no text either. Only for display: the article's `title` stays empty."""
    words = " ".join((text or "").split())
    return words if len(words) <= STANDIN_CHARS else words[:STANDIN_CHARS] + "…"


def check_id(article_id: object) -> str:
    """An id as archives give them (`2018-02-28/B03/1`, `Q_ANN_TST_003022#00`, `新闻 12?`): any printable text
    up to MAX_ID_CHARS characters. Refused: control characters, line and paragraph separators, other invisible
    ones (`str.isprintable`), spaces at either end (never told apart when typed), and `.` or `..` alone or
    between slashes, which a URL path resolves away. URLs carry an id percent-encoded (`article_path`); the
    index's one-id-a-line files hold no line break."""
    if not isinstance(article_id, str) or not article_id:
        raise InputError(f"article id must be a non-empty string, got {article_id!r}", code="bad_id")
    if len(article_id) > MAX_ID_CHARS:
        raise InputError(f"article id is longer than {MAX_ID_CHARS} characters", code="bad_id")
    if not article_id.isprintable():
        bad = next(c for c in article_id if not c.isprintable())
        raise InputError(f"article id {article_id[:MAX_ID_CHARS]!r} holds U+{ord(bad):04X}, a control, separator "
                         "or other character that is not printable", code="bad_id")
    if article_id != article_id.strip():
        raise InputError(f"article id {article_id!r} begins or ends with a space", code="bad_id")
    if {".", ".."} & set(article_id.split("/")):
        # `a/../b` is `b` to whatever resolves it as a path or an unencoded URL: never an id of its own.
        raise InputError(f"article id {article_id!r} is . or .., or has one between slashes (a path step that "
                         "URLs and paths resolve away)", code="bad_id")
    return article_id


def quote_id(article_id: str) -> str:
    """The id percent-encoded for one segment of a URL path or a query value: every character but letters,
    digits and `-._~` (so `/`, `#`, `%`, `?` and spaces too), as UTF-8."""
    return quote(article_id, safe="")


def article_path(article_id: str, prefix: str = "/articles/") -> str:
    """Where an article is read, its id percent-encoded: `2018-02-28/B03/1` -> `/articles/2018-02-28%2FB03%2F1`."""
    return prefix + quote_id(article_id)


def check_text(text: str, what: str, code: str = "bad_text", error: type[InputError | QueryError] = InputError
               ) -> str:
    """`text`, unless it holds a lone surrogate: then `error` naming `what` and where."""
    found = _LONE_SURROGATE.search(text)
    if found is not None:
        raise error(f"{what} holds U+{ord(found.group()):04X} at character {found.start() + 1}, half of a "
                         "UTF-16 surrogate pair on its own, which is not text (a JSON escape such as \\ud800 "
                         "without its other half?)", code=code)
    return text


def content_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:16]}"
