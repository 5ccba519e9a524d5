"""A goal, basic policy or measure the report does not have: say which it has.

"基本目標Ⅰの評価の内訳" over a report whose goals start at Ⅱ would otherwise be answered
"0件", as if the goal had items and none were graded.
"""

from __future__ import annotations

from bot.ask import filters
from bot.ask.context import AskContext
from bot.ask.shapes.base import Shape
from bot.models import Answer, PlanPart, Problem, QuerySpec
from bot.render import text as t


def _parts(ctx: AskContext) -> set[tuple[int, int, int]]:
    """Every (goal, basic policy, measure) of the snapshot, read once per snapshot: each
    question naming a part of the plan asks."""

    def fetch() -> set[tuple[int, int, int]]:
        rows = ctx.store.run("hierarchy_titles").rows
        return {(int(r["goal_no"]), int(r["policy_no"]), int(r["measure_no"])) for r in rows}

    parts: set[tuple[int, int, int]] = ctx.store.cached("hierarchy_parts", fetch)
    return parts


def _held(asked: PlanPart, parts: set[tuple[int, int, int]]) -> bool:
    wanted = (asked.goal, asked.policy, asked.measure)
    return any(
        all(a is None or a == b for a, b in zip(wanted, part, strict=True)) for part in parts
    )


def _asked(spec: QuerySpec) -> tuple[PlanPart, ...]:
    """The parts of the plan a question names: several, one, or none."""
    if spec.parts:
        return spec.parts
    if spec.goal is None and spec.policy is None and spec.measure is None:
        return ()
    return (PlanPart(goal=spec.goal, policy=spec.policy, measure=spec.measure),)


def missing_parts_note(ctx: AskContext, spec: QuerySpec) -> str | None:
    """Of several parts named, those the report does not have ("基本目標ⅠとⅡのD" over a
    report from Ⅱ on): the others answer, and the note says which were not there."""
    held = _parts(ctx)
    missing = [p for p in spec.parts if not _held(p, held)]
    if not missing or len(missing) == len(spec.parts):
        return None
    lang = spec.language
    named = t.pick(lang, "・", ", ").join(filters.part_label(p, lang) for p in missing)
    return t.pick(lang, f"（{named}はこの報告にありません）", f"({named}: not in this report)")


class NoPart(Shape):
    name = "no_part"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        asked = _asked(spec)
        if not asked:
            return False  # (no part named: the snapshot's parts are not read)
        held = _parts(ctx)
        return not any(_held(part, held) for part in asked)

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        goals = sorted({goal for goal, _, _ in _parts(ctx)})
        have = t.pick(lang, "・", ", ").join(t.goal_label(g, lang) for g in goals)
        absent = [a.goal for a in _asked(spec) if a.goal is not None and a.goal not in goals]
        if absent:
            part = t.pick(lang, "・", ", ").join(
                t.goal_label(g, lang) for g in dict.fromkeys(absent)
            )
        else:
            part = t.pick(lang, "その基本施策・施策", "That basic policy or measure")
        text = t.pick(
            lang,
            f"{part}はこの報告にありません。報告にある基本目標: {have}",
            f"{part[:1].upper()}{part[1:]} is not in this report. Its goals: {have}",
        )
        fiscal_year = ctx.fiscal_year(spec)
        return ctx.make(
            question,
            spec,
            fiscal_year,
            (),
            0,
            None,
            [text],
            "",
            (),
            ok=False,
            problem=Problem.NO_PART,
        )
