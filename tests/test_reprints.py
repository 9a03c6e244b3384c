"""The same story printed twice (`service.reprints`): the detector, and copies kept and collapsed by the engine."""

from __future__ import annotations

import numpy as np
import opencc
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from service import reprints
from service.articles import Article

pytestmark = pytest.mark.timeout(300)

# One dispatch as two papers printed it, and a distinct story on the same topic, in the same words.
DISPATCH = ("新华社北京3月5日电（记者 李华）第十三届全国人民代表大会第一次会议5日上午在人民大会堂开幕。国务院总理在"
            "政府工作报告中提出，今年发展主要预期目标是：国内生产总值增长百分之六点五左右，居民消费价格涨幅三"
            "左右，城镇新增就业一千一百万人以上。\n报告指出，过去五年，经济实力跃上新台阶，国内生产总值从五十四"
            "万亿元增加到八十二万七千亿元，年均增长百分之七点一，占世界经济比重从百分之十一点四提高到百分之十五左右。"
            "\n报告说，今年要大力推进改革开放，深入推进供给侧结构性改革，加快建设创新型国家，坚决打好三大攻坚战。")
REPRINT = ("第十三届全国人民代 表大会第一次会议5日上午在人民大会堂开幕。国务院总理在政府工作\n报告中提出，今年发"
           "展主要预期目标是：国内生产总值增长百分之六点五左右，居民消费价格涨幅三左右，城镇新增就业一千一百万人以上。"
           "\n报告指出，过去五年，经济实力跃上新台阶，国内生产总值从五十四万亿元增加到八十二万七千亿元，年均增长百分"
           "之七点一，占世界经济比重从百分之十一点四提高到百分之十五左石。")  # an opener gone, a paragraph cut, 石 for 右
SAME_TOPIC = ("本报讯 全国人民代表大会会议开幕当天，代表们在人民大会堂外接受采访。来自山东的代表说，政府工作报告提出的"
              "国内生产总值增长目标实实在在，让基层干部群众心里有底。另一位代表表示，城镇新增就业目标体现了民生优先，"
              "希望在乡村振兴、农村教育和医疗保障方面看到更多举措。\n代表们还就改革开放和创新型国家建设提出建议，认为要"
              "在科技投入、人才引进、营商环境等方面持续发力，让改革成果更多惠及人民群众。")
TRADITIONAL = opencc.OpenCC("s2t")


def fold(text: str) -> str:
    from service.text.normalize import Folder

    return Folder().fold(text)


def sketch(text: str) -> reprints.Sketch:
    return reprints.sketch(text, fold)


# --- the detector --------------------------------------------------------------------------------------------

def test_the_compared_text_drops_the_opener_spaces_breaks_and_punctuation_and_folds_the_script():
    text = reprints.comparable_text("新华社北京3月5日电（记者 李华）会议 在北京\n开幕。（完）", fold)
    assert text == "会议在北京开幕"
    assert reprints.comparable_text(TRADITIONAL.convert("会议在北京开幕。"), fold) == "会议在北京开幕"


def test_a_reprint_with_noise_an_opener_gone_and_a_paragraph_cut_is_the_same_story():
    a, b = sketch(DISPATCH), sketch(REPRINT)
    assert a.comparable and b.comparable
    assert set(a.keys) & set(b.keys), "LSH makes them candidates"
    assert reprints.same_story(a, b)


def test_the_same_story_in_traditional_characters_is_the_same_story():
    assert reprints.same_story(sketch(DISPATCH), sketch(TRADITIONAL.convert(DISPATCH)))


def test_a_distinct_story_on_the_same_topic_is_not():
    found = reprints.overlap(sketch(DISPATCH).shingles, sketch(SAME_TOPIC).shingles)
    assert found.containment < reprints.MIN_CONTAINMENT and not found.same_story
    assert not reprints.same_story(sketch(DISPATCH), sketch(SAME_TOPIC))


