import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import CMRC_SAMPLE, SEED_PAGE, make_config
from service.articles import Article
from service.engine import Engine
from service.text.analyzer import Analyzer
from service.errors import IndexUnusable, InputError, NotFound, QueryError
from service.index import storage
from service.ingest.sources import ReadOptions
from service.text.sentences import split_sentences
from service.search.highlight import highlight_spans, merge_spans
from service.summaries.data import summarize

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"
COOPERATION = "青州———冠县东西协作扶贫成效显著"


def titles(results):
    return [hit.article.title for hit in results.hits]


def test_seed_corpus_ranks_the_medical_insurance_article_first(seed_engine):
    results = seed_engine.search("医保")
    assert titles(results)[0] == MEDICAL
    assert results.total == len(results.hits) >= 1


def test_traditional_query_gives_the_same_ranking(seed_engine):
    simplified, traditional = seed_engine.search("医保"), seed_engine.search("醫保")
    assert [(h.article.id, h.score) for h in traditional.hits] == [(h.article.id, h.score) for h in simplified.hits]


def test_lingzhi_finds_the_east_west_cooperation_article(seed_engine):
    assert COOPERATION in titles(seed_engine.search("灵芝"))


def test_hits_carry_summaries_with_marked_query_terms(seed_engine):
    hit = seed_engine.search("医保").hits[0]
    assert hit.summary.text and hit.summary.highlights
    assert all(hit.summary.text[s:e] == "医保" for s, e in hit.summary.highlights)
    assert [hit.article.title[s:e] for s, e in hit.title_highlights] == ["医保"]
    assert hit.article.date == "2018-02-28" and hit.article.section == "城事" and hit.article.page == "B03"
    assert hit.article.authors == ("刘洪斌",)


def test_paging_slices_one_ranking(seed_engine):
    everything = seed_engine.search("冠县", k=100)
    pages = [seed_engine.search("冠县", k=3, offset=o) for o in range(0, everything.total, 3)]
    assert [h.article.id for p in pages for h in p.hits] == [h.article.id for h in everything.hits]
    assert [h.rank for p in pages for h in p.hits] == list(range(1, everything.total + 1))


@pytest.mark.parametrize("query, code", [("", "empty_query"), ("   ", "empty_query"), ("医" * 257, "query_too_long")])
def test_bad_queries_are_refused_naming_the_problem(seed_engine, query, code):
    with pytest.raises(QueryError) as info:
        seed_engine.search(query)
    assert info.value.code == code


@pytest.mark.parametrize("k, offset, code", [(0, 0, "bad_k"), (101, 0, "bad_k"), (10, -1, "bad_offset"),
                                             (10, 10_001, "bad_offset")])
def test_bad_k_and_offset_are_refused(seed_engine, k, offset, code):
    with pytest.raises(QueryError) as info:
        seed_engine.search("医保", k=k, offset=offset)
    assert info.value.code == code


@pytest.mark.parametrize("query", ["，。！", '""', "OR", "-", "· —— ·"])
def test_a_query_of_nothing_but_punctuation_or_operators_is_refused_naming_it(seed_engine, query):
    with pytest.raises(QueryError, match="nothing to search for") as refused:
        seed_engine.search(query)
    assert refused.value.code == "no_search_words" and repr(query) in str(refused.value)


def test_a_query_that_only_leaves_words_out_lists_every_other_article_newest_first(seed_engine):
    with_word = {h.article.id for h in seed_engine.search("灵芝", k=100).hits}
    results = seed_engine.search("-灵芝", k=100)
    assert with_word and results.mode == "filter" and results.sort == "newest"
    assert results.total == seed_engine.store.count() - len(with_word)
    assert not with_word & {h.article.id for h in results.hits}
    # as a person left out alone does
    assert seed_engine.search("-person:张三", k=100).mode == "filter"


def test_unknown_article_is_not_found(seed_engine):
    for bad in ("nope", "../etc/passwd", "a b"):
        with pytest.raises(NotFound):
            seed_engine.article(bad)


def test_ingesting_the_same_page_twice_adds_nothing(engine):
    first = engine.ingest([SEED_PAGE])
    second = engine.ingest([SEED_PAGE])
    assert len(first.added) == 10 and second.added == [] and len(second.unchanged) == 10
    assert engine.store.count() == 10


def test_a_changed_record_replaces_the_old_one(engine, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "r1", "title": "旧标题", "body": "灵芝产业。"}, ensure_ascii=False), encoding="utf-8")
    engine.ingest([path])
    path.write_text(json.dumps({"id": "r1", "title": "新标题", "body": "医保报销。"}, ensure_ascii=False), encoding="utf-8")
    report = engine.ingest([path])
    assert report.replaced == ["r1"] and engine.store.count() == 1
    assert engine.search("医保").hits[0].article.title == "新标题"
    assert engine.search("灵芝").total == 0


