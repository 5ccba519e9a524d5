"""A summary: grade counts overall, by department and by goal, what changed since the
year before, the items needing attention, and for a ranking ("which department has the
most B?") the department first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.ask import filters
from bot.ask.context import AskContext, zero_text
from bot.ask.rows import (
    answer_items,
    count_groups,
    count_rows,
    grade_changes,
    grade_dict,
    rows_query,
)
from bot.ask.shapes.base import Shape
from bot.models import Answer, Grade, Intent, Language, QuerySpec, Summary
from bot.render import text as t


class SummaryShape(Shape):
    name = "summary"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.intent == Intent.SUMMARY

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        fiscal_year = ctx.fiscal_year(spec)
        params = ctx.params(spec, fiscal_year)
        rows = ctx.run(rows_query(params), **params)
        # As for lists: rows that the cap did not cut are counted here, not queried again.
        if rows.truncated:
            counts = ctx.run("count_matching", **params).rows[0]
            by_dept = ctx.run("grade_counts_by_department", **params).rows
            by_goal = ctx.run("grade_counts_by_goal", **params).rows
        else:
            counts = count_rows(rows.rows)
            by_dept = count_groups(rows.rows, "department")
            by_goal = count_groups(rows.rows, "goal_no")
        summary = Summary(
            grades=grade_dict(counts),
            by_department=ctx.reorganisations().under_current_names(
                {r["department"]: grade_dict(r) for r in by_dept}
            ),
            by_goal={t.goal_label(int(r["goal_no"]), lang): grade_dict(r) for r in by_goal},
            total=int(counts["evaluations"]),
            **since_last_year(ctx, spec, fiscal_year),
        )
        items = answer_items(rows.rows)
        count = int(counts["items"])
        reading = filters.describe(spec, lang, fiscal_year)
        head = "まとめ" if lang == "ja" else "summary"
        lines = [
            f"{reading} {head}: {t.count_label(count, lang)}",
            *t.change_lines(summary, lang),
            *t.summary_lines(summary, lang),
        ]
        if spec.ranking and summary.by_department:
            lines.insert(0, ranking_line(spec, ranked_departments(ctx, spec, summary), lang))
        attention = [i for i in items if i.grade in (Grade.C, Grade.D)]
        if attention:
            lines.append(f"{t.attention_title(lang)}:")
            lines.extend(t.attention_lines(attention, lang, where=t.origins(items)))
        suggestions = ctx.broader(spec, fiscal_year) if count == 0 else ()
        if count == 0:
            lines.append(zero_text(lang, suggestions))
        return ctx.make(
            question, spec, fiscal_year, items, count, summary, lines, reading, suggestions
        )


def since_last_year(ctx: AskContext, spec: QuerySpec, fiscal_year: int) -> dict[str, Any]:
    """For a summary: the previous fiscal year's grade counts under the same filters and
    the items whose grade changed since, by the trend answers' own change query (which
    follows an item's number across department renames)."""
    earlier = [y for y in ctx.years(spec.municipality) if y < fiscal_year]
    if not earlier:
        return {}
    before = earlier[-1]
    counts = ctx.run("count_matching", **ctx.params(spec, before)).rows[0]
    changed = ctx.run(
        "grade_changes_between_years",
        **ctx.params(spec),
        from_year=before,
        to_year=fiscal_year,
        direction="changed",
        from_grades=None,
        to_grades=None,
    )
    return {
        "previous_fiscal_year": before,
        "previous_grades": grade_dict(counts),
        "changes": grade_changes(changed.rows),
    }


def ranked_departments(
    ctx: AskContext, spec: QuerySpec, summary: Summary
) -> dict[str, dict[str, int]]:
    """The departments a ranking compares, with their grade counts. The fewest of a grade
    may be none: then every department the other filters select is ranked, not only
    those that have the grade ("A評価が最も少ない課" may be one without any A)."""
    if spec.ranking != "fewest" or not spec.grades:
        return summary.by_department
    fiscal_year = ctx.fiscal_year(spec)
    every = ctx.run(
        "grade_counts_by_department",
        **ctx.params(filters.GRADES.dropped(spec), fiscal_year),
    ).rows
    return ctx.reorganisations().under_current_names(
        {r["department"]: grade_dict(r) for r in every}
    )


def ranking_line(
    spec: QuerySpec, by_department: Mapping[str, Mapping[str, int]], lang: Language
) -> str:
    """ "Which department has the most B?" answered first: the department (or tied ones)
    with the most (fewest) evaluations of the grades asked."""
    asked = [g.value for g in spec.grades] or [g.value for g in Grade]
    totals = {d: sum(counts.get(g, 0) for g in asked) for d, counts in by_department.items()}
    best = (max if spec.ranking == "most" else min)(totals.values())
    leaders = [d for d, n in totals.items() if n == best]
    what = "・".join(asked) if spec.grades else ""
    if lang == "ja":
        most = "最も多い" if spec.ranking == "most" else "最も少ない"
        subject = f"評価{what}が{most}のは" if what else f"事業が{most}のは"
        return f"{subject}{'、'.join(leaders)}（{best}件）"
    most = "Most" if spec.ranking == "most" else "Fewest"
    subject = f"grade {what}" if what else "items"
    return f"{most} {subject}: {', '.join(leaders)} ({best})"
