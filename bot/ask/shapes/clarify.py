"""A department name that was not found, or that could be several: ask which."""

from __future__ import annotations

from bot.ask.context import AskContext
from bot.ask.shapes.base import Shape
from bot.models import Answer, Problem, QuerySpec

_DEPARTMENT_PROBLEMS = (
    Problem.UNKNOWN_DEPARTMENT,
    Problem.AMBIGUOUS_DEPARTMENT,
    Problem.UNSURE_DEPARTMENT,
)


class Clarify(Shape):
    name = "clarify"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.problem in _DEPARTMENT_PROBLEMS

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        if spec.suggestions:
            names = "、".join(spec.suggestions) if lang == "ja" else ", ".join(spec.suggestions)
            text = (
                f"どの課のことか分かりませんでした。もしかして: {names}？"
                if lang == "ja"
                else f"I am not sure which department you mean. Did you mean: {names}?"
            )
        else:
            text = (
                "その名前の課は見つかりませんでした。課の一覧は「まとめ」で確認できます。"
                if lang == "ja"
                else "I could not find that department. Ask for a "
                "'summary' to see every department."
            )
        return ctx.make(question, spec, None, (), 0, None, [text], "", spec.suggestions, ok=False)
