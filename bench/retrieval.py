"""Retrieval quality of Jiansuo against two baselines, in one run.

    python -m bench.retrieval DATASET_DIR [--split test[,trial...]] [--query-script t2s] [--limit N]
        [--systems card,bigram,jiansuo] [--save-run RUN.trec]

DATASET_DIR is in BEIR layout: corpus.jsonl (`id`, `title`, `text`), queries.jsonl (`id`, `text`, optional
`split`), qrels.tsv (`query-id`, `corpus-id`, `score`, with a header line). `--split` keeps the queries of one
split or of several, comma-separated. Systems:

- card:    rank-bm25 BM25Okapi (k1 1.5, b 0.75) over jieba.lcut_for_search of title and text, raw script;
- bigram:  BM25 over overlapping character bigrams of CJK runs (single characters for one-character runs,
           lower-cased words otherwise), k1 0.9, b 0.4, Lucene's idf log(1 + (N - df + 0.5) / (df + 0.5));
- jiansuo: the `jiansuo` command: `ingest` of the corpus into a fresh folder, then `search --batch --trec`.

Reports nDCG@10, Recall@100 and MRR@10 for each. `--query-script t2s` converts the queries to Simplified
with OpenCC first (a Simplified reader searching a Traditional archive). `--save-run RUN.trec` keeps each
system's ranking as a TREC run file (`qid Q0 docid rank score system`): RUN.trec itself for one system, else
RUN.SYSTEM.trec. bench/tune.py reuses the metrics and the jiansuo steps to tune settings on a dev split.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from bench.common import add_dataset, parser_for, read_jsonl

DEPTH = 100


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels[query_id][doc_id] = int(score)
    return qrels


# --- metrics --------------------------------------------------------------------------------------------------

def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    gains = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k]))
    return gains / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:k]) if d in relevant), 0.0)


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]], query_ids: list[str]) -> dict[str, float]:
    n = len(query_ids)
    return {"nDCG@10": sum(ndcg_at(runs.get(q, []), qrels[q]) for q in query_ids) / n,
            "Recall@100": sum(recall_at(runs.get(q, []), qrels[q]) for q in query_ids) / n,
            "MRR@10": sum(mrr_at(runs.get(q, []), qrels[q]) for q in query_ids) / n}


# --- baselines ------------------------------------------------------------------------------------------------

def top_k(scores: np.ndarray, doc_ids: list[str], k: int = DEPTH) -> list[str]:
    hits = np.flatnonzero(scores)
    order = hits[np.lexsort((hits, -scores[hits]))][:k]
    return [doc_ids[i] for i in order]


def run_card(corpus: list[dict], queries: list[dict]) -> dict[str, list[str]]:
    import jieba
    from rank_bm25 import BM25Okapi

    jieba.setLogLevel(60)
    doc_ids = [d["id"] for d in corpus]
    bm25 = BM25Okapi([jieba.lcut_for_search(d.get("title", "") + " " + d["text"]) for d in corpus])
    return {q["id"]: top_k(bm25.get_scores(jieba.lcut_for_search(q["text"])), doc_ids) for q in queries}


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+")


def bigrams(text: str) -> list[str]:
    """Lucene CJKAnalyzer-style: overlapping bigrams over CJK runs, a lone character as itself, words lower-cased."""
    tokens: list[str] = []
    last = 0
    for match in _CJK_RUN.finditer(text):
        tokens.extend(w.lower() for w in _WORD.findall(text[last:match.start()]))
        run = match.group()
        tokens.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
        last = match.end()
    tokens.extend(w.lower() for w in _WORD.findall(text[last:]))
    return tokens


def run_bigram(corpus: list[dict], queries: list[dict], k1: float = 0.9, b: float = 0.4) -> dict[str, list[str]]:
    doc_ids = [d["id"] for d in corpus]
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    lengths = np.zeros(len(corpus))
    for n, d in enumerate(corpus):
        tokens = bigrams(d.get("title", "") + " " + d["text"])
        lengths[n] = len(tokens)
        for term, tf in Counter(tokens).items():
            postings[term].append((n, tf))
    arrays = {t: (np.array([d for d, _ in p]), np.array([tf for _, tf in p], dtype=float)) for t, p in postings.items()}
    avgdl, total = lengths.mean(), len(corpus)
    runs = {}
    for q in queries:
        scores = np.zeros(total)
        for term in bigrams(q["text"]):
            if term not in arrays:
                continue
            docs, tfs = arrays[term]
            idf = math.log(1 + (total - docs.size + 0.5) / (docs.size + 0.5))
            scores[docs] += idf * tfs / (tfs + k1 * (1 - b + b * lengths[docs] / avgdl))
        runs[q["id"]] = top_k(scores, doc_ids)
    return runs


def run_jiansuo(corpus_path: Path, queries: list[dict], jiansuo: list[str]) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        command = jiansuo + ["--index", str(Path(tmp) / "data")]
        jiansuo_ingest(command, corpus_path)
        return jiansuo_search(command, queries, Path(tmp))


def jiansuo_run(command: list[str], what: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """Run one jiansuo command (stdout discarded); stop, quoting its stderr, when it exits with another code."""
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"jiansuo {what} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def jiansuo_ingest(jiansuo: list[str], corpus_path: Path) -> None:
    """`jiansuo ingest` of a corpus; `jiansuo` is the command up to the subcommand (with --index or --config)."""
    jiansuo_run(jiansuo + ["ingest", str(corpus_path)], "ingest")


def jiansuo_search(jiansuo: list[str], queries: list[dict], folder: Path) -> dict[str, list[str]]:
    """The top DEPTH ids for each query from `jiansuo search --batch --trec` (its files are kept in `folder`)."""
    query_file, run_file = folder / "q.jsonl", folder / "run.txt"
    query_file.write_text("".join(json.dumps({"id": q["id"], "text": q["text"]}, ensure_ascii=False) + "\n"
                                  for q in queries), encoding="utf-8")
    # Exit code 2 means some queries were refused (each named on stderr); the rest are in the run file.
    done = jiansuo_run(jiansuo + ["search", "--batch", str(query_file), "-k", str(DEPTH), "--trec", str(run_file)],
                       "search --batch", ok=(0, 2))
    refused = [line for line in done.stderr.splitlines() if line.startswith("query ")]
    if refused:
        print(f"jiansuo refused {len(refused)} queries, e.g. {refused[0]}", file=sys.stderr)
    return read_trec(run_file)


# --- run files ------------------------------------------------------------------------------------------------

def read_trec(path: Path) -> dict[str, list[str]]:
    """A TREC run file's ranked ids by query, in the order of the file (rank order, as jiansuo writes it)."""
    runs: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        query_id, _, doc_id, _, _, _ = line.split()
        runs[query_id].append(doc_id)
    return runs


