"""Plain-text rendering, in the question's language: the console, the CLI and Slack's
fallback text all say exactly this."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bot.models import (
    CATEGORY_EN,
    AnswerItem,
    ComparedItem,
    Comparison,
    Grade,
    GradeChange,
    Language,
    Summary,
)
from bot.text import int_to_roman, wareki


def fiscal_year_label(year: int, lang: Language) -> str:
    return f"{wareki(year)}（{year}年度）" if lang == "ja" else f"FY{year}"


def count_label(n: int, lang: Language) -> str:
    if lang == "ja":
        return f"{n}件"
    return f"{n} item" + ("" if n == 1 else "s")


def pick(lang: str, ja: str, en: str) -> str:
    """The Japanese or the English wording, by language."""
    return ja if lang == "ja" else en


def goal_label(goal: int, lang: Language) -> str:
    if lang == "ja":
        # As the report writes it (基本目標Ⅱ): the single-character numerals Ⅰ–Ⅻ.
        numeral = chr(0x215F + goal) if 1 <= goal <= 12 else int_to_roman(goal)
        return f"基本目標{numeral}"
    return f"goal {int_to_roman(goal)}"


def grade_legend(lang: Language) -> list[str]:
    """What the grades mean, as the reports' legend (主管課の自己評価) says."""
    if lang == "ja":
        return ["評価は主管課の自己評価です:", *(f"  {g.value}: {g.label_ja}" for g in Grade)]
    return ["Grades are each department's self-assessment:"] + [
        f"  {g.value}: {g.label_en}" for g in Grade
    ]


def source_label(item: AnswerItem, lang: Language) -> str:
    s = item.source
    if lang == "ja":
        return f"出典: {s.file} {s.sheet}シート {s.line}行目"
    return f"source: {s.file}, sheet {s.sheet}, line {s.line}"


#: What an item's line must name besides its department for the reader to tell items of
#: the same number apart: nothing, the municipality, the plan, or both.
Where = Literal["", "municipality", "plan", "both"]


def origins(items: Iterable[AnswerItem]) -> Where:
    """Where the items come from, as far as their lines must say it: numbers repeat
    across municipalities, and a successor plan renumbers its items."""
    pairs = {(i.municipality, i.plan) for i in items}
    municipalities = {m for m, _ in pairs}
    several_plans = len(pairs) > len(municipalities)
    if len(municipalities) > 1:
        return "both" if several_plans else "municipality"
    return "plan" if several_plans else ""


def origin_label(item: AnswerItem, where: Where) -> str:
    """The municipality and/or plan an item's line must name (see ``origins``)."""
    if where == "municipality":
        return item.municipality
    if where == "plan":
        return item.plan
    if where == "both":
        return f"{item.municipality} {item.plan}"
    return ""


def _origin(item: AnswerItem, where: Where, sep: str) -> str:
    if where == "municipality":
        return f"{item.municipality}{sep}{item.department}"
    if where == "plan":
        return f"{item.plan}{sep}{item.department}"
    if where == "both":
        return f"{item.municipality} {item.plan}{sep}{item.department}"
    return item.department


def item_line(
    item: AnswerItem, lang: Language, *, with_year: bool = False, where: Where = ""
) -> str:
    """One line per item; ``where`` puts the municipality and/or the plan before the
    department (see ``origins``)."""
    year = (
        f"｜{fiscal_year_label(item.fiscal_year, lang)}"
        if with_year and lang == "ja"
        else (f" | {fiscal_year_label(item.fiscal_year, lang)}" if with_year else "")
    )
    change = f"  ({item.from_grade.value}→{item.grade.value})" if item.from_grade else ""
    if item.from_grade and item.from_department:
        # The item moved between the two years: say whose grade the earlier one was.
        change = f"  ({item.from_department} {item.from_grade.value}→{item.grade.value})"
    if lang == "ja":
        dept = _origin(item, where, " ")
        return (
            f"・事業{item.item_no} {item.name}｜{dept}｜評価{item.grade.value}"
            f"{year}｜{source_label(item, lang)}{change}"
        )
    dept = _origin(item, where, ", ")
    return (
        f"• Item {item.item_no} {item.name} | {dept} | grade {item.grade.value}"
        f"{year} | {source_label(item, lang)}{change}"
    )


def item_title(item: AnswerItem, lang: Language) -> str:
    return pick(lang, f"事業{item.item_no} {item.name}", f"Item {item.item_no}: {item.name}")


def plan_place(item: AnswerItem, lang: Language) -> str:
    """Where the item sits in the plan: the plan (a city may run several), goal / basic
    policy / measure, ★ as (priority)."""
    place = f"{item.plan} " if item.plan else ""
    place += f"{goal_label(item.goal, lang)} / " + pick(
        lang,
        f"基本施策{item.policy} / 施策({item.measure})",
        f"basic policy {item.policy} / measure ({item.measure})",
    )
    return place + (pick(lang, "（重点）", " (priority)") if item.priority else "")


