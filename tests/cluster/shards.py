"""Real `xapian-tcpsrv` shards on 127.0.0.1 for the tests: free ports, waiting bounded, stopped by pid."""

from __future__ import annotations

import os
import shutil
import socket
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
