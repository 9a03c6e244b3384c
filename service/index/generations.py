"""Index generations: which live generation a new one can start from, and how a new one is made and switched
in.

A new generation holds every stored article as it is now. The live one, when this analyzer made it and its
files match their checksums, is the start: its articles still stored with the same text (its
`doc_hashes.txt` says which text each was indexed from) are kept without being analysed again, the others
are dropped, and the articles it lacks are analysed into runs (`index.workers`) merged after it, channel by
channel, term block by term block (`index.build`), and so are the positions (`index.positions`). A live
generation lacking a channel or the positions is no start: the new one is built from the article store. The
new generation records the store revision it was built from and is switched in atomically (`index.storage`).
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Iterator, NamedTuple, Protocol

import numpy as np

from ..articles import Article
from ..errors import IndexUnusable
from . import storage
from .bm25 import BM25Params
from . import segments
from .build import (Source, channel_folder, merge_channel, merge_positions, merged_doc_lists, read_lines,
                    write_lines, write_npy)
from .channels import SIDE_CHANNELS
from .positions import PAIRS
from .workers import AnalysedBatch


class LiveSegment(NamedTuple):
    """One segment of the live generation: its folder, article ids, content hashes, and which of its documents
    that generation counts as deleted (None: none)."""

    folder: Path
    ids: list[str]
    hashes: list[str]
    deleted: np.ndarray | None  # bool per document
    numbers: Callable[[], dict[str, int]]  # article id -> document number, made when first asked for


class Delta(NamedTuple):
    """What one write changed in a store whose live index held it just before: the revision the write committed,
    the articles it added or replaced (`stored`) and those it removed (`gone`). A new generation made from it
    looks up only these articles, not every stored one."""

    revision: int
    stored: frozenset[str]
    gone: frozenset[str]


class LiveGeneration(NamedTuple):
    """The live generation a new one can be made from: its segments, in order (one for a version-1
    generation)."""

    segments: list[LiveSegment]


# Files of segments this process's writes have hashed: a segment never changes, and an ingest adding one
# article to a large archive would otherwise hash every small file of every segment again.
_HASHED_BY_WRITES: set[tuple[str, str]] = set()

# The article ids and content hashes of segments this process's writes have read, by the folder and the
# checksums of the two files (checked against the files by `reusable` first): read once, not at every ingest.
_LISTS_LOCK = threading.Lock()
_LISTS: dict[Path, tuple[tuple, list[str], list[str], dict]] = {}


def _segment_lists(folder: Path, own: dict) -> tuple[list[str], list[str], Callable[[], dict[str, int]]]:
    """A segment's article ids and content hashes, and a maker of its id -> document number map."""
    files = own.get("files", {})
    key = tuple(files.get(f, {}).get("sha256") for f in ("doc_ids.txt", storage.DOC_HASHES))
    with _LISTS_LOCK:
        kept = _LISTS.get(folder)
    if kept is None or kept[0] != key or None in key:
        kept = (key, read_lines(folder / "doc_ids.txt"), read_lines(folder / storage.DOC_HASHES), {})
        with _LISTS_LOCK:
            _LISTS[folder] = kept
    ids, made = kept[1], kept[3]

    def numbers() -> dict[str, int]:
        with _LISTS_LOCK:
            if not made and ids:
                made.update((article_id, number) for number, article_id in enumerate(ids))
            return made

    return ids, kept[2], numbers


def _forget_lists(index_dir: Path, named: set[Path]) -> None:
    """The kept lists of this archive's segments the live generation no longer names are let go."""
    with _LISTS_LOCK:
        for folder in [f for f in _LISTS if f.parent == index_dir and f not in named]:
            del _LISTS[folder]


