"""How long a one-off `jiansuo search`, `show` and `stats` take from start to exit, against Python itself.

    python -m bench.cli_start DATA_DIR [--runs 15] [--query Q ...] [--root CHECKOUT ...] [--python PYTHON]

DATA_DIR is an archive already built (`python -m service --index DATA_DIR ingest ...`), e.g. of the embedded
corpus (`corpus/`) or of the files `bench.scale.write_corpus` writes. Each command is run as a user runs it, a
fresh `python -P -m service --index DATA_DIR ...` process with its output read through a pipe:

- `search Q --json` (the queries in turn, one a round), `show ID --json` (ID: the first hit of the first query),
  `stats`;
- the baselines, in the same rounds: `python -c pass` (the interpreter alone), `python -c "import service"`
  (the package, nothing of it loaded) and `python -c "import numpy"` (the one library every index read needs).

Every round runs every command once, in turn, so other work on the machine weighs on all of them alike. The
report gives, for each command, the median wall time (start to exit) and the median CPU time (user + system of
the child, from `getrusage`) over `--runs` rounds, and each as a ratio to `python -c pass` and to `import numpy`.

`--root` (repeatable) runs the code of another checkout (e.g. a `git worktree` of an earlier commit, its compiled
extension built) beside this one's, in the same rounds: the before and after of a change in one run. The report
also says whether every root printed the same `search --json` for every query (the `took_ms` field aside,
which measures the search itself) and the same `show --json`: a change to start-up must not change results.
The load average before and after is printed; the figures mean most on an idle machine.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import add_data_dir, parser_for
from service.testing import PROJECT

DEFAULT_QUERIES = ("经济", "中国 发展", "北京", "农村 改造", "记者")
BASELINES = {"python -c pass": ["-c", "pass"], "import service": ["-c", "import service"],
             "import numpy": ["-c", "import numpy"]}


def run(python: str, root: Path, args: list[str]) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of the child, its stdout) of one `python -P ARGS` with `root` on the path."""
    # As an installed package runs: its modules' bytecode cached (__pycache__), not compiled again each run.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([python, "-P", *args], env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} (in {root}) failed with exit code {done.returncode}: "
                         f"{done.stderr.decode('utf-8', 'replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def without_timing(stdout: bytes) -> object:
    """`search --json` output with its one field that measures time left out."""
    data = json.loads(stdout)
    data.pop("took_ms", None)
    return data


def first_hit(python: str, root: Path, data_dir: Path, query: str) -> str:
    _, _, out = run(python, root, ["-m", "service", "--index", str(data_dir), "search", query, "--json", "-k", "1"])
    hits = json.loads(out)["results"]
    if not hits:
        raise SystemExit(f"the query {query!r} finds nothing in {data_dir}: give one that does (--query)")
    return hits[0]["id"]


def main() -> int:
    parser = parser_for(__doc__)
    add_data_dir(parser)
    parser.add_argument("--runs", type=int, default=15, help="rounds; each runs every command once (default 15)")
    parser.add_argument("--query", action="append", help="a query to search (repeatable; the first must find "
                                                         "something)")
    parser.add_argument("--root", action="append", type=Path, default=[],
                        help="another checkout whose code runs beside this one's (repeatable)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter (default: this one)")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    queries = args.query or list(DEFAULT_QUERIES)
    roots = [PROJECT] + [root.resolve() for root in args.root]
    names = {root: ("this checkout" if root == PROJECT else str(root)) for root in roots}
    article = first_hit(args.python, PROJECT, data_dir, queries[0])
    index = ["-m", "service", "--index", str(data_dir)]

    commands: dict[tuple[str, Path], list[str] | None] = {(name, PROJECT): argv for name, argv in BASELINES.items()}
    for root in roots:
        commands[("search", root)] = None  # the query changes from round to round
        commands[("show", root)] = [*index, "show", article, "--json"]
        commands[("stats", root)] = [*index, "stats"]
    walls: dict[tuple[str, Path], list[float]] = {key: [] for key in commands}
    cpus: dict[tuple[str, Path], list[float]] = {key: [] for key in commands}
    outputs: dict[tuple[str, Path, str], object] = {}

    load_before = os.getloadavg()
    for number in range(-1, args.runs):  # round -1 writes the bytecode caches and warms the page cache: not counted
        query = queries[number % len(queries)]
        for (name, root), argv in commands.items():
            argv = argv or [*index, "search", query, "--json"]
            wall, cpu, out = run(args.python, root, argv)
            if number < 0:
                continue
            walls[(name, root)].append(wall)
            cpus[(name, root)].append(cpu)
            if name == "search":
                outputs[(name, root, query)] = without_timing(out)
            elif name == "show":
                outputs[(name, root, article)] = json.loads(out)
    load_after = os.getloadavg()

    # Every query once more in every root, for the comparison (a run of few rounds does not reach them all).
    for query in queries:
        for root in roots:
            if (("search", root, query)) not in outputs:
                outputs[("search", root, query)] = without_timing(
                    run(args.python, root, [*index, "search", query, "--json"])[2])

    base_wall = statistics.median(walls[("python -c pass", PROJECT)])
    base_cpu = statistics.median(cpus[("python -c pass", PROJECT)])
    numpy_wall = statistics.median(walls[("import numpy", PROJECT)])
    numpy_cpu = statistics.median(cpus[("import numpy", PROJECT)])
    print(f"archive {data_dir}, {args.runs} rounds, python {args.python}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} cores)")
    print(f"{'command':<16} {'code':<30} {'wall ms':>8} {'cpu ms':>8} {'wall/pass':>10} {'wall/numpy':>11} "
          f"{'cpu/numpy':>10}")
    for (name, root) in commands:
        wall, cpu = statistics.median(walls[(name, root)]), statistics.median(cpus[(name, root)])
        code = "-" if name in BASELINES else names[root][-30:]
        print(f"{name:<16} {code:<30} {wall * 1000:8.0f} {cpu * 1000:8.0f} {wall / base_wall:10.1f} "
              f"{wall / numpy_wall:11.2f} {cpu / numpy_cpu:10.2f}")
    print(f"(python -c pass: {base_wall * 1000:.0f} ms wall, {base_cpu * 1000:.0f} ms CPU)")
    if len(roots) > 1:
        differ = [f"{what} {key!r}" for what, key in
                  [("search", q) for q in queries] + [("show", article)]
                  if any(outputs[(what, root, key)] != outputs[(what, PROJECT, key)] for root in roots[1:])]
        print(f"results identical across checkouts: {'yes' if not differ else 'NO: ' + ', '.join(differ)} "
              f"({len(queries)} queries' search --json, show --json of {article})")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
