"""From paths on disk to articles: which files to read and how.

- `.txt`: an OCR'd newspaper page (or several pages one after another), or a plain-text article whose first
  line is its title. `ReadOptions.txt` says which; "auto" decides per file (`looks_like_article`).
- `.jsonl`, `.csv`: article records (see `formats`).

Files are read one at a time (`iter_files`), so a caller can store each file's articles and report progress
before the next file is read. Article files on disk are read as they stream by, a line at a time, whatever
their size: only their articles are kept, never the file's whole text. Pages, split a whole file at a time,
and files that arrive in memory (uploads) are held to `max_file_bytes`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..articles import Article
from ..errors import InputError
from .encoding import decode, file_encoding
from .formats import FileNotes, Problem, check_columns, empty_text, read_csv, read_jsonl, read_text_article

if TYPE_CHECKING:  # the page splitter is imported when a file is read as pages, not before
    from .pages import Page

PAGE_SUFFIXES = (".txt",)
ARTICLE_SUFFIXES = (".jsonl", ".csv")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_LINE_CHARS = 1024 * 1024
MAX_PAGES_PER_FILE = 1000
TXT_MODES = ("auto", "page", "article")


@dataclass(frozen=True)
class ReadOptions:
    txt: str = "auto"  # how `.txt` files are read: "page", "article" or "auto"
    columns: dict[str, str] = field(default_factory=dict)  # CSV field -> header name, overriding the defaults
    max_file_bytes: int = MAX_FILE_BYTES  # pages and uploads; article files on disk are streamed, of any size
    max_line_chars: int = MAX_LINE_CHARS
    max_pages_per_file: int = MAX_PAGES_PER_FILE

    def __post_init__(self) -> None:
        if self.txt not in TXT_MODES:
            raise InputError(f"txt mode must be one of {', '.join(TXT_MODES)}, got {self.txt!r}", code="bad_option")


@dataclass
class FileResult:
    """What one file gave: its articles, records skipped (problems) and doubts about what was kept."""

    path: Path
    source: str
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # For each page read: the id prefix its articles share, so articles a page no longer yields
    # (after the splitter changed) can be removed when it is read again.
    page_prefixes: list[str] = field(default_factory=list)
    read_as: str = ""  # "page", "article", "jsonl", "csv"


@dataclass
class ReadResult:
    files: int = 0
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # skipped records and unreadable files
    warnings: list[str] = field(default_factory=list)  # doubts about what was read, kept anyway


def _wanted(path: Path) -> bool:
    return (path.is_file() and path.suffix.lower() in PAGE_SUFFIXES + ARTICLE_SUFFIXES
            and not path.name.startswith("."))


def collect_files(paths: list[Path]) -> list[Path]:
    """Files to read: those named, and the page and article files under named folders, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if _wanted(p) and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            if path.suffix.lower() not in PAGE_SUFFIXES + ARTICLE_SUFFIXES:
                raise InputError(f"{path}: cannot ingest {path.suffix or 'extension-less'} files; "
                                 f"give page or article {'/'.join(PAGE_SUFFIXES)} files or article "
                                 f"{'/'.join(ARTICLE_SUFFIXES)} files", code="unsupported_file")
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder", code="missing_path")
    return files


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    size = path.stat().st_size
    check_size(size, max_bytes, str(path))
    return decode(path.read_bytes(), str(path))


def check_size(size: int, max_bytes: int, source: str) -> None:
    if size > max_bytes:
        raise InputError(f"{source}: {size} bytes is larger than the {max_bytes}-byte limit for one file "
                         "(ingest.max_file_bytes)", code="file_too_large")


def longest_line(text: str) -> tuple[int, int]:
    """(length, 1-based line number) of the longest line, without copying the text line by line."""
    best, best_number, start, number = 0, 1, 0, 1
    while True:
        end = text.find("\n", start)
        length = (len(text) if end < 0 else end) - start
        if length > best:
            best, best_number = length, number
        if end < 0:
            return best, best_number
        start, number = end + 1, number + 1


MAX_UPLOAD_NAME_CHARS = 200
_UPLOAD_NAME_FORBIDDEN = re.compile(r"[/\\:\x00-\x1f\x7f]")


