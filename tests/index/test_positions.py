"""The positions of every pair of characters: written in runs, merged block by block, opened, searched."""

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, make_config, read_jsonl
from service.engine import Engine
from service.errors import IndexUnusable
from service.index import generations, storage
from service.index.build import POSITIONS_FILE, DamagedSource, RunBuilder, Source, channel_folder, merge_positions
from service.index.positions import (PAIRS, Positions, code_of, codes_of_lines, lines_of_codes,
                                     terms_and_positions)
from service.index.postings import SortedTerms
from service.index.workers import headline
from service.search.ranker import squash

FILES = ("terms.txt", "term_offsets.npy", POSITIONS_FILE, "doc_lengths.npy")


def brute_force(texts: list[str]) -> dict[str, list[int]]:
    """Every term's global positions, worked out character by character."""
    found: dict[str, list[int]] = {}
    start = 0
    for text in texts:
        for i in range(len(text)):
            found.setdefault(text[i:i + 2], []).append(start + i)
        start += len(text) + 1
    return dict(sorted(found.items()))


def test_term_codes_sort_as_the_terms_and_read_back():
    terms = ["中国", "中", "a", "ab", "a1", "𠀋", "𠀋a", "z𠀋", "国", "é", "9"]
    codes = np.array([code_of(t) for t in terms], dtype=np.int64)
    assert [terms[i] for i in np.argsort(codes)] == sorted(terms)
    ordered = np.sort(codes)
    text = lines_of_codes(ordered)
    assert text == "".join(t + "\n" for t in sorted(terms)).encode("utf-8")
    assert codes_of_lines(text).tolist() == ordered.tolist()
    assert lines_of_codes(np.empty(0, dtype=np.int64)) == b"" and codes_of_lines(b"").size == 0
    for bad in ("abc\n", "\n", "ab"):
        with pytest.raises(ValueError):
            codes_of_lines(bad.encode("utf-8"))


def test_every_character_starts_one_term():
    texts = ["中国农业发展银行", "", "a", "ab1中", "𠀋𠀋𠀋", "中国"]
    codes, positions = terms_and_positions(texts)
    terms = codes_of_lines(lines_of_codes(np.unique(codes)))
    expected = brute_force(texts)
    assert terms.tolist() == sorted(code_of(t) for t in expected)
    got: dict[int, list[int]] = {}
    for code, position in zip(codes.tolist(), positions.tolist()):
        got.setdefault(code, []).append(position)
    assert got == {code_of(t): p for t, p in expected.items()}
    assert positions.size == sum(map(len, texts))


def write_runs(folder, texts: list[str], max_postings: int) -> list:
    builder = RunBuilder(folder, (), max_postings=max_postings, positional=PAIRS)
    for number, text in enumerate(texts):
        builder.add(f"d{number}", f"h{number}", {PAIRS: [len(text), text]})
    builder.flush()
    return builder.written


def files_of(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def opened(folder) -> Positions:
    with open(folder / "terms.txt", "rb") as f:
        terms = SortedTerms(f.read())
    return Positions(terms, *(np.load(folder / name) for name in ("term_offsets.npy", POSITIONS_FILE,
                                                                  "doc_lengths.npy")))


def check_lookups(positions: Positions, texts: list[str], keys: list[str]) -> None:
    every = np.arange(len(texts), dtype=np.int64)
    some = every[::2]
    for key in keys:
        holding = [d for d, text in enumerate(texts) if key in text]
        assert positions.docs_with(key).tolist() == holding, key
        assert positions.docs_with(key, some).tolist() == [d for d in holding if d % 2 == 0], key
        docs, starts = positions.occurrences(key, some)
        expected = [(d, m.start()) for d in some.tolist() for m in re.finditer(f"(?={re.escape(key)})", texts[d])]
        assert list(zip(docs.tolist(), starts.tolist())) == expected, key


texts_strategy = st.lists(st.text(alphabet="甲乙丙丁ab1𠀋", max_size=12), min_size=1, max_size=14)


@settings(max_examples=60, deadline=None)
@given(texts_strategy, st.integers(1, 25), st.integers(1, 30), st.data())
def test_runs_merged_with_dropped_documents_are_the_kept_documents_written_at_once(tmp_path_factory, texts,
                                                                                   run_postings, block, data):
    tmp_path = tmp_path_factory.mktemp("pairs")
    runs = write_runs(tmp_path / "runs", texts, run_postings)
    counts = [len(storage._read_lines(run / "doc_ids.txt")) for run in runs]
    keeps = [np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool) for n in counts]
    kept = [t for t, k in zip(texts, np.concatenate(keeps).tolist()) if k]
    out = tmp_path / "merged"
    info = merge_positions([Source(r, k) for r, k in zip(runs, keeps)], PAIRS, out, sync=False,
                           block_postings=block)
    if kept:
        [alone] = write_runs(tmp_path / "alone", kept, 1 << 40)
        assert files_of(out) == files_of(channel_folder(alone, PAIRS))
    else:
        assert (out / "terms.txt").read_bytes() == b"" and np.load(out / "term_offsets.npy").tolist() == [0]
        assert np.load(out / POSITIONS_FILE).size == np.load(out / "doc_lengths.npy").size == 0
    assert info.postings == info.total_length == sum(map(len, kept))
    keys = sorted({t[i:i + n] for t in kept for n in (1, 2, 3, 5) for i in range(len(t))}) + ["甲甲甲甲甲甲", "𠀋a"]
    check_lookups(opened(out), kept, keys)


