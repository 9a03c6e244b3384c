"""What checking an index generation's checksums costs when a process opens it, in one run.

    python -m bench.verify FILE_OR_FOLDER... [--repeat 5]

Ingests the given article files into a temporary archive, then opens the index (words and side channels)
`--repeat` times with sizes checked only and with every file's sha256 checked too; reports the best time of
each and their ratio.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.common import add_ingest_paths, add_repeat, best_of, parser_for
from service.engine import Engine
from service.index import storage
from service.index.channels import SIDE_CHANNELS
from service.testing import make_config


def main() -> int:
    parser = parser_for(__doc__)
    add_ingest_paths(parser, required=True)
    add_repeat(parser, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(make_config(Path(folder)))
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
