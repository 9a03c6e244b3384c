"""A consistent copy of an archive, taken while it serves and ingests: the article store and the index
generation built from exactly that state of it.

    DEST/
      articles.sqlite3     the store, copied by SQLite's online backup API in one step: one snapshot, readers
                           and writers of the archive never stopped
      index/CURRENT        the generation below
      index/gen-…/         the live generation whose `store_revision` is the snapshot's revision, its files
                           copied (or hard-linked) and checked against the sha256 in its manifest
      index/seg-…/         the segments it names, if it is a segmented one, copied alike

DEST is an archive as `jiansuo --index DEST` opens it; restoring is using it, or copying it back in place of the
data folder while nothing runs there.

An ingest commits the store first and switches in the generation built from it after, so a snapshot may be
ahead of the live index: the copy then waits for the index being written (at most `wait_seconds`), and when
the store has moved on again meanwhile, takes the store again. It is written under a staging name beside DEST
and renamed into place when complete, so a failed or killed backup leaves no DEST behind.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import IndexUnusable, QueryError
from .index import storage

STORE_FILE = "articles.sqlite3"
INDEX_DIR = "index"
# A store that moves on again each time the index has caught up is taken at most this many times.
_STORE_TAKES = 5
# Between an ingest's commit and the start of its index there is no staging folder to see: wait this long for
# one before deciding that no index is coming.
_GRACE_SECONDS = 10.0
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class BackupReport:
    dest: Path
    articles: int
    store_revision: int
    index_generation: str | None
    index_current: bool  # the copied index holds the copied store as it is
    files: int  # index files copied or linked
    bytes: int  # the store's and the index files' bytes
    linked: bool

    def to_dict(self) -> dict:
        return {"dest": str(self.dest), "articles": self.articles, "store_revision": self.store_revision,
                "index_generation": self.index_generation, "index_current": self.index_current,
                "files": self.files, "bytes": self.bytes, "linked": self.linked}


def check_destination(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise QueryError(f"backup destination {dest} already exists and is not an empty folder; give a new "
                         "folder (a backup never writes over anything)", code="backup_exists")


def backup(store_path: Path, index_dir: Path, dest: Path, *, link: bool = False,
           wait_seconds: float = 600.0) -> BackupReport:
    """Copy the store and its index generation to `dest` (a new or empty folder), consistently."""
    dest = Path(dest).absolute()
    check_destination(dest)
    if not store_path.is_file():
        raise IndexUnusable(f"no article store at {store_path}: nothing to back up", code="index_missing")
    staging = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        report = _take(store_path, index_dir, staging, link, wait_seconds)
        _fsync(staging)
        check_destination(dest)  # nothing appeared there meanwhile
        if dest.exists():
            dest.rmdir()
        os.replace(staging, dest)
        _fsync(dest.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return replace(report, dest=dest)


def _take(store_path: Path, index_dir: Path, staging: Path, link: bool, wait_seconds: float) -> BackupReport:
    deadline = time.monotonic() + wait_seconds
    revision, articles = _copy_store(store_path, staging / STORE_FILE)
    takes, behind_since = 1, None
    while True:
        name, manifest = _live(index_dir)
        built_from = manifest.get("store_revision") if manifest else None
        if built_from is not None and built_from > revision and takes < _STORE_TAKES:
            revision, articles = _copy_store(store_path, staging / STORE_FILE)  # the store moved on: again
            takes, behind_since = takes + 1, None
            continue
        if built_from is None or built_from < revision:
            now = time.monotonic()
            behind_since = behind_since or now
            if now < deadline and (now - behind_since < _GRACE_SECONDS or _index_being_written(index_dir)):
                time.sleep(_POLL_SECONDS)
                continue
        store_bytes = (staging / STORE_FILE).stat().st_size
        if name is None:
            return BackupReport(staging, articles, revision, None, False, 0, store_bytes, link)
        try:
            files, size = _copy_generation(index_dir / name, manifest, staging / INDEX_DIR, link)
        except FileNotFoundError:
            # A later writer removed the generation while it was being copied: go round again for the new one.
            shutil.rmtree(staging / INDEX_DIR, ignore_errors=True)
            if time.monotonic() >= deadline:
                raise IndexUnusable(f"the index at {index_dir} kept changing while it was being copied; try "
                                    "again", code="index_unusable") from None
            continue
        return BackupReport(staging, articles, revision, name, built_from == revision, files, size + store_bytes,
                            link)


def _copy_store(store_path: Path, target: Path) -> tuple[int, int]:
    """The store copied in one step of SQLite's backup (one read transaction: one snapshot); its revision
    and article count."""
    target.unlink(missing_ok=True)
    source = sqlite3.connect(store_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        row = copy.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        articles = copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no log beside it
    finally:
        copy.close()
        source.close()
    _fsync(target)
    return (int(row[0]) if row else 0), int(articles)


def _live(index_dir: Path) -> tuple[str | None, dict | None]:
    try:
        return storage.read_manifest(index_dir)
    except IndexUnusable:
        return None, None


def _index_being_written(index_dir: Path) -> bool:
    """Whether a process is writing a generation there now (a staging folder gen-<ns>-<pid>.partial whose
    process runs)."""
    for staging in index_dir.glob("gen-*.partial") if index_dir.is_dir() else ():
        try:
            os.kill(int(staging.name.split(".", 1)[0].rsplit("-", 1)[1]), 0)
        except (IndexError, ValueError, ProcessLookupError):
            continue
        except PermissionError:
            return True
        return True
    return False


def _copy_generation(generation: Path, manifest: dict, out_index: Path, link: bool) -> tuple[int, int]:
    """Every file the manifest lists, copied or hard-linked, each checked against its sha256 as it lies in the
    copy, and so for every segment a segmented generation names; then the manifests and CURRENT. A damaged file
    stops the backup naming it."""
    files, size = _copy_folder(generation, manifest, out_index, link)
    for segment, _ in storage.checked_segments(generation.parent, generation.name, manifest):
        if segment != generation.name:
            if not (generation.parent / segment).is_dir():  # removed by later writers: the caller goes round again
                raise FileNotFoundError(generation.parent / segment)
            own = storage.segment_manifest(generation.parent, segment)
            more, more_size = _copy_folder(generation.parent / segment, own, out_index, link)
            files, size = files + more, size + more_size
    current = out_index / storage.CURRENT
    current.write_text(generation.name + "\n", encoding="utf-8")
    _fsync(current)
    _fsync(out_index)
    return files, size


def _copy_folder(generation: Path, manifest: dict, out_index: Path, link: bool) -> tuple[int, int]:
    out = out_index / generation.name
    size = 0
    for relative, expected in manifest["files"].items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        linked = False
        if link:
            try:
                os.link(generation / relative, target)
                linked = True
            except OSError as exc:  # another file system, or links not allowed: a copy does
                if isinstance(exc, FileNotFoundError):
                    raise
        if not linked:
            shutil.copyfile(generation / relative, target)
            _fsync(target)
        problem = storage.checksum_problem(target, expected)
        if problem is not None:
            raise IndexUnusable(f"the live index cannot be backed up: {problem.message}", code="index_damaged")
        size += target.stat().st_size
    out.mkdir(parents=True, exist_ok=True)
    manifest_copy = out / "manifest.json"
    shutil.copyfile(generation / "manifest.json", manifest_copy)  # a generation never changes once written
    _fsync(manifest_copy)
    for folder in {out, *(p.parent for p in out.rglob("*") if p.is_file())}:
        _fsync(folder)
    return len(manifest["files"]), size + manifest_copy.stat().st_size


def _fsync(path: Path) -> None:
    """Flush a file or a folder's entries to disk (an fsync through a read-only descriptor does both)."""
    storage._fsync_dir(path)
