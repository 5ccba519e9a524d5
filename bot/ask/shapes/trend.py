"""What changed between two fiscal years: grades that rose, fell, held or changed, and
items added to or dropped from the report."""

from __future__ import annotations

from bot.ask import filters
from bot.ask.context import AskContext
from bot.ask.rows import answer_items, item_count
from bot.ask.shapes.base import Shape
from bot.ask.shapes.one_year import earlier_year, nothing_to_compare
from bot.models import Answer, AnswerItem, Intent, QuerySpec
from bot.render import text as t


class Trend(Shape):
    name = "trend"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.intent == Intent.TREND

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        fiscal_year = ctx.fiscal_year(spec)
        earlier = earlier_year(ctx, spec, fiscal_year)
        if earlier is None:
            return nothing_to_compare(ctx, question, spec, fiscal_year)
        spec = spec.model_copy(update={"compare_fiscal_year": earlier})
        if spec.trend_direction in ("added", "dropped", "came_and_went"):
            return came_or_went(ctx, question, spec, earlier, fiscal_year)
        params = ctx.params(spec)
        rows = ctx.run(
            "grade_changes_between_years",
            **params,
            from_year=earlier,
            to_year=fiscal_year,
            direction=spec.trend_direction or "changed",
            from_grades=[g.value for g in spec.from_grades] or None,
            to_grades=[g.value for g in spec.to_grades] or None,
        )
        items = answer_items(rows.rows)
        if spec.min_steps:
            # "2段階以上下がった": the grades between the two years' letters.
            items = tuple(i for i in items if _steps(i) >= spec.min_steps)
        count = item_count(items)
        reading = filters.describe(spec, lang, fiscal_year)
        label = {
            "up": ("評価が上がった事業", "grade improved"),
            "down": ("評価が下がった事業", "grade fell"),
            "same": ("評価が変わらなかった事業", "same grade in both years"),
            "any": ("評価の推移", "grades in both years"),
        }.get(spec.trend_direction or "", ("評価が変わった事業", "grade changed"))
        if spec.min_steps:
            label = (
                label[0].replace("評価が", f"評価が{spec.min_steps}段階以上"),
                f"{label[1]} by {spec.min_steps} grades or more",
            )
        lines = [
            f"{reading} {label[0] if lang == 'ja' else label[1]}: {t.count_label(count, lang)}"
        ]
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, where=where) for i in items)
        return ctx.make(question, spec, fiscal_year, items, count, None, lines, reading, ())


def came_or_went(
    ctx: AskContext, question: str, spec: QuerySpec, earlier: int, later: int
) -> Answer:
    """Items in the later report and not the earlier one (added), or the other way
    round (dropped: shown as last reported), or both lists, the added first."""
    lang = spec.language
    ways = {"added": ("added",), "dropped": ("dropped",)}.get(
        spec.trend_direction or "", ("added", "dropped")
    )
    reading = filters.describe(spec, lang, later)
    items: tuple[AnswerItem, ...] = ()
    count = 0
    lines: list[str] = []
    for way in ways:
        added = way == "added"
        year, other = (later, earlier) if added else (earlier, later)
        rows = ctx.run("items_not_in_year", **ctx.params(spec, year), other_year=other)
        found = answer_items(rows.rows)
        head = (
            t.pick(lang, "新たに加わった事業", "items added")
            if added
            else t.pick(lang, "報告からなくなった事業", "items no longer reported")
        )
        lines.append(f"{reading} {head}: {t.count_label(item_count(found), lang)}")
        where = t.origins(found)
        lines.extend(t.item_line(i, lang, with_year=not added, where=where) for i in found)
        items, count = (*items, *found), count + item_count(found)
    return ctx.make(question, spec, later, items, count, None, lines, reading, ())


def _steps(item: AnswerItem) -> int:
    """How many grades an item moved between the two years (A is best)."""
    if item.from_grade is None:
        return 0
    return abs(ord(item.grade.value) - ord(item.from_grade.value))
