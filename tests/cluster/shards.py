"""Real `xapian-tcpsrv` shards on 127.0.0.1 for the tests: free ports, waiting bounded, stopped by pid."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from service.cluster.layout import CHANNELS, shard_dir
from service.cluster.serve import start_shard, stop
from service.cluster.xapian_lib import xapian
from service.testing import free_port

MISSING = [what for what, there in (("the Xapian bindings (pip install 'jiansuo[cluster]')", xapian is not None),
                                    ("xapian-tcpsrv (apt-get install xapian-tools)",
                                     shutil.which("xapian-tcpsrv") is not None)) if not there]


def require_cluster() -> None:
    """Skip the module, saying what is missing; in CI (JIANSUO_REQUIRE_CLUSTER=1) fail instead."""
    if not MISSING:
        return
    message = f"cluster tests need {' and '.join(MISSING)}"
    if os.environ.get("JIANSUO_REQUIRE_CLUSTER") == "1":
        raise RuntimeError(f"JIANSUO_REQUIRE_CLUSTER=1 but {message}")
    pytest.skip(message, allow_module_level=True)


def free_ports(count: int) -> int:
    """A port with the `count - 1` after it free too, on 127.0.0.1."""
    for _ in range(200):
        port = free_port()
        if port + count > 65535:
            continue
        try:
            for offset in range(1, count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError(f"no {count} free ports in a row on 127.0.0.1")


class Servers:
    """Shard directories served on 127.0.0.1, each on its own run of ports; `stop_shard` ends one early."""

    def __init__(self):
        self.processes: dict[str, list] = {}

    def serve(self, directory: Path) -> str:
        port = free_ports(len(CHANNELS))
        address = f"127.0.0.1:{port}"
        self.processes[address] = start_shard(directory, "127.0.0.1", port)
        wait_until_answering(port)
        return address

    def stop_shard(self, address: str) -> None:
        stop(self.processes.pop(address))

    def stop_all(self) -> None:
        for address in list(self.processes):
            self.stop_shard(address)


def wait_until_answering(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    for offset in range(len(CHANNELS)):
        while True:
            try:
                xapian.remote_open("127.0.0.1", port + offset, 2000, 2000).close()
                break
            except xapian.NetworkError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"xapian-tcpsrv on 127.0.0.1:{port + offset} did not answer in {seconds} s")
                time.sleep(0.05)


def serve_build(servers: Servers, out: Path, shards: int) -> list[str]:
    return [servers.serve(shard_dir(out, s)) for s in range(shards)]


def descendants(pid: int) -> set[int]:
    """Every process started, directly or not, by `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        parents[int(stat.parent.name)] = int(text.rpartition(")")[2].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def listening_addresses(pids: set[int]) -> list[str]:
    """The local addresses the processes `pids` listen on (TCP) or have bound (UDP), from `ss`."""
    out = []
    for flags in ("-ltnpH", "-lunpH"):
        listed = subprocess.run(["ss", flags], capture_output=True, text=True, timeout=30).stdout
        for line in listed.splitlines():
            owners = {int(p) for p in re.findall(r"pid=(\d+)", line)}
            if owners & pids:
                out.append(line.split()[3])
    return out


def on_loopback(address: str) -> bool:
    host = address.rpartition(":")[0].strip("[]").split("%")[0]
    return host == "::1" or host.startswith("127.")
