"""Segments searched as one index: the statistics, the scores and every reading path are the merged index's."""

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, make_config, read_jsonl
from service.engine import Engine
from service.index import segments, storage
from service.index.bm25 import BM25Params
from service.index.build import RunBuilder, merge_channel
from service.index.segments import SegmentedPostings, deleted_doc_freqs, layouts, numbers_in

PARAMS = BM25Params()


def _records(rows, changed=""):
    return [{"id": r["id"], "title": r["title"], "body": r["text"] + changed} for r in rows]


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _no_merges(engine):
    engine._merge_after_write = lambda: None  # the segments stay as the writes made them
    return engine


@pytest.fixture(scope="module")
def pair(tmp_path_factory, analyzer):
    """The same archive twice: written in parts (segments, replacements, deletes), and built at once from the
    articles as they end up, in the same order."""
    tmp = tmp_path_factory.mktemp("segments")
    rows = read_jsonl(CMRC_SAMPLE)[:120] + read_jsonl(DRCD_SAMPLE)[:30]
    parts = _no_merges(Engine(make_config(tmp / "parts"), analyzer=analyzer))
    parts.ingest([_write(tmp / "a.jsonl", _records(rows[:80]))])
    parts.ingest([_write(tmp / "b.jsonl", _records(rows[80:120]))])
    parts.ingest([_write(tmp / "c.jsonl", _records(rows[3:9], changed="（更新）") + _records(rows[120:]))])
    parts.delete([r["id"] for r in rows[30:34]] + [rows[90]["id"], rows[125]["id"]])
    final = {r["id"]: r for r in _records(rows)}
    final.update({r["id"]: r for r in _records(rows[3:9], changed="（更新）")})
    whole = Engine(make_config(tmp / "whole"), analyzer=analyzer)
    whole.ingest([_write(tmp / "whole.jsonl", [final[i] for i in parts.postings().doc_ids])])
    yield parts, whole, rows
    parts.close()
    whole.close()


def test_the_archive_written_in_parts_is_segmented_with_its_deletes_recorded(pair):
    parts, whole, rows = pair
    name, manifest = storage.read_manifest(parts.index_dir)
    assert manifest["format_version"] == storage.SEGMENTED_VERSION
    entries = manifest["segments"]
    assert [e["documents"] for e in entries] == [80, 40, 36]
    assert [e.get("deleted", 0) for e in entries] == [4 + 6, 1, 1]
    assert isinstance(parts.postings(), SegmentedPostings)
    assert parts.postings().doc_ids == whole.postings().doc_ids
    assert len(parts.postings().doc_ids) == 150 - 6


def test_every_channel_has_the_merged_index_statistics_and_weights(pair, analyzer):
    parts, whole, rows = pair
    terms = set()
    for row in rows[::7]:
        text = row["title"] + row["text"][:60]
        terms |= set(analyzer.terms(text)) | set(text) | {text[i:i + 2] for i in range(len(text) - 1)}
    terms |= {"的", "是", "在", "不在这个档案里的词"}
    segmented, merged = parts.ranker().channels, whole.ranker().channels
    for channel, postings in segmented.items():
        other = merged[channel]
        assert postings.n_docs == other.n_docs and postings.avgdl == pytest.approx(other.avgdl, abs=1e-12)
        np.testing.assert_array_equal(postings.doc_lengths, other.doc_lengths)
        asked = sorted(terms)
        assert postings.doc_freqs(asked).tolist() == [other.doc_freq(term) for term in asked], channel
        for term in terms:
            assert postings.doc_freq(term) == other.doc_freq(term), (channel, term)
            assert postings.idf(term) == pytest.approx(other.idf(term), abs=1e-12), (channel, term)
            docs, weights = postings.term_weights(term)
            want_docs, want_weights = other.term_weights(term)
            np.testing.assert_array_equal(docs, want_docs)
            np.testing.assert_allclose(weights, want_weights, rtol=0, atol=1e-9)
            probe = np.arange(0, postings.n_docs, 3)
            np.testing.assert_allclose(postings.contributions(term, probe), other.contributions(term, probe),
                                       rtol=0, atol=1e-9)


