"""`jiansuo cluster build | serve-shard | check`: the command line of `service.cluster`. Prints; the core does not.

Exit codes as for every command (`service.cli`), and 11 when a shard answers on none of its addresses.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path


def _engine(args: argparse.Namespace):
    from .cli import _engine as engine

    return engine(args)


def cmd_build(args: argparse.Namespace) -> int:
    from .cluster.build import build

    engine = _engine(args)
    try:
        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\ranalysed {done}/{total}", end="", file=sys.stderr, flush=True)

        report = build(engine, Path(args.out).resolve(), args.shards, args.workers, progress)
    finally:
        engine.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(f"built {report.shards} shard(s) of {report.documents} articles in {report.out} "
              f"({report.seconds:.1f} s, build {report.build_id})")
    return 0


def cmd_serve_shard(args: argparse.Namespace) -> int:
    from .cluster.serve import start_shard, stop

    processes = start_shard(Path(args.directory).resolve(), args.host, args.port)
    stopping = threading.Event()

    def ask_to_stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    print(f"serving shard {args.directory} at {args.host}:{args.port} (channels on ports {args.port}-"
          f"{args.port + len(processes) - 1})", file=sys.stderr, flush=True)
    try:
        while not stopping.wait(0.5):
            ended = [p for p in processes if p.poll() is not None]
            if ended:
                print(f"jiansuo: xapian-tcpsrv (pid {ended[0].pid}) ended with status {ended[0].returncode}; "
                      "stopping the shard's other channels", file=sys.stderr)
                return 1
    finally:
        stop(processes)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .cluster.serve import check
    from .config import load
    from .errors import IndexUnusable

    config = load(args.config)
    report = check(config)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"build {report.build_id}: {report.shards} shard(s), {report.documents} articles, "
              f"{sum(1 for e in report.addresses if e.get('answers'))}/{len(report.addresses)} addresses answer")
        for problem in report.problems:
            print(f"problem: {problem}")
    return IndexUnusable.exit_code if report.problems else 0


def add_commands(commands) -> None:
    p = commands.add_parser("cluster", help="the index over several machines: build shards, serve one, check them")
    # The global options after the action too: `jiansuo cluster check --config FILE`.
    actions = p.add_subparsers(dest="cluster_command", required=True, metavar="ACTION", action=type(commands))
    b = actions.add_parser("build", help="one Xapian database per shard and channel from this archive")
    b.add_argument("out", metavar="OUT", help="new directory for the shards, cluster.json and catalog.txt")
    b.add_argument("--shards", type=int, required=True, help="how many shards (at least 1)")
    b.add_argument("--workers", type=int, default=0,
                   help="analyse in this many Ray actors on a loopback-only local Ray (default 0: in this process)")
    b.add_argument("--json", action="store_true", help="print the report as JSON")
    b.set_defaults(run=cmd_build)
    s = actions.add_parser("serve-shard", help="serve one shard directory with xapian-tcpsrv, a port a channel")
    s.add_argument("directory", metavar="DIR", help="a shard-NNN directory of a build")
    s.add_argument("--port", type=int, required=True,
                   help="the shard's address port; its five channels use this port and the next four")
    s.add_argument("--host", default="127.0.0.1",
                   help="the interface to listen on (default 127.0.0.1; give the machine's address to serve "
                        "other machines)")
    s.set_defaults(run=cmd_serve_shard)
    c = actions.add_parser("check", help="every shard address answers, replicas agree, builds match ([cluster])")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.set_defaults(run=cmd_check)
