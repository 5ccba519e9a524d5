"""Grades in a question: letters with their modifiers (C以下, A以外, not A, B～D), the
legend's words (順調, 実施せず), and how grades moved between two years (B→A, became D,
held in both years)."""

from __future__ import annotations

import re

from bot.ask.text import Work, take_regex
from bot.models import Grade, Language

GRADE_ORDER = "ABCD"


_G = r"[A-D]"

_GSET = _G + r"(?:\s*(?:or|and|か|または|又は|もしくは|と|や|、|,|/|・)\s*" + _G + r")*"

# "A評価じゃない", "評価がAではない": every grade but those named.
_NOT_JA = r"(?:では|じゃ|で)(?:ない|無い)(?![とか])"

# "Aになっていない", "A評価になってない": where an item does not stand, every other grade.
_NOT_BECOME = r"に\s*なって(?:い)?ない|に\s*なっておらず|に(?:届|達し)(?:いて)?(?:い)?ない"

# The words after a grade that widen or invert it (C以下, A以外, Aではない), a widening
# denied too ("B以上じゃない": C, D).
_MOD = (
    r"(?:以上|以下|未満)\s*"
    + _NOT_JA
    + r"|以上|以下|以外|未満|を除く|"
    + _NOT_BECOME
    + "|"
    + _NOT_JA
)

# "Aより悪い", "Bより低い評価", "Cより良い": strictly worse or better than the letter.
_THAN = r"より(?:も)?\s*(?:上|下|悪い|低い|良い|よい|高い|いい)"

_MOD_AFTER_WORD = _MOD + "|" + _THAN

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
    re.compile(rf"(?<![A-Za-z&])(?P<set>{_GSET})\s*(?P<mod>{_MOD}|{_THAN})"),
    # Negations and comparisons come before "graded X", which they contain. Grade letters
    # are matched upper-case only, so English articles ("not a problem") are never grades.
    re.compile(
        r"(?P<neg>(?i:not|never|non|except|other\s+than|excluding|besides|isn't|aren't|wasn't|"
        r"weren't|isn’t|aren’t))(?:\s+|\s*-\s*)"
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
    # "rating is B", "items where evaluation is B", "B rank items"
    re.compile(
        r"(?i:grade|rating|evaluation|rank)\s+(?i:is|was|are|=|of)\s+(?P<set>" + _GSET + r")"
        r"(?![A-Za-z])(?:\s+or\s+(?P<mod>(?i:worse|lower|below|less|better|higher|above)))?"
    ),
    re.compile(r"(?<![A-Za-z&])(?P<set>" + _GSET + r")\s*(?i:rank(?:ed)?|ランク)(?![A-Za-z])"),
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
    # An arrow is a change; "BからD" is one only when it goes somewhere ("BからDに下がった"),
    # else it is the range B to D ("BからDの事業").
    r"(?:評価\s*(?:が|は)?\s*)?(?P<from>[A-D])\s*(?:評価)?\s*"
    r"(?:(?:→|->|=>|⇒)\s*(?:評価)?\s*(?P<to>" + _GSET + r")(?:\s*評価)?(?:\s*(?:に|へ))?|"
    r"(?:から|より)\s*(?:評価)?\s*(?P<to3>" + _GSET + r")(?:\s*評価)?\s*(?:に|へ))"
    r"|(?i:from)\s+(?:(?i:grade|an?)\s+)?(?P<from2>[A-D])\s+(?i:to)\s+"
    r"(?:(?i:grade|an?)\s+)?(?P<to2>[A-D])(?![A-Za-z])"
)

_TO_ONLY = re.compile(
    # (Widened too: "C以下になった" is C or D.)
    r"(?:評価\s*(?:が|は)?\s*)?(?P<to>" + _GSET + r")\s*(?P<tomod>以下|以上|未満)?\s*(?:評価)?\s*"
    r"(?:に|へ)\s*"
    # "Bになった" is a change; "Bになっている" is where it stands (a plain grade).
    # (Nor "Aになっていない", "Aになってない": where it does not stand.)
    r"(?=なっ(?!て(?:い|る|お|な))|なり|変わ|下が|上が|落ち|転じ|転落|悪化|改善)"
    # "はじめてD評価がついた", "新たにDになった": a grade an item did not have before.
    r"|(?:はじめて|初めて|新たに)\s*(?:評価\s*(?:が|は)?\s*)?(?P<to3>" + _GSET + r")(?![A-Za-z])"
    r"(?:\s*評価)?(?=\s*(?:が|に|と|を)?\s*(?:つ|付|な|され|受け))"
    r"|(?i:became|become|becoming|(?:dropped|drop|fell|fall|falls|rose|rise|risen)\s+to|"
    r"(?:went|go|gone)\s+(?:up|down)\s+to|"
    r"moved\s+to|changed\s+to|improved\s+to|worsened\s+to|newly)\s+"
    r"(?:(?i:graded|grade|an?)\s+)?(?P<to2>" + _GSET + r")(?![A-Za-z])"
)

