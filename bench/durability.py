"""What `synchronous=FULL` on the article store costs an ingest, against `NORMAL`, in one run.

    python -m bench.durability [PATH...] [--repeat 3] [--small 20]

FULL fsyncs the store's write-ahead log at every commit, so no index generation can hold articles a power loss
took from the store; NORMAL fsyncs it only at checkpoints. Each pass ingests PATH (default: the embedded corpus)
into a fresh archive, then makes `--small` ingests of one article each (where one commit's fsync weighs the
most); the two settings take turns, `--repeat` times, the fastest run of each counting. Then, the store alone:
`--small` one-article commits to a store. Reports the times and their ratios. Index generations are fsynced
whatever the store's setting, and fsync times on a shared disk vary from run to run: compare the ratios of
several runs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.common import add_ingest_paths, add_repeat, in_turn, parser_for
from service import store
from service.articles import Article
from service.engine import Engine
from service.testing import make_config
from service.text.analyzer import Analyzer


def _ingest(paths: list[Path], small: int, analyzer: Analyzer) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(make_config(Path(folder) / "data"), analyzer=analyzer)
        try:
            engine.ingest(paths)
            for number in range(small):
                engine.ingest_records([{"id": f"small-{number}", "title": f"短讯{number}",
                                        "body": f"第{number}条短讯的正文。"}])
        finally:
            engine.close()



def _commits(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = store.Store(Path(folder) / "articles.sqlite3")
        try:
            for number in range(count):
                target.upsert([Article(id=f"c-{number}", title=f"短讯{number}", body=f"第{number}条短讯的正文。")])
        finally:
            target.close()


def main() -> int:
    parser = parser_for(__doc__)
    add_ingest_paths(parser)
    add_repeat(parser, default=3)
    parser.add_argument("--small", type=int, default=20, help="one-article ingests after the big one")
    args = parser.parse_args()
    analyzer = Analyzer()
    shipped = store.Store._connect

    def normal(self):
        conn = shipped(self)
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def normally(step):
        def run():
            store.Store._connect = normal
            try:
                step()
            finally:
                store.Store._connect = shipped
        return run

    def ingests():
        _ingest(args.paths, args.small, analyzer)

    def commits():
        _commits(args.small)

    best, _ = in_turn({"full": ingests, "normal": normally(ingests)}, args.repeat, rotate=True)
    print(f"ingest of {', '.join(map(str, args.paths))} and {args.small} one-article ingests: "
          f"synchronous=FULL {best['full']:.2f} s, NORMAL {best['normal']:.2f} s, "
          f"ratio {best['full'] / best['normal']:.3f}")
    best, _ = in_turn({"full": commits, "normal": normally(commits)}, args.repeat, rotate=True)
    print(f"{args.small} one-article store commits: FULL {best['full'] * 1000 / args.small:.2f} ms each, NORMAL "
          f"{best['normal'] * 1000 / args.small:.2f} ms each, ratio {best['full'] / best['normal']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
