"""Named-entity recognition (service/text/entities.py) against a span-annotated set, with jieba's part-of-speech
tags as they are (nr -> PER, ns -> LOC, nt -> ORG, nothing else) as the baseline in the same run.

    python -m bench.ner DATA [--split dev|test|all] [--errors] [--against REV]

DATA is a folder holding test.jsonl (or a .jsonl file): `{"id", "text", "entities": [{"start", "end", "type"}]}`
per line, offsets into `text`, as ../shared/data/msra_ner_test/ has it. `dev` is the first half of the lines,
`test` the second half, `all` every line (the default). The recognizer's rules were set by looking at the
`dev` half only; `test` is the figure to quote.

Prints per type and micro-averaged precision, recall and F1 (a mention counts only with exactly the same start,
end and type), the number of gold and predicted mentions, and each recognizer's speed in sentences per second,
as a ratio to jieba's, measured in turn in this run. `--errors` also prints each sentence the recognizer got
wrong, with the mentions it missed (`-`) and those it added (`+`); it is for the dev half and for sets written
to be read, never for the half whose figure is quoted. `--against REV` also times the recognizer as it was at
git revision REV (its entities.py loaded beside today's, sharing the model), the two in turn three times over
the same sentences, and prints each one's sentences a second (CPU time) and today's throughput as a ratio to
REV's: what a change to the rules costs, with the machine's load cancelled out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
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


def run(rows: list[dict], spans_of: Callable[[str], list[Span]]) -> tuple[Score, float, list[list[Span]]]:
    """The score over `rows`, the seconds the recognizer took (warm: one call before the clock starts) and its
    spans for each row."""
    spans_of("预热：新华社北京电")
    started = time.perf_counter()
    predictions = [spans_of(row["text"]) for row in rows]
    seconds = time.perf_counter() - started
    score = Score()
    for row, predicted in zip(rows, predictions):
        score.add(_gold(row), predicted)
    return score, seconds, predictions


def _gold(row: dict) -> list[Span]:
    return [(e["start"], e["end"], e["type"]) for e in row["entities"]]


def errors(rows: list[dict], predictions: list[list[Span]]) -> list[str]:
    """One block per sentence with a wrong or missing mention: the sentence, then `- NAME TYPE` for each gold
    mention not found and `+ NAME TYPE` for each found mention not in the gold."""
    lines = []
    for row, predicted in zip(rows, predictions):
        gold, found, text = set(_gold(row)), set(predicted), row["text"]
        if gold == found:
            continue
        lines.append(f"{row.get('id', '')}\t{text}")
        lines += [f"  {sign} {text[s:e]} {kind}" for sign, spans in (("-", gold - found), ("+", found - gold))
                  for s, e, kind in sorted(spans)]
    return lines


def report(name: str, score: Score, seconds: float, sentences: int, baseline_seconds: float) -> None:
    print(f"{name}: {sentences / seconds:.0f} sentences/s, speed {baseline_seconds / seconds:.2f} x jieba")
    print(f"  {'type':<6} {'gold':>6} {'pred':>6} {'P':>7} {'R':>7} {'F1':>7}")
    for kind in (*TYPES, None):
        gold, predicted, precision, recall, f1 = score.prf(kind)
        print(f"  {kind or 'micro':<6} {gold:>6} {predicted:>6} {precision:>7.4f} {recall:>7.4f} {f1:>7.4f}")


def recognizer_at(revision: str):
    """A `Recognizer` built from service/text/entities.py as it was at git `revision`, in a module of its own
    beside today's (same package, so its imports resolve; the model it loads is its own)."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{revision}:service/text/entities.py"], cwd=root, check=True,
                            capture_output=True, text=True).stdout
    name = "service.text._entities_at_" + "".join(ch for ch in revision if ch.isalnum())
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "service.text"
    exec(compile(source, f"{revision}:service/text/entities.py", "exec"), module.__dict__)
    return module.Recognizer()


def compare_speed(rows: list[dict], revision: str, rounds: int = 3) -> None:
    """Sentences a second (CPU) of today's recognizer and REV's, timed in turn, one text at a time."""
    from service.text.entities import Recognizer

    texts = [row["text"] for row in rows]
    contenders = {"today": Recognizer(), revision: recognizer_at(revision)}
    seconds = dict.fromkeys(contenders, 0.0)
    for recognizer in contenders.values():
        recognizer.recognize("预热：新华社北京电")
    for _ in range(rounds):
        for name, recognizer in contenders.items():
            started = time.process_time()
            for text in texts:
                recognizer.recognize(text)
            seconds[name] += time.process_time() - started
    for name, spent in seconds.items():
        print(f"{name}: {rounds * len(texts) / spent:.0f} sentences/s (CPU)")
    print(f"today's throughput / {revision}'s: {seconds[revision] / seconds['today']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ner", description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="folder with test.jsonl, or a .jsonl file")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="print the sentences the recognizer got wrong")
    parser.add_argument("--against", metavar="REV", help="also time the recognizer as it was at git revision REV")
    args = parser.parse_args(argv)
    rows = read_set(args.data, args.split)
    print(f"{args.data} split {args.split}: {len(rows)} sentences, "
          f"{sum(len(row['entities']) for row in rows)} entities")
    baseline, baseline_seconds, _ = run(rows, jieba_spans)
    ours, seconds, predictions = run(rows, recognizer_spans)
    report("jieba posseg (baseline)", baseline, baseline_seconds, len(rows), baseline_seconds)
    report("service.text.entities", ours, seconds, len(rows), baseline_seconds)
    if args.against:
        compare_speed(rows, args.against)
    if args.errors:
        print("\n".join(errors(rows, predictions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
