"""Analysis in worker processes builds exactly the index and extras that one process builds."""

import numpy as np
import pytest

from service.engine import Engine
from service.index import storage

from helpers import CMRC_SAMPLE, DRCD_SAMPLE, TESTS, compiled, in_pure_python, make_config, run_files


def generation_files(engine: Engine) -> dict[str, bytes]:
    """Every file of the live generation, of one segment, but the manifest (which holds a creation time)."""
    (segment, deletes), = storage.segments_of(*storage.read_manifest(engine.index_dir))
    assert deletes is None
    root = engine.index_dir / segment
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


@pytest.mark.slow
def test_workers_build_the_same_generation_and_extras_as_one_process(tmp_path, analyzer):
    alone = Engine(make_config(tmp_path / "alone"), analyzer=analyzer)
    alone.ingest([CMRC_SAMPLE, DRCD_SAMPLE])
    parallel = Engine(make_config(tmp_path / "parallel", ingest_workers=2, ingest_parallel_from=1),
                      analyzer=analyzer)
    # Small batches: several runs from each worker, merged in batch order.
    import service.engine as engine_module

    saved = engine_module.ANALYSIS_BATCH
    engine_module.ANALYSIS_BATCH = 37
    try:
        parallel.ingest([CMRC_SAMPLE, DRCD_SAMPLE])
    finally:
        engine_module.ANALYSIS_BATCH = saved
    assert generation_files(parallel) == generation_files(alone)
    ids = [a.id for a in alone.store.iter_articles()]
    assert parallel.extras.get_many(ids, parallel.extras_fingerprint) == alone.extras.get_many(
        ids, alone.extras_fingerprint)
    assert parallel.extras.stale_ids(parallel.extras_fingerprint) == []
    for query in ("电影导演", "足球 比赛", "臺灣"):
        assert [(h.article.id, h.score) for h in parallel.search(query, summaries=False).hits] == [
            (h.article.id, h.score) for h in alone.search(query, summaries=False).hits]


def test_an_ingest_adds_a_segment_that_merges_into_the_generation_built_at_once(tmp_path, analyzer):
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    engine.ingest([CMRC_SAMPLE])
    first = storage.current_generation(engine.index_dir)
    engine.ingest([DRCD_SAMPLE])
    assert storage.current_generation(engine.index_dir) != first
    assert [s for s, _ in storage.segments_of(*storage.read_manifest(engine.index_dir))][0] == first
    engine.merge(everything=True)
    fresh = Engine(make_config(tmp_path / "fresh"), analyzer=analyzer)
    fresh.ingest([CMRC_SAMPLE, DRCD_SAMPLE])
    assert generation_files(engine) == generation_files(fresh)
    words = engine.postings()
    assert words.doc_ids == fresh.postings().doc_ids
    assert np.array_equal(words.term_offsets, fresh.postings().term_offsets)


_salience, salience_built = compiled("_salience", "summaries/salience.py weighs words in Python")
_summaries, summaries_built = compiled("_summaries", "summaries/data.py packs summary data in Python")


@pytest.mark.slow
@salience_built
@summaries_built
def test_a_batch_makes_the_same_run_with_and_without_the_compiled_parts(tmp_path):
    """Every compiled part on, then all of them off by the one switch: the same run, byte for byte, and the
    same summaries, keywords and summary data."""
    native = run_files(tmp_path / "native")
    python = in_pure_python("helpers:run_files", tmp_path / "python", path=[TESTS])
    assert native[0] and native[1] and native == python
