"""Words, not character runs: a Japanese morphological analyser tells a question's content
words (nouns and their compounds) from the verbs, adjectives, endings and time words
around them.

SudachiPy with its core dictionary is loaded once per process (a memory-mapped file: the
first question pays ~50 ms, later ones ~20 µs). Its normalised forms fold spelling
variants (打合せ/打ち合わせ, 子供/こども), which is how context words are recognised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from sudachipy import Dictionary, SplitMode, Tokenizer

#: Nouns that say why or when a question is asked, never what it is about (normalised
#: forms): "午後の打合せ用に", "会議資料として".
CONTEXT_NOUNS = frozenset(
    [
        *("打ち合わせ", "会議", "資料", "参考", "質問", "確認", "午前", "午後", "中身"),
        *("作業", "準備", "答弁", "問い合わせ", "取りまとめ", "取り纏め", "作成", "共有"),
        *("用", "為", "件", "方", "感じ", "辺り", "辺", "所", "事", "物", "者"),
        *("一覧", "リスト", "全部", "全体", "概要", "詳細", "内容", "状況", "様子"),
        *("違い", "差", "比較", "理由", "原因", "結果", "部署", "順番", "順位", "順"),
        *("議員", "議会", "庁議", "ヒアリング", "締め切り", "締切", "引き継ぎ"),
        *("全角", "半角", "失礼", "恐縮", "お手数", "手数", "急ぎ", "至急"),
        *("簡潔", "簡単", "手短", "端的", "要点", "ざっくり"),
        # Times and duties of the office that prompt a question ("年度末の取りまとめ",
        # "監査対応で必要になりました").
        *("年度末", "年度初め", "期末", "監査", "決算", "査定", "予算要求", "予算編成"),
        *("対応", "必要", "依頼", "照会", "回答"),
        # The report itself: every item is in it.
        *("報告書", "報告", "レポート", "調書", "調査票", "進捗状況調査"),
        # How far along, how many: what is asked of the items, never what they are about.
        *("進捗", "進み具合", "具合", "進み", "進展", "進行", "内訳", "件数", "割合", "傾向"),
        *("皆さん", "皆", "私", "僕", "自分", "上司", "課長", "部長", "係長", "担当者"),
    ]
)

#: Context nouns that also end real compounds (安否確認, 情報共有, 計画作成): after a
#: content word they stay part of it (the word is then searched for with and without
#: them); alone, or after another context noun (内容確認), they are still context.
COMPOUND_CONTEXT = frozenset(
    ["確認", "作成", "共有", "準備", "作業", "状況", "内容", "結果", "概要", "詳細"]
)

#: Nouns that tie a topic to what is asked ("DV関係の事業", "子育て関連"): they end the
#: topic before them and are never a topic themselves.
RELATION_NOUNS = frozenset(["関係", "関連", "系", "向け"])

# Parts of speech that never carry a topic (Sudachi's first level).
_FUNCTION_POS = frozenset(
    ["助詞", "助動詞", "形容詞", "副詞", "連体詞", "接続詞", "感動詞", "代名詞", "形状詞"]
)

# A Sudachi tokenizer may only be used on the thread that made it: one per thread.
_local = threading.local()

_NOUN_PARTICLES = {("助詞", "格助詞"), ("助詞", "係助詞")}


@dataclass(frozen=True)
class Morpheme:
    surface: str
    pos: tuple[str, ...]
    normalized: str


@cache
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer() -> Tokenizer:
    tokenizer: Tokenizer | None = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


def morphemes(text: str) -> list[Morpheme]:
    """The morphemes of a Japanese text, in order."""
    return [
        Morpheme(m.surface(), tuple(m.part_of_speech()[:3]), m.normalized_form())
        for m in _tokenizer().tokenize(text)
    ]


def warm_up() -> None:
    """Load the dictionary now (a server does it before its first question)."""
    morphemes("事業")


def _is_content(ms: list[Morpheme], i: int) -> bool:
    m = ms[i]
    head = m.pos[0]
    following = ms[i + 1].pos[0] if i + 1 < len(ms) else None
    then = ms[i + 1].pos[:2] if i + 1 < len(ms) else ()
    if head == "名詞":
        if m.normalized in CONTEXT_NOUNS:
            return False
        if m.pos[2] == "副詞可能":
            # 午後, 来週, 一番, 最近: nouns that work as adverbs say when or how much; but
            # not at the head of a compound noun (一時保護, 当面支援).
            nxt = ms[i + 1] if i + 1 < len(ms) else None
            return (
                nxt is not None
                and nxt.pos[0] == "名詞"
                and nxt.pos[2] != "副詞可能"
                and nxt.normalized not in CONTEXT_NOUNS
            )
        return True
    if head == "接頭辞":
        return following == "名詞"
    if head == "接尾辞":
        return m.pos[1] == "名詞的" and i > 0 and m.normalized not in CONTEXT_NOUNS
    if head == "動詞":
        # A verb's stem standing as a noun (見守り, 見守りに, 取組み), not a verb at work
        # (関わっている, 出てくる, なりました): a noun or a case particle follows it.
        return (
            m.pos[1] == "一般"
            and not m.surface.endswith(("っ", "ん"))
            and (following in (None, "名詞", "接尾辞") or then in _NOUN_PARTICLES)
            and m.surface != m.normalized
        )
    if head == "補助記号":
        return m.surface == "・" and 0 < i < len(ms) - 1
    return head not in _FUNCTION_POS and head not in ("補助記号", "空白")


def content_words(token: str) -> list[str]:
    """The runs of content morphemes in a leftover Japanese token: "打合せ用" → [打合せ],
    "関わっている" → [], "一番多いのは" → [], "ストーカー被害" → [ストーカー被害]."""
    ms = morphemes(token)
    runs: list[str] = []
    current = ""
    context = False  # a compound with a context noun in it (推進会議, 研修資料) is context
    for i, m in enumerate(ms):
        if m.pos[0] == "名詞" and m.normalized in RELATION_NOUNS:
            if current and not context:
                runs.append(current)
            current, context = "", False
        elif _is_content(ms, i) or (
            current and not context and m.normalized in COMPOUND_CONTEXT and m.pos[0] == "名詞"
        ):
            current += m.surface
        elif m.pos[0] == "名詞" and m.normalized in CONTEXT_NOUNS:
            context = True
        else:
            if current and not context:
                runs.append(current)
            current, context = "", False
    if current and not context:
        runs.append(current)
    return [r.strip("・") for r in runs if r.strip("・")]
