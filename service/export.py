"""Every hit of a query taken away whole: CSV for spreadsheets, JSON lines, RIS for reference managers, and
GB/T 7714-2015 references (报纸析出文献, `[N]`) to paste into a bibliography.

`render` turns hits into text lazily, one batch of rows at a time, and `Engine.export` feeds it the hits a batch
at a time from the store: however many hits a query has, only one batch of articles is held at once (the
ranking itself is a pair of numbers per hit). Nothing here reads the store or knows HTTP: the web app and the
CLI stream what it yields.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator

from .articles import Article, quote_id
from .errors import QueryError

FORMATS = ("csv", "jsonl", "ris", "gbt7714")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
               "ris": "application/x-research-info-systems; charset=utf-8", "gbt7714": "text/plain; charset=utf-8"}
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "ris": "ris", "gbt7714": "txt"}
CSV_COLUMNS = ("id", "date", "section", "page", "title", "authors", "score", "summary", "link")
# The byte-order mark by which Excel knows a CSV file is UTF-8 (without it, it reads the system's code page).
BOM = "\ufeff"
# A cell Excel would run as a formula starts with one of these; such a cell is written with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# GB/T 7714-2015 8.1.2: more than three authors are cited as the first three and "等".
GBT_MAX_AUTHORS = 3
_PRINTED_PAGE = re.compile(r"第?\s*0*(\d+)\s*版?")


@dataclass(frozen=True)
class ExportHit:
    rank: int  # 1 for the first hit, in the order exported
    score: float
    article: Article  # title, section and authors in the script asked for
    summary: str


@dataclass(frozen=True)
class Citing:
    """What a citation needs beyond the article: the paper's name, where the archive is read, and when."""

    publication: str | None = None  # the newspaper's name (报纸名), e.g. 人民日报
    base_url: str | None = None  # an article's link is this followed by its percent-encoded id
    accessed: date | None = None  # the date cited (引用日期) of an online copy

    def link(self, article_id: str) -> str | None:
        return None if not self.base_url else self.base_url + quote_id(article_id)