def test_searches_filters_sorts_facets_and_exports_are_those_of_the_merged_index(pair):
    parts, whole, rows = pair
    queries = [r["title"][:6] for r in rows[::9]] + [f'"{rows[40]["text"][10:16]}"', f'"{rows[4]["text"][2:4]}"',
                                                     f'{rows[50]["title"][:4]} -{rows[50]["text"][:2]}']
    for query in queries:
        for options in ({}, {"sort": "newest"}, {"offset": 3}):
            got = parts.search(query, k=15, summaries=False, **options)
            want = whole.search(query, k=15, summaries=False, **options)
            assert got.total == want.total, query
            assert [h.article.id for h in got.hits] == [h.article.id for h in want.hits], (query, options)
            np.testing.assert_allclose([h.score for h in got.hits], [h.score for h in want.hits], rtol=0, atol=1e-9)
        assert "".join(parts.export(query, "csv").chunks) == "".join(whole.export(query, "csv").chunks), query
    assert parts.archive_facets() == whole.archive_facets()


def test_a_deleted_or_replaced_article_is_found_only_as_it_now_is(pair):
    parts, whole, rows = pair
    for gone in [rows[31], rows[90], rows[125]]:
        assert gone["id"] not in {h.article.id for h in parts.search(gone["title"], k=50, summaries=False).hits}
    replaced = parts.search("更新", k=50, summaries=False)
    assert {h.article.id for h in replaced.hits} >= {r["id"] for r in rows[3:9]}
    positions = parts.ranker().positions
    assert set(positions.docs_with("更新").tolist()) == set(whole.ranker().positions.docs_with("更新").tolist())


def test_an_ingest_of_one_article_rewrites_no_older_segment(tmp_path, analyzer):
    engine = _no_merges(Engine(make_config(tmp_path / "data"), analyzer=analyzer))
    rows = read_jsonl(CMRC_SAMPLE)[:40]
    engine.ingest([_write(tmp_path / "a.jsonl", _records(rows))])
    first = storage.current_generation(engine.index_dir)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (engine.index_dir / first).rglob("*")}
    engine.ingest_records([{"id": "new-1", "title": "一篇新文章", "body": "灵芝孢子粉的新研究今天发表。"}])
    engine.ingest_records([{**_records(rows[:1])[0], "body": "换了内容的文章。"}])
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (engine.index_dir / first).rglob("*")} == before
    entries = storage.read_manifest(engine.index_dir)[1]["segments"]
    assert [(e["name"] == first, e["documents"], e.get("deleted", 0)) for e in entries] == [
        (True, 40, 1), (False, 1, 0), (False, 1, 0)]
    assert [h.article.id for h in engine.search("灵芝孢子粉", summaries=False).hits] == ["new-1"]
    assert engine.search("换了内容", summaries=False).hits[0].article.id == rows[0]["id"]
    assert engine.index_is_current() and engine.check()["problems"] == []


def test_terms_of_one_segment_are_found_among_anothers_by_their_bytes(tmp_path):
    base = ["a", "ab", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopqr", "中国", "中国人民解放军总部",
            "中国人民解放军总部大楼", "足球"]
    other = ["ab", "abc", "abcdefghijklmnop", "abcdefghijklmnopqr", "abcdefghijklmnopz", "中国人民解放军总部大楼",
             "中国人民解放军总部大厦", "足", "足球"]
    wanted = [base.index(t) if t in base else -1 for t in other]
    as_terms = [storage._map_terms(storage.write_lines(tmp_path / n, ts) and tmp_path / n)
                for n, ts in (("base.txt", base), ("other.txt", other))]
    assert numbers_in(as_terms[0], as_terms[1]).tolist() == wanted


