"""Rankings inside a selection: the grade most (least) common in it, its items holding the
lowest (highest) grade it has, and its departments or parts of the plan ranked by a count
of grades or by the grades themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.ask import filters
from bot.ask.context import AskContext, zero_text
from bot.ask.grades import GRADE_ORDER
from bot.ask.rows import answer_items, count_rows, grade_dict, rows_query
from bot.ask.shapes.base import Shape
from bot.ask.shapes.summary import SummaryShape
from bot.models import Answer, Grade, Language, QuerySpec, RankedGroup, Summary
from bot.render import ranking as r
from bot.render import text as t


def _selection(ctx: AskContext, spec: QuerySpec, fiscal_year: int) -> tuple[Any, dict[str, int]]:
    """The selection's rows (up to the cap) and its counts, counted in full."""
    params = ctx.params(spec, fiscal_year)
    rows = ctx.run(rows_query(params), **params)
    counts = (
        ctx.run("count_matching", **params).rows[0] if rows.truncated else count_rows(rows.rows)
    )
    return rows, counts


def _ranked(
    groups: Mapping[str, Mapping[str, int]], score: Callable[[Mapping[str, int]], float], low: bool
) -> tuple[tuple[RankedGroup, ...], int]:
    """Groups in order of ``score`` (lowest first when ``low``), and how many share first
    place. Equal scores keep the groups' own order."""
    entries = [
        RankedGroup(label=label, grades=dict(counts), score=score(counts))
        for label, counts in groups.items()
    ]
    entries.sort(key=lambda g: g.score if low else -g.score)
    if not entries:
        return (), 0
    return tuple(entries), sum(1 for g in entries if g.score == entries[0].score)


def mean_place(counts: Mapping[str, int]) -> float:
    """Where a group's grades stand on the scale on average: 0 all the best grade, 3 all
    the worst (A–D)."""
    total = sum(counts.get(g, 0) for g in GRADE_ORDER)
    if not total:
        return float(len(GRADE_ORDER))
    return sum(GRADE_ORDER.index(g) * counts.get(g, 0) for g in GRADE_ORDER) / total


class CommonGrade(Shape):
    """ "基本目標Ⅲで一番多い評価は？", "most common grade in goal 2": every grade counted,
    the most (least) common named first."""

    name = "common_grade"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.ranked == "grade"

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        fiscal_year = ctx.fiscal_year(spec)
        rows, counts = _selection(ctx, spec, fiscal_year)
        items = answer_items(rows.rows)
        count = int(counts["items"])
        reading = filters.describe(spec, lang, fiscal_year)
        grades = grade_dict(counts)
        ranking, leaders = _ranked(
            {g: {g: n} for g, n in grades.items()},
            lambda c: float(sum(c.values())),
            spec.ranking == "fewest",
        )
        summary = Summary(
            grades=grades,
            total=int(counts["evaluations"]),
            ranking=ranking,
            ranked="grade",
            order=spec.ranking,
            leaders=leaders,
        )
        if count == 0:
            suggestions = ctx.broader(spec, fiscal_year)
            lines = [f"{reading}: {t.count_label(0, lang)}", zero_text(lang, suggestions)]
            return ctx.make(
                question, spec, fiscal_year, items, 0, summary, lines, reading, suggestions
            )
        lines = [
            r.common_grade_line(summary, reading, lang),
            r.grade_order_line(summary, lang),
            t.summary_lines(summary.model_copy(update={"ranking": ()}), lang)[0],
        ]
        attention = [i for i in items if i.grade in (Grade.C, Grade.D)]
        if attention:
            lines.append(f"{t.attention_title(lang)}:")
            lines.extend(t.attention_lines(attention, lang, where=t.origins(items)))
        return ctx.make(question, spec, fiscal_year, items, count, summary, lines, reading, ())


