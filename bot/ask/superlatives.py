"""Superlatives inside a selection: which grade is the most common ("基本目標Ⅲで一番多い
評価は？"), which of the selection's items hold its lowest or highest grade ("介護の事業で
一番評価が低いのは？"), and which goal, basic policy, measure or department ranks best or
worst ("評価が一番よい基本目標は？", "どの課が最も遅れている？", "which goal has the most D?").

They are read before grades: "評価が低い" alone is the lower half of the scale (C, D), while
"一番評価が低い" is the lowest grade the selection holds, whichever it is. The letters a
ranking counts ("B評価が一番多い基本目標") are left for the grade reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.ask.text import Work
from bot.models import Ranked

Order = Literal["most", "fewest", "best", "worst"]


@dataclass(frozen=True)
class Superlative:
    ranked: Ranked
    order: Order


# --- Japanese ----------------------------------------------------------------------------
_SUP = r"(?:一番|いちばん|最も|もっとも)"
# (Past forms too: "前年度に一番多かった評価", "最も遅れていた基本目標".)
_GOOD = (
    r"(?:よ(?:い|かった)|良(?:い|かった)|いい|高(?:い|かった)|進んで(?:いる|る|います|いた)|"
    r"順調(?:な|だった)?|優れている|優秀な?)"
)
_BAD = (
    r"(?:悪(?:い|かった)|わるい|低(?:い|かった)|遅れて(?:いる|る|います|いた)|芳しくない|"
    r"不十分(?:な|だった)?)"
)
_MANY = r"(?:多(?:い|く|かった))"
_FEW = r"(?:少な(?:い|く|かった))"
# What a grade is said of ("評価が", "成績の", "進捗が").
_OF = r"(?:(?:評価|成績|進捗|達成度)\s*(?:が|の|は)?\s*)"
# "一番評価が低い", "評価が最も高い", "最も進んでいる", "一番よい評価".
_QUALITY_JA = (
    rf"{_SUP}\s*{_OF}?(?:{_GOOD}|{_BAD})|{_OF}{_SUP}\s*(?:{_GOOD}|{_BAD})|"
    rf"(?:最高|最低)(?:評価|の評価)"
)
# "一番Bが多い", "最もA評価の件数が少ない" (what is counted may stand between).
_COUNT_JA = rf"{_SUP}[^、。,.?？!！]{{0,12}}?(?:{_MANY}|{_FEW})"

# The part of the plan or the department a ranking asks for. (課 only as a word of its own:
# not the end of 高齢者支援課, nor 課題.)
_LEVEL_JA = (
    r"(?P<level>基本目標|基本施策|(?<!基本)目標|(?<!基本)施策|担当課|所管課|主管課|部署|"
    r"(?<![\u3400-\u9fff\u30a0-\u30ffー])課(?![\u3400-\u9fff]))"
    r"(?!\s*(?:[IVXⅠ-Ⅻ\d]|[（(]\s*\d))"
)

_GROUP_JA = [
    # "どの基本目標が一番進んでいる", "どこの課が最も評価が低い"
    re.compile(rf"(?:どの|どこの|何の)\s*{_LEVEL_JA}\s*(?:が|は|で|の)?"),
    # "基本施策ごとに一番遅れているのは", "目標別で最も評価がよい"
    re.compile(rf"{_LEVEL_JA}\s*(?:ごと|毎|別)\s*(?:に|で|の)?(?:中で|うち)?"),
    # "基本目標の中で一番進んでいるのは", "課のうち最も評価が低いのは"
    re.compile(
        rf"{_LEVEL_JA}\s*(?:の中で|のなかで|のうち|の間で|で)\s*(?:は)?\s*[、,]?(?=\s*(?:{_SUP}|{_OF}))"
    ),
    # "評価が一番よい基本目標", "最も評価が低い課", "一番進んでいる施策"
    re.compile(rf"(?:{_QUALITY_JA}|{_COUNT_JA})\s*(?:の)?\s*{_LEVEL_JA}"),
    # "一番進んでいるのはどの基本目標"
    re.compile(rf"(?:は|って)\s*(?:どの|どこの)\s*{_LEVEL_JA}"),
    # "評価の高い順に基本目標を並べて", "基本施策を評価の低い順に"
    re.compile(rf"順に?\s*(?:、)?\s*{_LEVEL_JA}"),
    re.compile(
        rf"{_LEVEL_JA}\s*(?:を|の)[^、。,.?？!！]{{0,8}}?(?:並べ|ならべ|順位|ランキング|順番)"
    ),
    re.compile(rf"{_LEVEL_JA}\s*(?:を|の)\s*{_OF}?(?:{_GOOD}|{_BAD})\s*順"),
]

_LEVELS_JA: dict[str, Ranked] = {
    "基本目標": "goal",
    "目標": "goal",
    "基本施策": "policy",
    "施策": "measure",
}

# "一番多い評価", "高齢者支援課で多い評価は", "どの評価が一番多い", "評価で一番多いのは".
_COMMON_JA = re.compile(
    rf"(?:{_SUP}\s*)?(?P<n>{_MANY}|{_FEW})\s*(?:評価|グレード|ランク)(?!\s*[A-Da-d])|"
    rf"(?:どの|何の?|なんの?)\s*(?:評価|グレード|ランク)\s*(?:が|の)?\s*(?:{_SUP}\s*)?(?P<n2>{_MANY}|{_FEW})|"
    rf"(?<![A-Da-d])(?<![A-Da-d]\s)評価\s*(?:が|で|は|の中で|のなかで|のうち)\s*(?:どれが\s*)?{_SUP}\s*(?P<n3>{_MANY}|{_FEW})|"
    rf"{_SUP}\s*(?P<n4>{_MANY}|{_FEW})\s*(?:の)?\s*(?:は|って)\s*(?:どの|何の?|なんの?)\s*評価"
)

# --- English -----------------------------------------------------------------------------
_BEST_EN = r"best|highest|top"
_WORST_EN = r"worst|lowest|poorest|weakest"
_RATED = r"rated|graded|ranked|scoring|scored|performing|progressing"
_QUALITY_EN = re.compile(
    # "lowest-rated", "best performing", "worst grades", "rated lowest", "doing the best",
    # "the worst items", "most behind".
    rf"\b(?P<w>{_BEST_EN}|{_WORST_EN})[-\s]+(?:{_RATED})\b|"
    rf"\b(?P<w2>{_BEST_EN}|{_WORST_EN})\s+(?:grades?|ratings?|scores?|evaluations?|progress)\b|"
    rf"\b(?:{_RATED}|doing|is|are|was|were|did)\s+(?:the\s+)?(?P<w3>best|worst|highest|lowest)\b|"
    r"\bthe\s+(?P<w4>best|worst)\s+(?=(?:items?|ones?|measures?|programs?|projects?|goals?|"
    r"polic(?:y|ies)|departments?|divisions?)\b)|"
    r"\b(?:most|furthest|farthest)\s+(?P<w5>behind|ahead|advanced)\b",
    re.IGNORECASE,
)
_COUNT_EN = re.compile(
    r"\b(?:the\s+)?(?P<n>most|fewest|least|highest\s+number|lowest\s+number)\b"
    r"(?!\s+(?:common|frequent))",
    re.IGNORECASE,
)
_LEVEL_EN = (
    r"(?P<level>(?:basic\s+)?(?:goals?|polic(?:y|ies))|measures?|departments?|divisions?|sections?)"
    r"(?!\s*(?:[IVX]+|\d+)\b)"
)
_GROUP_EN = [
    re.compile(rf"\b(?:which|what)\s+{_LEVEL_EN}", re.IGNORECASE),
    re.compile(
        rf"\b(?:by|per|each|among(?:\s+the)?|across(?:\s+the)?|of\s+the|rank(?:ing)?(?:\s+the)?)"
        rf"\s+{_LEVEL_EN}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:{_BEST_EN}|{_WORST_EN})(?:[-\s]+(?:{_RATED}))?\s+{_LEVEL_EN}\b", re.IGNORECASE
    ),
    re.compile(rf"\b{_LEVEL_EN}\s+(?:with|having|that\s+(?:has|have|is|are))\b", re.IGNORECASE),
]
# Patterns whose match holds the ranking's own words: only their level word is theirs.
_AROUND_RANKING = (_GROUP_JA[3], _GROUP_EN[2])

_COMMON_EN = re.compile(
    r"\b(?P<n>most|least)\s+(?:common|frequent|usual)\s+(?:grades?|ratings?|scores?)\b|"
    r"\b(?:which|what)\s+(?:grade|rating)\s+(?:is|was|comes\s+up|appears)\s+(?:the\s+)?"
    r"(?P<n2>most|least)\b(?:\s+(?:common|frequent|often))?|"
    r"\b(?:which|what)\s+(?:grade|rating)\s+(?:do|does|did)\s+(?P<n3>most|fewest)\b",
    re.IGNORECASE,
)
_LEVELS_EN: dict[str, Ranked] = {
    "goal": "goal",
    "basic": "policy",
    "polic": "policy",
    "measure": "measure",
}


def take_superlative(work: Work, names: list[tuple[int, int]]) -> Superlative | None:
    """The ranking a question asks for inside its selection, or None. ``names`` are the
    spans of department names, whose 課 asks for no department.

    A department ranked by a count ("B評価が一番多い課") is left to the department reader
    (which reads "どの課" as asking which); its words are not taken here."""
    text = work.text
    if m := (_COMMON_JA.search(text) or _COMMON_EN.search(text)):
        word = next(g for g in (m.group(k) for k in m.groupdict()) if g)
        work.take(m.start(), m.end())
        fewest = word.lower() in ("least", "fewest") or word.startswith("少")
        return Superlative("grade", "fewest" if fewest else "most")
    level = _asked_level(text, names)
    quality = _quality(text, order_words=level is not None)
    if level is not None:
        ranked, span = level
        order: Order | None = quality[0] if quality else _count_order(text)
        if order is None and _RANK_WORDS.search(text):
            order = "best"  # "rank the goals by grade", "基本目標を並べて": best first
        if order is None or (ranked == "department" and not quality):
            return None
        if quality:
            work.take(*quality[1:])
        if ranked != "department":
            work.take(*span)
        return Superlative(ranked, order)
    if quality is not None:
        work.take(*quality[1:])
        return Superlative("item", quality[0])
    return None


_RANK_WORDS = re.compile(r"\brank|並べ|ならべ|順位|ランキング", re.IGNORECASE)


def _asked_level(text: str, names: list[tuple[int, int]]) -> tuple[Ranked, tuple[int, int]] | None:
    """The department or part of the plan a question asks which of, and the words that
    ask it (only the level's word where a ranking's own words stand between)."""
    for pattern in (*_GROUP_JA, *_GROUP_EN):
        for m in pattern.finditer(text):
            at = m.start("level")
            if any(start <= at < end for start, end in names):
                continue
            word = m.group("level").lower()
            ranked = next(
                (
                    r
                    for key, r in (*_LEVELS_JA.items(), *_LEVELS_EN.items())
                    if word.startswith(key)
                ),
                "department",
            )
            whole = pattern not in _AROUND_RANKING
            return ranked, (m.start(), m.end()) if whole else (at, m.end("level"))
    return None


# "評価の高い順", "進捗の遅れている順": an order of groups (not of items: read only where a
# department or part of the plan is ranked).
_ORDER_BY_JA = re.compile(rf"{_OF}?(?P<q>{_GOOD}|{_BAD})\s*順")


def _quality(text: str, *, order_words: bool = False) -> tuple[Order, int, int] | None:
    """("best" | "worst", where) of a superlative of grades, in either language;
    ``order_words``: an order asked ("評価の高い順") is one too."""
    if order_words and (m := _ORDER_BY_JA.search(text)):
        return ("worst" if re.fullmatch(_BAD, m.group("q")) else "best"), m.start(), m.end()
    if m := re.search(_QUALITY_JA, text):
        bad = re.search(_BAD + "|最低", m.group(0))
        return ("worst" if bad else "best"), m.start(), m.end()
    if m := _QUALITY_EN.search(text):
        word = next(g for g in (m.group(k) for k in m.groupdict()) if g).lower()
        worst = word == "behind" or re.fullmatch(_WORST_EN, word)
        return ("worst" if worst else "best"), m.start(), m.end()
    return None


def _count_order(text: str) -> Order | None:
    """ "most" or "fewest" where a ranking counts ("B評価が一番多い基本目標")."""
    if m := re.search(_COUNT_JA, text):
        return "fewest" if "少" in m.group(0) else "most"
    if m := _COUNT_EN.search(text):
        return "fewest" if m.group("n").lower() in ("fewest", "least", "lowest number") else "most"
    return None
