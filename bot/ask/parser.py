"""Read a staff question (Japanese, English or both) into a QuerySpec.

No language model is reachable, so reading is deterministic: the question is normalised
(NFKC, 子供/こども → 子ども), then recognisers take what they understand out of a
working copy of the text, one after another — fiscal years, hierarchy, item numbers,
grades, departments, categories, target groups, intent words — and whatever content
words remain become keywords. Each recogniser blanks the span it consumed, so a number
read as a year is never read again as an item number.

This module holds the order of reading and the recognisers of years, the hierarchy, item
numbers, departments and intents; grades are read by ``bot.ask.grades``, the leftover
words by ``bot.ask.keywords``, the language by ``bot.ask.language``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from bot.ask.grades import direction_between, take_grades, take_transition, take_year_grades
from bot.ask.keywords import JA_STOPWORDS, ja_tokens, take_keywords
from bot.ask.language import REPLY_LANGUAGE, language_of
from bot.ask.lexicon import HierarchyTitle, Lexicon
from bot.ask.parts import combine, take_part_lists
from bot.ask.superlatives import take_superlative
from bot.ask.text import JA_RUN, Work, clean_question, take_regex
from bot.models import (
    Flag,
    Grade,
    Intent,
    Keyword,
    PlanPart,
    Problem,
    QuerySpec,
    Ranked,
    Reading,
    SpanKind,
)
from bot.text import (
    era_to_fiscal_year,
    find_fiscal_years,
    roman_to_int,
    search_key,
)

# --- fiscal years --------------------------------------------------------------------
_YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"令和\s*(元|\d{1,2})\s*年度?"), "reiwa"),
    (re.compile(r"平成\s*(\d{1,2})\s*年度?"), "heisei"),
    (re.compile(r"(?<![A-Za-z0-9])FY\s*'?(\d{4}|\d{2})(?!\d)", re.IGNORECASE), "fy"),
    (re.compile(r"(?<![A-Za-z0-9])R\s*(\d{1,2}|元)(?:\s*年度?)?(?![\d.])"), "reiwa"),
    (re.compile(r"(?<![A-Za-z0-9])H\s*(\d{2})(?:\s*年度)?(?![\d.])"), "heisei"),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?"), "western"),
    # A pair first ("2019 and 2020"): once 'and 2020' is read, 2019 has no partner.
    (
        re.compile(
            r"(?<!\d)((?:19|20)\d{2})(?=\s*(?:and|to|vs|-|~|〜|から|と)\s*(?:19|20)\d{2})",
            re.IGNORECASE,
        ),
        "western",
    ),
    (
        re.compile(
            r"(?:fiscal(?:\s+year)?|year|in|for|of|from|to|between|and|vs\.?)\s+"
            r"((?:19|20)\d{2})(?!\d)",
            re.IGNORECASE,
        ),
        "western_word",
    ),
]


# Words that make the year next to them the start of a comparison.
_SINCE_BEFORE = re.compile(
    r"(?:since|from|compared?\s+(?:with|to)|with|against|than|vs\.?|versus)\s*(?:the\s+)?$",
    re.IGNORECASE,
)

_SINCE_AFTER = re.compile(
    r"\s*(?:分)?(?:から|より|以降|と比べ|と並べ|と見比べ|と対比|との?比較|に比べ|との?差|との?違い|比)"
)

_RELATIVE_YEAR: list[tuple[re.Pattern[str], int]] = [
    # Before "last year": 一昨年 holds 昨年.
    (
        re.compile(
            r"一昨年度?|前々年度?|おととし|the\s+year\s+before\s+last"
            r"|two\s+(?:fiscal\s+)?years\s+ago",
            re.IGNORECASE,
        ),
        -2,
    ),
    (
        re.compile(
            r"前年度|昨年度|前年|昨年|去年|last\s+(?:fiscal\s+)?year|previous\s+(?:fiscal\s+)?year"
            r"|prior\s+year",
            re.IGNORECASE,
        ),
        -1,
    ),
    (
        re.compile(
            r"今年度|本年度|今年|最新年度|最新|this\s+(?:fiscal\s+)?year|latest(?:\s+(?:fiscal\s+)?year)?"
            r"|current\s+(?:fiscal\s+)?year",
            re.IGNORECASE,
        ),
        0,
    ),
]

# "3年前", "3 years ago": that many years before the latest.
_YEARS_AGO = re.compile(
    r"(\d{1,2})\s*年(?:度)?前(?!半)|(\d{1,2})\s+(?:fiscal\s+)?years?\s+ago", re.I
)
# "令和元年度から3年度まで", "令和2年度と3年度": the second year keeps the first one's era.
_ERA_RANGE = re.compile(
    r"(令和|平成)\s*(元|\d{1,2})\s*年度?\s*(?:から|～|〜|~|-|－|—|と|、|及び|および)"
    r"\s*(元|\d{1,2})\s*年度"
)

# --- conditions over several years ----------------------------------------------------
_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_N = r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|[二三四五六七八九十])"
# "3年連続", "3年続けて", "3 years in a row", "for 3 consecutive years": a run of years.
_RUN = re.compile(
    _N + r"\s*(?:年度?|カ年|か年)\s*(?:連続|続けて|続いて|間ずっと)(?:して|で)?"
    r"|(?:for\s+)?" + _N + r"\s+(?:consecutive|straight)\s+(?:fiscal\s+)?years?"
    r"|" + _N + r"\s+(?:fiscal\s+)?years?\s+(?:in\s+a\s+row|running)",
    re.IGNORECASE,
)
# A span of years asked of named items: their history ("事業16の3年間の評価", "これまでの
# 評価", "item 42 over the years").
_YEARS_SPAN = re.compile(
    r"\d+\s*(?:年間|か年|カ年|ヶ年|ケ年|年分)|[二三四五]\s*年間|数年|これまで|今まで|過去の|"
    r"経年|年度(?:ごと|別|毎)|毎年|歴代|いつから|いつまで|since\s+when|"
    r"over\s+the\s+(?:years|past)|past\s+(?:few\s+)?years|"
    r"(?:all|every|each)\s+(?:fiscal\s+)?years?|year\s+by\s+year|history",
    re.IGNORECASE,
)
# Every year named ("in both FY2020 and FY2021", "令和2年度と3年度のいずれも").
_EVERY_YEAR = re.compile(
    r"\bboth\b|\beach\s+of\b|\bevery\s+year\b|いずれも|どちらも|両年度?|両方|双方|ともに|共に|"
    r"(?:年度|年)\s*とも",
    re.IGNORECASE,
)
# Any year at all ("ever graded D", "一度でもD", "D評価になったことがある").
_EVER = re.compile(
    r"\bever\b|at\s+any\s+time|at\s+some\s+point|一度でも|1度でも|いちどでも|"
    r"これまでに|今までに|過去に|(?:に|と)なったことが(?:ある|あります)|だったことが(?:ある|あります)|"
    r"を?(?:受けた|付けた|つけた)ことが(?:ある|あります)",
    re.IGNORECASE,
)


# How far a grade moved: "２段階以上下がった", "improved two grades", "dropped by 2 levels".
_STEPS = re.compile(
    r"([2-3２-３二三])\s*(?:段階|ランク|ステップ|つ)\s*(?:以上)?"
    r"|(?:by\s+)?(two|three|2|3)\s+(?:grades?|levels?|steps?|notches)(?:\s+or\s+more)?",
    re.IGNORECASE,
)
_STEP_WORDS = {"two": 2, "three": 3, "二": 2, "三": 3}


def _take_steps(work: Work) -> int | None:
    """The least number of grades an item moved, when a question says it."""
    moved = _TREND_UP.search(work.text) or _TREND_DOWN.search(work.text)
    if not (moved or _CHANGE_NAMED.search(work.text)) or not (m := _STEPS.search(work.text)):
        return None
    word = unicodedata.normalize("NFKC", m.group(1) or m.group(2)).lower()
    work.take(m.start(), m.end())
    return int(word) if word.isdigit() else _STEP_WORDS[word]


_ITEM_ORDER = re.compile(
    r"(?:評価|進捗)?\s*(?:の|が)?\s*(?P<q>低い|悪い|遅れている|高い|良い|よい|いい|進んでいる)\s*"
    r"順(?:番)?(?:に|で)?\s*(?:並べ(?:て|替えて)?|ならべて|表示して|ソートして)?"
    r"|(?P<en>worst|lowest|best|highest)(?:[\s-]+(?:rated|graded))?\s+first"
    r"|(?:sorted|ordered)\s+by\s+grade",
    re.IGNORECASE,
)


def _take_item_order(work: Work) -> Literal["best", "worst"] | None:
    """The order items are asked in by their grades, when a question asks one."""
    if not (m := _ITEM_ORDER.search(work.text)):
        return None
    work.take(m.start(), m.end())
    word = (m.group("q") or m.group("en") or "").lower()
    return (
        "best"
        if word in ("高い", "良い", "よい", "いい", "進んでいる", "best", "highest")
        else "worst"
    )


def _take_over_years(work: Work) -> tuple[str | None, int | None]:
    """("every", N) for a run of N years, ("every", None) for every year named, ("any",
    None) for any year; (None, None) when the question sets no condition over years."""
    for m in _RUN.finditer(work.text):
        word = next(g for g in m.groups() if g)
        n = int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]
        if n >= 2:
            work.take(m.start(), m.end())
            return "every", n
    if take_regex(work, _EVER):
        return "any", None
    if _EVERY_YEAR.search(work.text):
        return "every", None
    return None, None


# --- hierarchy -----------------------------------------------------------------------
_GOAL = re.compile(
    r"(?:基本目標|目標|goal)\s*(?:no\.?\s*)?([IVX]+|\d{1,2})(?![A-Za-z\d])", re.IGNORECASE
)

_POLICY = re.compile(
    r"(?:基本施策|(?:basic\s+)?polic(?:y|ies))\s*(?:no\.?\s*)?(\d{1,2})(?!\d)", re.IGNORECASE
)

_MEASURE = re.compile(
    r"(?<!基本)(?:施策(?:の方向性?)?|measure)\s*(?:no\.?\s*)?\(?\s*(\d{1,2})\s*\)?",
    re.IGNORECASE,
)

_NOT_PRIORITY = re.compile(
    r"重点(?:施策|事業)?(?:じゃない|ではない|でない|以外|外)|非重点|"
    r"\bnon-?priorit(?:y|ies)\b|not\s+(?:a\s+)?priorit(?:y|ies)|not\s+key\s+measures?",
    re.IGNORECASE,
)
_PRIORITY = re.compile(
    r"重点(?:施策|事業)?|★|priorit(?:y|ies)|prioriti[sz]ed|key\s+measures?", re.IGNORECASE
)

# --- item numbers --------------------------------------------------------------------
# (Each number may repeat its mark: "#56〜#58", "No.29、No.31", "事業3、事業5".)
_NUM_LIST = (
    r"\d{1,4}(?!\d)(?:\s*(?:[、,・&/]|と|及び|および|and|or|から|to|[~〜\-])\s*"
    r"(?:#|№|No\.?\s*|事業\s*)?\d{1,4}(?!\d))*"
)

_ITEM_PATTERNS = [
    re.compile(r"事業\s*(?:番号|no\.?)?\s*[:#]?\s*(" + _NUM_LIST + ")", re.IGNORECASE),
    re.compile(
        r"(?:item|program|project)s?\s*(?:no\.?|number|#)?\s*(" + _NUM_LIST + ")", re.IGNORECASE
    ),
    re.compile(r"(?<![A-Za-z])(?:no\.?|#|№)\s*(" + _NUM_LIST + ")", re.IGNORECASE),
    re.compile(r"(" + _NUM_LIST + r")\s*番(?!目標|目|多|少|手|に|の?(?:多|少))"),
]

# A number counting something else ("2段階", "3年", "5件") is no item number.
_BARE_NUMBER = re.compile(
    r"(?<![\d.])(\d{1,3})(?![\d.]|\s*(?:段階|年|回|件|つ|個|人|割|%|か月|ヶ月|カ月|月|日|位|"
    r"(?i:years?|times|steps?|levels?|grades?|items)\b))"
)

# A department named to be left out.
_EXCEPT_AFTER = re.compile(
    # (Not "でないと", "unless", nor "ではなく…", "instead of", which names another.) The
    # word may follow what is named ("新規事業以外", "高齢者支援課の事業以外", "充実区分を除く");
    # another department said as one unlike it ("高齢者支援課と違う課", "…とは別の部署").
    r"\s*(?:の?(?:事業|区分)\s*)?(?:以外|を除く|を除いた|除く|(?:では|じゃ|で)(?:ない|無い)(?![とか])"
    r"|とは?(?:違う|ちがう|異なる|別の)(?=\s*(?:課|部署|所管|担当)))"
)

# (では is a particle the tokens are already cut at.)
_EXCEPT_SUFFIX = re.compile(r"(?:以外|を除く|を除いた|除く|(?:じゃ|で)(?:ない|なく|無い))$")

_EXCEPT_BEFORE = re.compile(
    r"(?:except(?:\s+for)?|excluding|other\s+than|besides|not(?:\s+in)?|non-?|outside)"
    r"\s*(?:the\s+)?$",
    re.IGNORECASE,
)

# Between two department names: the left-out word after the second covers both
# ("高齢者支援課、子ども政策課以外").
_NAME_LIST_GAP = re.compile(r"^\s*(?:、|,|・|と|や|/|and|or)\s*$", re.IGNORECASE)

# Counts asked per department or goal.
_PER_GROUP = re.compile(
    r"(?:each|every|per|by)\s+(?:departments?|divisions?|goals?|grades?|ratings?)|"
    r"各課|各部署|各目標|全課|全部署|全ての課|すべての課|全部の課|all\s+(?:the\s+)?departments|"
    r"(?:課|部署|(?:基本)?目標|評価|区分|(?:基本)?施策|対象者?)(?:ごと|毎|別)(?:に|の)?",
    re.IGNORECASE,
)

# A share of the whole ("A評価の割合"): the breakdown of every grade answers it.
_SHARE = re.compile(
    r"割合|比率|構成比|パーセント|達成率|%|percent(?:age)?s?|proportions?|ratios?",  # (not "share")
    re.IGNORECASE,
)

# Which has the most or the fewest ("一番多いのはどこの課", "which department has the most B").
# (What is counted may stand between: "一番Bが多い", "最もA評価の件数が少ない"; or the
# superlative is left to "…が多いのは": "B評価が多いのはどこの課".)
_RANKING = re.compile(
    r"(?:一番|いちばん|最も|もっとも)[^、。,.?？!！]{0,12}?(?:多い|多く|少ない|少なく)|"
    r"多い順|少ない順|上位|下位|"
    r"(?:が|の)\s*(?:多い|少ない)(?=\s*(?:の\s*は|課|部署|ところ|順))|"
    r"\b(?:the\s+)?(?:most|fewest|least|highest\s+number|lowest\s+number)\b",
    re.IGNORECASE,
)
_FEWEST = re.compile(r"少な|下位|fewest|least|lowest", re.IGNORECASE)
# "どの課が一番A評価をとっていますか": a superlative of a grade held, without 多い.
_SUPERLATIVE = re.compile(r"一番|いちばん|最も|もっとも")

# Asking which department (owns an item, has D grades) rather than naming one.
_WHICH_DEPARTMENT = re.compile(
    r"どの課|どこの課|何課|どの部署|どこの部署|担当課|主管課|所管課|担当部署|"
    r"(?:多い|少ない|ある|いる|持つ|抱える)(?:課|部署)|(?:課|部署)は(?:どこ|どれ)|どんな(?:課|部署)|"
    r"(?:多い|少ない)順に?(?:課|部署)|(?:課|部署)(?:を|の)?(?:並べ|順に|順位|上位|下位)|"
    r"(?:^|(?<=[\s、。のはを]))(?:全|各)?(?:課|部署)(?:の)?(?:一覧|リスト)|(?:課|部署)?ランキング|"
    r"(?:top|rank(?:ing)?)\s+(?:of\s+)?(?:the\s+)?(?:departments|divisions)|"
    r"list\s+(?:of\s+)?(?:all\s+)?(?:the\s+)?"
    r"(?:departments|divisions)|all\s+(?:the\s+)?(?:departments|divisions)|"
    r"which\s+(?:departments?|divisions?|sections?)|what\s+(?:departments?|divisions?)|"
    r"(?:responsible|owning)\s+(?:departments?|divisions?)",
    re.IGNORECASE,
)

# --- categories and target groups ----------------------------------------------------
_CATEGORY_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"新規|新設|新しい(?=\s*(?:事業|取り?組み?|施策|もの|の|[?？]|$))|"
            r"(?:新しく|新たに)(?:始まった|始めた|始まる|できた)"
        ),
        "新規",
    ),
    (re.compile(r"継続"), "継続"),
    (re.compile(r"充実|拡充"), "充実"),
    (re.compile(r"見直し"), "見直し"),
    # (Not the asker's "I'm new here", "new to this", "what's new": new items are.)
    (
        re.compile(
            r"(?<!I'm\s)(?<!I\sam\s)(?<!what's\s)(?<!what\sis\s)\bnew(?:ly\s+added)?\b"
            r"(?!\s+(?:here|to\b|in\s+(?:this|the)\s+(?:job|role|team|office|department)))",
            re.IGNORECASE,
        ),
        "新規",
    ),
    (re.compile(r"\b(?:continuing|continued|ongoing)\b", re.IGNORECASE), "継続"),
    (re.compile(r"\b(?:expanded|enhanced|expansion|strengthened)\b", re.IGNORECASE), "充実"),
    (re.compile(r"\b(?:revised|revision|reviewed|under\s+review)\b", re.IGNORECASE), "見直し"),
]

_TARGET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # (Not the start of a word: 市民活動, 市民相談 are words of their own.)
    (
        # (Nor the asker's source: 市民からの問い合わせ.)
        re.compile(
            r"(?:市民|住民)(?:向け|対象)?(?:の|で|に)?(?![\u4e00-\u9fff\u30a0-\u30ff]|から|より|の方)"
        ),
        "市民",
    ),
    (re.compile(r"(?<![\u3400-\u9fff])市(?:が|を)?(?:対象|向け)|庁内向け"), "市"),
    (re.compile(r"(?:事業者等?|企業|事業所)(?:向け|対象)?(?:の|で|に)?"), "事業者等"),
    (
        re.compile(
            r"(?:対象者?|対象が|対象は)\s*(?:が|は|:)?\s*市(?![民区町村長])|市(?:役所)?(?:向け|対象)"
            r"|庁内向け"
        ),
        "市",
    ),
    (re.compile(r"\b(?:citizens?|residents?|the\s+public)\b", re.IGNORECASE), "市民"),
    (
        re.compile(
            r"\b(?:businesses|business|employers?|companies|company|firms?)\b", re.IGNORECASE
        ),
        "事業者等",
    ),
    (
        re.compile(
            r"\b(?:(?:for|targets?|targeting|targeted\s+at|aimed\s+at)\s+(?:the\s+)?city(?:\s+itself)?|city[-\s]"
            r"internal|internal)\b",
            re.IGNORECASE,
        ),
        "市",
    ),
]

# --- intents ---------------------------------------------------------------------------
_HELP = re.compile(
    r"^(?:help|ヘルプ|使い方|\?|？|how\s+to\s+use|what\s+can\s+you\s+do|"
    r"何ができ(?:る|ます).*|できること.*|使い方を?教えて.*|commands?|"
    # Which years the data covers: the help lists them.
    r"(?:何年度|どの年度|いつ)(?:の|分の)?データ.*|データ(?:の)?(?:範囲|期間|年度).*|"
    r"(?:which|what)\s+(?:fiscal\s+)?years.*|.*\byears?\s+(?:are\s+)?(?:available|covered)"
    r".*)$",
    re.IGNORECASE,
)

# Said to a bot as to a colleague: answered with what planbot can do, never "not understood".
_GREETING = re.compile(
    r"^(?:こんにちは|こんにちわ|こんばんは|おはよう(?:ございます)?|はじめまして|"
    r"よろしく(?:お願いします|おねがいします)?|hello|hi|hey|hiya|good\s+(?:morning|afternoon|"
    r"evening))(?:\s*planbot)?$",
    re.IGNORECASE,
)

_THANKS = re.compile(
    r"^(?:(?:どうも)?ありがと(?:う)?(?:ございます|ございました)?|どうも|感謝(?:します)?|"
    r"助かりました|助かります|了解(?:です|しました)?|thanks?(?:\s+you)?(?:\s+(?:so|very)\s+much)?"
    r"|thx|ty|cheers|great|perfect|ok(?:ay)?|got\s+it)(?:\s*planbot)?$",
    re.IGNORECASE,
)

# "評価Cとは？", "評価の基準は？", "what does grade C mean?": the legend, not C items.
_MEANING = re.compile(
    # (Not "って何件", a count.)
    r"とは|って(?:何(?![件個課番年回割])|なに|どういう)|どういう意味|意味|基準|定義|凡例|"
    r"\bmean(?:s|ing)?\b|definitions?|legend|criteria|stand\s+for",
    re.IGNORECASE,
)

_GRADE_WORD = re.compile(
    # (A letter alone too: "Bってどういう意味？".)
    r"評価|グレード|ランク|\bgrades?\b|\bratings?\b|(?<![A-Za-z0-9])[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)

_NAMES_SOMETHING = re.compile(r"事業\s*\d|(?i:items?)\s*#?\d|課|センター|室")

_GRADE_ASIDE = re.compile(
    r"(?<![A-Za-z])[A-D]\s*(?:評価)?\s*(?:ばっかり|ばっか|ばかり)(?:\s*(?:だ|です|なんです|なの)?"
    r"\s*(?:けど|けれど|が|ので|し))?"
)
_OF_WHICH = re.compile(r"(?:その)?うち(?=\s*(?:評価)?\s*[A-D])|\b(?:of\s+which|of\s+those)\b", re.I)

_COUNT_WORDS = re.compile(
    r"何件|件数|いくつ|幾つ|何個|何事業|数は|の数|(?:事業|項目|総)数|合計|how\s+many|"
    r"(?:どれ|どの)(?:くらい|ぐらい)|"
    r"number\s+of|count|\btotal\b",
    re.IGNORECASE,
)

_INTENT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "trend",
        re.compile(
            r"推移|経年|変化|(?:変わ|上が|下が)(?:った|りまし|り(?=\s*[、,]))|変動|改善した|改善された|悪化|脱した|"
            r"落ちた|(?:良く|よく|悪く|わるく)な(?:った|り|って)|(?<![ァ-ヺー])ダウン(?!症)|(?<![ァ-ヺー])アップ|"
            r"downgraded|upgraded|(?:lower|higher|worse|better)\s+grades?|"
            r"grades?\s+(?:went\s+)?(?:up|down)\b|\b(?:up|down)\s+from\b|"
            r"向上|低下|前年度比|比較|(?:と|に)比べ(?:て|ると|た)?|trends?|histor(?:y|ies)|"
            r"over\s+the\s+years|"
            r"over\s+time|year\s+(?:on|over)\s+year|changed?|changes|improved?|"
            r"improvements?|worsened|declined|dropped|fell|rose|went\s+(?:up|down)|"
            r"compared?|comparison|(?:got|get|gets|getting|gotten|become|became)\s+(?:better|worse)",
            re.IGNORECASE,
        ),
    ),
    ("count", _COUNT_WORDS),
    (
        "summary",
        re.compile(
            # (Not "まとめて見たい", "まとめて出して": all of them at once, a list.)
            r"(?<!取り)(?<!取)まとめ(?!て(?:見|み|表示|出|一覧|確認|教え|おしえ|送|ダウンロード))|"
            r"どんな感じ|サマリー?|概況|(?<!事業の)(?<!事業)概要|集計|内訳|分布|進捗状況|状況|全体像|"
            r"グラフ|チャート|\bcharts?\b|\bgraphs?\b|"
            r"総合的に(?:見て|みて|は)?|全体的に(?:見て|みて|は)?|全般的に|総じて|トータルで|"
            r"\boverall\b|"
            # "評価ってどう？", "一番多い評価は？": how grades stand, the breakdown.
            r"(?:って|は)\s*どう(?:ですか|でしょうか|なの|かな)?\s*(?:[?？]|$)|"
            r"most\s+common\s+grades?|"
            r"summar(?:y|ies|"
            r"ise|ize)|overview|breakdown|distribution|status|at\s+a\s+glance|"
            # (Per-department wordings — by department, 課別, which department — are
            # read before the intent, by _PER_GROUP and _WHICH_DEPARTMENT.)
            r"how\s+(?:is|are)\s+.*\s+doing|report\s+card",
            re.IGNORECASE,
        ),
    ),
    (
        "detail",
        re.compile(
            r"詳細|詳しく|くわしく|内容|中身|(?:見)?比べたい|理由|なぜ|どうして|何が原因|原因は|"
            r"出典|出所|どの資料|根拠|何評価|評価は何|"
            r"どの評価|"
            r"details?|tell\s+me\s+about|sources?\b|"
            r"more\s+about|describe|\bwhy\b|reasons?|"
            # What comes next is in the details (次年度予定), not in a list line.
            r"今後(?:の(?:予定|計画|方針|取組|取り組み|見通し))?|(?:次年度|来年度)(?:の)?(?:予定|計画)(?![\u4e00-\u9fff])|"
            r"next\s+(?:year'?s?\s+)?(?:plans?|steps)|plans?\s+for\s+next\s+year|"
            r"\bdo(?:ing)?\s+next\s+(?:fiscal\s+)?year|"
            r"plan(?:s|ned|ning)?\s+(?:to\s+\w+\s+)?(?:\w+\s+)?next\s+(?:fiscal\s+)?year",
            re.IGNORECASE,
        ),
    ),
]

# The grade most often given ("一番多い評価", "most common grade").
_COMMON = re.compile(r"多い\s*(?:評価|ランク)|(?i:most\s+(?:common|frequent)\s+grade)")

# A difference from a year named ("前年度との違い", "difference from last year").
_DIFFERENCE = re.compile(r"との?(?:違い|差|差分|相違)|\bdifferences?\s+(?:from|with|since)\b", re.I)

# "それぞれ", "どっち": each of the items named, or which of them.
_EACH = re.compile(r"それぞれ|各々|おのおの|どっち|どちら|\b(?:each|which\s+of)\b", re.IGNORECASE)

# Words of comparing: between items they ask for the items side by side.
_COMPARE = re.compile(r"比較|比べ|compar|\bvs\b|versus", re.IGNORECASE)

_TREND_UP = re.compile(
    r"grades?\s+(?:went\s+)?up\b|\bup\s+from\b|上がった|上がり|改善|向上|(?:良く|よく)な(?:った|り|って)|"
    r"(?<![ァ-ヺー])アップ|上昇|回復|improv|rose|went\s+up|got\s+better|"
    r"higher\s+grade|better\s+grade|"
    r"upgraded|increase",
    re.IGNORECASE,
)

_TREND_DOWN = re.compile(
    r"grades?\s+(?:went\s+)?down\b|\bdown\s+from\b|下がった|下がり|悪化|低下|(?:悪く|わるく)な(?:った|り|って)|落ちた|"
    r"(?<![ァ-ヺー])ダウン(?!症)|下降|worse|declin|dropped|fell|went\s+down|"
    r"lower\s+grade|downgraded|decrease",
    re.IGNORECASE,
)

# A department or goal set against another year, rather than what changed in it
# ("高齢者支援課の令和元年度と令和2年度を比べて", "compare goal II with last year"): every
# item, both years' grades side by side.
_SIDE_BY_SIDE = re.compile(
    r"比べ|比較|対比|並べ|前年度?比|違[いう]|compar|differ|\bvs\b|versus|side\s+by\s+side",
    re.IGNORECASE,
)
# Both years without naming them: "2年分並べて", "両年度".
_DIFFERENCE_OF = re.compile(r"との差|差分|増減|differences?\s+from", re.IGNORECASE)
_BOTH_YEARS = re.compile(
    r"[2２二]\s*(?:か|ヶ|カ|ケ)?年度?(?:分|間)|両年度?|both\s+years|two\s+(?:fiscal\s+)?years",
    re.IGNORECASE,
)
_CHANGE_NAMED = re.compile(r"変わ|変化|変動|推移|change|trend|histor", re.IGNORECASE)
# The grade counts of a year, set against another's: "評価の内訳は前年度と比べてどう変わった",
# "how did the grade breakdown change": both years side by side with their counts.
_BREAKDOWN = re.compile(
    r"内訳|件数|分布|割合|構成|breakdown|distribution|how\s+many", re.IGNORECASE
)
# … but the counts year by year ("D評価の件数の推移") are a history.
_HISTORY = re.compile(r"推移|経年|trend|histor|over\s+the\s+years", re.IGNORECASE)

# Items that came or went between two reports (not a grade that rose or fell; 新規 is a
# category, the plan's own word for a new item).
_ADDED = re.compile(
    r"(?:新しく|新たに)?(?:加わった|加えられた|追加された|追加になった)|新たに(?:追加|掲載|報告)|"
    r"(?:新しく|新たに)(?:入った|入れた|載った|出てきた)|"
    r"初めて(?:報告|掲載|登場)|(?:newly\s+)?added|new\s+(?:this|in|since)\b|"
    r"appeared|first\s+reported",
    re.IGNORECASE,
)
_DROPPED = re.compile(
    r"(?:報告|掲載)?(?:なくなった|無くなった|されなくなった)|廃止された|削除された|外れた|消えた|"
    r"no\s+longer\s+(?:reported|listed|in)|(?:were|was|been|items?)\s+(?:dropped|removed)|"
    r"discontinued|disappeared|dropped\s+(?:from|out)",
    re.IGNORECASE,
)
# A grade that fell ("dropped to D", "Dがなくなった") is no item gone.
# (The word 評価 alone is none: "新しく加わった事業の評価は？", "評価されなくなった事業".)
_GRADE_NEAR = re.compile(r"(?<![A-Za-z])[A-D](?![A-Za-z])|(?i:\bgrades?\b|\bratings?\b)")


def _take_presence(work: Work, text: str) -> str | None:
    """ "added" or "dropped" where the question asks which items came or went."""
    if _GRADE_NEAR.search(text):
        return None
    added, dropped = bool(take_regex(work, _ADDED)), bool(take_regex(work, _DROPPED))
    # "新しく入った事業と、なくなった事業": both lists.
    return (
        "came_and_went"
        if added and dropped
        else "added"
        if added
        else "dropped"
        if dropped
        else None
    )


_ALL = re.compile(
    r"全事業|全て|すべて|全部|全件|一覧|\ball\b|\bevery\b|\beverything\b", re.IGNORECASE
)


def parse_question(raw: str, lexicon: Lexicon, *, years: list[int]) -> QuerySpec:
    """The question a message asks (``read_question``'s decision alone)."""
    return read_question(raw, lexicon, years=years).spec


# Who is asking, said before the question ("男女平等推進センターの者です。", "高齢者支援課
# の山田です、"): no filter, unless the question then says "うちの課" for that office.
_SELF_INTRO = re.compile(
    r"(?:^|(?<=[。、,.!?！？\s]))(?P<org>[^。、,\s]{1,30}?(?:課|室|係|センター|部|局|事務所|担当))"
    r"(?:の|で)(?:者|担当者?|(?!事業|評価|件|一覧|予定|計画|内容|方)[\u4e00-\u9fff]{1,4})"
    r"(?:です|でございます)(?:が|けど)?(?:[。、,.!！]|\s|$)"
)
_OWN_OFFICE = re.compile(
    r"うちの課|うちの部署|当課|弊課|自課|私たちの課|私どもの課|自分の課|うちのセンター"
)
# "うちの課（高齢者支援課）": the office named in brackets.
_OWN_OFFICE_NAMED = re.compile(
    r"(?:" + _OWN_OFFICE.pattern + r")\s*[(（]\s*(?P<org>[^)）]{2,30})\s*[)）]"
)


def _without_self_introduction(text: str) -> str:
    """The question without who is asking; "うちの課" read as the office introduced."""
    text = _OWN_OFFICE_NAMED.sub(lambda m: m.group("org"), text)
    if not (m := _SELF_INTRO.search(text)):
        return text
    rest = (text[: m.start()] + " " + text[m.end() :]).strip()
    if _OWN_OFFICE.search(rest):
        rest = _OWN_OFFICE.sub(m.group("org"), rest)
    return rest


def read_question(raw: str, lexicon: Lexicon, *, years: list[int]) -> Reading:
    """Read a message. ``years`` are the fiscal years the warehouse holds (any order)."""
    text, problem = clean_question(raw)
    text = _without_self_introduction(text)
    work = Work(text)
    language = language_of(text, lexicon)
    if problem == Problem.TOO_LONG:
        # Cut short, a question may have lost the words that matter: ask again.
        return _help_reading(
            raw, text, QuerySpec(intent=Intent.HELP, language=language, problem=problem)
        )
    bare = text.strip(_EDGE_PUNCTUATION)
    if (
        not text
        or _HELP.match(bare)
        or _HELP.match(text)
        or _GREETING.match(bare)
        or _THANKS.match(bare)
        or _grade_meaning(text)
    ):
        return _help_reading(
            raw, text, QuerySpec(intent=Intent.HELP, language=language, problem=problem)
        )

    flags: set[Flag] = set()
    with work.reading(SpanKind.LANGUAGE):
        for pattern, _ in REPLY_LANGUAGE:
            take_regex(work, pattern)  # (read by language_of)
    latest = max(years) if years else None
    with work.reading(SpanKind.YEAR):
        if latest is not None:
            _next_year_plan(work, latest)
        fiscal_years, starts, marks = _take_years(work, latest)
    with work.reading(SpanKind.HIERARCHY):
        titled, not_titles = _take_titles(work, lexicon)
        listed = take_part_lists(work)
        goal, policy, measure, priority = _take_hierarchy(work)
        parts = combine(listed, goal, policy, measure)
        if len(titled) >= 2:
            parts = tuple(PlanPart(goal=g, policy=p, measure=m) for g, p, m in titled)
        if parts:
            goal = policy = measure = None  # several parts: the items of any of them
        elif titled:
            goal, policy, measure = titled[0]
        else:
            _take_title_after_number(work, lexicon, goal, policy, measure)
    with work.reading(SpanKind.ITEM):
        item_numbers = _take_items(work)
    names = [(m.start, m.end) for m in lexicon.match_exact(work.text.lower())]
    with work.reading(SpanKind.TRANSITION):
        # "令和元年度にAで令和2年度にB以下": a grade condition for each year named.
        per_year = take_year_grades(work, marks, language, names)
    with work.reading(SpanKind.OVER_YEARS):
        over, run = _take_over_years(work)
        # Named items over a span of years are their history ("事業16の3年間の評価").
        years_span = bool(item_numbers) and bool(take_regex(work, _YEARS_SPAN))
    with work.reading(SpanKind.TRANSITION):
        from_grades, to_grades, same_grade, was_grade = take_transition(work, text)
        steps = _take_steps(work)
    if per_year is not None:
        from_grades, to_grades = per_year
        if from_grades == to_grades:
            # "去年B評価で今年もB": the same grade in each year named.
            over, from_grades, to_grades = "every", (), ()
    names = [(m.start, m.end) for m in lexicon.match_exact(work.text.lower())]
    # "Is item 42 on track?", "事業42は順調ですか": how it stands, not a filter for A.
    status = bool(_STATUS.search(text))
    with work.reading(SpanKind.RANKING):
        # Before grades: "一番評価が低い" is the lowest grade held, not C and D.
        superlative = take_superlative(work, names)
        # Items in an order of their grades ("評価の低い順に並べて", "worst first").
        item_order = _take_item_order(work) if superlative is None else None
    with work.reading(SpanKind.OTHER):
        # A grade said in passing ("A評価ばっかりだけど、B以下は？") is no condition.
        take_regex(work, _GRADE_ASIDE)
    with work.reading(SpanKind.GRADE):
        # "…は何件？そのうちAは？": the count of the whole, its grades in the breakdown.
        of_which = any(
            _COUNT_WORDS.search(work.text[: m.start()]) for m in _OF_WHICH.finditer(work.text)
        )
        grades = take_grades(work, language, names, legend=not status, words=not item_numbers)
        if (of_which and grades) or len(set(grades)) == len(Grade):
            # (Every grade named, "A〜Dの数", is no condition either.)
            grades = ()
    if per_year is not None and over == "every" and not grades:
        grades = per_year[0]
    with work.reading(SpanKind.DEPARTMENT):
        # (Before "担当課" is read as asking which department: "担当課が複数ある事業".)
        shared = bool(take_regex(work, _SHARED))
    with work.reading(SpanKind.PER_GROUP):
        per_group = bool(take_regex(work, _PER_GROUP))
    with work.reading(SpanKind.WHICH_DEPARTMENT):
        asks_department = bool(take_regex(work, _WHICH_DEPARTMENT))
    with work.reading(SpanKind.RANKING):
        # (Searched in the whole text too: "最も少ない課" was read as asking which課.)
        ranked = take_regex(work, _RANKING) or list(_RANKING.finditer(text))
    ranking: Literal["most", "fewest", "best", "worst"] | None = None
    if not ranked and grades and asks_department:
        ranked = list(_SUPERLATIVE.finditer(text))
    if ranked:
        flags.add(Flag.RANKING)
        ranking = "fewest" if _FEWEST.search(ranked[0].group(0)) else "most"
    with work.reading(SpanKind.SHARE):
        share = bool(take_regex(work, _SHARE))
    with work.reading(SpanKind.MUNICIPALITY):
        named = _take_municipalities(work, lexicon)
    municipalities = list(dict.fromkeys(name for name, _ in named))
    municipality = municipalities[0] if municipalities else None
    with work.reading(SpanKind.DEPARTMENT):
        departments, excluded, dept_suggestions, dept_problem = _take_departments(work, lexicon)
    with work.reading(SpanKind.CATEGORY):
        categories = _take_all(work, _CATEGORY_PATTERNS)
    with work.reading(SpanKind.TARGET):
        targets = _take_all(work, _TARGET_PATTERNS)
    with work.reading(SpanKind.PRESENCE):
        presence = _take_presence(work, text)
    with work.reading(SpanKind.INTENT):
        intent, direction = _take_intent(work, len(fiscal_years))
    if presence:
        intent, direction = "trend", presence
    for flag, on in (
        (Flag.STATUS, status),
        (Flag.PER_GROUP, per_group),
        (Flag.ASKS_DEPARTMENT, asks_department),
        (Flag.SHARE, share),
        (Flag.SAME_GRADE, same_grade),
        (Flag.WAS_GRADE, was_grade),
    ):
        if on:
            flags.add(flag)
    if per_group and intent in ("count", "list"):
        # "how many items does each department have?", "課ごとの件数": counts per group
        # are what a summary shows.
        intent = "summary"
    if (
        intent == "trend"
        and len(item_numbers) >= 2
        and not fiscal_years
        and any(_COMPARE.search(span.text) for span in work.spans if span.kind == SpanKind.INTENT)
    ):
        # "事業40、41、42の評価を比較したい": the items side by side, not how each moved.
        intent, direction = "detail", None
    if (from_grades or to_grades or same_grade) and intent == "detail" and item_numbers:
        # "事業16はなぜDになったのか" asks for the item's reasons: its details, any grade.
        from_grades = to_grades = ()
    elif to_grades and not (from_grades or same_grade or was_grade) and len(years) < 2:
        # "何が原因でDになったのか" with one year's report: there is no earlier grade to
        # have moved from; the grade it is now is what is asked about.
        grades, to_grades = tuple(dict.fromkeys((*grades, *to_grades))), ()
    elif from_grades or to_grades or same_grade:
        intent = "trend"
        if same_grade and not (from_grades or to_grades):
            direction = "same"
        elif was_grade:
            direction = "any"  # what became of them, changed or not
        elif from_grades and to_grades:
            direction = direction_between(from_grades, to_grades)
        elif _TREND_UP.search(text):
            direction = "up"  # "rose to A", "Dから改善"
        elif _TREND_DOWN.search(text):
            direction = "down"  # "dropped to D", "Dに下がった"
        else:
            direction = direction or "changed"
    if status and intent == "list":
        intent = "detail" if item_numbers else "summary"
    if share and intent in ("list", "count", "summary"):
        # The grades asked about are read off the whole breakdown, with their shares.
        intent, grades = "summary", ()
    if (
        ranked
        and not asks_department
        and not item_numbers
        and intent in ("list", "count", "detail")
        and _COMMON.search(text)
    ):
        intent = "summary"  # "一番多い評価は？": the grades' breakdown answers it
    if ranking and asks_department and intent in ("list", "count", "detail"):
        intent = "summary"  # "A評価が一番多いのはどこの課？"
    if not asks_department:
        ranking = None  # "一番多い" of nothing ranked: no more than a word
    ranked: Ranked | None = "department" if ranking else None
    if superlative is not None and intent not in ("trend", "compare"):
        flags.add(Flag.RANKING)
        ranking, ranked = superlative.order, superlative.ranked
        # Which grade, or which group, is an overview; the items graded lowest a list.
        if ranked != "item":
            intent = "summary"
        elif intent != "count":
            intent = "list"
    if item_order is not None and ranking is None and intent in ("list", "detail", "count"):
        ranking, ranked = item_order, None
    if asks_department and intent in ("list", "count"):
        # "事業16はどの課？" is answered by the item's details; "どの課にD評価が？" by
        # a summary per department.
        intent = "detail" if item_numbers else "summary"
    with work.reading(SpanKind.ALL):
        wants_all = bool(take_regex(work, _ALL))
    if wants_all:
        flags.add(Flag.WANTS_ALL)
    if intent in ("detail", "trend", "list") and not item_numbers:
        with work.reading(SpanKind.NUMBER):
            item_numbers = _take_bare_numbers(work) if intent in ("detail", "trend") else ()
    # A part of the plan or of its items named: a department, a goal, a category …
    narrowed = bool(
        departments
        or shared
        or goal
        or policy
        or measure
        or parts
        or priority
        or categories
        or targets
    )
    selects = bool(grades or from_grades or to_grades or narrowed or item_numbers or municipality)
    with work.reading(SpanKind.TOPIC):
        keywords, unmatched = _take_topics(work, text, lexicon, selects=selects)
    unmatched = (*not_titles, *unmatched)

    if (
        intent in ("list", "summary")
        and item_numbers
        and not (grades or keywords or categories or targets)
        and (not departments or _EACH.search(text))
    ):
        # Named items alone: "事業42", "what is the status of item 16?" show the items;
        # so do "事業39の地域支援課と高齢者支援課のそれぞれの評価".
        intent = "detail"
    if intent in ("detail", "list") and item_numbers and (len(fiscal_years) >= 2 or years_span):
        # "the grade of item 19 in 2019 and 2020", "事業16の3年間の評価", "これまでの評価"
        intent = "trend"
    if (
        # (A list only with years to set against each other: "前年度比" reads as a
        # year, "2年分並べて" as both.)
        (
            intent == "trend"
            or (intent in ("list", "detail") and (fiscal_years or _BOTH_YEARS.search(text)))
        )
        and direction in ("changed", None)
        and not (item_numbers or from_grades or to_grades)
        and (
            (
                (narrowed or keywords)
                and _SIDE_BY_SIDE.search(text)
                and not _CHANGE_NAMED.search(text)
            )
            or (intent == "trend" and _BREAKDOWN.search(text) and not _HISTORY.search(text))
        )
    ):
        intent, direction = "compare", None
    if (
        intent == "trend"
        and direction in ("changed", None)
        and not (item_numbers or from_grades or to_grades or over)
        and (narrowed or keywords)
        and _HISTORY.search(text)
    ):
        # "保育課の事業の推移": the grades, year by year, of the items the selection holds.
        direction = "history"
    if (
        intent in ("compare", "trend")
        and len(departments) >= 2
        and not (fiscal_years or item_numbers or from_grades or to_grades)
        and direction in ("changed", None)
        and not (_BOTH_YEARS.search(text) or _CHANGE_NAMED.search(text))
    ):
        # Departments set against each other, not against another year ("高齢者支援課と
        # 子ども家庭支援センターを比較したい"): each one's grades, side by side.
        intent, direction = "summary", None
    if intent == "list" and starts and not item_numbers and _DIFFERENCE.search(text):
        # "前年度との違いを教えて": what changed since that year.
        intent, direction = "trend", "changed"
    fiscal_year = fiscal_years[-1] if fiscal_years else None
    compare = fiscal_years[0] if len(fiscal_years) >= 2 else None
    if (
        compare is None
        and fiscal_year is not None
        and latest is not None
        and fiscal_year < latest
        and (
            (intent in ("trend", "compare") and fiscal_year in starts)
            # "前年度比で評価Aの数は増えた？", "課別に…前年度との差もわかるように": the latest
            # year's counts beside that year's.
            or (
                intent in ("count", "summary")
                and fiscal_year in starts
                and (_SIDE_BY_SIDE.search(text) or _DIFFERENCE_OF.search(text))
            )
            or was_grade
            or direction == "same"
        )
    ):
        # One earlier year named as the start ("what changed since last year?"), or as the
        # year a grade was or stayed ("令和元年度にA評価だった事業は今どうなっている？",
        # "前年度と同じ評価"): from that year to the latest.
        compare, fiscal_year = fiscal_year, latest
    if (
        intent in ("trend", "compare")
        and not item_numbers
        and compare is None
        and fiscal_year is not None
    ):
        # "what changed in 2020?" compares with the year before.
        compare = max((y for y in years if y < fiscal_year), default=None)

    # Nothing picked out at all, or nothing but years: a list of everything is then a
    # guess, and a detail or a follow-up names nothing to show.
    # (A ranking without a selection ranks the whole plan: "一番よい評価の事業は？".)
    vague = not (selects or keywords or ranked)
    if vague and unmatched and intent in ("list", "count") and _EN_TOPIC.search(text):
        # "items about space rockets": English words are the whole question, so they are
        # its topics (an answer then says no item mentions them, not "not understood").
        keywords = tuple(Keyword(word=w, matches=(search_key(w),)) for w in unmatched)
        unmatched, vague = (), False
    nothing = vague and not fiscal_years
    if vague:
        flags.add(Flag.VAGUE)
    if municipalities[1:]:
        # One municipality at a time: offer the question once per city named.
        problem = Problem.SEVERAL_MUNICIPALITIES
        dept_suggestions = _per_municipality(text, named)
    elif (unknown := _unknown_municipality(keywords, lexicon)) is not None:
        # "三鷹市のD評価" where no report of 三鷹市 is in: say so, not "nothing found".
        problem = Problem.UNKNOWN_MUNICIPALITY
        dept_suggestions = (unknown, *lexicon.municipalities[:5])
    elif (
        vague
        and not wants_all
        and (_FOLLOW_UP.search(text) or (intent == "detail" and not _TEXT_COLUMN.search(text)))
    ):
        # "詳細は？", "それの詳細", "same for 2020": planbot keeps no earlier question.
        flags.add(Flag.FOLLOW_UP)
        problem = problem or Problem.NO_CONTEXT
    if dept_problem:
        problem = problem or dept_problem
    elif nothing and intent == "list" and not wants_all:
        problem = problem or Problem.UNKNOWN
    over_years: tuple[int, ...] = ()
    if over == "any" and not grades:
        grades = to_grades or from_grades  # "一度でもD評価になった": D is the grade asked
    if over == "every" and run is None and not (len(fiscal_years) >= 2 and grades):
        over = None  # "both" of two years named, about grades
    if over == "any" and not grades:
        over = None
    if over is not None and years:
        end = max(fiscal_years) if fiscal_years else max(years)
        if run is not None:
            if len(fiscal_years) == 1 and fiscal_years[0] in starts:
                # "令和元年度から3年間ずっとB": the run starts at the year named.
                end = fiscal_years[0] + run - 1
            over_years = tuple(range(end - run + 1, end + 1))
            if not grades:
                over = "same"  # "3年連続で同じ評価", "unchanged 3 years in a row"
        elif over == "every":
            over_years = tuple(fiscal_years)
        else:
            start = min(fiscal_years) if len(fiscal_years) >= 2 else min(years)
            over_years = tuple(y for y in sorted(years) if start <= y <= end)
        intent, direction = "trend", None
        from_grades = to_grades = ()
        fiscal_year, compare = end, None
    spec = QuerySpec(
        intent=intent,
        language=language,
        over=over if over_years else None,
        over_years=over_years,
        grades=grades,
        departments=departments,
        excluded_departments=excluded,
        shared=shared or None,
        item_numbers=item_numbers,
        goal=goal,
        policy=policy,
        parts=parts,
        measure=measure,
        priority=priority,
        categories=categories,
        target_groups=targets,
        fiscal_year=fiscal_year,
        compare_fiscal_year=compare,
        trend_direction=direction,
        min_steps=steps if intent == "trend" and direction in ("up", "down", "changed") else None,
        municipality=municipality,
        from_grades=from_grades,
        to_grades=to_grades,
        keywords=keywords,
        suggestions=dept_suggestions,
        unmatched=unmatched,
        ranking=ranking,
        ranked=ranked,
        problem=problem,
    )
    return Reading(
        question=raw, text=text, spans=tuple(work.spans), flags=frozenset(flags), spec=spec
    )


# Where a clause that says why or how the message is sent ends: a predicate, then ので,
# ため after a state or a past ("必要があるため", "あったため"; "…するため" is a purpose),
# が/けど/から with a comma, or a te-form going on ("問い合わせが来ていて、").
_REASON_END = re.compile(
    r"(?:[るたいうくすつぬむぶぐ]|です|ます|ません|でした|ました|だ|な)"
    r"(?:ので|のですが|んですが|んだけど|んだけれど)[、,\s]?"
    r"|(?:ある|いる|ない|た|だ|な)ため(?:に)?[、,\s]?"
    r"|(?:[るたいうくすつぬむぶぐ]|です|ます|ません|でした|ました|だ)(?:が|けど|けれど(?:も)?|から)[、,]"
    r"|(?:てい|でい|てお|てき|てあ)(?:て|り|まして)[、,]|たく[、,]"
)


def _take_topics(
    work: Work, text: str, lexicon: Lexicon, *, selects: bool
) -> tuple[tuple[Keyword, ...], tuple[str, ...]]:
    """The topic words of a message. Those of a clause that says why or how it is sent
    ("窓口で市民の方に説明する必要があるため、…", "議員さんから問い合わせが来ていて、…") are
    read only when the rest of it selects nothing and names no topic ("DV相談の件ですが、
    何件ありますか")."""
    ends = [m.end() for m in _REASON_END.finditer(text)]
    # (Up to the last such clause; the request itself must have words left after it.)
    cut = next((e for e in reversed(ends) if text[e:].strip(" 、,。?？!！")), 0)
    if not cut:
        return take_keywords(work, lexicon)
    clause = work.text[:cut]
    work.text = " " * cut + work.text[cut:]
    keywords, unmatched = take_keywords(work, lexicon)
    if selects or keywords or unmatched:
        work.text = clause + work.text[cut:]
        return keywords, unmatched
    work.text = clause + work.text[cut:]
    return take_keywords(work, lexicon)


def _help_reading(raw: str, text: str, spec: QuerySpec) -> Reading:
    return Reading(question=raw, text=text, flags=frozenset({Flag.HELP}), spec=spec)


def asks_grade_meaning(raw: str) -> bool:
    """Whether a message asks what the grades mean ("評価Cとは？", "what do the grades
    mean?"): the help then starts with the grade legend."""
    return _grade_meaning(clean_question(raw)[0])


def is_thanks(raw: str) -> bool:
    """Whether a message only thanks planbot (its reply then starts with "you're welcome")."""
    return bool(_THANKS.match(clean_question(raw)[0].strip(_EDGE_PUNCTUATION)))


_EDGE_PUNCTUATION = " ?？!！。.、,~〜"


def _grade_meaning(text: str) -> bool:
    """``asks_grade_meaning`` of a question already cleaned."""
    return bool(
        _MEANING.search(text) and _GRADE_WORD.search(text) and not _NAMES_SOMETHING.search(text)
    )


# "令和2年度予定", "2020年度の計画": a plan for the year after the latest report's year is
# that report's 次年度予定 column.
_PLAN_OF_YEAR = re.compile(
    r"(令和\s*(?:元|\d{1,2})|平成\s*\d{1,2}|(?:19|20)\d{2})\s*年度?\s*(?:の)?\s*(?:事業)?\s*(?:予定|計画)"
)


def _next_year_plan(work: Work, latest: int) -> None:
    for m in list(_PLAN_OF_YEAR.finditer(work.text)):
        if latest + 1 in find_fiscal_years(m.group(1) + "年度"):
            work.text = work.text[: m.start()] + "次年度予定" + work.text[m.end() :]
            return


def _take_years(
    work: Work, latest: int | None
) -> tuple[list[int], set[int], list[tuple[int, int, int]]]:
    """The fiscal years named, those named as a starting point ("since 2019", "昨年度から",
    "前年度と比べて"), and where each was named: (start, end, year)."""
    years: set[int] = set()
    starts: set[int] = set()
    marks: list[tuple[int, int, int]] = []

    def found(year: int, m: re.Match[str], start: int) -> None:
        years.add(year)
        if _SINCE_BEFORE.search(work.text[:start]) or _SINCE_AFTER.match(work.text[m.end() :]):
            starts.add(year)
        work.take(start, m.end())
        marks.append((start, m.end(), year))

    for m in list(_ERA_RANGE.finditer(work.text)):
        era = m.group(1)
        found(era_to_fiscal_year(era, m.group(2)), m, m.start())
        years.add(era_to_fiscal_year(era, m.group(3)))
    for pattern, kind in _YEAR_PATTERNS:
        for m in pattern.finditer(work.text):
            value = m.group(1)
            if kind == "reiwa":
                year = era_to_fiscal_year("令和", value)
            elif kind == "heisei":
                year = era_to_fiscal_year("平成", value)
            elif kind == "fy" and len(value) == 2:
                year = 2000 + int(value)
            else:
                year = int(value)
            found(year, m, m.start(1) if kind == "western_word" else m.start())
    if latest is not None:
        for m in list(_YEARS_AGO.finditer(work.text)):
            found(latest - int(m.group(1) or m.group(2)), m, m.start())
        for pattern, offset in _RELATIVE_YEAR:
            for m in pattern.finditer(work.text):
                found(latest + offset, m, m.start())
    return sorted(years), starts, sorted(marks)


# A title in quotes, and the level word before it (基本施策「…」).
_QUOTED_TITLE = re.compile(
    r"(?P<level>基本目標|目標|基本施策|施策|goal|(?:basic\s+)?policy|measure)?\s*"
    r"(?:「(?P<a>[^」]{2,80})」|『(?P<b>[^』]{2,80})』|\"(?P<c>[^\"]{2,80})\"|“(?P<d>[^”]{2,80})”)",
    re.IGNORECASE,
)


def _take_titles(
    work: Work, lexicon: Lexicon
) -> tuple[list[tuple[int, int | None, int | None]], list[str]]:
    """The parts of the plan named by their titles in quotes: (goal, policy, measure), as
    deep as each title goes; a part of a title is the part of the plan all its matches
    share. Several titles are several parts ("「…」と「…」の事業"); a quoted text listed
    with a title that is none of the report's is returned second (a title of a part this
    report does not hold, not a topic)."""
    named: list[tuple[int, int | None, int | None]] = []
    others: list[re.Match[str]] = []
    taken: list[tuple[int, int]] = []
    for m in list(_QUOTED_TITLE.finditer(work.text)):
        quoted = m.group("a") or m.group("b") or m.group("c") or m.group("d")
        key = search_key(quoted)
        level = (m.group("level") or "").lower()
        # Part of a title only after the level's word: a quoted word alone is a topic.
        found = [t for t in lexicon.titles if t.key == key] or [
            t for t in lexicon.titles if level and len(key) >= 4 and key in t.key
        ]
        depth = (
            1
            if "目標" in level or level == "goal"
            else 2
            if "基本" in level or "polic" in level
            else 3
            if level
            else 0
        )
        if depth:
            found = [t for t in found if _depth(t) == depth] or found
        if not found:
            others.append(m)
            continue
        # Where the matches part ways, the answer is the part above.
        goals = {t.goal for t in found}
        if len(goals) > 1:
            continue
        policies = {t.policy for t in found}
        measures = {t.measure for t in found}
        policy = policies.pop() if len(policies) == 1 else None
        measure = measures.pop() if len(measures) == 1 and policy is not None else None
        work.take(m.start(), m.end())
        taken.append((m.start(), m.end()))
        named.append((goals.pop(), policy, measure))
    unknown: list[str] = []
    for m in others:
        if any(
            _TITLE_JOIN.fullmatch(work.text[min(end, m.end()) : max(start, m.start())])
            for start, end in taken
        ):
            unknown.append(m.group("a") or m.group("b") or m.group("c") or m.group("d"))
            work.take(m.start(), m.end())
    return list(dict.fromkeys(named)), unknown


# Between two titles listed together.
_TITLE_JOIN = re.compile(r"\s*(?:と|、|,|・|や|及び|および|and|or)\s*", re.IGNORECASE)


def _take_title_after_number(
    work: Work, lexicon: Lexicon, goal: int | None, policy: int | None, measure: int | None
) -> None:
    """The title written after a part's number, unquoted ("施策(5)推進体制の整備の事業"):
    it names the same part, so its words are no topic."""
    depth = 3 if measure is not None else 2 if policy is not None else 1 if goal else 0
    if not depth:
        return
    keys = {
        t.key
        for t in lexicon.titles
        if _depth(t) == depth
        and (goal is None or t.goal == goal)
        and (policy is None or t.policy == policy)
        and (measure is None or t.measure == measure)
    }
    if not keys:
        return
    for span in [s for s in work.spans if s.kind == SpanKind.HIERARCHY]:
        start = span.end
        while start < len(work.text) and work.text[start] in " :：・の-":
            start += 1
        # One pass, character by character, while the text read is the start of a title
        # (the longest title found wins).
        keyed, taken = "", None
        for end in range(start, len(work.text)):
            keyed += search_key(work.text[end])
            if not any(k.startswith(keyed) for k in keys):
                break
            if keyed in keys:
                taken = end + 1
        if taken is not None:
            work.take(start, taken)
            return


def _depth(title: HierarchyTitle) -> int:
    return 1 if title.policy is None else 2 if title.measure is None else 3


def _take_hierarchy(work: Work) -> tuple[int | None, int | None, int | None, bool | None]:
    goal = policy = measure = None
    if m := _GOAL.search(work.text):
        raw = m.group(1).upper()
        goal = int(raw) if raw.isdigit() else roman_to_int(raw)
        work.take(m.start(), m.end())
    if m := _POLICY.search(work.text):
        policy = int(m.group(1))
        work.take(m.start(), m.end())
    if m := _MEASURE.search(work.text):
        measure = int(m.group(1))
        work.take(m.start(), m.end())
    # "重点じゃない", "重点以外", "non-priority": the items of the other measures.
    if take_regex(work, _NOT_PRIORITY):
        priority: bool | None = False
    else:
        priority = True if take_regex(work, _PRIORITY) else None
    return goal, policy, measure, priority


def _numbers(text: str) -> list[int]:
    """'16、18と20' → [16, 18, 20]; '16〜20' → 16…20 (ranges capped at 200 numbers)."""
    result: list[int] = []
    for m in re.finditer(
        r"(\d{1,4})(?:\s*(?:[~〜\-]|から|to)\s*(?:#|№|No\.?\s*|事業\s*)?(\d{1,4}))?", text, re.I
    ):
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else low
        if high < low or high - low > 200:
            high = low
        result.extend(range(low, high + 1))
    return result


# A decade of item numbers: "事業番号30番台" is items 30–39, "items in the 60s" 60–69.
_DECADE = re.compile(
    r"(?:事業\s*(?:番号|no\.?)?\s*)?(\d{1,3})0\s*(?:番台|番代)"
    r"|(?:items?|numbers?)\s+(?:in\s+the\s+)?(\d{1,3})0'?s\b",
    re.IGNORECASE,
)


def _take_items(work: Work) -> tuple[int, ...]:
    found: list[int] = []
    for m in list(_DECADE.finditer(work.text)):
        tens = int(m.group(1) or m.group(2)) * 10
        found.extend(range(tens, tens + 10))
        work.take(m.start(), m.end())
    for pattern in _ITEM_PATTERNS:
        for m in list(pattern.finditer(work.text)):
            found.extend(_numbers(m.group(1)))
            work.take(m.start(), m.end())
    return tuple(dict.fromkeys(n for n in found if n > 0))


def _take_bare_numbers(work: Work) -> tuple[int, ...]:
    found = [int(m.group(1)) for m in _BARE_NUMBER.finditer(work.text)]
    take_regex(work, _BARE_NUMBER)
    return tuple(dict.fromkeys(n for n in found if n > 0))


def _take_municipalities(work: Work, lexicon: Lexicon) -> list[tuple[str, str]]:
    """(name, as written) of the municipalities a question names ("三鷹市のD評価")."""
    found = lexicon.match_municipalities(work.text)
    named = [(m.name, work.text[m.start : m.end]) for m in found]
    for match in found:
        work.take(match.start, match.end)
    return named


def _per_municipality(text: str, named: list[tuple[str, str]]) -> tuple[str, ...]:
    """'三鷹と武蔵野市のD評価' → ('三鷹のD評価', '武蔵野市のD評価')."""
    out: dict[str, str] = {}
    for keep, _ in named:
        question = text
        for name, written in named:
            if name != keep:
                question = re.sub(re.escape(written) + r"\s*(?:と|・|、|,|and|&)?\s*", "", question)
        question = re.sub(r"(?:と|・|、|,|and|&)\s*(?=の|$)", "", question).strip()
        out.setdefault(keep, question)
    return tuple(out.values())


def _unknown_municipality(keywords: tuple[Keyword, ...], lexicon: Lexicon) -> str | None:
    """A keyword that is a municipality's name (三鷹市, 調布市, 港区) the warehouse lacks."""
    if not lexicon.municipalities:
        return None
    for keyword in keywords:
        word = keyword.word
        if (
            _MUNICIPALITY_NAME.fullmatch(word)
            and word not in _NOT_MUNICIPALITIES
            and not _NOT_A_PLACE.search(word)
        ):
            return word
    return None


_MUNICIPALITY_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}[市区町村]")  # (not 地区, 都市)
# Parts of words about places in general: 近隣市, 姉妹都市, 各市町村, 多摩地区, 二十三区.
_NOT_A_PLACE = re.compile(
    r"都市|地区|区市|町村|市区|(?:通学|担当|学|校|選挙|行政|管轄|受持)区$|"
    r"^(?:近隣|姉妹|各|他|全|周辺|健康|多摩|二十三|県内|都内)"
)
# Words shaped like a municipality's name that are not one.
_NOT_MUNICIPALITIES = frozenset(
    [
        *("市町村", "区市町村", "大都市", "政令市", "中核市", "特別区", "行政区", "選挙区"),
        *("城下町", "門前町", "宿場町", "農山村"),
    ]
)


