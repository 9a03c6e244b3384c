"""Articles to their terms in each channel: in this process, or in Ray actors that each load the analyzer once.

Either way the batches come back in the order they were given, so what is written does not depend on how many
workers there were or which finished first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import deque
from typing import Iterable, Iterator

from ..errors import InputError
from ..index.channels import count_channels
from ..index.workers import headline
from .layout import CHANNELS

# One analysed article: for each channel of `CHANNELS`, its (term, count) pairs in first-occurrence order.
Counted = list[list[tuple[str, int]]]

# Ray binds its services to the node address; a loopback one keeps every port of a local Ray off the network
# (given 127.0.0.1 it would put the machine's own network address in its place).
RAY_NODE_ADDRESS = "127.0.0.2"


def analyse(analyzer, articles: list) -> list[Counted]:
    out = []
    for article in articles:
        counts = count_channels(analyzer, headline(article), article.body)
        out.append([list(counts[channel][1].items()) for channel in CHANNELS])
    return out


def analyse_locally(analyzer, chunks: Iterable[list]) -> Iterator[list[Counted]]:
    for chunk in chunks:
        yield analyse(analyzer, chunk)


class _Analyst:
    """A Ray actor's state: one analyzer, loaded when the actor starts."""

    def __init__(self, config):
        from ..text.analyzer import Analyzer

        self.analyzer = Analyzer.from_config(config)

    def analyse(self, articles: list) -> list[Counted]:
        return analyse(self.analyzer, articles)


def in_loopback_namespace(command: list[str]) -> list[str]:
    """`command` run in a network namespace of its own whose only interface is loopback (util-linux `unshare`
    through an unprivileged user namespace, iproute2 `ip` to bring loopback up). Ray's gRPC servers (GCS,
    raylet, workers) listen on every interface whatever the node address; in such a namespace every interface
    is loopback, so nothing of a local Ray can be reached from the network."""
    return ["unshare", "--net", "--map-root-user", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]


def loopback_namespace_problem() -> str | None:
    """Why `in_loopback_namespace` cannot run here, or None when it can."""
    missing = [tool for tool in ("unshare", "ip") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed"
    try:
        done = subprocess.run(in_loopback_namespace(["true"]), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return None if done.returncode == 0 else (done.stderr.strip() or f"exit status {done.returncode}")


def start_ray(workers: int) -> None:
    """A Ray of its own on this machine, every service on a loopback address; nothing reaches the network."""
    import ray

    if ray.is_initialized():
        return
    ray.init(address="local", _node_ip_address=RAY_NODE_ADDRESS, include_dashboard=False, num_cpus=workers,
             log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}})


def analyse_on_ray(config, chunks: Iterable[list], workers: int) -> Iterator[list[Counted]]:
    """Batches analysed by `workers` actors, at most two batches each in flight, handed back in order."""
    import ray

    started_here = not ray.is_initialized()
    start_ray(workers)
    cores = ray.cluster_resources().get("CPU", 0)
    if cores < workers:  # the actors past the cores would wait for one for ever
        if started_here:
            ray.shutdown()
        raise InputError(f"--workers {workers}: the running Ray has {cores:g} CPU(s) for actors",
                         code="bad_workers")
    try:
        actor = ray.remote(num_cpus=1)(_Analyst)
        actors = [actor.remote(config) for _ in range(workers)]
        pending: deque = deque()
        turn = 0
        for chunk in chunks:
            pending.append(actors[turn % workers].analyse.remote(chunk))
            turn += 1
            if len(pending) >= 2 * workers:
                yield ray.get(pending.popleft())
        while pending:
            yield ray.get(pending.popleft())
        for one in actors:
            ray.kill(one)
    finally:
        if started_here:
            ray.shutdown()