def item_texts(item: AnswerItem, lang: Language) -> list[tuple[str, str]]:
    """(label, text) of the item's four texts, in the report's order; empty ones too."""
    return [
        (pick(lang, "事業概要", "Summary"), item.summary),
        (pick(lang, "事業予定", "Plan"), item.plan_text),
        (pick(lang, "事業実績", "Result"), item.result_text),
        (next_plan_label(lang), item.next_plan_text),
    ]


def first_rows_note(shown: int, lang: Language) -> str:
    """Said when the row cap cut an answer."""
    return pick(lang, f"（先頭{shown}行のみ表示）", f"(first {shown} rows shown)")


def attention_title(lang: Language) -> str:
    return pick(lang, "要注意（C・D）", "Needs attention (C/D)")


def next_plan_label(lang: Language) -> str:
    return pick(lang, "次年度予定", "Next year's plan")


def attention_lines(items: Iterable[AnswerItem], lang: Language, *, where: Where) -> list[str]:
    """Each item needing attention on its line, its next year's plan indented below."""
    lines: list[str] = []
    for item in items:
        lines.append(item_line(item, lang, where=where))
        if item.next_plan_text:
            lines.append(f"    {next_plan_label(lang)}: {item.next_plan_text}")
    return lines


def item_detail(item: AnswerItem, lang: Language) -> str:
    ja = lang == "ja"
    grade_label = item.grade.label_ja if ja else item.grade.label_en
    lines = [
        item_title(item, lang),
        ("  位置づけ: " if ja else "  Place in plan: ") + plan_place(item, lang),
        ("  区分: " if ja else "  Category: ")
        + (
            item.category
            if ja
            else f"{CATEGORY_EN.get(item.category, item.category)} ({item.category})"
        ),
        ("  対象者: " if ja else "  Target groups: ") + " / ".join(item.target_groups),
        ("  主管課: " if ja else "  Department: ") + item.department,
        ("  年度: " if ja else "  Fiscal year: ") + fiscal_year_label(item.fiscal_year, lang),
        ("  評価: " if ja else "  Grade: ") + f"{item.grade.value}（{grade_label}）",
    ]
    if item.relisted_from:
        lines.append(
            f"  （事業{item.relisted_from}の再掲）"
            if ja
            else f"  (re-listing of item {item.relisted_from})"
        )
    for label, text in item_texts(item, lang):
        if text:
            body = text.replace("\n", "\n    ")
            lines.append(f"  {label}: {body}")
    lines.append("  " + source_label(item, lang))
    return "\n".join(lines)


def grade_counts_line(grades: dict[str, int], lang: Language, *, shares: bool = False) -> str:
    """'A 28 / B 12 / C 0 / D 1'; with ``shares`` each count's percentage of the total."""
    total = sum(grades.get(g.value, 0) for g in Grade)
    parts = []
    for g in Grade:
        n = grades.get(g.value, 0)
        parts.append(
            f"{g.value} {n} ({round(100 * n / total)}%)" if shares and total else f"{g.value} {n}"
        )
    return (" / ".join(parts)) if lang == "ja" else " · ".join(parts)


def grade_changes_line(summary: Summary, lang: Language) -> str:
    """'A 27 (−1) / B 13 (+1) / C 0 (±0) / D 1 (±0)': each grade and its change since the
    previous fiscal year."""
    parts = []
    for g in Grade:
        n = summary.grades.get(g.value, 0)
        d = n - summary.previous_grades.get(g.value, 0)
        sign = f"+{d}" if d > 0 else (f"−{-d}" if d < 0 else "±0")
        parts.append(f"{g.value} {n} ({sign})")
    return " / ".join(parts) if lang == "ja" else " · ".join(parts)


def change_lines(summary: Summary, lang: Language) -> list[str]:
    """The grade counts with their changes, then every item whose grade changed
    ("事業21 A→C"), first in a summary: what a manager asks before anything else."""
    if summary.previous_fiscal_year is None:
        return []
    year = summary.previous_fiscal_year
    since = pick(lang, f"前年度（{wareki(year)}）比: ", f"Since FY{year}: ")
    return [since + grade_changes_line(summary, lang), changed_items_line(summary.changes, lang)]


def changed_items_line(
    changes: Iterable[GradeChange], lang: Language, *, whose: bool = False
) -> str:
    """'評価が変わった事業: 事業19 B→A, 事業42 B→C' (or that none changed). ``whose``: the
    changes span several municipalities, whose numbers repeat, so each names its own
    ("武蔵野市 事業19 B→A")."""
    moved = [
        (f"{c.municipality} " if whose else "")
        + pick(lang, f"事業{c.item_no}", f"item {c.item_no}")
        + f" {c.from_grade}→{c.to_grade}"
        for c in changes
    ]
    if not moved:
        return pick(lang, "評価が変わった事業はありません。", "No item's grade changed.")
    return pick(lang, "評価が変わった事業: ", "Grades changed: ") + ", ".join(moved)