def test_bad_files_are_reported_and_the_rest_goes_in(engine, tmp_path):
    (tmp_path / "good.jsonl").write_text('{"id": "g", "title": "好", "body": "医保。"}\n{broken\n', encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    report = engine.ingest([tmp_path])
    assert report.added == ["g"]
    assert sorted(str(p) for p in report.problems) == sorted([
        f"{(tmp_path / 'binary.txt').as_posix()}: looks like a binary file (NUL bytes), not text",
        f"{(tmp_path / 'good.jsonl').as_posix()}:2: not valid JSON (Expecting property name enclosed in double "
        "quotes at column 2)"])


def test_an_index_reopened_by_another_engine_gives_identical_results(tmp_path, analyzer):
    config = make_config(tmp_path / "data")
    writer = Engine(config, analyzer=analyzer)
    writer.ingest([CMRC_SAMPLE])
    reader = Engine(config, analyzer=analyzer)
    for query in ("电影导演", "历史", "足球 比赛", "中华人民共和国"):
        a, b = writer.search(query, k=20), reader.search(query, k=20)
        assert [(h.article.id, h.score) for h in a.hits] == [(h.article.id, h.score) for h in b.hits]


def test_readers_follow_a_new_generation_written_by_another_process(tmp_path, analyzer):
    config = make_config(tmp_path / "data")
    reader = Engine(config, analyzer=analyzer)
    writer = Engine(config, analyzer=analyzer)
    writer.ingest([SEED_PAGE])
    assert reader.search("医保").total >= 1
    (tmp_path / "more.jsonl").write_text('{"id": "m", "title": "芝麻", "body": "芝麻开花。"}', encoding="utf-8")
    writer.ingest([tmp_path / "more.jsonl"])
    assert reader.search("芝麻").total == 1


def test_an_index_from_another_analyzer_is_refused(tmp_path, analyzer):
    config = make_config(tmp_path / "data")
    Engine(config, analyzer=analyzer).ingest([SEED_PAGE])
    other = Engine(config.with_overrides(analysis_lowercase=False))
    with pytest.raises(IndexUnusable, match="another analyzer"):
        other.search("医保")
    other.reindex()
    assert other.search("医保").total >= 1


def test_search_before_any_ingest_says_how_to_build_an_index(engine):
    with pytest.raises(IndexUnusable, match="jiansuo ingest"):
        engine.search("医保")


def test_summarize_any_text(seed_engine):
    text = "这是一个好消息。冠县灵芝产业发展迅速，灵芝产品远销各地。大家都很高兴。"
    assert "灵芝" in seed_engine.summarize(text, sentences=1).text
    assert seed_engine.summarize(text, sentences=1, query="高兴").text == "大家都很高兴。"
    within_ten = seed_engine.summarize(text, max_chars=10).text  # a whole sentence that fits beats a clipped one
    assert within_ten in ("这是一个好消息。", "大家都很高兴。")
    assert len(seed_engine.summarize(text).sentences) == seed_engine.config.summary_sentences


@pytest.mark.parametrize("options, code", [({"sentences": 0}, "bad_sentences"), ({"sentences": 101}, "bad_sentences"),
                                           ({"max_chars": 0}, "bad_max_chars"), ({"sentences": True}, "bad_sentences"),
                                           ({"max_chars": "80"}, "bad_max_chars")])
def test_summarize_refuses_a_bad_budget_naming_it(seed_engine, options, code):
    with pytest.raises(QueryError) as info:
        seed_engine.summarize("第一句。", **options)
    assert info.value.code == code and code.removeprefix("bad_") in info.value.message


def test_stats(seed_engine):
    stats = seed_engine.stats()
    assert stats["articles"] == 10 and stats["index_bytes"] > 0 and stats["last_ingest"]
    assert stats["index_generation"] == storage.current_generation(seed_engine.index_dir)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(blacklist_categories=()), max_size=300))  # lone surrogates included
def test_search_never_crashes_on_any_text(seed_engine, text):
    try:
        results = seed_engine.search(text)
    except QueryError as error:
        holds_surrogate = any("\ud800" <= ch <= "\udfff" for ch in text)
        wordless = not any(ch.isalnum() for ch in re.sub(r"\b(?:AND|OR|NOT)\b", "", text))
        assert (not text.strip() or len(text.strip()) > 256 or error.code == "too_many_terms"
                or (error.code == "bad_query" and holds_surrogate)
                or (error.code == "no_search_words" and wordless))
        return
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert all(0 <= s < e <= len(hit.summary.text) for s, e in hit.summary.highlights)


# --- ingest and the index following the store ---------------------------------------------------------------

class CountingAnalyzer:
    """The session's analyzer, counting the texts it is asked to analyse."""

    def __init__(self, inner):
        self._inner = inner
        self.texts = 0

    def fold_with_origins(self, text):
        # Where the index's analysis of each text starts (index.channels.count_channels, analyze_article).
        self.texts += 1
        return self._inner.fold_with_origins(text)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def ranking(engine, query):
    return [(h.article.id, round(h.score, 9)) for h in engine.search(query, k=50, summaries=False).hits]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_a_rebuild_analyses_only_the_articles_that_changed(tmp_path, analyzer):
    counting = CountingAnalyzer(analyzer)
    engine = Engine(make_config(tmp_path / "data"), analyzer=counting)
    engine.ingest([CMRC_SAMPLE])
    assert counting.texts == 2 * 250  # title and text of each record
    extra = tmp_path / "extra.jsonl"
    write_jsonl(extra, [{"id": "new-1", "title": "灵芝", "body": "灵芝盆景专业艺术合作社到会参展。"}])
    counting.texts = 0
    engine.ingest([extra])
    assert counting.texts == 2
    write_jsonl(extra, [{"id": "new-1", "title": "灵芝", "body": "灵芝产品附加值提升。"}])
    counting.texts = 0
    assert engine.ingest([extra]).replaced == ["new-1"] and counting.texts == 2
    counting.texts = 0
    assert engine.delete(["new-1", "TRIAL_800", "nope"]).missing == ["nope"]
    assert counting.texts == 0
    # The index built from kept terms ranks exactly as one built by analysing everything again.
    fresh = Engine(make_config(tmp_path / "fresh"), analyzer=analyzer)
    fresh.ingest([CMRC_SAMPLE])
    fresh.delete(["TRIAL_800"])
    for query in ("电影导演", "足球 比赛", "中华人民共和国", "灵芝"):
        assert ranking(engine, query) == ranking(fresh, query)


def test_changing_the_analyzer_analyses_everything_once_then_keeps_its_terms(tmp_path, analyzer):
    config = make_config(tmp_path / "data")
    Engine(config, analyzer=analyzer).ingest([SEED_PAGE])
    counting = CountingAnalyzer(Analyzer(lowercase=False))
    other = Engine(config.with_overrides(analysis_lowercase=False), analyzer=counting)
    assert not other.index_is_current()
    other.reindex()
    assert counting.texts == 20 and other.index_is_current()
    counting.texts = 0
    other.reindex()
    assert counting.texts == 0
    assert other.search("医保").hits[0].article.title == "冠县斜店乡保障贫困户参加医保不落一人"