def test_a_short_item_quoted_in_a_long_roundup_is_not_the_same_story():
    item = DISPATCH.split("\n")[0]
    roundup = "\n".join([item, SAME_TOPIC, SAME_TOPIC.replace("山东", "河南"), REPRINT.split("\n")[-1]])
    found = reprints.overlap(sketch(item).shingles, sketch(roundup).shingles)
    assert found.containment > 0.9 and not found.same_story


def test_a_text_too_short_to_compare_has_no_band_keys_and_no_copies():
    short = sketch("图片新闻：春耕。")
    assert not short.comparable and not reprints.same_story(short, short)


def test_band_keys_are_one_per_band_and_fit_sqlite_integers():
    keys = sketch(DISPATCH).keys
    assert len(keys) == reprints.BANDS and len(set(keys)) == reprints.BANDS
    assert all(0 <= key < 2 ** 63 for key in keys)
    assert [key >> 58 for key in keys] == list(range(reprints.BANDS))


def test_a_group_is_its_first_article_its_copies_and_theirs():
    # Compared in the order a, b, c, x, y: b is a copy of a, c of b only (two noisy OCR passes of one page); y of x.
    groups = reprints.groups([("b", "a"), ("c", "b"), ("y", "x")])
    assert groups["a"] == groups["c"] == ("a", "b", "c") and groups["y"] == ("x", "y") and "z" not in groups


def test_a_chain_of_copies_is_cut_two_steps_from_the_first_article_of_a_group():
    # A chain a - b - c - d - e - f - g, each only like its neighbours: followed from pair to pair, one story.
    chain = reprints.groups([("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f")])
    assert chain["a"] == ("a", "b", "c") and chain["d"] == ("d", "e", "f") and "g" not in chain


def test_an_article_joins_the_first_group_within_reach_among_its_copies():
    # e is like c (two steps from a) and like d (which starts a group): it joins d's.
    groups = reprints.groups([("b", "a"), ("c", "b"), ("e", "c"), ("e", "d")])
    assert groups["e"] == ("d", "e") and groups["a"] == ("a", "b", "c")


def test_first_of_each_story_keeps_rank_order():
    assert reprints.first_of_each_story(np.array([5, 3, 5, 7, 3, 1])).tolist() == [0, 1, 3, 5]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 300), max_size=700))
def test_first_of_each_story_is_the_same_for_a_page_and_for_every_match(numbers):
    stories = np.asarray(numbers, dtype=np.int64)
    _, first = np.unique(stories, return_index=True)
    assert reprints.first_of_each_story(stories).tolist() == sorted(first.tolist())


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.lists(st.integers(0, n - 1), max_size=6), max_size=8),
    st.lists(st.integers(0, n - 1), unique=True))))
def test_stories_count_matches_as_sorting_their_story_numbers_does(case):
    n_docs, groups, matches = case
    # Groups as an index generation has them: disjoint, some of one document only.
    seen: set[int] = set()
    disjoint = []
    for group in groups:
        mine = sorted(set(group) - seen)
        seen.update(mine)
        disjoint.append(mine)
    stories = reprints.Stories(n_docs, disjoint)
    story = np.arange(n_docs)
    for group in disjoint:
        if len(group) > 1:
            story[group] = min(group)
    assert stories.story.tolist() == story.tolist()
    matched = np.asarray(sorted(matches), dtype=np.int64)
    total, folded = stories.count(matched)
    numbers, counts = np.unique(story[matched], return_counts=True)
    assert total == numbers.size
    for number in matched.tolist():
        assert folded(number) == counts[np.searchsorted(numbers, story[number])] - 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_sketched_without_error_and_is_its_own_copy(text):
    mine = sketch(text)
    assert mine.shingles.dtype == np.uint64
    if mine.comparable:
        assert reprints.same_story(mine, sketch(text))
        assert reprints.overlap(mine.shingles, mine.shingles).jaccard == 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), max_size=5, unique=True), max_size=12),
       st.dictionaries(st.integers(0, 12), st.lists(st.sampled_from("xyz"), min_size=1, max_size=3), max_size=6))
