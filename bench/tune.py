"""Grid search over Jiansuo's settings on a retrieval set: nDCG@10, Recall@100 and MRR@10 of every combination.

    python -m bench.tune DATASET_DIR --split dev[,...] --grid 'ranking.title_weight=0,0.5,1' --grid 'bm25.k1=0.9,1.2'
        [--base-config config.toml] [--limit N] [--work DIR] [--out RESULTS.jsonl] [--jobs N]

DATASET_DIR is in BEIR layout (bench/retrieval.py; bench/devsets.py builds news-like sets with dev and test
splits). Tune on dev splits and report the chosen settings on the test splits with bench/retrieval.py
(`--jiansuo "python -m service --config FILE"`), never the other way round.

The corpus is ingested once (`jiansuo ingest`) into WORK/data. Each combination is a settings file,
WORK/configs/NNN.toml: the base config (default: the project's config.toml) with the grid's keys set, its
paths made absolute and `paths.data_dir` the shared archive. It is run with `jiansuo search --batch --trec`
(the run is kept in WORK/runs/NNN/). `[ranking]` and `[search]` settings act at query time. The index records
the `[bm25]` parameters and the analyzer (`[analysis]`) that built it and refuses to open with others, so the
combinations are run grouped by those settings, and before each group whose settings the index does not match
(`jiansuo stats` says `index_current`) the index is rebuilt with `jiansuo reindex`: for `[bm25]` a merge without
analysing again (seconds), for `[analysis]` every article analysed again. `[paths]` cannot be tuned.

Without `--work` the work folder is a temporary one, removed at the end; with it, a later run on the same corpus
skips the ingest. `--jobs N` runs N searches of a group at a time. Prints one line per combination as it is
done, then every combination best first (by nDCG@10, then MRR@10, then Recall@100; `*` marks the base
config's own values); `--out` writes one JSON object per combination.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import add_dataset, add_limit, parser_for
from bench.retrieval import (
    evaluate,
    jiansuo_ingest,
    jiansuo_run,
    jiansuo_search,
    read_qrels,
    select_queries,
    split_names,
)
from service.config import DEFAULT_CONFIG_FILE, SETTINGS, Setting, from_mapping
from service.errors import ConfigError

METRICS = ("nDCG@10", "Recall@100", "MRR@10")
# Settings the index is built with: a change of any of them needs `jiansuo reindex`.
INDEX_SECTIONS = ("analysis", "bm25")
CORPUS_MARK = "corpus.json"


# --- the grid ---------------------------------------------------------------------------------------------

def parse_value(setting: Setting, text: str) -> Any:
    """A grid value in the type of the setting's default."""
    kind = type(setting.default)
    if kind is bool:
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{setting.section}.{setting.key} takes true or false, got {text!r}")
        return text.lower() == "true"
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"{setting.section}.{setting.key} takes a number, got {text!r}") from None
    return text


