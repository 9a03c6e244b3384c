from hypothesis import given
from hypothesis import strategies as st

from helpers_golden import check_golden
from service.text.sentences import split_sentences

CASES = [
    "他说：“好的……。”然后走了！总投资1836.7万元；一是甲\n二是乙\n\n没有标点",
    "截至2017年8月末，该行已获批精准扶贫贷款7000万元。2.28日开会？是的！",
    "（刘华伟）",
    "“谁主管、谁负责，谁审批、谁负责”，扶贫、财政、纪委等部门密切协作。",
    "English sentence. Another one! 中文句子。",
]


def test_sentence_golden():
    check_golden("sentences.json", {text: [list(s) for s in split_sentences(text)] for text in CASES})


def test_closing_quote_stays_with_its_sentence():
    assert [s.text for s in split_sentences("他说：“去吧。”我去了。")] == ["他说：“去吧。”", "我去了。"]


def test_decimals_do_not_end_sentences():
    assert len(split_sentences("总投资达1836.7万元，完成986.7万元。")) == 1


@given(st.text(max_size=200))
def test_sentences_are_exact_slices_in_order(text):
    previous_end = 0
    for sentence in split_sentences(text):
        assert text[sentence.start:sentence.end] == sentence.text
        assert sentence.start >= previous_end
        assert sentence.text.strip() == sentence.text and sentence.text
        previous_end = sentence.end