def test_sharing_keys_gives_the_stored_and_the_earlier_articles_that_share_a_key(keys, stored):
    ids = [f"a{n}" for n in range(len(keys))]
    found = reprints.sharing_keys(ids, [tuple(k) for k in keys], stored)
    for n, own in enumerate(keys):
        expected = {i for key in own for i in stored.get(key, ())}
        expected |= {ids[m] for m in range(n) if set(keys[m]) & set(own)}
        assert found[n] == expected


def test_the_sketches_kept_are_the_latest_within_their_limit():
    kept = reprints._Kept(limit=10)
    for name, size in (("a", 4), ("b", 4), ("c", 4)):
        kept.put(name, np.zeros(size, dtype=np.uint64))
    assert kept.get("a") is None and kept.get("b") is not None and kept.get("c") is not None and kept.size == 8
    kept.put("huge", np.zeros(11, dtype=np.uint64))
    assert kept.items == {} and kept.size == 0


# --- copies kept by the engine ---------------------------------------------------------------------------------

def story(article_id: str, body: str, **fields) -> dict:
    return {"id": article_id, "title": fields.pop("title", "全国人大会议开幕"), "body": body, **fields}


def test_an_ingest_finds_copies_among_the_articles_already_stored(engine):
    engine.ingest_records([story("a", DISPATCH, date="2018-03-06", page="A01"), story("t", SAME_TOPIC)])
    assert engine.copy_groups() == {}
    engine.ingest_records([story("b", REPRINT, date="2018-03-07", page="02"),
                           story("c", TRADITIONAL.convert(DISPATCH))])
    assert engine.copy_groups()["a"] == ("a", "b", "c")
    assert [c.id for c in engine.copies(["a"])["a"]] == ["b", "c"]
    assert engine.read("b").to_dict()["copies"] == ["a", "c"]
    assert engine.read("t").to_dict()["copies"] == []


def test_replacing_or_deleting_an_article_updates_its_copies(engine):
    engine.ingest_records([story("a", DISPATCH), story("b", REPRINT), story("c", DISPATCH + "（完）")])
    assert engine.copy_groups()["b"] == ("a", "b", "c")
    engine.ingest_records([story("b", SAME_TOPIC)])  # b now holds another story
    assert engine.copy_groups()["a"] == ("a", "c") and "b" not in engine.copy_groups()
    engine.delete(["c"])
    assert engine.copy_groups() == {}
    engine.ingest_records([story("b", REPRINT)])
    assert engine.copy_groups()["a"] == ("a", "b")


def test_rewrites_that_chain_from_one_article_to_the_next_are_not_one_story(engine):
    # Each article keeps eight of the last one's ten sentences: a copy of its neighbours, not of those two off.
    # Followed from pair to pair they would be one story of twelve printings, listed under every hit.
    from bench.common import read_jsonl
    from helpers import CMRC_SAMPLE

    sentences = list(dict.fromkeys(part.strip() + "。" for row in read_jsonl(CMRC_SAMPLE)
                                   for part in row["text"].split("。") if len(part.strip()) >= 20))
    chain = [story(f"r{n:02d}", "".join(sentences[2 * n:2 * n + 10])) for n in range(12)]
    engine.ingest_records(chain)
    pairs = {tuple(sorted(p)) for p in engine.store.copy_pairs()}
    assert ("r00", "r01") in pairs and ("r05", "r06") in pairs and ("r00", "r02") not in pairs  # neighbours only
    groups = engine.copy_groups()
    assert groups["r00"] == ("r00", "r01", "r02") and groups["r03"] == ("r03", "r04", "r05")
    assert max(len(group) for group in groups.values()) == 3
    assert [c.id for c in engine.copies(["r01"])["r01"]] == ["r00", "r02"]
    engine.delete(["r00"])  # the groups are worked out again from the pairs left: r01 now starts one
    assert engine.copy_groups()["r01"] == ("r01", "r02", "r03") and engine.copy_groups()["r04"] == ("r04", "r05", "r06")