def test_an_ingest_killed_after_the_store_commit_is_finished_by_the_next_one(engine, tmp_path, monkeypatch):
    engine.ingest([SEED_PAGE])
    extra = tmp_path / "extra.jsonl"
    write_jsonl(extra, [{"id": "x1", "title": "芝麻", "body": "芝麻开花节节高。"}])

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # dies between the store commit and the new index

    monkeypatch.setattr(engine, "_reindex", killed)
    with pytest.raises(KeyboardInterrupt):
        engine.ingest([extra])
    monkeypatch.undo()
    assert engine.store.count() == 11 and not engine.index_is_current()
    assert engine.search("芝麻").total == 0 and engine.search("医保").total >= 1  # the old index still serves
    report = engine.ingest([extra])
    assert report.unchanged == ["x1"] and report.index_generation is not None
    assert engine.search("芝麻").total == 1 and engine.index_is_current()


def test_a_reader_failing_mid_ingest_leaves_store_and_index_as_they_were(engine, tmp_path, monkeypatch):
    engine.ingest([SEED_PAGE])
    generation = storage.current_generation(engine.index_dir)
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"id": "x1", "title": "芝麻", "body": "芝麻开花。"}])
    write_jsonl(folder / "b.jsonl", [{"id": "x2", "title": "芝麻", "body": "芝麻开花。"}])
    from service.ingest import sources

    real = sources.read_file

    def failing(path, options=None):
        if path.name == "b.jsonl":
            raise MemoryError("reader died")
        return real(path, options)

    monkeypatch.setattr(sources, "read_file", failing)
    with pytest.raises(MemoryError):
        engine.ingest([folder])
    assert engine.store.count() == 10 and storage.current_generation(engine.index_dir) == generation
    assert engine.index_is_current()


def test_a_page_that_now_splits_into_fewer_items_loses_the_ones_it_no_longer_gives(engine):
    first = engine.ingest([SEED_PAGE])
    prefix = first.added[0].rsplit("-", 1)[0]
    # An item a former splitter found on this page, stored under the page's id prefix.
    engine.store.upsert([Article(id=f"{prefix}-11", title="旧的第十一篇", body="旧正文。")])
    again = engine.ingest([SEED_PAGE])
    assert again.removed == [f"{prefix}-11"] and len(again.unchanged) == 10
    assert engine.store.count() == 10 and engine.search("旧正文").total == 0


def test_a_corrected_page_from_the_same_file_replaces_its_earlier_reading_its_old_ids_leading_on(engine, tmp_path):
    page = tmp_path / "b03.txt"
    page.write_text(SEED_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    first = engine.ingest([page])
    medical = next(i for i in first.added if "医保" in engine.article(i).title)
    page.write_text(page.read_text(encoding="utf-8").replace("斜店乡保障", "斜店鄉保障", 1), encoding="utf-8")
    corrected = engine.ingest([page])
    assert len(corrected.added) == 10 and sorted(corrected.removed) == sorted(first.added)
    assert engine.store.count() == 10 and any("replaces its earlier reading" in w for w in corrected.warnings)
    # Links and citations of the earlier reading lead to the article that corrects each.
    with pytest.raises(NotFound) as replaced:
        engine.article(medical)
    assert replaced.value.code == "article_replaced" and "斜店鄉保障" in engine.article(replaced.value.new_id).title
    successors = {old: engine.store.successor(old) for old in first.added}
    assert set(successors.values()) == set(corrected.added)
    assert all(old.rsplit("-", 1)[1] == new.rsplit("-", 1)[1] for old, new in successors.items())
    # Corrected again: the first ids lead to the newest reading in one step.
    page.write_text(page.read_text(encoding="utf-8").replace("不落一人", "不落一个人", 1), encoding="utf-8")
    again = engine.ingest([page])
    assert engine.store.successor(medical) in again.added and engine.store.count() == 10
    assert engine.store.successor(replaced.value.new_id) == engine.store.successor(medical)
    # The same page read from another file is another printing, and a new day's page in this file another page.
    elsewhere = tmp_path / "copy" / "b03.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text(page.read_text(encoding="utf-8").replace("不落一个人", "不落一人"), encoding="utf-8")
    copied = engine.ingest([elsewhere])
    assert copied.removed == [] and engine.store.count() == 20
    assert any(f"much like the page {page.as_posix()} gave (10 of its 10" in w for w in copied.warnings)
    assert not any("much like" in w for w in engine.ingest([elsewhere]).warnings)  # nothing new: said once
    # Another paper's page of the same day and code is nothing like it: nothing is said.
    other_paper = tmp_path / "other" / "b03.txt"
    other_paper.parent.mkdir()
    other_paper.write_text("B03城事2018年2月28日 星期三\n\n另一份报纸的头条\n\n　　这是另一份报纸同一天同一版的文章，"
                           "讲的是完全不同的事情，和上面那一版毫无关系。\n", encoding="utf-8")
    other = engine.ingest([other_paper])
    assert len(other.added) == 1 and not any("much like" in w for w in other.warnings)
    assert (engine.article(other.added[0]).date, engine.article(other.added[0]).page) == ("2018-02-28", "B03")
    page.write_text(page.read_text(encoding="utf-8").replace("2018年2月28日", "2018年3月1日"), encoding="utf-8")
    next_day = engine.ingest([page])
    assert next_day.removed == [] and engine.store.count() == 31


def test_a_corrected_page_that_gives_fewer_articles_says_how_many_it_no_longer_gives(engine, tmp_path):
    page = tmp_path / "b03.txt"
    text = SEED_PAGE.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    first = engine.ingest([page])
    last = max(first.added, key=lambda i: engine.article(i).position)
    ends = engine.article(last)  # a photo story: its caption, then its title
    cut = min(text.index(ends.title), text.index(ends.body[:6]))
    page.write_text(text[:cut] + "\n", encoding="utf-8")  # the page's last story cut off
    again = engine.ingest([page])
    assert last in again.removed and engine.store.successor(last) is None
    assert engine.store.count() == len(again.added) == 9
    assert any("9 article(s) read again" in w and "1 no longer on the page" in w for w in again.warnings)


def test_ingesting_a_mixed_folder_twice_leaves_the_count_unchanged(engine, tmp_path):
    folder = tmp_path / "archive"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "b03.txt").write_bytes(SEED_PAGE.read_bytes())
    write_jsonl(folder / "records.jsonl", [{"id": "j1", "title": "甲", "body": "甲正文。"},
                                           {"title": "无编号", "body": "内容哈希作编号。"}])
    (folder / "table.csv").write_text("标题,正文\n表格文章,表格正文。\n", encoding="utf-8")
    (folder / "note.txt").write_text("一篇文本文章的标题\n这是正文的第一段，一行就是一段，比报纸的栏宽得多的一行文字。\n"
                                     "第二段也是完整的一行，读作文章而不是版面。\n", encoding="utf-8")
    first = engine.ingest([folder])
    assert first.problems == [] and len(first.added) == 14 and first.files == 4
    assert engine.article(next(i for i in first.added if i.startswith("t"))).title == "一篇文本文章的标题"
    second = engine.ingest([folder])
    assert second.added == second.replaced == second.removed == [] and len(second.unchanged) == 14
    assert second.index_generation is None and engine.store.count() == 14


