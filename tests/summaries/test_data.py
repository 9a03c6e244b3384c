"""The data a summary is made from, prepared once and kept: its compact form round-trips, and summaries made
from it, kept or not, are those `summarize` makes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import summary_texts
from service.summaries.data import SummaryData, packed, prepare, summarize

TEXT = ("1月28日，斜店乡人社所所长任志光把最后12名贫困户的医保信息录入进了系统。"
        "至此，全乡1361户、2333名建档立卡贫困户全部参加了医保。"
        "为更好的落实贫困人口医疗保障，该乡在2017年11月就把缴费做为一项重要任务。"
        "乡党委召开党委会进行研究，最后决定由乡财政垫付72名贫困户医保费。")

BUDGETS = [(2, 160), (1, 30), (3, None), (None, 80), (1, 5)]


def _query_sets(analyzer, text):
    tokens = analyzer.analyze(text)
    terms = [t.term for t in tokens]
    sets = [[], ["不存在的词"]]
    if terms:
        sets += [[terms[len(terms) // 2]], list(dict.fromkeys(terms[:3])), [terms[-1], terms[0], "不存在的词"]]
    return sets


def _assert_kept_data_summarizes_alike(analyzer, text, title=None):
    data = prepare(analyzer, text, title=title)
    blob = data.to_bytes()
    kept = SummaryData.from_bytes(blob, text)
    assert kept == data
    for query in _query_sets(analyzer, text):
        for count, max_chars in BUDGETS:
            expected = summarize(analyzer, text, sentences=count, max_chars=max_chars, query_terms=query, title=title)
            assert kept.summary(text, sentences=count, max_chars=max_chars, query_terms=query) == expected
            assert data.summary(text, sentences=count, max_chars=max_chars, query_terms=query) == expected


@pytest.mark.parametrize("title, text", summary_texts(cmrc=25, drcd=15))
def test_kept_data_summarizes_the_fixtures_as_summarize_does(analyzer, title, text):
    _assert_kept_data_summarizes_alike(analyzer, text, title)


@pytest.mark.parametrize("title, text", [
    (None, TEXT),
    ("县医院病房楼建成", "县里今年新修道路三十公里。县医院新建病房楼一座，可容纳病床三百张。"),
    (None, "冠县灵芝产业发展迅速，产品远销各地。冠县灵芝产业发展迅速，产品远销全国各地。灵芝种植户收入明显增加。"),
    ("醫保新制", "臺灣醫保新制今年上路，民眾報銷更方便。醫保局表示，新制將減少等候時間。"),
    (None, "一" + "冠县灵芝产业发展迅速产品远销各地并且带动了当地贫困户脱贫致富" * 12 + "医保。"),  # clipped
    (None, ""),
    (None, "。！？"),
    (None, "第一段。\n\n第二段，有医保。\n"),
])
def test_kept_data_summarizes_special_texts_as_summarize_does(analyzer, title, text):
    _assert_kept_data_summarizes_alike(analyzer, text, title)


@settings(max_examples=120, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("医保贫困户灵芝產業冠縣今年资金的了是1361.，。！？；\n “”《》「」 abcAB")),
               max_size=200),
       st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("医保灵芝冠县產業 ")), max_size=8)),
       st.sampled_from([[], ["医保"], ["灵芝", "资金"], ["产业", "冠县", "1361"]]),
       st.one_of(st.none(), st.integers(1, 4)), st.one_of(st.none(), st.integers(1, 120)))
def test_kept_data_summarizes_any_text_as_summarize_does(analyzer, text, title, query, count, max_chars):
    blob = prepare(analyzer, text, title=title).to_bytes()
    kept = SummaryData.from_bytes(blob, text)
    assert kept.summary(text, sentences=count, max_chars=max_chars, query_terms=query) == summarize(
        analyzer, text, sentences=count, max_chars=max_chars, query_terms=query, title=title)


def test_kept_data_round_trips_long_texts_in_wide_integers(analyzer):
    text = "冠县灵芝产业发展迅速，产品远销各地。" * 4000  # offsets past 65,535
    data = prepare(analyzer, text, title="灵芝")
    blob = data.to_bytes()
    assert blob[16:20] == (4).to_bytes(4, "little")
    assert SummaryData.from_bytes(blob, text) == data


def test_packed_data_is_the_prepared_data_in_its_compact_form(analyzer):
    for title, text in ((None, TEXT), ("灵芝", "冠县灵芝产业发展迅速，产品远销各地。"), ("灵芝", "。"), (None, "")):
        expected = prepare(analyzer, text, title=title).to_bytes()
        assert packed(analyzer, text, title=title) == expected


def test_data_of_an_unknown_form_is_not_read(analyzer):
    blob = prepare(analyzer, TEXT).to_bytes()
    assert SummaryData.from_bytes(b"\x09" + blob[1:], TEXT) is None
    assert SummaryData.from_bytes(b"", TEXT) is None