_FROM_ONLY = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?P<from>[A-D])\s*(?:評価)?\s*(?:から|より)\s*(?:の)?\s*"
    r"(?:改善|悪化|変化|回復|向上|低下|(?=上が|下が|変わ|脱|落ち|良く|悪く))"
    # "(前年度)D評価だった事業は今どうなった？": see WAS
    r"|(?i:from|out\s+of|no\s+longer(?:\s+graded)?)\s+(?:(?i:grade|an?)\s+)?(?P<from2>[A-D])"
    r"(?![A-Za-z])"
)

# A grade in one year and another later: "令和元年度にDで、その後Aになった", "D評価だったが
# 今はA", "graded D in FY2019 and A now" (the year itself is read as a year).
_THEN_NOW = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?P<from>" + _GSET + r")\s*(?:評価)?\s*"
    r"(?:で|だった(?:が|のが|けど|のに)?)\s*[、,]?\s*"
    r"(?:その後|今は|いまは|現在は?|今年度?は|最新(?:年度)?では?)\s*(?:評価\s*(?:が|は)?\s*)?"
    r"(?P<to>" + _GSET + r")(?![A-Za-z])"
    r"|(?i:graded\s+)?(?P<from2>[A-D])\s+(?i:in)\s+(?i:and|but)\s+(?:(?i:is|are)\s+)?"
    r"(?:(?i:graded)\s+)?(?P<to2>[A-D])\s+(?i:now|today|these\s+days)\b"
)

WAS = re.compile(r"(?<![A-Za-z&])(?P<was>[A-D])\s*(?:評価)?\s*だった")

LATER = re.compile(r"どうなっ|その後|今は|現在|今年|最新|今の評価")

_LATER_WORDS = re.compile(r"今?どうなっ(?:た|ている|てる|ていますか)?|その後|今は|現在|今の")

_LETTERS = re.compile(r"(?<![A-Za-z])[A-D](?![A-Za-z])")

# The same grade in both years: "D評価が続いている", "2年連続でA", "D in both years".
_SAME_GRADE = re.compile(
    r"\d+\s*年(?:度)?\s*連続|(?:\d+\s*年(?:度)?|両年度?|両方の年度?)\s*とも|ずっと|"
    r"続いて(?:いる|います)|変わらな(?:い|かった)|"
    r"変わらず|同じ評価|評価(?:が|は)?同じ|と\s*同じ|据え置き|(?<=[A-D評価])\s*の?まま|"
    r"(?:を|が)?\s*(?:維持|キープ|保って|保った|保ち)|"
    r"(?i:both\s+years|remained|stayed|unchanged|maintained|kept|"
    r"(?:two|2)\s+years?\s+in\s+a\s+row|consecutive(?:ly)?)",
)

_INSTEAD = re.compile(
    r"(?<![A-Za-z&])(?:評価\s*(?:が|は)?\s*)?(?:"
    + _GSET
    + r")\s*(?:評価)?\s*(?:では|じゃ)なく(?:て)?"
    r"[、,\s]*(?=.*(?<![A-Za-z])[A-D](?![A-Za-z]))"
)
_GRADE_CONTEXT = re.compile(r"評価|(?i:grades?|rated|ratings?)|(?<![A-Za-z])[A-D](?![A-Za-z.])")
# "B〜D", "A~B評価", "B-D", "A to D": every grade between.
_GRADE_RANGE = re.compile(
    r"(?:評価\s*(?:が|は)?\s*)?(?<![A-Za-z&])(?P<a>[A-D])\s*(?:評価)?\s*"
    r"(?:~|〜|-|–|—|から|\s(?i:to|through|thru)\s)\s*"
    r"(?P<b>[A-D])(?![A-Za-z])(?:\s*評価)?(?:\s*まで)?"
)