def test_a_few_terms_are_found_among_many_without_keys_for_every_one_of_the_many():
    from service.index.postings import SortedTerms

    many = [f"词{n:06d}" for n in range(5000)] + ["中国人民解放军总部大楼"]
    few = ["中国人民解放军总部大厦", "中国人民解放军总部大楼", "词000123", "词9"]
    big, small = (SortedTerms("".join(t + "\n" for t in sorted(ts)).encode("utf-8")) for ts in (many, few))
    found = numbers_in(big, small)
    assert found.tolist() == [sorted(many).index(t) if t in many else -1 for t in sorted(few)]
    assert not segments._has_keys(big)
    segments._prefix_keys(big)
    assert numbers_in(big, small).tolist() == found.tolist()  # the same by the keys, once they are made


def test_the_keys_of_a_terms_list_are_kept_while_it_is_in_use_and_let_go_after(monkeypatch):
    import gc

    from service.index.postings import SortedTerms

    big = SortedTerms("".join(f"词{n:05d}\n" for n in range(2000)).encode("utf-8"))
    keys = segments._prefix_keys(big)
    for n in range(100):  # the small segments of many ingests, each with its own terms
        segments._prefix_keys(SortedTerms(f"新{n}\n".encode("utf-8")))
    assert segments._prefix_keys(big) is keys
    number = id(big)
    del big, keys
    gc.collect()
    assert number not in segments._keys


def _floor_by_every_term(parts, deleted, n_docs, epsilon):
    union = Counter()
    for postings, gone in zip(parts, deleted):
        live = np.diff(postings.term_offsets) - (0 if gone is None else gone)
        for term, df in zip(postings.terms, live.tolist()):
            union[term] += df
    dfs = np.array([df for df in union.values() if df > 0], dtype=np.float64)
    if not dfs.size:
        return 0.0
    return epsilon * float(np.mean(np.log(n_docs - dfs + 0.5) - np.log(dfs + 0.5)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from("甲乙丙丁戊己庚辛壬癸子丑"), min_size=1, max_size=6), min_size=1,
                         max_size=8), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_the_floor_over_segments_is_that_of_every_term_counted_once(docs_of_segments, rnd):
    from dataclasses import replace as with_field

    from service.index.postings import SortedTerms, build

    def opened(docs):
        built = build([(f"d{i}", words) for i, words in enumerate(docs)], PARAMS)
        return with_field(built, terms=SortedTerms("".join(t + "\n" for t in built.terms).encode("utf-8")))

    parts = [opened(docs) for docs in docs_of_segments]
    for _ in range(3):  # the same segments with other deletes
        deleted, live = [], 0
        for postings in parts:
            gone = np.array(sorted(rnd.sample(range(postings.n_docs), rnd.randint(0, postings.n_docs))), dtype=np.int64)
            deleted.append(deleted_doc_freqs(postings, gone) if gone.size and rnd.random() < 0.7 else None)
            live += postings.n_docs - (gone.size if deleted[-1] is not None else 0)
        live_dfs = [np.diff(p.term_offsets) - (0 if gone is None else gone) for p, gone in zip(parts, deleted)]
        got = segments.union_idf_floor(parts, live_dfs, live, 0.25)
        assert got == pytest.approx(_floor_by_every_term(parts, deleted, live, 0.25), rel=1e-12, abs=1e-12)


def _zipf_docs(rng, count, vocabulary, weights):
    return [(f"d{i}", [vocabulary[t] for t in rng.choice(len(vocabulary), size=int(rng.integers(3, 200)),
                                                         p=weights)]) for i in range(count)]


