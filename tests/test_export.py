import csv
import io
import json
from datetime import date

import pytest

from helpers import make_config
from service import engine as engine_module
from service.articles import Article
from service.engine import Engine
from service.errors import QueryError
from service.export import BOM, CSV_COLUMNS, Citing, ExportHit, check_base_url, gbt7714, render, ris_record

MANY = 10_150  # more than the 10,100 hits `k <= 100, offset <= 10000` reach through search


# --- GB/T 7714-2015, 报纸析出文献 -------------------------------------------------------------------------------

def test_gbt7714_sets_out_the_standards_newspaper_example():
    # GB/T 7714-2015's example of a newspaper article: 丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15).
    article = Article(id="x", title="数字革命与竞争国际化", body="…", date="2000-11-20", page="15",
                      authors=("丁文祥",))
    assert gbt7714(article, Citing(publication="中国青年报")) == "丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."
    # 张田勤. 罪犯DNA库与生命伦理学计划[N]. 大众科技报, 2000-11-12(7).
    article = Article(id="y", title="罪犯DNA库与生命伦理学计划", body="…", date="2000-11-12", page="第7版",
                      authors=("张田勤",))
    assert gbt7714(article, Citing(publication="大众科技报")) == "张田勤. 罪犯DNA库与生命伦理学计划[N]. 大众科技报, 2000-11-12(7)."


def test_gbt7714_cites_an_online_copy_with_its_link_and_the_date_cited():
    # The standard's online newspaper article: 余建斌. 我们的科技一直在追赶: 访中国工程院院长周济[N/OL]. 人民日报,
    # 2013-01-12(2)[2013-03-20]. http://paper.people.com.cn/...
    article = Article(id="2013-01-12/02/5", title="我们的科技一直在追赶", subtitle="——访中国工程院院长周济", body="…",
                      date="2013-01-12", page="02", authors=("余建斌",))
    citing = Citing(publication="人民日报", base_url="http://archive.example/articles/", accessed=date(2013, 3, 20))
    assert gbt7714(article, citing) == ("余建斌. 我们的科技一直在追赶: 访中国工程院院长周济[N/OL]. 人民日报, 2013-01-12(2)"
                                        "[2013-03-20]. http://archive.example/articles/2013-01-12%2F02%2F5.")


def test_gbt7714_cites_three_authors_and_then_deng_and_leaves_out_what_is_not_known():
    article = Article(id="x", title="题名", body="…", date="2018-02-28", page="B03",
                      authors=("甲", "乙", "丙", "丁"))
    assert gbt7714(article, Citing(publication="聊城晚报")) == "甲, 乙, 丙, 等. 题名[N]. 聊城晚报, 2018-02-28(B03)."
    assert gbt7714(Article(id="x", title="题名", body="…")) == "题名[N]."
    assert gbt7714(Article(id="x", title="题名", body="…", date="2018-02")) == "题名[N]. 2018-02."


# --- RIS -----------------------------------------------------------------------------------------------------

def test_a_ris_record_is_a_newspaper_article_zotero_reads():
    article = Article(id="Q#1", title="冠县斜店乡保障贫困户参加医保不落一人", body="…", date="2018-02-28",
                      section="城事", page="B03", authors=("刘洪斌", "王五"))
    record = ris_record(article, "斜店乡为贫困户代缴医保。\n第二行", Citing(
        publication="聊城晚报", base_url="https://a.example/articles/", accessed=date(2024, 5, 1)))
    assert record == ("TY  - NEWS\r\nTI  - 冠县斜店乡保障贫困户参加医保不落一人\r\nAU  - 刘洪斌\r\nAU  - 王五\r\n"
                      "T2  - 聊城晚报\r\nPY  - 2018\r\nDA  - 2018/02/28/\r\nSE  - 城事\r\nSP  - B03\r\n"
                      "AB  - 斜店乡为贫困户代缴医保。 第二行\r\nUR  - https://a.example/articles/Q%231\r\n"
                      "Y2  - 2024/05/01/\r\nLA  - zh\r\nID  - Q#1\r\nER  - \r\n\r\n")
    assert "DA  - 2018/02//" in ris_record(Article(id="m", title="t", body="b", date="2018-02"))


# --- CSV and JSON lines ----------------------------------------------------------------------------------------

def test_csv_has_a_bom_the_columns_and_no_cell_excel_would_run():
    hits = [ExportHit(1, 2.5, Article(id="a/1", title="=HYPERLINK(\"x\")", body="…", date="2018-02-28",
                                      authors=("甲", "乙")), "摘要，带逗号"),
            ExportHit(2, 0.0, Article(id="b", title="二", body="…"), "")]
    text = "".join(render(hits, "csv", Citing(base_url="https://a.example/articles/")))
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1] == ["a/1", "2018-02-28", "", "", "'=HYPERLINK(\"x\")", "甲、乙", "2.5000", "摘要，带逗号",
                       "https://a.example/articles/a%2F1"]
    assert rows[2] == ["b", "", "", "", "二", "", "0.0000", "", "https://a.example/articles/b"] and len(rows) == 3
    assert "".join(render(hits[1:], "csv")).endswith("0.0000,,\r\n")  # no base URL: no link