def check_format(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in FORMATS:
        raise QueryError(f"parameter format must be one of {', '.join(FORMATS)}, got {str(value)[:40]!r}",
                         code="bad_format")
    return value.strip().lower()


def check_base_url(value: object) -> str | None:
    """A base for links: http(s), without a query or fragment (the id is appended to it)."""
    if value is None or value == "":
        return None
    if (not isinstance(value, str) or not re.fullmatch(r"https?://[^\s?#]+", value)):
        raise QueryError(f"the base URL for links must be an http:// or https:// address without ? or #, got "
                         f"{str(value)[:80]!r}", code="bad_base_url")
    if "/" not in value.split("://", 1)[1]:
        # The id would run on into the host or port (`http://host:5000p9ab…`): no link could work.
        raise QueryError(f"the base URL for links {value[:80]!r} has no path, so an id would run on into its host "
                         f"({value[:80]}p…); give the address articles are found under, ending in /, such as "
                         f"{value[:80]}/articles/", code="bad_base_url")
    return value


def render(hits: Iterable[ExportHit], fmt: str, citing: Citing = Citing()) -> Iterator[str]:
    """The hits as text in format `fmt`, a chunk per hit taken (lazily: a hit is read when its chunk is)."""
    fmt = check_format(fmt)
    if fmt == "csv":
        yield BOM + _csv_line(CSV_COLUMNS)
    for hit in hits:
        yield _WRITERS[fmt](hit, citing)


def _csv_line(cells: Iterable[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_row(hit: ExportHit, citing: Citing) -> str:
    a = hit.article
    return _csv_line([_cell(v) for v in (a.id, a.date, a.section, a.page, a.title, "、".join(a.authors),
                                         f"{hit.score:.4f}", hit.summary, citing.link(a.id))])


def _jsonl_row(hit: ExportHit, citing: Citing) -> str:
    a = hit.article
    return json.dumps({"rank": hit.rank, "id": a.id, "score": round(hit.score, 6), "date": a.date,
                       "section": a.section, "page": a.page, "position": a.position, "title": a.title,
                       "authors": list(a.authors), "kind": a.kind, "summary": hit.summary,
                       "link": citing.link(a.id)}, ensure_ascii=False) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ris_record(article: Article, summary: str = "", citing: Citing = Citing()) -> str:
    """One RIS record, type NEWS (Zotero: newspaper article; T2 its publication, SE its section, SP its
    page). Lines end in CR LF, as the RIS specification has them; every value is kept to one line."""
    lines = ["TY  - NEWS", f"TI  - {_one_line(_full_title(article))}"]
    lines += [f"AU  - {_one_line(name)}" for name in article.authors]
    if citing.publication:
        lines.append(f"T2  - {_one_line(citing.publication)}")
    if article.date:
        parts = article.date.split("-")
        lines.append(f"PY  - {parts[0]}")
        lines.append(f"DA  - {'/'.join(parts + [''] * (3 - len(parts)))}/")
    if article.section:
        lines.append(f"SE  - {_one_line(article.section)}")
    if article.page:
        lines.append(f"SP  - {_one_line(article.page)}")
    if summary:
        lines.append(f"AB  - {_one_line(summary)}")
    link = citing.link(article.id)
    if link:
        lines.append(f"UR  - {link}")
        if citing.accessed:
            lines.append(f"Y2  - {citing.accessed:%Y/%m/%d}/")
    lines += ["LA  - zh", f"ID  - {_one_line(article.id)}", "ER  - "]
    return "\r\n".join(lines) + "\r\n\r\n"


def _ris_row(hit: ExportHit, citing: Citing) -> str:
    return ris_record(hit.article, hit.summary, citing)


def _full_title(article: Article) -> str:
    """The headline and, as other title information (其他题名信息), its subtitle without the dash it opens with."""
    title = article.title or article.id
    subtitle = (article.subtitle or "").lstrip("—－-― ").strip()
    return f"{title}: {subtitle}" if subtitle else title


def printed_page(page: str | None) -> str | None:
    """The page as a citation gives it (版次): `第3版` and `03` as 3, a page code such as B03 as it is."""
    if not page:
        return None
    match = _PRINTED_PAGE.fullmatch(page.strip())
    return match[1] if match else page.strip()


def gbt7714(article: Article, citing: Citing = Citing()) -> str:
    """A reference to a newspaper article (报纸析出文献) as GB/T 7714-2015 sets it out:

        主要责任者. 题名[N]. 报纸名, 出版日期(版次).
        丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15).

    and, with a link to the archive's copy, as an online one (`[N/OL]`) with the date it was cited:

        主要责任者. 题名[N/OL]. 报纸名, 出版日期(版次)[引用日期]. 获取和访问路径.

    More than three authors are cited as the first three and `等`. An article without authors starts with its
    title, as the standard allows in numbered (顺序编码制) reference lists; a part not known (paper name, date,
    page) is left out with its punctuation.
    """
    parts = []
    if article.authors:
        names = list(article.authors[:GBT_MAX_AUTHORS]) + (["等"] if len(article.authors) > GBT_MAX_AUTHORS else [])
        parts.append(", ".join(names) + ". ")
    link = citing.link(article.id)
    parts.append(f"{_full_title(article)}[{'N/OL' if link else 'N'}]")
    where = ", ".join(x for x in (citing.publication, article.date) if x)
    page = printed_page(article.page)
    if page:
        where += f"({page})"
    if link and citing.accessed:
        where += f"[{citing.accessed.isoformat()}]"
    if where:
        parts.append(". " + where)
    parts.append(f". {link}." if link else ".")
    return "".join(parts)


def _gbt_row(hit: ExportHit, citing: Citing) -> str:
    return gbt7714(hit.article, citing) + "\n"


_WRITERS = {"csv": _csv_row, "jsonl": _jsonl_row, "ris": _ris_row, "gbt7714": _gbt_row}
