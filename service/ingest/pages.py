"""OCR'd newspaper page -> articles.

Interface only; the splitter is filled in below.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageItem:
    kind: str  # "article" or "photo"
    title: str
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]
    position: int  # 1-based order on the page
    warnings: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Page:
    code: str | None  # e.g. "B03"
    section: str | None  # e.g. "城事"
    date: str | None  # ISO "2018-02-28"
    editor: str | None
    layout: str | None  # 组版
    items: tuple[PageItem, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = ()


def split_page(text: str) -> Page:
    raise NotImplementedError