def reusable(index_dir: Path, fingerprint: str, hash_limit: int | None) -> LiveGeneration | None:
    """The live generation when a new one can be made from it: made by this analyzer, intact, with the
    hashes that say which text each article was indexed from; None otherwise."""
    try:
        name, manifest = storage.read_manifest(index_dir)
        if (manifest.get("analyzer_fingerprint") != fingerprint or manifest.get("format") != storage.FORMAT
                or manifest.get("format_version") not in storage.READ_VERSIONS):
            return None
        storage.verify(index_dir, name, manifest, hashes=True, hash_limit=hash_limit, known=_HASHED_BY_WRITES)
        live = []
        for segment, deletes in storage.checked_segments(index_dir, name, manifest):
            own = manifest if segment == name else storage.segment_manifest(index_dir, segment)
            if storage.DOC_HASHES not in own.get("files", {}):
                return None
            channels = own.get("channels", {})
            if any(c not in channels for c in (*SIDE_CHANNELS, PAIRS)):
                return None
            ids, hashes, numbers = _segment_lists(index_dir / segment, own)
            if len(ids) != len(hashes) or len(ids) != own.get("documents"):
                return None
            deleted = None
            if deletes is not None:
                deleted = np.zeros(len(ids), dtype=bool)
                deleted[np.load(index_dir / name / deletes, allow_pickle=False)] = True
            live.append(LiveSegment(index_dir / segment, ids, hashes, deleted, numbers))
    except (IndexUnusable, OSError, ValueError, IndexError):
        return None
    _forget_lists(index_dir, {segment.folder for segment in live})
    return LiveGeneration(live)


def indexed(index_dir: Path) -> list[tuple[str, str]]:
    """(id, content hash) of every article the live generation holds; the hash is "" in a generation from
    before hashes were kept."""
    name = storage.current_generation(index_dir)
    if name is None:
        return []
    manifest = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))
    out: list[tuple[str, str]] = []
    for segment, deletes in storage.segments_of(name, manifest):
        ids = read_lines(index_dir / segment / "doc_ids.txt")
        hashes_path = index_dir / segment / storage.DOC_HASHES
        hashes = read_lines(hashes_path) if hashes_path.exists() else [""] * len(ids)
        pairs = list(zip(ids, hashes))
        if deletes is not None:
            gone = set(np.load(index_dir / name / deletes, allow_pickle=False).tolist())
            pairs = [pair for number, pair in enumerate(pairs) if number not in gone]
        out += pairs
    return out


def segment_folders(index_dir: Path, name: str) -> list[Path]:
    """The folders of generation `name`'s segments (its own folder for a version-1 generation)."""
    return [index_dir / segment for segment, _ in storage._segments_named(index_dir, name)]


class StoreReading(Protocol):
    """What a rebuild reads of the article store, inside one read transaction (`Store.reading()`)."""

    def revision(self) -> int: ...

    def id_hashes(self) -> list[tuple[str, str]]: ...  # every stored article's id and content hash, in ingest order

    def articles(self, ids: set[str]) -> Iterator[Article]: ...  # the stored articles among `ids`, in ingest order


