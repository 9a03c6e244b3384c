"""Quoted phrases, verified from the positions in the index, find exactly what reading every article found."""

import json
import random
import re
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, make_config, read_jsonl
from service.engine import Engine
from service.index.workers import headline
from service.search.display import ScriptConverter
from service.search.ranker import squash

# Articles the recombined fixture sentences do not give: Latin, digits and CJK mixed, both widths, punctuation.
MIXED = [
    ("iPhone15发布会", "苹果公司在北京发布iPhone 15，售价5999元起。"),
    ("ＡＢＣ１２３公司上市", "ＡＢＣ１２３公司今日在深圳上市，首日上涨３．５％。"),
    ("abc123公司年报", "abc123公司发布年报：营收增长3.5%，净利润12亿元。"),
    ("C++与Python", "北京大学开设C++课程，学生用Python做作业。"),
    ("北京·大学", "北京·大学生运动会开幕，“北京 大学”队夺冠。"),
    ("臺北市長選舉", "臺北市長選舉投票率創新高，民眾踴躍投票。"),
    ("台北市长选举", "台北市长选举结果揭晓，新任市长明天就职。"),
    ("G20峰会", "G20峰会在杭州举行，20国领导人出席。"),
]


class ReadingPhrases:
    """The phrase check as it was before the positions: each candidate article read from the store, its
    headline texts and body joined by spaces, folded, squashed, and searched for the key. Proximity still asks
    the index's positions."""

    def __init__(self, engine: Engine, positions):
        self.engine = engine
        self.positions = positions

    def docs_with(self, key: str, within: np.ndarray) -> np.ndarray:
        postings = self.engine.postings()
        ids = [postings.doc_ids[int(n)] for n in within]
        articles = self.engine.store.get_many(ids)
        keep = []
        for number, article_id in zip(within, ids):
            article = articles.get(article_id)
            if article is not None and key in squash(self.engine.analyzer,
                                                     " ".join((*headline(article), article.body))):
                keep.append(number)
        return np.asarray(keep, dtype=within.dtype)

    def occurrences(self, key: str, within: np.ndarray):
        return self.positions.occurrences(key, within)


def answers(engine: Engine, query: str) -> tuple:
    results = engine.search(query, k=engine.config.search_max_k, summaries=False)
    return results.total, results.mode, [(hit.article.id, hit.score) for hit in results.hits]


