"""A ranking inside a selection in words, per language: the grade most common, the
lowest (highest) grade held, which department or part of the plan ranks first, and the
order of all of them with their grade counts."""

from __future__ import annotations

from bot.models import Grade, Language, Ranked, Summary
from bot.render.text import count_label, grade_counts_line, pick

_LEVEL_JA: dict[Ranked, str] = {
    "department": "課",
    "goal": "基本目標",
    "policy": "基本施策",
    "measure": "施策",
    "grade": "評価",
    "item": "事業",
}
_LEVEL_EN: dict[Ranked, tuple[str, str]] = {
    "department": ("department", "departments"),
    "goal": ("goal", "goals"),
    "policy": ("basic policy", "basic policies"),
    "measure": ("measure", "measures"),
    "grade": ("grade", "grades"),
    "item": ("item", "items"),
}
_ORDER_JA = {"most": "多い", "fewest": "少ない", "best": "良い", "worst": "低い"}
_ORDER_EN = {"most": "most", "fewest": "fewest", "best": "best", "worst": "worst"}


#: Names of those sharing first place said in a lead line; the rest are counted.
LEADERS_NAMED = 5


def leaders(summary: Summary, lang: Language = "ja") -> list[str]:
    """Those sharing first place, the first few by name ("…ほか4", "… and 4 more")."""
    named = [g.label for g in summary.ranking[: min(summary.leaders, LEADERS_NAMED)]]
    rest = summary.leaders - len(named)
    if rest > 0:
        named.append(pick(lang, f"ほか{rest}", f"{rest} more"))
    return named


def common_grade_line(summary: Summary, reading: str, lang: Language) -> str:
    """'基本目標Ⅲ・令和元年度（2019年度）: 最も多い評価はA（22件）'."""
    first = summary.ranking[0]
    n = int(first.score)
    who = (
        "・".join(leaders(summary, lang)) if lang == "ja" else " and ".join(leaders(summary, lang))
    )
    if lang == "ja":
        return f"{reading}: 最も{_ORDER_JA[summary.order or 'most']}評価は{who}（{count_label(n, lang)}）"
    which = "most common" if summary.order != "fewest" else "least common"
    return f"{reading}: the {which} grade is {who} ({n} of {summary.total})"


def grade_order_line(summary: Summary, lang: Language) -> str:
    """'多い順: A 22 / B 2 / C 0 / D 0'."""
    parts = [f"{g.label} {int(g.score)}" for g in summary.ranking]
    if lang == "ja":
        head = "少ない順" if summary.order == "fewest" else "多い順"
        return f"{head}: " + " / ".join(parts)
    head = "Fewest first" if summary.order == "fewest" else "Most common first"
    return f"{head}: " + " · ".join(parts)


def extreme_grade_line(reading: str, grade: Grade, count: int, order: str, lang: Language) -> str:
    """'「介護」・令和元年度（2019年度）で最も低い評価はB: 5件'."""
    if lang == "ja":
        word = "低い" if order == "worst" else "高い"
        return f"{reading}で最も{word}評価は{grade.value}: {count_label(count, lang)}"
    word = "lowest" if order == "worst" else "highest"
    return f"{reading}: the {word} grade held is {grade.value}, {count_label(count, lang)}"


def none_below_line(grades: dict[str, int], grade: Grade, order: str, lang: Language) -> str:
    """What the selection does not hold, so the reader knows why this grade is the lowest
    ('C・Dの事業はありません'); empty when the scale's own end is held."""
    scale = [g.value for g in Grade]
    at = scale.index(grade.value)
    beyond = scale[at + 1 :] if order == "worst" else scale[:at]
    if not beyond:
        return ""
    if lang == "ja":
        return f"（評価{'・'.join(beyond)}の事業はありません。評価: {grade_counts_line(grades, lang)}）"
    return f"(none graded {'/'.join(beyond)}; grades: {grade_counts_line(grades, lang)})"


def group_lead_line(summary: Summary, lang: Language) -> str:
    """'評価Bが最も多いのは高齢者支援課（5件）', '評価が最も良い基本目標は基本目標Ⅲ'."""
    ranked = summary.ranked or "department"
    order = summary.order or "most"
    first = summary.ranking[0]
    who_ja, who_en = "、".join(leaders(summary, lang)), ", ".join(leaders(summary, lang))
    what = "・".join(g.value for g in summary.counted)
    if order in ("most", "fewest"):
        n = int(first.score)
        if lang == "ja":
            subject = f"評価{what}が" if what else "事業が"
            return f"{subject}最も{_ORDER_JA[order]}のは{who_ja}（{n}件）"
        subject = f"grade {what}" if what else "items"
        return f"{order.capitalize()} {subject}: {who_en} ({n})"
    counts = grade_counts_line(first.grades, lang)
    if lang == "ja":
        word = "良い" if order == "best" else "低い"
        return f"評価が最も{word}{_LEVEL_JA[ranked]}は{who_ja}（{counts}）"
    one = _LEVEL_EN[ranked][0]
    word = "Best" if order == "best" else "Worst"
    return f"{word} graded {one}: {who_en} ({counts})"


def group_order_lines(summary: Summary, lang: Language) -> list[str]:
    """Every department or part ranked, first place first, with its grade counts."""
    ranked = summary.ranked or "department"
    order = summary.order or "most"
    if lang == "ja":
        by = {
            "most": "多い順",
            "fewest": "少ない順",
            "best": "評価の良い順",
            "worst": "評価の低い順",
        }
        head = f"{_LEVEL_JA[ranked]}の順位（{by[order]}）:"
    else:
        by = {
            "most": "most first",
            "fewest": "fewest first",
            "best": "best graded first",
            "worst": "worst graded first",
        }
        head = f"{pick(lang, '', _LEVEL_EN[ranked][1]).capitalize()}, {by[order]}:"
    lines = [head]
    place, previous = 0, None
    for index, group in enumerate(summary.ranking, start=1):
        if group.score != previous:
            place, previous = index, group.score
        lines.append(f"  {place}. {group.label}: {grade_counts_line(group.grades, lang)}")
    return lines