def test_progress_reports_each_file_then_the_index(engine, tmp_path):
    for name in ("a", "b", "c"):
        write_jsonl(tmp_path / f"{name}.jsonl", [{"id": name, "title": name, "body": f"{name}正文。"}])
    seen = []
    engine.ingest([tmp_path], progress=seen.append)
    reads = [(p.done, p.total, p.articles) for p in seen if p.phase == "read"]
    assert reads == [(0, 3, 0), (1, 3, 1), (2, 3, 2), (3, 3, 3)]
    assert [p.current for p in seen if p.phase == "read"][1:] == [(tmp_path / f"{n}.jsonl").as_posix()
                                                                  for n in "abc"]
    assert seen[-1].phase == "index" and seen[-1].done == seen[-1].total == 3


def test_deleting_articles_takes_them_out_of_search(engine):
    engine.ingest([SEED_PAGE])
    medical = engine.search("医保").hits[0].article.id
    report = engine.delete([medical, "no-such-id"])
    assert (report.deleted, report.missing) == ([medical], ["no-such-id"]) and report.index_generation
    assert medical not in [h.article.id for h in engine.search("医保").hits]
    assert engine.store.count() == 9
    with pytest.raises(NotFound):
        engine.article(medical)
    assert engine.delete(["no-such-id"]).index_generation is None


def test_an_archive_built_before_terms_were_kept_is_brought_up_to_date(tmp_path, analyzer):
    """A version-1 store and an index without a store revision, as the previous release left them."""
    import sqlite3

    config = make_config(tmp_path / "data")
    engine = Engine(config, analyzer=analyzer)
    engine.ingest([SEED_PAGE])
    engine.close()
    conn = sqlite3.connect(config.data_dir / "articles.sqlite3")
    conn.execute("DROP TABLE IF EXISTS terms")  # a version-1 store never had it
    for column in ("kicker", "subtitle", "source_page"):
        conn.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    for column in ("removed", "warnings"):
        conn.execute(f"ALTER TABLE ingests DROP COLUMN {column}")
    conn.execute("DELETE FROM meta WHERE key = 'revision'")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    generation = config.data_dir / "index" / storage.current_generation(config.data_dir / "index")
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    del manifest["store_revision"]
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    reopened = Engine(config, analyzer=analyzer)
    assert reopened.store.count() == 10 and reopened.search("医保").total >= 1
    assert not reopened.index_is_current()
    report = reopened.ingest([SEED_PAGE])
    assert len(report.unchanged) == 10 and report.index_generation and reopened.index_is_current()


def test_generic_summaries_and_keywords_are_stored_at_ingest(engine, tmp_path):
    engine.ingest([SEED_PAGE])
    assert engine.extras.stale_ids(engine.extras_fingerprint) == []
    stored = engine.extras.get_many([a.id for a in engine.store.iter_articles()], engine.extras_fingerprint)
    medical = next(a for a in engine.store.iter_articles() if a.title == MEDICAL)
    assert stored[medical.id].summary == engine.summarize(medical.body, title=medical.title,
                                                          sentences=engine.config.summary_sentences,
                                                          max_chars=engine.config.summary_max_chars).text
    assert "医保" in stored[medical.id].keyword_texts
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps({"id": "m", "title": "芝麻", "body": "芝麻开花节节高。"}, ensure_ascii=False),
                    encoding="utf-8")
    engine.ingest([path])
    assert engine.extras.get_many(["m"], engine.extras_fingerprint)["m"].summary == "芝麻开花节节高。"
    path.write_text(json.dumps({"id": "m", "title": "芝麻", "body": "芝麻结果。"}, ensure_ascii=False), encoding="utf-8")
    engine.ingest([path])
    assert engine.extras.get_many(["m"], engine.extras_fingerprint)["m"].summary == "芝麻结果。"


