"""Ray builds with 1 and 2 workers, run by `test_build` as a program of its own (in a loopback-only network
namespace where it can be made): `python -P ray_build.py DATA_DIR OUT` builds OUT/ray1 and OUT/ray2 and prints
one JSON line saying where Ray ran and what its processes listen on."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cluster.shards import descendants, listening_addresses
from helpers import make_config
from service.cluster.analysis import start_ray
from service.cluster.build import build
from service.engine import Engine
from service.text.analyzer import Analyzer


def main(data_dir: Path, out: Path) -> dict:
    import ray

    engine = Engine(make_config(data_dir), analyzer=Analyzer())
    start_ray(2)  # once, for both builds: it takes seconds
    try:
        reports = [build(engine, out / f"ray{workers}", 3, workers).to_dict() for workers in (1, 2)]
        return {"reports": reports, "node": ray.util.get_node_ip_address(),
                "nodes": sorted({node["NodeManagerAddress"] for node in ray.nodes()}),
                "listening": listening_addresses(descendants(os.getpid())),
                # This process's network namespace's interfaces (/proc/net/dev is per namespace).
                "interfaces": sorted(line.split(":")[0].strip()
                                     for line in Path("/proc/net/dev").read_text().splitlines()[2:])}
    finally:
        ray.shutdown()
        engine.close()


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
