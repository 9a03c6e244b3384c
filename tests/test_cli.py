"""The `jiansuo` command, run as a real process the way users and scripts run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import PROJECT, SEED_GOLD, SEED_PAGE

MEDICAL = "冠县斜店乡保障贫困户参加医保不落一人"


def jiansuo(*args, data_dir=None, stdin=None, check_code=0):
    command = [sys.executable, "-m", "service"]
    if data_dir is not None:
        command += ["--index", str(data_dir)]
    done = subprocess.run(command + list(args), input=stdin, capture_output=True, text=True, cwd=PROJECT,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120)
    if check_code is not None:
        assert done.returncode == check_code, done.stderr
    return done


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    jiansuo("ingest", "corpus/", data_dir=data_dir)
    return data_dir


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("jiansuo")
    assert script.exists(), "pip install -e . installs the `jiansuo` command next to python"
    assert subprocess.run([script, "--version"], capture_output=True, text=True).stdout.startswith("jiansuo ")


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


def test_ingest_prints_what_it_added(tmp_path):
    done = jiansuo("ingest", "corpus/", data_dir=tmp_path / "data")
    assert done.stdout.startswith("added 10, replaced 0, unchanged 0, skipped 0 from 1 file(s)")
    assert MEDICAL in done.stdout
    again = jiansuo("ingest", "corpus/", data_dir=tmp_path / "data")
    assert again.stdout.startswith("added 0, replaced 0, unchanged 10")


def test_search_json_ranks_the_medical_article_first_in_both_scripts(archive):
    simplified = json.loads(jiansuo("search", "医保", "--json", data_dir=archive).stdout)
    traditional = json.loads(jiansuo("search", "醫保", "--json", data_dir=archive).stdout)
    assert simplified["results"][0]["title"] == MEDICAL
    assert [r["id"] for r in traditional["results"]] == [r["id"] for r in simplified["results"]]
    assert set(simplified) >= {"query", "total", "took_ms", "results"}
    assert set(simplified["results"][0]) >= {"id", "rank", "score", "title", "date", "section", "page", "authors",
                                             "summary", "highlights"}


def test_search_text_output(archive):
    out = jiansuo("search", "灵芝", data_dir=archive).stdout
    assert "青州———冠县东西协作扶贫成效显著" in out and "【灵芝】" in out


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


def test_show_json_carries_keywords(archive):
    first = json.loads(jiansuo("search", "医保", "--json", data_dir=archive).stdout)["results"][0]
    shown = json.loads(jiansuo("show", first["id"], "--json", data_dir=archive).stdout)
    assert shown["title"] == MEDICAL and "医保" in shown["keywords"]


@pytest.mark.parametrize("args, code, message", [
    (("search", ""), 2, "query is empty"),
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
