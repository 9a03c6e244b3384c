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


def test_a_party_and_its_congress_are_one_organisation():
    assert _spans("中国民主促进会第八次全国代表大会今天在北京开幕。")[0] == ("中国民主促进会第八次全国代表大会", "ORG")
    assert _spans("致公党十大提出了新的任务。") == [("致公党十大", "ORG")]
    assert ("第十四届全国人民代表大会", "ORG") in _spans("第十四届全国人民代表大会第二次会议在京开幕。")


def test_a_one_digit_congress_needs_its_party():
    assert _spans("部队严格执行三大纪律八项注意。") == []
    assert _spans("这是本年度的十大新闻之一。") == []


def test_the_party_before_a_committee_or_a_plenum():
    assert _spans("中共陕西省委书记赵一德讲话。") == [("中共陕西省委", "ORG"), ("赵一德", "PER")]
    assert _spans("会议总结了中共十一届三中全会以来的经验。") == [("中共", "ORG")]


def test_a_members_title_after_a_body_is_no_part_of_it():
    assert _spans("中央军委委员傅全有上将出席。") == [("中央军委", "ORG"), ("傅全有", "PER")]
    assert _spans("中共中央政治局常委、国务院总理李强主持会议。")[0] == ("中共中央政治局", "ORG")


def test_a_foreign_name_is_one_name_across_its_dots():
    assert ("本雅明·内塔尼亚胡", "PER") in _spans("以色列总理本雅明·内塔尼亚胡。")
    assert ("蒙博托·塞塞·塞科·库库·恩关杜·瓦·扎·邦加", "PER") in _spans("蒙博托·塞塞·塞科·库库·恩关杜·瓦·扎·邦加元帅")


def test_two_names_joined_by_a_dash_before_a_body_are_one_organisation():
    assert _spans("奥地利—中国友好协会主席出席招待会。") == [("奥地利—中国友好协会", "ORG")]


def test_a_place_inside_an_organisation_is_part_of_its_name():
    assert _spans("海峡两岸关系协会会长会见台湾客人。") == [("海峡两岸关系协会", "ORG"), ("台湾", "LOC")]
    assert _spans("美中贸易全国委员会主席发表演讲。") == [("美中贸易全国委员会", "ORG")]


def test_a_country_and_its_ministry_are_one_organisation():
    assert _spans("俄罗斯外交部长拉夫罗夫抵达北京。")[:2] == [("俄罗斯外交部", "ORG"), ("拉夫罗夫", "PER")]


def test_a_team_or_delegation_of_a_place_is_an_organisation():
    assert _spans("中国体育代表团在杭州取得佳绩。") == [("中国体育代表团", "ORG"), ("杭州", "LOC")]
    assert _spans("中国队此次共夺得十枚金牌。") == [("中国队", "ORG")]
    # 会 团 队 alone do not make a body of the word before: 美国/社会 is no organisation.
    assert _spans("美国社会各界人士出席。") == [("美国", "LOC")]


def test_kinds_of_body_peoples_and_our_country_are_not_names():
    assert _spans("维吾尔族代表发言。") == []
    assert _spans("衷心祝愿贵国繁荣昌盛。") == []
    assert _spans("县委、县政府高度重视。") == [("县委", "ORG")]


def test_authorities_are_their_place_and_a_state_its_full_name():
    assert _spans("台湾当局应当停止挑衅。") == [("台湾", "LOC")]
    assert _spans("为墨西哥合众国的繁荣昌盛干杯。") == [("墨西哥合众国", "LOC")]


def test_abbreviated_bodies_and_news_agencies():
    assert _spans("民进认真履行参政议政职能。") == [("民进", "ORG")]
    assert _spans("民革自成立以来作出了重要贡献。") == [("民革", "ORG")]
    assert ("新华社", "ORG") in _spans("本报北京６日讯新华社记者刘思扬报道。")


def test_one_character_provinces_and_countries_in_runs():
    assert _spans("推动京津冀协同发展。") == [("京", "LOC"), ("津", "LOC"), ("冀", "LOC")]
    assert _spans("港澳地区同胞欢度春节。") == [("港", "LOC"), ("澳", "LOC")]
    assert _spans("日中友好团体举行招待会。") == [("日", "LOC"), ("中", "LOC")]
    assert _spans("蒙古总统当选。") == [("蒙古", "LOC")]
    assert _spans("要弘扬家庭美德。") == []


def test_person_names_lose_a_lone_character_and_a_photo_credit_and_keep_their_last_character():
    assert _spans("我同勒布朗总督举行了会谈。") == [("勒布朗", "PER")]
    assert _spans("（新华社记者郜南摄）") == [("新华社", "ORG"), ("郜南", "PER")]
    assert ("傅全有", "PER") in _spans("中央军委委员傅全有上将出席。")
    assert _spans("王刚说，他很高兴。") == [("王刚", "PER")]


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