_LONE_GRADE_EN = re.compile(
    r"(?<![A-Za-z0-9&'.\-])([A-D])(?![A-Za-z0-9&'\-])(?![.][A-Za-z])"
    r"(?=\s*(?:$|[?.,!)]|(?i:in|of|items?|grades?|rated|rank(?:ed)?|only|and|or|this|last|"
    r"at|are|is|were|was)\b))"
)
# Words a capital letter names a thing after: Plan B, Appendix A, vitamin D, Option A.
_LABEL_BEFORE = re.compile(
    r"(?i:plan|appendix|table|section|format|room|vitamin|option|type|class|part|annex|figure|"
    r"block|floor|zone|group|team|model|version|building|schedule|case|step)\s+$"
)
# In Japanese, a letter between particles (継続のB, 高齢者支援課 D, Dは何件): not one inside
# a word (包括C, C棟, Aさん, A社, Aグループ, B型, DV(D)); the second of two letters offered
# as alternatives too ("CかD", "C/D").
_LONE_GRADE = re.compile(
    r"(?:^|(?<=[\sのはがをとでもやにか、,・/／])|(?<=うち)|(?<=一番)|(?<=最も))([A-D])"
    r"(?=$|[\s?？!！。、,]|の|は|が|を|で|と|も|や|か|って|だっ|でし|に(?:なって|なってる)|だけ|のみ|以上|以下|評価)"
)