def check_upload_name(name: object) -> str:
    """The name an uploaded file was sent under, if it is a plain file name of a kind that can be ingested.

    Uploads are read in memory and never saved, but their names are still shown and recorded as sources:
    a name that reaches into folders (`../x`, `C:\\x`, `/etc/x`) is refused rather than cleaned up.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError("the uploaded file has no name; send it with a filename ending in "
                         f"{', '.join(PAGE_SUFFIXES + ARTICLE_SUFFIXES)}", code="bad_upload_name")
    if (len(name) > MAX_UPLOAD_NAME_CHARS or _UPLOAD_NAME_FORBIDDEN.search(name) or name.startswith(".")
            or ".." in name):
        raise InputError(f"upload name {name[:MAX_UPLOAD_NAME_CHARS]!r} is not a plain file name (no folders, "
                         "no leading dot, no '..', no control characters)", code="bad_upload_name")
    if Path(name).suffix.lower() not in PAGE_SUFFIXES + ARTICLE_SUFFIXES:
        raise InputError(f"upload {name!r}: cannot ingest {Path(name).suffix or 'extension-less'} files; send "
                         f"{', '.join(PAGE_SUFFIXES + ARTICLE_SUFFIXES)}", code="unsupported_file")
    return name


def _looks_like_page(text: str) -> bool:
    from .pages import looks_like_page

    return looks_like_page(text)


def page_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def page_articles(page: Page, text: str, source: str, source_page: int | None = None) -> list[Article]:
    """The page's items as articles, with ids that stay the same when the same page is read again."""
    key = page_key(text)
    return [Article(id=f"p{key}-{item.position:02d}", title=item.title, body=item.body, date=page.date,
                    section=page.section, page=page.code, authors=item.authors, kind=item.kind, source=source,
                    position=item.position, editor=page.editor, kicker=item.kicker, subtitle=item.subtitle,
                    source_page=source_page, warnings=item.warnings)
            for item in page.items]


# How alike (the Jaccard index of their character bigrams) an article of a corrected page and one of the page's
# earlier reading are at least, to be taken for the same story: an OCR correction changes a few characters of
# hundreds, while two stories of one page share only their common words.
SAME_STORY_BIGRAMS = 0.6


def _bigrams(article: Article) -> set[str]:
    text = f"{article.title}\n{article.body}"
    return {text[i:i + 2] for i in range(len(text) - 1)}


def match_readings(read_now: list[Article], read_before: list[Article]) -> dict[str, str]:
    """Which article of a page's earlier reading each article of its new reading is (new id -> old id): the
    same title, or text alike by `SAME_STORY_BIGRAMS`, most alike first, each at most once."""
    before = [(old, _bigrams(old)) for old in read_before]
    scored = []
    for new in read_now:
        grams = _bigrams(new)
        for old, old_grams in before:
            alike = len(grams & old_grams) / max(1, len(grams | old_grams))
            if (new.title and new.title == old.title) or alike >= SAME_STORY_BIGRAMS:
                scored.append((new.title == old.title and bool(new.title), alike, new.id, old.id))
    matched: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, new_id, old_id in sorted(scored, reverse=True):
        if new_id not in matched and old_id not in taken:
            matched[new_id] = old_id
            taken.add(old_id)
    return matched


def _read_pages(text: str, result: FileResult, max_pages: int) -> None:
    from .pages import split_pages

    pages = split_pages(text)
    if len(pages) > max_pages:
        result.problems.append(Problem(result.source, None, f"holds {len(pages)} pages; the limit is {max_pages} "
                                                            "(ingest.max_pages_per_file)"))
        return
    several = len(pages) > 1
    for number, (page_text, page) in enumerate(pages, start=1):
        # A file of one page keeps the id its whole text gives; in a file of several, each page is hashed
        # alone, so the same page gets the same ids whichever file it arrives in.
        where = f"{result.source} page {number}" if several else result.source
        key_text = page_text if several else text
        result.page_prefixes.append(f"p{page_key(key_text)}-")
        if not page.items:
            result.problems.append(Problem(where, None, "no articles found on this page"))
            continue
        result.warnings.extend(f"{where}: {w}" for w in page.warnings)
        for article in page_articles(page, key_text, result.source, number if several else None):
            result.warnings.extend(f"{where} #{article.position} {article.title or '(untitled)'}: {w}"
                                   for w in article.warnings)
            result.articles.append(article)


class _LineTooLong(Exception):
    def __init__(self, number: int, length: int):
        super().__init__(number, length)
        self.number, self.length = number, length


def _bounded_lines(stream, limit: int) -> Iterator[str]:
    """The stream's lines; _LineTooLong at the first longer than `limit`, read no further than its end."""
    number = 0
    while True:
        line = stream.readline(limit + 2)
        if not line:
            return
        number += 1
        length = len(line.rstrip("\n"))
        if length > limit:
            while not line.endswith("\n"):
                line = stream.readline(1 << 20)
                length += len(line.rstrip("\n"))
                if not line:
                    break
            raise _LineTooLong(number, length)
        yield line