def rebuild(index_dir: Path, reading: Callable[[], ContextManager[StoreReading]], live: LiveGeneration | None,
            fingerprint: str, params: BM25Params,
            analyse: Callable[[Iterator[Article], int, Path], Iterable[AnalysedBatch]],
            analysed: Callable[[AnalysedBatch], None], progress: Callable[[int, int], None],
            delta: Delta | None = None) -> str:
    """Make the new generation and switch it in; its name.

    The store is read in one transaction while the articles the live generation lacks are analysed
    (`analyse(articles, count, runs_folder)` makes their runs; `analysed(batch)` is told of each batch, for the
    engine to store its summaries and keywords); the merge comes after it. `progress(done, total)` is told of
    the articles indexed so far. With `delta` (what the last write changed, when the live generation held the
    store as it was before it), only those articles are looked up, provided the store is still at the revision
    that write committed; otherwise every stored article is compared with the live generation's. A failure
    leaves the live generation as it was.
    """
    name, staging = storage.new_staging(index_dir)
    try:
        with reading() as reader:
            revision = reader.revision()
            if delta is not None and live is not None and delta.revision == revision:
                kept, missing, done = _kept_after(live, delta)
                total = done + len(missing)
            else:
                kept, missing, done, total = _kept_compared(live, reader.id_hashes())
            runs: list[Source] = []
            progress(done, total)
            for batch in analyse(reader.articles(missing) if missing else iter(()), len(missing), staging / "runs"):
                if batch.run is not None:
                    runs.append(Source(batch.run))
                analysed(batch)
                done += batch.articles
                progress(done, total)
        if _overtaken(index_dir, reading, revision):
            shutil.rmtree(staging, ignore_errors=True)
            return storage.current_generation(index_dir) or name
        if live is None:
            return _write(index_dir, name, staging, runs, fingerprint, params, revision)
        return _write_segmented(index_dir, name, staging, kept, runs, fingerprint, params, revision)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _kept_compared(live: LiveGeneration | None,
                   stored: list[tuple[str, str]]) -> tuple[list[Source], set[str], int, int]:
    """What of the live generation is kept, when every stored article (id, content hash) is compared with it:
    the sources, the stored articles it lacks, how many it keeps, and how many are stored."""
    wanted = dict(stored)
    kept: list[Source] = []
    indexed: set[str] = set()
    for segment in live.segments if live is not None else ():
        keep = np.fromiter((wanted.get(i) == h for i, h in zip(segment.ids, segment.hashes)), dtype=bool,
                           count=len(segment.ids))
        if segment.deleted is not None:
            keep &= ~segment.deleted
        indexed |= {i for i, k in zip(segment.ids, keep.tolist()) if k}
        kept.append(Source(segment.folder, keep))
    return kept, {i for i, _ in stored if i not in indexed}, len(indexed), len(stored)


def _kept_after(live: LiveGeneration, delta: Delta) -> tuple[list[Source], set[str], int]:
    """What of the live generation is kept after the write `delta` describes (it held the store as it was before
    that write): all but the articles the write replaced or removed. The sources, the articles to analyse, and how
    many documents are kept."""
    changed = delta.stored | delta.gone
    kept: list[Source] = []
    done = 0
    for segment in live.segments:
        keep = np.ones(len(segment.ids), dtype=bool) if segment.deleted is None else ~segment.deleted
        numbers = segment.numbers()
        at = [n for n in (numbers.get(i) for i in changed) if n is not None]
        keep[at] = False
        done += int(keep.sum())
        kept.append(Source(segment.folder, keep))
    return kept, set(delta.stored), done


def _overtaken(index_dir: Path, reading: Callable[[], ContextManager[StoreReading]], revision: int) -> bool:
    """Whether a generation built from a later store revision went live while this one was built from
    `revision`: switching to this one would take the index back. (The write lock keeps writers apart; this
    guards a writer that does not take it.) A store that is itself behind the index, restored from a copy, is
    followed all the same: then `revision` is the store's latest."""
    live = storage.live_revision(index_dir)
    if live is None or live <= revision:
        return False
    with reading() as reader:
        return reader.revision() > revision


def _write(index_dir: Path, name: str, staging: Path, sources: list[Source], fingerprint: str,
           params: BM25Params, revision: int) -> str:
    """The sources merged into one self-contained generation (format version 1), switched in."""
    manifest, files = write_folder(staging, sources, fingerprint, params, {"store_revision": revision})
    return storage.publish(index_dir, name, staging, manifest, files)