def parse_grid(specs: list[str]) -> dict[tuple[str, str], list[Any]]:
    """`section.key=v1,v2` specs as {(section, key): values}."""
    known = {f"{s.section}.{s.key}": s for s in SETTINGS}
    grid: dict[tuple[str, str], list[Any]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        setting = known.get(name.strip())
        if not sep or setting is None:
            raise ValueError(f"--grid takes SECTION.KEY=V1,V2,... with a setting of config.toml, got {spec!r}")
        if setting.section == "paths":
            raise ValueError(f"{name} cannot be tuned: every combination searches the one archive in WORK/data")
        grid[(setting.section, setting.key)] = [parse_value(setting, v.strip()) for v in values.split(",")]
    return grid


def combinations(grid: dict[tuple[str, str], list[Any]]) -> list[dict[tuple[str, str], Any]]:
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def index_key(combination: dict[tuple[str, str], Any]) -> tuple:
    """What of a combination the index is built with."""
    return tuple(sorted((k, v) for k, v in combination.items() if k[0] in INDEX_SECTIONS))


# --- settings files ---------------------------------------------------------------------------------------

def base_settings(path: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    """The base config's tables with every path made absolute (the files are written elsewhere) and
    `paths.data_dir` the shared archive."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    for s in SETTINGS:
        value = raw.get(s.section, {}).get(s.key)
        if (s.section == "paths" or s.optional_file) and isinstance(value, str) and value.strip():
            candidate = Path(value).expanduser()
            raw[s.section][s.key] = str(candidate if candidate.is_absolute() else path.resolve().parent / candidate)
    raw.setdefault("paths", {})["data_dir"] = str(data_dir.resolve())
    return raw


def with_values(base: dict[str, dict[str, Any]], combination: dict[tuple[str, str], Any]) -> dict:
    tables = {section: dict(table) for section, table in base.items()}
    for (section, key), value in combination.items():
        tables.setdefault(section, {})[key] = value
    return tables


def toml_text(tables: dict[str, dict[str, Any]], note: str) -> str:
    lines = [f"# {note}"]
    for section, table in tables.items():
        lines.append(f"\n[{section}]")
        for key, value in table.items():
            text = ("true" if value else "false") if isinstance(value, bool) else (
                json.dumps(value) if isinstance(value, str) else repr(value))
            lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


# --- the work folder --------------------------------------------------------------------------------------

def prepare_archive(work: Path, corpus: Path, jiansuo: list[str]) -> float:
    """Ingest the corpus into WORK/data unless a run before did; the seconds it took (0 when skipped)."""
    data = work / "data"
    stat = corpus.resolve().stat()
    mark = {"corpus": str(corpus.resolve()), "bytes": stat.st_size, "modified": stat.st_mtime_ns}
    mark_file = work / CORPUS_MARK
    if data.exists():
        if mark_file.is_file() and json.loads(mark_file.read_text(encoding="utf-8")) == mark:
            return 0.0
        if not mark_file.is_file():
            raise SystemExit(f"{data} exists and was not made by bench.tune: name another --work folder")
        shutil.rmtree(data)  # made by an earlier run from another corpus (or another version of it)
    mark_file.unlink(missing_ok=True)
    started = time.perf_counter()
    jiansuo_ingest(jiansuo, corpus)
    mark_file.write_text(json.dumps(mark), encoding="utf-8")
    return time.perf_counter() - started


def index_is_current(jiansuo: list[str]) -> bool:
    done = subprocess.run(jiansuo + ["stats"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"jiansuo stats failed ({done.returncode}): {done.stderr[-2000:]}")
    return bool(json.loads(done.stdout).get("index_current"))


# --- the run ----------------------------------------------------------------------------------------------

def label(key: tuple[str, str]) -> str:
    return f"{key[0]}.{key[1]}"


def described(pairs) -> str:
    """`section.key=value, ...` of (key, value) pairs."""
    return ", ".join(f"{label(k)}={v}" for k, v in pairs)


def main() -> int:
    parser = parser_for(__doc__)
    add_dataset(parser)
    parser.add_argument("--split", required=True,
                        help="the queries to tune on: a split or several, comma-separated (e.g. cmrc-dev,drcd-dev)")
    parser.add_argument("--grid", action="append", required=True, metavar="SECTION.KEY=V1,V2",
                        help="values of one setting to try (repeatable: every combination is run)")
    parser.add_argument("--base-config", type=Path, default=DEFAULT_CONFIG_FILE, metavar="FILE",
                        help="the settings the grid changes (default: the project's config.toml)")
    add_limit(parser, "queries")
    parser.add_argument("--work", type=Path, metavar="DIR",
                        help="folder for the archive, settings files and runs, kept (default: a temporary one)")
    parser.add_argument("--out", type=Path, metavar="RESULTS.jsonl", help="write one JSON object per combination")
    parser.add_argument("--jobs", type=int, default=1, help="searches run at a time (default 1)")
    parser.add_argument("--jiansuo", default=f"{sys.executable} -m service",
                        help="how to run the jiansuo command (default: this Python's `-m service`)")
    args = parser.parse_args()

    try:
        grid = parse_grid(args.grid)
    except ValueError as exc:
        parser.error(str(exc))
    qrels = read_qrels(args.dataset / "qrels.tsv")
    queries = select_queries(args.dataset, qrels, split_names(args.split), args.limit)
    if not queries:
        parser.error("no queries with relevance judgements in that selection")
    query_ids = [q["id"] for q in queries]

    temporary = None if args.work else tempfile.TemporaryDirectory(prefix="jiansuo-tune-")
    work = Path(temporary.name if temporary else args.work).resolve()
    try:
        base = base_settings(args.base_config, work / "data")
        base_config = from_mapping(base, base_dir=work)
        chosen = combinations(grid)
        order = list(dict.fromkeys(index_key(c) for c in chosen))
        chosen.sort(key=lambda c: order.index(index_key(c)))  # stable: grid order within a group
        configs = []
        (work / "configs").mkdir(parents=True, exist_ok=True)
        for number, combination in enumerate(chosen):
            tables = with_values(base, combination)
            try:
                from_mapping(tables, base_dir=work)
            except ConfigError as exc:
                parser.error(f"{exc.message} (combination {described(combination.items())})")
            path = work / "configs" / f"{number:03d}.toml"
            path.write_text(toml_text(tables, f"bench.tune combination {number} from {args.base_config.resolve()}"),
                            encoding="utf-8")
            configs.append(path)
        base_values = {k: getattr(base_config, f"{k[0]}_{k[1]}") for k in grid}

        print(f"{args.dataset.name}: {len(queries)} queries (split {args.split}), {len(chosen)} combinations, "
              f"{len(order)} index setting(s); work folder {work}", flush=True)
        ingest_seconds = prepare_archive(work, args.dataset / "corpus.jsonl",
                                         args.jiansuo.split() + ["--config", str(configs[0])])
        print(f"ingest: {ingest_seconds:.1f} s" if ingest_seconds else "ingest: done by an earlier run", flush=True)

        def run(number: int) -> dict:
            folder = work / "runs" / f"{number:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            runs = jiansuo_search(args.jiansuo.split() + ["--config", str(configs[number])], queries, folder)
            result = {"settings": {label(k): v for k, v in chosen[number].items()},
                      **evaluate(runs, qrels, query_ids), "seconds": time.perf_counter() - started,
                      "base": chosen[number] == base_values, "config": str(configs[number])}
            print(f"  {number + 1}/{len(chosen)} {described(chosen[number].items())}: "
                  + "  ".join(f"{m} {result[m]:.4f}" for m in METRICS) + f"  ({result['seconds']:.1f} s)", flush=True)
            return result

        results: list[dict] = []
        for key in order:
            members = [n for n, c in enumerate(chosen) if index_key(c) == key]
            command = args.jiansuo.split() + ["--config", str(configs[members[0]])]
            if not index_is_current(command):
                started = time.perf_counter()
                jiansuo_run(command + ["reindex"], "reindex")
                print(f"reindex for {described(key) or 'the base settings'}: "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                results.extend(pool.map(run, members))
    finally:
        if temporary:
            temporary.cleanup()

    results.sort(key=lambda r: (-r["nDCG@10"], -r["MRR@10"], -r["Recall@100"]))
    names = [label(k) for k in grid]
    widths = [max(len(n), *(len(str(r["settings"][n])) for r in results)) for n in names]
    print("\n" + "  ".join(n.rjust(w) for n, w in zip(names, widths))
          + f" {'nDCG@10':>8} {'Recall@100':>11} {'MRR@10':>8} {'seconds':>8}")
    for r in results:
        print("  ".join(str(r["settings"][n]).rjust(w) for n, w in zip(names, widths))
              + f" {r['nDCG@10']:8.4f} {r['Recall@100']:11.4f} {r['MRR@10']:8.4f} {r['seconds']:8.1f}"
              + (" *" if r["base"] else ""))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            for r in results:
                if temporary:
                    r = {k: v for k, v in r.items() if k != "config"}
                out.write(json.dumps({"dataset": str(args.dataset), "split": args.split, "queries": len(queries), **r},
                                     ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
