"""The coordinator's view of a sharded index: the engine's `Postings` and positions, answered by Xapian shards.

`ShardSet` keeps one remote connection per (shard, channel) and combines each channel's shards into one
`xapian.Database`, whose statistics (document count, total length, document frequencies) are then the whole
archive's. `ClusterPostings` answers what the ranker asks of a channel (a term's documents and BM25 weights, its
document frequency and idf) from it: Xapian weighs with `BM25Weight(k1, 0, 0, b, 0)`, and each term's weight is
scaled by rank-bm25's idf over Xapian's, both from the merged statistics, so the weights are the single-machine
index's (to about 1e-15). The ranker (`search.ranker`) then runs unchanged: matching, fallbacks, soft matching,
filters, proximity and ties are decided by the same code, over the catalog's document numbers.

Phrases and proximity read the squashed texts of the candidates from the article store (`StorePositions`),
which stays on the coordinator; the shards hold no positions.

A shard that does not answer is looked for on its replicas, in the order the settings list them; when none
answers, `ShardUnavailable` names it (HTTP 503, exit code 11): a ranking is never made from some of the shards.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter, OrderedDict
from typing import Iterable, NamedTuple

import numpy as np

from ..errors import ConfigError, JiansuoError
from ..index.bm25 import BM25Params
from ..index.positions import squashed
from ..index.postings import RecentArrays, holding_all, intersect
from ..index.workers import headline
from .layout import (BOOLEAN_PREFIXES, CHANNELS, METADATA_KEY, DocMap, Manifest, id_term, match_term, read_catalog,
                     xapian_term)
from .xapian_lib import require

_matching = threading.local()  # `ids_only`: this thread is finding matches, not weighing them


class ids_only:
    """While it lasts, this thread's `docs_with_all` asks the shards for the articles holding every term (the
    intersection is made on them, and only document ids come back) instead of fetching each term's weights."""

    def __enter__(self):
        _matching.active = True

    def __exit__(self, *exc):
        _matching.active = False

    @staticmethod
    def active() -> bool:
        return getattr(_matching, "active", False)


class ShardUnavailable(JiansuoError):
    """A shard answers on none of its addresses: no ranking can be made from the others alone."""

    code = "shard_unavailable"
    http_status = 503
    exit_code = 11

    def __init__(self, shard: int, tried: list[str], reason: str):
        super().__init__(f"shard {shard} does not answer (tried {', '.join(tried)}: {reason}); no results are "
                         "given from the other shards alone")
        self.shard = shard
        self.tried = tried


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def channel_address(address: str, channel: str) -> tuple[str, int]:
    """A shard is served on consecutive ports, one a channel in `CHANNELS` order from the address's port."""
    host, port = split_address(address)
    return host, port + CHANNELS.index(channel)


