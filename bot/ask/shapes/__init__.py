"""Question shapes, asked in order: the first whose ``matches`` holds answers.

Refusals and help come first (they need no query), then the shapes over several years,
then rankings inside a selection, summary, and the plain list, count or detail last: it answers whatever is left.
Adding a shape is one module here and its place in ``REGISTRY``.
"""

from __future__ import annotations

from bot.ask.context import AskContext
from bot.ask.shapes.base import Shape
from bot.ask.shapes.clarify import Clarify
from bot.ask.shapes.comparison import SideBySide
from bot.ask.shapes.help import Help
from bot.ask.shapes.item_history import ItemHistory
from bot.ask.shapes.listing import Listing
from bot.ask.shapes.no_part import NoPart, missing_parts_note
from bot.ask.shapes.no_year import NoYear
from bot.ask.shapes.other_municipality import OtherMunicipality
from bot.ask.shapes.over_years import OverYears
from bot.ask.shapes.ranking import CommonGrade, ExtremeItems, GroupRanking
from bot.ask.shapes.selection_history import SelectionHistory
from bot.ask.shapes.summary import SummaryShape
from bot.ask.shapes.trend import Trend
from bot.ask.topics import no_topic, none_within, scope_topics, set_aside_note
from bot.models import Answer, QuerySpec
from bot.render import text as t

REGISTRY: tuple[Shape, ...] = (
    OtherMunicipality(),
    Clarify(),
    Help(),
    OverYears(),
    NoYear(),
    NoPart(),
    ItemHistory(),
    SideBySide(),
    SelectionHistory(),
    Trend(),
    CommonGrade(),
    ExtremeItems(),
    GroupRanking(),
    SummaryShape(),
    Listing(),
)


def shape_for(ctx: AskContext, spec: QuerySpec) -> Shape:
    """The first shape in ``REGISTRY`` that answers the question (the last answers all)."""
    return next(shape for shape in REGISTRY if shape.matches(ctx, spec))


def answer(ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
    answered = _answer(ctx, question, spec)
    note = missing_parts_note(ctx, spec) if spec.parts else None
    if note is None:
        return answered
    return answered.model_copy(update={"text": t.join_lines([answered.text, note])})


def _answer(ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
    shape = shape_for(ctx, spec)
    if not shape.topics:
        return shape.answer(ctx, question, spec)
    fiscal_year = ctx.fiscal_year(spec)
    scoped = scope_topics(ctx, spec, fiscal_year)
    if scoped.nothing:
        return no_topic(ctx, question, spec, fiscal_year, scoped)
    if scoped.elsewhere and shape.answers_none:
        return none_within(ctx, question, spec, fiscal_year, scoped)
    answered = shape.answer(ctx, question, scoped.spec)
    if not scoped.set_aside:
        return answered
    note = set_aside_note(scoped, spec.language, fiscal_year)
    return answered.model_copy(update={"text": t.join_lines([answered.text, note])})
