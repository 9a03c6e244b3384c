"""News-like retrieval sets with dev and test splits, built from the shared public data, for bench/retrieval.py
and bench/tune.py (tune on the dev splits, report on the test splits).

    python -m bench.devsets headlines --data ../shared/data --out DIR [--distractors CORPUS.jsonl...]
    python -m bench.devsets sentences --data ../shared/data --out DIR

Each set is written in BEIR layout into DIR: corpus.jsonl (`id`, `title`, `text`), queries.jsonl (`id`, `text`,
`split`), qrels.tsv (`query-id`, `corpus-id`, `score`, with a header line). The data stays in ../shared/data
(build the sets outside the repository); where each collection comes from and its licence or terms of use are
in its PROVENANCE.md there (`DATA/*/PROVENANCE.md`).

- headlines: known-item search, "a headline -> its article", as in a news archive whose headlines are not
  indexed. The corpus is every Weibo news post of LCSTS part II as split by CLUE's CLGE (val.jsonl and
  test.jsonl of lcsts_part2_clge) and of LCSTS part III (lcsts_part3), with an empty title and the post as its
  text, ids kept. The queries are the author-written summaries (headlines) of the part II posts: split `dev`
  for val, `test` for test (a post or summary left in CSV quoting, with its quotes doubled inside quotes, is
  read unquoted). Relevant: the post itself, and any other post with exactly the same text (the
  collections repeat a few posts). `--distractors` adds the passages of other BEIR corpora (e.g.
  cmrc2018_retrieval/corpus.jsonl, drcd_retrieval_trad/corpus.jsonl; titles dropped) to the haystack.
  LCSTS: for study and research only (lcsts_part3/PROVENANCE.md).
- sentences: answer-sentence retrieval, "a question -> the sentence that holds its answer" (short units, as
  when a search should land on the line of a report that answers it). The passages of CMRC 2018 (Simplified,
  CC BY-SA 4.0) and DRCD (Traditional, CC BY-SA 3.0), as recast for retrieval in cmrc2018_retrieval and
  drcd_retrieval_trad, are cut into sentences after 。！？!? and the closing quotes and brackets that follow
  them; each sentence, its text exactly as in the passage (blank ones dropped), is a document
  `PASSAGEID-sN` (N from 0) with an empty title. The queries are the questions with `answers`; relevant are
  the sentences of the question's relevant passage that hold one of its answers as written (a question none
  of whose answers stands within one sentence is left out). Splits are prefixed by the set: cmrc-dev,
  cmrc-trial, drcd-dev, drcd-test.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from bench.common import parser_for, read_jsonl
from bench.retrieval import read_qrels

HEADLINE_SPLITS = {"val.jsonl": "dev", "test.jsonl": "test"}
SENTENCE_SETS = {"cmrc": "cmrc2018_retrieval", "drcd": "drcd_retrieval_trad"}

# A sentence runs up to and including its end marks and any closing quotes or brackets right after them.
_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’\"'」』）)\]】〕》〉]*|$)")


def sentences(text: str) -> list[str]:
    """The sentences of a passage, each exactly as written (joined, they give the passage back but for blank
    stretches after the last end mark)."""
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def write_set(out: Path, corpus: Iterable[dict], queries: Iterable[dict], qrels: Iterable[tuple[str, str]]) -> None:
    """corpus.jsonl, queries.jsonl and qrels.tsv (every judgement scored 1) in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, records in (("corpus.jsonl", corpus), ("queries.jsonl", queries)):
        with open(out / name, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    with open(out / "qrels.tsv", "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        f.writelines(f"{query_id}\t{doc_id}\t1\n" for query_id, doc_id in qrels)


def unique_ids(corpus: list[dict]) -> None:
    repeated = [i for i, n in Counter(d["id"] for d in corpus).items() if n > 1]
    if repeated:
        raise SystemExit(f"{len(repeated)} document ids stand more than once, e.g. {repeated[0]!r}")


def csv_unquoted(text: str) -> str:
    # A field still in CSV quoting (inside quotes, its own quotes doubled), as CLGE's conversion left a few,
    # read as written: its quotes would otherwise be phrase syntax no reader meant.
    inner = text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in inner.replace('""', ''):
        return inner.replace('""', '"')
    return text


def build_headlines(data: Path, out: Path, distractors: list[Path]) -> None:
    part2 = {split: [{**p, "text": csv_unquoted(p["text"]), "summary": csv_unquoted(p["summary"])}
                     for p in read_jsonl(data / "lcsts_part2_clge" / name)]
             for name, split in HEADLINE_SPLITS.items()}
    posts = [p for split in part2.values() for p in split] + read_jsonl(data / "lcsts_part3" / "lcsts_part3.jsonl")
    corpus = [{"id": p["id"], "title": "", "text": p["text"]} for p in posts]
    extra = [{"id": d["id"], "title": "", "text": d["text"]} for d in read_jsonl(*distractors)]
    unique_ids(corpus + extra)
    same_text: dict[str, list[str]] = defaultdict(list)
    for p in posts:
        same_text[p["text"]].append(p["id"])
    queries = [{"id": p["id"], "text": p["summary"], "split": split} for split, part in part2.items() for p in part]
    qrels = [(p["id"], doc_id) for part in part2.values() for p in part for doc_id in same_text[p["text"]]]
    write_set(out, corpus + extra, queries, qrels)
    print(f"headlines: {len(corpus) + len(extra)} documents ({len(corpus)} posts, {len(extra)} distractors); "
          f"queries {dict(Counter(q['split'] for q in queries))}; "
          f"{sum(len(same_text[p['text']]) > 1 for part in part2.values() for p in part)} queries with more than "
          f"one relevant post (the same text stands more than once)")


def build_sentences(data: Path, out: Path) -> None:
    corpus: list[dict] = []
    queries: list[dict] = []
    qrels: list[tuple[str, str]] = []
    skipped: Counter[str] = Counter()
    for prefix, folder in SENTENCE_SETS.items():
        by_passage: dict[str, list[tuple[str, str]]] = {}
        for passage in read_jsonl(data / folder / "corpus.jsonl"):
            by_passage[passage["id"]] = [(f"{passage['id']}-s{n}", s) for n, s in enumerate(sentences(passage["text"]))]
            corpus.extend({"id": i, "title": "", "text": s} for i, s in by_passage[passage["id"]])
        relevant = read_qrels(data / folder / "qrels.tsv")
        for question in read_jsonl(data / folder / "queries.jsonl"):
            split = f"{prefix}-{question.get('split', 'all')}"
            answers = [a for a in question.get("answers") or [] if a]
            if not answers:
                continue
            found = [i for passage_id in relevant.get(question["id"], {})
                     for i, s in by_passage.get(passage_id, []) if any(a in s for a in answers)]
            if not found:
                skipped[split] += 1
                continue
            queries.append({"id": question["id"], "text": question["text"], "split": split})
            qrels.extend((question["id"], i) for i in found)
    unique_ids(corpus)
    if len({q["id"] for q in queries}) != len(queries):
        raise SystemExit("query ids of the two sets collide")
    write_set(out, corpus, queries, qrels)
    print(f"sentences: {len(corpus)} sentences; queries {dict(Counter(q['split'] for q in queries))}; "
          f"{len(qrels)} relevant sentences ({len(qrels) / len(queries):.2f} a query); skipped (no answer within "
          f"one sentence) {dict(skipped)}")


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("kind", choices=("headlines", "sentences"))
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the set into")
    parser.add_argument("--distractors", type=Path, nargs="+", default=[], metavar="CORPUS.jsonl",
                        help="headlines: BEIR corpora whose passages are added to the corpus, titles dropped")
    args = parser.parse_args()
    if args.kind == "headlines":
        build_headlines(args.data, args.out, args.distractors)
    elif args.distractors:
        parser.error("--distractors goes with headlines")
    else:
        build_sentences(args.data, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
