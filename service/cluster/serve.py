"""Serving a shard (`xapian-tcpsrv`, one a channel) and checking a whole deployment.

`xapian-tcpsrv` serves one database per port, so a shard directory is served on consecutive ports, one a
channel in `layout.CHANNELS` order: the address a coordinator lists for the shard is the first.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError
from .client import ShardMismatch, ShardSet, ShardUnavailable, channel_address
from .layout import CHANNELS, read_catalog
from .xapian_lib import require

TCPSRV = "xapian-tcpsrv"


def tcpsrv() -> str:
    found = shutil.which(TCPSRV)
    if found is None:
        raise ConfigError("xapian-tcpsrv is not installed (Debian: apt-get install xapian-tools)",
                          code="cluster_unavailable")
    return found


def shard_commands(directory: Path, host: str, port: int, idle_timeout_ms: int = 60000) -> list[list[str]]:
    """The `xapian-tcpsrv` command lines that serve the shard in `directory` from `port` on."""
    missing = [c for c in CHANNELS if not (directory / c).is_dir()]
    if missing:
        raise InputError(f"{directory} is not a shard of a `jiansuo cluster build` (no {', '.join(missing)} "
                         "database)", code="not_a_shard")
    if not 1 <= port <= 65535 - (len(CHANNELS) - 1):
        raise InputError(f"--port must leave room for {len(CHANNELS)} ports below 65536, got {port}",
                         code="bad_port")
    program = tcpsrv()
    return [[program, "--interface", host, "--port", str(port + number), "--idle-timeout", str(idle_timeout_ms),
             "--quiet", str(directory / channel)] for number, channel in enumerate(CHANNELS)]


def start_shard(directory: Path, host: str, port: int) -> list[subprocess.Popen]:
    """One `xapian-tcpsrv` a channel; all stopped again if any cannot start."""
    started: list[subprocess.Popen] = []
    try:
        for command in shard_commands(directory, host, port):
            # Its own process group: on SIGTERM xapian-tcpsrv signals its whole group (the connections it
            # forked), which would otherwise be the group of whoever started it.
            started.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True))
    except BaseException:
        stop(started)
        raise
    return started


def stop(processes: list[subprocess.Popen], timeout: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


@dataclass
class CheckReport:
    build_id: str
    shards: int
    documents: int
    addresses: list[dict] = field(default_factory=list)  # one per (shard, address): what it answered
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"build_id": self.build_id, "shards": self.shards, "documents": self.documents,
                "addresses": self.addresses, "problems": self.problems, "ok": not self.problems}


def check(config) -> CheckReport:
    """Every address of every shard answers for every channel as that shard of the catalog's build; replicas
    of a shard agree on its statistics; the shards together hold the catalog's articles."""
    require()
    if config.cluster_catalog is None:
        raise ConfigError("no [cluster] in the configuration: set cluster.catalog and cluster.replicas",
                          code="bad_config_value")
    manifest, ids = read_catalog(config.cluster_catalog)
    shards = ShardSet(manifest, config.cluster_replicas, config.cluster_timeout_ms)
    report = CheckReport(manifest.build_id, manifest.shards, manifest.documents)
    totals = {c: 0 for c in CHANNELS}
    for shard, addresses in enumerate(shards.addresses):
        seen: dict[str, dict] = {}
        for address in addresses:
            entry: dict = {"shard": shard, "address": address}
            try:
                databases = shards.open_shard(address, shard)
            except (shards.xapian.Error, ShardMismatch, OSError, ValueError) as exc:
                entry["answers"] = False
                entry["error"] = str(exc) if isinstance(exc, ShardMismatch) else ShardUnavailable(
                    shard, [address], _message(exc)).message
                report.problems.append(f"shard {shard} at {address}: {entry['error']}")
                report.addresses.append(entry)
                continue
            stats = {c: {"documents": db.get_doccount(), "length": round(db.get_avlength() * db.get_doccount()),
                         "terms": _term_count(db)} for c, db in databases.items()}
            for db in databases.values():
                db.close()
            entry.update(answers=True, channels=stats)
            report.addresses.append(entry)
            counts = {s["documents"] for s in stats.values()}
            if len(counts) != 1:
                report.problems.append(f"shard {shard} at {address}: its channels hold different numbers of "
                                       f"articles ({sorted(counts)})")
            for first_address, first in seen.items():
                differing = [c for c in CHANNELS if first[c] != stats[c]]
                if differing:
                    report.problems.append(f"shard {shard}: {address} and {first_address} differ in "
                                           f"{', '.join(differing)} (a replica behind or of another build)")
            if not seen:
                for c in CHANNELS:
                    totals[c] += stats[c]["documents"]
            seen[address] = stats
    answered = {e["shard"] for e in report.addresses if e.get("answers")}
    if len(answered) == manifest.shards:
        for channel, total in totals.items():
            if total != len(ids):
                report.problems.append(f"the shards' {channel} databases hold {total} articles, the catalog "
                                       f"{len(ids)}")
    return report


def _term_count(db) -> int:
    # Remote databases do not say how many distinct terms they hold; the unique-terms bound of each channel is
    # the size of its term list, compared between replicas.
    return sum(1 for _ in db.allterms()) if db.get_doccount() < 200_000 else -1


def _message(exc: BaseException) -> str:
    text = getattr(exc, "get_msg", None)
    return (text() if callable(text) else str(exc)) or type(exc).__name__


__all__ = ["check", "start_shard", "stop", "shard_commands", "channel_address"]
