"""Merging the segments of a generation: a tiered policy, and merges run off the request path.

Every ingest into a live index adds one small segment (`index.generations`), so segments pile up; each costs a
little on every query. The policy is Lucene's tiered merging, simplified: a segment's *tier* is how many
times `factor` its live documents exceed `floor_documents` (every segment below the floor is tier 0), and
when `per_tier` segments of one tier stand side by side they are merged into one, of the next tier or so. A
segment with more than `deleted_share` of its documents deleted is merged on its own, to drop them. Only
neighbours are merged, so the documents keep the order of ingest, the order a fresh build gives them.

A merge holds the write lock (`storage.WriteLock`) only to read the live generation and, at the end, to
switch in the generation naming the merged segment; the merging itself runs without it, so ingests go on
meanwhile. What was deleted from the merged segments in between is carried over to the merged segment, and if
another merge replaced them first the result is dropped. One merge at a time runs per archive (`merge.lock`).
A merge killed at any point leaves the live generation as it was; its staging folder is removed by the next
write.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import WriteBusy
from . import generations, storage
from .bm25 import BM25Params
from .build import Source, write_npy

MERGE_LOCK = "merge.lock"


class Policy(NamedTuple):
    per_tier: int = 4
    factor: int = 4
    floor_documents: int = 1000
    max_at_once: int = 10
    deleted_share: float = 0.3


class Segment(NamedTuple):
    """A live segment as the policy sees it."""

    name: str
    documents: int  # all it holds
    deleted: int


def tier(live: int, policy: Policy) -> int:
    if live <= policy.floor_documents:
        return 0
    return int(math.log(live / policy.floor_documents, policy.factor)) + 1


def pick(segments: list[Segment], policy: Policy = Policy()) -> tuple[int, int] | None:
    """The neighbouring segments [start, stop) to merge next, or None when the policy asks for no merge: the
    longest run of one tier holding `per_tier` or more (the lowest tier first, the cheapest), else a segment
    with too many deleted documents."""
    tiers = [tier(s.documents - s.deleted, policy) for s in segments]
    best = None
    start = 0
    while start < len(segments):
        stop = start
        while stop < len(segments) and tiers[stop] == tiers[start]:
            stop += 1
        if stop - start >= policy.per_tier and (best is None or tiers[start] < tiers[best[0]]):
            best = (start, min(stop, start + policy.max_at_once))
        start = stop
    if best is not None:
        return best
    for number, s in enumerate(segments):
        if s.documents and s.deleted > policy.deleted_share * s.documents:
            return number, number + 1
    return None


class _Live(NamedTuple):
    name: str
    manifest: dict
    entries: list[dict]  # the manifest's segment entries
    deleted: list[np.ndarray]  # each segment's deleted documents (sorted, maybe empty)


def _live(index_dir: Path) -> _Live:
    name, manifest = storage.read_manifest(index_dir)
    if manifest.get("format_version") != storage.SEGMENTED_VERSION:
        return _Live(name, manifest, [{"name": name, "documents": manifest.get("documents", 0)}],
                     [np.empty(0, dtype=np.int64)])
    entries = manifest.get("segments", [])
    deleted = [np.load(index_dir / name / e["deletes"], allow_pickle=False).astype(np.int64) if e.get("deletes")
               else np.empty(0, dtype=np.int64) for e in entries]
    return _Live(name, manifest, entries, deleted)


def segments_of(index_dir: Path) -> list[Segment]:
    """The live generation's segments, for the policy and for `jiansuo stats`."""
    live = _live(index_dir)
    return [Segment(e["name"], int(e["documents"]), int(gone.size)) for e, gone in zip(live.entries, live.deleted)]


def merge_once(index_dir: Path, fingerprint: str, params: BM25Params, *, everything: bool,
               policy: Policy = Policy(), wait_seconds: float = 300) -> str | None:
    """One merge: of every segment (`everything`), or of those the policy picks. The generation switched in,
    or None when there was nothing to merge (or another merge got there first)."""
    with storage.WriteLock(index_dir, wait_seconds, "merge"):
        live = _live(index_dir)
        if live.manifest.get("analyzer_fingerprint") != fingerprint:
            return None
        found = [Segment(e["name"], int(e["documents"]), int(g.size)) for e, g in zip(live.entries, live.deleted)]
        if everything:
            run = (0, len(found)) if len(found) > 1 or (found and found[0].deleted) else None
        else:
            run = pick(found, policy)
        if run is None:
            return None
        start, stop = run
        chosen = live.entries[start:stop]
        snapshot = live.deleted[start:stop]
    sources = []
    for entry, gone in zip(chosen, snapshot):
        keep = None
        if gone.size:
            keep = np.ones(int(entry["documents"]), dtype=bool)
            keep[gone] = False
        sources.append(Source(index_dir / entry["name"], keep))
    name, staging = storage.new_staging(index_dir, storage.SEGMENT_PREFIX)
    storage._SEALED_HERE.add(name)
    try:
        manifest, files = generations.write_folder(staging, sources, fingerprint, params, None)
        with storage.WriteLock(index_dir, wait_seconds, "merge"):
            return _switch(index_dir, name, staging, manifest, files, chosen, snapshot, fingerprint, params)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        storage._SEALED_HERE.discard(name)