def write_folder(staging: Path, sources: list[Source], fingerprint: str, params: BM25Params,
                 extra: dict | None) -> tuple[dict, dict[str, tuple[int, str]]]:
    """The sources' kept documents merged, in order, into `staging` in the version-1 layout; its manifest (without
    the file list) and files. The runs among the sources (under staging/runs) are removed once merged."""
    files: dict[str, tuple[int, str]] = {}
    ids, hashes = merged_doc_lists(sources)
    # Written unsynced, then fsynced all together (`storage.fsync_all`) before the folder is sealed.
    files["doc_ids.txt"] = write_lines(staging / "doc_ids.txt", ids, sync=False)
    files[storage.DOC_HASHES] = write_lines(staging / storage.DOC_HASHES, hashes or [], sync=False)
    info = {}
    for channel in ("words",) + SIDE_CHANNELS:
        out = channel_folder(staging, channel)
        merged = merge_channel(sources, channel, out, sync=False)
        prefix = out.relative_to(staging).as_posix()
        for file_name, value in merged.files.items():
            files[file_name if prefix == "." else f"{prefix}/{file_name}"] = value
        info[channel] = {"terms": merged.terms, "postings": merged.postings,
                         "total_length": merged.total_length}
    out = channel_folder(staging, PAIRS)
    merged = merge_positions(sources, PAIRS, out, sync=False)
    prefix = out.relative_to(staging).as_posix()
    files.update({f"{prefix}/{file_name}": value for file_name, value in merged.files.items()})
    info[PAIRS] = {"terms": merged.terms, "postings": merged.postings, "total_length": merged.total_length}
    storage.fsync_all(staging / f for f in files)
    shutil.rmtree(staging / "runs", ignore_errors=True)
    words = info.pop("words")
    return storage.manifest_core(fingerprint, params, len(ids), words, info, extra), files


def write_segment(index_dir: Path, sources: list[Source], fingerprint: str, params: BM25Params) -> tuple[str, int]:
    """The sources' kept documents merged into a new sealed segment; its name and number of documents."""
    name, staging = storage.new_staging(index_dir, storage.SEGMENT_PREFIX)
    storage._SEALED_HERE.add(name)
    try:
        manifest, files = write_folder(staging, sources, fingerprint, params, None)
        storage.seal(index_dir, name, staging, manifest, files)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        storage._SEALED_HERE.discard(name)
    return name, manifest["documents"]


def segment_entry(staging: Path, source: Source, files: dict[str, tuple[int, str]]) -> dict | None:
    """A live segment's entry in a new segmented generation, its deleted documents written under deletes/;
    None when it keeps no document (the generation names it no more)."""
    keep = source.keep
    size = int(keep.size) if keep is not None else len(source.doc_ids())
    if keep is not None and not keep.any():
        return None
    entry = {"name": source.root.name, "documents": size}
    if keep is not None and not keep.all():
        relative = f"{segments.DELETES_DIR}/{source.root.name}.npy"
        (staging / segments.DELETES_DIR).mkdir(exist_ok=True)
        files[relative] = write_npy(staging / relative, np.flatnonzero(~keep).astype(np.int32))
        entry.update(deletes=relative, deleted=int(size - keep.sum()))
    return entry


def publish_segmented(index_dir: Path, name: str, staging: Path, entries: list[dict], files: dict,
                      fingerprint: str, params: BM25Params, revision: int | None) -> str:
    """Switch in a generation of the segments `entries` name (format version 2)."""
    documents = sum(e["documents"] - e.get("deleted", 0) for e in entries)
    manifest = {**storage.manifest_core(fingerprint, params, documents, {}, {}),
                "format_version": storage.SEGMENTED_VERSION, "segments": entries}
    if revision is not None:
        manifest["store_revision"] = revision
    return storage.publish(index_dir, name, staging, manifest, files)


def _write_segmented(index_dir: Path, name: str, staging: Path, kept: list[Source], runs: list[Source],
                     fingerprint: str, params: BM25Params, revision: int) -> str:
    """A new generation of the live segments, less what was deleted or replaced since, and one new segment of
    the articles analysed now: the live segments are named again, not rewritten."""
    files: dict[str, tuple[int, str]] = {}
    entries = [e for e in (segment_entry(staging, source, files) for source in kept) if e is not None]
    if runs:
        segment, documents = write_segment(index_dir, runs, fingerprint, params)
        entries.append({"name": segment, "documents": documents})
    shutil.rmtree(staging / "runs", ignore_errors=True)
    if not entries:  # nothing is left: an empty generation of the usual layout
        return _write(index_dir, name, staging, [], fingerprint, params, revision)
    return publish_segmented(index_dir, name, staging, entries, files, fingerprint, params, revision)
