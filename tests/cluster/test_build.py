"""`cluster build`: the same shards whoever analyses the articles, in this process or in Ray actors."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from cluster.shards import on_loopback, require_cluster
from helpers import PROJECT, make_config

require_cluster()

from service.cluster.analysis import RAY_NODE_ADDRESS, in_loopback_namespace, loopback_namespace_problem  # noqa: E402
from service.cluster.build import build  # noqa: E402
from service.cluster.layout import CHANNELS, content_uuid, shard_dir  # noqa: E402
from service.cluster.xapian_lib import xapian  # noqa: E402
from service.errors import InputError, NotIndexed  # noqa: E402
from service.engine import Engine  # noqa: E402

pytestmark = [pytest.mark.slow]


def differing_files(a: Path, b: Path) -> list[str]:
    """Files whose bytes differ, each database's `iamglass` (its UUID) included."""
    names_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert names_a == names_b
    assert sum(n.name == "iamglass" for n in names_a) == 3 * len(CHANNELS)
    return [str(n) for n in names_a if not filecmp.cmp(a / n, b / n, shallow=False)]


@pytest.fixture
def archive_engine(cluster_archive, analyzer):
    data_dir, _, _ = cluster_archive
    engine = Engine(make_config(data_dir), analyzer=analyzer)
    yield engine
    engine.close()


def test_building_twice_gives_the_same_bytes(cluster_archive, archive_engine, tmp_path):
    _, _, first = cluster_archive
    build(archive_engine, tmp_path / "again", 3)
    assert differing_files(first, tmp_path / "again") == []


def test_each_database_carries_a_uuid_made_from_its_contents(cluster_archive, tmp_path):
    _, _, out = cluster_archive
    uuids = set()
    for shard in range(3):
        for channel in CHANNELS:
            path = shard_dir(out, shard) / channel
            db = xapian.Database(str(path))
            made = content_uuid(path)
            assert db.get_uuid().decode() == str(uuid.UUID(bytes=made))
            assert uuid.UUID(bytes=made).version == 8
            assert db.get_doccount() > 0
            db.close()
            uuids.add(made)
    assert len(uuids) == 3 * len(CHANNELS)  # every database its own
    check = shutil.which("xapian-check")
    if check is not None:  # Xapian's own consistency check reads the version file we rewrote
        done = subprocess.run([check, str(shard_dir(out, 0) / "words")], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No errors found" in done.stdout


def test_another_shard_count_is_another_build(cluster_archive, archive_engine, tmp_path):
    _, _, first = cluster_archive
    report = build(archive_engine, tmp_path / "two", 2)
    assert report.shards == 2 and report.documents == 600
    assert (tmp_path / "two" / "cluster.json").read_text() != (first / "cluster.json").read_text()


def test_an_existing_output_is_not_overwritten(archive_engine, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not an empty directory"):
        build(archive_engine, out, 3)
    assert (out / "keep.txt").read_text() == "mine"
    with pytest.raises(InputError, match="--shards must be at least 1"):
        build(archive_engine, tmp_path / "none", 0)


def test_an_archive_without_an_index_is_refused(engine, tmp_path):
    with pytest.raises(NotIndexed, match="has no index"):
        build(engine, tmp_path / "out", 2)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.fixture(scope="module")
def ray_builds(cluster_archive, tmp_path_factory):
    """Builds with 1 and 2 Ray workers by `ray_build.py`, a program of its own: in a network namespace whose only
    interface is loopback where one can be made (Ray's servers listen on every interface they have), else as
    it is. Ray starts once (it takes seconds) for both. (where it ran, its JSON report)"""
    pytest.importorskip("ray")
    data_dir, _, _ = cluster_archive
    out = tmp_path_factory.mktemp("ray")
    command = [sys.executable, "-P", str(Path(__file__).with_name("ray_build.py")), str(data_dir), str(out)]
    problem = loopback_namespace_problem()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), str(PROJECT / "tests")])}
    done = subprocess.run(command if problem else in_loopback_namespace(command), capture_output=True, text=True,
                          env=env, timeout=540)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, problem, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(600)
def test_ray_builds_with_one_and_two_workers_equal_the_local_build_byte_for_byte(cluster_archive, ray_builds):
    _, _, local = cluster_archive
    out, _, report = ray_builds
    assert [(r["workers"], r["documents"]) for r in report["reports"]] == [(1, 600), (2, 600)]
    for workers in (1, 2):
        assert differing_files(local, out / f"ray{workers}") == []
    assert report["node"] == RAY_NODE_ADDRESS and report["nodes"] == [RAY_NODE_ADDRESS]


@pytest.mark.timeout(600)
def test_ray_listens_on_loopback_only(ray_builds):
    _, problem, report = ray_builds
    if problem:
        message = f"no network namespace with loopback only can be made here ({problem})"
        if os.environ.get("JIANSUO_REQUIRE_CLUSTER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert report["interfaces"] == ["lo"]
    assert report["listening"]  # Ray's own sockets were found: the check is not of none
    # Ray's gRPC servers listen on every interface ("*"), which here is loopback alone.
    assert [a for a in report["listening"] if not (on_loopback(a) or a.startswith("*:"))] == []