# Words that say what follows is the topic ("items about …", "anything on …").
_EN_TOPIC = re.compile(r"\b(?:about|on|regarding|concerning|related\s+to|involving)\b", re.I)

# A question of how things stand, answered by a summary or the details, not a grade filter.
_STATUS = re.compile(
    r"^(?:is|are|was|were|has|have)\b.*\b(?:on\s+track|achieved)|"
    r"\bwhat\s+(?:was|were|has(?:\s+been)?|have(?:\s+been)?|did)\b.*\bachiev|"
    r"(?:順調|達成)(?:していますか|しましたか|でしょうか|ですか|できた|できましたか|か[?？]|[?？])",
    re.IGNORECASE,
)
# A column of texts named: "次年度予定の詳細" is every item's, not a follow-up.
_TEXT_COLUMN = re.compile(r"予定|計画|実績|方針|取組|(?i:next\s+year|plans?|results?)")
# Words that point back at an earlier message, which planbot does not keep.
_FOLLOW_UP = re.compile(
    r"(?<![\u3040-\u309f])(?:それ(?!ぞれ)|その(?![\u3040-\u309f])|あれ)|さっき|先ほど|"
    r"前の質問|上の件|同じ条件|同じく|次のページ|続き|\b(?:those|above|again)\b",
    re.IGNORECASE,
)


