"""What checking an index generation's checksums costs when a process opens it, in one run.

    python -m bench.verify FILE_OR_FOLDER... [--repeat 5]

Ingests the given article files into a temporary archive, then opens the index (words and side channels)
`--repeat` times each way, the ways taking turns:
- sizes: every file's size checked, no checksum (the baseline);
- sha256: every file's sha256 checked before the index opens;
- background: every file counted as large (`index.checksum_on_open_max_mb` 0): sizes checked, the index opened,
  and the sha256 pass started in a background thread, as a serving process does with files over the limit.
Reports the best time of each until the index can answer, their ratios to the baseline, and the time from
opening until the background pass has ended.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.common import add_ingest_paths, add_repeat, parser_for
from service.engine import Engine
from service.index import storage
from service.index.channels import SIDE_CHANNELS
from service.index.positions import PAIRS
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
        channels = (*SIDE_CHANNELS, PAIRS)
        times: dict[str, list[float]] = {"sizes": [], "sha256": [], "background": [], "pass": []}
        for _ in range(args.repeat):  # the ways take turns, so other work on the machine weighs on all alike
            started = time.perf_counter()
            storage.load(*open_args, channels=channels, verify_hashes=False)
            times["sizes"].append(time.perf_counter() - started)
            started = time.perf_counter()
            storage.load(*open_args, channels=channels)
            times["sha256"].append(time.perf_counter() - started)
            started = time.perf_counter()
            name, _, _ = storage.load(*open_args, channels=channels, hash_limit=0)
            check = storage.LargeFileCheck(engine.index_dir, name, 0)
            times["background"].append(time.perf_counter() - started)
            check.wait()
            times["pass"].append(time.perf_counter() - started)
            check.raise_if_failed()
        best = {way: min(values) for way, values in times.items()}
        print(f"{engine.store.count()} articles, index {size / 1e6:.1f} MB, best of {args.repeat}: open with sizes "
              f"checked {best['sizes'] * 1000:.1f} ms (baseline); every sha256 before opening "
              f"{best['sha256'] * 1000:.1f} ms (x{best['sha256'] / best['sizes']:.2f}); sizes then the sha256 "
              f"pass in the background {best['background'] * 1000:.1f} ms to open "
              f"(x{best['background'] / best['sizes']:.2f}), the pass ending {best['pass'] * 1000:.1f} ms "
              f"after the open began (x{best['pass'] / best['sizes']:.2f})")
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