def test_after_a_small_write_only_its_articles_extras_are_worked_out_or_forgotten(engine, monkeypatch):
    engine.ingest([SEED_PAGE])  # the first write of this process checks every article's extras
    passes = []
    real = engine.extras.stale_ids
    monkeypatch.setattr(engine.extras, "stale_ids", lambda fingerprint: passes.append(1) or real(fingerprint))
    engine.ingest_records([{"id": "m", "title": "芝麻", "body": "芝麻开花节节高。"}])
    engine.ingest_records([{"id": "m", "title": "芝麻", "body": "芝麻结果。"}])
    assert engine.extras.get_many(["m"], engine.extras_fingerprint)["m"].summary == "芝麻结果。"
    engine.delete(["m"])
    assert passes == []
    with engine.extras._connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM article_extras WHERE id = 'm'").fetchone()[0] == 0
    assert real(engine.extras_fingerprint) == []
    # Another process serving the same archive (a second server worker) writes in between: still no pass.
    same = Engine(engine.config, analyzer=engine.analyzer)
    same.ingest_records([{"id": "n", "title": "芝麻", "body": "芝麻又开花。"}])
    same.close()
    engine.ingest_records([{"id": "o", "title": "芝麻", "body": "芝麻再结果。"}])
    assert passes == [] and real(engine.extras_fingerprint) == []
    # One with other summary settings made the extras its own way: this one checks them all again.
    other = Engine(engine.config.with_overrides(summary_sentences=1), analyzer=engine.analyzer)
    other.ingest_records([{"id": "p", "title": "芝麻", "body": "芝麻又结果。"}])
    other.close()
    engine.ingest_records([{"id": "q", "title": "芝麻", "body": "芝麻还开花。"}])
    assert passes == [1] and real(engine.extras_fingerprint) == []


def test_other_summary_settings_redo_the_stored_summaries(engine, analyzer):
    engine.ingest([SEED_PAGE])
    other = Engine(engine.config.with_overrides(summary_sentences=1), analyzer=analyzer)
    ids = [a.id for a in other.store.iter_articles()]
    assert other.extras_fingerprint != engine.extras_fingerprint
    assert len(other.extras.stale_ids(other.extras_fingerprint)) == len(ids)
    shown_before_refresh = other.extras_of(list(other.store.get_many(ids).values()))  # worked out, not stored
    assert other.refresh_extras() == len(ids)
    stored = other.extras.get_many(ids, other.extras_fingerprint)
    assert {i: e.summary for i, e in stored.items()} == {i: e.summary for i, e in shown_before_refresh.items()}
    assert all(len(split_sentences(e.summary)) == 1 for e in stored.values())


def test_summaries_for_the_query_come_from_the_data_kept_at_ingest(tmp_path, analyzer):
    quick = Engine(make_config(tmp_path / "data", summary_query_budget_ms=0), analyzer=analyzer)
    quick.ingest([SEED_PAGE])
    results = quick.search("医保")
    assert results.hits
    for hit in results.hits:
        article = quick.store.get(hit.article.id)
        expected = summarize(analyzer, article.body, sentences=quick.config.summary_sentences,
                             max_chars=quick.config.summary_max_chars, query_terms=results.terms, title=article.title)
        marks = merge_spans(expected.highlights + highlight_spans(analyzer, expected.text, [], ["医保"]))
        assert (hit.summary.text, hit.summary.highlights) == (expected.text, marks)


def test_a_search_past_its_summary_budget_shows_the_stored_summaries(tmp_path, analyzer):
    quick = Engine(make_config(tmp_path / "data", summary_query_budget_ms=0), analyzer=analyzer)
    quick.ingest([SEED_PAGE])
    with quick.extras._connect() as conn:  # rows as kept before the summary data was
        conn.execute("UPDATE article_extras SET summary_data = NULL")
    hits = quick.search("医保").hits
    stored = quick.extras.get_many([h.article.id for h in hits], quick.extras_fingerprint)
    assert hits and all(h.summary.text == stored[h.article.id].summary for h in hits)
    # Marks on a stored summary come from finding the query's text in it, without analysing it again.
    assert all(h.summary.text[s:e] == "医保" for h in hits for s, e in h.summary.highlights)
    assert hits[0].title_highlights  # the title is still marked
    patient = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    assert patient.search("医保").hits[0].summary.highlights


def test_related_articles_are_the_most_alike_without_the_article_itself(seed_engine):
    medical = seed_engine.search("医保").hits[0].article
    related = seed_engine.related(medical.id)
    assert 1 <= len(related) <= seed_engine.config.related_default_k
    assert medical.id not in [r.article.id for r in related]
    assert [r.score for r in related] == sorted((r.score for r in related), reverse=True)
    assert all(r.summary for r in related)
    assert [r.article.id for r in seed_engine.related(medical.id, k=1)] == [related[0].article.id]
    with pytest.raises(QueryError) as info:
        seed_engine.related(medical.id, k=0)
    assert info.value.code == "bad_k"
    with pytest.raises(NotFound):
        seed_engine.related("nope")


def test_keywords_of_a_stored_article(seed_engine):
    medical = seed_engine.search("医保").hits[0].article
    words = seed_engine.keywords(medical.id)
    assert "医保" in words[:3] and len(words) == seed_engine.config.keywords_count


def test_text_holding_a_lone_surrogate_is_refused_naming_where(seed_engine):
    """JSON can spell half a surrogate pair ("\\ud800"); it is not text, and no UTF-8 encoder takes it."""
    with pytest.raises(QueryError) as info:
        seed_engine.search("医保\ud800")
    assert info.value.code == "bad_query" and "U+D800 at character 3" in info.value.message
    with pytest.raises(InputError) as info:
        seed_engine.summarize("第一句。\udc80第二句。")
    assert info.value.code == "bad_text" and "U+DC80" in info.value.message
    with pytest.raises(QueryError):
        seed_engine.summarize("第一句。", query="\udc80")
    with pytest.raises(InputError) as info:
        seed_engine.summarize("第一句。", title="\udc80")
    assert info.value.code == "bad_title"
    with pytest.raises(QueryError):
        seed_engine.read(seed_engine.search("医保").hits[0].article.id, query="医保\ud800")


