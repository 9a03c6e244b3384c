"""From paths on disk to articles: which files to read and how."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..articles import Article
from ..errors import InputError
from .encoding import decode
from .formats import Problem, read_jsonl
from .pages import Page, split_page

PAGE_SUFFIXES = (".txt",)
ARTICLE_SUFFIXES = (".jsonl",)
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class ReadResult:
    files: int = 0
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # skipped records and unreadable files
    warnings: list[str] = field(default_factory=list)  # doubts about what was read, kept anyway


def collect_files(paths: list[Path]) -> list[Path]:
    """Files to read: those named, and the page and article files under named folders, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES + ARTICLE_SUFFIXES
                                and not p.name.endswith(".gold.json")))
        elif path.is_file():
            if path.suffix.lower() not in PAGE_SUFFIXES + ARTICLE_SUFFIXES:
                raise InputError(f"{path}: cannot ingest {path.suffix or 'extension-less'} files; "
                                 f"give page {'/'.join(PAGE_SUFFIXES)} or article "
                                 f"{'/'.join(ARTICLE_SUFFIXES)} files", code="unsupported_file")
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder", code="missing_path")
    return files


def read_text_file(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: {size} bytes is larger than the {MAX_FILE_BYTES}-byte limit for one file",
                         code="file_too_large")
    return decode(path.read_bytes(), str(path))


def page_articles(page: Page, text: str, source: str) -> list[Article]:
    """The page's items as articles, with ids that stay the same when the same page is read again."""
    page_key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return [Article(id=f"p{page_key}-{item.position:02d}", title=item.title, body=item.body, date=page.date,
                    section=page.section, page=page.code, authors=item.authors, kind=item.kind, source=source,
                    position=item.position, editor=page.editor, warnings=item.warnings)
            for item in page.items]


def read_paths(paths: list[Path]) -> ReadResult:
    result = ReadResult()
    for path in collect_files(paths):
        source = path.as_posix()
        result.files += 1
        try:
            text = read_text_file(path)
        except InputError as exc:
            result.problems.append(Problem(source, None, exc.message.removeprefix(f"{source}: ")))
            continue
        if path.suffix.lower() in ARTICLE_SUFFIXES:
            articles, problems = read_jsonl(text, source)
            result.articles.extend(articles)
            result.problems.extend(problems)
        else:
            page = split_page(text)
            if not page.items:
                result.problems.append(Problem(source, None, "no articles found on this page"))
                continue
            result.warnings.extend(f"{source}: {w}" for w in page.warnings)
            for article in page_articles(page, text, source):
                result.warnings.extend(f"{source}#{article.position} {article.title}: {w}" for w in article.warnings)
                result.articles.append(article)
    return result