def test_with_copy_finding_off_nothing_is_compared_until_it_is_on_again(tmp_path, analyzer):
    from service.engine import Engine
    from service.testing import make_config

    config = make_config(tmp_path / "data", ingest_find_copies=False)
    off = Engine(config, analyzer=analyzer)
    off.ingest_records([story("a", DISPATCH), story("b", REPRINT)])
    assert off.copy_groups() == {}
    off.close()
    on = Engine(config.with_overrides(ingest_find_copies=True), analyzer=analyzer)
    on.reindex()  # what an upgraded archive runs: it compares what was stored without comparing
    assert on.copy_groups()["a"] == ("a", "b")
    assert on.find_copies() == 0  # nothing is left to compare
    on.close()


def many_stories(count: int) -> list[dict]:
    """`count` distinct passages holding 的, every third printed again (spaces and line breaks added)."""
    from bench.common import read_jsonl
    from helpers import CMRC_SAMPLE

    passages = [row for row in read_jsonl(CMRC_SAMPLE) if "的" in row["text"] and len(row["text"]) > 200][:count]
    records = []
    for n, row in enumerate(passages):
        records.append(story(f"s{n:02d}", row["text"], title=row["title"], date=f"2018-03-{n % 28 + 1:02d}"))
        if n % 3 == 0:
            records.append(story(f"s{n:02d}r", row["text"].replace("的", "的 ").replace("。", "。\n"),
                                 title=row["title"], date="2018-04-01"))
    return records


def compared_one_by_one(records: list[dict], fold) -> set[tuple[str, str]]:
    """The pairs of copies by the definition, article after article in ingest order: each against every
    earlier article it shares a band key with."""
    sketches = [(r["id"], reprints.sketch(r["body"], fold)) for r in records]
    pairs = set()
    for n, (article_id, own) in enumerate(sketches):
        for other_id, other in sketches[:n]:
            if set(own.keys) & set(other.keys) and reprints.same_story(own, other):
                pairs.add(tuple(sorted((article_id, other_id))))
    return pairs


@pytest.mark.parametrize("chunk, kept", [(4, 0), (4, reprints.KEPT_SHINGLES), (500, 0), (7, 3000)])
def test_copies_found_a_chunk_at_a_time_are_those_of_one_by_one(tmp_path, analyzer, monkeypatch, chunk, kept):
    from service.engine import Engine
    from service.testing import make_config

    records = many_stories(30)
    records += [story(f"{r['id']}n", r["body"][:-30] + "（完）") for r in records[::4]]
    records += [story("a", DISPATCH), story("b", REPRINT), story("t", SAME_TOPIC)]
    expected = compared_one_by_one(records, analyzer.fold)
    assert len(expected) > 20
    engine = Engine(make_config(tmp_path / "data", ingest_find_copies=False), analyzer=analyzer)
    try:
        engine.ingest_records(records)
        monkeypatch.setattr(reprints, "CHUNK", chunk)
        with engine.store.writing() as writer:
            done = reprints.find_copies(writer, analyzer.fold, analyzer.fingerprint, kept_shingles=kept)
        assert {tuple(sorted(p)) for p in engine.store.copy_pairs()} == expected
        assert done.compared == len(records) and done.copies == len(expected)
        assert done.candidates >= done.verified >= done.copies
        # Earlier chunks' candidates are read again; kept, each is read at most once.
        assert (done.resketched == 0) == (chunk >= len(records))
        if kept >= reprints.KEPT_SHINGLES:
            assert done.resketched <= len(records)
    finally:
        engine.close()


