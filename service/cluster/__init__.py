"""Jiansuo on several machines: the index sharded over Xapian's remote backend, with the same scores as one.

An archive's articles are spread over N shards by a stable hash of their id; each shard holds one Xapian
database per scoring channel (`layout.CHANNELS`), whose documents are the terms the single-machine index
counts for that channel, so each channel keeps its own document lengths. A coordinator (`client`) opens every
shard of a channel with `Database.add_database(remote_open(...))`, so document counts, lengths and document
frequencies are merged across shards, and corrects Xapian's BM25 idf to rank-bm25's with a per-term weight
scale worked out from those merged statistics. The article store stays on the coordinator (`docs/scale-out.md`
says why). `build` writes the shards, `serve` runs `xapian-tcpsrv` for one, `check` verifies a deployment.

Needs the optional `cluster` extra (`xapian-bindings-binary`, `ray`) and Debian's `xapian-tools`.
"""
