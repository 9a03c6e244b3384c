"""What a cluster build writes and how a coordinator finds its articles in the shards.

    OUT/cluster.json            the build: shard count, channels, BM25 settings, analyzer fingerprint, build id
    OUT/catalog.txt             every article id, one a line, in the archive's document order
    OUT/shard-000/words/ ...    one Xapian (glass) database per shard and channel

Format 2 adds to each document, in every channel, a boolean term `ID_PREFIX` + its catalog number (no weight, no
length: the BM25 statistics stay those of format 1): a query can then be limited to chosen articles, which is how
the coordinator reads the weights of the few it ranks first (`topk`). Format 3 adds to each document of the
`words` database, as boolean terms too, its terms of the `title`, `grams` and `chars` channels under
`MATCH_PREFIXES`: a query's whole matching (words, or bigrams and characters, of each clause; title fields; OR
groups; `-word`) is then one Xapian query on the shards, which count its matches without sending their ids.
Format 1 and 2 builds are still read; they are ranked by fetching every match (1) or every match's id (2).

Every database's UUID (Xapian makes a random one) is replaced by one made from the database's own bytes
(`content_uuid`), so the same articles give the same bytes in every file, and different contents different UUIDs
(which `xapian-replicate` relies on to tell databases apart).

Article number n of the catalog (the single-machine index's document number, which breaks ties between equal
scores) lives in shard `shard_of(id)`, as that shard's k-th document when it is the k-th of the catalog in that
shard. Every article is a document of every channel's database, empty where the channel holds nothing of it,
so one article has the same document id in each; a client opening shards 0..N-1 in order sees shard s's k-th
document (k from 0) as document `k * N + s + 1` (Xapian interleaves the ids of combined databases).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError

CHANNELS = ("words", "title", "lede", "grams", "chars")
FORMAT = 3
READS = (1, 2, 3)  # the build formats this version opens
ID_PREFIX = "\x01"  # sorts before every analysed term, which never holds a control character
# The prefixes of the other channels' terms in the `words` database (format 3), control characters as well.
MATCH_PREFIXES = {"title": "\x02", "grams": "\x03", "chars": "\x04"}
BOOLEAN_PREFIXES = (ID_PREFIX, *MATCH_PREFIXES.values())  # terms that are not the channel's own
MANIFEST = "cluster.json"
CATALOG = "catalog.txt"
METADATA_KEY = "jiansuo.cluster"  # each database's own copy of its place in the build, readable remotely
# Xapian refuses terms over 245 bytes; longer ones (a URL, a run of Latin letters) are stood in for by a hash,
# on both sides, so they still count in a document's length and can still be searched.
MAX_TERM_BYTES = 200


def shard_of(article_id: str, shards: int) -> int:
    """The shard an article lives in: a hash of its id alone, the same on every machine and in every run."""
    digest = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def xapian_term(term: str) -> str:
    raw = term.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_TERM_BYTES:
        return term
    return "\x7f" + hashlib.sha256(raw).hexdigest()


def match_term(channel: str, term: str) -> str:
    """`term` of `channel` as a boolean term of the `words` database (format 3)."""
    return MATCH_PREFIXES[channel] + xapian_term(term)


def id_term(number: int) -> str:
    """The boolean term naming catalog article `number` in every channel's database (format 2)."""
    return f"{ID_PREFIX}{number}"


# Glass's version file, `iamglass`: 14 bytes of magic, 2 of format version, then the database's 16-byte UUID
# (xapian-core's glass_version.cc, unchanged through 1.4). No checksum covers it.
GLASS_VERSION_FILE = "iamglass"
GLASS_MAGIC = b"\x0f\rXapian Glass"
UUID_AT = 16