# Items more than one department evaluates (共管), or the departments named evaluate
# together: "複数の課が担当している事業", "地域支援課と高齢者支援課が一緒にやっている事業".
_SHARED = re.compile(
    r"(?:複数|[2２二]つ以上|[2２二]つ|いくつか|両方)の(?:課|部署|担当課|所管課)(?:で|が|に)?"
    r"(?:担当|所管|またが|関わ|かかわ|実施|やって)?|(?:担当|所管)?課が複数|複数課|両課|共管|"
    r"(?:一緒に|共同で|合同で|共同して|協力して)(?=\s*(?:やって|実施|担当|取り組|行って|進めて))|"
    r"(?:shared|run|handled)\s+(?:by|between)\s+(?:several|multiple|two|more\s+than\s+one)\s+"
    r"(?:departments|divisions|sections)|(?:several|multiple|two)\s+(?:departments|divisions)|"
    r"more\s+than\s+one\s+(?:department|division)|\bjointly\b",
    re.IGNORECASE,
)

_DEPARTMENTS_ABOUT = re.compile(
    r"([^\s、。,，のがはをにでとや]{2,10})(?:関係|関連|系|担当)の(?:課|部署|担当課|所管課|部局)"
)


def _take_departments(
    work: Work, lexicon: Lexicon
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]:
    """(departments, departments left out, suggestions, problem)."""
    names: list[str] = []
    excluded: list[str] = []
    suggestions: list[str] = []
    problem: str | None = None
    following_left_out: int | None = None  # start of the next name, if it is left out
    for match in reversed(lexicon.match_exact(work.text.lower())):
        left_out = _left_out(work, match.start, match.end) or (
            following_left_out is not None
            and bool(_NAME_LIST_GAP.match(work.text[match.end : following_left_out]))
        )
        (excluded if left_out else names).insert(0, match.name)
        following_left_out = match.start if left_out else None
        work.take(match.start, match.end)
    # Loosely typed English names ("child family support centre").
    for name, score, window in lexicon.match_english_fuzzy(work.text):
        if name in names or name in excluded:
            continue
        lowered = work.text.lower()
        start = lowered.find(window.split()[0])
        if score >= 88:
            last = window.split()[-1]
            end = lowered.find(last, max(start, 0)) + len(last)
            (excluded if start >= 0 and _left_out(work, start, end) else names).append(name)
            _blank_words(work, window)
        elif not suggestions and start >= 0:
            suggestions.append(name)
            problem = Problem.UNSURE_DEPARTMENT
            _blank_words(work, window)
        break
    # Departments named by what they do ("子ども関係の課", "高齢者系の部署"): every one
    # whose name holds the word.
    for m in reversed(list(_DEPARTMENTS_ABOUT.finditer(work.text))):
        if about := lexicon.departments_about(m.group(1)):
            names.extend(n for n in about if n not in names)
            work.take(m.start(), m.end())
    # Japanese fragments: a department without 課, or the core of its name.
    for run in list(JA_RUN.finditer(work.text)):
        for token, start in ja_tokens(run.group(0), run.start()):
            if len(search_key(token)) < 3 or token in JA_STOPWORDS:
                continue
            span = (start, start + len(token))
            # "高齢者支援以外": the department is the part before the word that leaves it out.
            chosen = names
            if (left := _EXCEPT_SUFFIX.search(token)) and left.start() > 0:
                token, chosen = token[: left.start()], excluded
            partial = lexicon.match_partial(token)
            # (Not 関係, nor a counted "2つの課": a department's name has a stem of its own.)
            looks_like_department = token.endswith(
                ("課", "センター", "室", "係")
            ) and not token.endswith(("関係", "つの課", "個の課", "以上の課"))
            if len(partial) == 1:
                if partial[0] not in chosen:
                    chosen.append(partial[0])
                work.take(*span)
            elif len(partial) > 1 and looks_like_department:
                suggestions.extend(p for p in partial if p not in suggestions)
                problem = problem or Problem.AMBIGUOUS_DEPARTMENT
                work.take(*span)
            elif looks_like_department and not partial:
                close = lexicon.match_fuzzy(token)
                if len(token) >= 8 and not token.endswith("課") and (not close or close[0][1] < 70):
                    # "配偶者暴力相談支援センター" is an item's name, not a department (a short
                    # "センター" or "高齢者関係" is a department typed loosely: ask which).
                    continue
                sure = [n for n, score in close if score >= 85]
                if len(sure) >= 1 and (len(close) == 1 or close[0][1] - close[1][1] >= 5):
                    chosen.append(sure[0])
                else:
                    likely = [n for n, score in close if score >= 50]
                    suggestions.extend(likely)
                    problem = problem or (
                        Problem.AMBIGUOUS_DEPARTMENT
                        if len(likely) > 1
                        else Problem.UNKNOWN_DEPARTMENT
                    )
                work.take(*span)
    if excluded:
        # "高齢者支援課以外", "except the elderly support division": every other one.
        names = [d for d in (names or lexicon.departments) if d not in excluded]
    return (
        tuple(dict.fromkeys(names)),
        tuple(excluded),
        tuple(dict.fromkeys(suggestions)),
        problem,
    )