def test_counts_are_checked_alike_everywhere_and_true_is_not_a_count(seed_engine):
    article_id = next(seed_engine.store.iter_articles()).id
    for call in (lambda: seed_engine.search("医保", k=True), lambda: seed_engine.search("医保", offset=True),
                 lambda: seed_engine.related(article_id, k=True), lambda: seed_engine.summarize("医保。", sentences=True),
                 lambda: seed_engine.search("医保", k=0), lambda: seed_engine.related(article_id, k=0)):
        with pytest.raises(QueryError) as raised:
            call()
        assert raised.value.code in {"bad_k", "bad_offset", "bad_sentences"}
        assert "must be a whole number" in raised.value.message


def test_a_changed_byte_in_a_large_index_file_is_caught_after_opening_and_queries_are_refused(tmp_path, analyzer):
    """Every file counts as large here (`index.checksum_on_open_max_mb` 0): all are hashed in the background."""
    config = make_config(tmp_path / "data", index_checksum_on_open_max_mb=0)
    writer = Engine(config, analyzer=analyzer)
    writer.ingest([SEED_PAGE])
    writer.close()
    generation = writer.index_dir / storage.current_generation(writer.index_dir)
    damaged = bytearray((generation / "doc_numbers.npy").read_bytes())
    damaged[-1] ^= 0x01
    (generation / "doc_numbers.npy").write_bytes(bytes(damaged))
    engine = Engine(config, analyzer=analyzer)
    try:
        try:
            engine.search("医保")  # opens: sizes match, so it may answer before the pass ends
        except IndexUnusable:
            pass
        assert engine.index_checked(timeout=60)
        for call in (lambda: engine.search("医保"), engine.health, engine.postings):
            with pytest.raises(IndexUnusable, match="doc_numbers.npy does not match the checksum.*jiansuo reindex") \
                    as info:
                call()
            assert info.value.code == "index_damaged" and info.value.http_status == 503
        engine.reindex()  # rebuilt from the store, the new generation passes and answers
        assert engine.index_checked(timeout=60) and titles(engine.search("医保"))[0] == MEDICAL
    finally:
        engine.close()


# --- writes that stop half-way, deletes in progress, one writer at a time ----------------------------------------

def _stop_after_the_store_commit(engine, monkeypatch):
    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # dies between the store commit and the new index

    monkeypatch.setattr(engine, "_reindex", killed)


def test_an_index_behind_the_store_is_reported_and_caught_up(engine, tmp_path, monkeypatch):
    engine.ingest([SEED_PAGE])
    assert engine.index_lag() == 0 and engine.health()["index_lag"] == 0 and engine.catch_up() is None
    extra = tmp_path / "extra.jsonl"
    write_jsonl(extra, [{"id": "x1", "title": "芝麻", "body": "芝麻开花节节高。"},
                        {"id": "x2", "title": "芝麻", "body": "芝麻油。"}])
    _stop_after_the_store_commit(engine, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        engine.ingest([extra])
    monkeypatch.undo()
    assert engine.index_lag() == 1 and engine.index_behind()
    assert engine.health()["index_lag"] == 1 and engine.stats()["index_lag"] == 1
    report = engine.check()
    assert report["index"] == "behind" and report["index_lag"] == 1
    assert any("2 stored article(s) are not searchable" in p and "`jiansuo reindex`" in p for p in report["problems"])
    generation = engine.catch_up()
    assert generation == storage.current_generation(engine.index_dir)
    assert engine.index_lag() == 0 and engine.search("芝麻").total == 2 and engine.check()["problems"] == []


def test_check_finds_an_index_built_from_a_later_store_than_the_one_there(engine, tmp_path):
    import shutil
    import sqlite3

    engine.ingest([SEED_PAGE])
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(copy) as target:
        sqlite3.connect(engine.store.path).backup(target)
    write_jsonl(tmp_path / "x.jsonl", [{"id": "x1", "title": "芝麻", "body": "芝麻开花节节高。"}])
    engine.ingest([tmp_path / "x.jsonl"])
    engine.close()
    for suffix in ("-wal", "-shm"):
        Path(str(engine.store.path) + suffix).unlink(missing_ok=True)
    shutil.copy(copy, engine.store.path)  # the store put back from an older copy
    problems = engine.check()["problems"]
    assert any("the index was built from store revision 2 but the article store is at 1" in p
               and "1 searchable one(s) are no longer stored" in p for p in problems), problems
    engine.reindex()  # the index follows the store back
    assert engine.check()["problems"] == [] and engine.search("芝麻").total == 0


def test_searches_between_a_deletes_commit_and_its_index_count_only_what_they_show(engine):
    engine.ingest([SEED_PAGE])
    before = engine.search("冠县", k=100, summaries=False)
    gone = before.hits[1].article.id
    engine.store.delete([gone])  # committed; the index still holds it, as during a delete's rebuild
    during = engine.search("冠县", k=100, summaries=False)
    assert during.index_generation == before.index_generation
    assert during.total == before.total - 1 == len(during.hits)
    assert [h.rank for h in during.hits] == list(range(1, during.total + 1))
    assert gone not in [h.article.id for h in during.hits]
    page = engine.search("冠县", k=2, offset=1, summaries=False)
    assert page.total == during.total and [h.article.id for h in page.hits] == [h.article.id for h in during.hits[1:3]]
    facets = engine.search("冠县", k=1, facets=True, summaries=False).facets
    assert sum(count for _, count in facets.month) + facets.undated == during.total


def test_a_full_disk_while_writing_the_index_keeps_what_was_stored_and_says_so(engine, tmp_path, monkeypatch):
    import errno

    from service.errors import NotIndexed
    from service.index import generations

    engine.ingest([SEED_PAGE])
    write_jsonl(tmp_path / "x.jsonl", [{"id": "x1", "title": "芝麻", "body": "芝麻开花节节高。"}])

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(generations, "write_lines", full)
    monkeypatch.setattr(generations, "write_npy", full)
    monkeypatch.setattr(storage, "seal", full)  # a generation of no new file but its manifest
    with pytest.raises(NotIndexed) as failed:
        engine.ingest([tmp_path / "x.jsonl"])
    assert failed.value.exit_code == 9 and failed.value.http_status == 507 and failed.value.code == "not_indexed"
    assert failed.value.message.startswith("1 article(s) were stored (1 added, 0 replaced, 0 removed) but the "
                                           "index could not be written (No space left on device: ")
    assert "`jiansuo reindex`" in failed.value.message
    with pytest.raises(NotIndexed) as failed:
        engine.delete(["x1"])
    assert failed.value.message.startswith("1 article(s) were deleted from the store (searches leave them out)")
    monkeypatch.undo()
    assert engine.store.count() == 10 and engine.index_lag() == 2
    assert not list(engine.index_dir.glob("*.partial"))
    engine.reindex()
    assert engine.index_lag() == 0 and engine.search("芝麻").total == 0


def test_a_full_disk_in_the_store_stores_nothing_and_says_so(engine, tmp_path, monkeypatch):
    import sqlite3

    from service import store as store_module
    from service.errors import NotStored

    engine.ingest([SEED_PAGE])
    write_jsonl(tmp_path / "x.jsonl", [{"id": "x1", "title": "芝麻", "body": "芝麻开花节节高。"}])

    def full(self, articles):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module.Writer, "upsert_many", full)
    with pytest.raises(NotStored) as failed:
        engine.ingest([tmp_path / "x.jsonl"])
    assert failed.value.exit_code == 10 and failed.value.http_status == 507
    assert "the disk is full" in failed.value.message and "nothing of this ingest was stored" in failed.value.message
    monkeypatch.undo()
    assert engine.store.count() == 10 and engine.index_lag() == 0


