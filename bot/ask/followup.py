"""A question asked in the thread of an answer continues that answer's question.

"Cは？", "令和2年度は？", "高齢者支援課だけ", "それの詳細", "in English": each filter
the new question names replaces the earlier one; each it does not name is inherited,
and the answer says which. Item numbers are specific enough to stand on their own:
with them only the municipality and the year carry over.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ask.filters import FILTERS, ITEMS, MUNICIPALITY, describe
from bot.models import Intent, Problem, QuerySpec, Reading, SpanKind

#: What a follow-up that names nothing of its own gets instead of an answer; with an
#: earlier question to continue, these are not problems.
_NO_CONTEXT = (Problem.NO_CONTEXT, Problem.UNKNOWN)


@dataclass(frozen=True)
class Continued:
    """The reading to answer with, and what of it came from the earlier question."""

    spec: QuerySpec
    inherited: QuerySpec
    inherited_year: int | None

    def note(self) -> str | None:
        """ "前の質問から引き継いだ条件: 評価D・高齢者支援課", or None if nothing was."""
        lang = self.spec.language
        words = describe(self.inherited, lang, self.inherited_year)
        if words == describe(QuerySpec(language=lang), lang):
            return None
        if lang == "ja":
            return f"前の質問から引き継いだ条件: {words}"
        return f"Carried over from the earlier question: {words}"


def continue_reading(previous: QuerySpec, reading: Reading) -> Continued | None:
    """The new question with the earlier one's filters it leaves unnamed, or None when
    it is not a continuation (a request for help, or a problem of its own such as an
    unknown department)."""
    new = reading.spec
    if new.intent == Intent.HELP or (new.problem is not None and new.problem not in _NO_CONTEXT):
        return None
    kept = (MUNICIPALITY,) if ITEMS.is_set(new) else FILTERS
    update: dict[str, object] = {}
    for f in kept:
        if not f.is_set(new) and f.is_set(previous):
            update.update({field: getattr(previous, field) for field in f.fields})
    year_named = new.fiscal_year is not None or new.compare_fiscal_year is not None
    inherited_year = None
    if not year_named and previous.fiscal_year is not None:
        update["fiscal_year"] = previous.fiscal_year
        update["compare_fiscal_year"] = previous.compare_fiscal_year
        inherited_year = previous.fiscal_year
    intent_named = bool(reading.spans_of(SpanKind.INTENT)) or new.intent != Intent.LIST
    if not intent_named:
        update["intent"] = previous.intent
        update["trend_direction"] = previous.trend_direction
    if not update:
        return None
    spec = new.model_copy(
        update={**update, "problem": None if new.problem in _NO_CONTEXT else new.problem}
    )
    inherited = QuerySpec(
        language=new.language,
        **{k: v for k, v in update.items() if k not in ("intent", "trend_direction")},
    )
    return Continued(spec=spec, inherited=inherited, inherited_year=inherited_year)
