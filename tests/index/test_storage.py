import json
import mmap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import IndexUnusable
from service.index import storage
from service.index.bm25 import BM25Params
from service.index.postings import build

PARAMS = BM25Params()
DOCS = [("a1", ["医保", "贫困户", "医保"]), ("a2", ["灵芝", "产业"]), ("a3", ["贫困户", "脱贫", "产业", "产业"])]


def assert_same(left, right):
    assert left.terms == right.terms and left.doc_ids == right.doc_ids
    for name in ("term_offsets", "doc_numbers", "term_freqs", "doc_lengths"):
        np.testing.assert_array_equal(getattr(left, name), getattr(right, name))


def test_save_and_reopen_gives_identical_postings_and_scores(tmp_path):
    postings = build(DOCS, PARAMS)
    storage.save(postings, tmp_path, "fp")
    _, reopened, _ = storage.load(tmp_path, "fp", PARAMS)
    assert_same(postings, reopened)
    for query in (["医保"], ["产业", "贫困户"], ["无"]):
        before, after = postings.score(query), reopened.score(query)
        np.testing.assert_array_equal(before[0], after[0])
        np.testing.assert_array_equal(before[1], after[1])


def _mapped(array):
    base = array
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    return base is not None


def test_opened_arrays_are_read_only_maps_of_the_files_not_private_copies(tmp_path):
    postings = build(DOCS, PARAMS)
    storage.save(postings, tmp_path, "fp", channels={"title": build(DOCS, PARAMS)})
    _, words, side = storage.load(tmp_path, "fp", PARAMS, channels=("title",))
    for opened in (words, side["title"]):
        for name in ("term_offsets", "doc_numbers", "term_freqs", "doc_lengths"):
            array = getattr(opened, name)
            assert _mapped(array), name
            assert not array.flags.writeable, name


def test_a_mapped_generation_still_answers_after_later_writers_remove_it(tmp_path):
    postings = build(DOCS, PARAMS)
    first = storage.save(postings, tmp_path, "fp")
    _, opened, _ = storage.load(tmp_path, "fp", PARAMS)
    storage.save(build(DOCS[:2], PARAMS), tmp_path, "fp")
    storage.save(build(DOCS[:1], PARAMS), tmp_path, "fp")
    assert not (tmp_path / first).exists()
    for query in (["医保"], ["产业", "贫困户"]):
        np.testing.assert_array_equal(postings.score(query)[1], opened.score(query)[1])


def test_manifest_records_format_fingerprint_parameters_and_checksums(tmp_path):
    name = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    manifest = json.loads((tmp_path / name / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == storage.FORMAT_VERSION
    assert manifest["analyzer_fingerprint"] == "fp"
    assert manifest["bm25"] == {"variant": "okapi", "k1": 1.5, "b": 0.75, "epsilon": 0.25}
    assert manifest["documents"] == 3 and manifest["terms"] == 5
    assert set(manifest["files"]) == {"terms.txt", "doc_ids.txt", "term_offsets.npy", "doc_numbers.npy",
                                      "term_freqs.npy", "doc_lengths.npy"}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())


def _rewrite_manifest(index_dir, **changes):
    name = storage.current_generation(index_dir)
    path = index_dir / name / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_another_format_version_is_refused_with_the_fix(tmp_path):
    storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    _rewrite_manifest(tmp_path, format_version=max(storage.READ_VERSIONS) + 1)
    with pytest.raises(IndexUnusable, match=f"version {max(storage.READ_VERSIONS) + 1}.*jiansuo reindex") as info:
        storage.load(tmp_path, "fp", PARAMS)
    assert info.value.code == "index_format"


def test_another_analyzer_fingerprint_is_refused(tmp_path):
    storage.save(build(DOCS, PARAMS), tmp_path, "built-by-old")
    with pytest.raises(IndexUnusable, match="another analyzer") as info:
        storage.load(tmp_path, "current", PARAMS)
    assert info.value.code == "index_analyzer"


def test_other_bm25_parameters_are_refused(tmp_path):
    storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    with pytest.raises(IndexUnusable, match="BM25 parameters"):
        storage.load(tmp_path, "fp", BM25Params(k1=1.2))


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexUnusable, match="jiansuo ingest") as info:
        storage.load(tmp_path / "none", "fp", PARAMS)
    assert info.value.code == "index_missing"