def test_search_collapses_copies_and_pages_through_stories_without_gap_or_repeat(engine):
    engine.ingest_records(many_stories(30))
    everything = engine.search("的", k=100, collapse=False)
    assert everything.total == everything.articles == 40 and everything.stories == 30
    collapsed = engine.search("的", k=100)
    assert collapsed.total == collapsed.stories == 30 and collapsed.articles == 40 and collapsed.collapse
    assert len(collapsed.hits) == 30
    shown = [h.article.id for h in collapsed.hits]
    assert len({i.rstrip("r") for i in shown}) == 30  # one hit per story
    # The best-ranked printing stands for the story, its rank among stories.
    best = [h.article.id for h in everything.hits]
    assert shown == [i for n, i in enumerate(best) if i.rstrip("r") not in {j.rstrip("r") for j in best[:n]}]
    assert [h.rank for h in collapsed.hits] == list(range(1, 31))
    reprinted = next(h for h in collapsed.hits if h.article.id.rstrip("r") == "s03")
    assert reprinted.folded == 1 and len(reprinted.copies) == 1
    assert reprinted.to_dict()["copies"] == [c.id for c in reprinted.copies]
    pages = [engine.search("的", k=7, offset=offset) for offset in range(0, 35, 7)]
    paged = [h.article.id for page in pages for h in page.hits]
    assert paged == shown and all(page.total == 30 for page in pages)
    assert [h.rank for page in pages for h in page.hits] == list(range(1, 31))


def test_an_ingest_without_copies_keeps_the_groups_and_story_numbers_worked_out(engine, analyzer, monkeypatch):
    from service.engine import Engine

    engine.ingest_records(many_stories(12))
    engine.search("的")
    from service.index.postings import Postings

    grown, numbered, reads = [], [], []
    real_extended, real_numbers, real_since = reprints.Grouping.extended, Postings.doc_numbers_of, \
        engine.store.copy_links_since
    monkeypatch.setattr(reprints.Grouping, "extended", lambda self, links: grown.append(1) or real_extended(self, links))
    monkeypatch.setattr(Postings, "doc_numbers_of", lambda self, ids: numbered.append(1) or real_numbers(self, ids))
    monkeypatch.setattr(engine.store, "copy_links_since", lambda mark: reads.append(real_since(mark)) or reads[-1])
    engine.ingest_records([story("n", SAME_TOPIC, title="代表")])
    engine.search("的", k=100)
    assert grown == [] and numbered == []  # no pass over the pairs, nor over the groups for the story numbers

    def same_as_afresh(query: str) -> None:
        found = engine.search(query, k=100)
        fresh = Engine(engine.config, analyzer=analyzer)
        afresh = fresh.search(query, k=100)
        fresh.close()
        assert [(h.article.id, h.folded) for h in found.hits] == [(h.article.id, h.folded) for h in afresh.hits]
        assert (found.total, found.stories, found.articles) == (afresh.total, afresh.stories, afresh.articles)

    same_as_afresh("的")
    grown.clear(), numbered.clear()
    engine.ingest_records([story("nr", SAME_TOPIC.replace("，", "， "), title="代表")])  # a copy of it
    collapsed = engine.search("人民大会堂 代表", k=100)
    assert sum(h.article.id in ("n", "nr") for h in collapsed.hits) == 1  # one of the two stands for the story
    # The groups grew by the new article's own link, and the story numbers by its own group.
    assert grown == [1] and [(whole, links) for _, links, whole in reads] == [(False, [("nr", "n")])]
    assert numbered == [1]
    engine.ingest_records([story("s01r2", many_stories(2)[-1]["body"] + "（完）")])  # a story's first copy
    engine.search("的")
    assert [(whole, links) for _, links, whole in reads[1:]] == [(False, [("s01r2", "s01")])]
    assert engine.copy_groups()["s01"] == ("s01", "s01r2")
    same_as_afresh("的")
    same_as_afresh("人民大会堂 代表")
    engine.delete(["n"])  # a drop: the groups are worked out afresh
    engine.search("的")
    assert reads[-1][2] is True
    same_as_afresh("的")


def test_a_copy_the_index_gains_after_its_group_was_worked_out_is_folded_into_its_story(engine):
    # A search between a write's store commit and its index switch sees the new groups with the old index: the
    # generation after it must not take the new article for a story of its own.
    engine.ingest_records([story("a", DISPATCH), story("t", SAME_TOPIC)])
    engine.search("人民大会堂")
    engine.store.upsert([Article(id="b", title="全国人大会议开幕", body=REPRINT)])
    engine.find_copies()
    assert engine.copy_groups()["b"] == ("a", "b")
    assert engine.search("人民大会堂", k=10).stories == 2  # b is not in the index yet
    engine.reindex(verify_all=False)
    results = engine.search("人民大会堂", k=10)
    assert (results.stories, results.articles) == (2, 3)
    assert sum(h.article.id in ("a", "b") for h in results.hits) == 1 and \
        [h.folded for h in results.hits if h.article.id in ("a", "b")] == [1]


