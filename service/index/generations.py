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

import shutil
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Iterator, NamedTuple, Protocol

import numpy as np

from ..articles import Article
from ..errors import IndexUnusable
from . import storage
from .bm25 import BM25Params
from .build import Source, channel_folder, merge_channel, merge_positions, merged_doc_lists, read_lines, write_lines
from .channels import SIDE_CHANNELS
from .positions import PAIRS
from .workers import AnalysedBatch


class LiveGeneration(NamedTuple):
    """The live generation a new one can be merged from: its folder, article ids and content hashes."""

    folder: Path
    ids: list[str]
    hashes: list[str]


def reusable(index_dir: Path, fingerprint: str, hash_limit: int | None) -> LiveGeneration | None:
    """The live generation when a new one can be merged from it: made by this analyzer, intact, with the
    hashes that say which text each article was indexed from; None otherwise."""
    try:
        name, manifest = storage.read_manifest(index_dir)
        if (manifest.get("analyzer_fingerprint") != fingerprint or manifest.get("format") != storage.FORMAT
                or manifest.get("format_version") != storage.FORMAT_VERSION):
            return None
        generation = index_dir / name
        storage.verify(index_dir, name, manifest, hashes=True, hash_limit=hash_limit)
        if storage.DOC_HASHES not in manifest.get("files", {}):
            return None
        channels = manifest.get("channels", {})
        if any(c not in channels for c in (*SIDE_CHANNELS, PAIRS)):
            return None
        ids = read_lines(generation / "doc_ids.txt")
        hashes = read_lines(generation / storage.DOC_HASHES)
    except (IndexUnusable, OSError, ValueError):
        return None
    if len(ids) != len(hashes) or len(ids) != manifest.get("documents"):
        return None
    return LiveGeneration(generation, ids, hashes)


def indexed(index_dir: Path) -> list[tuple[str, str]]:
    """(id, content hash) of every article the live generation holds; the hash is "" in a generation from
    before hashes were kept."""
    name = storage.current_generation(index_dir)
    if name is None:
        return []
    ids = read_lines(index_dir / name / "doc_ids.txt")
    hashes_path = index_dir / name / storage.DOC_HASHES
    hashes = read_lines(hashes_path) if hashes_path.exists() else [""] * len(ids)
    return list(zip(ids, hashes))


class StoreReading(Protocol):
    """What a rebuild reads of the article store, inside one read transaction (`Store.reading()`)."""

    def revision(self) -> int: ...

    def id_hashes(self) -> list[tuple[str, str]]: ...  # every stored article's id and content hash, in ingest order

    def articles(self, ids: set[str]) -> Iterator[Article]: ...  # the stored articles among `ids`, in ingest order


def rebuild(index_dir: Path, reading: Callable[[], ContextManager[StoreReading]], live: LiveGeneration | None,
            fingerprint: str, params: BM25Params,
            analyse: Callable[[Iterator[Article], int, Path], Iterable[AnalysedBatch]],
            analysed: Callable[[AnalysedBatch], None], progress: Callable[[int, int], None]) -> str:
    """Make the new generation and switch it in; its name.

    The store is read in one transaction while the articles the live generation lacks are analysed
    (`analyse(articles, count, runs_folder)` makes their runs; `analysed(batch)` is told of each batch, for the
    engine to store its summaries and keywords); the merge comes after it. `progress(done, total)` is told of
    the articles indexed so far. A failure leaves the live generation as it was.
    """
    name, staging = storage.new_staging(index_dir)
    try:
        with reading() as reader:
            revision = reader.revision()
            stored = reader.id_hashes()
            wanted = dict(stored)
            sources: list[Source] = []
            indexed: set[str] = set()
            if live is not None:
                keep = np.fromiter((wanted.get(i) == h for i, h in zip(live.ids, live.hashes)), dtype=bool,
                                   count=len(live.ids))
                indexed = {i for i, k in zip(live.ids, keep.tolist()) if k}
                sources.append(Source(live.folder, keep))
            missing = {i for i, _ in stored if i not in indexed}
            total = len(stored)
            done = len(indexed)
            progress(done, total)
            for batch in analyse(reader.articles(missing) if missing else iter(()), len(missing), staging / "runs"):
                if batch.run is not None:
                    sources.append(Source(batch.run))
                analysed(batch)
                done += batch.articles
                progress(done, total)
        if _overtaken(index_dir, reading, revision):
            shutil.rmtree(staging, ignore_errors=True)
            return storage.current_generation(index_dir) or name
        return _write(index_dir, name, staging, sources, fingerprint, params, revision)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
    files: dict[str, tuple[int, str]] = {}
    ids, hashes = merged_doc_lists(sources)
    files["doc_ids.txt"] = write_lines(staging / "doc_ids.txt", ids)
    files[storage.DOC_HASHES] = write_lines(staging / storage.DOC_HASHES, hashes or [])
    info = {}
    for channel in ("words",) + SIDE_CHANNELS:
        out = channel_folder(staging, channel)
        merged = merge_channel(sources, channel, out)
        prefix = out.relative_to(staging).as_posix()
        for file_name, value in merged.files.items():
            files[file_name if prefix == "." else f"{prefix}/{file_name}"] = value
        info[channel] = {"terms": merged.terms, "postings": merged.postings,
                         "total_length": merged.total_length}
    out = channel_folder(staging, PAIRS)
    merged = merge_positions(sources, PAIRS, out)
    prefix = out.relative_to(staging).as_posix()
    files.update({f"{prefix}/{file_name}": value for file_name, value in merged.files.items()})
    info[PAIRS] = {"terms": merged.terms, "postings": merged.postings, "total_length": merged.total_length}
    shutil.rmtree(staging / "runs", ignore_errors=True)
    words = info.pop("words")
    manifest = storage.manifest_core(fingerprint, params, len(ids), words, info, {"store_revision": revision})
    return storage.publish(index_dir, name, staging, manifest, files)
