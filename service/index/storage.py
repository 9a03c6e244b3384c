"""The index on disk: versioned generations of plain arrays, switched atomically.

    index/
      CURRENT            name of the live generation (replaced with os.replace)
      gen-<n>/
        manifest.json    format, version, analyzer fingerprint, BM25 parameters, counts, checksums
        terms.txt        one term a line, sorted; line i is term number i
        doc_ids.txt      one article id a line; line i is document number i
        term_offsets.npy, doc_numbers.npy, term_freqs.npy, doc_lengths.npy

A generation is written completely and fsynced before CURRENT names it, so a
reader sees either the old or the new index, never a half-written one, and a
killed writer leaves the previous generation live.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import time
from pathlib import Path

import numpy as np

from ..errors import IndexUnusable
from .bm25 import BM25Params
from .postings import Postings, SortedTerms

FORMAT = "jiansuo-bm25-postings"
FORMAT_VERSION = 1
CURRENT = "CURRENT"
_ARRAYS = ("term_offsets", "doc_numbers", "term_freqs", "doc_lengths")
_KEEP_OLD_GENERATIONS = 1
CHANNELS_DIR = "channels"
REBUILD_HINT = "rebuild it from the article store with `jiansuo reindex`"


def _write_lines(path: Path, lines: list[str]) -> None:
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError(f"index entry contains a line break: {line!r}")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))
        f.flush()
        os.fsync(f.fileno())


def _read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text.split("\n")[:-1] if text else []


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_arrays(folder: Path, postings: Postings) -> None:
    for array_name in _ARRAYS:
        with open(folder / f"{array_name}.npy", "wb") as f:
            np.save(f, getattr(postings, array_name), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
    _write_lines(folder / "terms.txt", postings.terms)


def _map_array(path: Path) -> np.ndarray:
    """The array in `path`, memory-mapped read-only rather than copied: every process serving the same
    generation shares one copy in the page cache, and opening costs no more than reading the header.

    A plain ndarray view of the map keeps it alive while avoiding np.memmap's per-operation wrapping; a
    generation is never changed once written, and a removed one stays readable until its last map closes.
    """
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)


def _map_terms(path: Path) -> SortedTerms:
    """`terms.txt` memory-mapped and searched where it lies (an empty file cannot be mapped, nor need be)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return SortedTerms(b"")
        return SortedTerms(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))


def _read_postings(folder: Path, doc_ids: list[str], params: BM25Params, expected: dict) -> Postings:
    try:
        arrays = {a: _map_array(folder / f"{a}.npy") for a in _ARRAYS}
        terms = _map_terms(folder / "terms.txt")
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"index files in {folder} are damaged ({exc}); {REBUILD_HINT}",
                            code="index_damaged") from exc
    if (len(terms) != expected.get("terms") or arrays["term_offsets"].size != len(terms) + 1
            or arrays["doc_numbers"].size != expected.get("postings")
            or arrays["doc_lengths"].size != len(doc_ids)):
        raise IndexUnusable(f"index files in {folder} do not match the manifest; {REBUILD_HINT}",
                            code="index_damaged")
    return Postings(terms=terms, doc_ids=doc_ids, params=params, **arrays)


