"""Several parts of the plan named together: "基本目標ⅠとⅡのD", "基本施策2と3",
"施策(1)・(2)", "goals 2 and 3". Their items together answer, so each part is kept.

Read before the single goal, policy or measure (``bot.ask.parser``), which a list would
otherwise end at its first number; a level named once besides ("基本目標Ⅱの基本施策1と3")
is filled into every part of the list.
"""

from __future__ import annotations

import itertools
import re

from bot.ask.text import Work
from bot.models import PlanPart
from bot.text import roman_to_int

# Between two numbers of a list: Japanese joins, or English "and"/"or" (after which a roman
# numeral could be the pronoun I, so there a number or the level's word must follow).
_JA_JOIN = r"\s*(?:と|、|,|・|及び|および|や|&)\s*"
_EN_JOIN = r"\s*(?:,?\s*(?:and|or))\s*"

_ROMAN = r"[IVX]+(?![A-Za-z\d])"
_LEVELS: list[tuple[str, str, str]] = [
    # (level, its word, its number)
    ("goal", r"(?:基本目標|(?<!基本)目標|goals?)", rf"(?:no\.?\s*)?(?:{_ROMAN}|\d{{1,2}}(?!\d))"),
    ("policy", r"(?:基本施策|(?:basic\s+)?polic(?:y|ies))", r"(?:no\.?\s*)?\d{1,2}(?!\d)"),
    ("measure", r"(?:(?<!基本)施策|measures?)", r"(?:no\.?\s*)?\(?\s*\d{1,2}\s*\)?"),
]


def _list_pattern(word: str, number: str) -> re.Pattern[str]:
    """The level's word, a number, then one or more numbers joined to it (each may repeat
    the word: "基本目標Ⅰと基本目標Ⅱ")."""
    again = rf"(?:{word}\s*)?"
    digits = r"(?:no\.?\s*)?\(?\s*\d{1,2}(?!\d)\s*\)?"
    more = rf"(?:{_JA_JOIN}{again}(?:{number})|{_EN_JOIN}(?:{word}\s*(?:{number})|{digits}))"
    return re.compile(rf"{word}\s*(?:{number})(?:{more})+", re.IGNORECASE)


_LISTS = [(level, _list_pattern(word, number), number) for level, word, number in _LEVELS]


def _value(level: str, text: str) -> int:
    raw = re.sub(r"(?i)no\.?|[()\s]", "", text).upper()
    return int(raw) if raw.isdigit() else roman_to_int(raw)


def take_part_lists(work: Work) -> dict[str, list[int]]:
    """The numbers of each level named as a list, the list taken ({"goal": [1, 2]})."""
    found: dict[str, list[int]] = {}
    for level, pattern, number in _LISTS:
        m = pattern.search(work.text)
        if not m:
            continue
        # The numbers, not the words around them: each is matched after the level's word
        # or a join.
        body = m.group(0)
        values = [
            _value(level, n.group(0))
            for n in re.finditer(number, body, re.IGNORECASE)
            if n.group(0).strip()
        ]
        if len(set(values)) >= 2:
            found[level] = list(dict.fromkeys(values))
            work.take(m.start(), m.end())
    return found


def combine(
    lists: dict[str, list[int]], goal: int | None, policy: int | None, measure: int | None
) -> tuple[PlanPart, ...]:
    """Every part the lists and the single levels name: each list's numbers, with a level
    named once filled into each ("基本目標Ⅱの基本施策1と3" → Ⅱ-1, Ⅱ-3)."""
    if not lists:
        return ()
    goals = lists.get("goal") or [goal]
    policies = lists.get("policy") or [policy]
    measures = lists.get("measure") or [measure]
    return tuple(
        PlanPart(goal=g, policy=p, measure=m)
        for g, p, m in itertools.product(goals, policies, measures)
    )