class ShardSet:
    """Connections to every shard of a build, each on the first of its replicas that answers."""

    def __init__(self, manifest: Manifest, replicas: list[list[str]], timeout_ms: int):
        self.xapian = require()
        self.manifest = manifest
        if any(len(r) != manifest.shards for r in replicas):
            raise ConfigError(f"cluster.replicas: every replica lists {manifest.shards} shard addresses (the build "
                              f"has {manifest.shards} shards)", code="bad_config_value")
        # A shard's addresses, replica by replica, without repeats (a shard without a replica of its own may be
        # listed again under the same address).
        self.addresses = [list(dict.fromkeys(r[s] for r in replicas)) for s in range(manifest.shards)]
        self.timeout_ms = timeout_ms
        self.using = [0] * manifest.shards
        self._connections: list[dict | None] = [None] * manifest.shards
        self.databases: dict[str, object] = {}
        self.lock = threading.RLock()
        self.version = 0  # bumped when a shard moves to another replica
        # Documents that came back from the shards, by what they were fetched for: "weights" (a term's every
        # match with its weight), "ids" (matching articles, without weights), "ranked" (a channel's best-weighted
        # articles, a batch at a time) and "picked" (the weights of chosen articles).
        self.moved: Counter = Counter()

    def count(self, kind: str, documents: int) -> None:
        with self.lock:
            self.moved[kind] += documents

    def open_shard(self, address: str, shard: int) -> dict:
        """The shard's databases at `address`, one per channel, checked to be that shard of this build."""
        xapian = self.xapian
        out = {}
        for channel in CHANNELS:
            host, port = channel_address(address, channel)
            db = xapian.remote_open(host, port, self.timeout_ms, self.timeout_ms)
            raw = db.get_metadata(METADATA_KEY)
            try:
                meta = json.loads(raw) if raw else {}
            except ValueError:
                meta = {}
            expected = {"build_id": self.manifest.build_id, "shard": shard, "channel": channel}
            if any(meta.get(k) != v for k, v in expected.items()):
                raise ShardMismatch(f"{host}:{port} serves {_described(meta)}, not shard {shard} {channel} of "
                                    f"build {self.manifest.build_id}")
            out[channel] = db
        return out

    def connect(self, shard: int, start: int = 0) -> None:
        """Shard `shard` on its first replica from `start` on (then from the first: one that was down may be
        back) that answers and is the right shard."""
        tried, reasons = [], []
        count = len(self.addresses[shard])
        for number in [(start + i) % count for i in range(count)]:
            address = self.addresses[shard][number]
            tried.append(address)
            try:
                self._connections[shard] = self.open_shard(address, shard)
            except (self.xapian.Error, ShardMismatch, OSError, ValueError) as exc:
                reasons.append(_reason(exc))
                continue
            self.using[shard] = number
            return
        self._connections[shard] = None
        raise ShardUnavailable(shard, tried, "; ".join(dict.fromkeys(reasons)))

    def open(self) -> None:
        with self.lock:
            for shard in range(self.manifest.shards):
                self.connect(shard)
            self._combine()

    def _combine(self) -> None:
        xapian = self.xapian
        databases = {}
        for channel in CHANNELS:
            db = xapian.Database()
            for shard in range(self.manifest.shards):
                db.add_database(self._connections[shard][channel])
            databases[channel] = db
        self.databases = databases
        self.version += 1

    def fail_over(self) -> None:
        """After a failed call: every shard that no longer answers moves to its next replica that does."""
        for shard in range(self.manifest.shards):
            if self._answers(shard):
                continue
            self.connect(shard, self.using[shard] + 1)  # ShardUnavailable when none is left
        self._combine()

    def _answers(self, shard: int) -> bool:
        connections = self._connections[shard]
        if connections is None:
            return False
        try:
            fresh = self.open_shard(self.addresses[shard][self.using[shard]], shard)
            for db in fresh.values():
                db.close()
            for db in connections.values():
                db.reopen()
                db.get_doccount()
            return True
        except (self.xapian.Error, ShardMismatch, OSError, ValueError):
            return False

    def call(self, work):
        """`work(databases)`, moved to the replicas of shards that stop answering; every shard or an error."""
        with self.lock:
            attempts = 1 + sum(len(a) for a in self.addresses)
            for _ in range(attempts):
                try:
                    return work(self.databases)
                except self.xapian.Error as exc:
                    if not _network(self.xapian, exc):
                        raise
                    self.fail_over()
            raise ShardUnavailable(-1, [a for shard in self.addresses for a in shard], "no replica kept answering")

    def close(self) -> None:
        with self.lock:
            for connections in self._connections:
                for db in (connections or {}).values():
                    db.close()
            self._connections = [None] * self.manifest.shards
            self.databases = {}


class ShardMismatch(Exception):
    pass


def _described(meta: dict) -> str:
    if not meta:
        return "a database that is no shard of a Jiansuo cluster build"
    return f"shard {meta.get('shard')} {meta.get('channel')} of build {meta.get('build_id')}"


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "get_msg", None)
    return (text() if callable(text) else str(exc)) or type(exc).__name__


def _network(xapian, exc: BaseException) -> bool:
    # A connection that dropped mid-call can surface as a NetworkError or, once closed, as a database error.
    return isinstance(exc, (xapian.NetworkError, xapian.DatabaseClosedError, xapian.DatabaseError))


def xapian_idf(n_docs: int, df: int) -> float:
    """The idf Xapian's BM25Weight gives a term (without a relevance set): it lifts what would be negative."""
    tw = (n_docs - df + 0.5) / (df + 0.5)
    if tw < 2:
        tw = tw * 0.5 + 1
    return math.log(tw)


