"""Named-entity recognition (service/text/entities.py) against a span-annotated set, with jieba's part-of-speech
tags as they are (nr -> PER, ns -> LOC, nt -> ORG, nothing else) as the baseline in the same run.

    python -m bench.ner DATA [--split dev|test|all]

DATA is a folder holding test.jsonl (or a .jsonl file): `{"id", "text", "entities": [{"start", "end", "type"}]}`
per line, offsets into `text`, as ../shared/data/msra_ner_test/ has it. `dev` is the first half of the lines,
`test` the second half, `all` every line (the default). The recognizer's rules were set by looking at the
`dev` half only; `test` is the figure to quote.

Prints per type and micro-averaged precision, recall and F1 (a mention counts only with exactly the same start,
end and type), the number of gold and predicted mentions, and each recognizer's speed in sentences per second,
as a ratio to jieba's, measured in turn in this run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

from service.text.entities import TYPES, recognize

Span = tuple[int, int, str]
_JIEBA_TYPES = {"nr": "PER", "ns": "LOC", "nt": "ORG"}


def read_set(path: Path, split: str) -> list[dict]:
    if path.is_dir():
        path = path / "test.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    half = len(rows) // 2
    return {"dev": rows[:half], "test": rows[half:], "all": rows}[split]


def jieba_spans(text: str) -> list[Span]:
    import jieba.posseg

    spans, position = [], 0
    for pair in jieba.posseg.cut(text):
        end = position + len(pair.word)
        if pair.flag in _JIEBA_TYPES:
            spans.append((position, end, _JIEBA_TYPES[pair.flag]))
        position = end
    return spans


def recognizer_spans(text: str) -> list[Span]:
    return [(entity.start, entity.end, entity.type) for entity in recognize(text)]


class Score:
    def __init__(self) -> None:
        self.true, self.predicted, self.gold = Counter(), Counter(), Counter()

    def add(self, gold: Iterable[Span], predicted: Iterable[Span]) -> None:
        gold, predicted = set(gold), set(predicted)
        for _, _, kind in gold:
            self.gold[kind] += 1
        for _, _, kind in predicted:
            self.predicted[kind] += 1
        for _, _, kind in gold & predicted:
            self.true[kind] += 1

    def prf(self, kind: str | None = None) -> tuple[int, int, float, float, float]:
        """(gold, predicted, precision, recall, F1) of one type, or micro-averaged over all for None."""
        pick = (lambda counter: counter[kind]) if kind else (lambda counter: sum(counter.values()))
        true, predicted, gold = pick(self.true), pick(self.predicted), pick(self.gold)
        precision = true / predicted if predicted else 0.0
        recall = true / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return gold, predicted, precision, recall, f1


def run(rows: list[dict], spans_of: Callable[[str], list[Span]]) -> tuple[Score, float]:
    """The score over `rows` and the seconds the recognizer took (warm: one call before the clock starts)."""
    spans_of("预热：新华社北京电")
    started = time.perf_counter()
    predictions = [spans_of(row["text"]) for row in rows]
    seconds = time.perf_counter() - started
    score = Score()
    for row, predicted in zip(rows, predictions):
        score.add(((e["start"], e["end"], e["type"]) for e in row["entities"]), predicted)
    return score, seconds


def report(name: str, score: Score, seconds: float, sentences: int, baseline_seconds: float) -> None:
    print(f"{name}: {sentences / seconds:.0f} sentences/s, speed {baseline_seconds / seconds:.2f} x jieba")
    print(f"  {'type':<6} {'gold':>6} {'pred':>6} {'P':>7} {'R':>7} {'F1':>7}")
    for kind in (*TYPES, None):
        gold, predicted, precision, recall, f1 = score.prf(kind)
        print(f"  {kind or 'micro':<6} {gold:>6} {predicted:>6} {precision:>7.4f} {recall:>7.4f} {f1:>7.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ner", description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="folder with test.jsonl, or a .jsonl file")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    args = parser.parse_args(argv)
    rows = read_set(args.data, args.split)
    print(f"{args.data} split {args.split}: {len(rows)} sentences, "
          f"{sum(len(row['entities']) for row in rows)} entities")
    baseline, baseline_seconds = run(rows, jieba_spans)
    ours, seconds = run(rows, recognizer_spans)
    report("jieba posseg (baseline)", baseline, baseline_seconds, len(rows), baseline_seconds)
    report("service.text.entities", ours, seconds, len(rows), baseline_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