def test_segments_with_deletions_score_as_rank_bm25_over_the_live_documents(tmp_path):
    """Five segments of Zipf-distributed documents, some deleted from each: N, the average length, every
    document frequency and the floor of the common terms' negative idf are those of the live documents."""
    from collections import Counter

    from rank_bm25 import BM25Okapi

    rng = np.random.default_rng(5)
    vocabulary = [f"词{i}" for i in range(3000)]
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()
    parts, live_docs, deleted = [], [], []
    for number, size in enumerate((900, 300, 120, 30, 1)):
        docs = _zipf_docs(rng, size, vocabulary, weights)
        docs = [(f"s{number}-{i}", terms) for i, terms in docs]
        builder = RunBuilder(tmp_path / f"runs-{number}", ("words",))
        for doc_id, terms in docs:
            builder.add(doc_id, "h", {"words": [len(terms), dict(Counter(terms))]})
        (run,) = [builder.flush()]
        out = tmp_path / f"segment-{number}"
        info = merge_channel([storage_source(run)], "words", out, sync=False)
        ids = [doc_id for doc_id, _ in docs]
        parts.append(storage._read_postings(out, ids, PARAMS, {"terms": info.terms, "postings": info.postings}))
        gone = np.flatnonzero(rng.random(size) < (0.15 if size > 1 else 0.0))
        deleted.append(gone if gone.size else None)
        live_docs += [terms for i, (_, terms) in enumerate(docs) if i not in set(gone.tolist())]
    layout = layouts([p.n_docs for p in parts], deleted)
    ids, lengths = segments.joined(parts, layout)
    dfs = [None if gone is None else deleted_doc_freqs(p, gone) for p, gone in zip(parts, deleted)]
    postings = SegmentedPostings(parts, layout, dfs, ids, lengths, PARAMS)
    reference = BM25Okapi(live_docs, k1=PARAMS.k1, b=PARAMS.b, epsilon=PARAMS.epsilon)
    held = Counter(t for terms in live_docs for t in set(terms))
    assert max(held.values()) > len(live_docs) / 2  # negative idf: the floor is in play
    for _ in range(60):
        query = [vocabulary[t] for t in rng.choice(len(vocabulary), size=int(rng.integers(1, 5)), p=weights)]
        candidates, scores = postings.score(query)
        dense = np.zeros(len(live_docs))
        dense[candidates] = scores
        np.testing.assert_allclose(dense, reference.get_scores(query), rtol=0, atol=1e-9)


def storage_source(run):
    from service.index.build import Source

    return Source(run)


def test_the_words_channel_of_a_segmented_archive_equals_rank_bm25(tmp_path, analyzer):
    from rank_bm25 import BM25Okapi

    engine = _no_merges(Engine(make_config(tmp_path / "d", ranking_title_weight=0.0, ranking_grams_weight=0.0,
                                           ranking_chars_weight=0.0, ranking_lede_weight=0.0,
                                           ranking_proximity_weight=0.0, ranking_soft_match_from=0,
                                           ranking_and_fallback_below=1000), analyzer=analyzer))
    records = read_jsonl(CMRC_SAMPLE)
    for start in range(0, len(records), 60):
        engine.ingest([_write(tmp_path / f"{start}.jsonl", _records(records[start:start + 60]))])
    engine.delete([r["id"] for r in records[::11]])
    assert len(storage.read_manifest(engine.index_dir)[1]["segments"]) == 5
    live = [r for n, r in enumerate(records) if n % 11]
    reference = BM25Okapi([analyzer.terms(r["title"]) + analyzer.terms(r["text"]) for r in live],
                          k1=engine.params.k1, b=engine.params.b, epsilon=engine.params.epsilon)
    number = {r["id"]: n for n, r in enumerate(live)}
    for record in records[1::25]:
        query = " ".join(analyzer.terms(record["title"]))
        expected = reference.get_scores(analyzer.terms(query))
        results = engine.search(query, k=100, summaries=False)
        assert results.hits
        for hit in results.hits:
            assert hit.score == pytest.approx(expected[number[hit.article.id]], abs=1e-9)