def content_uuid(database: Path) -> bytes:
    """A UUID made from the database's bytes (its UUID left out): identical databases get the same one,
    databases differing anywhere get different ones. Marked as an RFC 9562 version 8 (made by the application)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in database.iterdir() if p.is_file()):
        raw = path.read_bytes()
        if path.name == GLASS_VERSION_FILE:
            raw = raw[:UUID_AT] + raw[UUID_AT + 16:]
        digest.update(path.name.encode() + b"\0" + len(raw).to_bytes(8, "big") + raw)
    uuid = bytearray(digest.digest()[:16])
    uuid[6] = (uuid[6] & 0x0F) | 0x80
    uuid[8] = (uuid[8] & 0x3F) | 0x80
    return bytes(uuid)


def set_content_uuid(database: Path) -> bytes:
    """Writes `content_uuid` into a closed glass database's version file, replacing the file whole (as Xapian
    replaces it) so that a reader sees the old file or the new one, never a mixture."""
    version = database / GLASS_VERSION_FILE
    raw = version.read_bytes()
    if not raw.startswith(GLASS_MAGIC) or len(raw) < UUID_AT + 16:
        raise ValueError(f"{version} is not a glass version file")
    uuid = content_uuid(database)
    staged = database / f".{GLASS_VERSION_FILE}.uuid"
    with open(staged, "wb") as out:
        out.write(raw[:UUID_AT] + uuid + raw[UUID_AT + 16:])
        out.flush()
        os.fsync(out.fileno())
    os.replace(staged, version)
    return uuid


def shard_dir(out: Path, shard: int) -> Path:
    return out / f"shard-{shard:03d}"


@dataclass(frozen=True)
class Manifest:
    build_id: str
    shards: int
    documents: int
    fingerprint: str  # the analyzer's: the terms were cut as this configuration cuts them
    k1: float
    b: float
    epsilon: float
    xapian: str  # the library version that wrote the databases
    store_revision: int | None = None  # the archive's store revision the build read
    channels: tuple[str, ...] = CHANNELS
    format: int = FORMAT

    def to_dict(self) -> dict:
        return {"format": self.format, "build_id": self.build_id, "shards": self.shards,
                "documents": self.documents, "fingerprint": self.fingerprint, "channels": list(self.channels),
                "bm25": {"k1": self.k1, "b": self.b, "epsilon": self.epsilon}, "xapian": self.xapian,
                "store_revision": self.store_revision}

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        return cls(build_id=data["build_id"], shards=int(data["shards"]), documents=int(data["documents"]),
                   fingerprint=data["fingerprint"], k1=float(data["bm25"]["k1"]), b=float(data["bm25"]["b"]),
                   epsilon=float(data["bm25"]["epsilon"]), xapian=data["xapian"], store_revision=data.get("store_revision"),
                   channels=tuple(data["channels"]), format=int(data["format"]))

    def shard_metadata(self, shard: int, channel: str) -> str:
        return json.dumps({"build_id": self.build_id, "shard": shard, "shards": self.shards, "channel": channel,
                           "format": self.format}, sort_keys=True)


def build_id(ids: list[str], shards: int, fingerprint: str, k1: float, b: float, epsilon: float) -> str:
    """Made from what decides the shards' contents, so two builds of the same archive agree byte for byte."""
    digest = hashlib.sha256()
    for part in (str(FORMAT), str(shards), fingerprint, repr(k1), repr(b), repr(epsilon)):
        digest.update(part.encode() + b"\0")
    for article_id in ids:
        digest.update(article_id.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()[:24]


def write_catalog(out: Path, manifest: Manifest, ids: list[str]) -> None:
    (out / CATALOG).write_text("".join(i + "\n" for i in ids), encoding="utf-8", errors="surrogatepass")
    (out / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2) + "\n", encoding="utf-8")


def read_catalog(catalog_dir: Path) -> tuple[Manifest, list[str]]:
    """The build's manifest and article ids; a clear error when the directory is not a cluster build."""
    try:
        manifest = Manifest.from_dict(json.loads((catalog_dir / MANIFEST).read_text(encoding="utf-8")))
        text = (catalog_dir / CATALOG).read_text(encoding="utf-8", errors="surrogatepass")
    except FileNotFoundError as exc:
        raise ConfigError(f"cluster.catalog: {catalog_dir} is not a `jiansuo cluster build` output "
                          f"({Path(exc.filename).name} is missing)", code="bad_config_value") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cluster.catalog: {catalog_dir / MANIFEST} is not readable ({exc})",
                          code="bad_config_value") from None
    ids = text.split("\n")[:-1] if text else []
    if len(ids) != manifest.documents:
        raise ConfigError(f"cluster.catalog: {catalog_dir / CATALOG} lists {len(ids)} articles, the build "
                          f"{manifest.documents}", code="bad_config_value")
    if manifest.format not in READS:
        raise ConfigError(f"cluster.catalog: build format {manifest.format}, this version reads "
                          f"{' and '.join(map(str, READS))}",
                          code="bad_config_value")
    return manifest, ids


class DocMap:
    """Catalog numbers and the document ids of N combined shard databases, both ways."""

    def __init__(self, ids: list[str], shards: int):
        shard = np.fromiter((shard_of(i, shards) for i in ids), dtype=np.int64, count=len(ids))
        local = np.zeros(len(ids), dtype=np.int64)
        for s in range(shards):
            where = np.flatnonzero(shard == s)
            local[where] = np.arange(where.size)
        self.shards = shards
        self.shard = shard
        self.docid = local * shards + shard + 1  # catalog number -> combined Xapian document id
        top = int(self.docid.max()) + 1 if len(ids) else 1
        self.number = np.full(top, -1, dtype=np.int64)  # combined document id -> catalog number
        self.number[self.docid] = np.arange(len(ids))
