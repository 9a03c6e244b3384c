"""ROUGE of N-sentence summaries: Lead-N, TextRank, the best single sentence, and Jiansuo, in one run.

    python -m bench.summaries SET.jsonl [--min-label 3] [--sentences N] [--jiansuo .venv/bin/jiansuo] [--limit N]

SET.jsonl holds one `{"id", "text", "summary"[, "title"][, "kind"]}` object a line (`summary` is the reference;
`kind` is an article's kind as an archive stores it, `article` or `photo`). Where records have a `title`,
Jiansuo is run twice: without the titles and given them (`"title"` in the batch), as an archive that has them
would. News sets: bench/devsets.py's `news` (news.jsonl: People's Daily articles against their headlines;
news_briefs.jsonl: its dev articles against briefs written for them) and bench/data/seed_briefs.jsonl (the
embedded corpus's seed page, its ten items against briefs written for them). Records with a
`human_label` field (LCSTS part III: ../shared/data/lcsts_part3/lcsts_part3.jsonl) are kept only when it is at
least `--min-label`; the standard LCSTS test set is `--min-label 3` (725 texts). `--split` keeps the records of
one split (bench/devsets.py's news set has `dev` and `test`).

Scores are ROUGE-1/2/L F1 from `rouge-chinese` (`pip install -e '.[bench]'`) at character level: every
character but white space is a token, punctuation included. All systems pick from the same sentences (Jiansuo's
splitter), `--sentences` of them (default 1):
- Lead-N: the first N sentences, as written (a dateline or credit opening the text stays in);
- TextRank: the N sentences with the highest PageRank in the graph of sentences joined by shared words
  (Mihalcea and Tarau 2004: overlap / (log |Si| + log |Sj|), damping 0.85), in text order;
- oracle: the sentence with the best ROUGE-L against the reference (an upper bound for one sentence; shown for
  N = 1 only);
- Jiansuo: `jiansuo summarize --batch SET --sentences N`, run as a separate process (`--jiansuo` names another
  command, e.g. an older checkout's, to compare).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import iter_jsonl, parser_for
from service.summaries.keywords import whole_words
from service.text.analyzer import Analyzer
from service.text.sentences import split_sentences

try:
    from rouge_chinese import Rouge
except ImportError:  # pragma: no cover - a message instead of a traceback
    sys.exit("bench.summaries (and bench.fit_salience) need rouge-chinese: .venv/bin/pip install -e '.[bench]'")

METRICS = ("rouge-1", "rouge-2", "rouge-l")
_ROUGE = Rouge(metrics=list(METRICS))


def read_set(path: Path, min_label: int | None = None, split: str | None = None) -> list[dict]:
    records = []
    for number, record in iter_jsonl(path):
        if not isinstance(record.get("text"), str) or not isinstance(record.get("summary"), str):
            sys.exit(f"{path}:{number}: each line needs string fields `text` and `summary`")
        if min_label is not None and "human_label" in record and record["human_label"] < min_label:
            continue
        if split is not None and record.get("split") != split:
            continue
        record["id"] = str(record.get("id", number))
        records.append(record)
    return records


def characters(text: str) -> str:
    return " ".join(ch for ch in text if not ch.isspace())


def rouge(hypothesis: str, reference: str) -> dict[str, float]:
    """F1 of one hypothesis against one reference; an empty hypothesis scores 0."""
    hyp, ref = characters(hypothesis), characters(reference)
    if not hyp or not ref:
        return {m: 0.0 for m in METRICS}
    scores = _ROUGE.get_scores([hyp], [ref])[0]
    return {m: scores[m]["f"] for m in METRICS}


def mean_rouge(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    totals = {m: 0.0 for m in METRICS}
    for hyp, ref in zip(hypotheses, references):
        for m, value in rouge(hyp, ref).items():
            totals[m] += value
    return {m: totals[m] / max(1, len(references)) for m in METRICS}


def textrank(analyzer: Analyzer, text: str, damping: float = 0.85, iterations: int = 50, count: int = 1) -> str:
    sentences = split_sentences(text)
    if not sentences:
        return ""
    tokens = whole_words(analyzer.analyze(text))
    words = [{t.term for t in tokens if s.start <= t.start and t.end <= s.end} for s in sentences]
    n = len(sentences)
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(words[i] & words[j])
            if shared and len(words[i]) > 1 and len(words[j]) > 1:
                weights[i][j] = weights[j][i] = shared / (math.log(len(words[i])) + math.log(len(words[j])))
    out = [sum(row) for row in weights]
    rank = [1.0] * n
    for _ in range(iterations):
        rank = [(1 - damping) + damping * sum(weights[j][i] / out[j] * rank[j] for j in range(n) if out[j])
                for i in range(n)]
    best = sorted(range(n), key=lambda i: (-rank[i], i))[:count]  # ties go to the earlier sentence
    return "".join(sentences[i].text for i in sorted(best))


def oracle(text: str, reference: str) -> str:
    sentences = split_sentences(text)
    if not sentences:
        return ""
    return max(sentences, key=lambda s: rouge(s.text, reference)["rouge-l"]).text


def run_jiansuo(command: list[str], records: list[dict], count: int = 1, titles: bool = False) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        batch = Path(scratch) / "in.jsonl"
        batch.write_text("".join(json.dumps({"id": r["id"], "text": r["text"],
                                             **({"title": r["title"]} if titles and r.get("title") else {}),
                                             **({"kind": r["kind"]} if r.get("kind") else {})},
                                            ensure_ascii=False) + "\n"
                                 for r in records), encoding="utf-8")
        done = subprocess.run([*command, "summarize", "--batch", str(batch), "--sentences", str(count)],
                              capture_output=True, text=True, encoding="utf-8")
    if done.returncode != 0:
        sys.exit(f"jiansuo summarize failed ({done.returncode}): {done.stderr.strip()}")
    summaries = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        summaries[record["id"]] = record["summary"]
    missing = [r["id"] for r in records if r["id"] not in summaries]
    if missing:
        sys.exit(f"jiansuo gave no summary for {len(missing)} records, e.g. {missing[:3]}")
    return [summaries[r["id"]] for r in records]


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("set", type=Path, metavar="SET.jsonl")
    parser.add_argument("--min-label", type=int, default=None,
                        help="keep records whose human_label is at least this (LCSTS part III: 3)")
    parser.add_argument("--jiansuo", default=None,
                        help="the jiansuo command (default: this Python running `-m service`)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--sentences", type=int, default=1, help="sentences in each summary (default 1)")
    parser.add_argument("--split", default=None, help="keep records whose `split` field is this (e.g. dev, test)")
    args = parser.parse_args()

    records = read_set(args.set, args.min_label, args.split)[: args.limit]
    references = [r["summary"] for r in records]
    analyzer = Analyzer()
    command = [args.jiansuo] if args.jiansuo else [sys.executable, "-m", "service"]

    n = args.sentences
    split_texts = [split_sentences(r["text"]) for r in records]
    lead_name = f"Lead-{n}"
    systems: dict[str, list[str]] = {
        lead_name: ["".join(s.text for s in sentences[:n]) for sentences in split_texts],
        "TextRank": [textrank(analyzer, r["text"], count=n) for r in records],
        "Jiansuo": run_jiansuo(command, records, n),
    }
    if any(r.get("title") for r in records):
        systems["Jiansuo given titles"] = run_jiansuo(command, records, n, titles=True)
    if n == 1:
        systems["oracle (best sentence)"] = [oracle(r["text"], r["summary"]) for r in records]

    print(f"{args.set}: {len(records)} texts"
          + (f" with human_label >= {args.min_label}" if args.min_label is not None else "")
          + f"; {n} sentence{'s' if n > 1 else ''}; ROUGE F1, character level (rouge-chinese)")
    print(f"{'system':<24} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'same as ' + lead_name:>15}")
    lead = systems[lead_name]
    for name, hypotheses in systems.items():
        scores = mean_rouge(hypotheses, references)
        same = sum(h == first for h, first in zip(hypotheses, lead)) / max(1, len(records))
        print(f"{name:<24} {scores['rouge-1']:8.4f} {scores['rouge-2']:8.4f} {scores['rouge-l']:8.4f} "
              f"{same:14.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