def _switch(index_dir: Path, name: str, staging: Path, manifest: dict, files: dict, chosen: list[dict],
            snapshot: list[np.ndarray], fingerprint: str, params: BM25Params) -> str | None:
    """Under the write lock: the merged segment in place of the ones it was merged from, if they are still
    live side by side; the deletions made since carried over to it."""
    live = _live(index_dir)
    names = [e["name"] for e in live.entries]
    wanted = [e["name"] for e in chosen]
    at = next((i for i in range(len(names) - len(wanted) + 1) if names[i:i + len(wanted)] == wanted), None)
    if at is None or not wanted:
        shutil.rmtree(staging, ignore_errors=True)
        return None
    moved = []  # documents deleted from the chosen segments since the snapshot, in the merged numbering
    base = 0
    for entry, before, now in zip(chosen, snapshot, live.deleted[at:at + len(wanted)]):
        size = int(entry["documents"])
        kept = np.ones(size, dtype=bool)
        kept[before] = False
        number = np.cumsum(kept) - 1 + base
        fresh = np.setdiff1d(now, before)
        moved.append(number[fresh])
        base += int(kept.sum())
    storage.seal(index_dir, name, staging, manifest, files)
    gen_name, gen_staging = storage.new_staging(index_dir)
    try:
        gen_files: dict[str, tuple[int, str]] = {}
        entries = []
        merged_deleted = np.sort(np.concatenate(moved)) if moved else np.empty(0, dtype=np.int64)
        for i, entry in enumerate(live.entries):
            if at < i < at + len(wanted):
                continue
            if i == at:
                entry, gone = {"name": name, "documents": int(manifest["documents"])}, merged_deleted
            else:
                entry, gone = {"name": entry["name"], "documents": int(entry["documents"])}, live.deleted[i]
            if gone.size:
                relative = f"deletes/{entry['name']}.npy"
                (gen_staging / "deletes").mkdir(exist_ok=True)
                gen_files[relative] = write_npy(gen_staging / relative, gone.astype(np.int32))
                entry.update(deletes=relative, deleted=int(gone.size))
            if entry["documents"] - entry.get("deleted", 0) > 0:
                entries.append(entry)
        return generations.publish_segmented(index_dir, gen_name, gen_staging, entries, gen_files, fingerprint,
                                             params, live.manifest.get("store_revision"))
    except BaseException:
        shutil.rmtree(gen_staging, ignore_errors=True)
        raise


def merge(index_dir: Path, fingerprint: str, params: BM25Params, *, everything: bool = False,
          policy: Policy = Policy(), wait_seconds: float = 300, merge_wait_seconds: float | None = None,
          rounds: int = 64) -> list[str]:
    """Merges until the policy asks for none (or, with `everything`, one merge of every segment); the
    generations switched in. WriteBusy when another merge of this archive is still running after
    `merge_wait_seconds` (default `wait_seconds`), or another write holds the write lock past `wait_seconds`."""
    done = []
    merge_wait = wait_seconds if merge_wait_seconds is None else merge_wait_seconds
    with storage.WriteLock(index_dir, merge_wait, "merge", file=MERGE_LOCK):
        for _ in range(1 if everything else rounds):
            switched = merge_once(index_dir, fingerprint, params, everything=everything, policy=policy,
                                  wait_seconds=wait_seconds)
            if switched is None:
                break
            done.append(switched)
    return done


def merge_if_free(index_dir: Path, fingerprint: str, params: BM25Params, policy: Policy = Policy(),
                  wait_seconds: float = 300) -> list[str]:
    """`merge` by the policy, unless another merge of this archive is running (it does the work)."""
    try:
        return merge(index_dir, fingerprint, params, policy=policy, wait_seconds=wait_seconds, merge_wait_seconds=0)
    except WriteBusy:
        return []


def describe(index_dir: Path) -> list[dict]:
    """The live generation's segments as `jiansuo stats` shows them."""
    return [{"name": s.name, "documents": s.documents - s.deleted, "deleted": s.deleted}
            for s in segments_of(index_dir)]


__all__ = ["Policy", "Segment", "describe", "merge", "merge_if_free", "merge_once", "pick", "tier"]
