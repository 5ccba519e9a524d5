"""A grade condition over several fiscal years ("3年連続でA", "ever graded D")."""

from __future__ import annotations

from bot.ask import filters
from bot.ask.context import AskContext
from bot.ask.rows import answer_items, item_count
from bot.ask.shapes.base import Shape
from bot.ask.shapes.no_year import no_year
from bot.models import Answer, QuerySpec
from bot.render import text as t


class OverYears(Shape):
    name = "over_years"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return bool(spec.over and spec.over_years)

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        """Items whose grades over several years meet the condition ("3年連続でA",
        "C or D in both FY2020 and FY2021", "ever graded D"), with each year's grade."""
        lang = spec.language
        years = ctx.years(spec.municipality)
        missing = [y for y in spec.over_years if y not in years]
        if missing and spec.over != "any":
            return no_year(ctx, question, spec, missing[0])
        params = ctx.params(spec)
        del params["grades"]
        rows = ctx.run(
            "items_graded_over_years",
            **params,
            grades=[g.value for g in spec.grades] or None,
            years=list(spec.over_years),
            from_year=spec.over_years[0],
            to_year=spec.over_years[-1],
            over=spec.over,
        )
        items = answer_items(rows.rows)
        count = item_count(items)
        reading = filters.describe(spec, lang, None)
        lines = [f"{reading}: {t.count_label(count, lang)}"]
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, with_year=True, where=where) for i in items)
        if rows.truncated:
            lines.append(t.first_rows_note(len(items), lang))
        return ctx.make(question, spec, spec.over_years[-1], items, count, None, lines, reading, ())
