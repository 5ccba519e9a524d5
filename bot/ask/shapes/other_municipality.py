"""A question about a municipality the deployment does not answer for."""

from __future__ import annotations

from bot.ask.context import AskContext
from bot.ask.shapes.base import Shape
from bot.models import Answer, Problem, QuerySpec
from bot.render import text as t


class OtherMunicipality(Shape):
    name = "other_municipality"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return bool(ctx.municipality) and spec.municipality not in (None, ctx.municipality)

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        pinned = ctx.municipality
        text = t.pick(
            spec.language,
            f"ここでは{pinned}の計画についてお答えします（{spec.municipality}のデータは対象外です）。",
            f"This workspace answers about {pinned}'s plan ({spec.municipality} is not covered).",
        )
        return ctx.make(
            question,
            spec,
            None,
            (),
            0,
            None,
            [text],
            "",
            (),
            ok=False,
            problem=Problem.OTHER_MUNICIPALITY,
        )
