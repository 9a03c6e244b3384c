"""`jiansuo cluster build`: one Xapian database per (shard, channel) from an existing archive.

It reads an archive rather than the files `ingest` takes: the archive's store is what the coordinator shows
summaries, highlights and filters from, and its index's document order is the order ties are broken in; a
build from the same archive is then the same ranking, number for number. The articles are analysed again by
the same `Analyzer` the index used (in this process, or in Ray actors: `analysis`), in batches taken in
document order, so the shards are the same whoever analysed which batch.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import InputError, NotIndexed
from ..index.workers import batches
from .analysis import analyse_locally, analyse_on_ray
from .layout import (CHANNELS, MATCH_PREFIXES, METADATA_KEY, DocMap, Manifest, build_id, id_term, match_term,
                     set_content_uuid, shard_dir, write_catalog, xapian_term)
from .xapian_lib import require

BATCH = 500


@dataclass
class BuildReport:
    out: Path
    shards: int
    documents: int
    workers: int
    seconds: float  # analysing and writing, compaction included
    build_id: str

    def to_dict(self) -> dict:
        return {"out": str(self.out), "shards": self.shards, "documents": self.documents,
                "workers": self.workers, "seconds": round(self.seconds, 3), "build_id": self.build_id,
                "articles_per_second": round(self.documents / self.seconds, 1) if self.seconds else None}


def build(engine, out: Path, shards: int, workers: int = 0,
          progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Shard `engine`'s archive into `out` (which must not exist or be empty). `workers` 0 analyses in this
    process; 1 or more in that many Ray actors on a local, loopback-only Ray."""
    if shards < 1:
        raise InputError(f"--shards must be at least 1, got {shards}", code="bad_shards")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} exists and is not an empty directory: a build writes a new one",
                         code="output_exists")
    if not engine.has_index():
        raise NotIndexed(f"the archive at {engine.config.data_dir} has no index: `jiansuo ingest` or "
                         "`jiansuo reindex` first", code="no_index")
    if not engine.index_is_current():
        raise NotIndexed("the archive's index is not current (behind its store, or made with other analysis "
                         "settings): `jiansuo reindex` first, so the shards rank as it does", code="index_behind")
    xapian = require()
    started = time.perf_counter()
    ids = list(engine.postings().doc_ids)
    params = engine.params
    manifest = Manifest(build_id=build_id(ids, shards, engine.analyzer.fingerprint, params.k1, params.b,
                                          params.epsilon),
                        shards=shards, documents=len(ids), fingerprint=engine.analyzer.fingerprint,
                        k1=params.k1, b=params.b, epsilon=params.epsilon, xapian=xapian.version_string(),
                        store_revision=engine.store.revision())
    docmap = DocMap(ids, shards)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / ".staging"
    try:
        writers = _open_writers(staging, manifest)
        articles = _articles_in_order(engine, ids)
        chunks = batches(articles, BATCH)
        analysed = analyse_on_ray(engine.config, chunks, workers) if workers else \
            analyse_locally(engine.analyzer, chunks)
        done = 0
        for counts_batch in analysed:
            for counts in counts_batch:
                shard = int(docmap.shard[done])
                by_channel = dict(zip(CHANNELS, counts))
                for channel, terms in by_channel.items():
                    document = xapian.Document()
                    for term, count in terms:
                        document.add_term(xapian_term(term), count)
                    document.add_boolean_term(id_term(done))
                    if channel == "words":
                        # Boolean (no wdf, no length): the words channel's BM25 statistics are unchanged.
                        for other in MATCH_PREFIXES:
                            for term, _ in by_channel[other]:
                                document.add_boolean_term(match_term(other, term))
                    writers[shard][channel].add_document(document)
                done += 1
            if progress is not None:
                progress(done, len(ids))
        if done != len(ids):
            raise NotIndexed(f"the store gave {done} of the index's {len(ids)} articles: `jiansuo reindex` first",
                             code="index_behind")
        for shard_writers in writers:
            for db in shard_writers.values():
                db.commit()
                db.close()
        for shard in range(shards):
            for channel in CHANNELS:
                # Compaction leaves full, sorted B-tree blocks: smaller and faster to serve, and the same bytes
                # for the same documents whatever order the batches were committed in.
                dest = shard_dir(out, shard) / channel
                dest.parent.mkdir(parents=True, exist_ok=True)
                xapian.Database(str(staging / f"{shard}" / channel)).compact(str(dest))
                set_content_uuid(dest)
        write_catalog(out, manifest, ids)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(out, shards, len(ids), workers, time.perf_counter() - started, manifest.build_id)


def _open_writers(staging: Path, manifest: Manifest) -> list[dict]:
    xapian = require()
    writers = []
    for shard in range(manifest.shards):
        per_channel = {}
        for channel in CHANNELS:
            path = staging / f"{shard}" / channel
            path.parent.mkdir(parents=True, exist_ok=True)
            db = xapian.WritableDatabase(str(path), xapian.DB_CREATE_OR_OVERWRITE)
            db.set_metadata(METADATA_KEY, manifest.shard_metadata(shard, channel))
            per_channel[channel] = db
        writers.append(per_channel)
    return writers


def _articles_in_order(engine, ids: list[str]) -> Iterator:
    """The store's articles in the index's document order, read a batch at a time."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        found = engine.store.get_many(chunk)
        for article_id in chunk:
            article = found.get(article_id)
            if article is None:
                raise NotIndexed(f"article {article_id} is in the index but not in the store: `jiansuo reindex` "
                                 "first", code="index_behind")
            yield article

