"""The index on disk: versioned generations of plain arrays, switched atomically.

    index/
      CURRENT            name of the live generation (replaced with os.replace)
      write.lock         flock()ed by the one process writing the archive (`WriteLock`)
      gen-<n>/
        manifest.json    format, version, analyzer fingerprint, BM25 parameters, counts, checksums
        terms.txt        one term a line, sorted; line i is term number i
        doc_ids.txt      one article id a line; line i is document number i
        term_offsets.npy, doc_numbers.npy, term_freqs.npy, doc_lengths.npy
        channels/<name>/ the other channels in the same files; channels/pairs/ the positions (`index.positions`):
                         terms.txt, term_offsets.npy, positions.npy, doc_lengths.npy

A generation is written completely and fsynced before CURRENT names it, so a
reader sees either the old or the new index, never a half-written one, and a
killed writer leaves the previous generation live.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import mmap
import os
import shutil
import threading
import time
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable

import numpy as np

from ..errors import IndexUnusable, WriteBusy
from .bm25 import BM25Params
from .build import CHANNELS_DIR, POSITIONS_FILE, write_lines, write_npy
from . import segments
from .positions import PAIRS, Positions
from .postings import Postings, SortedTerms

FORMAT = "jiansuo-bm25-postings"
FORMAT_VERSION = 1  # one self-contained generation: what a full build or `jiansuo optimize` writes
SEGMENTED_VERSION = 2  # a generation of segments (`index.segments`): what an ingest into a live index writes
READ_VERSIONS = (FORMAT_VERSION, SEGMENTED_VERSION)
SEGMENT_PREFIX = "seg-"
CURRENT = "CURRENT"
_ARRAYS = ("term_offsets", "doc_numbers", "term_freqs", "doc_lengths")
_KEEP_OLD_GENERATIONS = 1
DOC_HASHES = "doc_hashes.txt"  # one content hash a line, beside doc_ids.txt (generations from before lack it)
REBUILD_HINT = "rebuild it from the article store with `jiansuo reindex`"
WRITE_LOCK = "write.lock"
_LOCK_POLL_SECONDS = 0.05


class WriteLock:
    """One writer at a time across processes: an exclusive flock() on `index/write.lock`, held from before the
    store's transaction until the new generation is live (and any clean-up done).

    flock() belongs to the open file, so the kernel drops it when the holder dies however it dies: a killed
    writer never leaves the archive locked, and there is no stale-lock file to clear by hand. Waiting is
    bounded: past `wait_seconds` (0: do not wait) WriteBusy names the holder. Two threads of one process
    open the file separately, so they exclude each other too.
    """

    def __init__(self, index_dir: Path, wait_seconds: float, what: str,
                 on_wait: Callable[[str], None] | None = None, *, file: str = WRITE_LOCK):
        self.path = index_dir / file
        self.wait_seconds = wait_seconds
        self.what = what
        self.on_wait = on_wait  # told once, of the holder, when this writer has to wait
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if self.on_wait is not None and time.monotonic() < deadline:
                        self.on_wait(_holder(fd))
                        self.on_wait = None
                    if time.monotonic() >= deadline:
                        raise WriteBusy(
                            f"another write to this archive is in progress ({_holder(fd)}); waited "
                            f"{self.wait_seconds:g} s (index.write_wait_seconds); nothing was changed, try again "
                            "when it has finished") from None
                    time.sleep(_LOCK_POLL_SECONDS)
            # Who holds it, for the message another writer gives; the lock, not this text, is what counts.
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {self.what}\n".encode("utf-8"), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the last descriptor of the open file drops the flock

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _holder(fd: int) -> str:
    try:
        pid, _, what = os.pread(fd, 200, 0).decode("utf-8", "replace").strip().partition(" ")
    except OSError:
        return "holder unknown"
    return f"{what or 'a write'} by process {pid}" if pid.isdigit() else "holder unknown"


def live_revision(index_dir: Path) -> int | None:
    """The store revision the live generation was built from; None without a live generation or the key."""
    name = current_generation(index_dir)
    return generation_revision(index_dir, name) if name else None


def generation_revision(index_dir: Path, name: str) -> int | None:
    """The store revision generation `name` was built from; None when its manifest lacks it or is unreadable."""
    try:
        revision = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8")).get("store_revision")
    except (OSError, ValueError, AttributeError):
        return None
    return revision if isinstance(revision, int) else None


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


_SYNC_THREADS = 16


def fsync_all(paths: Iterable[Path]) -> None:
    """fsync each file or folder in `paths`, several at once: the file system commits concurrent fsyncs
    together, so the 40-odd small files of a new segment reach the disk in a few journal commits instead of
    one each. Returns when all of them are on disk."""
    paths = list(paths)
    if len(paths) <= 1:
        for path in paths:
            _fsync_dir(path)
        return
    with ThreadPoolExecutor(min(_SYNC_THREADS, len(paths)), thread_name_prefix="fsync") as pool:
        for _ in pool.map(_fsync_dir, paths):
            pass


def _write_arrays(folder: Path, postings: Postings) -> dict[str, tuple[int, str]]:
    files = {f"{name}.npy": write_npy(folder / f"{name}.npy", np.asarray(getattr(postings, name)))
             for name in _ARRAYS}
    files["terms.txt"] = write_lines(folder / "terms.txt", postings.terms)
    return files


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


def _read_positions(folder: Path, doc_count: int, expected: dict) -> Positions:
    try:
        terms = _map_terms(folder / "terms.txt")
        offsets = _map_array(folder / "term_offsets.npy")
        positions = _map_array(folder / POSITIONS_FILE)
        doc_lengths = _map_array(folder / "doc_lengths.npy")
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"index files in {folder} are damaged ({exc}); {REBUILD_HINT}",
                            code="index_damaged") from exc
    if (len(terms) != expected.get("terms") or offsets.size != len(terms) + 1
            or positions.size != expected.get("postings") or positions.size != expected.get("total_length")
            or int(offsets[-1]) != positions.size or doc_lengths.size != doc_count
            or positions.dtype.kind not in "iu"):
        raise IndexUnusable(f"index files in {folder} do not match the manifest; {REBUILD_HINT}",
                            code="index_damaged")
    return Positions(terms, offsets, positions, doc_lengths)


def current_generation(index_dir: Path) -> str | None:
    # Read on every search, to follow another process's switch: as bytes, without a text file object.
    try:
        name = (index_dir / CURRENT).read_bytes().decode("utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def new_staging(index_dir: Path, prefix: str = "gen-") -> tuple[str, Path]:
    """A fresh generation (or, with `SEGMENT_PREFIX`, segment) name and the folder it is written in before it
    is published."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}{time.time_ns()}-{os.getpid()}"
    staging = index_dir / (name + ".partial")
    staging.mkdir()
    return name, staging


