"""A summary: grade counts overall, by department and by goal, what changed since the
year before, and the items needing attention."""

from __future__ import annotations

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
from bot.models import Answer, Grade, Intent, QuerySpec, Summary
from bot.render import text as t


class SummaryShape(Shape):
    name = "summary"
    topics = True
    answers_none = True

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
            by_goal = ctx.run("grade_counts_by_part", **params, depth=1).rows
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