def _left_out(work: Work, start: int, end: int) -> bool:
    """Whether the department named at ``start:end`` is one to leave out (以外, except …);
    the words that say so are taken."""
    after = _EXCEPT_AFTER.match(work.text, end)
    before = _EXCEPT_BEFORE.search(work.text[:start])
    for m in (after, before):
        if m:
            work.take(m.start(), m.end())
    return bool(after or before)


def _blank_words(work: Work, window: str) -> None:
    lowered = work.text.lower()
    for word in window.split():
        i = lowered.find(word)
        if i >= 0:
            work.take(i, i + len(word))
            lowered = work.text.lower()


def _take_all(work: Work, patterns: list[tuple[re.Pattern[str], str]]) -> tuple[str, ...]:
    """The values named; one named to be left out ("充実以外", "other than new") stands
    for every other value the patterns know."""
    found: list[str] = []
    left_out: list[str] = []
    for pattern, value in patterns:
        for m in reversed(list(pattern.finditer(work.text))):
            (left_out if _left_out(work, m.start(), m.end()) else found).append(value)
            work.take(m.start(), m.end())
    if left_out:
        every = dict.fromkeys(value for _, value in patterns)
        found.extend(v for v in every if v not in left_out)
    return tuple(dict.fromkeys(found))


def _take_intent(work: Work, n_years: int) -> tuple[str, str | None]:
    direction: str | None = None
    original = work.text
    for intent, pattern in _INTENT_PATTERNS:
        if pattern.search(work.text):
            if intent == "trend":
                up, down = _TREND_UP.search(original), _TREND_DOWN.search(original)
                # (Both: "上がった事業と下がった事業をそれぞれ" asks for every change.)
                direction = (
                    "changed" if up and down else "up" if up else "down" if down else "changed"
                )
            take_regex(work, pattern)
            if intent == "trend":
                # "D評価の件数の推移": how a count moves is a trend; 件数 is no keyword.
                take_regex(work, _COUNT_WORDS)
            return intent, direction
    if n_years >= 2:
        return "trend", "changed"
    return "list", None