def _read_records(lines, suffix: str, result: FileResult, options: ReadOptions) -> None:
    """A `.jsonl` or `.csv` file's articles, problems and warnings, from its whole text or its lines."""
    if suffix == ".jsonl":
        result.read_as = "jsonl"
        notes = FileNotes()
        try:
            check_columns(options.columns)
        except InputError as exc:
            result.problems.append(Problem(result.source, None, exc.message))
            return
        result.articles, result.problems = read_jsonl(lines, result.source, options.columns, notes)
        refused = notes.unmapped(options.columns)
        if refused is not None:
            result.articles, result.problems = [], [Problem(result.source, None, refused)]
            return
        result.warnings.extend(notes.warnings(result.source, options.columns))
    else:
        result.read_as = "csv"
        result.articles, result.problems, result.warnings = read_csv(lines, result.source, options.columns)


def _stream_records(path: Path, source: str, options: ReadOptions) -> FileResult:
    result = FileResult(path=path, source=source)
    try:
        encoding = file_encoding(path, source)
    except InputError as exc:
        result.problems.append(Problem(source, None, exc.message.removeprefix(f"{source}: ")))
        return result
    with open(path, encoding=encoding, newline=None) as stream:
        try:
            _read_records(_bounded_lines(stream, options.max_line_chars), path.suffix.lower(), result, options)
        except _LineTooLong as exc:
            # The JSON and CSV readers work a line at a time; one huge line is not a record.
            result = FileResult(path=path, source=source, read_as=result.read_as)
            result.problems.append(Problem(source, exc.number, f"line is {exc.length} characters long; the limit "
                                                               f"is {options.max_line_chars} (ingest.max_line_chars)"))
    return result


def read_file(path: Path, options: ReadOptions | None = None) -> FileResult:
    options = options or ReadOptions()
    source = path.as_posix()
    if path.suffix.lower() in ARTICLE_SUFFIXES:
        return _stream_records(path, source, options)
    try:
        text = read_text_file(path, options.max_file_bytes)
    except InputError as exc:
        result = FileResult(path=path, source=source)
        result.problems.append(Problem(source, None, exc.message.removeprefix(f"{path}: ")))
        return result
    return read_text(text, path, source, options)


def read_bytes(data: bytes, name: str, source: str, options: ReadOptions | None = None) -> FileResult:
    """A file that arrived without a path on disk (an upload): `name` gives its kind by its extension."""
    options = options or ReadOptions()
    path = Path(name)
    try:
        check_size(len(data), options.max_file_bytes, source)
        text = decode(data, source)
    except InputError as exc:
        result = FileResult(path=path, source=source)
        result.problems.append(Problem(source, None, exc.message.removeprefix(f"{source}: ")))
        return result
    return read_text(text, path, source, options)


def read_text(text: str, path: Path, source: str, options: ReadOptions) -> FileResult:
    result = FileResult(path=path, source=source)
    if len(text) > options.max_line_chars:
        length, number = longest_line(text)
        if length > options.max_line_chars:
            # The splitter and the JSON reader work a line at a time; one huge line is not a page or a record.
            result.problems.append(Problem(source, number, f"line is {length} characters long; the limit is "
                                                           f"{options.max_line_chars} (ingest.max_line_chars)"))
            return result
    suffix = path.suffix.lower()
    if suffix in ARTICLE_SUFFIXES:
        _read_records(text, suffix, result, options)
    elif (empty := empty_text(text)) is not None:
        result.problems.append(Problem(source, None, empty))
    elif options.txt == "article" or (options.txt == "auto" and not _looks_like_page(text)):
        result.read_as = "article"
        article, problem = read_text_article(text, source)
        if article is not None:
            result.articles.append(article)
        if problem is not None:
            result.problems.append(problem)
    else:
        result.read_as = "page"
        _read_pages(text, result, options.max_pages_per_file)
    return result


def iter_files(files: list[Path], options: ReadOptions | None = None) -> Iterator[FileResult]:
    for path in files:
        yield read_file(path, options)


def read_paths(paths: list[Path], options: ReadOptions | None = None) -> ReadResult:
    """Everything under `paths` at once (for small inputs and tests; ingest reads file by file)."""
    result = ReadResult()
    for read in iter_files(collect_files(paths), options):
        result.files += 1
        result.articles.extend(read.articles)
        result.problems.extend(read.problems)
        result.warnings.extend(read.warnings)
    return result