def summary_lines(summary: Summary, lang: Language) -> list[str]:
    ja = lang == "ja"
    # Shares only where there is a mix to share out (not "D 1 (100%)" for D items).
    mixed = sum(1 for n in summary.grades.values() if n) > 1
    head = grade_counts_line(summary.grades, lang, shares=mixed)
    # Grades are per item and department: item 39, graded by two departments, counts twice,
    # so the line says what it counts (40 items, 41 grades).
    if summary.total:
        label = (
            f"評価の内訳（主管課の評価{summary.total}件）: "
            if ja
            else (
                f"Grades ({summary.total} department evaluation"
                f"{'' if summary.total == 1 else 's'}): "
            )
        )
    else:
        label = "評価の内訳: " if ja else "Grades: "
    lines = [label + head]
    if summary.by_department:
        lines.append("課別:" if ja else "By department:")
        for dept, counts in summary.by_department.items():
            lines.append(f"  {dept}: {grade_counts_line(counts, lang)}")
    if len(summary.by_goal) > 1:
        lines.append("基本目標別:" if ja else "By goal:")
        for goal, counts in summary.by_goal.items():
            lines.append(f"  {goal}: {grade_counts_line(counts, lang)}")
    return lines


#: How a comparison marks an item's change, per language ("same" is left unmarked).
CHANGE_MARKS: dict[str, tuple[str, str]] = {
    "up": ("↑上昇", "↑ up"),
    "down": ("↓低下", "↓ down"),
    "added": ("新たに報告", "added"),
    "dropped": ("報告なし", "no longer reported"),
}


def comparison_lines(comparison: Comparison, lang: Language, *, where: Where = "") -> list[str]:
    """Two years side by side: each year's grade counts, what changed, then every item
    with both grades ("・事業19 …｜高齢者支援課｜B → A ↑上昇")."""
    before = fiscal_year_label(comparison.from_year, lang)
    after = fiscal_year_label(comparison.to_year, lang)
    sep = "｜" if lang == "ja" else " | "
    lines = [
        f"{before}: {grade_counts_line(comparison.from_grades, lang)}",
        f"{after}: {grade_counts_line(comparison.to_grades, lang)}",
        comparison_changes_line(comparison, lang),
        pick(
            lang,
            f"事業{sep}課{sep}{before} → {after}",
            f"Item{sep}department{sep}{before} → {after}",
        ),
    ]
    bullet = "・" if lang == "ja" else "• "
    for row in comparison.rows:
        number = pick(lang, f"事業{row.item_no}", f"Item {row.item_no}")
        origin = {"municipality": row.municipality, "plan": row.plan}.get(
            where, f"{row.municipality} {row.plan}" if where == "both" else ""
        )
        dept = f"{origin} {department_moved(row, lang)}".strip()
        lines.append(f"{bullet}{number} {row.name}{sep}{dept}{sep}{compared_grades(row, lang)}")
    return lines


def compared_grades(row: ComparedItem, lang: Language) -> str:
    """'B → A ↑上昇', 'A → A', '— → B 新たに報告'."""
    before = row.from_grade.value if row.from_grade else "—"
    after = row.to_grade.value if row.to_grade else "—"
    mark = CHANGE_MARKS.get(row.change)
    return f"{before} → {after}" + (f" {pick(lang, *mark)}" if mark else "")


def department_moved(row: ComparedItem, lang: Language) -> str:
    if row.from_department is None:
        return row.department
    return pick(
        lang,
        f"{row.department}（旧 {row.from_department}）",
        f"{row.department} (was {row.from_department})",
    )


def comparison_changes_line(comparison: Comparison, lang: Language) -> str:
    """'評価が変わった事業: 2件（上昇1・低下1）、新たに報告: 事業87、報告なし: 事業86'."""
    rows = comparison.rows
    up = sum(r.change == "up" for r in rows)
    down = sum(r.change == "down" for r in rows)
    added = [r.item_no for r in rows if r.change == "added"]
    dropped = [r.item_no for r in rows if r.change == "dropped"]
    if lang == "ja":
        parts = [f"評価が変わった事業: {up + down}件（上昇{up}・低下{down}）"]
        if added:
            parts.append("新たに報告: " + "・".join(f"事業{n}" for n in added))
        if dropped:
            parts.append("報告なし: " + "・".join(f"事業{n}" for n in dropped))
        return "、".join(parts)
    parts = [f"Grades changed: {up + down} ({up} up, {down} down)"]
    if added:
        parts.append("added: " + ", ".join(f"item {n}" for n in added))
    if dropped:
        parts.append("no longer reported: " + ", ".join(f"item {n}" for n in dropped))
    return "; ".join(parts)


def join_lines(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line is not None)