def write_trec(path: Path, runs: dict[str, list[str]], tag: str) -> None:
    """Rankings as a TREC run file; the score column is 1/rank (the order is what counts)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for query_id, ranked in runs.items():
            out.writelines(f"{query_id} Q0 {doc_id} {rank} {1 / rank:.6f} {tag}\n"
                           for rank, doc_id in enumerate(ranked, start=1))


def run_path(save_run: Path, system: str, systems: list[str]) -> Path:
    """Where --save-run keeps a system's run: the file itself for one system, else with .SYSTEM before the suffix."""
    return save_run if len(systems) == 1 else save_run.with_name(f"{save_run.stem}.{system}{save_run.suffix}")


# --- queries --------------------------------------------------------------------------------------------------

def split_names(text: str | None) -> set[str] | None:
    """`dev` or `cmrc-dev,drcd-dev` as a set of names; None (every split) for nothing."""
    names = {name.strip() for name in (text or "").split(",") if name.strip()}
    return names or None


def select_queries(dataset: Path, qrels: dict[str, dict[str, int]], splits: set[str] | None,
                   limit: int | None) -> list[dict]:
    """The judged queries of DATASET_DIR in those splits (all for None), the first `limit` of them."""
    return [q for q in read_jsonl(dataset / "queries.jsonl")
            if q["id"] in qrels and (splits is None or q.get("split") in splits)][:limit]


def main() -> int:
    parser = parser_for(__doc__)
    add_dataset(parser)
    parser.add_argument("--split", help="only queries whose `split` field is this, or one of these "
                                        "comma-separated names (e.g. test, trial, dev or cmrc-dev,drcd-dev)")
    parser.add_argument("--query-script", choices=["t2s", "s2t"], help="convert queries with OpenCC first")
    parser.add_argument("--limit", type=int, help="only the first N queries")
    parser.add_argument("--systems", default="card,bigram,jiansuo")
    parser.add_argument("--jiansuo", default=f"{sys.executable} -m service",
                        help="how to run the jiansuo command (default: this Python's `-m service`)")
    parser.add_argument("--save-run", type=Path, metavar="RUN.trec",
                        help="keep each system's ranking as a TREC run file (RUN.SYSTEM.trec for several)")
    args = parser.parse_args()

    systems = args.systems.split(",")
    unknown = [s for s in systems if s not in ("card", "bigram", "jiansuo")]
    if unknown:
        parser.error(f"unknown system {unknown[0]!r}")
    corpus = read_jsonl(args.dataset / "corpus.jsonl")
    qrels = read_qrels(args.dataset / "qrels.tsv")
    queries = select_queries(args.dataset, qrels, split_names(args.split), args.limit)
    if not queries:
        parser.error("no queries with relevance judgements in that selection")
    if args.query_script:
        import opencc

        converter = opencc.OpenCC(args.query_script)
        queries = [{**q, "text": converter.convert(q["text"])} for q in queries]
    query_ids = [q["id"] for q in queries]

    print(f"{args.dataset.name}: {len(corpus)} documents, {len(queries)} queries"
          f"{' (split ' + args.split + ')' if args.split else ''}"
          f"{' (queries ' + args.query_script + ')' if args.query_script else ''}")
    print(f"{'system':10} {'nDCG@10':>8} {'Recall@100':>11} {'MRR@10':>8} {'seconds':>8}")
    for system in systems:
        started = time.perf_counter()
        if system == "card":
            runs = run_card(corpus, queries)
        elif system == "bigram":
            runs = run_bigram(corpus, queries)
        else:
            runs = run_jiansuo(args.dataset / "corpus.jsonl", queries, args.jiansuo.split())
        scores = evaluate(runs, qrels, query_ids)
        print(f"{system:10} {scores['nDCG@10']:8.4f} {scores['Recall@100']:11.4f} {scores['MRR@10']:8.4f} "
              f"{time.perf_counter() - started:8.1f}")
        if args.save_run:
            write_trec(run_path(args.save_run, system, systems), runs, system)
    return 0


if __name__ == "__main__":
    sys.exit(main())