_NEGATED = re.compile(r"(?i:\bnot(?:\s+yet)?|\bnever|\bhave\s+not|\bhasn't|\bhaven't)\s*$")
_NEGATED_AFTER = re.compile(
    r"\s*(?:では|じゃ|で)?(?:ない|なく)|\s*(?:でき|し|され)(?:なかった|ていない|てない)|\s*せず"
)
_LEGEND_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:概ね|おおむね|ほぼ)順調|mostly\s+on\s+track", re.IGNORECASE), "B"),
    (
        re.compile(
            r"(?<!不)順調|目標(?:を)?達成(?!に向け)|達成(?:した|済み?)|"
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

_QUOTED_LETTER = re.compile(r"[「『\"“'‘]([A-D])[」』\"”'’]")

# Grades said in words: the lower half of the scale (C, D) is a bad grade, the upper (A, B)
# a good one ("良くない評価", "評価が低い", "悪い評価", "poor grades").
_BAD = re.compile(
    r"(?:良く|よく|芳しく|かんばしく)ない(?:評価|もの|事業)|(?:悪い|低い|ひどい)(?:評価|もの|事業|の)|"
    r"評価(?:が|の|は)?\s*(?:良く|よく|芳しく)ない|評価(?:が|の|は)?\s*(?:悪い|低い|ひどい)|"
    r"\b(?:bad|poor|low|weak)\s+(?:grades?|ratings?|scores?)|\b(?:badly|poorly)\s+(?:graded|rated)",
    re.IGNORECASE,
)
_GOOD = re.compile(
    r"(?<!より)(?:良い|よい|いい|高い)(?:評価|もの|事業)|評価(?:が|の|は)?\s*(?:良い|よい|いい|高い)|"
    r"\b(?:good|high)\s+(?:grades?|ratings?|scores?)|\bwell\s+(?:graded|rated)",
    re.IGNORECASE,
)

_ATTENTION = re.compile(
    r"要注意|要改善|課題のある|課題がある|遅れている|不十分|needs?\s+attention|"
    r"気になる|心配な|懸念のある|"
    # Progress said to be poor: "進捗が思わしくない", "うまくいっていない", "停滞している".
    r"思わしくない|芳しくない|かんばしくない|振るわない|順調で(?:は)?ない|順調じゃない|"
    r"うまく(?:いって|進んで)(?:い)?ない|上手く(?:いって|進んで)(?:い)?ない|"
    r"進んで(?:い)?ない|停滞して|難航して|"
    r"(?:見直し|改善|テコ入れ|てこ入れ|梃入れ|手当て|フォロー)(?:が|を)?(?:必要|要する|求められ)|"
    r"need\s+review|needing\s+attention|problematic|problem\s+(?:items?|areas?|measures?|ones)|"
    r"(?:items?|measures?)\s+(?:with|having)\s+problems|\bbehind\b|"
    r"at\s+risk|lagging|struggling",
    re.IGNORECASE,
)


def _grade_set(letters: str, mod: str | None) -> set[str]:
    """The grades a phrase names: 'C' + '以下' → C, D; 'B' + 'or better' → A, B."""
    # Letters standing alone: the A and D of "B and D" are not grades.
    chosen = {g.upper() for g in re.findall(r"(?<![A-Za-z])[A-Da-d](?![A-Za-z])", letters)}
    if not chosen:
        return set()
    best = GRADE_ORDER.index(min(chosen, key=GRADE_ORDER.index))
    worst = GRADE_ORDER.index(max(chosen, key=GRADE_ORDER.index))
    if mod and mod[:2] in ("以上", "以下", "未満") and mod.endswith(("ない", "無い")):
        return set(GRADE_ORDER) - _grade_set(letters, mod[:2])
    if mod in ("以上", "better", "higher", "above", "at_least"):
        return set(GRADE_ORDER[: worst + 1])
    if mod and mod.startswith("より"):
        mod = "より下" if mod.endswith(("下", "悪い", "低い")) else "より上"
    if mod in ("より上", "strictly_above"):
        return set(GRADE_ORDER[:worst])
    if mod in ("以下", "worse", "lower", "below", "less"):
        return set(GRADE_ORDER[best:])
    if mod in ("未満", "より下", "strictly_below"):
        return set(GRADE_ORDER[best + 1 :])
    if mod in ("以外", "を除く", "not") or (mod or "").endswith(("ない", "無い")):
        return set(GRADE_ORDER) - chosen
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


def take_transition(
    work: Work, question: str
) -> tuple[tuple[Grade, ...], tuple[Grade, ...], bool, bool]:
    """(earlier grades, later grades, same grade in both years, a grade said to have been
    — "D評価だった事業は今年どうなった？") of a question about how grades moved."""
    before: list[str] = []
    after: list[str] = []
    was = False
    for m in list(_THEN_NOW.finditer(work.text)):
        before.extend(_LETTERS.findall(m.group("from") or m.group("from2") or ""))
        after.extend(_LETTERS.findall(m.group("to") or m.group("to2") or ""))
        work.take(m.start(), m.end())
        was = True  # the earlier grade belongs to the year named; the later one to now
    if LATER.search(question):
        # "前年度D評価だった事業は今年どうなった？": D was the earlier year's grade.
        for m in list(WAS.finditer(work.text)):
            before.append(m.group("was"))
            work.take(m.start(), m.end())
            was = True
        take_regex(work, _LATER_WORDS)
    for pattern in (_FROM_TO, _TO_ONLY, _FROM_ONLY):
        for m in list(pattern.finditer(work.text)):
            groups = m.groupdict()
            mod = groups.pop("tomod", None)
            found = {k: _LETTERS.findall(v) for k, v in groups.items() if v}
            before.extend(g for k, v in found.items() if k.startswith("from") for g in v)
            for k, v in found.items():
                if k.startswith("to"):
                    after.extend(_grade_set("".join(v), mod) if mod else v)
            work.take(m.start(), m.end())
    # Only about grades: "連続講座", "例年と変わらず実施", "remained suspended" are not.
    same = bool(_GRADE_CONTEXT.search(question)) and bool(take_regex(work, _SAME_GRADE))
    return (
        tuple(Grade(g) for g in GRADE_ORDER if g in before),
        tuple(Grade(g) for g in GRADE_ORDER if g in after),
        same,
        was,
    )


def direction_between(before: tuple[Grade, ...], after: tuple[Grade, ...]) -> str:
    """'up' when every later grade is better than every earlier one, 'down' when worse."""
    rank = GRADE_ORDER.index
    if max(rank(g.value) for g in after) < min(rank(g.value) for g in before):
        return "up"
    if min(rank(g.value) for g in after) > max(rank(g.value) for g in before):
        return "down"
    return "changed"


def take_grades(
    work: Work,
    language: Language,
    names: list[tuple[int, int]],
    *,
    legend: bool = True,
    words: bool = True,
) -> tuple[Grade, ...]:
    """The grades asked for; ``names`` are the spans of department names, whose letters
    ("子家C") are not grades; ``legend``: whether the legend's words (順調) name grades;
    ``words``: whether good or bad grades in words do ("事業72と16、どっちの評価が悪い？"
    asks of the items named, not for C and D)."""
    grades: set[str] = set()
    # A letter in quotes is the letter ("評価が「C」の事業"); the quotes go, the length stays.
    work.text = _QUOTED_LETTER.sub(r" \1 ", work.text)
    for m in list(_INSTEAD.finditer(work.text)):
        work.take(m.start(), m.end())  # "D評価ではなくC評価": the C, not "all but D"
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
    if not grades and language == "en":
        # "how many D?", "how many A in goal 3?", "new and A": a capital letter alone where
        # an English sentence puts a grade (not "A list of…").
        for m in list(_LONE_GRADE_EN.finditer(work.text)):
            if _LABEL_BEFORE.search(work.text[: m.start(1)]):
                continue
            if not any(start <= m.start(1) < end for start, end in names):
                grades.add(m.group(1))
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
            for m in take_regex(work, pattern):
                if not legend:
                    continue
                if _NEGATED.search(work.text[max(0, m.start() - 12) : m.start()]) or (
                    _NEGATED_AFTER.match(work.text, m.end())
                ):
                    # "not on track", "順調じゃない", "達成できなかった": any grade but that.
                    grades |= set(GRADE_ORDER) - {letter}
                else:
                    grades.add(letter)
    if not grades and (take_regex(work, _ATTENTION) or take_regex(work, _BAD)) and words:
        grades = {"C", "D"}
    if not grades and take_regex(work, _GOOD) and words:
        grades = {"A", "B"}
    return tuple(Grade(g) for g in GRADE_ORDER if g in grades)


# A grade reached ("Aになった", "Bに下がった"), read where a year names its grade.
_REACHED = re.compile(
    r"(?<![A-Za-z&])(?P<set>"
    + _GSET
    + r")\s*(?:評価)?\s*(?:に|へ)\s*(?=なっ|なり|変わ|上が|下が|落ち)"
)
# Between an English grade and its year: "B in FY2019", "A this year".
_YEAR_NEXT = re.compile(r"\s*(?:(?i:in|during|for)\s+)?(?:(?i:the)\s+)?")
# After the first year's grade, the clause goes on to the next year ("…Aで、", "Bだったが").
_GOES_ON = re.compile(r"\s*(?:評価)?\s*(?:で(?!は)|だった|であった|から|より|→|->|=>|[、,])")


_BUT_NOT = re.compile(r"\s*,?\s*(?:but|and|yet)\s+not\s+(?:in\s+|for\s+)?", re.IGNORECASE)


def take_year_grades(
    work: Work,
    marks: list[tuple[int, int, int]],
    language: Language,
    names: list[tuple[int, int]],
) -> tuple[tuple[Grade, ...], tuple[Grade, ...]] | None:
    """(earlier year's grades, later year's grades) when each of two years named is
    followed by its own grade ("令和元年度にAで令和2年度にB以下", "去年B評価で今年もB");
    ``marks`` are where the years were named, (start, end, year)."""
    if len({year for _, _, year in marks}) != 2 or len(marks) != 2:
        return None
    (start1, end1, year1), (start2, end2, year2) = marks
    # Japanese names the year, then its grade; English the grade, then its year ("were B
    # last year and are A this year").
    english = language == "en"
    parts = ((0, start1), (end1, start2)) if english else ((end1, start2), (end2, len(work.text)))
    if english and _BUT_NOT.fullmatch(work.text[end1:start2]):
        # "A in 2019 but not in 2020": the other grades in the second year.
        sub = Work(work.text[:start1])
        shifted = [(s, e) for s, e in names]
        if grades := take_grades(sub, language, shifted, legend=False):
            for span in sub.spans:
                work.take(span.start, span.end)
            work.take(end1, start2)
            others = tuple(g for g in Grade if g not in grades)
            return (grades, others) if year1 < year2 else (others, grades)
    found: list[tuple[int, Work, tuple[Grade, ...]]] = []
    for offset, stop in parts:
        sub = Work(work.text[offset:stop])
        shifted = [(s - offset, e - offset) for s, e in names]
        grades = take_grades(sub, language, shifted, legend=False)
        if not grades:
            for m in list(_REACHED.finditer(sub.text)):
                grades = tuple(
                    Grade(g) for g in GRADE_ORDER if g in _grade_set(m.group("set"), None)
                )
                sub.take(m.start(), m.end())
                break
        if not grades:
            return None
        found.append((offset, sub, grades))
    if english:
        if not all(
            _YEAR_NEXT.fullmatch(sub.text[max(s.end for s in sub.spans) :]) for _, sub, _ in found
        ):
            return None  # "C or D in both FY2020 and FY2021": one condition for both
    elif not _GOES_ON.match(found[0][1].text, max(s.end for s in found[0][1].spans)):
        return None  # "令和元年度のD評価と令和2年度のD評価": two lists, not one condition
    for offset, sub, _ in found:
        for span in sub.spans:
            work.take(offset + span.start, offset + span.end)
    earlier, later = (found[0][2], found[1][2]) if year1 < year2 else (found[1][2], found[0][2])
    return earlier, later
