"""From question to Answer: read it, run the named queries its shape needs, explain.

This is the one core both faces share: the CLI/console and Slack call ``answer()`` and
only render the result differently.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict
from pathlib import Path

from bot.ask import filters, shapes
from bot.ask.context import AskContext
from bot.ask.lexicon import HierarchyTitle, Lexicon
from bot.ask.parser import read_question
from bot.ask.rows import rows_query
from bot.ask.text import question_text
from bot.models import Answer, Language, QuerySpec, Reading
from bot.render import text as t
from bot.reorganisations import Reorganisations, reorganisations_for
from bot.store.database import Store

log = logging.getLogger(__name__)

#: Answers remembered per process (each holds at most the row cap's items).
ANSWER_CACHE_SIZE = 256


class Answerer:
    def __init__(
        self,
        store: Store,
        *,
        aliases_file: Path | None = None,
        municipality: str | None = None,
        cache_size: int = ANSWER_CACHE_SIZE,
    ) -> None:
        self.store = store
        self.aliases_file = aliases_file
        self.municipality = municipality
        self.cache_size = cache_size
        self._answers: OrderedDict[tuple[Path, str], Answer] = OrderedDict()
        self._answers_lock = threading.Lock()

    # --- vocabulary, cached per warehouse snapshot -----------------------------------
    def lexicon(self) -> Lexicon:
        def build() -> Lexicon:
            names = [r["department"] for r in self.store.run("departments").rows]
            places = [r["municipality"] for r in self.store.run("municipalities").rows]
            plans = [r["plan"] for r in self.store.run("plans").rows]
            titles = [
                title
                for row in self.store.run("hierarchy_titles").rows
                for title in HierarchyTitle.from_row(row)
            ]
            return Lexicon.build(names, self.aliases_file, places, plans, titles)

        lexicon: Lexicon = self.store.cached("lexicon", build)
        return lexicon

    def reorganisations(self) -> Reorganisations:
        """Departments renamed, split or merged (the alias file has the last word)."""
        return reorganisations_for(self.store, self.aliases_file)

    def years(self, municipality: str | None = None) -> list[int]:
        """The fiscal years of the deployment's municipality, or of the one a question
        picked, or of the whole warehouse."""
        scope = self.municipality or municipality

        def fetch() -> list[int]:
            rows = self.store.run("fiscal_years", municipality=scope).rows
            return sorted(int(r["fiscal_year"]) for r in rows)

        years: list[int] = self.store.cached(f"years:{scope}", fetch)
        return years

    # --- answering -------------------------------------------------------------------
    def read(self, question: str) -> Reading:
        """The message as read against this warehouse's names and years."""
        reading = read_question(question, self.lexicon(), years=self.years())
        spec = reading.spec
        if spec.municipality and not self.municipality:
            # "武蔵野市の今年度…": this year is the latest that city has reported.
            own = self.years(spec.municipality)
            if own and own != self.years():
                reading = read_question(question, self.lexicon(), years=own)
        return reading.model_copy(update={"spec": self.with_department_history(reading.spec)})

    def parse(self, question: str) -> QuerySpec:
        return self.read(question).spec

    def with_department_history(self, spec: QuerySpec) -> QuerySpec:
        """A department named by either its old or its new name means both, in any year."""
        history = self.reorganisations()
        if not history or not spec.departments:
            return spec
        if spec.excluded_departments:
            left_out = {n for d in spec.excluded_departments for n in history.names_for(d)}
            return spec.model_copy(
                update={"departments": tuple(d for d in spec.departments if d not in left_out)}
            )
        names = tuple(dict.fromkeys(n for d in spec.departments for n in history.names_for(d)))
        if names == spec.departments:
            return spec
        labels = tuple(dict.fromkeys(history.label(d, spec.language) for d in spec.departments))
        return spec.model_copy(update={"departments": names, "department_labels": labels})

    def answer(self, question: str) -> Answer:
        """The answer to a question, remembered per warehouse snapshot.

        Slack asks the same question again for every page, export and "show the query"
        button, and teams ask the same few questions; an answer cannot change until an
        ingest switches the snapshot, which is part of the key.
        """
        question = question_text(question)
        if self.cache_size == 0:
            return self.answer_spec(question, self.parse(question))
        key = (self.store.refresh(), question)
        with self._answers_lock:
            cached = self._answers.get(key)
            if cached is not None:
                self._answers.move_to_end(key)
                return cached
        answer = self.answer_spec(question, self.parse(question))
        with self._answers_lock:
            self._answers[key] = answer
            while len(self._answers) > self.cache_size:
                self._answers.popitem(last=False)
        return answer

    def context(self) -> AskContext:
        """What a question shape answers with, fresh for each answer."""
        return AskContext(
            store=self.store,
            municipality=self.municipality,
            years_of=self.years,
            reorganisations=self.reorganisations,
            examples=self.examples,
        )

    def answer_spec(self, question: str, spec: QuerySpec) -> Answer:
        return shapes.answer(self.context(), question, spec)

    def examples(self, lang: Language) -> list[str]:
        """Example questions drawn from the data, so every one of them has an answer.

        Worked out once per warehouse snapshot: help, unknown questions and App Home all
        show them, and they only change with the data."""
        examples: list[str] = self.store.cached(
            f"examples:{lang}:{self.municipality}", lambda: self._examples(lang)
        )
        return list(examples)

    def _examples(self, lang: Language) -> list[str]:
        latest = self.years()[-1]
        params = filters.sql_params(QuerySpec(), self.municipality, latest)
        rows = self.store.run(rows_query(params), **params).rows
        per_dept = Counter(r["department"] for r in rows)
        depts = [d for d, _ in per_dept.most_common()]
        worst = max(rows, key=lambda r: (r["grade"], -r["item_no"])) if rows else None
        goals = sorted({int(r["goal_no"]) for r in rows})
        item = rows[0]["item_no"] if rows else 1
        dept = depts[0] if depts else "子ども家庭支援センター"
        grade = worst["grade"] if worst else "D"
        goal = t.goal_label(goals[-1], "ja") if goals else "基本目標1"
        if lang == "ja":
            return [
                f"{grade}評価の事業は？",
                f"{dept}の事業",
                f"事業{item}の詳細",
                f"{goal}の事業は何件？",
                f"{dept}のまとめ",
                "新規事業は？",
                "DVに関する事業",
                f"事業{item}の評価の推移",
            ]
        return [
            f"which items are graded {grade}?",
            f"show {dept} items",
            f"details of item {item}",
            f"how many items are in goal {goals[-1] if goals else 1}?",
            f"summary for {dept}",
            "new items",
            "items about domestic violence",
            f"grade history of item {item}",
        ]
