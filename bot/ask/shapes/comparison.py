"""A department or a goal side by side in two fiscal years ("高齢者支援課の令和元年度と
令和2年度を比べて", "compare goal II with last year"): every item either year holds,
with both grades, the changed ones marked, items added or dropped named, and the grade
counts of each year."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from bot.ask import filters
from bot.ask.context import AskContext
from bot.ask.rows import answer_items, item_count, item_key
from bot.ask.shapes.base import Shape
from bot.ask.shapes.one_year import earlier_year, nothing_to_compare
from bot.models import (
    Answer,
    AnswerItem,
    ComparedItem,
    Comparison,
    Grade,
    Intent,
    QuerySpec,
)
from bot.render import text as t

Change = Literal["same", "up", "down", "added", "dropped"]
#: An item in either year: (earlier evaluation, later evaluation), one of them None.
Pair = tuple[AnswerItem | None, AnswerItem | None]


class SideBySide(Shape):
    name = "compare"
    topics = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.intent == Intent.COMPARE

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        later = ctx.fiscal_year(spec)
        earlier = earlier_year(ctx, spec, later)
        latest = ctx.years(spec.municipality)[-1]
        if earlier is None and later < latest:
            # One year named, the first the warehouse holds ("2019との比較"): it is the
            # year set against the latest.
            earlier, later = later, latest
        if earlier is None or earlier == later:
            return nothing_to_compare(ctx, question, spec, later)
        spec = spec.model_copy(update={"fiscal_year": later, "compare_fiscal_year": earlier})
        params = ctx.params(spec)
        del params["grades"]
        # Every evaluation, in both years, of the items that either year holds within
        # the filters (a grade asked: graded so in either year); an item is its number
        # in its plan, whatever its department was called in each year.
        rows = ctx.run(
            "items_graded_over_years",
            **params,
            grades=[g.value for g in spec.grades] or None,
            years=[earlier, later],
            from_year=earlier,
            to_year=later,
            over="any",
        )
        items = answer_items(rows.rows)
        pairs = pair_years((*items, *_elsewhere(ctx, spec, items, earlier, later)), earlier)
        pairs = [p for p in pairs if not _went_to_a_sibling(ctx, spec, p)]
        comparison = Comparison(
            from_year=earlier,
            to_year=later,
            rows=tuple(compared(before, after) for before, after in pairs),
            from_grades=_grade_counts(before for before, _ in pairs),
            to_grades=_grade_counts(after for _, after in pairs),
        )
        items = tuple(_shown_item(before, after) for before, after in pairs)
        count = item_count(items)
        reading = filters.describe(spec, lang, later)
        head = t.pick(lang, "の比較", " side by side")
        lines = [
            f"{reading}{head}: {t.count_label(count, lang)}",
            *t.comparison_lines(comparison, lang, where=t.origins(items)),
        ]
        if rows.truncated:
            lines.append(t.first_rows_note(len(items), lang))
        answer = ctx.make(question, spec, later, items, count, None, lines, reading, ())
        return answer.model_copy(update={"comparison": comparison})


def _elsewhere(
    ctx: AskContext, spec: QuerySpec, items: Sequence[AnswerItem], earlier: int, later: int
) -> tuple[AnswerItem, ...]:
    """The other year's evaluations of items the filters found in one year only: an item
    that moved to (or from) a department outside the question is compared, not said to
    be added or dropped; one that neither year's report holds twice stays so."""
    years: dict[tuple[str, str, int], set[int]] = {}
    for item in items:
        years.setdefault(item_key(item.municipality, item.plan, item.item_no), set()).add(
            item.fiscal_year
        )
    lone = {key: seen for key, seen in years.items() if len(seen) == 1}
    if not lone:
        return ()
    rows = ctx.run(
        "item_grade_history",
        item_nos=sorted({no for _, _, no in lone}),
        municipality=ctx.params(spec)["municipality"],
        from_year=earlier,
        to_year=later,
    )
    return tuple(
        i
        for i in answer_items(rows.rows)
        if i.fiscal_year
        not in lone.get(item_key(i.municipality, i.plan, i.item_no), {i.fiscal_year})
    )


def _went_to_a_sibling(ctx: AskContext, spec: QuerySpec, pair: Pair) -> bool:
    """An item of a former department that went to a successor the question did not
    name: 児童青少年課 compared with the year before is not shown 保育課's share of the
    子ども育成課 they were split from."""
    before, after = pair
    if before is None or after is None or not spec.departments:
        return False
    asked = set(spec.departments)
    return (
        after.department not in asked
        and before.department in asked
        and bool(ctx.reorganisations().later(before.department))
    )


def pair_years(items: Sequence[AnswerItem], earlier: int) -> list[Pair]:
    """Each item's earlier and later evaluations paired: the same department's first,
    then one that moved (the department renamed or split) with the one left over."""
    by_item: dict[tuple[str, str, int], tuple[list[AnswerItem], list[AnswerItem]]] = {}
    for item in items:
        years = by_item.setdefault(item_key(item.municipality, item.plan, item.item_no), ([], []))
        years[0 if item.fiscal_year == earlier else 1].append(item)
    pairs: list[Pair] = []
    for before, after in by_item.values():
        left = list(before)
        paired: list[Pair] = []
        unmatched: list[AnswerItem] = []
        for a in after:
            same = next((b for b in left if b.department == a.department), None)
            if same is None:
                unmatched.append(a)
            else:
                left.remove(same)
                paired.append((same, a))
        for a in unmatched:
            paired.append((left.pop(0) if left else None, a))
        paired.extend((b, None) for b in left)
        pairs.extend(paired)
    return pairs


def compared(before: AnswerItem | None, after: AnswerItem | None) -> ComparedItem:
    shown = after or before
    assert shown is not None
    moved = before is not None and after is not None and before.department != after.department
    return ComparedItem(
        municipality=shown.municipality,
        plan=shown.plan,
        item_no=shown.item_no,
        name=shown.name,
        department=shown.department,
        from_department=before.department if moved and before else None,
        from_grade=before.grade if before else None,
        to_grade=after.grade if after else None,
        change=_change(before, after),
    )


def _change(before: AnswerItem | None, after: AnswerItem | None) -> Change:
    if before is None:
        return "added"
    if after is None:
        return "dropped"
    if before.grade == after.grade:
        return "same"
    # A is the best grade: a letter earlier in the alphabet is a rise.
    return "up" if after.grade < before.grade else "down"


def _shown_item(before: AnswerItem | None, after: AnswerItem | None) -> AnswerItem:
    """The item as an answer lists it: the later evaluation with the earlier grade (and
    department, where it moved) beside it; a dropped item as last reported."""
    if after is None:
        assert before is not None
        return before
    if before is None:
        return after
    moved = before.department if before.department != after.department else None
    return after.model_copy(update={"from_grade": before.grade, "from_department": moved})


def _grade_counts(items: Iterable[AnswerItem | None]) -> dict[str, int]:
    """Each grade's evaluations in one year (an item two departments grade counts twice,
    as a summary counts it)."""
    counts = {g.value: 0 for g in Grade}
    for item in items:
        if item is not None:
            counts[item.grade.value] += 1
    return counts
