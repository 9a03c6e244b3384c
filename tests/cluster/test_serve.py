"""`cluster serve-shard` and `cluster check` against real processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from cluster.shards import Servers, free_ports, require_cluster, serve_build, wait_until_answering
from helpers import PROJECT

require_cluster()

from service.cli import main  # noqa: E402
from service.cluster.layout import shard_dir  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def write_config(path, data_dir, out, replicas) -> str:
    lists = ", ".join("[" + ", ".join(f'"{a}"' for a in r) + "]" for r in replicas)
    path.write_text(f'[paths]\ndata_dir = "{data_dir}"\n[cluster]\ncatalog = "{out}"\nreplicas = [{lists}]\n'
                    'timeout_ms = 3000\n', encoding="utf-8")
    return str(path)


def test_serve_shard_serves_every_channel_on_loopback_and_stops_them(cluster_archive):
    _, _, out = cluster_archive
    port = free_ports(5)
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    process = subprocess.Popen([sys.executable, "-P", "-m", "service", "cluster", "serve-shard",
                                str(shard_dir(out, 0)), "--port", str(port)], env=env, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_until_answering(port)
        listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, timeout=30).stdout
        ours = [line.split()[3] for line in listening.splitlines()
                if any(line.split()[3].endswith(f":{port + i}") for i in range(5))]
        assert sorted(ours) == [f"127.0.0.1:{port + i}" for i in range(5)]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(30)
    assert process.returncode == 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the servers it started are gone, their ports free
        listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, timeout=30).stdout
        if not any(f":{port + i} " in listening for i in range(5)):
            break
        time.sleep(0.1)
    assert not any(f"127.0.0.1:{port + i} " in listening for i in range(5))


def test_serve_shard_refuses_a_directory_that_is_no_shard(tmp_path, capsys):
    assert main(["cluster", "serve-shard", str(tmp_path), "--port", "40000"]) == 4
    assert "is not a shard" in capsys.readouterr().err


def test_check_passes_on_a_whole_deployment_and_names_what_is_wrong(cluster_archive, tmp_path, capsys):
    data_dir, _, out = cluster_archive
    servers = Servers()
    try:
        primary = serve_build(servers, out, 3)
        replica = servers.serve(shard_dir(out, 0))
        config = write_config(tmp_path / "ok.toml", data_dir, out, [primary, [replica, *primary[1:]]])
        assert main(["cluster", "check", "--config", config, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["ok"] and report["problems"] == []
        assert sum(e["channels"]["words"]["documents"] for e in report["addresses"][:4]
                   if e["address"] != replica) == 600

        wrong = write_config(tmp_path / "wrong.toml", data_dir, out, [[primary[1], primary[0], primary[2]]])
        assert main(["cluster", "check", "--config", wrong]) == 6
        printed = capsys.readouterr().out
        assert f"shard 0 at {primary[1]}: 127.0.0.1:{primary[1].split(':')[1]} serves shard 1 words" in printed

        servers.stop_shard(replica)
        assert main(["cluster", "check", "--config", config]) == 6
        printed = capsys.readouterr().out
        assert f"problem: shard 0 at {replica}" in printed and "3/4 addresses answer" in printed
    finally:
        servers.stop_all()
