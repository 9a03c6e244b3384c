from hypothesis import given
from hypothesis import strategies as st

from helpers_golden import check_golden
from service.text.sentences import iter_sentences, split_sentences

CASES = [
    "他说：“好的……。”然后走了！总投资1836.7万元；一是甲\n二是乙\n\n没有标点",
    "截至2017年8月末，该行已获批精准扶贫贷款7000万元。2.28日开会？是的！",
    "（刘华伟）",
    "“谁主管、谁负责，谁审批、谁负责”，扶贫、财政、纪委等部门密切协作。",
    "English sentence. Another one! 中文句子。",
    # enumerations after a comma or a colon: each item a sentence; `统一是` is no item
    "冠县采取了三项措施，一是加强领导，二是落实资金，三是严格考核。统一是关键。",
    "本文总结了十个设计原则：1.为人们解决重复性问题；2.从人开始，而不是从机器开始；3.要引起注意",
    "主要任务有：（一）完善制度；（二）加强监督。其一，稳定就业；其二，保障民生。",
    # closing quotes and brackets stay with their sentence; a byline in brackets stands alone
    "“说撤资是一个大笑话！”（南方日报）他说：「再見。」『好。』",
    # ellipses of every kind end a sentence; stray punctuation joins the sentence before it
    "不过是文字游戏...你猜…好吧……走了。。”",
    "。当屋主靠近房门时，August通过蓝牙识别手机。\u200b另一句。",
    # decimals, dates, versions and times are no ends
    "总投资达1836.7万元，完成986.7万元。2018.02.28起施行，版本3.14.1，时间10:30。",
    # headings and bylines on lines of their own, Windows line ends
    "冠县农村危房改造进展顺利\r\n本报记者 苏扬帆\r\n今年完成改造任务1000户。",
]


def test_sentence_golden():
    check_golden("sentences.json", {text: [list(s) for s in split_sentences(text)] for text in CASES})


def test_closing_quote_stays_with_its_sentence():
    assert [s.text for s in split_sentences("他说：“去吧。”我去了。")] == ["他说：“去吧。”", "我去了。"]


def test_decimals_do_not_end_sentences():
    assert len(split_sentences("总投资达1836.7万元，完成986.7万元。")) == 1


def test_enumeration_items_are_sentences():
    texts = [s.text for s in split_sentences("措施有三，一是加强领导，二是落实资金。")]
    assert texts == ["措施有三，", "一是加强领导，", "二是落实资金。"]


def test_a_marker_inside_a_word_is_no_enumeration():
    assert len(split_sentences("全国统一是大势所趋，第1836.7万名。")) == 1


def test_punctuation_alone_is_no_sentence():
    assert [s.text for s in split_sentences("。”好的。。")] == ["好的。。"]


@given(st.text(max_size=200))
def test_sentences_are_exact_slices_in_order(text):
    previous_end = 0
    for sentence in split_sentences(text):
        assert text[sentence.start:sentence.end] == sentence.text
        assert sentence.start >= previous_end
        assert sentence.text.strip() == sentence.text and sentence.text
        assert any(ch.isalnum() for ch in sentence.text)
        previous_end = sentence.end


@given(st.text(alphabet="医保贫困户一二是，：；。！？…“”（）1.\n ", max_size=200))
def test_every_word_character_is_in_some_sentence(text):
    covered = set()
    for sentence in split_sentences(text):
        covered.update(range(sentence.start, sentence.end))
    assert all(i in covered for i, ch in enumerate(text) if ch.isalnum())


def test_sentences_one_at_a_time_are_the_same_and_stray_punctuation_still_joins():
    text = "他说：“好。”。\n。第二句！？……第三句。”"
    assert list(iter_sentences(text)) == split_sentences(text)
    sentences = iter_sentences(text)
    first = next(sentences)
    assert first.text == "他说：“好。”。"  # the stray full stop after the quote joins the first sentence
    assert [s.text for s in sentences] == ["第二句！？……", "第三句。”"]  # the one alone on its line is dropped
