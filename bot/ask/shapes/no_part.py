"""A goal, basic policy or measure the report does not have: say which it has.

"基本目標Ⅰの評価の内訳" over a report whose goals start at Ⅱ would otherwise be answered
"0件", as if the goal had items and none were graded.
"""

from __future__ import annotations

from bot.ask.context import AskContext
from bot.ask.shapes.base import Shape
from bot.models import Answer, Problem, QuerySpec
from bot.render import text as t


def _parts(ctx: AskContext) -> set[tuple[int, int, int]]:
    """Every (goal, basic policy, measure) of the snapshot, read once per snapshot: each
    question naming a part of the plan asks."""

    def fetch() -> set[tuple[int, int, int]]:
        rows = ctx.store.run("hierarchy_titles").rows
        return {(int(r["goal_no"]), int(r["policy_no"]), int(r["measure_no"])) for r in rows}

    parts: set[tuple[int, int, int]] = ctx.store.cached("hierarchy_parts", fetch)
    return parts


def _held(spec: QuerySpec, parts: set[tuple[int, int, int]]) -> bool:
    asked = (spec.goal, spec.policy, spec.measure)
    return any(all(a is None or a == b for a, b in zip(asked, part, strict=True)) for part in parts)


class NoPart(Shape):
    name = "no_part"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        if spec.goal is None and spec.policy is None and spec.measure is None:
            return False
        return not _held(spec, _parts(ctx))

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        goals = sorted({goal for goal, _, _ in _parts(ctx)})
        have = t.pick(lang, "・", ", ").join(t.goal_label(g, lang) for g in goals)
        if spec.goal is not None and spec.goal not in goals:
            part = t.goal_label(spec.goal, lang)
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
