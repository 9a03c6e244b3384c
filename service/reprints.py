"""The same story printed twice: near-duplicate articles found by MinHash over character shingles.

Chinese papers print one story many times (one 新华社 dispatch in many papers, a story re-run, one page ingested
from two OCR passes). The copies differ by OCR noise (spaces inside words, line breaks, a few characters read
wrong), by an opener or byline one of them has, or by a final paragraph one of them lost. They are found so:

1. The text compared is the body, folded by the analyzer (widths, Traditional to Simplified, case), its opener
   (`本报讯（记者 张三）`, `新华社北京3月5日电`) and closing credit dropped, and then every character that is not a
   letter or a digit dropped: spaces, line breaks and punctuation are where OCR passes differ most, and they say
   nothing about which story it is.
2. Its shingles are the overlapping runs of `SHINGLE` characters, hashed to 64 bits.
3. A MinHash signature of `PERMUTATIONS` values (multiply-shift hashing of the shingle hashes) is cut into
   `BANDS` bands of `ROWS` values; two texts whose signatures agree on one whole band are candidates (LSH). The
   band keys are what the article store indexes, so a new article finds its candidates among millions by a few
   index look-ups.
4. A candidate pair is verified on the shingle sets themselves: it is the same story when the smaller text's
   shingles are mostly in the larger (`containment`, which a cut paragraph or an added opener barely moves)
   and the two overlap as a whole (`jaccard`, which keeps a short item quoted inside a long roundup apart).
   Distinct articles on one topic share names and phrases, not runs of their sentences, and stay below both.

Copies form groups: the first article of a group compared, its copies, and their copies (`groups`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from .text.lede import closing_credit_length, opener_length

# Bump when a change below would find other copies: stores then find every article's copies again.
DETECTOR_VERSION = 1

SHINGLE = 3  # characters a shingle spans (tuned on CMRC 2018: docs/reprints.md)
BANDS = 32
ROWS = 3
PERMUTATIONS = BANDS * ROWS
MIN_CHARS = 40  # texts shorter than this (letters and digits) are not compared: a short notice repeats by nature
MIN_CONTAINMENT = 0.72
MIN_JACCARD = 0.4
GROUP_STEPS = 2  # how far a group's articles may be from its first, in verified pairs (`groups`)

_MASK64 = (1 << 64) - 1
_KEY_BITS = 58  # a band key: band number in the top bits, the band's hash below, within a signed 64-bit integer
_NOT_WORD = re.compile(r"[\W_]+")


def _constants(count: int, seed: int) -> np.ndarray:
    """Fixed odd 64-bit multipliers: the same on every machine and run, so stored band keys stay comparable."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return rng.integers(0, 1 << 63, size=count, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


_SHINGLE_MULTIPLIERS = _constants(SHINGLE, 7)
_PERM_A = (_constants(PERMUTATIONS, 11) >> np.uint64(32)).astype(np.uint32) | np.uint32(1)
_PERM_B = (_constants(PERMUTATIONS, 13) >> np.uint64(32)).astype(np.uint32)
_BAND_MULTIPLIERS = _constants(ROWS, 17)
_KEY_LOW = np.uint64((1 << _KEY_BITS) - 1)
_BAND_HIGH = np.arange(BANDS, dtype=np.uint64) << np.uint64(_KEY_BITS)


@dataclass(frozen=True)
class Sketch:
    """What one article is compared by: its shingle hashes (sorted, unique) and its LSH band keys."""

    shingles: np.ndarray  # uint64
    keys: tuple[int, ...]  # empty for a text too short to compare

    @property
    def comparable(self) -> bool:
        return bool(self.keys)