def test_truncated_array_is_reported_as_damaged(tmp_path):
    name = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    (tmp_path / name / "doc_numbers.npy").write_bytes(b"\x93NUMPY")
    with pytest.raises(IndexUnusable, match="damaged"):
        storage.load(tmp_path, "fp", PARAMS)


def test_a_new_generation_replaces_the_old_one_atomically(tmp_path):
    first = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    second = storage.save(build(DOCS[:2], PARAMS), tmp_path, "fp")
    third = storage.save(build(DOCS[:1], PARAMS), tmp_path, "fp")
    assert storage.current_generation(tmp_path) == third
    assert not (tmp_path / first).exists()  # older than the predecessor: removed
    assert (tmp_path / second).exists()  # a reader may still be opening it
    assert storage.load(tmp_path, "fp", PARAMS)[1].doc_ids == ["a1"]


def test_a_crashed_write_leaves_the_live_generation_usable(tmp_path):
    storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    (tmp_path / "gen-99-1.partial").mkdir()  # what a killed writer leaves behind
    (tmp_path / "gen-99-1.partial" / "terms.txt").write_text("半", encoding="utf-8")
    assert storage.load(tmp_path, "fp", PARAMS)[1].doc_ids == ["a1", "a2", "a3"]


terms = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), st.lists(terms, max_size=12)),
                max_size=15, unique_by=lambda d: d[0]))
def test_round_trip_property(tmp_path, docs):
    postings = build(docs, PARAMS)
    storage.save(postings, tmp_path, "fp")
    assert_same(postings, storage.load(tmp_path, "fp", PARAMS)[1])