def test_a_page_of_a_few_hits_past_many_copies_is_ranked_in_full(engine):
    # The first hits are all printings of one story: a page further on needs every match ranked.
    copies = [story(f"c{n}", DISPATCH + "（完）" * n) for n in range(12)]
    engine.ingest_records(copies + [story("t", SAME_TOPIC)])
    results = engine.search("人民大会堂", k=1, offset=1)
    assert results.stories == 2 and results.articles == 13 and [h.article.id for h in results.hits] == ["t"]


def test_pages_past_dozens_of_printings_of_one_story_are_the_stories_of_the_whole_ranking(engine):
    # More printings than the first retry ranks come first: pages and the words of the hits are still those
    # of every match ranked.
    copies = [story(f"c{n:02d}", DISPATCH + "（完）" * (n % 7) + "。" * n) for n in range(45)]
    others = [story(f"o{n}", SAME_TOPIC + "人民大会堂" * n) for n in range(3)]
    engine.ingest_records(copies + others)
    assert len(engine.copy_groups()["c00"]) == 45
    groups = engine.copy_groups()
    everything = [h.article.id for h in engine.search("人民大会堂", k=100, collapse=False).hits]
    story_of = [groups.get(i, (i,))[0] for i in everything]
    stories = [i for n, i in enumerate(everything) if story_of[n] not in story_of[:n]]
    assert len(stories) >= 2 and everything.index(stories[1]) > 32  # past the first retry's 32
    for offset in range(len(stories)):
        page = engine.search("人民大会堂", k=1, offset=offset)
        assert [h.article.id for h in page.hits] == stories[offset:offset + 1] and page.stories == len(stories)
    assert engine.search("人民大会堂", k=2, offset=2, facet_terms=True).facets.terms == \
        engine.search("人民大会堂", k=100, facet_terms=True).facets.terms


def test_a_page_ranked_in_full_after_a_write_switched_in_uses_the_newer_generations_stories(engine, analyzer):
    from service.engine import Engine

    engine.ingest_records([story(f"c{n}", DISPATCH + "（完）" * n) for n in range(12)] + [story("t", SAME_TOPIC)])
    writer = Engine(engine.config, analyzer=analyzer)
    real = engine._match

    calls = []

    def match(*args, **kwargs):
        calls.append(kwargs.get("limit"))
        if len(calls) == 2:  # the second match, ranking more: a write lands first
            writer.ingest_records([story("late", "人民大会堂今天对外开放，游客排队参观。")])
        return real(*args, **kwargs)

    engine._match = match
    results = engine.search("人民大会堂", k=1, offset=1)
    assert len(calls) >= 2  # the page was ranked again, after the write
    assert results.stories == 3 and results.articles == 14 and len(results.hits) == 1
    writer.close()


