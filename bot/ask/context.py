"""What every question shape answers with: the warehouse, its years, the queries run.

One ``AskContext`` is made per answer, so the queries an answer ran ("show the query")
are collected in it, and a shape needs nothing of the ``Answerer`` but this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.ask import filters
from bot.models import (
    Answer,
    AnswerItem,
    Intent,
    Language,
    Problem,
    QueryRun,
    QuerySpec,
    Summary,
)
from bot.render import text as t
from bot.reorganisations import Reorganisations
from bot.store.database import QueryResult, Store


@dataclass
class AskContext:
    store: Store
    #: The deployment's municipality, or None for a warehouse of several.
    municipality: str | None
    #: The fiscal years of a municipality (None: the deployment's, else the warehouse's).
    years_of: Callable[[str | None], list[int]]
    reorganisations: Callable[[], Reorganisations]
    #: Example questions drawn from the data, per language.
    examples: Callable[[Language], list[str]]
    #: The named queries this answer ran, in order.
    runs: list[QueryRun] = field(default_factory=list)

    def years(self, municipality: str | None = None) -> list[int]:
        return self.years_of(municipality)

    def fiscal_year(self, spec: QuerySpec) -> int:
        """The year a question asks about: the one it names, else the latest."""
        return (
            spec.fiscal_year if spec.fiscal_year is not None else self.years(spec.municipality)[-1]
        )

    def params(self, spec: QuerySpec, fiscal_year: int | None = None) -> dict[str, Any]:
        return filters.sql_params(spec, self.municipality, fiscal_year)

    def run(self, name: str, **params: Any) -> QueryResult:
        """A named query, recorded among the answer's queries."""
        result = self.store.run(name, **params)
        self.runs.append(
            QueryRun(
                name=name,
                params=_jsonable(result.params),
                rows=len(result.rows),
                truncated=result.truncated,
                elapsed_ms=round(result.elapsed_ms, 2),
            )
        )
        return result

    def count(self, spec: QuerySpec, fiscal_year: int) -> int:
        return int(
            self.store.run("count_matching", **self.params(spec, fiscal_year)).rows[0]["items"]
        )

    def broader(self, spec: QuerySpec, fiscal_year: int) -> tuple[str, ...]:
        """The nearest broader questions that do have results, most specific first."""
        out: list[str] = []
        for broader in filters.broadenings(spec):
            counts = self.store.run("count_matching", **self.params(broader, fiscal_year))
            n = int(counts.rows[0]["items"])
            if n:
                out.append(
                    f"{filters.describe(broader, spec.language, fiscal_year)}: "
                    f"{t.count_label(n, spec.language)}"
                )
            if len(out) >= 2:
                break
        return tuple(out)

    def make(
        self,
        question: str,
        spec: QuerySpec,
        fiscal_year: int | None,
        items: tuple[AnswerItem, ...],
        count: int,
        summary: Summary | None,
        lines: list[str],
        reading: str,
        suggestions: tuple[str, ...],
        *,
        intent: Intent | None = None,
        ok: bool = True,
        problem: Problem | None = None,
    ) -> Answer:
        return Answer(
            question=question,
            language=spec.language,
            intent=intent or spec.intent,
            filters=filters.shown(spec, fiscal_year),
            fiscal_year=fiscal_year,
            items=items,
            count=count,
            summary=summary,
            text=t.join_lines(lines),
            reading=reading,
            queries=tuple(self.runs),
            suggestions=suggestions,
            ok=ok,
            problem=problem if problem is not None else spec.problem,
        )


def _jsonable(params: dict[str, Any]) -> dict[str, object]:
    return {k: v for k, v in params.items() if v is not None}


def zero_text(lang: Language, suggestions: tuple[str, ...]) -> str:
    if lang == "ja":
        head = "該当する事業はありませんでした。"
        return head + ("条件を広げると: " + " / ".join(suggestions) if suggestions else "")
    head = "No items match."
    return head + (" Broader: " + " / ".join(suggestions) if suggestions else "")