def seal(index_dir: Path, name: str, staging: Path, manifest: dict, files: dict[str, tuple[int, str]]) -> dict:
    """Add the file list to `manifest`, write it, fsync everything and give the staged folder its name; the
    manifest written. A segment is sealed and then named by a generation; a generation is sealed and switched in.

    `files` maps each file's path inside the folder to (bytes, sha256), as measured while writing it.
    """
    manifest = {**manifest, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "files": {f: {"bytes": size, "sha256": digest} for f, (size, digest) in sorted(files.items())}}
    manifest_path = staging / "manifest.json"
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    fsync_all({staging, *((staging / f).parent for f in files)})
    os.replace(staging, index_dir / name)
    _fsync_dir(index_dir)
    return manifest


def publish(index_dir: Path, name: str, staging: Path, manifest: dict, files: dict[str, tuple[int, str]]) -> str:
    """Seal the staged generation (`seal`) and make it the live one."""
    seal(index_dir, name, staging, manifest, files)
    pointer = index_dir / f"{CURRENT}.{os.getpid()}.tmp"
    with open(pointer, "w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    _remove_old_generations(index_dir, keep=name)
    return name


def manifest_core(fingerprint: str, params: BM25Params, documents: int, words: dict,
                  channels: dict[str, dict], extra: dict | None = None) -> dict:
    """The manifest's description of a generation; `words` and each channel: terms, postings, total_length."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "analyzer_fingerprint": fingerprint,
        "bm25": {"variant": "okapi", "k1": params.k1, "b": params.b, "epsilon": params.epsilon},
        "documents": documents,
        **words,
        **({"channels": channels} if channels else {}),
        **(extra or {}),
    }


def save(postings: Postings, index_dir: Path, fingerprint: str, *, channels: dict[str, Postings] | None = None,
         extra: dict | None = None, doc_hashes: list[str] | None = None) -> str:
    """Write `postings` as a new generation, make it live, and return its name. `extra` adds manifest keys
    (the store revision the index was built from); `doc_hashes` are the articles' content hashes."""
    name, staging = new_staging(index_dir)
    files = {f: v for f, v in _write_arrays(staging, postings).items()}
    files["doc_ids.txt"] = write_lines(staging / "doc_ids.txt", postings.doc_ids)
    if doc_hashes is not None:
        if len(doc_hashes) != postings.n_docs:
            raise ValueError("one content hash per document is needed")
        files[DOC_HASHES] = write_lines(staging / DOC_HASHES, doc_hashes)
    channel_info = {}
    for channel, channel_postings in (channels or {}).items():
        if channel_postings.doc_ids != postings.doc_ids:
            raise ValueError(f"channel {channel} numbers documents differently from the words index")
        folder = staging / CHANNELS_DIR / channel
        folder.mkdir(parents=True)
        for f, v in _write_arrays(folder, channel_postings).items():
            files[f"{CHANNELS_DIR}/{channel}/{f}"] = v
        channel_info[channel] = _counts(channel_postings)
    return publish(index_dir, name, staging,
                   manifest_core(fingerprint, postings.params, postings.n_docs, _counts(postings), channel_info,
                                 extra), files)


def _counts(postings: Postings) -> dict:
    return {"terms": len(postings.terms), "postings": int(postings.doc_numbers.size),
            "total_length": int(postings.doc_lengths.sum(dtype=np.int64))}


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    """Drop generations older than the live one and its predecessor (a reader may still be opening that), and
    the segments neither of them names.

    A staging folder is no generation: counting one would make room for it by removing the generation its
    writer is merging from. A segment is sealed only under the write lock, just before the generation naming it
    is switched in, so a sealed segment no kept generation names is left over; one still being written
    (`.partial`) is kept while its writer runs.
    """
    generations = sorted((p for p in index_dir.iterdir()
                          if p.is_dir() and p.name.startswith("gen-") and not p.name.endswith(".partial")),
                         key=lambda p: int(p.name.split("-")[1]))
    older = [p for p in generations if p.name != keep]
    kept = [keep, *(p.name for p in (older[-_KEEP_OLD_GENERATIONS:] if _KEEP_OLD_GENERATIONS else []))]
    named = {segment for name in kept for segment, _ in _segments_named(index_dir, name)}
    for stale in older[:-_KEEP_OLD_GENERATIONS] if _KEEP_OLD_GENERATIONS else older:
        if stale.name not in named:
            shutil.rmtree(stale, ignore_errors=True)
    for segment in index_dir.glob(f"{SEGMENT_PREFIX}*"):
        if segment.name.endswith(".partial") or segment.name in named:
            continue
        shutil.rmtree(segment, ignore_errors=True)
    for partial in index_dir.glob("*.partial"):
        if partial.name[:-len(".partial")] in _SEALED_HERE:
            continue
        if not _writer_alive(partial.name):  # another process may be building its generation there now
            shutil.rmtree(partial, ignore_errors=True)
    for pointer in index_dir.glob(f"{CURRENT}.*.tmp"):
        pointer.unlink(missing_ok=True)


# Segments this process is writing (a merge in a background thread): the clean-up after another of its own
# writes leaves their staging folders.
_SEALED_HERE: set[str] = set()


def _segments_named(index_dir: Path, name: str) -> list[tuple[str, str | None]]:
    """The segments generation `name` is made of (see `segments_of`); none when its manifest is unreadable."""
    try:
        manifest = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))
        return segments_of(name, manifest)
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return []