def test_the_migrated_store_of_version_6_finds_its_copies_at_the_next_write(tmp_path, analyzer):
    import sqlite3

    from service.engine import Engine
    from service.testing import make_config

    config = make_config(tmp_path / "data")
    first = Engine(config, analyzer=analyzer)
    first.ingest_records([story("a", DISPATCH), story("b", REPRINT)])
    first.close()
    conn = sqlite3.connect(tmp_path / "data" / "articles.sqlite3")
    for table in ("reprint_sketches", "reprint_bands", "reprint_pairs"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM meta WHERE key IN ('reprints_fingerprint', 'copies_revision')")
    conn.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    again = Engine(config, analyzer=analyzer)
    assert again.copy_groups() == {}  # migrated, nothing compared yet
    again.ingest_records([story("c", SAME_TOPIC)])
    assert again.copy_groups()["a"] == ("a", "b") and again.store.count() == 3
    again.close()


def test_an_article_is_never_its_own_copy(engine):
    engine.ingest_records([story("a", DISPATCH)])
    engine.ingest_records([story("a", DISPATCH, date="2018-03-05")])  # replaced by itself, changed a little
    assert engine.copy_groups() == {} and engine.read("a").copies == ()


def test_related_articles_leave_out_the_copies_listed_apart(engine):
    engine.ingest_records([story("a", DISPATCH), story("b", REPRINT), story("t", SAME_TOPIC),
                           story("x", "气象台预报明天有雨，公园开放，市民可以去散步。" * 3)])
    assert [r.article.id for r in engine.related("a")] == ["t", "x"]


def test_copies_are_listed_in_the_display_script(engine):
    engine.ingest_records([story("a", DISPATCH, title="全国人大会议开幕"), story("b", REPRINT, title="人大会议开幕")])
    (copy,) = engine.copies(["a"], "traditional")["a"]
    assert copy.title == "人大會議開幕"


def test_copies_listed_at_one_search_are_listed_anew_once_the_store_changes(engine):
    # A story's printings are remembered between searches: a copy retitled, or deleted, must not linger.
    engine.ingest_records([story("a", DISPATCH, title="全国人大会议开幕", date="2018-03-06"),
                           story("b", REPRINT, title="人大会议开幕", date="2018-03-07"),
                           story("c", DISPATCH + "（完）", title="人大开幕", date="2018-03-08")])

    def listed(script=None):
        (hit,) = [h for h in engine.search("人民大会堂", collapse=False, script=script).hits if h.article.id == "a"]
        return [(c.id, c.title) for c in hit.copies]

    assert listed() == [("b", "人大会议开幕"), ("c", "人大开幕")]
    assert listed("traditional") == [("b", "人大會議開幕"), ("c", "人大開幕")]
    engine.ingest_records([story("b", REPRINT, title="两会开幕", date="2018-03-07")])
    assert listed() == [("b", "两会开幕"), ("c", "人大开幕")]
    engine.ingest_records([story("c", DISPATCH + "（完）", title="人大开幕", date="2018-03-01")])  # now the oldest
    assert listed() == [("c", "人大开幕"), ("b", "两会开幕")]
    engine.delete(["b"])
    assert listed() == [("c", "人大开幕")] and listed("traditional") == [("c", "人大開幕")]


def test_listed_printings_keep_the_most_recently_asked_within_the_budget_and_go_with_the_revision():
    def printed(*ids):
        return tuple(reprints.Copy(i, f"标题{i}", "2018-03-05", None, None) for i in ids)

    listed = reprints.Listed(budget=5)
    a, b, c = (("a", "a2"), None), (("b", "b2"), None), (("c", "c2", "c3"), None)
    listed.put(1, a, printed("a", "a2"))
    listed.put(1, b, printed("b", "b2"))
    assert set(listed.get(1, [a])) == {a}  # a asked for again: b is now the least recent
    listed.put(1, c, printed("c", "c2", "c3"))  # 7 printings: b goes, a and c stay (5)
    assert set(listed.get(1, [a, b, c])) == {a, c}
    assert reprints.Listed.others(listed.get(1, [c])[c], "c2") == printed("c", "c3")
    assert listed.get(2, [a, c]) == {}  # the store changed: everything listed before is forgotten
    listed.put(1, a, printed("a", "a2"))  # listed at the revision before, by a search that began earlier
    assert listed.get(2, [a]) == {}


def test_the_article_dataclass_is_unchanged_by_copies():
    # Copies live beside the article, never in it: its content hash and fields stay what they were.
    assert "copies" not in Article.__dataclass_fields__


class _GroupNotToHash(tuple):
    """A group of copies that fails when hashed whole: a dispatch printed thousands of times makes every whole-group
    hash cost its length, and a set of every member's group the square of it."""

    def __hash__(self):
        raise AssertionError("a whole group of copies was hashed")


def test_a_search_with_copies_hashes_no_whole_group(engine, monkeypatch):
    real = reprints.groups

    def groups(pairs):
        shared: dict[int, _GroupNotToHash] = {}
        return {i: shared.setdefault(id(g), _GroupNotToHash(g)) for i, g in real(pairs).items()}

    monkeypatch.setattr(reprints, "groups", groups)
    engine.ingest_records([story(f"c{n}", DISPATCH + "（完）" * n) for n in range(6)] + [story("t", SAME_TOPIC)])
    for collapse in (True, False):
        results = engine.search("人民大会堂", k=10, collapse=collapse)
        assert {h.article.id for h in results.hits} >= {"t"} and any(h.copies for h in results.hits)
    assert len(reprints.distinct(engine.copy_groups())) == 1


@given(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 29)), max_size=60))
@settings(max_examples=150, deadline=None)
def test_groups_kept_in_a_file_are_the_groups_worked_out(tmp_path_factory, pairs):
    links = sorted({(f"a{later:02d}", f"a{earlier:02d}") for later, earlier in pairs if earlier < later})
    grouping = reprints.Grouping().extended(links)
    assert reprints.Grouping.of(grouping.first, grouping.steps).groups == grouping.groups
    path = tmp_path_factory.mktemp("groups") / "copy-groups.cache"
    grouping.save(path, (7, 3), (0, 31))
    revision, loaded, mark = reprints.Grouping.load(path)
    assert (revision, mark) == ((7, 3), (0, 31)) and loaded.groups == grouping.groups
    # Grown by later links, the groups kept grow as the ones worked out in one pass do.
    more = [(f"b{n}", earlier) for n, (earlier, _) in enumerate(links[:5])]
    assert loaded.extended(more).groups == reprints.groups(links + more)