def test_a_bad_format_or_base_url_is_refused_naming_it():
    with pytest.raises(QueryError) as caught:
        list(render([], "xlsx"))
    assert caught.value.code == "bad_format" and "csv, jsonl, ris, gbt7714" in caught.value.message
    for bad in ("ftp://x/", "https://x/?id=", "javascript:alert(1)", 5):
        with pytest.raises(QueryError) as caught:
            check_base_url(bad)
        assert caught.value.code == "bad_base_url"
    for rootless in ("http://127.0.0.1:5000", "https://archive.example.org"):
        with pytest.raises(QueryError, match="has no path") as caught:
            check_base_url(rootless)
        assert f"{rootless}/articles/" in caught.value.message
    assert check_base_url("http://127.0.0.1:5000/") == "http://127.0.0.1:5000/"


# --- through the engine, on an archive of more hits than search pages reach ------------------------------------

@pytest.fixture(scope="module")
def many(tmp_path_factory, analyzer):
    folder = tmp_path_factory.mktemp("many")
    path = folder / "many.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for n in range(MANY):
            day = f"20{10 + n % 10:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 50 else None
            f.write(json.dumps({"id": f"2018/B{n % 8:02d}#{n}", "title": f"医保第{n}号", "body": "医保报销政策。" * (1 + n % 3),
                                "date": day, "section": "城事" if n % 2 else "要闻", "authors": ["刘洪斌"]},
                               ensure_ascii=False) + "\n")
    e = Engine(make_config(folder / "data"), analyzer=analyzer)
    e.ingest([path])
    yield e
    e.close()


@pytest.mark.timeout(900)
def test_an_export_holds_every_hit_in_ranked_order(many):
    export = many.export("医保", "jsonl", base_url="https://a.example/articles/")
    rows = [json.loads(line) for line in "".join(export.chunks).splitlines()]
    assert export.total == MANY == len(rows) == len({row["id"] for row in rows})
    first_page = many.search("医保", k=100)
    assert [row["id"] for row in rows[:100]] == [h.article.id for h in first_page.hits]
    last = many.search("医保", k=50, offset=10_000)
    assert [row["id"] for row in rows[10_000:10_050]] == [h.article.id for h in last.hits]
    assert [row["rank"] for row in rows] == list(range(1, MANY + 1))
    assert rows[0]["link"] == "https://a.example/articles/" + rows[0]["id"].replace("/", "%2F").replace("#", "%23")


@pytest.mark.timeout(900)
def test_an_export_sorted_by_date_puts_the_undated_last(many):
    export = many.export("author:刘洪斌", "csv")
    assert export.sort == "newest"
    rows = list(csv.reader(io.StringIO("".join(export.chunks).removeprefix(BOM), newline="")))[1:]
    dates = [row[1] for row in rows]
    undated = len(range(0, MANY, 50))
    assert len(rows) == MANY and dates[-undated:] == [""] * undated
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    oldest = many.export("医保", "gbt7714", sort="oldest", section="城事", publication="聊城晚报")
    lines = "".join(oldest.chunks).splitlines()
    assert len(lines) == oldest.total == MANY // 2 and lines[0].startswith("刘洪斌. 医保第") and "聊城晚报, 2011-" in lines[0]


@pytest.mark.timeout(900)
def test_an_export_reads_the_store_a_batch_at_a_time(many, monkeypatch):
    asked: list[int] = []
    real = many.store.get_many
    monkeypatch.setattr(many.store, "get_many", lambda ids: asked.append(len(ids)) or real(ids))
    export = many.export("医保", "ris")
    assert asked == []  # nothing read before the first chunk is asked for
    first = next(export.chunks)
    assert first.startswith("TY  - NEWS") and len(asked) <= 2
    rest = sum(chunk.count("ER  - ") for chunk in export.chunks)
    assert first.count("ER  - ") + rest == MANY
    assert max(asked) <= engine_module.EXPORT_BATCH and len(asked) >= MANY // engine_module.EXPORT_BATCH


def test_an_export_is_refused_before_anything_is_read(seed_engine):
    for kwargs, code in (({"fmt": "xlsx"}, "bad_format"), ({"fmt": "csv", "sort": "date"}, "bad_sort"),
                         ({"fmt": "csv", "date_from": "2021", "date_to": "2020"}, "bad_date_range"),
                         ({"fmt": "csv", "base_url": "ftp://x/"}, "bad_base_url")):
        with pytest.raises(QueryError) as caught:
            seed_engine.export("医保", **kwargs)
        assert caught.value.code == code
