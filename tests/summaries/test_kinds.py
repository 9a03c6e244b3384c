"""Summaries by kind of text: a news story's lede, a commentary's thesis, a photo story's caption, a briefs column's
items; and no summary opening on a dateline or a credit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.summaries.data import SummaryData, prepare, stored_summary, summarize
from service.summaries.kinds import (LEDE_BONUS, item_starts, kind_of, sentence_priors, trim_credits)
from service.text.sentences import split_sentences

NEWS = ("本报讯（记者 张三 李四）12月6日，冠县召开全县冬季供暖工作会议，部署今冬明春城区供暖保障工作。"
        "会议指出，今年新增供暖面积30万平方米，全县供暖管网改造已全部完工。"
        "据了解，县热力公司已储备燃煤5万吨，可满足整个供暖季需要。"
        "会上，各相关单位负责人作了表态发言。")

COMMENTARY_TITLE = "政绩观"
COMMENTARY = ("近日，某县一座投资上亿元的文化广场建成后长期闲置，杂草丛生，引发当地群众议论。"
              "类似的形象工程，在一些地方并不少见，有的道路修了又挖，有的园区建成后无人入驻。"
              "有的地方热衷于铺摊子、上项目，却不问群众是否需要。"
              "说到底，是政绩观出了问题。"
              "干部树立正确政绩观，就要把群众满意作为衡量工作的根本标准。"
              "只有这样，才能干出经得起历史检验的实绩。")

PHOTO = ("近日，聊城大学乐承乐献服务队在日照市书城举办了“绘传统年画扬文化精粹”活动，同学们学习年画的起源和用途。"
         "此次活动让同学们感受传统民间艺术的魅力。（记者 李军 陈勇 摄）")

BRIEFS = ("■ 冠县举办首届灵芝文化节，吸引游客两万余人次。文化节为期三天，展出灵芝产品三百余种。灵芝产品热销。\n"
          "■ 斜店乡完成贫困户医保参保工作，全乡2333名贫困人口全部参保。参保费用由乡财政垫付一部分。\n"
          "■ 梁堂镇投入扶贫资金1047万元，实施扶贫项目54个。资金使用情况全部公示。\n")


def test_kinds_are_told_apart_by_title_shape_and_stored_kind():
    assert kind_of(NEWS) == "news"
    assert kind_of(COMMENTARY, "本报评论员：" + COMMENTARY_TITLE) == "commentary"
    assert kind_of("人民日报社论\n" + COMMENTARY) == "commentary"
    assert kind_of("本报评论员 李明\n" + COMMENTARY) == "commentary"
    # A story about an editorial or a commentator is news.
    assert kind_of("人民日报1日发表元旦社论，题为《奋进新时代》。" + COMMENTARY, "人民日报发表元旦社论") == "news"
    assert kind_of("本报讯（记者 张三）昨日，央视著名评论员杨禹来我市讲座。" + COMMENTARY, "外交部回应美媒社论") == "news"
    assert kind_of(COMMENTARY, "社论：" + COMMENTARY_TITLE) == "commentary"
    assert kind_of(PHOTO) == "photo"
    assert kind_of("图为游客在公园赏花。", "春色") == "photo"
    assert kind_of("游客在公园赏花。", stored_kind="photo") == "photo"
    assert kind_of(BRIEFS) == "briefs"
    assert kind_of("冠县举办灵芝文化节。\n斜店乡完成医保参保。", "本地简讯") == "briefs"
    # A microblog-length post in one paragraph, with no dateline, is read as a whole.
    assert kind_of("李嘉诚回应撤资传言：长和系去年毛收入约4300亿港元。说撤资是一个大笑话！") == "post"
    assert kind_of("本报讯 李嘉诚回应撤资传言。说撤资是一个大笑话！") == "news"


def test_the_lede_is_worth_more_than_any_later_sentence_of_the_same_salience():
    sentences = trim_credits(NEWS, split_sentences(NEWS))
    priors = sentence_priors("news", NEWS, sentences)
    assert priors[0] == pytest.approx(1 + LEDE_BONUS)
    assert all(p < 1 for p in priors[1:])
    assert sentence_priors("commentary", COMMENTARY, split_sentences(COMMENTARY)) == [1.0] * 6
    assert kind_of(COMMENTARY) == "news"


def test_a_news_story_is_summarised_by_its_lede_without_the_opener(analyzer):
    summary = summarize(analyzer, NEWS, sentences=1, max_chars=None)
    assert summary.text == "12月6日，冠县召开全县冬季供暖工作会议，部署今冬明春城区供暖保障工作。"
    assert summarize(analyzer, NEWS, sentences=3, max_chars=None).text.startswith("12月6日，")


def test_where_the_query_is_only_in_the_title_the_lede_stands_for_the_article(analyzer):
    summary = summarize(analyzer, NEWS, sentences=1, max_chars=None, query_terms=["暖气"], title="冠县暖气有保障")
    assert summary.text.startswith("12月6日，冠县召开")


def test_query_terms_still_choose_the_sentence(analyzer):
    summary = summarize(analyzer, NEWS, sentences=1, max_chars=None, query_terms=["燃煤"])
    assert "燃煤" in summary.text and summary.highlights


def test_a_commentary_is_summarised_by_its_thesis_not_its_opening_anecdote(analyzer):
    for title in ("本报评论员：" + COMMENTARY_TITLE, "社论：" + COMMENTARY_TITLE):
        summary = summarize(analyzer, COMMENTARY, sentences=1, max_chars=None, title=title)
        assert "政绩观" in summary.text and summary.sentences[0].start > COMMENTARY.index("说到底") - 1
    # Read as news, the same text opens on its lede: the anecdote.
    as_news = summarize(analyzer, COMMENTARY, sentences=1, max_chars=None, title=COMMENTARY_TITLE)
    assert as_news.text.startswith("近日，某县一座投资上亿元的文化广场")


def test_a_photo_story_is_summarised_by_its_caption_without_the_credit(analyzer):
    summary = summarize(analyzer, PHOTO, sentences=2, max_chars=None, title="绘传统年画", kind="photo")
    assert summary.text.startswith("近日，聊城大学")
    assert "摄" not in summary.text and "记者" not in summary.text


def test_a_briefs_column_is_summarised_by_the_ledes_of_its_items(analyzer):
    assert len(item_starts(BRIEFS)) == 3
    summary = summarize(analyzer, BRIEFS, sentences=3, max_chars=None, title="县域简讯")
    ledes = [line.split("。")[0].lstrip("■ ") + "。" for line in BRIEFS.splitlines()]
    for lede in ledes:
        assert lede in summary.text
    assert "灵芝产品热销" not in summary.text


def test_a_sentence_that_is_only_a_credit_is_no_summary_sentence():
    text = "（记者 刘华伟）\n冠县创新金融扶贫模式。（新华社记者 李贺 摄）"
    assert [s.text for s in trim_credits(text, split_sentences(text))] == ["冠县创新金融扶贫模式。"]


OPENERS = [
    "本报讯", "本报讯（记者 {n}）", "本报讯（记者 {n} 通讯员 {m}）", "本報訊（記者 {n}）",
    "新华社北京3月5日电（记者 {n}）", "新华社北京3月5日电", "新華社台北3月5日電（記者 {n}）",
    "中新网12月6日电 ", "本报北京12月6日电 (记者 {n}) ", "（记者 {n}）", "（通讯员 {m}）", "（本报记者 {n} 通讯员 {m}）",
    "本台消息，", "央视网消息（新闻联播）：", "央视网消息：", "据新华社北京3月3日电 ", "又讯 ",
    "本报波士顿11月1日电记者{n}、{m}报道：", "本报北京3月22日讯记者{n}报道：", "人民网北京3月5日电 ",
]
NAMES = st.text(alphabet=st.sampled_from(list("张王李赵刘陈杨黄周吴")), min_size=2, max_size=3)
BODY_SENTENCES = st.lists(st.sampled_from([
    "市政府召开会议，部署全年工作", "今年新增供暖面积30万平方米", "冠县灵芝产业发展迅速", "全县贫困人口全部参加了医保",
    "游客在公园赏花", "据了解，资金已全部到位", "会议要求落实责任", "记者从教育部获悉，今年招生计划已下达",
]), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(OPENERS), NAMES, NAMES, BODY_SENTENCES, st.integers(1, 3),
       st.sampled_from([None, "冠县", "暖气", "灵芝"]), st.sampled_from([None, "冠县新闻"]), st.booleans())
def test_no_summary_begins_with_an_opener(analyzer, opener, name, other, sentences, count, query, title,
                                          own_line):
    opening = opener.format(n=name, m=other)
    body = "。".join(sentences) + "。"
    text = opening + ("\n" if own_line else "") + body
    terms = analyzer.terms(query) if query else None
    made = summarize(analyzer, text, sentences=count, max_chars=None, query_terms=terms, title=title)
    assert made.text, text
    stripped = opening.strip(" ，：:")
    assert not made.text.startswith(stripped[:2]) or made.text.startswith(body[:2]), (text, made.text)
    assert made.text.lstrip("…")[:4] in body, (text, made.text)
    # The summary kept at ingest and a hit's summary from it alike.
    data = prepare(analyzer, text, title=title).to_bytes()
    kept, _ = stored_summary(data, text, sentences=count, max_chars=None, query_terms=terms)
    assert kept.text == made.text
    assert SummaryData.from_bytes(data, text).summary(text, sentences=count, max_chars=None,
                                                       query_terms=terms).text == made.text


def test_a_story_with_bulleted_points_or_subheadings_is_news_and_opens_on_its_lede(analyzer):
    lede = "12月6日，冠县召开全县冬季供暖工作会议，部署今冬明春城区供暖保障工作，要求确保群众温暖过冬。"
    points = "\n".join(["■ 加强组织领导。", "■ 落实燃煤储备。", "■ 做好应急抢修。"])
    sections = "\n".join(f"【{h}】{b}" for h, b in [("供暖面积再扩大", "今年新增供暖面积30万平方米，覆盖城区三个街道。"),
                                                     ("管网改造完工", "全县供暖管网改造已全部完工，共更换管道十二公里。"),
                                                     ("燃煤储备充足", "县热力公司已储备燃煤5万吨，可满足整个供暖季需要。")])
    for body in (points, sections):
        text = lede + "\n" + body
        assert kind_of(text) == "news"
        assert summarize(analyzer, text, sentences=1, max_chars=None).text == lede


def test_bylines_and_subheadings_are_no_summary_sentences(analyzer):
    commentary = "本报评论员\n" + COMMENTARY
    for title in ("本报评论员：" + COMMENTARY_TITLE, None):
        summary = summarize(analyzer, commentary, sentences=1, max_chars=None, title=title)
        assert "政绩观" in summary.text and not summary.text.startswith("本报评论员")
    story = ("本报记者 欧阳晓明 通讯员 司马小红\n" + NEWS + "\n【供暖面积再扩大】\n今年新增供暖面积30万平方米。（完）")
    summary = summarize(analyzer, story, sentences=3, max_chars=None)
    assert summary.text.startswith("12月6日，冠县召开")
    assert "欧阳晓明" not in summary.text and "【" not in summary.text and "（完）" not in summary.text
    # A heading holding the query is still found.
    assert "供暖面积再扩大" in summarize(analyzer, story, sentences=1, max_chars=None, query_terms=["扩大"]).text


def test_a_text_that_is_only_an_opener_is_summarised_by_it(analyzer):
    assert summarize(analyzer, "新华社北京3月5日电", sentences=1, max_chars=None).text == "新华社北京3月5日电"


def test_the_kind_can_be_said_instead_of_recognised(analyzer):
    assert kind_of(NEWS, stored_kind="commentary") == "commentary"
    assert kind_of(COMMENTARY, "本报评论员", stored_kind="article") == "commentary"
    said = summarize(analyzer, COMMENTARY, sentences=1, max_chars=None, kind="commentary")
    assert "政绩观" in said.text


def test_a_briefs_column_drops_its_bullets():
    sentences = trim_credits(BRIEFS, split_sentences(BRIEFS))
    assert [s.text[:4] for s in sentences[:1]] == ["冠县举办"]