def current_generation(index_dir: Path) -> str | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def save(postings: Postings, index_dir: Path, fingerprint: str, *, channels: dict[str, Postings] | None = None, extra: dict | None = None) -> str:
    """Write `postings` as a new generation, make it live, and return its name. `extra` adds manifest keys
    (the store revision the index was built from)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.time_ns()}-{os.getpid()}"
    staging = index_dir / (name + ".partial")
    staging.mkdir()
    _write_arrays(staging, postings)
    _write_lines(staging / "doc_ids.txt", postings.doc_ids)
    channel_info = {}
    for channel, channel_postings in (channels or {}).items():
        if channel_postings.doc_ids != postings.doc_ids:
            raise ValueError(f"channel {channel} numbers documents differently from the words index")
        folder = staging / CHANNELS_DIR / channel
        folder.mkdir(parents=True)
        _write_arrays(folder, channel_postings)
        channel_info[channel] = {"terms": len(channel_postings.terms),
                                 "postings": int(channel_postings.doc_numbers.size),
                                 "total_length": int(channel_postings.doc_lengths.sum(dtype=np.int64))}
        _fsync_dir(folder)
    files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "analyzer_fingerprint": fingerprint,
        "bm25": {"variant": "okapi", "k1": postings.params.k1, "b": postings.params.b,
                 "epsilon": postings.params.epsilon},
        "documents": postings.n_docs,
        "terms": len(postings.terms),
        "postings": int(postings.doc_numbers.size),
        "total_length": int(postings.doc_lengths.sum(dtype=np.int64)),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **({"channels": channel_info} if channel_info else {}),
        **(extra or {}),
        "files": {f: {"bytes": (staging / f).stat().st_size, "sha256": _sha256(staging / f)} for f in files},
    }
    manifest_path = staging / "manifest.json"
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(staging)
    os.replace(staging, index_dir / name)
    pointer = index_dir / f"{CURRENT}.{os.getpid()}.tmp"
    with open(pointer, "w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    _remove_old_generations(index_dir, keep=name)
    return name


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    """Drop generations older than the live one and its predecessor (a reader may still be opening that)."""
    generations = sorted((p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-")),
                         key=lambda p: int(p.name.split("-")[1]))
    older = [p for p in generations if p.name != keep]
    for stale in older[:-_KEEP_OLD_GENERATIONS] if _KEEP_OLD_GENERATIONS else older:
        shutil.rmtree(stale, ignore_errors=True)
    for partial in index_dir.glob("*.partial"):
        shutil.rmtree(partial, ignore_errors=True)
    for pointer in index_dir.glob(f"{CURRENT}.*.tmp"):
        pointer.unlink(missing_ok=True)


def read_manifest(index_dir: Path) -> tuple[str, dict]:
    name = current_generation(index_dir)
    if name is None:
        raise IndexUnusable(f"no index at {index_dir}; build one with `jiansuo ingest PATH` or `jiansuo reindex`",
                            code="index_missing")
    manifest_path = index_dir / name / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"index manifest {manifest_path} cannot be read ({exc}); {REBUILD_HINT}",
                            code="index_damaged") from exc
    return name, manifest


def check_manifest(manifest: dict, index_dir: Path, fingerprint: str, params: BM25Params) -> None:
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnusable(
            f"index at {index_dir} has format {manifest.get('format')!r} version {manifest.get('format_version')!r}; "
            f"this Jiansuo reads {FORMAT!r} version {FORMAT_VERSION}; {REBUILD_HINT}", code="index_format")
    if manifest.get("analyzer_fingerprint") != fingerprint:
        raise IndexUnusable(
            f"index at {index_dir} was built by another analyzer (fingerprint "
            f"{manifest.get('analyzer_fingerprint')!r}, this configuration gives {fingerprint!r}); "
            f"its words would not match new queries; {REBUILD_HINT}", code="index_analyzer")
    stored = manifest.get("bm25", {})
    wanted = {"k1": params.k1, "b": params.b, "epsilon": params.epsilon}
    if any(stored.get(key) != value for key, value in wanted.items()):
        raise IndexUnusable(
            f"index at {index_dir} was built with BM25 parameters {stored}, the configuration asks for {wanted}; "
            f"{REBUILD_HINT}", code="index_parameters")


def verify(index_dir: Path, name: str, manifest: dict, *, hashes: bool = True) -> None:
    """Check every file the manifest lists against its recorded size and (with `hashes`) its sha256.

    A generation is never changed after it is written, so any difference is damage on disk: a truncated,
    overwritten or deleted file. IndexUnusable names the file and the command that rebuilds the index.
    """
    generation = index_dir / name
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise IndexUnusable(f"index manifest in {generation} lists no files to check; {REBUILD_HINT}",
                            code="index_damaged")
    for relative, expected in files.items():
        path = generation / relative
        try:
            size = path.stat().st_size
        except OSError:
            raise IndexUnusable(f"index file {path} is missing (damaged generation); {REBUILD_HINT}", code="index_damaged") from None
        if size != expected.get("bytes"):
            raise IndexUnusable(f"index file {path} is damaged: {size} bytes, its manifest says "
                                f"{expected.get('bytes')} (truncated or overwritten); {REBUILD_HINT}", code="index_damaged")
        if hashes:
            try:
                digest = _sha256(path)
            except OSError as exc:
                raise IndexUnusable(f"index file {path} cannot be read ({exc}); {REBUILD_HINT}",
                                    code="index_damaged") from exc
            if digest != expected.get("sha256"):
                raise IndexUnusable(f"index file {path} does not match the checksum in its manifest (damaged "
                                    f"on disk); {REBUILD_HINT}", code="index_damaged")


def verify_live(index_dir: Path, *, hashes: bool = True) -> tuple[str, dict]:
    """The live generation's name and manifest, after checking its files."""
    name, manifest = read_manifest(index_dir)
    verify(index_dir, name, manifest, hashes=hashes)
    return name, manifest


def load(index_dir: Path, fingerprint: str, params: BM25Params,
         channels: tuple[str, ...] = (), *, verify_hashes: bool = True) -> tuple[str, Postings, dict[str, Postings]]:
    """Open the live generation: the words index and the named side channels.

    A generation this configuration cannot read correctly, one lacking a channel asked for, or one whose
    files differ from the sizes (always) or checksums (with `verify_hashes`) in its manifest is refused.
    """
    name, manifest = read_manifest(index_dir)
    check_manifest(manifest, index_dir, fingerprint, params)
    verify(index_dir, name, manifest, hashes=verify_hashes)
    generation = index_dir / name
    missing = [c for c in channels if c not in manifest.get("channels", {})]
    if missing:
        raise IndexUnusable(f"index at {index_dir} has no {', '.join(missing)} channel; {REBUILD_HINT}",
                            code="index_format")
    try:
        doc_ids = _read_lines(generation / "doc_ids.txt")
    except OSError as exc:
        raise IndexUnusable(f"index generation {generation} is damaged ({exc}); {REBUILD_HINT}",
                            code="index_damaged") from exc
    if len(doc_ids) != manifest.get("documents"):
        raise IndexUnusable(f"index generation {generation} does not match its manifest; {REBUILD_HINT}",
                            code="index_damaged")
    words = _read_postings(generation, doc_ids, params, manifest)
    side = {c: _read_postings(generation / CHANNELS_DIR / c, doc_ids, params, manifest["channels"][c])
            for c in channels}
    return name, words, side