def comparable_text(body: str, fold: Callable[[str], str]) -> str:
    """The body as compared: without opener and closing credit, letters and digits only, folded. Punctuation
    goes before folding: full-width punctuation is what makes most Chinese text need NFKC's slow path."""
    text = body.strip()
    text = text[opener_length(text):]
    text = text[:len(text) - closing_credit_length(text)]
    return _NOT_WORD.sub("", fold(_NOT_WORD.sub("", text)))


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the input moves every bit of the output."""
    x = values.copy()
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def shingles(text: str) -> np.ndarray:
    """Hashes of every run of SHINGLE characters of `text`, sorted and unique (uint64)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    count = codes.size - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    hashed = np.zeros(count, dtype=np.uint64)
    for offset, multiplier in enumerate(_SHINGLE_MULTIPLIERS):
        hashed += codes[offset:offset + count] * multiplier
    return _sorted_unique(_mix(hashed))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` by sorting: several times faster than its hashing for an article's few hundred values."""
    values.sort()
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of a non-empty shingle set: PERMUTATIONS minima (uint32). Each permutation is
    x -> a * x + b modulo 2**32 (a odd: a bijection) of the shingle hash's top 32 bits, which are already well
    mixed; in 32 bits, ten times faster than the same in 64."""
    top = (hashes >> np.uint64(32)).astype(np.uint32)
    values = np.multiply.outer(_PERM_A, top)
    values += _PERM_B[:, None]
    return values.min(axis=1)


def band_keys(minima: np.ndarray) -> tuple[int, ...]:
    """One key per band: the band number and a hash of its ROWS minima, each a signed 64-bit integer."""
    rows = minima.astype(np.uint64).reshape(BANDS, ROWS)
    hashed = _mix((rows * _BAND_MULTIPLIERS[None, :]).sum(axis=1, dtype=np.uint64))
    return tuple(((hashed & _KEY_LOW) | _BAND_HIGH).astype(np.int64).tolist())


def sketch(body: str, fold: Callable[[str], str]) -> Sketch:
    """An article body's sketch: shingles and band keys (none when the text is too short to compare)."""
    text = comparable_text(body, fold)
    hashes = shingles(text)
    if len(text) < MIN_CHARS or not hashes.size:
        return Sketch(hashes, ())
    return Sketch(hashes, band_keys(signature(hashes)))


@dataclass(frozen=True)
class Overlap:
    containment: float  # shared shingles / the smaller set's
    jaccard: float  # shared shingles / all shingles of either

    @property
    def same_story(self) -> bool:
        return self.containment >= MIN_CONTAINMENT and self.jaccard >= MIN_JACCARD


def overlap(a: np.ndarray, b: np.ndarray) -> Overlap:
    """How far two shingle sets (sorted, unique) overlap."""
    if not a.size or not b.size:
        return Overlap(0.0, 0.0)
    shared = np.intersect1d(a, b, assume_unique=True).size
    return Overlap(shared / min(a.size, b.size), shared / (a.size + b.size - shared))


def same_story(a: Sketch, b: Sketch) -> bool:
    return a.comparable and b.comparable and overlap(a.shingles, b.shingles).same_story


# Shingle hashes (8 bytes each) of the earlier articles one write has read again to verify a candidate, kept so
# each is read and shingled once: at most 512 MB. (Keeping only the latest few thousand read most of a
# 100,000-article write again and again, 520,136 reads, and cost more than it saved.) An evicted one is read
# again, with the same outcome.
KEPT_SHINGLES = 64_000_000
CHUNK = 500  # articles sketched, looked up and written together


@dataclass
class Comparison:
    """What one `find_copies` did: articles compared, LSH candidate pairs, pairs verified on their shingles
    (both comparable), pairs found to be copies, and earlier articles read and sketched again to verify."""

    compared: int = 0
    candidates: int = 0
    verified: int = 0
    copies: int = 0
    resketched: int = 0

    def to_dict(self) -> dict:
        return dict(vars(self))


class _Kept:
    """The shingles of a write's latest sketches, oldest dropped first past `limit` shingle hashes in all."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.items: dict[str, np.ndarray] = {}  # insertion order: oldest first

    def get(self, article_id: str) -> np.ndarray | None:
        return self.items.get(article_id)

    def put(self, article_id: str, hashes: np.ndarray) -> None:
        if article_id in self.items:
            return
        self.items[article_id] = hashes
        self.size += hashes.size
        while self.size > self.limit and self.items:
            oldest = next(iter(self.items))
            self.size -= self.items.pop(oldest).size


def sharing_keys(ids: list[str], keys: list[tuple[int, ...]], stored: dict[int, list[str]]) -> list[set[str]]:
    """For each of a chunk's articles, in order, its LSH candidates: the articles stored before the chunk that
    have one of its band keys (`stored`: key -> ids), and the articles before it in the chunk that share one.
    Most keys are nobody else's: only the few that are shared are walked in Python."""
    found: list[set[str]] = [set() for _ in ids]
    arrays = [np.asarray(own, dtype=np.int64) for own in keys if own]
    if not arrays:
        return found
    flat = np.concatenate(arrays)
    owner = np.repeat(np.arange(len(ids)), [len(own) for own in keys])
    if stored:
        for position in np.flatnonzero(np.isin(flat, np.fromiter(stored, dtype=np.int64, count=len(stored)))):
            found[owner[position]].update(stored[int(flat[position])])
    # Equal keys side by side, each run in chunk order (a stable sort of keys laid out article by article).
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    run_start, previous = 0, -2
    for position in np.flatnonzero(ordered[1:] == ordered[:-1]).tolist():
        if position != previous + 1:
            run_start = position
        later = found[owner[order[position + 1]]]
        later.update(ids[owner[order[q]]] for q in range(run_start, position + 1))
        previous = position
    return found


def find_copies(writer, fold: Callable[[str], str], analyzer_fingerprint: str,
                kept_shingles: int = KEPT_SHINGLES, among: list[str] | None = None) -> Comparison:
    """Sketch every stored article that has no sketch yet (those the write added or replaced; all of them when
    the store has none, or when they were made another way) and record the copies each has among the articles
    sketched before it. `writer` is the store's write transaction (`Store.writing()`): copies land with the
    articles. Articles are taken `CHUNK` at a time: their band keys looked up among the stored ones at once,
    the earlier articles they are candidates with read at once, their sketches and pairs written at once.
    `among`: the articles the write added or replaced, where to look first for those without a sketch (any other
    is still found, by a pass over the store)."""
    done = Comparison()
    wanted = fingerprint(analyzer_fingerprint)
    if writer.meta("reprints_fingerprint") != wanted:
        writer.forget_all_copies()
        writer.set_meta("reprints_fingerprint", wanted)
    todo = writer.unsketched(among)
    kept = _Kept(kept_shingles)
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        articles = writer.articles(chunk)  # a damaged row is left out: `jiansuo check` names it
        mine = {i: sketch(articles[i].body, fold) for i in chunk if i in articles}
        # Candidates among the articles compared before this chunk, in one look-up; within it, as they come.
        stored = writer.band_members(sorted({k for s in mine.values() for k in s.keys}))
        found = sharing_keys(list(mine), [s.keys for s in mine.values()], stored)
        theirs = {c: kept.get(c) for candidates in found for c in candidates if c not in mine}
        unknown = sorted(c for c, known in theirs.items() if known is None)
        for other in writer.articles(unknown).values():
            theirs[other.id] = shingles(comparable_text(other.body, fold))  # its band keys are stored already
        done.resketched += len(unknown)
        rows = []
        for (article_id, own), candidates in zip(mine.items(), found):
            copies = []
            # A candidate shares a band key, so both are comparable (long enough to have keys).
            for c in candidates:
                other = mine[c].shingles if c in mine else theirs.get(c)
                if other is None:
                    continue  # a damaged row: `jiansuo check` names it
                done.verified += 1
                if overlap(own.shingles, other).same_story:
                    copies.append(c)
            done.candidates += len(candidates)
            done.copies += len(copies)
            rows.append((article_id, articles[article_id].content_hash, own.keys, sorted(copies)))
        writer.put_sketches(rows)
        for article_id in unknown:
            if theirs[article_id] is not None:
                kept.put(article_id, theirs[article_id])
    done.compared = len(todo)
    return done


def fingerprint(analyzer_fingerprint: str) -> str:
    """Changes whenever the same articles could be found to be other copies."""
    description = [DETECTOR_VERSION, SHINGLE, BANDS, ROWS, MIN_CHARS, MIN_CONTAINMENT, MIN_JACCARD,
                   analyzer_fingerprint]
    return hashlib.sha256(json.dumps(description).encode("utf-8")).hexdigest()[:16]


def distinct(groups: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each group of `groups` once. Its members share one tuple, told apart by identity: a set of the tuples
    would hash every member's whole group again, which is quadratic in a group's size (a dispatch printed
    thousands of times)."""
    return list({id(group): group for group in groups.values()}.values())


def groups(links: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Each article that has copies -> its whole group (itself included, sorted).

    `links` are the verified pairs as (the article compared later, the one compared earlier), in the order the
    later ones were compared and, for each, its earlier copies in the order they were. A group grows from the
    first article of it compared: an article joins the group of the first of its earlier copies that is that
    first article or a copy of it, or else starts a group of its own. So every member is a copy of the first
    or of a copy of it. Copies are not followed further: near-duplicates chain (boilerplate shared by a weather
    report and a market table, a story rewritten a paragraph at a time from one edition to the next), and
    followed from pair to pair they make one story of hundreds of thousands of articles. Two steps are
    followed because copies arrive in any order: a noisy OCR pass ingested before the clean page leads its
    group, and another noisy pass may be a copy of the clean page only."""
    return Grouping().extended(links).groups


class Grouping:
    """`groups` of some links, kept so that the links of articles compared after them grow them: an article's
    group depends only on the links before it, so groups grown link by link are those of all the links."""

    def __init__(self):
        self.first: dict[str, str] = {}  # article -> the first article of its group, for those that joined one
        self.steps: dict[str, int] = {}  # how many verified pairs away from that first article
        self.members: dict[str, tuple[str, ...]] = {}  # a group's first article -> the group
        self.groups: dict[str, tuple[str, ...]] = {}  # what `groups` gives
        # the `groups` these grew from, and the first articles of the groups that grew (`Stories.regrouped`)
        self.grown_from: dict[str, tuple[str, ...]] | None = None
        self.changed: tuple[str, ...] = ()

    def extended(self, links: Iterable[tuple[str, str]]) -> "Grouping":
        """These groups grown by `links`, all of articles compared after those of the links before. A new
        Grouping (this one is left as it is for whoever reads it), or this one when no article joined a group."""
        first, steps = dict(self.first), dict(self.steps)
        joined: dict[str, list[str]] = {}
        for later, earlier in links:
            if later in first:
                continue  # it joined the group of an earlier copy already
            away = steps.get(earlier, 0)
            if away < GROUP_STEPS:
                leader = first.get(earlier, earlier)
                first[later], steps[later] = leader, away + 1
                joined.setdefault(leader, []).append(later)
        if not joined:
            return self
        grown = Grouping()
        grown.first, grown.steps = first, steps
        grown.members, grown.groups = dict(self.members), dict(self.groups)
        grown.grown_from, grown.changed = self.groups, tuple(joined)
        for leader, added in joined.items():
            group = tuple(sorted((*grown.members.get(leader, (leader,)), *added)))
            grown.members[leader] = group
            for item in group:
                grown.groups[item] = group
        return grown


    @classmethod
    def of(cls, first: dict[str, str], steps: dict[str, int]) -> "Grouping":
        """The groups that `first` and `steps` (as `extended` leaves them) describe."""
        grouping = cls()
        grouping.first, grouping.steps = dict(first), dict(steps)
        joined: dict[str, list[str]] = {}
        for article, leader in first.items():
            joined.setdefault(leader, []).append(article)
        for leader, added in joined.items():
            group = tuple(sorted((leader, *added)))
            grouping.members[leader] = group
            for item in group:
                grouping.groups[item] = group
        return grouping

    def save(self, path, revision: tuple[int, int], mark: tuple[int, int], store: str = "") -> None:
        """Kept in `path` (written whole, then put in place) for the next process that opens the archive: a
        one-off command reads it instead of every pair of copies (`Grouping.load`). `store` names the store
        file it was worked out from (another file put in its place has counters that mean nothing here). A
        cache: when it cannot be written, nothing is lost."""
        record = {"format": GROUPS_CACHE_FORMAT, "store": store, "revision": list(revision), "mark": list(mark),
                  "first": self.first, "steps": self.steps}
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            temporary.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            temporary.unlink(missing_ok=True)

    @classmethod
    def load(cls, path, store: str = "") -> tuple[tuple[int, int], "Grouping", tuple[int, int]] | None:
        """(revision, grouping, mark) as `save` kept them for `store`; None when there is no such file, it is not
        whole, or it was kept for another store file."""
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("format") != GROUPS_CACHE_FORMAT or record.get("store", "") != store:
                return None
            first, steps = record["first"], record["steps"]
            if not (isinstance(first, dict) and isinstance(steps, dict) and set(first) == set(steps)
                    and all(isinstance(v, str) for v in first.values())
                    and all(isinstance(v, int) and 0 < v <= GROUP_STEPS for v in steps.values())):
                return None
            revision, mark = tuple(int(v) for v in record["revision"]), tuple(int(v) for v in record["mark"])
            if len(revision) != 2 or len(mark) != 2:
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return revision, cls.of(first, steps), mark


GROUPS_CACHE_FORMAT = 1


def first_of_each_story(stories: np.ndarray) -> np.ndarray:
    """Positions in a ranked list whose story (`stories[i]`) has not come earlier, in rank order."""
    if stories.size <= _FIRST_BY_SET_UP_TO:  # a page's worth: a set is quicker than NumPy's sort and its setup
        seen: set[int] = set()
        first = []
        for position, number in enumerate(stories.tolist()):
            if number not in seen:
                seen.add(number)
                first.append(position)
        return np.asarray(first, dtype=np.intp)
    _, first = np.unique(stories, return_index=True)
    return np.sort(first)


_FIRST_BY_SET_UP_TO = 256


@dataclass(frozen=True)
class Copy:
    """Another printing of a story, as results and article pages list it."""

    id: str
    title: str
    date: str | None
    page: str | None
    section: str | None

    @classmethod
    def of(cls, article) -> "Copy":
        return cls(article.id, article.title, article.date, article.page, article.section)

    def order(self) -> tuple:
        return (self.date or "9999", self.page or "", self.id)

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date, "page": self.page, "section": self.section}


class Stories:
    """The stories of one index generation's documents: for each document number the smallest number of its
    story (`story`), and for the documents that have copies in it a small story index (`grouped`, -1 for the
    others), so that counting a search's matches by story is one pass over them and a count per group, not a
    sort of every match."""

    def __init__(self, n_docs: int, groups: Iterable[list[int]]):
        self.story = np.arange(n_docs, dtype=np.int64)
        self.grouped = np.full(n_docs, -1, dtype=np.int32)
        count = 0
        for numbers in groups:
            if len(numbers) > 1:
                self.story[numbers] = min(numbers)
                self.grouped[numbers] = count
                count += 1
        self.groups = count

    def extended(self, n_docs: int) -> "Stories":
        """These stories with the documents numbered from here to `n_docs` added, each a story of its own."""
        grown = Stories.__new__(Stories)
        added = n_docs - self.story.size
        grown.story = np.concatenate((self.story, np.arange(self.story.size, n_docs, dtype=np.int64)))
        grown.grouped = np.concatenate((self.grouped, np.full(added, -1, dtype=np.int32)))
        grown.groups = self.groups
        return grown

    def regrouped(self, changed: Iterable[list[int]]) -> "Stories":
        """These stories with some groups grown by documents that were stories of their own (`changed`: each
        grown group's document numbers, old members and new): a small ingest of copies into a large archive
        then costs its own groups, not a pass over every group."""
        grown = Stories.__new__(Stories)
        grown.story, grown.grouped, grown.groups = self.story.copy(), self.grouped.copy(), self.groups
        for numbers in changed:
            if len(numbers) < 2:
                continue
            known = grown.grouped[numbers]
            known = known[known >= 0]
            if known.size:
                at = int(known[0])
            else:
                at, grown.groups = grown.groups, grown.groups + 1
            grown.story[numbers] = min(numbers)
            grown.grouped[numbers] = at
        return grown

    def count(self, matches: np.ndarray) -> tuple[int, Callable[[int], int]]:
        """How many stories `matches` (distinct document numbers) hold; and for one of them, how many other
        matches its story has."""
        index = self.grouped[matches]
        index = index[index >= 0]
        per_group = np.bincount(index, minlength=self.groups)
        total = int(matches.size - index.size + np.count_nonzero(per_group))
        grouped = self.grouped

        def folded(number: int) -> int:
            at = int(grouped[number])
            return int(per_group[at]) - 1 if at >= 0 else 0

        return total, folded


class Listed:
    """Stories' printings as listed under hits, remembered between searches until the store changes (a story
    printed hundreds of times is listed under every hit of it, and the same large stories come up query after
    query): for a (group's first member, script), its printings oldest first and where each stands among
    them. At most `budget` printings are kept, the least recently asked for forgotten first."""

    def __init__(self, budget: int):
        self.budget = budget
        self._lock = threading.Lock()
        self._revision: object = None
        self._kept: OrderedDict[tuple, tuple[tuple[Copy, ...], dict[str, int]]] = OrderedDict()
        self._size = 0

    def get(self, revision: object, keys: Iterable[tuple]) -> dict[tuple, tuple[tuple[Copy, ...], dict[str, int]]]:
        """Those of `keys` kept at `revision` (everything kept is forgotten when the revision is another)."""
        found = {}
        with self._lock:
            if revision != self._revision:
                self._revision, self._size = revision, 0
                self._kept.clear()
            for key in keys:
                known = self._kept.get(key)
                if known is not None:
                    self._kept.move_to_end(key)
                    found[key] = known
        return found

    def put(self, revision: object, key: tuple, copies: tuple[Copy, ...]) -> tuple[tuple[Copy, ...], dict[str, int]]:
        entry = (copies, {copy.id: n for n, copy in enumerate(copies)})
        with self._lock:
            if revision != self._revision:  # kept under its own revision: never shown at another
                self._revision, self._size = revision, 0
                self._kept.clear()
            if key in self._kept:
                return entry
            self._kept[key] = entry
            self._size += len(copies)
            while self._size > self.budget and len(self._kept) > 1:
                _, (gone, _) = self._kept.popitem(last=False)
                self._size -= len(gone)
        return entry

    @staticmethod
    def others(entry: tuple[tuple[Copy, ...], dict[str, int]], article_id: str) -> tuple[Copy, ...]:
        """The printings of `entry` other than `article_id`, in their order."""
        copies, where = entry
        at = where.get(article_id)
        return copies if at is None else copies[:at] + copies[at + 1:]
