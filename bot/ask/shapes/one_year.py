"""A question across years in a warehouse that holds one year only before the one asked."""

from __future__ import annotations

from bot.ask import filters
from bot.ask.context import AskContext
from bot.models import Answer, Language, Problem, QuerySpec
from bot.render import text as t


def one_year_note(lang: Language, years: list[int]) -> str:
    have = ", ".join(t.fiscal_year_label(y, lang) for y in years)
    return (
        f"比較できる年度がありません（データは{have}のみ）。"
        if lang == "ja"
        else f"Nothing to compare with: the warehouse holds only {have}."
    )


def earlier_year(ctx: AskContext, spec: QuerySpec, fiscal_year: int) -> int | None:
    """The year a question compares with: the one it names, else the one before."""
    years = ctx.years(spec.municipality)
    return spec.compare_fiscal_year or max((y for y in years if y < fiscal_year), default=None)


def nothing_to_compare(ctx: AskContext, question: str, spec: QuerySpec, fiscal_year: int) -> Answer:
    lang = spec.language
    reading = filters.describe(spec, lang, fiscal_year)
    lines = [f"{reading}: {one_year_note(lang, ctx.years(spec.municipality))}"]
    return ctx.make(
        question, spec, fiscal_year, (), 0, None, lines, reading, (), problem=Problem.ONE_YEAR
    )