class ClusterPostings:
    """One channel of the sharded index, answering as `index.postings.Postings` does (what the engine uses)."""

    _KEPT = 2_000_000  # cached weights per channel, as `Postings` keeps its common terms'
    _KEPT_DFS = 200_000  # cached document frequencies per channel

    def __init__(self, shards: ShardSet, channel: str, docmap: DocMap, doc_ids: list[str], params: BM25Params):
        self.shards = shards
        self.channel = channel
        self.docmap = docmap
        self.doc_ids = doc_ids
        self.params = params
        self._lock = threading.Lock()
        self._weights = RecentArrays(self._KEPT)
        self._doc_numbers: dict[str, int] | None = None
        self._dfs: dict[str, int] = {}
        self._floor: float | None = None
        stats = shards.call(lambda dbs: (dbs[channel].get_doccount(), dbs[channel].get_avlength()))
        self._n, self._avgdl = int(stats[0]), float(stats[1])
        if self._n != len(doc_ids):
            raise ConfigError(f"the shards' {channel} databases hold {self._n} articles, the catalog "
                              f"{len(doc_ids)}: they are not of this build", code="bad_config_value")
        self.norms = _Norms(self)

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids)

    @property
    def avgdl(self) -> float:
        return self._avgdl

    def doc_freq(self, term: str) -> int:
        # A build does not change: a term's frequency is asked of the shards once (each asking is a round trip).
        with self._lock:
            known = self._dfs.get(term)
        if known is not None:
            return known
        key = xapian_term(term)
        df = int(self.shards.call(lambda dbs: dbs[self.channel].get_termfreq(key)))
        with self._lock:
            if len(self._dfs) >= self._KEPT_DFS:
                self._dfs.clear()
            self._dfs[term] = df
        return df

    def idf(self, term: str) -> float:
        df = self.doc_freq(term)
        return 0.0 if df == 0 else self._okapi_idf(df)

    def _okapi_idf(self, df: int) -> float:
        """rank-bm25's idf from the merged statistics; below zero, its floor from the mean over the vocabulary."""
        idf = float((np.log(np.array([self._n - df + 0.5])) - np.log(np.array([df + 0.5])))[0])
        if idf >= 0:
            return idf
        if self._floor is None:
            self._floor = self._mean_floor()
        return self._floor

    def _mean_floor(self) -> float:
        """epsilon times the mean idf over every term of the channel, as `bm25.okapi_idf` works it out: the
        document frequencies are read once, merged across the shards, in the index's term order."""
        def frequencies(dbs) -> np.ndarray:
            db = dbs[self.channel]
            prefixes = tuple(p.encode() for p in BOOLEAN_PREFIXES)
            return np.fromiter((item.termfreq for item in db.allterms() if not item.term.startswith(prefixes)),
                               dtype=np.int64)

        dfs = self.shards.call(frequencies)
        if dfs.size == 0:
            return 0.0
        idf = np.log(self._n - dfs.astype(np.float64) + 0.5) - np.log(dfs.astype(np.float64) + 0.5)
        return self.params.epsilon * (float(np.sum(idf)) / idf.size)

    def term_weights(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(catalog numbers holding `term`, ascending; its BM25 weight in each)."""
        kept = self._weights.get(term)
        if kept is not None:
            return kept
        found = self._fetch(term)
        self._weights.put(term, found)
        return found

    def _fetch(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        xapian = self.shards.xapian
        key = xapian_term(term)
        k1, b = self.params.k1, self.params.b

        def fetch(dbs):
            db = dbs[self.channel]
            df = db.get_termfreq(key)
            if df == 0 or self._avgdl == 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
            enquire = xapian.Enquire(db)
            enquire.set_weighting_scheme(xapian.BM25Weight(k1, 0, 0, b, 0))
            scale = self._okapi_idf(df) / xapian_idf(self._n, df)
            enquire.set_query(xapian.Query(xapian.Query.OP_SCALE_WEIGHT, xapian.Query(key), scale))
            return _ids_and_weights(enquire.get_mset(0, df))

        docids, weights = self.shards.call(fetch)
        self.shards.count("weights", docids.size)
        numbers = self.docmap.number[docids]
        order = np.argsort(numbers, kind="stable")
        numbers = numbers[order].astype(np.int32)
        weights = weights[order]
        numbers.flags.writeable = False
        weights.flags.writeable = False
        return numbers, weights

    def docs_with(self, term: str) -> np.ndarray:
        return self.term_weights(term)[0]

    def docs_with_all(self, terms: Iterable[str], within: np.ndarray | None = None) -> np.ndarray:
        wanted = set(terms)
        if not wanted:
            return np.empty(0, dtype=np.int32)
        if ids_only.active():
            with self._lock:
                cached = all(t in self._weights for t in wanted)
            if not cached:
                found = self._holding_all(sorted(wanted))
                return found if within is None else intersect(within, found, self.n_docs)
        return holding_all(self, wanted, within)

    def _holding_all(self, terms: list[str]) -> np.ndarray:
        """The catalog numbers holding every one of `terms`, ascending: matched on the shards, ids only."""
        xapian = self.shards.xapian
        query = xapian.Query(xapian.Query.OP_AND, [xapian.Query(xapian_term(t)) for t in terms])

        def fetch(dbs):
            enquire = xapian.Enquire(dbs[self.channel])
            enquire.set_weighting_scheme(xapian.BoolWeight())
            enquire.set_query(query)
            matches = enquire.get_mset(0, self._n)
            return np.fromiter((m.docid for m in matches), dtype=np.int64, count=matches.size())

        docids = self.shards.call(fetch)
        self.shards.count("ids", docids.size)
        return np.sort(self.docmap.number[docids]).astype(np.int32)

    def clause_query(self, words: list[str], grams: list[str], chars: list[str], title: bool = False):
        """What a clause matches as one query of the `words` database (build format 3): all its words, or all its
        bigrams and lone characters (`Ranker.clause_docs`); a title field, all its words in the title."""
        xapian = self.shards.xapian

        def every(terms: list[str]):
            return xapian.Query(xapian.Query.OP_AND, [xapian.Query(t) for t in terms]) if terms else xapian.Query()

        if title:
            return every([match_term("title", w) for w in words])
        by_chars = [match_term("grams", g) for g in grams] + [match_term("chars", c) for c in chars]
        return xapian.Query(xapian.Query.OP_OR, [every([xapian_term(w) for w in words]), every(by_chars)])

    def _boolean(self, match: "Match", first: int, size: int, check: int = 0):
        xapian = self.shards.xapian

        def fetch(dbs):
            enquire = xapian.Enquire(dbs[self.channel])
            if match.at_least:
                enquire.set_weighting_scheme(xapian.CoordWeight())
                enquire.set_cutoff(0, match.at_least - 0.5)  # weights are whole numbers: no rounding to fear
            else:
                enquire.set_weighting_scheme(xapian.BoolWeight())
            enquire.set_docid_order(xapian.Enquire.ASCENDING)
            enquire.set_query(match.query)
            matches = enquire.get_mset(first, size, check)
            docids = np.fromiter((m.docid for m in matches), dtype=np.int64, count=matches.size())
            return docids, matches.get_matches_lower_bound(), matches.get_matches_upper_bound()

        return self.shards.call(fetch)

    def count(self, match: "Match") -> int:
        """How many articles `match` holds, counted on the shards: no id crosses. Each shard is made to check
        every one of its documents, so the count is exact, not Xapian's estimate."""
        _, lower, upper = self._boolean(match, 0, 0, self._n)
        if lower != upper:  # cannot happen when every document is checked; never let an estimate through
            raise RuntimeError(f"the shards counted between {lower} and {upper} matches")
        self.shards.count("counted", 1)
        return int(lower)

    def matching(self, match: "Match", numbers: np.ndarray | None = None) -> np.ndarray:
        """The catalog numbers `match` holds, ascending: all of them, or those among `numbers` (their id terms
        limit what the shards look at)."""
        xapian = self.shards.xapian
        if numbers is not None:
            if numbers.size == 0:
                return np.empty(0, dtype=np.int64)
            chosen = xapian.Query(xapian.Query.OP_OR, [xapian.Query(id_term(int(n))) for n in numbers])
            match = match._replace(query=xapian.Query(xapian.Query.OP_FILTER, match.query, chosen))
        size = self._n if numbers is None else int(numbers.size)
        docids, _, _ = self._boolean(match, 0, size)
        self.shards.count("ids" if numbers is None else "checked", docids.size)
        return np.sort(self.docmap.number[docids])

    def channel_query(self, counts: Counter):
        """The channel's part of a query: each term weighed as the ranker weighs it (its BM25 weight times its
        count in the query), summed by Xapian; None when no term is in the channel."""
        xapian = self.shards.xapian
        parts = []
        for term, count in counts.items():
            df = self.doc_freq(term)
            if df:
                scale = count * (self._okapi_idf(df) / xapian_idf(self._n, df))
                parts.append(xapian.Query(xapian.Query.OP_SCALE_WEIGHT, xapian.Query(xapian_term(term)), scale))
        return xapian.Query(xapian.Query.OP_OR, parts) if parts else None

    def _weighed(self, query, first: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        xapian = self.shards.xapian
        k1, b = self.params.k1, self.params.b

        def fetch(dbs):
            enquire = xapian.Enquire(dbs[self.channel])
            enquire.set_weighting_scheme(xapian.BM25Weight(k1, 0, 0, b, 0))
            enquire.set_query(query)
            return _ids_and_weights(enquire.get_mset(first, size))

        docids, weights = self.shards.call(fetch)
        return self.docmap.number[docids], weights

    def ranked(self, query, first: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Articles `first` to `first + size` by their weight for `query` (`channel_query`), best first: each
        weight bounds every article after it."""
        if query is None or self._avgdl == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        numbers, weights = self._weighed(query, first, size)
        self.shards.count("ranked", numbers.size)
        return numbers, weights

    def weights_of(self, query, numbers: np.ndarray) -> np.ndarray:
        """The weight of each of `numbers` for `query` (0 where it holds none of its terms), from the shards,
        which are asked about those articles only (their id terms, build format 2)."""
        out = np.zeros(numbers.size, dtype=np.float64)
        if query is None or numbers.size == 0 or self._avgdl == 0:
            return out
        xapian = self.shards.xapian
        chosen = xapian.Query(xapian.Query.OP_OR, [xapian.Query(id_term(int(n))) for n in numbers])
        found, weights = self._weighed(xapian.Query(xapian.Query.OP_FILTER, query, chosen), 0, int(numbers.size))
        self.shards.count("picked", found.size)
        order = np.argsort(numbers, kind="stable")
        at = order[np.searchsorted(numbers[order], found)]
        out[at] = weights
        return out

    def forget(self) -> None:
        """Drops the cached term weights and frequencies (a benchmark's cold start)."""
        with self._lock:
            self._weights.clear()
            self._kept = 0
            self._dfs.clear()

    def weights_at(self, term: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        holders, weights = self.term_weights(term)
        if holders.size == 0 or docs.size == 0:
            return np.zeros(docs.size, dtype=bool), np.empty(0, dtype=np.float64)
        where = np.searchsorted(holders, docs)
        np.minimum(where, holders.size - 1, out=where)
        found = holders[where] == docs
        return found, weights[where[found]]

    def contributions(self, term: str, docs: np.ndarray) -> np.ndarray:
        out = np.zeros(docs.size, dtype=np.float64)
        found, weights = self.weights_at(term, docs)
        out[found] = weights
        return out

    def score(self, query_terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        total = np.zeros(self.n_docs, dtype=np.float64)
        held = np.zeros(self.n_docs, dtype=bool)
        for term, count in Counter(query_terms).items():
            docs, weights = self.term_weights(term)
            total[docs] += weights * count
            held[docs] = True
        candidates = np.flatnonzero(held)
        return candidates, total[candidates]

    def doc_numbers_of(self, doc_ids: Iterable[str]) -> list[int]:
        if self._doc_numbers is None:
            self._doc_numbers = {doc_id: n for n, doc_id in enumerate(self.doc_ids)}
        return [self._doc_numbers[i] for i in doc_ids if i in self._doc_numbers]

    def doc_lengths_of(self, numbers: np.ndarray) -> np.ndarray:
        docids = self.docmap.docid[numbers.astype(np.int64)]

        def lengths(dbs):
            db = dbs[self.channel]
            return np.fromiter((db.get_doclength(int(d)) for d in docids), dtype=np.float64, count=docids.size)

        return self.shards.call(lengths)


class Match(NamedTuple):
    """A query's matches as the shards find them: the articles `query` matches (its weights unused) or, when
    `at_least` is set, those whose weight reaches it, `query` being an OR of units each weighing one (a
    `CoordWeight` over `OP_SYNONYM`s): how a long query's "at least so many of its words" is decided there."""

    query: object
    at_least: int = 0


def _ids_and_weights(matches) -> tuple[np.ndarray, np.ndarray]:
    docids = np.fromiter((m.docid for m in matches), dtype=np.int64, count=matches.size())
    weights = np.fromiter((m.weight for m in matches), dtype=np.float64, count=matches.size())
    return docids, weights


class _Norms:
    """`Postings.norms` for the documents asked for only: their lengths come from the shards."""

    def __init__(self, postings: ClusterPostings):
        self.postings = postings

    def __getitem__(self, numbers) -> np.ndarray:
        p = self.postings.params
        lengths = self.postings.doc_lengths_of(np.asarray(numbers))
        return p.k1 * (1.0 - p.b + p.b * lengths / (self.postings.avgdl or 1.0))


class StorePositions:
    """`index.positions.Positions` from the article store's texts, for the candidates a query asks about."""

    _KEPT = 4096

    def __init__(self, store, analyzer, doc_ids: list[str]):
        self.store = store
        self.analyzer = analyzer
        self.doc_ids = doc_ids
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids)

    def _squashed(self, numbers: np.ndarray) -> list[str]:
        with self._lock:
            missing = [int(n) for n in numbers if int(n) not in self._texts]
        if missing:
            found = self.store.get_many([self.doc_ids[n] for n in missing])
            fold = self.analyzer.fold_with_origins
            made = {}
            for n in missing:
                article = found.get(self.doc_ids[n])
                texts = [*headline(article), article.body] if article is not None else []
                made[n] = squashed("".join(fold(t)[0] for t in texts if t))
            with self._lock:
                self._texts.update(made)
                while len(self._texts) > self._KEPT:
                    self._texts.popitem(last=False)
        else:
            made = {}
        with self._lock:
            return [made[int(n)] if int(n) in made else self._texts[int(n)] for n in numbers]

    def docs_with(self, key: str, within: np.ndarray | None = None) -> np.ndarray:
        if within is None:
            within = np.arange(self.n_docs, dtype=np.int32)
        if not key or within.size == 0:
            return within
        texts = self._squashed(within)
        return within[np.fromiter((key in t for t in texts), dtype=bool, count=within.size)]

    def occurrences(self, key: str, within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        docs, starts = [], []
        if key and within.size:
            for number, text in zip(within, self._squashed(within)):
                at = text.find(key)
                while at >= 0:  # overlapping occurrences count, as the index's pairs find them
                    docs.append(int(number))
                    starts.append(at)
                    at = text.find(key, at + 1)
        return np.asarray(docs, dtype=np.int64), np.asarray(starts, dtype=np.int64)


class NoLargeFiles:
    """The shards are checked by `jiansuo cluster check`, not on open: nothing is left to check here."""

    def raise_if_failed(self) -> None:
        pass

    def wait(self, timeout: float | None = None) -> bool:
        return True


def open_live(engine):
    """The engine's `LiveIndex` over the shards the settings name: what `Engine` searches in cluster mode."""
    from ..engine import LiveIndex
    from .topk import BoundedRanker

    config = engine.config
    manifest, ids = read_catalog(config.cluster_catalog)
    if manifest.fingerprint != engine.analyzer.fingerprint:
        raise ConfigError("the cluster build was made with other analysis settings than this configuration's "
                          "(analyzer fingerprint differs): rebuild it, or use its settings", code="bad_config_value")
    params = BM25Params(manifest.k1, manifest.b, manifest.epsilon)
    if (params.k1, params.b, params.epsilon) != (engine.params.k1, engine.params.b, engine.params.epsilon):
        raise ConfigError(f"the cluster build was made with bm25 k1={params.k1}, b={params.b}, "
                          f"epsilon={params.epsilon}; this configuration says otherwise: rebuild it, or use "
                          "its settings", code="bad_config_value")
    shards = ShardSet(manifest, config.cluster_replicas, config.cluster_timeout_ms)
    shards.open()
    docmap = DocMap(ids, manifest.shards)
    channels = {c: ClusterPostings(shards, c, docmap, ids, params) for c in CHANNELS}
    words = channels.pop("words")
    positions = StorePositions(engine.store, engine.analyzer, ids)
    ranker = BoundedRanker(words, channels, engine.weights, config.ranking_and_fallback_below,
                           soft=engine.soft_match, proximity=engine.proximity, positions=positions,
                           lede_for_questions=config.ranking_lede_for_questions, bounded=manifest.format >= 2,
                           pushed=manifest.format >= 3)
    return LiveIndex(f"cluster-{manifest.build_id}", words, ranker, NoLargeFiles(), manifest.store_revision)
