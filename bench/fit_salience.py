"""Fit the word salience weights of `service/summaries/salience.py` and choose the two sentence constants of
`service/summaries/choice.py` and `service/summaries/kinds.py`.

    python -m bench.fit_salience TRAIN.jsonl [MORE.jsonl ...] [--exclude HELD_OUT.jsonl ...]

TRAIN files hold `{"text", "summary"}` lines (a text and a headline written for it). The weights were fitted on
LCSTS part II (../shared/data/lcsts_part2_clge/val.jsonl and test.jsonl) with `--exclude
../shared/data/lcsts_part3/lcsts_part3.jsonl`, which drops the texts that also occur in part III, the set the
summaries are measured on; part III itself is never read for anything else.

1. Each distinct word of a text is an example, labelled by whether the headline contains it; a logistic
   regression (L2, on standardised features) gives SALIENCE_WEIGHTS.
2. EXPECTED_OVERLAP_CHARS and POSITION_DECAY are chosen on a small grid by two-fold cross-fitting (weights
   fitted on one half choose sentences on the other), by mean ROUGE-L of the one chosen sentence.
Paste the printed constants into service/summaries/salience.py (SALIENCE_FEATURES, SALIENCE_WEIGHTS) and
service/summaries/choice.py (EXPECTED_OVERLAP_CHARS) and service/summaries/kinds.py (POSITION_DECAY, the decay of
a post's sentences). The news lede's bonus is learned on news, by bench/fit_lede.py. Needs rouge-chinese, as
bench.summaries does.
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import numpy as np

from bench.common import parser_for, read_jsonl
from bench.summaries import rouge
from service.summaries import salience as salience_model
from service.summaries.data import _letters
from service.text.analyzer import Analyzer
from service.text.sentences import split_sentences


def prepare(analyzer: Analyzer, record: dict) -> dict | None:
    text = record["text"]
    sentences = split_sentences(text)
    if not sentences:
        return None
    features, words = salience_model.word_features(text, sentences, analyzer.analyze(text))
    headline = analyzer.fold(record["summary"])
    return {"features": features, "words": words, "sentences": sentences,
            "labels": {term: float(term in headline) for term in features},
            "letters": [_letters(s.text) for s in sentences],
            "rouge_l": [rouge(s.text, record["summary"])["rouge-l"] for s in sentences]}


def fit(items: list[dict], l2: float = 1e-3, iterations: int = 3000, rate: float = 1.0) -> np.ndarray:
    x = np.array([f for item in items for f in item["features"].values()])
    y = np.array([item["labels"][t] for item in items for t in item["features"]])
    mean, scale = x.mean(0), x.std(0) + 1e-9
    mean[0], scale[0] = 0.0, 1.0  # the bias column stays as it is
    z = (x - mean) / scale
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-z @ w))
        w += rate * (z.T @ (y - p) / len(y) - l2 * w)
    weights = w / scale
    weights[0] = w[0] - np.sum(w[1:] * mean[1:] / scale[1:])
    return weights


def chosen_rouge(items: list[dict], weights: np.ndarray, overlap: float, decay: float) -> float:
    total = 0.0
    for item in items:
        weight = salience_model.salience(item["features"], weights)
        values = [2 * sum(weight[w] * len(w) for w in set(words)) / (letters + overlap) / (1 + decay * i)
                  for i, (words, letters) in enumerate(zip(item["words"], item["letters"]))]
        total += item["rouge_l"][int(np.argmax(values))]
    return total / len(items)


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("train", nargs="+", type=Path)
    parser.add_argument("--exclude", nargs="*", type=Path, default=[], help="drop texts that occur in these files")
    args = parser.parse_args()

    held_out = {r["text"] for r in read_jsonl(*args.exclude)}
    everything = read_jsonl(*args.train)
    records = [r for r in everything if r["text"] not in held_out]
    analyzer = Analyzer()
    items = [item for item in (prepare(analyzer, r) for r in records) if item is not None]
    print(f"{len(items)} texts ({len(everything) - len(records)} left out: they occur in the held-out files)",
          file=sys.stderr)

    weights = fit(items)
    print("SALIENCE_FEATURES =", salience_model.SALIENCE_FEATURES)
    print("SALIENCE_WEIGHTS = (" + ", ".join(f"{w:.4f}" for w in weights) + ")")

    random.seed(0)
    order = list(range(len(items)))
    random.shuffle(order)
    halves = [[items[i] for i in order[0::2]], [items[i] for i in order[1::2]]]
    half_weights = [fit(halves[1]), fit(halves[0])]  # each half is scored with the other half's weights
    lead = sum(item["rouge_l"][0] for item in items) / len(items)
    print(f"Lead-1 ROUGE-L on these texts: {lead:.4f}")
    results = []
    for overlap, decay in itertools.product((0.0, 2.0, 4.0, 6.0, 10.0, 18.0), (0.0, 0.04, 0.08, 0.12, 0.2)):
        score = sum(chosen_rouge(half, w, overlap, decay) * len(half) for half, w in zip(halves, half_weights))
        results.append((score / len(items), overlap, decay))
    for score, overlap, decay in sorted(results, reverse=True)[:5]:
        print(f"EXPECTED_OVERLAP_CHARS = {overlap}  POSITION_DECAY = {decay}  cross-fitted ROUGE-L {score:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
