"""News-like retrieval sets with dev and test splits, built from the shared public data, for bench/retrieval.py
and bench/tune.py (tune on the dev splits, report on the test splits).

    python -m bench.devsets headlines --data ../shared/data --out DIR [--distractors CORPUS.jsonl...]
    python -m bench.devsets sentences --data ../shared/data --out DIR
    python -m bench.devsets news --data ../shared/data --out DIR

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
- news: real newspaper articles with their headlines, for bench/summaries.py (news.jsonl: `id`, `text`,
  `summary`, `split`; the headline is the `summary`, so no `title` is given). The MSRA NER test sentences (msra_ner_test) are People's Daily text of 1997-98, line by
  line in the order printed. Lines wholly in brackets (bylines, datelines, `（全文另发）`) are dropped; then a line
  without end punctuation (。！？；：…, or a comma, and the closing quotes or brackets after
  them) of at most 40 characters, followed by such a line or by a sentence, starts an article; its headline is the
  first of those lines (the ones after it are subtitles; a trailing `（附图片１张）` is dropped) and its text every sentence up to the next headline,
  as one paragraph. An article is kept when its text has at least three sentences and 120 characters. The
  `summary` (the reference) is the headline: a headline is not an editor's brief, but, like it, it says what the
  story is, written by the paper's editors, not by this project. Split `dev` for the first half of the
  articles, `test` for the rest. news_briefs.jsonl: the dev articles again (`id`, `title`, `text`, `summary`),
  the `summary` now an editor's brief written for this project (bench/data/news_briefs.jsonl keeps the briefs
  by article id, not the text, which stays in ../shared): one sentence of 48 to 77 characters saying who did what,
  where and when, in its own words; the headline as `title` (some headlines of this rebuilt set belong to a
  neighbouring article, as an archive's OCR can leave them). news_pages.jsonl: every article as `id`, `title`
  (the headline), `text` with every three sentences a paragraph (split by newlines), for the page generators'
  `--articles`.
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


BRIEFS = Path(__file__).parent / "data" / "news_briefs.jsonl"
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_PICTURES = re.compile(r"[（(]附?图片\S{1,4}[）)]$")
_UNFINISHED = re.compile(r"[。！？；：:!?…，,][”’\"'」』）)\]】〕》〉]*$")


def build_news(data: Path, out: Path) -> None:
    lines = [r["text"].strip() for r in read_jsonl(data / "msra_ner_test" / "test.jsonl")]
    # A line wholly in brackets (a byline, `（新华社北京１１月１日电）`, `（全文另发）`) is neither headline nor text.
    credit = [bool(_BRACKETED.fullmatch(line)) for line in lines]
    lines = [line for line, dropped in zip(lines, credit) if not dropped]
    heading = [bool(line) and len(line) <= 40 and not _UNFINISHED.search(line) for line in lines]
    articles: list[dict] = []
    i = 0
    while i < len(lines):
        if not heading[i]:
            i += 1
            continue
        title = _PICTURES.sub("", lines[i])
        i += 1
        while i < len(lines) and heading[i]:
            i += 1  # subtitles, or a run of headings with no text under them
        body = []
        while i < len(lines) and not heading[i]:
            body.append(lines[i])
            i += 1
        text = "".join(body)
        if len(body) >= 3 and len(text) >= 120:
            articles.append({"id": f"msra-news-{len(articles)}", "text": text, "summary": title})
    half = len(articles) // 2
    briefs = {b["id"]: b["summary"] for b in read_jsonl(BRIEFS)}
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "news_briefs.jsonl", "w", encoding="utf-8") as f:
        for article in articles[:half]:
            if article["id"] in briefs:
                f.write(json.dumps({"id": article["id"], "title": article["summary"], "text": article["text"],
                                    "summary": briefs[article["id"]]}, ensure_ascii=False) + "\n")
    with open(out / "news.jsonl", "w", encoding="utf-8") as f:
        for n, article in enumerate(articles):
            f.write(json.dumps({**article, "split": "dev" if n < half else "test"}, ensure_ascii=False) + "\n")
    # For the page generators (tests/fixtures/pages*/make_*.py --articles): the headline as title and every
    # three sentences a paragraph, as a paper sets a story.
    with open(out / "news_pages.jsonl", "w", encoding="utf-8") as f:
        for article in articles:
            parts = sentences(article["text"])
            text = "\n".join("".join(parts[i:i + 3]) for i in range(0, len(parts), 3))
            f.write(json.dumps({"id": article["id"], "title": article["summary"], "text": text},
                               ensure_ascii=False) + "\n")
    missing = [i for i in briefs if i not in {a["id"] for a in articles[:half]}]
    if missing:
        raise SystemExit(f"{len(missing)} briefs are for no dev article (e.g. {missing[0]}): the rebuilt set differs")
    print(f"news: {len(articles)} articles ({half} dev, {len(articles) - half} test), "
          f"{sum(len(a['text']) for a in articles) / max(1, len(articles)):.0f} characters on average")


def main() -> int:
    parser = parser_for(__doc__)
    parser.add_argument("kind", choices=("headlines", "sentences", "news"))
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the set into")
    parser.add_argument("--distractors", type=Path, nargs="+", default=[], metavar="CORPUS.jsonl",
                        help="headlines: BEIR corpora whose passages are added to the corpus, titles dropped")
    args = parser.parse_args()
    if args.kind == "headlines":
        build_headlines(args.data, args.out, args.distractors)
    elif args.distractors:
        parser.error("--distractors goes with headlines")
    elif args.kind == "news":
        build_news(args.data, args.out)
    else:
        build_sentences(args.data, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