@pytest.mark.parametrize("damage", ["", "not json", '{"format": 1}', '{"format": 1, "revision": [1, 2], '
                                    '"mark": [0, 1], "first": {"b": "a"}, "steps": {"b": 9}}', '{"format": 99}'])
def test_a_groups_file_that_is_not_whole_is_not_read(tmp_path, damage):
    path = tmp_path / "copy-groups.cache"
    path.write_text(damage, encoding="utf-8")
    assert reprints.Grouping.load(path) is None
    assert reprints.Grouping.load(tmp_path / "absent") is None


def test_a_new_process_starts_from_the_groups_the_last_one_kept(engine, analyzer, monkeypatch):
    from service.engine import GROUPS_CACHE_FILE, Engine

    engine.ingest_records([story("a", DISPATCH), story("b", REPRINT), story("t", SAME_TOPIC)])
    assert engine.copy_groups()["a"] == ("a", "b") and (engine.index_dir / GROUPS_CACHE_FILE).is_file()
    reads = []
    reopened = Engine(engine.config, analyzer=analyzer)
    real_since = reopened.store.copy_links_since
    monkeypatch.setattr(reopened.store, "copy_links_since", lambda mark: reads.append(mark) or real_since(mark))
    assert reopened.copy_groups() == engine.copy_groups() and reads == []  # the file, not the pairs
    # Copies stored since the file was kept: only their links are read, and the groups are those of all links.
    engine.ingest_records([story("c", TRADITIONAL.convert(DISPATCH)), story("u", SAME_TOPIC + "（完）")])
    assert reopened.copy_groups() == engine.copy_groups() == reprints.groups(engine.store.copy_links())
    assert len(reads) == 1 and reads[0] is not None
    reopened.close()
    # A file kept for another store file (one restored in its place) is not read.
    kept = reprints.Grouping.load(engine.index_dir / GROUPS_CACHE_FILE, engine._store_identity())
    assert kept is not None and reprints.Grouping.load(engine.index_dir / GROUPS_CACHE_FILE, "1:2") is None
    # A damaged file is worked out afresh.
    (engine.index_dir / GROUPS_CACHE_FILE).write_text('{"format": 1, "first": 3}', encoding="utf-8")
    afresh = Engine(engine.config, analyzer=analyzer)
    assert afresh.copy_groups() == engine.copy_groups()
    afresh.close()