def answers_by_reading(engine: Engine, query: str) -> tuple:
    ranker = engine.ranker()
    positions = ranker.positions
    ranker.positions = ReadingPhrases(engine, positions)
    try:
        return answers(engine, query)
    finally:
        ranker.positions = positions


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def to_half_width(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", c) if "\uff01" <= c <= "\uff5e" else c for c in text)


def recombined_articles(count: int, seed: int) -> list[dict]:
    """`count` articles of the fixture collections' sentences recombined, in six forms: as written, the body in
    Traditional, in Simplified, Latin and digits in full width, with a kicker and subtitle, and with spaces
    and middle dots between the sentences' clauses; then the mixed articles above."""
    records = read_jsonl(CMRC_SAMPLE) + read_jsonl(DRCD_SAMPLE)
    sentences = [s for r in records for s in re.split(r"(?<=[。！？；])", r["text"]) if len(s) >= 6]
    titles = [r["title"] for r in records]
    s2t, t2s = ScriptConverter("s2t"), ScriptConverter("t2s")
    rng = random.Random(seed)
    articles = []
    for number in range(count):
        start = rng.randrange(len(sentences))
        body = "".join(sentences[start:start + rng.randint(1, 4)])[:320]
        article = {"id": f"p{number:05d}", "title": rng.choice(titles)[:24], "body": body}
        form = number % 6
        if form == 1:
            article["body"] = s2t.convert(body)
        elif form == 2:
            article["body"] = t2s.convert(body)
        elif form == 3:
            article["title"], article["body"] = to_full_width(article["title"]), to_full_width(body)
        elif form == 4:
            article["kicker"], article["subtitle"] = rng.choice(titles)[:12], rng.choice(titles)[:16]
        elif form == 5:
            article["body"] = re.sub("[，、]", lambda m: rng.choice([" ", "·", " - ", m.group()]), body)
        articles.append(article)
    articles += [{"id": f"mixed{i}", "title": t, "body": b} for i, (t, b) in enumerate(MIXED)]
    return articles


def typed_phrases(articles: list[dict], count: int, seed: int) -> list[str]:
    """Phrases a reader might type, cut from the articles' texts (across title and body too) and changed as a
    reader's copy would be: into the other script, the other width, upper case, spaces or punctuation put in."""
    s2t, t2s = ScriptConverter("s2t"), ScriptConverter("t2s")
    changes = [lambda p: p, s2t.convert, t2s.convert, to_full_width, to_half_width, str.upper,
               lambda p: " ".join(p), lambda p: p[:len(p) // 2] + "，" + p[len(p) // 2:]]
    rng = random.Random(seed)
    phrases = []
    while len(phrases) < count:
        article = rng.choice(articles)
        texts = [t for t in (article["title"], article.get("kicker"), article.get("subtitle"), article["body"]) if t]
        text = rng.choice(texts + [article["title"] + " " + article["body"]])
        length = rng.choice([1, 2, 2, 3, 4, 4, 5, 6, 8, 11, 15])
        start = rng.randrange(max(1, len(text) - length + 1))
        phrase = rng.choice(changes)(text[start:start + length]).replace('"', "").replace("＂", "")
        if any(ch.isalnum() for ch in phrase):  # punctuation alone is refused as no search (its own test)
            phrases.append(phrase)
    # Phrases no article holds: real words in an order no text has, and characters drawn at random.
    alphabet = sorted({c for a in articles for c in a["body"] if "\u4e00" <= c <= "\u9fff"})
    for _ in range(count // 4):
        phrases.append("".join(rng.choice(alphabet) for _ in range(rng.randint(3, 6))))
        piece = rng.choice(articles)["body"][:8]
        phrases.append(piece[::-1] + "龘")
    return phrases + ["ABC123", "ａｂｃ１２３", "abc 123", "IPHONE 15", "c++", "Ｃ＋＋", "北京 大学", "北京大學",
                      "臺北市長", "台北市长", "3.5%", "３．５％", "g20峰会", "20国", "市长选举"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, analyzer):
    root = tmp_path_factory.mktemp("phrases")
    articles = recombined_articles(2000, seed=3)
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    engine = Engine(make_config(root / "data", search_max_k=1000), analyzer=analyzer)
    engine.ingest([source])
    yield engine, articles
    engine.close()


def test_quoted_phrases_find_what_reading_every_article_found(archive):
    engine, articles = archive
    phrases = typed_phrases(articles, 240, seed=8)
    found = missing = narrowed = 0
    for phrase in phrases:
        query = f'"{phrase}"'
        expected = answers_by_reading(engine, query)
        assert answers(engine, query) == expected, query
        found += expected[0] > 0
        missing += expected[0] == 0
        narrowed += expected[0] < engine.search(phrase, summaries=False).total
    # The comparison means something only if phrases were found, others were not, and the adjacency of the
    # words took articles away that hold them apart.
    assert found >= 150 and missing >= 40 and narrowed >= 20, (found, missing, narrowed)


def test_phrases_beside_words_excluded_and_in_titles(archive):
    engine, articles = archive
    rng = random.Random(12)
    phrases = typed_phrases(articles, 60, seed=13)
    for phrase in phrases:
        word = rng.choice(["北京", "公司", "中国", "發展", "年"])
        for query in (f'{word} "{phrase}"', f'{word} -"{phrase}"', f'title:"{phrase}"', f'"{phrase}" OR {word}'):
            assert answers(engine, query) == answers_by_reading(engine, query), query


def test_the_same_phrase_in_either_script_and_width_finds_the_same_articles(archive):
    engine, _ = archive
    for one, other in (("臺北市長選舉", "台北市长选举"), ("ＡＢＣ１２３", "abc123"), ("３．５％", "3.5%"),
                       ("ｉＰｈｏｎｅ １５", "iphone15")):
        # The words may differ (`iphone15` is one word, `ｉＰｈｏｎｅ １５` two), and with them the scores.
        first, second = answers(engine, f'"{one}"'), answers(engine, f'"{other}"')
        assert first[0] == second[0] >= 1 and first[1] == second[1] == "and", (one, other)
        assert [i for i, _ in first[2]] == [i for i, _ in second[2]], (one, other)


SMALL = [(t, b) for t, b in MIXED] + [(r["title"], r["text"][:200]) for r in read_jsonl(CMRC_SAMPLE)[:30]] + \
    [(r["title"], r["text"][:200]) for r in read_jsonl(DRCD_SAMPLE)[:10]]


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory, analyzer):
    root = tmp_path_factory.mktemp("small-phrases")
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": f"s{i}", "title": t, "body": b}, ensure_ascii=False) + "\n"
                              for i, (t, b) in enumerate(SMALL)), encoding="utf-8")
    engine = Engine(make_config(root / "data", search_max_k=1000), analyzer=analyzer)
    engine.ingest([source])
    texts = {f"s{i}": squash(analyzer, f"{t} {b}") for i, (t, b) in enumerate(SMALL)}
    yield engine, texts
    engine.close()


_ALPHABET = "北京大学臺灣台湾市长公司发布年中国的了ABCabc123１２３ＡＢＣ .,，。·-%"


@st.composite
def phrases(draw) -> str:
    if draw(st.booleans()):
        title, body = draw(st.sampled_from(SMALL))
        text = f"{title} {body}"
        start = draw(st.integers(0, len(text) - 1))
        return text[start:start + draw(st.integers(1, 12))]
    return draw(st.text(alphabet=_ALPHABET, min_size=1, max_size=8))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phrases())
def test_every_article_a_phrase_finds_holds_it(small_archive, phrase):
    engine, texts = small_archive
    query = f'"{phrase}"'
    if not phrase.strip() or '"' in phrase or not squash(engine.analyzer, phrase):
        return
    found = answers(engine, query)
    total, mode, hits = found
    key = squash(engine.analyzer, phrase)
    # A phrase no article holds finds nothing: there is no fallback to its words apart.
    assert mode == "and"
    for article_id, _ in hits:
        assert key in texts[article_id], (phrase, article_id)
    assert found == answers_by_reading(engine, query)
