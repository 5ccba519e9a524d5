"""A fiscal year the warehouse does not hold: say which years it does."""

from __future__ import annotations

from bot.ask.context import AskContext
from bot.ask.shapes.base import Shape
from bot.models import Answer, Intent, Problem, QuerySpec
from bot.render import text as t


def missing_years(ctx: AskContext, spec: QuerySpec) -> list[int]:
    years = ctx.years(spec.municipality)
    fiscal_year = ctx.fiscal_year(spec)
    return [y for y in (fiscal_year, spec.compare_fiscal_year) if y is not None and y not in years]


class NoYear(Shape):
    name = "no_year"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        # An item's history is answered over the years there are.
        history = spec.intent == Intent.TREND and bool(spec.item_numbers)
        return not history and bool(missing_years(ctx, spec))

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        return no_year(ctx, question, spec, missing_years(ctx, spec)[0])


def no_year(ctx: AskContext, question: str, spec: QuerySpec, year: int) -> Answer:
    lang = spec.language
    have = ", ".join(t.fiscal_year_label(y, lang) for y in ctx.years(spec.municipality))
    text = (
        f"{t.fiscal_year_label(year, lang)}のデータはありません。利用できる年度: {have}"
        if lang == "ja"
        else f"There is no data for {t.fiscal_year_label(year, lang)}. Available: {have}"
    )
    return ctx.make(
        question, spec, year, (), 0, None, [text], "", (), ok=False, problem=Problem.NO_YEAR
    )
