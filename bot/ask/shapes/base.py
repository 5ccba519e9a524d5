"""A question shape: whether it answers a question, and its answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from bot.ask.context import AskContext
from bot.models import Answer, QuerySpec


class Shape(ABC):
    """One kind of answer: a list, a summary, a trend, help …

    The registry asks each shape in order whether it answers a question; the first that
    does runs its own queries and builds the answer."""

    name: ClassVar[str]
    #: Answered over the question with its topic words sorted out first (bot.ask.topics):
    #: words no selected item mentions are set aside and named under the answer.
    topics: ClassVar[bool] = False
    #: A topic word the year's items mention, none of them among those selected, is
    #: answered as none (bot.ask.topics.none_within) rather than set aside: for the shapes
    #: that list or sum up the selection.
    answers_none: ClassVar[bool] = False

    @abstractmethod
    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool: ...

    @abstractmethod
    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer: ...
