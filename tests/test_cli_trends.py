"""`jiansuo trends`: the same series as GET /api/trends, as a table or as JSON, run as a real process."""

import json

import pytest

import forkserver
from helpers import PROJECT


@pytest.fixture(scope="module", autouse=True)
def fork_server():
    yield
    forkserver.stop()


def trends(data_dir, *args):
    return forkserver.run(["--index", str(data_dir), "trends", *args], cwd=PROJECT, timeout=120)


def test_json_is_what_the_engine_answers(live_archive):
    done = trends(live_archive, "扶贫", "医保", "--by", "year", "--from", "2017", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["by"] == "year" and body["from"] == "2017-01-01"
    assert [s["query"] for s in body["series"]] == ["扶贫", "医保"]
    assert [p["period"] for p in body["series"][0]["points"]] == ["2017", "2018"]


def test_the_table_has_a_row_a_period_and_a_column_a_query(live_archive):
    done = trends(live_archive, "扶贫", "医保", "--section", "要闻")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split("\t") == ["period", "articles", "扶贫", "医保"]
    assert [row.split("\t")[0] for row in rows][:2] == ["2017-11", "2017-12"]
    assert all(cell.endswith("%)") for row in rows for cell in row.split("\t")[2:])
    assert "扶贫:" in done.stderr and "hits" in done.stderr


@pytest.mark.parametrize("args, message", [
    (["a", "b", "c", "d", "e", "f"], "at most 5"),
    (["扶贫", "--from", "2018-13"], "parameter from"),
    (["  "], "is empty"),
])
def test_bad_input_exits_2_naming_the_problem(live_archive, args, message):
    done = trends(live_archive, *args)
    assert done.returncode == 2 and message in done.stderr and not done.stdout
