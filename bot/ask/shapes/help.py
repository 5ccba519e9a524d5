"""Help: what planbot answers, with examples drawn from the data, and why a question
could not be answered (not understood, no context, too long, several municipalities)."""

from __future__ import annotations

from bot.ask.context import AskContext
from bot.ask.parser import asks_grade_meaning, is_thanks
from bot.ask.shapes.base import Shape
from bot.models import Answer, Intent, Problem, QuerySpec
from bot.render import text as t

_HELP_PROBLEMS = (
    Problem.UNKNOWN,
    Problem.NO_CONTEXT,
    Problem.SEVERAL_MUNICIPALITIES,
    Problem.UNKNOWN_MUNICIPALITY,
)


class Help(Shape):
    name = "help"

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return spec.intent == Intent.HELP or spec.problem in _HELP_PROBLEMS

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        examples = ctx.examples(lang)
        if spec.problem == Problem.UNKNOWN:
            head = t.pick(
                lang,
                "質問の意味が分かりませんでした。次のように聞いてください:",
                "I could not work out what you are asking. Try, for example:",
            )
        elif spec.problem == Problem.NO_CONTEXT:
            head = t.pick(
                lang,
                "前の質問は引き継げないため、何についてか分かりませんでした。"
                "事業番号や課の名前を添えて聞いてください。例:",
                "I do not keep earlier questions, so I could not tell what this is about. "
                "Please name the item or department, for example:",
            )
        elif spec.problem == Problem.UNKNOWN_MUNICIPALITY:
            missing, *held = spec.suggestions
            head = t.pick(
                lang,
                f"{missing}のデータはありません（データがあるのは: {'、'.join(held)}）。例:",
                f"There is no data for {missing} (the data covers {', '.join(held)}). Try:",
            )
        elif spec.problem == Problem.SEVERAL_MUNICIPALITIES:
            head = t.pick(
                lang,
                "一度に一つの自治体についてお答えします。次のように分けて聞いてください:",
                "I answer about one municipality at a time. Ask them one by one:",
            )
            examples = list(spec.suggestions)
        elif spec.problem == Problem.TOO_LONG:
            head = t.pick(
                lang,
                "質問が長すぎます（500文字まで）。次のように聞いてください:",
                "That question is too long (500 characters at most). Try:",
            )
        elif asks_grade_meaning(question):
            head = "\n".join(
                [
                    *t.grade_legend(lang),
                    t.pick(lang, "次のようにも聞けます:", "You can also ask, for example:"),
                ]
            )
        elif is_thanks(question):
            head = t.pick(
                lang,
                "どういたしまして。ほかにも次のように聞けます:",
                "You're welcome. You can also ask, for example:",
            )
        else:
            head = t.pick(
                lang,
                "planbot は進捗状況調査報告書の内容に答えます。例:",
                "planbot answers questions about the plan's progress reports. Examples:",
            )
        years = ctx.years()
        data = (
            f"データ: {', '.join(t.fiscal_year_label(y, lang) for y in years)}"
            if lang == "ja"
            else f"Data: {', '.join(t.fiscal_year_label(y, lang) for y in years)}"
        )
        lines = [head, *(f"  {e}" for e in examples), data]
        return ctx.make(
            question,
            spec,
            None,
            (),
            0,
            None,
            lines,
            "",
            tuple(examples),
            intent=Intent.HELP,
            ok=spec.problem is None,
        )