def test_positions_in_many_runs_and_blocks_find_every_phrase(tmp_path):
    rows = read_jsonl(CMRC_SAMPLE)[:80] + read_jsonl(DRCD_SAMPLE)[:20]
    texts = [re.sub(r"[\W_]+", "", row["title"] + row["text"]).lower() for row in rows]
    runs = write_runs(tmp_path / "runs", texts, 3000)
    assert len(runs) > 5
    out = tmp_path / "merged"
    merge_positions([Source(r) for r in runs], PAIRS, out, sync=False, block_postings=500)
    positions = opened(out)
    keys = [t[i:i + n] for t in texts[::7] for i in range(0, len(t), 97) for n in (1, 2, 3, 4, 7)]
    check_lookups(positions, texts, keys + ["中华民国", "1952年", "不在任何文章里的话"])
    # A pair ending one document and one beginning the next is no phrase across them.
    ends_and_starts = [(a[-2:] + b[:2]) for a, b in zip(texts, texts[1:])]
    assert all(positions.docs_with(key).tolist() == [d for d, t in enumerate(texts) if key in t]
               for key in ends_and_starts)


def test_a_source_whose_positions_do_not_add_up_is_damaged(tmp_path):
    [run] = write_runs(tmp_path / "runs", ["中国农业", "发展"], 1 << 40)
    lengths = channel_folder(run, PAIRS) / "doc_lengths.npy"
    np.save(lengths, np.array([4, 3], dtype=np.int32))
    with pytest.raises(DamagedSource):
        merge_positions([Source(run)], PAIRS, tmp_path / "out", sync=False)
    np.save(lengths, np.array([4, 2], dtype=np.int32))
    np.save(channel_folder(run, PAIRS) / POSITIONS_FILE, np.array([0, 1, 2, 3, 5, 99], dtype=np.uint32))
    with pytest.raises(DamagedSource):
        merge_positions([Source(run)], PAIRS, tmp_path / "out2", sync=False)


# --- through the engine ------------------------------------------------------------------------------------

def squashed_texts(engine: Engine) -> list[str]:
    postings = engine.postings()
    articles = engine.store.get_many(postings.doc_ids)
    return [squash(engine.analyzer, " ".join((*headline(a), a.body))) for a in map(articles.get, postings.doc_ids)]


def pairs_files(engine: Engine) -> dict[str, bytes]:
    """The positions of a live generation of one segment."""
    (segment, deletes), = storage.segments_of(*storage.read_manifest(engine.index_dir))
    assert deletes is None
    return files_of(channel_folder(engine.index_dir / segment, PAIRS))


def test_a_generation_merged_after_deletes_and_replacements_keeps_every_position(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    rows = read_jsonl(CMRC_SAMPLE)[:60]
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "body": r["text"]},
                                         ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    engine.ingest([source])
    changed = tmp_path / "b.jsonl"
    changed.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "body": r["text"][::-1]},
                                          ensure_ascii=False) + "\n" for r in rows[5:15]), encoding="utf-8")
    live = generations.reusable(engine.index_dir, analyzer.fingerprint, None)
    assert live is not None
    engine.ingest([changed])
    engine.delete([r["id"] for r in rows[20:26]] + [rows[40]["id"]])
    texts = squashed_texts(engine)
    keys = [t[i:i + n] for t in texts for i in range(0, len(t), 41) for n in (1, 2, 3, 6)]
    check_lookups(engine.ranker().positions, texts, keys)  # across the segments, less the deleted documents
    engine.merge(everything=True)
    merged = pairs_files(engine)
    check_lookups(engine.ranker().positions, texts, keys)
    engine._rebuild(None, None)  # the same articles analysed afresh, in the same order
    assert pairs_files(engine) == merged


def test_a_generation_without_positions_is_refused_and_rebuilt_at_the_next_ingest(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest([CMRC_SAMPLE])
    # What a generation written before the positions looks like: no pairs channel in its manifest.
    name = storage.current_generation(engine.index_dir)
    manifest_path = engine.index_dir / name / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["channels"][PAIRS]
    manifest["files"] = {f: v for f, v in manifest["files"].items() if not f.startswith(f"channels/{PAIRS}/")}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    fresh = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    with pytest.raises(IndexUnusable) as refused:
        fresh.search("足球")
    assert refused.value.code == "index_format"
    assert f"has no {PAIRS} channel" in refused.value.message and "jiansuo reindex" in refused.value.message
    assert generations.reusable(fresh.index_dir, analyzer.fingerprint, None) is None
    analysed = []
    original = fresh._analyse

    def counting(articles, count, folder):
        analysed.append(count)
        return original(articles, count, folder)

    fresh._analyse = counting
    fresh.ingest([DRCD_SAMPLE])
    assert analysed == [len(read_jsonl(CMRC_SAMPLE)) + len(read_jsonl(DRCD_SAMPLE))]
    assert fresh.search('"足球"').total == fresh.search("足球").total > 0


def test_storage_opens_the_positions_beside_the_channels(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest([DRCD_SAMPLE])
    _, words, side = storage.load(engine.index_dir, analyzer.fingerprint, engine.params, channels=("title", PAIRS))
    positions = side[PAIRS]
    assert isinstance(positions, Positions) and positions.n_docs == words.n_docs
    assert not positions.positions.flags.writeable and positions.positions.dtype == np.dtype("<u4")
    manifest = storage.read_manifest(engine.index_dir)[1]
    assert manifest["channels"][PAIRS]["postings"] == positions.positions.size == sum(map(len, squashed_texts(engine)))