class ExtremeItems(Shape):
    """ "介護の事業で一番評価が低いのは？", "lowest-rated item about childcare": the items of
    the selection holding its lowest (highest) grade, whichever that is."""

    name = "extreme_items"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.ranked == "item"

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        fiscal_year = ctx.fiscal_year(spec)
        reading = filters.describe(spec, lang, fiscal_year)
        grades = grade_dict(ctx.run("count_matching", **ctx.params(spec, fiscal_year)).rows[0])
        held = [g for g in Grade if grades.get(g.value)]
        if not held:
            suggestions = ctx.broader(spec, fiscal_year)
            lines = [f"{reading}: {t.count_label(0, lang)}", zero_text(lang, suggestions)]
            return ctx.make(question, spec, fiscal_year, (), 0, None, lines, reading, suggestions)
        grade = held[-1] if spec.ranking == "worst" else held[0]
        graded = spec.model_copy(update={"grades": (grade,)})
        rows, counts = _selection(ctx, graded, fiscal_year)
        items = answer_items(rows.rows)
        count = int(counts["items"])
        summary = Summary(grades=grades, total=sum(grades.values()))
        where = t.origins(items)
        lines = [r.extreme_grade_line(reading, grade, count, spec.ranking or "worst", lang)]
        if beyond := r.none_below_line(grades, grade, spec.ranking or "worst", lang):
            lines.append(beyond)
        lines.extend(t.item_line(i, lang, where=where) for i in items)
        if rows.truncated:
            lines.append(t.first_rows_note(len(items), lang))
        return ctx.make(question, graded, fiscal_year, items, count, summary, lines, reading, ())


class GroupRanking(Shape):
    """ "which department has the most B?", "評価が一番よい基本目標は？", "基本施策ごとに一番
    遅れているのは？": the summary, led by the department or part of the plan ranked first
    and the order of all of them with their grade counts."""

    name = "group_ranking"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.ranked in ("department", "goal", "policy", "measure") and bool(spec.ranking)

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        base = SummaryShape().answer(ctx, question, spec)
        if base.summary is None or not base.count:
            return base
        groups = _group_counts(ctx, spec, base.summary)
        if spec.ranking in ("best", "worst"):
            ranking, leaders = _ranked(groups, mean_place, spec.ranking == "best")
        else:
            asked = [g.value for g in spec.grades] or list(GRADE_ORDER)
            ranking, leaders = _ranked(
                groups, lambda c: float(sum(c.get(g, 0) for g in asked)), spec.ranking == "fewest"
            )
        summary = base.summary.model_copy(
            update={
                "ranking": ranking,
                "ranked": spec.ranked,
                "order": spec.ranking,
                "counted": spec.grades if spec.ranking in ("most", "fewest") else (),
                "leaders": leaders,
            }
        )
        if not ranking:
            return base
        lead = [r.group_lead_line(summary, spec.language)]
        if spec.ranked != "department" or spec.ranking in ("best", "worst"):
            lead.extend(r.group_order_lines(summary, spec.language))
        text = t.join_lines([*lead, base.text])
        return base.model_copy(update={"text": text, "summary": summary})


def _group_counts(ctx: AskContext, spec: QuerySpec, summary: Summary) -> dict[str, dict[str, int]]:
    """Grade counts per department or part of the plan. The fewest of a grade may be none:
    then every group the other filters select is ranked, not only those that have the
    grade ("A評価が最も少ない課" may be one without any A)."""
    fiscal_year = ctx.fiscal_year(spec)
    every = spec.ranking == "fewest" and spec.grades
    if spec.ranked == "department" and not every:
        return summary.by_department  # the summary answered has counted them already
    params = ctx.params(filters.GRADES.dropped(spec) if every else spec, fiscal_year)
    if spec.ranked == "department":
        rows = ctx.run("grade_counts_by_department", **params).rows
        return ctx.reorganisations().under_current_names(
            {row["department"]: grade_dict(row) for row in rows}
        )
    depth = {"goal": 1, "policy": 2, "measure": 3}[spec.ranked or "goal"]
    rows = ctx.run("grade_counts_by_part", **params, depth=depth).rows
    return {part_label(row, spec.language): grade_dict(row) for row in rows}


def part_label(row: Mapping[str, Any], lang: Language) -> str:
    """'基本目標Ⅱ 基本施策1（ワーク・ライフ・バランスの普及・啓発）', 'goal III'."""
    goal = t.goal_label(int(row["goal_no"]), lang)
    if row.get("policy_no") is None:
        return goal
    ja = lang == "ja"
    label = f"{goal} 基本施策{row['policy_no']}" if ja else f"{goal} policy {row['policy_no']}"
    if row.get("measure_no") is not None:
        label += f" 施策({row['measure_no']})" if ja else f" measure ({row['measure_no']})"
    title = str(row.get("title") or "").strip()
    return f"{label}（{title}）" if ja and title else f"{label} ({title})" if title else label
