"""An item's grades by fiscal year ("事業19の評価の推移", "item 16 in 2019 and 2021")."""

from __future__ import annotations

from bot.ask import filters
from bot.ask.context import AskContext
from bot.ask.rows import answer_items, item_count
from bot.ask.shapes.base import Shape
from bot.ask.shapes.one_year import one_year_note
from bot.models import Answer, Intent, QuerySpec
from bot.render import text as t


class ItemHistory(Shape):
    name = "item_history"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.intent == Intent.TREND and bool(spec.item_numbers)

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        years = ctx.years(spec.municipality)
        # Two years named ("between 2019 and 2021") bound the history; in SQL, so that
        # the row cap counts only the years asked for.
        wanted = sorted({y for y in (spec.fiscal_year, spec.compare_fiscal_year) if y})
        bounded = len(wanted) == 2
        rows = ctx.run(
            "item_grade_history",
            item_nos=list(spec.item_numbers),
            municipality=ctx.params(spec)["municipality"],
            from_year=wanted[0] if bounded else None,
            to_year=wanted[-1] if bounded else None,
        )
        items = answer_items(rows.rows)
        count = item_count(items)
        reading = filters.describe(spec, lang, None)
        head = "評価の推移" if lang == "ja" else "grades by fiscal year"
        lines = [f"{reading} {head}: {t.count_label(count, lang)}"]
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, with_year=True, where=where) for i in items)
        if len(years) < 2:
            lines.append(one_year_note(lang, years))
        return ctx.make(question, spec, None, items, count, None, lines, reading, ())