def test_two_threads_writing_at_once_take_turns(tmp_path, analyzer):
    import threading

    from service.errors import WriteBusy

    engine = Engine(make_config(tmp_path / "data", index_write_wait_seconds=0), analyzer=analyzer)
    try:
        engine.ingest([SEED_PAGE])
        inside, leave = threading.Event(), threading.Event()
        reindex = engine._reindex

        def slow(*args, **kwargs):
            inside.set()
            leave.wait(timeout=60)
            return reindex(*args, **kwargs)

        engine._reindex = slow
        errors = []
        writer = threading.Thread(target=lambda: engine.delete([engine.search("医保").hits[0].article.id]))
        writer.start()
        try:
            assert inside.wait(timeout=60)
            with pytest.raises(WriteBusy):
                engine.reindex()
        except BaseException as exc:
            errors.append(exc)
        finally:
            leave.set()
            writer.join(timeout=60)
        assert not errors and not writer.is_alive()
        assert engine.index_lag() == 0 and engine.store.count() == 9
    finally:
        engine.close()


def test_a_run_that_skipped_every_record_leaves_the_archive_as_it_was(engine, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "t"}\n{broken\n', encoding="utf-8")
    report = engine.ingest([bad])
    assert len(report.problems) == 2 and report.index_generation is None
    assert not engine.has_index() and engine.stats()["last_ingest"] is None and engine.store.revision() == 0
    engine.ingest([SEED_PAGE])
    generation, last = engine.stats()["index_generation"], engine.stats()["last_ingest"]
    again = engine.ingest([bad])
    assert again.index_generation is None and engine.stats()["index_generation"] == generation
    assert sorted(p.name for p in engine.index_dir.iterdir() if p.name.startswith("g")) == [generation]
    assert engine.stats()["last_ingest"] == last


def test_ids_holding_url_characters_are_stored_indexed_searched_and_read(engine, tmp_path):
    ids = ["2018-02-28/B03/1", "Q_ANN_TST_003022#00", "50%率", "问?答", "新闻 12"]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps({"id": i, "title": f"灵芝产业{n}", "body": "冠县灵芝产业知名度提升。",
                                        "date": "2018-02-28 19:06:13", "kind": "item", "category": "城事"},
                                       ensure_ascii=False) + "\n" for n, i in enumerate(ids)), encoding="utf-8")
    report = engine.ingest([path], options=ReadOptions(columns={"section": "category"}))
    assert report.added == ids and report.problems == [] and len(report.warnings) == 1
    assert "item (5)" in report.warnings[0]
    assert sorted(h.article.id for h in engine.search("灵芝").hits) == sorted(ids)
    for article_id in ids:
        article = engine.article(article_id)
        assert (article.date, article.section, article.kind) == ("2018-02-28", "城事", "article")
    assert engine.delete(["问?答"]).deleted == ["问?答"] and engine.search("灵芝").total == 4
    assert engine.check()["problems"] == []


def test_records_given_in_a_request_warn_about_what_they_hold_that_is_not_read(engine):
    report = engine.ingest_records([{"id": "r", "title": "t", "body": "医保。", "kind": "item", "url": "u"}])
    assert report.added == ["r"] and any("url (1)" in w for w in report.warnings)
    assert any("item (1)" in w for w in report.warnings)


def _dated_archive(engine, tmp_path):
    """Articles about 医保 on several dates (one twice as relevant, one undated) in the 城事 or 要闻 section."""
    records = [
        {"id": "mid", "title": "医保", "body": "医保报销。", "date": "2019-05-01", "section": "城事"},
        {"id": "old", "title": "医保医保", "body": "医保医保报销。", "date": "2015-01-01", "section": "城事"},
        {"id": "none", "title": "医保", "body": "医保报销。", "section": "城事"},
        {"id": "new", "title": "医保", "body": "医保报销。", "date": "2021-12-31", "section": "要闻"},
        {"id": "month", "title": "医保", "body": "医保报销。", "date": "2019-06", "section": "城事"},
        {"id": "other", "title": "灵芝", "body": "灵芝产业。", "date": "2022-01-01", "section": "城事"},
    ]
    path = tmp_path / "dated.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    engine.ingest([path])