def segments_of(name: str, manifest: dict) -> list[tuple[str, str | None]]:
    """(segment folder, its deleted documents' file inside the generation or None) of each segment of
    generation `name`, in order: a version-1 generation is its own one segment."""
    if manifest.get("format_version") != SEGMENTED_VERSION:
        return [(name, None)]
    out = []
    for entry in manifest.get("segments", []):
        segment = entry["name"]
        if not isinstance(segment, str) or "/" in segment or not segment.startswith(("gen-", SEGMENT_PREFIX)):
            raise ValueError(f"segment name {segment!r} is not one of this index's folders")
        out.append((segment, entry.get("deletes")))
    return out


def _writer_alive(staging_name: str) -> bool:
    """Whether the process that named this staging folder (gen-<ns>-<pid>.partial) still runs."""
    try:
        pid = int(staging_name.split(".", 1)[0].rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False  # this process publishes one generation at a time; a folder of its own is left over
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_manifest(index_dir: Path) -> tuple[str, dict]:
    name = current_generation(index_dir)
    if name is None:
        raise IndexUnusable(f"no index at {index_dir}; build one with `jiansuo ingest PATH` or `jiansuo reindex`",
                            code="index_missing")
    return name, _read_manifest(index_dir / name / "manifest.json", "index manifest")


def check_manifest(manifest: dict, index_dir: Path, fingerprint: str, params: BM25Params) -> None:
    if manifest.get("format") != FORMAT or manifest.get("format_version") not in READ_VERSIONS:
        raise IndexUnusable(
            f"index at {index_dir} has format {manifest.get('format')!r} version {manifest.get('format_version')!r}; "
            f"this Jiansuo reads {FORMAT!r} versions {' and '.join(map(str, READ_VERSIONS))}; {REBUILD_HINT}",
            code="index_format")
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


def verify(index_dir: Path, name: str, manifest: dict, *, hashes: bool = True,
           hash_limit: int | None = None, known: set | None = None) -> None:
    """Check every file the manifest lists against its recorded size and (with `hashes`) its sha256; for a
    segmented generation, every file of each of its segments too.

    A generation is never changed after it is written, so any difference is damage on disk: a truncated,
    overwritten or deleted file. IndexUnusable names the file and the command that rebuilds the index.
    Files larger than `hash_limit` bytes (when given) are checked by size alone here: hashing gigabytes would
    make every open slow; a process serving the generation hashes them in the background (`LargeFileCheck`),
    and `jiansuo check` hashes them all. Files in `known` ((path, sha256) pairs, when given) were hashed before
    by this process and are checked by size; those hashed now are added to it.
    """
    segmented = manifest.get("format_version") == SEGMENTED_VERSION
    _verify_files(index_dir / name, manifest.get("files"), hashes, hash_limit, may_be_empty=segmented, known=known)
    if segmented:
        for segment, _ in checked_segments(index_dir, name, manifest):
            _verify_files(index_dir / segment, segment_manifest(index_dir, segment).get("files"), hashes, hash_limit,
                          known=known)


def _verify_files(generation: Path, files: object, hashes: bool, hash_limit: int | None,
                  may_be_empty: bool = False, known: set | None = None) -> None:
    if not isinstance(files, dict) or (not files and not may_be_empty):
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
        if hashes and (hash_limit is None or size <= hash_limit):
            if known is not None and (str(path), expected.get("sha256")) in known:
                continue
            problem = checksum_problem(path, expected)
            if problem is not None:
                raise problem
            if known is not None:
                known.add((str(path), expected.get("sha256")))


def checked_segments(index_dir: Path, name: str, manifest: dict) -> list[tuple[str, str | None]]:
    """`segments_of` a generation, refused as damaged where its manifest names them wrongly."""
    try:
        return segments_of(name, manifest)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexUnusable(f"index manifest in {index_dir / name} lists its segments wrongly ({exc}); "
                            f"{REBUILD_HINT}", code="index_damaged") from exc


def _read_manifest(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"{what} {path} cannot be read ({exc}); {REBUILD_HINT}", code="index_damaged") from exc


def segment_manifest(index_dir: Path, segment: str) -> dict:
    manifest = _read_manifest(index_dir / segment / "manifest.json", "index segment manifest")
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnusable(f"index segment {index_dir / segment} is not in the layout of format version "
                            f"{FORMAT_VERSION}; {REBUILD_HINT}", code="index_damaged")
    return manifest


def checksum_problem(path: Path, expected: dict) -> IndexUnusable | None:
    """What is wrong with the file at `path` by the sha256 its manifest entry records; None when it matches."""
    try:
        digest = _sha256(path)
    except OSError as exc:
        return IndexUnusable(f"index file {path} cannot be read ({exc}); {REBUILD_HINT}", code="index_damaged")
    if digest != expected.get("sha256"):
        return IndexUnusable(f"index file {path} does not match the checksum in its manifest (damaged on disk); "
                             f"{REBUILD_HINT}", code="index_damaged")
    return None


_HASHED: set[tuple[str, str]] = set()  # (path, sha256) of the large files this process has hashed and found sound


class LargeFileCheck:
    """The checksums of a generation's files too large to hash before it opens (over `larger_than` bytes),
    hashed one after another in a background thread once it has opened.

    Until the pass ends, queries are answered from files whose sizes alone were checked; once a file fails,
    `raise_if_failed` raises for every later query of this generation, naming the file and the fix.
    """

    def __init__(self, index_dir: Path, name: str, larger_than: int):
        generation = index_dir / name
        listed: list[tuple[Path, dict]] = []
        try:
            manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
            listed += [(generation / f, e) for f, e in manifest.get("files", {}).items()]
            if manifest.get("format_version") == SEGMENTED_VERSION:
                for segment, _ in checked_segments(index_dir, name, manifest):
                    files = segment_manifest(index_dir, segment).get("files", {})
                    listed += [(index_dir / segment / f, e) for f, e in files.items()]
        except (OSError, ValueError) as exc:  # opened a moment ago: only damage makes this fail now
            self.failure: IndexUnusable | None = IndexUnusable(
                f"index manifest in {generation} cannot be read ({exc}); {REBUILD_HINT}", code="index_damaged")
        except IndexUnusable as exc:
            self.failure = exc
        else:
            self.failure = None
        # A segment's files passed once in this process need no second pass when the next generation names it.
        self.files = [(path, e) for path, e in listed
                      if e.get("bytes", 0) > larger_than and (str(path), e.get("sha256")) not in _HASHED]
        self.done = threading.Event()
        if self.files and self.failure is None:
            threading.Thread(target=self._run, name=f"checksums of {name}", daemon=True).start()
        else:
            self.done.set()

    def _run(self) -> None:
        try:
            for path, expected in self.files:
                self.failure = checksum_problem(path, expected)
                if self.failure is not None:
                    return
                _HASHED.add((str(path), expected.get("sha256")))
        finally:
            self.done.set()

    def raise_if_failed(self) -> None:
        if self.failure is not None:
            raise self.failure

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the pass has ended, waiting up to `timeout` seconds for it."""
        return self.done.wait(timeout)


def verify_live(index_dir: Path, *, hashes: bool = True) -> tuple[str, dict]:
    """The live generation's name and manifest, after checking its files."""
    name, manifest = read_manifest(index_dir)
    verify(index_dir, name, manifest, hashes=hashes)
    return name, manifest


def load(index_dir: Path, fingerprint: str, params: BM25Params,
         channels: tuple[str, ...] = (), *, verify_hashes: bool = True,
         hash_limit: int | None = None) -> tuple[str, Postings, dict[str, Postings | Positions]]:
    """Open the live generation: the words index and the named side channels (`PAIRS`, the positions, as
    `Positions`).

    A generation this configuration cannot read correctly, one lacking a channel asked for, or one whose
    files differ from the sizes (always) or checksums (with `verify_hashes`) in its manifest is refused. A
    segmented generation is opened as one index (`index.segments`).
    """
    name, manifest = read_manifest(index_dir)
    check_manifest(manifest, index_dir, fingerprint, params)
    if manifest.get("format_version") == SEGMENTED_VERSION:
        words, side = _load_segmented(index_dir, name, manifest, fingerprint, params, channels, verify_hashes,
                                      hash_limit)
        return name, words, side
    verify(index_dir, name, manifest, hashes=verify_hashes, hash_limit=hash_limit)
    words, side = _open_folder(index_dir, name, manifest, params, channels)
    return name, words, side


def _open_folder(index_dir: Path, name: str, manifest: dict, params: BM25Params,
                 channels: tuple[str, ...]) -> tuple[Postings, dict[str, Postings | Positions]]:
    """The words and the named channels of one folder in the version-1 layout (a generation or a segment)."""
    generation = index_dir / name
    missing = [c for c in channels if c not in manifest.get("channels", {})]
    if missing:
        parts = " and ".join(f"{c} channel" for c in missing)
        raise IndexUnusable(f"index at {index_dir} was written by an older version (it has no {parts}); "
                            f"{REBUILD_HINT}", code="index_format")
    try:
        doc_ids = _read_lines(generation / "doc_ids.txt")
    except OSError as exc:
        raise IndexUnusable(f"index generation {generation} is damaged ({exc}); {REBUILD_HINT}",
                            code="index_damaged") from exc
    if len(doc_ids) != manifest.get("documents"):
        raise IndexUnusable(f"index generation {generation} does not match its manifest; {REBUILD_HINT}",
                            code="index_damaged")
    words = _read_postings(generation, doc_ids, params, manifest)
    side: dict[str, Postings | Positions] = {}
    for c in channels:
        folder, expected = generation / CHANNELS_DIR / c, manifest["channels"][c]
        side[c] = (_read_positions(folder, len(doc_ids), expected) if c == PAIRS
                   else _read_postings(folder, doc_ids, params, expected))
    return words, side


# Segments opened by this process, by folder: a segment never changes, so the next generation naming it reuses
# its maps, its checked files and the deleted documents' term counts.
_opened_lock = threading.Lock()
_opened: dict[Path, dict] = {}


def forget_opened(index_dir: Path) -> None:
    """Let go of the segments of `index_dir` kept for reuse (an archive this process is done with: each held
    segment keeps its files' memory maps, and a descriptor for each)."""
    with _opened_lock:
        for folder in [f for f in _opened if f.parent == index_dir]:
            del _opened[folder]


def _open_segment(index_dir: Path, segment: str, fingerprint: str, params: BM25Params, channels: tuple[str, ...],
                  verify_hashes: bool, hash_limit: int | None) -> dict:
    folder = index_dir / segment
    with _opened_lock:
        opened = _opened.get(folder)
    if opened is None or (verify_hashes and not opened["hashed"]) or any(c not in opened["side"] for c in channels):
        manifest = segment_manifest(index_dir, segment)
        check_manifest(manifest, folder, fingerprint, params)
        _verify_files(folder, manifest.get("files"), verify_hashes, hash_limit)
        words, side = _open_folder(index_dir, segment, manifest, params, channels)
        if opened is not None and opened["words"].doc_ids == words.doc_ids:
            side = {**opened["side"], **side}
        opened = {"words": words, "side": side, "hashed": verify_hashes, "deleted_dfs": {}}
        with _opened_lock:
            _opened[folder] = opened
    return opened


def _deleted(index_dir: Path, name: str, manifest: dict, deletes: str | None, size: int) -> np.ndarray | None:
    if deletes is None:
        return None
    path = index_dir / name / deletes
    try:
        gone = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"index file {path} is damaged ({exc}); {REBUILD_HINT}", code="index_damaged") from exc
    if gone.ndim != 1 or gone.dtype.kind not in "iu" or (gone.size and (int(gone[0]) < 0 or int(gone[-1]) >= size
                                                                         or np.any(np.diff(gone) <= 0))):
        raise IndexUnusable(f"index file {path} does not list its segment's documents; {REBUILD_HINT}",
                            code="index_damaged")
    return gone.astype(np.int64)


