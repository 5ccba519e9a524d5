"""The grades, year by year, of the items a selection holds ("保育課の事業の推移", "DV関係
の事業の評価の推移", "goal II over the years"): each item with its grade in every year the
warehouse holds, and each year's grade counts."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ask import filters
from bot.ask.context import AskContext
from bot.ask.rows import answer_items, item_count, item_key, rows_query
from bot.ask.shapes.base import Shape
from bot.ask.shapes.one_year import nothing_to_compare
from bot.models import Answer, AnswerItem, Grade, Intent, QuerySpec
from bot.render import text as t


class SelectionHistory(Shape):
    name = "selection_history"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.intent == Intent.TREND and spec.trend_direction == "history"

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        latest = ctx.fiscal_year(spec)
        first = spec.compare_fiscal_year  # "令和元年度から令和3年度までの…推移"
        years = [
            y for y in ctx.years(spec.municipality) if y <= latest and (first is None or y >= first)
        ]
        if len(years) < 2:
            return nothing_to_compare(ctx, question, spec, latest)
        # The items the selection holds in the latest year asked (a department's items now,
        # whatever it was called before), then every year's evaluations of them.
        params = ctx.params(spec, latest)
        held = answer_items(ctx.run(rows_query(params), **params).rows)
        keys = {item_key(i.municipality, i.plan, i.item_no) for i in held}
        rows = ctx.run(
            "item_grade_history",
            item_nos=sorted({i.item_no for i in held}),
            municipality=params["municipality"],
            from_year=years[0],
            to_year=latest,
        )
        # A department's own evaluations (under each name it had), not a co-owner's.
        history = [
            i
            for i in answer_items(rows.rows)
            if item_key(i.municipality, i.plan, i.item_no) in keys
            and (not spec.departments or i.department in spec.departments)
        ]
        reading = filters.describe(spec, lang, None)
        span = (
            f"{t.fiscal_year_label(years[0], lang)}〜{t.fiscal_year_label(latest, lang)}"
            if lang == "ja"
            else f"{t.fiscal_year_label(years[0], lang)}–{t.fiscal_year_label(latest, lang)}"
        )
        count = item_count(held)
        head = t.pick(lang, f"評価の推移（{span}）", f"grades by year, {span}")
        lines = [f"{reading} {head}: {t.count_label(count, lang)}"]
        lines.extend(_year_counts(history, years, lang))
        lines.extend(_item_rows(history, years, lang))
        if rows.truncated:
            lines.append(t.first_rows_note(len(history), lang))
        return ctx.make(question, spec, latest, tuple(held), count, None, lines, reading, ())


def _year_counts(history: Sequence[AnswerItem], years: list[int], lang: str) -> list[str]:
    """Each year's grade counts over the selection's items (an item two departments grade
    counts twice, as a summary counts it)."""
    out: list[str] = []
    sep = " / " if lang == "ja" else " · "
    for year in years:
        counts = {g.value: 0 for g in Grade}
        for item in history:
            if item.fiscal_year == year:
                counts[item.grade.value] += 1
        shown = sep.join(f"{g} {n}" for g, n in counts.items())
        out.append(f"{t.fiscal_year_label(year, lang)}: {shown}")
    return out


def _item_rows(history: Sequence[AnswerItem], years: list[int], lang: str) -> list[str]:
    """One line per item (and department): its grade in each year, — where it has none."""
    per_item: dict[tuple[str, str, int], list[AnswerItem]] = {}
    for item in history:
        per_item.setdefault(item_key(item.municipality, item.plan, item.item_no), []).append(item)
    by_item: dict[tuple[tuple[str, str, int], str], dict[int, AnswerItem]] = {}
    for key, evaluations in per_item.items():
        one_a_year = len({e.fiscal_year for e in evaluations}) == len(evaluations)
        for e in evaluations:
            # One line an item, its department renamed or not; an item several departments
            # grade in a year has a line for each.
            by_item.setdefault((key, "" if one_a_year else e.department), {})[e.fiscal_year] = e
    out = [
        t.pick(
            lang,
            "事業｜課｜" + " → ".join(t.fiscal_year_label(y, "ja") for y in years),
            "Item | department | " + " → ".join(t.fiscal_year_label(y, "en") for y in years),
        )
    ]
    for by_year in by_item.values():
        last = by_year[max(by_year)]
        grades = " → ".join(by_year[y].grade.value if y in by_year else "—" for y in years)
        out.append(
            t.pick(
                lang,
                f"・事業{last.item_no} {last.name}｜{last.department}｜{grades}",
                f"• Item {last.item_no} {last.name} | {last.department} | {grades}",
            )
        )
    return out
