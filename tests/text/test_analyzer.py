import importlib.metadata

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_golden import check_golden
from service.text.analyzer import Analyzer

SEGMENTATION_CASES = [
    "冠县斜店乡保障贫困户参加医保不落一人",
    "中国农业发展银行冠县支行融资融智服务脱贫攻坚",
    "中华人民共和国成立以来",
    "總投資達1836.7萬元，目前已有7個項目落地",
    "臺灣的醫保制度與大陸不同。",
    "ＡＰＰ上线，iPhone用户可下载；ＧＤＰ增长６．５％",
    "“输血+造血”式帮扶，《冠县-青州扶贫协作工作方案》",
    "崇文街道办事处规定每月的1至10号开展集中清扫卫生活动",
    "聊城大学乐承乐献服务队在日照市书城举办了“绘传统年画 扬文化精粹”活动",
]


def test_segmentation_golden(analyzer):
    actual = {text: [[t.term, t.start, t.end] for t in analyzer.analyze(text)] for text in SEGMENTATION_CASES}
    check_golden("segmentation.json", actual)


def test_search_mode_finds_words_inside_longer_words(analyzer):
    terms = analyzer.terms("中华人民共和国")
    assert "人民" in terms and "中华人民共和国" in terms


def test_traditional_and_simplified_give_the_same_terms(analyzer):
    assert analyzer.terms("醫保報銷與貧困戶") == analyzer.terms("医保报销与贫困户")


def test_punctuation_and_spaces_are_not_terms(analyzer):
    assert analyzer.terms("，。！？“” 、；：（）——……") == []
    assert analyzer.terms("医保，医保。") == ["医保", "医保"]


def test_offsets_point_at_the_original_traditional_text(analyzer):
    text = "全鄉醫保參保率達到百分之百"
    for token in analyzer.analyze(text):
        assert analyzer.fold(text[token.start:token.end]) == token.term


def test_fingerprint_is_stable_and_follows_the_settings(analyzer):
    assert analyzer.fingerprint == Analyzer().fingerprint
    assert Analyzer(lowercase=False).fingerprint != analyzer.fingerprint
    assert Analyzer(opencc_config="tw2s").fingerprint != analyzer.fingerprint


def test_fingerprint_names_the_segmenter(analyzer, tmp_path):
    segmentation = analyzer.description["segmentation"]
    assert segmentation["segmenter"] == "rjieba+jieba" and segmentation["mode"] == "search"
    assert segmentation["rjieba"] == importlib.metadata.version("rjieba")
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("斜店乡 100 ns\n", encoding="utf-8")
    assert Analyzer(user_dict=dictionary).description["segmentation"]["segmenter"] == "jieba"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_token_offsets_are_in_range_and_cover_their_term(analyzer, text):
    for token in analyzer.analyze(text):
        assert 0 <= token.start < token.end <= len(text)
        assert token.term
        assert analyzer.fold(text[token.start:token.end]).strip() != ""


def test_bigrams_alone_are_the_bigrams_channel(analyzer):
    text = "海軍演習進入第二階段，ＡＢ醫保"
    assert analyzer.bigrams(text) == analyzer.channels(text).grams
    assert [text[t.start:t.end] for t in analyzer.bigrams(text) if t.term == "习进"] == ["習進"]
