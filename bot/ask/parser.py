"""Read a staff question (Japanese, English or both) into a QuerySpec.

No language model is reachable, so reading is deterministic: the question is normalised
(NFKC, 子供/こども → 子ども), then recognisers take what they understand out of a
working copy of the text, one after another — fiscal years, hierarchy, item numbers,
grades, departments, categories, target groups, intent words — and whatever content
words remain become keywords. Each recogniser blanks the span it consumed, so a number
read as a year is never read again as an item number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.ask.lexicon import Lexicon
from bot.models import Grade, Keyword, Language, QuerySpec
from bot.text import (
    era_to_fiscal_year,
    find_fiscal_years,
    nfkc,
    roman_to_int,
    search_key,
    unify_kodomo,
)

MAX_QUESTION_CHARS = 500
GRADE_ORDER = "ABCD"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")
_JA_CHAR = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶ"
_JA_RUN = re.compile(f"[{_JA_CHAR}]+")
_HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309fー]+$")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")

# --- fiscal years --------------------------------------------------------------------
_YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"令和\s*(元|\d{1,2})\s*年度?"), "reiwa"),
    (re.compile(r"平成\s*(\d{1,2})\s*年度?"), "heisei"),
    (re.compile(r"(?<![A-Za-z0-9])FY\s*'?(\d{4}|\d{2})(?!\d)", re.IGNORECASE), "fy"),
    (re.compile(r"(?<![A-Za-z0-9])R\s*(\d{1,2})(?:\s*年度)?(?![\d.])"), "reiwa"),
    (re.compile(r"(?<![A-Za-z0-9])H\s*(\d{2})(?:\s*年度)?(?![\d.])"), "heisei"),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?"), "western"),
    (
        re.compile(
            r"(?:fiscal(?:\s+year)?|year|in|for|of|from|to|between|and|vs\.?)\s+"
            r"((?:19|20)\d{2})(?!\d)",
            re.IGNORECASE,
        ),
        "western_word",
    ),
    (
        re.compile(
            r"(?<!\d)((?:19|20)\d{2})(?=\s*(?:and|to|vs|-|~|〜|から|と)\s*(?:19|20)\d{2})",
            re.IGNORECASE,
        ),
        "western",
    ),
]
# Words that make the year next to them the start of a comparison.
_SINCE_BEFORE = re.compile(
    r"(?:since|from|compared\s+(?:with|to)|than|vs\.?|versus)\s*(?:the\s+)?$", re.IGNORECASE
)
_SINCE_AFTER = re.compile(r"\s*(?:から|より|以降|と比べ|との?比較|に比べ|との?差|との?違い|比)")
_RELATIVE_YEAR: list[tuple[re.Pattern[str], int]] = [
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

# --- hierarchy -----------------------------------------------------------------------
_GOAL = re.compile(
    r"(?:基本目標|目標|goal)\s*(?:no\.?\s*)?([IVX]+|\d{1,2})(?![A-Za-z\d])", re.IGNORECASE
)
_POLICY = re.compile(
    r"(?:基本施策|(?:basic\s+)?polic(?:y|ies))\s*(?:no\.?\s*)?(\d{1,2})(?!\d)", re.IGNORECASE
)
_MEASURE = re.compile(
    r"(?<!基本)(?:施策|measure)\s*(?:no\.?\s*)?\(?\s*(\d{1,2})\s*\)?", re.IGNORECASE
)
_PRIORITY = re.compile(
    r"重点(?:施策|事業)?|★|priority|prioriti[sz]ed|key\s+measures?", re.IGNORECASE
)

# --- item numbers --------------------------------------------------------------------
_NUM_LIST = (
    r"\d{1,4}(?!\d)(?:\s*(?:[、,・&/]|と|及び|および|and|or|から|to|[~〜\-])\s*\d{1,4}(?!\d))*"
)
_ITEM_PATTERNS = [
    re.compile(r"事業\s*(?:番号|no\.?)?\s*[:#]?\s*(" + _NUM_LIST + ")", re.IGNORECASE),
    re.compile(
        r"(?:item|program|project)s?\s*(?:no\.?|number|#)?\s*(" + _NUM_LIST + ")", re.IGNORECASE
    ),
    re.compile(r"(?<![A-Za-z])(?:no\.?|#|№)\s*(" + _NUM_LIST + ")", re.IGNORECASE),
    re.compile(r"(" + _NUM_LIST + r")\s*番(?!目標)"),
]
# A number counting something else ("2段階", "3年", "5件") is no item number.
_BARE_NUMBER = re.compile(
    r"(?<![\d.])(\d{1,3})(?![\d.]|\s*(?:段階|年|回|件|つ|個|人|割|%|か月|ヶ月|カ月|月|日|位|"
    r"(?i:years?|times|steps?|levels?|grades?|items)\b))"
)

# --- grades --------------------------------------------------------------------------
_G = r"[A-D]"
_GSET = _G + r"(?:\s*(?:or|and|か|または|又は|もしくは|と|や|、|,|/|・)\s*" + _G + r")*"
# "A評価じゃない", "評価がAではない": every grade but those named.
_NOT_JA = r"(?:では|じゃ|で)(?:ない|なく|無い)"
# The words after a grade that widen or invert it (C以下, A以外, Aではない).
_MOD = r"以上|以下|以外|未満|を除く|" + _NOT_JA
_MOD_AFTER_WORD = r"以上|以下|以外|未満|より上|より下|を除く|" + _NOT_JA
_GRADE_PATTERNS: list[re.Pattern[str]] = [
    # 評価D, 評価がD, 評価はC以下, 評価: A
    re.compile(
        rf"(?:評価|判定|グレード|ランク)\s*(?:が|は|=|:|の)?\s*(?P<set>{_GSET})(?![A-Za-z])"
        rf"(?:\s*(?P<mod>{_MOD_AFTER_WORD}))?"
    ),
    # D評価, C以下の評価, A以外, D評価以外
    re.compile(
        rf"(?<![A-Za-z&])(?P<set>{_GSET})\s*(?P<mod>{_MOD})?\s*"
        r"(?:評価|判定|の事業|事業|grade|graded|rated|ランク)"
        rf"(?:\s*(?P<mod2>{_MOD}))?"
    ),
    # A lower-case letter is a grade only beside 評価 (ｄ評価, 評価はd): in English "a" is
    # an article.
    re.compile(
        rf"(?<![A-Za-z&])(?P<set>[a-d])\s*(?P<mod>{_MOD})?\s*(?:評価|判定)"
        rf"(?:\s*(?P<mod2>{_MOD}))?"
    ),
    re.compile(
        r"(?:評価|判定)\s*(?:が|は|=|:|の)?\s*(?P<set>[a-d])(?![A-Za-z])"
        rf"(?:\s*(?P<mod>{_MOD_AFTER_WORD}))?"
    ),
    re.compile(rf"(?<![A-Za-z&])(?P<set>{_GSET})\s*(?P<mod>{_MOD})"),
    # Negations and comparisons come before "graded X", which they contain. Grade letters
    # are matched upper-case only, so English articles ("not a problem") are never grades.
    re.compile(
        r"(?P<neg>(?i:not|never|non|except|other\s+than|excluding|besides))(?:\s+|\s*-\s*)"
        r"(?:(?i:been)\s+)?"
        r"(?:(?i:graded|grade|rated|an?)\s+)?(?P<set>" + _G + r")(?![A-Za-z])"
    ),
    re.compile(
        r"(?P<cmp>(?i:below|under|worse\s+than|lower\s+than|less\s+than))\s+"
        r"(?:(?i:grade|an?)\s+)?(?P<set>" + _G + r")(?![A-Za-z])"
    ),
    re.compile(
        r"(?P<cmp2>(?i:above|over|better\s+than|higher\s+than|at\s+least))\s+"
        r"(?:(?i:grade|an?)\s+)?(?P<set>" + _G + r")(?![A-Za-z])"
    ),
    # "the B's", "B and below", "C or worse"
    re.compile(r"(?<![A-Za-z&])(?i:the)\s+(?P<set>[A-D])'?s(?![A-Za-z])"),
    re.compile(
        r"(?<![A-Za-z&])(?P<set>[A-D])\s+(?i:and|or)\s+"
        r"(?P<mod>(?i:worse|lower|below|less|better|higher|above))(?![A-Za-z])"
    ),
    # graded D, grade C or D, rated B or worse, with a D
    re.compile(
        r"(?i:graded|grades?|rated|rating|scored|with(?:\s+an?)?|got(?:\s+an?)?|"
        r"received(?:\s+an?)?)\s+(?:(?i:of|an?)\s+)?(?P<set>" + _GSET + r")(?![A-Za-z])"
        r"(?:\s+or\s+(?P<mod>(?i:worse|lower|below|less|better|higher|above)))?"
    ),
    re.compile(
        r"(?<![A-Za-z&])(?P<set>" + _GSET + r")(?:\s*[-‐]\s*|\s+)(?:graded|grades?|rated|"
        r"ratings?|items?|measures?|programs?)(?![A-Za-z])"
    ),
]
# Grade transitions between two years, read before single grades (which they contain).
_FROM_TO = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?P<from>[A-D])\s*(?:評価)?\s*(?:→|->|=>|⇒|から|より)\s*"
    r"(?:評価)?\s*(?P<to>[A-D])(?:\s*評価)?(?:\s*(?:に|へ))?"
    r"|(?i:from)\s+(?:(?i:grade|an?)\s+)?(?P<from2>[A-D])\s+(?i:to)\s+"
    r"(?:(?i:grade|an?)\s+)?(?P<to2>[A-D])(?![A-Za-z])"
)
_TO_ONLY = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?P<to>[A-D])\s*(?:評価)?\s*(?:に|へ)\s*"
    # "Bになった" is a change; "Bになっている" is where it stands (a plain grade).
    r"(?=なっ(?!て(?:いる|います|る|おり))|なり|変わ|下が|上が|落ち|転じ|転落|悪化|改善)"
    r"|(?i:became|become|becoming|dropped\s+to|fell\s+to|rose\s+to|went\s+(?:up|down)\s+to|"
    r"moved\s+to|changed\s+to|improved\s+to|worsened\s+to|now|newly)\s+"
    r"(?:(?i:graded|grade|an?)\s+)?(?P<to2>" + _GSET + r")(?![A-Za-z])"
)
_FROM_ONLY = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?P<from>[A-D])\s*(?:評価)?\s*(?:から|より)"
    r"(?=\s*(?:の)?\s*(?:上が|下が|改善|悪化|変わ|変化|回復|向上|低下|脱))"
    # "(前年度)D評価だった事業は今どうなった？": see _WAS
    r"|(?i:from|out\s+of)\s+(?:(?i:grade|an?)\s+)?(?P<from2>[A-D])(?![A-Za-z])"
)
_WAS = re.compile(r"(?<![A-Za-z&])(?P<was>[A-D])\s*(?:評価)?\s*だった")
_LATER = re.compile(r"どうなっ|その後|今は|現在|今年|最新|今の評価")
_LATER_WORDS = re.compile(
    r"今?どうなっ(?:た|ている|てる|ていますか|ていますか)?|その後|今は|現在|今の"
)
_LETTERS = re.compile(r"(?<![A-Za-z])[A-D](?![A-Za-z])")
# The same grade in both years: "D評価が続いている", "2年連続でA", "D in both years".
_SAME_GRADE = re.compile(
    r"(?:\d+\s*年(?:度)?\s*)?連続|(?:\d+\s*年(?:度)?|両年度?|両方の年度?)\s*とも|"
    r"続いて(?:いる|います)?|続く|引き続き|変わらな(?:い|かった)|"
    r"変わらず|同じ評価|据え置き|(?i:both\s+years|still|remained|stayed|unchanged|"
    r"(?:two|2)\s+years?\s+in\s+a\s+row|consecutive(?:ly)?)",
)
# "B〜D", "A~B評価", "B-D": every grade between.
_GRADE_RANGE = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?<![A-Za-z&])(?P<a>[A-D])\s*(?:~|〜|-|–|—)\s*(?P<b>[A-D])"
    r"(?![A-Za-z])(?:\s*評価)?"
)
_LONE_GRADE = re.compile(r"(?<![A-Za-z0-9&._\-])([A-D])(?![A-Za-z0-9&._\-])")
# A department named to be left out.
_EXCEPT_AFTER = re.compile(
    r"\s*(?:以外|を除く|を除いた|除く|(?:では|じゃ|で)(?:ない|なく|無い)(?!か))"
)
_EXCEPT_SUFFIX = re.compile(r"(?:以外|を除く|を除いた|除く|(?:では|じゃ|で)(?:ない|なく|無い))$")
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
    r"各課|各部署|各目標|(?:課|部署|目標|評価)(?:ごと|毎|別)(?:に|の)?",
    re.IGNORECASE,
)
# "事業42の詳細を英語で", "D items in Japanese": the reply's language, asked for.
_REPLY_LANGUAGE: list[tuple[re.Pattern[str], Language]] = [
    (re.compile(r"英語で|(?:in|into)\s+english", re.IGNORECASE), "en"),
    (re.compile(r"日本語で|(?:in|into)\s+japanese", re.IGNORECASE), "ja"),
]
# A share of the whole ("A評価の割合"): the breakdown of every grade answers it.
_SHARE = re.compile(
    r"割合|比率|構成比|パーセント|達成率|%|percent(?:age)?s?|proportions?|ratios?|share\s+of",
    re.IGNORECASE,
)
# Asking which department (owns an item, has D grades) rather than naming one.
_WHICH_DEPARTMENT = re.compile(
    r"どの課|どこの課|何課|どの部署|どこの部署|担当課|主管課|所管課|担当部署|"
    r"(?:多い|少ない)(?:課|部署)|(?:課|部署)は(?:どこ|どれ)|どんな(?:課|部署)|"
    r"(?:課|部署)(?:の)?(?:一覧|リスト)|(?:課|部署)?ランキング|"
    r"(?:top|rank(?:ing)?)\s+(?:of\s+)?(?:the\s+)?(?:departments|divisions)|"
    r"list\s+(?:of\s+)?(?:all\s+)?(?:the\s+)?"
    r"(?:departments|divisions)|all\s+(?:the\s+)?(?:departments|divisions)|"
    r"which\s+(?:departments?|divisions?|sections?)|what\s+(?:departments?|divisions?)|"
    r"(?:responsible|owning)\s+(?:departments?|divisions?)",
    re.IGNORECASE,
)
_LEGEND_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:概ね|おおむね|ほぼ)順調|mostly\s+on\s+track", re.IGNORECASE), "B"),
    (
        re.compile(
            r"(?<!不)順調(?!で(?:は)?ない)|目標(?:を)?達成|達成(?:した|済み?)|"
            r"(?<!mostly\s)on\s+track|achieved",
            re.IGNORECASE,
        ),
        "A",
    ),
    (re.compile(r"検討が必要|要検討"), "C"),
    (
        re.compile(
            r"極めて不十分|実施せず|実施しなかった|実施されなかった|実施できなかった|未実施|"
            r"not\s+(?:done|implemented|carried\s+out)",
            re.IGNORECASE,
        ),
        "D",
    ),
]
_ATTENTION = re.compile(
    r"要注意|要改善|課題のある|課題がある|遅れている|不十分|needs?\s+attention|"
    r"need\s+review|needing\s+attention|problem(?:atic)?|behind\s+schedule|"
    r"at\s+risk|lagging|struggling",
    re.IGNORECASE,
)

# --- categories and target groups ----------------------------------------------------
_CATEGORY_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"新規"), "新規"),
    (re.compile(r"継続"), "継続"),
    (re.compile(r"充実|拡充"), "充実"),
    (re.compile(r"見直し"), "見直し"),
    (re.compile(r"\bnew(?:ly\s+added)?\b", re.IGNORECASE), "新規"),
    (re.compile(r"\b(?:continuing|continued|ongoing)\b", re.IGNORECASE), "継続"),
    (re.compile(r"\b(?:expanded|enhanced|expansion|strengthened)\b", re.IGNORECASE), "充実"),
    (re.compile(r"\b(?:revised|revision|reviewed|under\s+review)\b", re.IGNORECASE), "見直し"),
]
_TARGET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:市民|住民)(?:向け|対象)?(?:の|で|に)?"), "市民"),
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
    r"何ができる.*|できること.*|使い方を?教えて.*|commands?|"
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
    r"とは|って(?:何|なに|どういう)|どういう意味|意味|基準|定義|凡例|"
    r"\bmean(?:s|ing)?\b|definitions?|legend|criteria|stand\s+for",
    re.IGNORECASE,
)
_GRADE_WORD = re.compile(r"評価|グレード|ランク|\bgrades?\b|\bratings?\b", re.IGNORECASE)
_NAMES_SOMETHING = re.compile(r"事業\s*\d|(?i:items?)\s*#?\d|課|センター|室")
_COUNT_WORDS = re.compile(
    r"何件|件数|いくつ|幾つ|何個|何事業|数は|の数|(?:事業|項目|総)数|合計|how\s+many|"
    r"number\s+of|count|\btotal\b",
    re.IGNORECASE,
)
_INTENT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "trend",
        re.compile(
            r"推移|経年|変化|変わった|変動|上がった|下がった|改善した|改善された|悪化|脱した|脱却|"
            r"落ちた|悪くなった|良くなった|よくなった|ダウン|(?<!リスト)アップ|異なる|違う|"
            r"downgraded|upgraded|(?:lower|higher|worse|better)\s+grades?|"
            r"向上|低下|前年度比|比較|(?:と|に)比べ(?:て|ると|た)?|trends?|histor(?:y|ies)|"
            r"over\s+the\s+years|"
            r"over\s+time|year\s+(?:on|over)\s+year|changed?|changes|improved?|"
            r"improvements?|worsened|declined|dropped|fell|rose|went\s+(?:up|down)|"
            r"compared?|comparison|got\s+(?:better|worse)",
            re.IGNORECASE,
        ),
    ),
    ("count", _COUNT_WORDS),
    (
        "summary",
        re.compile(
            r"まとめ|サマリー?|概況|概要|集計|内訳|分布|進捗状況|状況|全体像|summar(?:y|ies|"
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
            r"詳細|詳しく|くわしく|内容|理由|なぜ|どうして|出典|出所|どの資料|根拠|"
            r"details?|tell\s+me\s+about|sources?\b|"
            r"more\s+about|describe|\bwhy\b|reasons?|"
            # What comes next is in the details (次年度予定), not in a list line.
            r"今後(?:の(?:予定|計画|方針|取組|取り組み|見通し))?|(?:次年度|来年度)(?:の)?(?:予定|計画)|"
            r"next\s+(?:year'?s?\s+)?(?:plans?|steps)|plans?\s+for\s+next\s+year",
            re.IGNORECASE,
        ),
    ),
]
_TREND_UP = re.compile(
    r"上がった|改善|向上|良くなった|よくなった|(?<!リスト)アップ|上昇|回復|improv|rose|went\s+up|got\s+better|"
    r"higher\s+grade|better\s+grade|"
    r"upgraded|increase",
    re.IGNORECASE,
)
_TREND_DOWN = re.compile(
    r"下がった|悪化|低下|悪くなった|落ちた|ダウン|下降|worse|declin|dropped|fell|went\s+down|"
    r"lower\s+grade|downgraded|decrease",
    re.IGNORECASE,
)
_ALL = re.compile(
    r"全事業|全て|すべて|全部|全件|一覧|\ball\b|\bevery\b|\beverything\b", re.IGNORECASE
)

# --- leftovers -------------------------------------------------------------------------
# Multi-character particles split anywhere; a single hiragana only after kanji, katakana or
# latin, so words spelt partly in hiragana (ひとり親, 見守り) stay whole.
_JA_PARTICLES = re.compile(
    "(?:に関する|に関係する|に関連する|についての|について|関連の|関連|に係る|を含む|のうち|の中で|"
    "における|による|ではない|では|には|とは|での|への|からの|までの|よりの|から|まで|など|"
    "等の|より)"
    "|(?<![\u3040-\u309f])(?:の|は|が|を|に|で|と|や|も|へ|か|な|って|ね|よ)"
)
_JA_STOPWORDS = frozenset(
    [
        "事業",
        "事業名",
        "事業概要",
        "項目",
        "一覧",
        "リスト",
        "教えて",
        "ください",
        "教えてください",
        "教えて下さい",
        "見せて下さい",
        "下さい",
        "出して",
        "調べて",
        "調べてください",
        "リストアップ",
        "リストアップして",
        "お願いします",
        "至急",
        "両方",
        "今どうなってる",
        "どうなってる",
        "見せて",
        "表示",
        "表示して",
        "知りたい",
        "ある",
        "あります",
        "ありますか",
        "いる",
        "います",
        "どれ",
        "どの",
        "どんな",
        "どう",
        "何",
        "なに",
        "もの",
        "全部",
        "全て",
        "すべて",
        "件",
        "評価",
        "評価の",
        "詳細",
        "内容",
        "状況",
        "進捗",
        "取組",
        "取り組み",
        "施策",
        "担当",
        "所管",
        "主管課",
        "対象課",
        "課",
        "対象",
        "対象者",
        "です",
        "でしょう",
        "ますか",
        "今年度",
        "最新",
        "年度",
        "全体",
        "計画",
        "プラン",
        "一覧表",
        "一覧を",
        "したい",
        "欲しい",
        "ほしい",
        "区分",
        "概要",
        "実績",
        "予定",
        "向け",
        "向けの",
        "対象の",
        "分かる",
        "わかる",
        "見たい",
        "確認",
        "確認したい",
        "調べて",
        "次年度予定",
        "次年度",
        "来年度",
        "来年度の予定",
        "結果",
        "成果",
        "取組状況",
        "内容は",
        "どう",
        "どうなって",
        "なって",
        "した",
        "して",
        "された",
        "あった",
        "列挙",
        "違い",
        "差",
        "担当課",
        "所管課",
        "課名",
        "担当部署",
        "部署",
        "どこ",
        "誰",
        "いつ",
        "一番",
        # Exports are a button on every answer: the words ask for the answer itself.
        "出力",
        "出力して",
        "エクスポート",
        "ダウンロード",
        "ファイル",
        "エクセル",
        "新たに",
        "新た",
        "最も",
        "もっとも",
    ]
)
_EN_STOPWORDS = frozenset(
    [
        # Exports are a button on every answer (see the Japanese list).
        "export",
        "download",
        "file",
        "files",
        "csv",
        "excel",
        "xlsx",
        "spreadsheet",
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "which",
        "what",
        "who",
        "whose",
        "whom",
        "show",
        "list",
        "display",
        "find",
        "give",
        "get",
        "me",
        "us",
        "please",
        "pls",
        "plz",
        "asap",
        "urgent",
        "urgently",
        "quickly",
        "all",
        "any",
        "every",
        "items",
        "item",
        "measures",
        "programs",
        "program",
        "projects",
        "project",
        "initiatives",
        "plans",
        "plan",
        "entries",
        "rows",
        "with",
        "in",
        "of",
        "for",
        "to",
        "from",
        "by",
        "on",
        "at",
        "about",
        "related",
        "regarding",
        "concerning",
        "that",
        "those",
        "these",
        "there",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "how",
        "many",
        "much",
        "count",
        "number",
        "and",
        "or",
        "not",
        "its",
        "their",
        "my",
        "our",
        "department",
        "departments",
        "division",
        "divisions",
        "section",
        "sections",
        "dept",
        "graded",
        "grade",
        "grades",
        "rated",
        "rating",
        "fy",
        "year",
        "years",
        "fiscal",
        "latest",
        "current",
        "this",
        "last",
        "its",
        "it",
        "i",
        "can",
        "could",
        "would",
        "you",
        "tell",
        "let",
        "see",
        "view",
        "where",
        "when",
        "why",
        "here",
        "now",
        "okay",
        "ok",
        "hi",
        "hello",
        "thanks",
        "thank",
        "detail",
        "details",
        "summary",
        "overview",
        "status",
        "under",
        "each",
        "per",
        "only",
        "just",
        "also",
        "whole",
        "city",
        "musashino",
        "evaluated",
        "evaluation",
        "evaluations",
        "results",
        "result",
        "between",
        "vs",
        "versus",
        "than",
        "more",
        "some",
        "them",
        "they",
        "we",
        "so",
        "as",
        "if",
    ]
)
_ACRONYM = re.compile(r"^[A-Z]{2,4}$")


@dataclass
class _Work:
    """The question being consumed: recognised spans are blanked out of ``text``."""

    text: str

    def take(self, start: int, end: int) -> None:
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]


# Numbers written out where a number is expected: 基本目標二, 令和二年度, 平成三十一年度,
# goal three. (Elsewhere kanji numerals are words: 一人親, 一番.)
_KANJI_NUMBER = re.compile(
    # Not inside a longer word: 事業一覧 is a list, not item 1.
    r"(基本目標|基本施策|施策|令和|平成|事業)\s*([一二三四五六七八九十]{1,4})"
    r"(?=年|[^\u3400-\u9fff]|$)"
)
_ENGLISH_NUMBER = re.compile(
    r"\b(goal|policy|measure|item|fy|fiscal\s+year)\s+(one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve)\b",
    re.IGNORECASE,
)
_ENGLISH_NUMBERS = [
    *("one", "two", "three", "four", "five", "six"),
    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
]
_KANJI_VALUES = {ch: n for n, ch in enumerate("一二三四五六七八九", start=1)}


def _kanji_number(text: str) -> int:
    """'三' → 3, '十二' → 12, '三十一' → 31."""
    tens, ten, ones = text.partition("十")
    if not ten:
        return _KANJI_VALUES.get(text, 0)
    return (_KANJI_VALUES.get(tens, 0) if tens else 1) * 10 + _KANJI_VALUES.get(ones, 0)


def _spelled_numbers(text: str) -> str:
    text = _KANJI_NUMBER.sub(lambda m: f"{m.group(1)}{_kanji_number(m.group(2))}", text)
    return _ENGLISH_NUMBER.sub(
        lambda m: f"{m.group(1)} {_ENGLISH_NUMBERS.index(m.group(2).lower()) + 1}", text
    )


def clean_question(raw: str) -> tuple[str, str | None]:
    """Normalise user input; returns (text, problem) where problem explains a refusal."""
    text = _CONTROL.sub(" ", raw)
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in ("Cs", "Co", "So") or ch == "★"
    )
    text = nfkc(text)
    text = unify_kodomo(text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _spelled_numbers(text)
    if len(text) > MAX_QUESTION_CHARS:
        return text[:MAX_QUESTION_CHARS], "too_long"
    return text, None


def parse_question(raw: str, lexicon: Lexicon, *, years: list[int]) -> QuerySpec:
    """Read a question. ``years`` are the fiscal years the warehouse holds (any order)."""
    text, problem = clean_question(raw)
    work = _Work(text)
    language = _language(text, lexicon)
    if problem == "too_long":
        # Cut short, a question may have lost the words that matter: ask again.
        return QuerySpec(intent="help", language=language, problem=problem)
    bare = text.strip(" ?？!！。.、,~〜")
    if (
        not text
        or _HELP.match(bare)
        or _HELP.match(text)
        or _GREETING.match(bare)
        or is_thanks(bare)
        or asks_grade_meaning(text)
    ):
        return QuerySpec(intent="help", language=language, problem=problem)

    for pattern, _ in _REPLY_LANGUAGE:
        _take_regex(work, pattern)  # (read by _language)
    latest = max(years) if years else None
    if latest is not None:
        _next_year_plan(work, latest)
    fiscal_years, starts = _take_years(work, latest)
    goal, policy, measure, priority = _take_hierarchy(work)
    item_numbers = _take_items(work)
    was_grade = bool(_LATER.search(text) and _WAS.search(work.text))
    from_grades, to_grades, same_grade = _take_transition(work, text)
    names = [(m.start, m.end) for m in lexicon.match_exact(work.text.lower())]
    grades = _take_grades(work, language, names)
    per_group = bool(_take_regex(work, _PER_GROUP))
    asks_department = bool(_take_regex(work, _WHICH_DEPARTMENT))
    share = bool(_take_regex(work, _SHARE))
    departments, excluded, dept_suggestions, dept_problem = _take_departments(work, lexicon)
    categories = _take_all(work, _CATEGORY_PATTERNS)
    targets = _take_all(work, _TARGET_PATTERNS)
    intent, direction = _take_intent(work, len(fiscal_years))
    if per_group and intent in ("count", "list"):
        # "how many items does each department have?", "課ごとの件数": counts per group
        # are what a summary shows.
        intent = "summary"
    if from_grades or to_grades or same_grade:
        intent = "trend"
        if same_grade and not (from_grades or to_grades):
            direction = "same"
        elif was_grade:
            direction = "any"  # what became of them, changed or not
        elif from_grades and to_grades:
            direction = _direction_between(from_grades, to_grades)
        elif _TREND_UP.search(text):
            direction = "up"  # "rose to A", "Dから改善"
        elif _TREND_DOWN.search(text):
            direction = "down"  # "dropped to D", "Dに下がった"
        else:
            direction = direction or "changed"
    if share and intent in ("list", "count", "summary"):
        # The grades asked about are read off the whole breakdown, with their shares.
        intent, grades = "summary", ()
    if asks_department and intent in ("list", "count"):
        # "事業16はどの課？" is answered by the item's details; "どの課にD評価が？" by
        # a summary per department.
        intent = "detail" if item_numbers else "summary"
    wants_all = bool(_take_regex(work, _ALL))
    if intent in ("detail", "trend", "list") and not item_numbers:
        item_numbers = _take_bare_numbers(work) if intent in ("detail", "trend") else ()
    keywords, unmatched = _take_keywords(work, lexicon)

    if (
        intent in ("list", "summary")
        and item_numbers
        and not (grades or departments or keywords or categories or targets)
    ):
        # Named items alone: "事業42", "what is the status of item 16?" show the items.
        intent = "detail"
    fiscal_year = fiscal_years[-1] if fiscal_years else None
    compare = fiscal_years[0] if len(fiscal_years) >= 2 else None
    if (
        intent == "trend"
        and fiscal_year is not None
        and latest is not None
        and compare is None
        and fiscal_year in starts
        and fiscal_year < latest
    ):
        # "what changed since last year?": from that year to the latest.
        compare, fiscal_year = fiscal_year, latest
    if (
        was_grade
        and compare is None
        and fiscal_year is not None
        and latest is not None
        and fiscal_year < latest
    ):
        # "令和元年度にA評価だった事業は今どうなっている？": from that year to the latest.
        compare, fiscal_year = fiscal_year, latest
    if intent == "trend" and not item_numbers and compare is None and fiscal_year is not None:
        # "what changed in 2020?" compares with the year before.
        compare = max((y for y in years if y < fiscal_year), default=None)

    nothing = not (
        grades
        or departments
        or item_numbers
        or goal
        or policy
        or measure
        or priority
        or categories
        or targets
        or keywords
        or fiscal_years
    )
    if dept_problem:
        problem = problem or dept_problem
    elif nothing and intent == "list" and not wants_all:
        problem = problem or "unknown"
    return QuerySpec(
        intent=intent,
        language=language,
        grades=grades,
        departments=departments,
        excluded_departments=excluded,
        item_numbers=item_numbers,
        goal=goal,
        policy=policy,
        measure=measure,
        priority=priority,
        categories=categories,
        target_groups=targets,
        fiscal_year=fiscal_year,
        compare_fiscal_year=compare,
        trend_direction=direction,
        from_grades=from_grades,
        to_grades=to_grades,
        keywords=keywords,
        suggestions=dept_suggestions,
        unmatched=unmatched,
        problem=problem,
    )


def asks_grade_meaning(raw: str) -> bool:
    """Whether a message asks what the grades mean ("評価Cとは？", "what do the grades
    mean?"): the help then starts with the grade legend."""
    text = clean_question(raw)[0]
    return bool(
        _MEANING.search(text) and _GRADE_WORD.search(text) and not _NAMES_SOMETHING.search(text)
    )


def is_thanks(raw: str) -> bool:
    """Whether a message only thanks planbot (its reply then starts with "you're welcome")."""
    return bool(_THANKS.match(clean_question(raw)[0].strip(" ?？!！。.、,~〜")))


# --- recognisers -----------------------------------------------------------------------
def _take_regex(work: _Work, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = list(pattern.finditer(work.text))
    for m in reversed(found):
        work.take(m.start(), m.end())
    return found


# "令和2年度予定", "2020年度の計画": a plan for the year after the latest report's year is
# that report's 次年度予定 column.
_PLAN_OF_YEAR = re.compile(
    r"(令和\s*(?:元|\d{1,2})|平成\s*\d{1,2}|(?:19|20)\d{2})\s*年度?\s*(?:の)?\s*(?:事業)?\s*(?:予定|計画)"
)


def _next_year_plan(work: _Work, latest: int) -> None:
    for m in list(_PLAN_OF_YEAR.finditer(work.text)):
        if latest + 1 in find_fiscal_years(m.group(1) + "年度"):
            work.text = work.text[: m.start()] + "次年度予定" + work.text[m.end() :]
            return


def _take_years(work: _Work, latest: int | None) -> tuple[list[int], set[int]]:
    """The fiscal years named, and those named as a starting point ("since 2019",
    "昨年度から", "前年度と比べて")."""
    years: set[int] = set()
    starts: set[int] = set()

    def found(year: int, m: re.Match[str], start: int) -> None:
        years.add(year)
        if _SINCE_BEFORE.search(work.text[:start]) or _SINCE_AFTER.match(work.text[m.end() :]):
            starts.add(year)
        work.take(start, m.end())

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
        for pattern, offset in _RELATIVE_YEAR:
            for m in pattern.finditer(work.text):
                found(latest + offset, m, m.start())
    return sorted(years), starts


def _take_hierarchy(work: _Work) -> tuple[int | None, int | None, int | None, bool | None]:
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
    priority = True if _take_regex(work, _PRIORITY) else None
    return goal, policy, measure, priority


def _numbers(text: str) -> list[int]:
    """'16、18と20' → [16, 18, 20]; '16〜20' → 16…20 (ranges capped at 200 numbers)."""
    result: list[int] = []
    for m in re.finditer(r"(\d{1,4})(?:\s*(?:[~〜\-]|から|to)\s*(\d{1,4}))?", text):
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else low
        if high < low or high - low > 200:
            high = low
        result.extend(range(low, high + 1))
    return result


def _take_items(work: _Work) -> tuple[int, ...]:
    found: list[int] = []
    for pattern in _ITEM_PATTERNS:
        for m in list(pattern.finditer(work.text)):
            found.extend(_numbers(m.group(1)))
            work.take(m.start(), m.end())
    return tuple(dict.fromkeys(n for n in found if n > 0))


def _take_bare_numbers(work: _Work) -> tuple[int, ...]:
    found = [int(m.group(1)) for m in _BARE_NUMBER.finditer(work.text)]
    _take_regex(work, _BARE_NUMBER)
    return tuple(dict.fromkeys(n for n in found if n > 0))


def _grade_set(letters: str, mod: str | None) -> set[str]:
    """The grades a phrase names: 'C' + '以下' → C, D; 'B' + 'or better' → A, B."""
    # Letters standing alone: the A and D of "B and D" are not grades.
    chosen = {g.upper() for g in re.findall(r"(?<![A-Za-z])[A-Da-d](?![A-Za-z])", letters)}
    if not chosen:
        return set()
    best = GRADE_ORDER.index(min(chosen, key=GRADE_ORDER.index))
    worst = GRADE_ORDER.index(max(chosen, key=GRADE_ORDER.index))
    if mod in ("以上", "better", "higher", "above", "at_least"):
        return set(GRADE_ORDER[: worst + 1])
    if mod == "より上":
        return set(GRADE_ORDER[:worst])
    if mod in ("以下", "worse", "lower", "below", "less"):
        return set(GRADE_ORDER[best:])
    if mod in ("未満", "より下", "strictly_below"):
        return set(GRADE_ORDER[best + 1 :])
    if mod in ("以外", "を除く", "not") or (mod or "").endswith(("ない", "なく", "無い")):
        return set(GRADE_ORDER) - chosen
    if mod == "strictly_above":
        return set(GRADE_ORDER[:worst])
    return chosen


def _grade_modifier(groups: dict[str, str | None]) -> str | None:
    if groups.get("neg"):
        return "not"
    if groups.get("cmp"):
        return "strictly_below"
    if cmp2 := (groups.get("cmp2") or "").lower():
        return "at_least" if cmp2.startswith("at") else "strictly_above"
    mod = groups.get("mod") or groups.get("mod2")
    return mod.lower() if mod else None


def _take_transition(
    work: _Work, question: str
) -> tuple[tuple[Grade, ...], tuple[Grade, ...], bool]:
    """(earlier grades, later grades, same grade in both years) of a question about how
    grades moved; empty when it names no transition."""
    before: list[str] = []
    after: list[str] = []
    if _LATER.search(question):
        # "前年度D評価だった事業は今年どうなった？": D was the earlier year's grade.
        for m in list(_WAS.finditer(work.text)):
            before.append(m.group("was"))
            work.take(m.start(), m.end())
        _take_regex(work, _LATER_WORDS)
    for pattern in (_FROM_TO, _TO_ONLY, _FROM_ONLY):
        for m in list(pattern.finditer(work.text)):
            found = {k: _LETTERS.findall(v) for k, v in m.groupdict().items() if v}
            before.extend(g for k, v in found.items() if k.startswith("from") for g in v)
            after.extend(g for k, v in found.items() if k.startswith("to") for g in v)
            work.take(m.start(), m.end())
    same = bool(_take_regex(work, _SAME_GRADE))
    return (
        tuple(Grade(g) for g in GRADE_ORDER if g in before),
        tuple(Grade(g) for g in GRADE_ORDER if g in after),
        same,
    )


def _direction_between(before: tuple[Grade, ...], after: tuple[Grade, ...]) -> str:
    """'up' when every later grade is better than every earlier one, 'down' when worse."""
    rank = GRADE_ORDER.index
    if max(rank(g.value) for g in after) < min(rank(g.value) for g in before):
        return "up"
    if min(rank(g.value) for g in after) > max(rank(g.value) for g in before):
        return "down"
    return "changed"


def _take_grades(
    work: _Work, language: Language, names: list[tuple[int, int]]
) -> tuple[Grade, ...]:
    """The grades asked for; ``names`` are the spans of department names, whose letters
    ("子家C") are not grades."""
    grades: set[str] = set()
    for m in list(_GRADE_RANGE.finditer(work.text)):
        low, high = sorted((GRADE_ORDER.index(m.group("a")), GRADE_ORDER.index(m.group("b"))))
        grades |= set(GRADE_ORDER[low : high + 1])
        work.take(m.start(), m.end())
    for pattern in _GRADE_PATTERNS:
        for m in list(pattern.finditer(work.text)):
            letter = m.start("set")
            if any(start <= letter < end for start, end in names):
                continue
            chosen = _grade_set(m.group("set"), _grade_modifier(m.groupdict()))
            if chosen:
                grades |= chosen
                work.take(m.start(), m.end())
    if not grades and language == "ja":
        # "継続のB", "高齢者支援課 D": in a Japanese question a capital A–D standing
        # alone is a grade (in English it may be an article or a label).
        for m in list(_LONE_GRADE.finditer(work.text)):
            if any(start <= m.start(1) < end for start, end in names):
                continue
            grades.add(m.group(1))
            work.take(m.start(), m.end())
    if not grades:
        # The legend's words for a grade: 順調 (A), 概ね順調 (B), 実施せず (D) …
        for pattern, letter in _LEGEND_WORDS:
            if _take_regex(work, pattern):
                grades.add(letter)
    if not grades and _take_regex(work, _ATTENTION):
        grades = {"C", "D"}
    return tuple(Grade(g) for g in GRADE_ORDER if g in grades)


def _take_departments(
    work: _Work, lexicon: Lexicon
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
            problem = "unsure_department"
            _blank_words(work, window)
        break
    # Japanese fragments: a department without 課, or the core of its name.
    for run in list(_JA_RUN.finditer(work.text)):
        for token, start in _ja_tokens(run.group(0), run.start()):
            if len(search_key(token)) < 3 or token in _JA_STOPWORDS:
                continue
            span = (start, start + len(token))
            # "高齢者支援以外": the department is the part before the word that leaves it out.
            chosen = names
            if (left := _EXCEPT_SUFFIX.search(token)) and left.start() > 0:
                token, chosen = token[: left.start()], excluded
            partial = lexicon.match_partial(token)
            looks_like_department = token.endswith(("課", "センター", "室", "係"))
            if len(partial) == 1:
                if partial[0] not in chosen:
                    chosen.append(partial[0])
                work.take(*span)
            elif len(partial) > 1 and looks_like_department:
                suggestions.extend(p for p in partial if p not in suggestions)
                problem = problem or "ambiguous_department"
                work.take(*span)
            elif looks_like_department and not partial:
                close = lexicon.match_fuzzy(token)
                if not token.endswith("課") and (not close or close[0][1] < 70):
                    # "配偶者暴力相談支援センター" is an item's name, not a department.
                    continue
                sure = [n for n, score in close if score >= 85]
                if len(sure) >= 1 and (len(close) == 1 or close[0][1] - close[1][1] >= 5):
                    chosen.append(sure[0])
                else:
                    likely = [n for n, score in close if score >= 50]
                    suggestions.extend(likely)
                    problem = problem or (
                        "ambiguous_department" if len(likely) > 1 else "unknown_department"
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


def _left_out(work: _Work, start: int, end: int) -> bool:
    """Whether the department named at ``start:end`` is one to leave out (以外, except …);
    the words that say so are taken."""
    after = _EXCEPT_AFTER.match(work.text, end)
    before = _EXCEPT_BEFORE.search(work.text[:start])
    for m in (after, before):
        if m:
            work.take(m.start(), m.end())
    return bool(after or before)


def _blank_words(work: _Work, window: str) -> None:
    lowered = work.text.lower()
    for word in window.split():
        i = lowered.find(word)
        if i >= 0:
            work.take(i, i + len(word))
            lowered = work.text.lower()


def _ja_tokens(run: str, offset: int) -> list[tuple[str, int]]:
    """Split a run of Japanese at particles that follow kanji or katakana."""
    tokens: list[tuple[str, int]] = []
    pos = 0
    for m in _JA_PARTICLES.finditer(run):
        if m.start() > pos:
            tokens.append((run[pos : m.start()], offset + pos))
        pos = m.end()
    if pos < len(run):
        tokens.append((run[pos:], offset + pos))
    return tokens


def _take_all(work: _Work, patterns: list[tuple[re.Pattern[str], str]]) -> tuple[str, ...]:
    found: list[str] = []
    for pattern, value in patterns:
        if _take_regex(work, pattern):
            found.append(value)
    return tuple(dict.fromkeys(found))


def _take_intent(work: _Work, n_years: int) -> tuple[str, str | None]:
    direction: str | None = None
    original = work.text
    for intent, pattern in _INTENT_PATTERNS:
        if pattern.search(work.text):
            if intent == "trend":
                if _TREND_UP.search(original):
                    direction = "up"
                elif _TREND_DOWN.search(original):
                    direction = "down"
                else:
                    direction = "changed"
            _take_regex(work, pattern)
            if intent == "trend":
                # "D評価の件数の推移": how a count moves is a trend; 件数 is no keyword.
                _take_regex(work, _COUNT_WORDS)
            return intent, direction
    if n_years >= 2:
        return "trend", "changed"
    return "list", None


def _take_keywords(work: _Work, lexicon: Lexicon) -> tuple[tuple[Keyword, ...], tuple[str, ...]]:
    keywords: list[Keyword] = []
    unmatched: list[str] = []
    lowered = work.text.lower()
    # English phrases first ("domestic violence", "single parent").
    for phrase, pattern in lexicon.phrase_patterns:
        if m := pattern.search(lowered):
            keywords.append(
                Keyword(word=work.text[m.start() : m.end()], matches=lexicon.synonyms_for(phrase))
            )
            work.take(m.start(), m.end())
            lowered = work.text.lower()
    for run in list(_JA_RUN.finditer(work.text)):
        for token, _ in _ja_tokens(run.group(0), run.start()):
            token = token.strip()
            if len(token) < 2 or token in _JA_STOPWORDS or _HIRAGANA_ONLY.match(token):
                continue
            token = _REQUEST.sub("", token)
            if not token:
                continue  # the request itself ("教えていただけますか")
            token = _VERB_TAIL.sub("", _strip_ja_affixes(token)) if len(token) > 3 else token
            token = _strip_ja_affixes(token)
            if len(token) < 2 or token in _JA_STOPWORDS or _HIRAGANA_ONLY.match(token):
                continue
            keywords.append(_ja_keyword(token, lexicon))
    for m in _EN_WORD.finditer(work.text):
        word = m.group(0).strip("'-")
        low = word.lower()
        if not word or low in _EN_STOPWORDS or len(word) < 2:
            continue
        synonyms = lexicon.synonyms_for(low) or lexicon.synonyms_for(_singular(low))
        if synonyms:
            keywords.append(Keyword(word=word, matches=synonyms))
        elif _ACRONYM.match(word):
            keywords.append(Keyword(word=word, matches=(search_key(word),)))
        else:
            unmatched.append(word)
    unique: dict[str, Keyword] = {}
    for kw in keywords:
        unique.setdefault(kw.word, kw)
    return tuple(unique.values()), tuple(dict.fromkeys(unmatched))


# The request around a question ("…を教えて下さい", "一覧を下さい", "お願いします").
_REQUEST = re.compile(
    r"(?:を|も)?(?:教えて|見せて|出して|調べて|表示して|挙げて|リストアップして|まとめて|知り)?"
    r"(?:下さい|ください|くださいませ|くれ|ほしい|欲しい|たい(?:です)?|"
    r"いただけますか|いただけませんか|いただきたい|もらえますか|もらえる|くれますか|"
    r"お願いします|お願い|おねがいします)$"
    r"|^(?:お願いします|お願い|至急|急ぎ|大至急|すみません|すいません)$"
)
# A noun made a verb ("担当している", "実施された"): the noun is the word searched for.
_VERB_TAIL = re.compile(
    r"(?<=[\u3400-\u9fff\u30a0-\u30ff])(?:して(?:いる|います|いた|る)?|しています|します|"
    r"しました|する|され(?:て(?:いる|います))?|される|された|できる|できます)$"
)
_JA_SUFFIXES = (
    "に関する事業",
    "関連事業",
    "の事業",
    "事業",
    "について",
    "関係",
    "系",
    "施策",
    "向け",
    "対象",
    "関連",
)
# Generic heads of compound nouns: "ストーカー対策" is also found as "ストーカー".
_GENERIC_HEADS = (
    "対策",
    "支援",
    "推進",
    "充実",
    "強化",
    "取組",
    "取り組み",
    "活動",
    "体制",
    "施策",
    "事業",
    "関係",
    "問題",
)


def _ja_keyword(token: str, lexicon: Lexicon) -> Keyword:
    """A Japanese content word, its synonyms, and its core without a generic head."""
    forms = [token]
    for head in _GENERIC_HEADS:
        if token.endswith(head) and len(token) - len(head) >= 2:
            forms.append(token[: -len(head)])
            break
    matches: list[str] = []
    for form in forms:
        matches.append(search_key(form))
        matches.extend(lexicon.synonyms_for(form))
    return Keyword(word=token, matches=tuple(dict.fromkeys(matches)))


def _strip_ja_affixes(token: str) -> str:
    # Until none is left: "女性向けの事業" → "女性向け" → "女性".
    stripped = True
    while stripped:
        stripped = False
        for suffix in _JA_SUFFIXES:
            if token.endswith(suffix) and len(token) > len(suffix) + 1:
                token, stripped = token[: -len(suffix)], True
                break
    return token


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def question_language(raw: str, lexicon: Lexicon | None = None) -> Language:
    """The language a question is asked in, which is the language of the reply.

    Without a vocabulary (no warehouse yet) only quoted terms are set aside; Japanese
    names inside an English question ("show 子ども家庭支援センター items") count as
    one run each and do not outvote the English words around them.
    """
    return _language(clean_question(raw)[0], lexicon)


# Latin words that say nothing of the language asked in: "D評価の事業 pls", "B-Dの事業".
_POLITE = frozenset(["pls", "plz", "please", "thanks", "thx", "asap", "ok"])
_NOT_LANGUAGE = _POLITE | {"no", "fy", "csv", "excel", "xlsx"}
_GRADE_TOKEN = re.compile(r"[A-Da-d](?:[-~][A-Da-d])?")


def _language(text: str, lexicon: Lexicon | None) -> Language:
    """The question's own language: entity names (departments, quoted terms) excluded,
    unless it asks for a reply in the other one."""
    for pattern, asked in _REPLY_LANGUAGE:
        if pattern.search(text):
            return asked
    residual = text
    for match in reversed(lexicon.match_exact(text.lower()) if lexicon else []):
        residual = residual[: match.start] + " " + residual[match.end :]
    residual = re.sub(r"「[^」]*」|\"[^\"]*\"", " ", residual)
    ja_runs = [r for r in _JA_RUN.findall(residual) if not re.fullmatch(r"事業|評価|施策|課|件", r)]
    en_words = [
        w
        for w in _EN_WORD.findall(residual)
        if len(w) >= 2
        and not _ACRONYM.match(w)
        and w.lower() not in _NOT_LANGUAGE
        and not _GRADE_TOKEN.fullmatch(w)
    ]
    if en_words and len(en_words) >= len(ja_runs):
        return "en"
    if not ja_runs and any(w.lower() in _POLITE for w in _EN_WORD.findall(residual)):
        return "en"  # "thanks", "please" alone
    if not ja_runs and lexicon is not None and residual != text:
        # Nothing but names ("child and family support center"): the names' language.
        return _language(text, None)
    return "ja"
