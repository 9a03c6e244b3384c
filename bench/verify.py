"""What checking an index generation's checksums costs when a process opens it, in one run.

    python bench/verify.py FILE_OR_FOLDER... [--repeat 5]

Ingests the given article files into a temporary archive, then opens the index (words and side channels)
`--repeat` times with sizes checked only and with every file's sha256 checked too; reports the best time of
each and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import config  # noqa: E402
from service.engine import Engine  # noqa: E402
from service.index import storage  # noqa: E402
from service.search.ranker import SIDE_CHANNELS  # noqa: E402


def best_of(repeat: int, run) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(config.defaults().with_overrides(paths_data_dir=Path(folder)))
        engine.ingest(args.paths)
        generation = engine.index_dir / storage.current_generation(engine.index_dir)
        size = sum(p.stat().st_size for p in generation.rglob("*") if p.is_file())
        open_args = (engine.index_dir, engine.analyzer.fingerprint, engine.params)
        sizes_only = best_of(args.repeat, lambda: storage.load(*open_args, channels=SIDE_CHANNELS,
                                                               verify_hashes=False))
        with_hashes = best_of(args.repeat, lambda: storage.load(*open_args, channels=SIDE_CHANNELS))
        print(f"{engine.store.count()} articles, index {size / 1e6:.1f} MB: open with sizes checked "
              f"{sizes_only * 1000:.1f} ms, with sha256 too {with_hashes * 1000:.1f} ms, "
              f"ratio {with_hashes / sizes_only:.2f}")
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