def _load_segmented(index_dir: Path, name: str, manifest: dict, fingerprint: str, params: BM25Params,
                    channels: tuple[str, ...], verify_hashes: bool,
                    hash_limit: int | None) -> tuple[Postings, dict[str, Postings | Positions]]:
    _verify_files(index_dir / name, manifest.get("files"), verify_hashes, hash_limit, may_be_empty=True)
    entries = checked_segments(index_dir, name, manifest)
    opened, deleted = [], []
    for segment, deletes in entries:
        one = _open_segment(index_dir, segment, fingerprint, params, channels, verify_hashes, hash_limit)
        opened.append(one)
        deleted.append(_deleted(index_dir, name, manifest, deletes, one["words"].n_docs))
    with _opened_lock:  # segments this archive's generations no longer name are let go
        named = {index_dir / segment for segment, _ in entries}
        for folder in [f for f in _opened if f.parent == index_dir and f not in named]:
            del _opened[folder]
    if len(opened) == 1 and deleted[0] is None:
        return opened[0]["words"], {c: opened[0]["side"][c] for c in channels}
    layout = segments.layouts([one["words"].n_docs for one in opened], deleted)
    doc_ids, lengths = segments.joined([one["words"] for one in opened], layout)
    if len(doc_ids) != manifest.get("documents"):
        raise IndexUnusable(f"index generation {index_dir / name} does not match its manifest; {REBUILD_HINT}",
                            code="index_damaged")

    def channel(c: str, parts: list) -> Postings:
        dfs = []
        for one, gone, (_, deletes) in zip(opened, deleted, entries):
            if gone is None:
                dfs.append(None)
                continue
            key = (c, deletes, manifest["files"].get(deletes, {}).get("sha256"))
            counts = one["deleted_dfs"].get(key)
            if counts is None:
                counts = segments.deleted_doc_freqs(one["words"] if c == "words" else one["side"][c], gone)
                one["deleted_dfs"][key] = counts
            dfs.append(counts)
        return segments.SegmentedPostings(parts, layout, dfs, doc_ids,
                                          lengths if c == "words" else segments.channel_lengths(parts, layout),
                                          params)

    words = channel("words", [one["words"] for one in opened])
    side: dict[str, Postings | Positions] = {}
    for c in channels:
        parts = [one["side"][c] for one in opened]
        side[c] = segments.SegmentedPositions(parts, layout, len(doc_ids)) if c == PAIRS else channel(c, parts)
    return words, side