def test_channels_are_saved_beside_the_words_and_reopened(tmp_path):
    words = build(DOCS, PARAMS)
    title = build([(doc_id, terms[:1]) for doc_id, terms in DOCS], PARAMS)
    name = storage.save(words, tmp_path, "fp", channels={"title": title})
    manifest = json.loads((tmp_path / name / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["channels"]["title"]["terms"] == len(title.terms)
    assert "channels/title/terms.txt" in manifest["files"]
    _, reopened, side = storage.load(tmp_path, "fp", PARAMS, channels=("title",))
    assert_same(words, reopened)
    assert_same(title, side["title"])


def test_a_missing_channel_is_refused_with_the_fix(tmp_path):
    storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    with pytest.raises(IndexUnusable, match="no grams channel.*jiansuo reindex"):
        storage.load(tmp_path, "fp", PARAMS, channels=("grams",))


def test_channels_must_number_documents_alike(tmp_path):
    with pytest.raises(ValueError, match="numbers documents differently"):
        storage.save(build(DOCS, PARAMS), tmp_path, "fp", channels={"title": build(DOCS[:2], PARAMS)})


def _flip_last_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_truncated_file_is_found_by_its_size_naming_the_file_and_the_fix(tmp_path):
    name = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    path = tmp_path / name / "term_freqs.npy"
    path.write_bytes(path.read_bytes()[:-3])
    for hashes in (False, True):
        with pytest.raises(IndexUnusable, match="term_freqs.npy is damaged.*truncated.*jiansuo reindex") as info:
            storage.load(tmp_path, "fp", PARAMS, verify_hashes=hashes)
        assert info.value.code == "index_damaged"


def test_a_changed_byte_keeps_the_size_but_not_the_checksum(tmp_path):
    name = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    _flip_last_byte(tmp_path / name / "doc_lengths.npy")
    storage.verify_live(tmp_path, hashes=False)  # the cheap check cannot see it
    with pytest.raises(IndexUnusable, match="doc_lengths.npy does not match the checksum.*jiansuo reindex"):
        storage.load(tmp_path, "fp", PARAMS)


def test_a_deleted_channel_file_is_reported(tmp_path):
    words = build(DOCS, PARAMS)
    name = storage.save(words, tmp_path, "fp", channels={"grams": build(DOCS, PARAMS)})
    (tmp_path / name / "channels" / "grams" / "terms.txt").unlink()
    with pytest.raises(IndexUnusable, match="channels/grams/terms.txt is missing"):
        storage.verify_live(tmp_path, hashes=False)


def test_every_file_of_a_generation_is_in_its_manifest(tmp_path):
    words = build(DOCS, PARAMS)
    name = storage.save(words, tmp_path, "fp", channels={"grams": build(DOCS, PARAMS)})
    on_disk = {p.relative_to(tmp_path / name).as_posix() for p in (tmp_path / name).rglob("*") if p.is_file()}
    _, manifest = storage.verify_live(tmp_path)
    assert set(manifest["files"]) == on_disk - {"manifest.json"}


def test_a_changed_byte_in_a_file_too_large_to_hash_on_open_is_found_by_the_background_pass(tmp_path):
    name = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    path = tmp_path / name / "doc_numbers.npy"
    _flip_last_byte(path)
    limit = path.stat().st_size - 1  # this file is "large"; the smaller ones are hashed before opening
    small = [f for f, e in json.loads((tmp_path / name / "manifest.json").read_text())["files"].items()
             if e["bytes"] <= limit]
    assert small, "some files must still be hashed on open"
    opened, _, _ = storage.load(tmp_path, "fp", PARAMS, hash_limit=limit)  # sizes match: it opens
    check = storage.LargeFileCheck(tmp_path, opened, limit)
    assert "doc_numbers.npy" in [p.name for p, _ in check.files]
    assert check.wait(timeout=60)
    with pytest.raises(IndexUnusable, match="doc_numbers.npy does not match the checksum.*jiansuo reindex") as info:
        check.raise_if_failed()
    assert info.value.code == "index_damaged"


def test_a_sound_generation_passes_the_background_check_of_every_file(tmp_path):
    name = storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    check = storage.LargeFileCheck(tmp_path, name, 0)
    manifest = json.loads((tmp_path / name / "manifest.json").read_text())
    assert len(check.files) == len([e for e in manifest["files"].values() if e["bytes"] > 0])
    assert check.wait(timeout=60)
    check.raise_if_failed()


# --- one writer at a time ----------------------------------------------------------------------------------

def test_the_write_lock_lets_one_holder_in_and_names_it_to_the_next(tmp_path):
    import os

    from service.errors import WriteBusy

    first = storage.WriteLock(tmp_path, 0, "ingest")
    waited = []
    with first:
        with pytest.raises(WriteBusy) as refused:
            storage.WriteLock(tmp_path, 0, "delete").acquire()
        assert f"ingest by process {os.getpid()}" in refused.value.message
        assert refused.value.exit_code == 8 and refused.value.http_status == 503
        with pytest.raises(WriteBusy):  # a bounded wait ends too, having said what it waits for
            storage.WriteLock(tmp_path, 0.2, "reindex", waited.append).acquire()
    assert waited == [f"ingest by process {os.getpid()}"]
    with storage.WriteLock(tmp_path, 0, "delete"):
        pass


def test_a_killed_holder_leaves_the_write_lock_free(tmp_path):
    import signal
    import subprocess
    import sys

    from helpers import PROJECT

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from service.index import storage; "
         "storage.WriteLock(Path(sys.argv[1]), 0, 'ingest').acquire(); print('held', flush=True); "
         "sys.stdin.read()", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT)
    try:
        assert holder.stdout.readline().strip() == "held"
        from service.errors import WriteBusy

        with pytest.raises(WriteBusy):
            storage.WriteLock(tmp_path, 0, "ingest").acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=60)
        holder.stdin.close()
        holder.stdout.close()
    with storage.WriteLock(tmp_path, 0, "ingest"):  # no stale lock to clear by hand
        pass


def test_publishing_keeps_the_generation_another_writer_is_merging_from(tmp_path):
    """A staging folder of a running writer is no generation: counting it made room for it by removing the
    generation that writer merges from."""
    import subprocess
    import sys
    import time

    storage.save(build(DOCS, PARAMS), tmp_path, "fp")
    merged_from = storage.current_generation(tmp_path)
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        staging = tmp_path / f"gen-{time.time_ns()}-{other.pid}.partial"  # the other writer's, still running
        staging.mkdir()
        storage.save(build(DOCS[:2], PARAMS), tmp_path, "fp")
        assert (tmp_path / merged_from / "manifest.json").exists() and staging.exists()
        storage.save(build(DOCS[:1], PARAMS), tmp_path, "fp")  # now the first is two generations back
        assert not (tmp_path / merged_from).exists() and staging.exists()
    finally:
        other.stdin.close()
        other.wait(timeout=60)
