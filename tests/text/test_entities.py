"""service/text/entities.py: spans, types and offsets of the people, places and organisations found."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import FIXTURES
from helpers_golden import check_golden
from service.text.entities import TYPES, Entity, recognize

NEWS = FIXTURES / "ner" / "news_sentences.jsonl"


def _news() -> list[dict]:
    return [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]


def _spans(text: str) -> list[tuple[str, str]]:
    return [(entity.text, entity.type) for entity in recognize(text)]


def test_recognizes_the_annotated_sentences_as_before():
    found = [{"id": row["id"], "entities": [entity._asdict() for entity in recognize(row["text"])]}
             for row in _news()]
    check_golden("entities.json", found)


def test_agrees_with_the_hand_annotations():
    true, predicted, gold = dict.fromkeys(TYPES, 0), dict.fromkeys(TYPES, 0), dict.fromkeys(TYPES, 0)
    for row in _news():
        expected = {(e["start"], e["end"], e["type"]) for e in row["entities"]}
        found = {(e.start, e.end, e.type) for e in recognize(row["text"])}
        for _, _, kind in expected:
            gold[kind] += 1
        for _, _, kind in found:
            predicted[kind] += 1
        for _, _, kind in expected & found:
            true[kind] += 1

    def f1(t, p, g):
        return 2 * t / (p + g) if p + g else 0.0

    assert f1(sum(true.values()), sum(predicted.values()), sum(gold.values())) >= 0.85
    for kind in TYPES:
        assert f1(true[kind], predicted[kind], gold[kind]) >= 0.75, kind


def test_one_character_countries_in_pairs_are_places_each():
    assert _spans("中美两国元首举行会晤") == [("中", "LOC"), ("美", "LOC")]
    assert _spans("台港澳同胞") == [("台", "LOC"), ("港", "LOC"), ("澳", "LOC")]
    assert ("俄", "LOC") in _spans("俄中关系不断发展") and ("中", "LOC") in _spans("俄中关系不断发展")
    assert _spans("这是非法的") == []


def test_one_character_country_beside_a_verb_or_a_side():
    assert ("华", "LOC") in _spans("美国驻华大使出席")
    assert ("中", "LOC") in _spans("中方表示欢迎")
    assert ("京", "LOC") in _spans("总统抵京进行国事访问")


def test_a_title_after_a_surname_is_no_part_of_the_name():
    assert _spans("江主席在会上讲话") == [("江", "PER")]


def test_a_government_is_its_place_and_a_region_drops_its_suffix():
    assert _spans("中国政府一贯主张") == [("中国", "LOC")]
    assert ("亚太", "LOC") in _spans("维护亚太地区和平")


def test_a_congress_is_one_organisation_with_its_number():
    assert _spans("选举第九届全国人民代表大会代表") == [("第九届全国人民代表大会", "ORG")]
    assert _spans("中国共产党第十五次全国代表大会胜利召开") == [("中国共产党第十五次全国代表大会", "ORG")]
    assert _spans("贯彻十五大精神") == [("十五大", "ORG")]


def test_a_body_named_after_a_place_is_one_organisation():
    assert _spans("他在墨西哥参议院发表演讲") == [("墨西哥参议院", "ORG")]


def test_known_international_organisations():
    assert ("东盟", "ORG") in _spans("中国同东盟的合作")
    assert ("中华", "LOC") in _spans("实现中华民族伟大复兴")
    assert ("两岸", "LOC") in _spans("发展两岸关系")


def test_traditional_text_is_recognized_with_offsets_into_it():
    text = "記者陳美玲報導，臺北市政府今天宣布調整公車票價。"
    assert recognize(text) == [Entity("陳美玲", "PER", 2, 5), Entity("臺北市", "LOC", 8, 11)]


def test_offsets_hold_where_folding_changes_the_length():
    text = "㈱報道：１９９７年江泽民在北京会见了克林顿。"
    found = recognize(text)
    assert [(e.text, e.type) for e in found] == [("江泽民", "PER"), ("北京", "LOC"), ("克林顿", "PER")]
    assert all(text[e.start:e.end] == e.text for e in found)


def test_a_long_text_is_read_sentence_by_sentence():
    sentence = "新华社北京电，国家主席江泽民今天在人民大会堂会见了美国总统克林顿，双方就中美关系交换了意见，"
    text = sentence * 12 + "。" + "李明在上海。"
    found = recognize(text)
    assert sum(1 for e in found if e.text == "江泽民") == 12
    assert found[-2:] == [Entity("李明", "PER", len(text) - 6, len(text) - 4),
                          Entity("上海", "LOC", len(text) - 3, len(text) - 1)]


@pytest.mark.parametrize("text", ["", "   ", "\n", "。。。", "abc"])
def test_texts_without_names(text):
    assert recognize(text) == []


_NEWSY = st.sampled_from(["中美", "江主席", "中国政府", "第九届", "全国人民代表大会", "㈱", "１", "臺北", "北京",
                          "李明", "。", "，", "\n", " ", "公司", "两岸", "驻华", "亚太地区"])


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.one_of(_NEWSY, st.characters(exclude_categories=("Cs",))), max_size=40).map("".join))
def test_entities_are_in_range_ordered_and_exactly_the_text(text):
    found = recognize(text)
    last_end = 0
    for entity in found:
        assert entity.type in TYPES
        assert last_end <= entity.start < entity.end <= len(text)
        assert text[entity.start:entity.end] == entity.text
        last_end = entity.end
