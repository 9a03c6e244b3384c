"""Article analysis speed at ingest: the analyzer as it was (a copy kept here) beside today's, in one run.

    python bench/analysis.py CORPUS.jsonl [CORPUS.jsonl ...] [--limit N] [--repeat R]

Each line of a corpus is one article, `{"title": ..., "text": ...}` (`body` is read where there is no `text`),
as in ../shared/data/cmrc2018_retrieval/corpus.jsonl and ../shared/data/drcd_retrieval_trad/corpus.jsonl.
Every article is analysed the way ingest analyses it, headline `[title]` and body:

- reference: the analyzer before jieba-rs, copied below: folding character by character in Python, jieba's
  search mode, `Token`s for words, bigrams and characters, then `Counter`s (what `count_channels` was);
- card: `jieba.lcut_for_search` of title and body, the design card's literal pipeline (segmentation only);
- fold and segment only: the analyzer's folding (NFKC, OpenCC) and jieba-rs's cut of title and body, no
  counting or tokens of ours: what the libraries alone cost, the floor under every other pass;
- count_channels: today's `service.search.ranker.count_channels`;
- analyze_article: today's `service.search.ranker.analyze_article` (the counts and the word tokens of every text);
- ingest (reference extras): an ingest's whole work on one article, `analyze_article` then the extras as they
  were (`bench/extras_reference.py`: the summary, keywords and summary data before they were made faster);
- ingest: `analyze_article` then today's `service.summaries.extras.work_out_extras`, as `service/indexing.py` does it.

Rates are megabytes of UTF-8 (title + body) per second of analysis; dictionaries are loaded before timing
(their loading times are printed apart). Each pass runs `--repeat` times, passes taking turns, and the fastest
run of each counts, so other work on the machine weighs on all of them alike. The report also says on how many
articles the reference and `count_channels` disagree (service/text/segment.py says where they can), and on how
many the two ingest passes' extras differ (they must not).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extras_reference import work_out_extras as reference_extras  # noqa: E402
from service.articles import Article  # noqa: E402
from service.summaries.extras import ExtrasSettings, work_out_extras  # noqa: E402
from service.summaries.keywords import Rarity  # noqa: E402
from service.search.ranker import analyze_article, count_channels  # noqa: E402
from service.text.analyzer import Analyzer, Token  # noqa: E402
from service.text.ngrams import cjk_bigrams, cjk_unigrams  # noqa: E402


class ReferenceAnalyzer:
    """The analysis as it was before jieba-rs: the same results, one Python step per character and token."""

    def __init__(self, analyzer: Analyzer):
        import jieba

        jieba.setLogLevel(60)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        self._converter = analyzer.folder._converter
        self._lowercase = analyzer.folder.lowercase
        self._stopwords = analyzer.stopwords
        self._folded: dict[str, str] = {}

    def _fold_char(self, ch: str) -> str:
        folded = self._folded.get(ch)
        if folded is None:
            folded = unicodedata.normalize("NFKC", ch)
            folded = folded.lower() if self._lowercase else folded
            self._folded[ch] = folded
        return folded

    def fold_with_origins(self, text: str) -> tuple[str, list[int]]:
        pieces: list[str] = []
        origins: list[int] = []
        for i, ch in enumerate(text):
            folded = self._fold_char(ch)
            pieces.append(folded)
            if len(folded) == 1:
                origins.append(i)
            else:
                origins.extend([i] * len(folded))
        width_folded = "".join(pieces)
        converted = self._converter.convert(width_folded)
        if len(converted) == len(width_folded):
            return converted, origins
        pieces, char_origins = [], []
        for ch, origin in zip(width_folded, origins):
            out = self._converter.convert(ch)
            pieces.append(out)
            char_origins.extend([origin] * len(out))
        return "".join(pieces), char_origins

    def channels(self, text: str) -> tuple[list[Token], list[Token], list[Token]]:
        folded, origins = self.fold_with_origins(text)
        words = []
        for word, start, end in self._tokenizer.tokenize(folded, mode="search", HMM=True):
            if any(unicodedata.category(ch)[0] in "LN" for ch in word) and word not in self._stopwords:
                words.append(Token(word, origins[start], origins[end - 1] + 1))

        def located(grams):
            return [Token(g, origins[s], origins[e - 1] + 1) for g, s, e in grams if g not in self._stopwords]

        return words, located(cjk_bigrams(folded)), located(cjk_unigrams(folded))

    def count_channels(self, headline: list[str], body: str) -> dict[str, list]:
        words: list[str] = []
        title: list[str] = []
        grams: list[str] = []
        chars: list[str] = []
        for text, in_headline in [(t, True) for t in headline] + [(body, False)]:
            if not text:
                continue
            word_tokens, gram_tokens, char_tokens = self.channels(text)
            terms = [t.term for t in word_tokens]
            words.extend(terms)
            if in_headline:
                title.extend(terms)
            grams.extend(t.term for t in gram_tokens)
            chars.extend(t.term for t in char_tokens)
        return {name: [len(terms), dict(Counter(terms))]
                for name, terms in (("words", words), ("title", title), ("grams", grams), ("chars", chars))}


def read_articles(paths: list[Path], limit: int | None) -> list[tuple[list[str], str]]:
    articles = []
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                articles.append(([record.get("title") or ""], record.get("text") or record.get("body") or ""))
                if limit is not None and len(articles) >= limit:
                    return articles
    return articles


CLOCK = time.perf_counter


def timed(step):
    start = CLOCK()
    result = step()
    return CLOCK() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--limit", type=int, help="at most this many articles, read in order")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pass; the fastest counts")
    parser.add_argument("--cpu", action="store_true",
                        help="time by this process's CPU time rather than the wall clock (on a busy machine)")
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time

    articles = read_articles(args.corpora, args.limit)
    megabytes = sum(len(h[0].encode("utf-8")) + len(b.encode("utf-8")) for h, b in articles) / 1e6
    characters = sum(len(h[0]) + len(b) for h, b in articles)
    print(f"{len(articles)} articles, {characters:,} characters, {megabytes:.2f} MB UTF-8")

    analyzer = Analyzer()
    seconds, _ = timed(lambda: count_channels(analyzer, ["热身"], "1993-1996年"))
    print(f"loading: jieba-rs with jieba's dictionary and jieba (for the blocks it cuts) {seconds:.2f} s")
    seconds, reference = timed(lambda: ReferenceAnalyzer(analyzer))
    print(f"loading: the reference's private jieba {seconds:.2f} s")
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()

    settings = ExtrasSettings()
    stored = [Article(id=str(i), title=h[0], body=b) for i, (h, b) in enumerate(articles)]

    def ingest(extras):
        rarity = Rarity()  # one per batch, as in an ingest; its caches start empty in every run
        results = []
        for article in stored:
            analysis = analyze_article(analyzer, [article.title, "", ""], article.body)
            results.append((analysis.counts, extras(analyzer, settings, article, rarity,
                                                    body_tokens=analysis.body_words,
                                                    title_tokens=analysis.headline_words[0])))
        return results

    passes = {
        "reference": lambda: [reference.count_channels(h, b) for h, b in articles],
        "card (jieba.lcut_for_search)": lambda: [jieba.lcut_for_search(h[0]) + jieba.lcut_for_search(b)
                                                 for h, b in articles],
        "fold and segment only": lambda: [analyzer.segmenter.tokenize(analyzer.fold(text))
                                          for h, b in articles for text in (*h, b) if text],
        "count_channels": lambda: [count_channels(analyzer, h, b) for h, b in articles],
        "analyze_article": lambda: [analyze_article(analyzer, h, b) for h, b in articles],
        "ingest (reference extras)": lambda: ingest(reference_extras),
        "ingest": lambda: ingest(work_out_extras),
    }
    best = {name: float("inf") for name in passes}
    results = {}
    for _ in range(args.repeat):
        for name, run in passes.items():
            seconds, results[name] = timed(run)
            best[name] = min(best[name], seconds)

    base = best["reference"]
    print(f"{'pass':32s} {'seconds':>8s} {'MB/s':>7s} {'chars/s':>10s} {'vs reference':>13s}")
    for name, seconds in best.items():
        print(f"{name:32s} {seconds:8.2f} {megabytes / seconds:7.2f} {characters / seconds:10,.0f} "
              f"{base / seconds:12.1f}x")
    counts = results["count_channels"]
    differing = sum(ours != theirs or json.dumps(ours, ensure_ascii=False) != json.dumps(theirs, ensure_ascii=False)
                    for ours, theirs in zip(counts, results["reference"]))
    same_article = sum(a.counts == c for a, c in zip(results["analyze_article"], counts))
    print(f"articles whose counts differ from the reference: {differing} of {len(articles)}; "
          f"analyze_article counts equal to count_channels: {same_article} of {len(articles)}")
    same_extras = sum(ours == theirs for ours, theirs in zip(results["ingest"], results["ingest (reference extras)"]))
    print(f"ingest: counts and extras (summary, keywords, summary data bytes) equal to the reference extras' on "
          f"{same_extras} of {len(articles)} articles; ingest vs ingest (reference extras): "
          f"{best['ingest (reference extras)'] / best['ingest']:.2f}x")


if __name__ == "__main__":
    main()