def test_hits_sort_by_date_newest_or_oldest_with_the_undated_last(engine, tmp_path):
    _dated_archive(engine, tmp_path)
    ids = lambda results: [h.article.id for h in results.hits]  # noqa: E731
    relevance = engine.search("医保", k=10)
    assert relevance.sort == "relevance" and ids(relevance)[0] == "old"
    newest = engine.search("医保", k=10, sort="newest")
    assert ids(newest) == ["new", "month", "mid", "old", "none"] and newest.sort == "newest"
    assert ids(engine.search("医保", k=10, sort="oldest")) == ["old", "mid", "month", "new", "none"]
    assert [h.rank for h in newest.hits] == [1, 2, 3, 4, 5]
    assert ids(engine.search("医保", k=2, offset=2, sort="newest")) == ["mid", "old"]
    for sort in ("relevance", "newest", "oldest"):
        results = engine.search("医保", k=1, sort=sort, facets=True)
        assert results.total == 5 and results.facets.undated == 1 and dict(results.facets.section)["城事"] == 4


def test_a_query_of_filters_only_lists_newest_first(engine, tmp_path):
    _dated_archive(engine, tmp_path)
    results = engine.search("section:城事", k=10)
    assert results.mode == "filter" and results.sort == "newest"
    assert [h.article.id for h in results.hits] == ["other", "month", "mid", "old", "none"]
    assert [h.article.id for h in engine.search("section:城事", k=10, sort="oldest").hits][0] == "old"
    assert [h.article.id for h in engine.search("医保 section:城事", k=10, sort="newest",
                                                date_from="2019").hits] == ["month", "mid"]


@pytest.mark.parametrize("sort", ["date", "NEWEST ", 1, ["newest"]])
def test_a_bad_sort_is_refused_naming_the_values(seed_engine, sort):
    if sort == "NEWEST ":
        assert seed_engine.search("医保", sort=sort).sort == "newest"
        return
    with pytest.raises(QueryError) as caught:
        seed_engine.search("医保", sort=sort)
    assert caught.value.code == "bad_sort" and "relevance, newest, oldest" in caught.value.message


def test_a_small_ingest_reads_the_dates_and_sections_of_its_own_articles_only(tmp_path, analyzer, monkeypatch):
    from service.engine import Engine

    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest_records([{"id": f"d{n}", "title": f"第{n}篇", "body": f"冠县新闻第{n}篇。", "date": f"2018-03-{n + 1:02d}",
                            "section": "要闻" if n % 2 else "经济"} for n in range(8)])
    engine.search("冠县", facets=True)
    whole = []
    real = engine.store.iter_dates_and_sections
    monkeypatch.setattr(engine.store, "iter_dates_and_sections", lambda: whole.append(1) or real())
    engine.ingest_records([{"id": "d8", "title": "第8篇", "body": "冠县新闻第8篇。", "date": "2018-04-01", "section": "体育"}])
    found = engine.search("冠县", facets=True, date_from="2018-03-05")
    assert whole == []  # the new generation's fields grew by the one article's
    fresh = Engine(engine.config, analyzer=analyzer)
    afresh = fresh.search("冠县", facets=True, date_from="2018-03-05")
    assert found.facets == afresh.facets and found.facets.section[0] == ("经济", 2)
    assert [h.article.id for h in found.hits] == [h.article.id for h in afresh.hits] and found.total == 5
    fresh.close()
    engine.close()


def test_a_closed_engine_leaves_no_descriptor_open_on_its_index(tmp_path, analyzer):
    import gc
    import os

    def held() -> list[str]:
        gc.collect()
        links = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                links.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                continue
        return [link for link in links if link.startswith(str(tmp_path))]

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("no /proc/self/fd to list a process's descriptors on this system")
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    for n in range(3):  # three writes: three segments
        engine.ingest_records([{"id": f"a{n}", "title": "冠县", "body": f"冠县新闻第{n}篇。"}])
    assert engine.search("冠县").total == 3 and held()  # the index files are mapped while it serves
    engine.close()
    assert held() == []  # memory maps of segments kept for reuse held one each, for the life of the process


def test_a_query_finding_nothing_has_its_author_names_suggested_as_author_filters(engine):
    engine.ingest_records([{"id": "a1", "title": "春耕", "body": "农民备耕忙。", "authors": ["王小_明", "Li Lei"]},
                           {"id": "a2", "title": "秋收", "body": "稻谷满仓。", "authors": ["王小%明"]}])
    found = engine.search("王小_明 火星 title:火箭")
    assert found.total == 0 and [s.to_dict() for s in found.author_suggestions] == [
        {"word": "王小_明", "author": "王小_明", "query": "author:王小_明 火星 title:火箭"}]
    assert [s.author for s in engine.search("王小x明").author_suggestions] == []  # `_` is no wildcard
    assert engine.search('"Li Lei" 火星').author_suggestions[0].query == 'author:"Li Lei" 火星'
    assert engine.search("稻谷").author_suggestions == []  # found something: nothing to suggest


def test_an_article_file_read_again_without_a_record_keeps_that_record_whatever_its_ids(engine, tmp_path):
    records = [{"id": f"p{n}", "title": f"第{n}篇", "body": f"第{n}篇的正文。", "date": "2019-03-01", "page": "A01"}
               for n in (1, 2)]
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    engine.ingest([source])
    source.write_text(json.dumps(records[0], ensure_ascii=False) + "\n", encoding="utf-8")
    again = engine.ingest([source])
    assert again.removed == [] and engine.store.count() == 2 and not again.warnings
