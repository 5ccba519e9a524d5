"""From question to Answer: read it, run the named queries its shape needs, explain.

This is the one core both faces share: the CLI/console and Slack call ``answer()`` and
only render the result differently.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from rapidfuzz import fuzz

from bot.ask import filters
from bot.ask.lexicon import HierarchyTitle, Lexicon
from bot.ask.parser import asks_grade_meaning, is_thanks, read_question
from bot.ask.text import question_text
from bot.models import (
    Answer,
    AnswerItem,
    Grade,
    GradeChange,
    Keyword,
    Language,
    Problem,
    QueryRun,
    QuerySpec,
    Reading,
    Summary,
)
from bot.render import text as t
from bot.reorganisations import Reorganisations, reorganisations_for
from bot.store.database import QueryResult, Store
from bot.text import search_key

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

    def answer_spec(self, question: str, spec: QuerySpec) -> Answer:
        if self.municipality and spec.municipality not in (None, self.municipality):
            return self._other_municipality(question, spec)
        years = self.years(spec.municipality)
        lang = spec.language
        if spec.problem in (
            Problem.UNKNOWN_DEPARTMENT,
            Problem.AMBIGUOUS_DEPARTMENT,
            Problem.UNSURE_DEPARTMENT,
        ):
            return self._clarify(question, spec)
        if spec.intent == "help" or spec.problem in (
            Problem.UNKNOWN,
            Problem.NO_CONTEXT,
            Problem.SEVERAL_MUNICIPALITIES,
            Problem.UNKNOWN_MUNICIPALITY,
        ):
            return self._help(question, spec)
        fiscal_year = spec.fiscal_year if spec.fiscal_year is not None else years[-1]
        if spec.over and spec.over_years:
            return self._over_years(question, spec, years)
        missing = [
            y for y in (fiscal_year, spec.compare_fiscal_year) if y is not None and y not in years
        ]
        if missing and not (spec.intent == "trend" and spec.item_numbers):
            return self._no_year(question, spec, missing[0], years)
        scoped = self._scope_topics(spec, fiscal_year)
        if scoped.nothing:
            return self._no_topic(question, spec, fiscal_year, scoped)
        spec = scoped.spec
        if spec.intent == "trend":
            answer = self._trend(question, spec, fiscal_year, years)
        elif spec.intent == "summary":
            answer = self._summary(question, spec, fiscal_year)
        else:
            answer = self._list(question, spec, fiscal_year, lang)
        if not scoped.set_aside:
            return answer
        note = _set_aside_note(scoped, lang, fiscal_year)
        return answer.model_copy(update={"text": t.join_lines([answer.text, note])})

    # --- topic words: they rank, they never empty an answer ---------------------------
    def _scope_topics(self, spec: QuerySpec, fiscal_year: int) -> TopicScope:
        """The question with the topic words no selected item mentions set aside.

        Structured filters (grade, department, …) select; a topic word only narrows what
        they select to the items that speak of it. A word that none of them mentions is
        named and dropped, so "午後の打合せ用に高齢者支援課の事業" lists the department's
        items instead of "0件"; words found apart but never together keep the largest
        group that is found together."""
        if not spec.keywords:
            return TopicScope(spec=spec)
        params = self._params(spec, fiscal_year)
        hits = {
            int(r["topic"]): int(r["items"]) for r in self.store.run("topic_hits", **params).rows
        }
        found = tuple(k for i, k in enumerate(spec.keywords, start=1) if hits.get(i))
        missing = tuple(k.word for k in spec.keywords if k not in found)
        if not filters.structured_filters_set(spec):
            # Topic words alone are the whole question: all of them, or say none is found.
            if missing or not self._count(spec, fiscal_year):
                return TopicScope(
                    spec=spec, missing=missing or _words(spec), nothing=True, found=found
                )
            return TopicScope(spec=spec)
        if not found:
            return TopicScope(spec=spec.model_copy(update={"keywords": ()}), missing=missing)
        apart: tuple[str, ...] = ()
        if len(found) > 1 and not self._count(
            spec.model_copy(update={"keywords": found}), fiscal_year
        ):
            # Found apart, never together: keep the word that selects most (the others
            # are named), rather than an empty answer.
            best = max(found, key=lambda k: hits[spec.keywords.index(k) + 1])
            apart = tuple(k.word for k in found if k is not best)
            found = (best,)
        return TopicScope(
            spec=spec.model_copy(update={"keywords": found}), missing=missing, apart=apart
        )

    def _count(self, spec: QuerySpec, fiscal_year: int) -> int:
        return int(
            self.store.run("count_matching", **self._params(spec, fiscal_year)).rows[0]["items"]
        )

    def _no_topic(
        self, question: str, spec: QuerySpec, fiscal_year: int, scoped: TopicScope
    ) -> Answer:
        """Topic words only, none of which any item mentions: say exactly that, and offer
        the items whose names come nearest."""
        lang = spec.language
        words = _quoted(scoped.missing if len(spec.keywords) == 1 else _words(spec), lang)
        nearest = self._nearest_items(spec, scoped.found, fiscal_year)
        year = t.fiscal_year_label(fiscal_year, lang)
        together = "" if len(spec.keywords) == 1 else t.pick(lang, "をまとめて含む", " together")
        head = t.pick(
            lang,
            f"該当する事業はありませんでした: {words}{together or 'に当たる'}事業は{year}にはありません。",
            f"No items match: no item of {year} mentions {words}{together}.",
        )
        lines = [head]
        if nearest:
            lines.append(t.pick(lang, "近い事業:", "Nearest items:"))
            lines.extend(f"  {n}" for n in nearest)
        reading = filters.describe(spec, lang, fiscal_year)
        return self._make(question, spec, fiscal_year, (), 0, None, lines, reading, [], nearest)

    def _nearest_items(
        self, spec: QuerySpec, found: tuple[Keyword, ...], fiscal_year: int
    ) -> tuple[str, ...]:
        """At most three items: those that mention the words that were found (names
        first), else those whose names share most with the words asked."""
        lang = spec.language
        if found:
            params = self._params(QuerySpec(keywords=found[:1]), fiscal_year)
            rows = self.store.run("evaluations_matching", **params).rows
            best = list(dict.fromkeys((r["item_no"], r["item_name"]) for r in rows))[:3]
        else:
            rows = self.store.run(
                "evaluations_filtered", **self._params(QuerySpec(), fiscal_year)
            ).rows
            words = _words(spec)
            scored = [
                (max(fuzz.partial_ratio(search_key(w), search_key(name)) for w in words), no, name)
                for no, name in {(r["item_no"], r["item_name"]) for r in rows}
            ]
            best = [
                (no, name)
                for score, no, name in sorted(scored, key=lambda s: (-s[0], s[1]))
                if score >= 50
            ][:3]
        return tuple(t.pick(lang, f"事業{no} {name}", f"item {no} {name}") for no, name in best)

    # --- shapes ----------------------------------------------------------------------
    def _params(self, spec: QuerySpec, fiscal_year: int | None = None) -> dict[str, Any]:
        return filters.sql_params(spec, self.municipality, fiscal_year)

    def _run(self, runs: list[QueryRun], name: str, **params: Any) -> QueryResult:
        result = self.store.run(name, **params)
        runs.append(
            QueryRun(
                name=name,
                params=_jsonable(result.params),
                rows=len(result.rows),
                truncated=result.truncated,
                elapsed_ms=round(result.elapsed_ms, 2),
            )
        )
        return result

    def _list(self, question: str, spec: QuerySpec, fiscal_year: int, lang: Language) -> Answer:
        runs: list[QueryRun] = []
        params = self._params(spec, fiscal_year)
        rows = self._run(runs, rows_query(params), **params)
        items = answer_items(rows.rows)
        # Every matching row is here unless the cap cut it: count them rather than query.
        counts = (
            self._run(runs, "count_matching", **params).rows[0]
            if rows.truncated
            else _count_rows(rows.rows)
        )
        count = int(counts["items"])
        reading = filters.describe(spec, lang, fiscal_year)
        if count == 0 and spec.item_numbers and spec.intent in ("detail", "list"):
            # An item that year's report does not hold: when it was reported, and how.
            absent = self._not_reported(question, spec, fiscal_year, reading, runs)
            if absent is not None:
                return absent
        where = t.origins(items)
        summary = None
        if spec.intent == "count":
            summary = Summary(grades=grade_dict(counts), total=int(counts["evaluations"]))
        headline = f"{reading}: {t.count_label(count, lang)}"
        earlier = spec.compare_fiscal_year
        if spec.intent == "count" and earlier is not None and earlier != fiscal_year:
            # "how many D items in 2019 and 2020?": the other year's count beside it.
            before = self._run(runs, "count_matching", **self._params(spec, earlier)).rows[0]
            other = f"{t.fiscal_year_label(earlier, lang)}: {t.count_label(before['items'], lang)}"
            headline += t.pick(lang, f"（{other}）", f" ({other})")
        lines = [headline]
        suggestions: tuple[str, ...] = ()
        if count == 0 and spec.intent == "count" and spec.grades:
            # "How many are graded C?" with none: the answer is 0, said with the grades
            # the same items do have, not a broader question to try.
            others = self._params(filters.GRADES.dropped(spec), fiscal_year)
            grades = grade_dict(self._run(runs, "count_matching", **others).rows[0])
            lines.append(_none_graded_text(spec, grades, fiscal_year, lang))
        elif count == 0:
            suggestions = self._broader(spec, fiscal_year)
            lines.append(_zero_text(lang, suggestions))
        elif spec.intent == "count":
            lines.append(t.summary_lines(summary, lang)[0] if summary else "")
            lines.extend(t.item_line(i, lang, where=where) for i in items)
        elif spec.intent == "detail":
            lines.extend(t.item_detail(i, lang) for i in items)
        else:
            lines.extend(t.item_line(i, lang, where=where) for i in items)
        if rows.truncated:
            lines.append(t.first_rows_note(len(items), lang))
        lines.extend(_unmatched_note(spec, lang))
        return self._make(
            question, spec, fiscal_year, items, count, summary, lines, reading, runs, suggestions
        )

    def _summary(self, question: str, spec: QuerySpec, fiscal_year: int) -> Answer:
        lang = spec.language
        runs: list[QueryRun] = []
        params = self._params(spec, fiscal_year)
        rows = self._run(runs, rows_query(params), **params)
        # As for lists: rows that the cap did not cut are counted here, not queried again.
        if rows.truncated:
            counts = self._run(runs, "count_matching", **params).rows[0]
            by_dept = self._run(runs, "grade_counts_by_department", **params).rows
            by_goal = self._run(runs, "grade_counts_by_goal", **params).rows
        else:
            counts = _count_rows(rows.rows)
            by_dept = _count_groups(rows.rows, "department")
            by_goal = _count_groups(rows.rows, "goal_no")
        summary = Summary(
            grades=grade_dict(counts),
            by_department=self.reorganisations().under_current_names(
                {r["department"]: grade_dict(r) for r in by_dept}
            ),
            by_goal={t.goal_label(int(r["goal_no"]), lang): grade_dict(r) for r in by_goal},
            total=int(counts["evaluations"]),
            **self._since_last_year(runs, spec, fiscal_year),
        )
        items = answer_items(rows.rows)
        count = int(counts["items"])
        reading = filters.describe(spec, lang, fiscal_year)
        head = "まとめ" if lang == "ja" else "summary"
        lines = [
            f"{reading} {head}: {t.count_label(count, lang)}",
            *t.change_lines(summary, lang),
            *t.summary_lines(summary, lang),
        ]
        if spec.ranking and summary.by_department:
            lines.insert(0, _ranking_line(spec, summary, lang))
        attention = [i for i in items if i.grade in (Grade.C, Grade.D)]
        if attention:
            lines.append(f"{t.attention_title(lang)}:")
            lines.extend(t.attention_lines(attention, lang, where=t.origins(items)))
        suggestions = self._broader(spec, fiscal_year) if count == 0 else ()
        if count == 0:
            lines.append(_zero_text(lang, suggestions))
        return self._make(
            question, spec, fiscal_year, items, count, summary, lines, reading, runs, suggestions
        )

    def _since_last_year(
        self, runs: list[QueryRun], spec: QuerySpec, fiscal_year: int
    ) -> dict[str, Any]:
        """For a summary: the previous fiscal year's grade counts under the same filters and
        the items whose grade changed since, by the trend answers' own change query (which
        follows an item's number across department renames)."""
        earlier = [y for y in self.years(spec.municipality) if y < fiscal_year]
        if not earlier:
            return {}
        before = earlier[-1]
        counts = self._run(runs, "count_matching", **self._params(spec, before)).rows[0]
        changed = self._run(
            runs,
            "grade_changes_between_years",
            **self._params(spec),
            from_year=before,
            to_year=fiscal_year,
            direction="changed",
            from_grades=None,
            to_grades=None,
        )
        return {
            "previous_fiscal_year": before,
            "previous_grades": grade_dict(counts),
            "changes": grade_changes(changed.rows),
        }

    def _trend(self, question: str, spec: QuerySpec, fiscal_year: int, years: list[int]) -> Answer:
        lang = spec.language
        runs: list[QueryRun] = []
        if spec.item_numbers:
            # Two years named ("between 2019 and 2021") bound the history; in SQL, so that
            # the row cap counts only the years asked for.
            wanted = sorted({y for y in (spec.fiscal_year, spec.compare_fiscal_year) if y})
            bounded = len(wanted) == 2
            rows = self._run(
                runs,
                "item_grade_history",
                item_nos=list(spec.item_numbers),
                municipality=self._params(spec)["municipality"],
                from_year=wanted[0] if bounded else None,
                to_year=wanted[-1] if bounded else None,
            )
            items = answer_items(rows.rows)
            count = _item_count(items)
            reading = filters.describe(spec, lang, None)
            head = "評価の推移" if lang == "ja" else "grades by fiscal year"
            lines = [f"{reading} {head}: {t.count_label(count, lang)}"]
            where = t.origins(items)
            lines.extend(t.item_line(i, lang, with_year=True, where=where) for i in items)
            if len(years) < 2:
                lines.append(_one_year_note(lang, years))
            return self._make(question, spec, None, items, count, None, lines, reading, runs, ())
        earlier = spec.compare_fiscal_year or max(
            (y for y in years if y < fiscal_year), default=None
        )
        if earlier is None:
            reading = filters.describe(spec, lang, fiscal_year)
            lines = [f"{reading}: {_one_year_note(lang, years)}"]
            return self._make(
                question,
                spec,
                fiscal_year,
                (),
                0,
                None,
                lines,
                reading,
                runs,
                (),
                problem=Problem.ONE_YEAR,
            )
        spec = spec.model_copy(update={"compare_fiscal_year": earlier})
        if spec.trend_direction in ("added", "dropped"):
            return self._came_or_went(question, spec, earlier, fiscal_year)
        params = self._params(spec)
        rows = self._run(
            runs,
            "grade_changes_between_years",
            **params,
            from_year=earlier,
            to_year=fiscal_year,
            direction=spec.trend_direction or "changed",
            from_grades=[g.value for g in spec.from_grades] or None,
            to_grades=[g.value for g in spec.to_grades] or None,
        )
        items = answer_items(rows.rows)
        count = _item_count(items)
        reading = filters.describe(spec, lang, fiscal_year)
        label = {
            "up": ("評価が上がった事業", "grade improved"),
            "down": ("評価が下がった事業", "grade fell"),
            "same": ("評価が変わらなかった事業", "same grade in both years"),
            "any": ("評価の推移", "grades in both years"),
        }.get(spec.trend_direction or "", ("評価が変わった事業", "grade changed"))
        lines = [
            f"{reading} {label[0] if lang == 'ja' else label[1]}: {t.count_label(count, lang)}"
        ]
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, where=where) for i in items)
        return self._make(question, spec, fiscal_year, items, count, None, lines, reading, runs, ())

    def _not_reported(
        self,
        question: str,
        spec: QuerySpec,
        fiscal_year: int,
        reading: str,
        runs: list[QueryRun],
    ) -> Answer | None:
        """The history of items asked about in a year whose report does not hold them,
        saying when each was last (or first) reported and its grade then; None when the
        warehouse has never held them."""
        lang = spec.language
        rows = self._run(
            runs,
            "item_grade_history",
            item_nos=list(spec.item_numbers),
            municipality=self._params(spec)["municipality"],
            from_year=None,
            to_year=None,
        )
        items = answer_items(rows.rows)
        if not items:
            return None
        lines = [f"{reading}: {t.count_label(0, lang)}"]
        year_label = t.fiscal_year_label(fiscal_year, lang)
        for number in sorted({i.item_no for i in items}):
            history = [i for i in items if i.item_no == number]
            before = [i for i in history if i.fiscal_year < fiscal_year]
            shown = before[-1] if before else history[0]
            when = t.fiscal_year_label(shown.fiscal_year, lang)
            if lang == "ja":
                which = "最後の報告" if before else "初めての報告"
                lines.append(
                    f"事業{number}は{year_label}の報告にはありません。{which}は{when}"
                    f"（評価{shown.grade.value}・{shown.department}）です。"
                )
            else:
                which = "last reported" if before else "first reported"
                lines.append(
                    f"Item {number} is not in the {year_label} report; {which} in {when} "
                    f"(grade {shown.grade.value}, {shown.department})."
                )
        lines.append(t.pick(lang, "評価の推移:", "Grades by fiscal year:"))
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, with_year=True, where=where) for i in items)
        return self._make(
            question,
            spec,
            fiscal_year,
            items,
            _item_count(items),
            None,
            lines,
            reading,
            runs,
            (),
            problem=Problem.NOT_REPORTED,
        )

    def _over_years(self, question: str, spec: QuerySpec, years: list[int]) -> Answer:
        """Items whose grades over several years meet the condition ("3年連続でA",
        "C or D in both FY2020 and FY2021", "ever graded D"), with each year's grade."""
        lang = spec.language
        missing = [y for y in spec.over_years if y not in years]
        if missing and spec.over != "any":
            return self._no_year(question, spec, missing[0], years)
        runs: list[QueryRun] = []
        params = self._params(spec)
        del params["grades"]
        rows = self._run(
            runs,
            "items_graded_over_years",
            **params,
            grades=[g.value for g in spec.grades] or None,
            years=list(spec.over_years),
            from_year=spec.over_years[0],
            to_year=spec.over_years[-1],
            over=spec.over,
        )
        items = answer_items(rows.rows)
        count = _item_count(items)
        reading = filters.describe(spec, lang, None)
        lines = [f"{reading}: {t.count_label(count, lang)}"]
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, with_year=True, where=where) for i in items)
        if rows.truncated:
            lines.append(t.first_rows_note(len(items), lang))
        return self._make(
            question, spec, spec.over_years[-1], items, count, None, lines, reading, runs, ()
        )

    def _came_or_went(self, question: str, spec: QuerySpec, earlier: int, later: int) -> Answer:
        """Items in the later report and not the earlier one (added), or the other way
        round (dropped: shown as last reported)."""
        lang = spec.language
        runs: list[QueryRun] = []
        added = spec.trend_direction == "added"
        year, other = (later, earlier) if added else (earlier, later)
        rows = self._run(runs, "items_not_in_year", **self._params(spec, year), other_year=other)
        items = answer_items(rows.rows)
        count = _item_count(items)
        reading = filters.describe(spec, lang, later)
        head = (
            t.pick(lang, "新たに加わった事業", "items added")
            if added
            else t.pick(lang, "報告からなくなった事業", "items no longer reported")
        )
        lines = [f"{reading} {head}: {t.count_label(count, lang)}"]
        where = t.origins(items)
        lines.extend(t.item_line(i, lang, with_year=not added, where=where) for i in items)
        return self._make(question, spec, later, items, count, None, lines, reading, runs, ())

    # --- answers without a query ------------------------------------------------------
    def _other_municipality(self, question: str, spec: QuerySpec) -> Answer:
        pinned = self.municipality
        text = t.pick(
            spec.language,
            f"ここでは{pinned}の計画についてお答えします（{spec.municipality}のデータは対象外です）。",
            f"This workspace answers about {pinned}'s plan ({spec.municipality} is not covered).",
        )
        return self._make(
            question,
            spec,
            None,
            (),
            0,
            None,
            [text],
            "",
            [],
            (),
            ok=False,
            problem=Problem.OTHER_MUNICIPALITY,
        )

    def _help(self, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        examples = self.examples(lang)
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
        years = self.years()
        data = (
            f"データ: {', '.join(t.fiscal_year_label(y, lang) for y in years)}"
            if lang == "ja"
            else f"Data: {', '.join(t.fiscal_year_label(y, lang) for y in years)}"
        )
        lines = [head, *(f"  {e}" for e in examples), data]
        return self._make(
            question,
            spec,
            None,
            (),
            0,
            None,
            lines,
            "",
            [],
            tuple(examples),
            intent="help",
            ok=spec.problem is None,
        )

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
        params = self._params(QuerySpec(), latest)
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

    def _clarify(self, question: str, spec: QuerySpec) -> Answer:
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
        return self._make(
            question, spec, None, (), 0, None, [text], "", [], spec.suggestions, ok=False
        )

    def _no_year(self, question: str, spec: QuerySpec, year: int, years: list[int]) -> Answer:
        lang = spec.language
        have = ", ".join(t.fiscal_year_label(y, lang) for y in years)
        text = (
            f"{t.fiscal_year_label(year, lang)}のデータはありません。利用できる年度: {have}"
            if lang == "ja"
            else f"There is no data for {t.fiscal_year_label(year, lang)}. Available: {have}"
        )
        return self._make(
            question, spec, year, (), 0, None, [text], "", [], (), ok=False, problem=Problem.NO_YEAR
        )

    def _broader(self, spec: QuerySpec, fiscal_year: int) -> tuple[str, ...]:
        """The nearest broader questions that do have results, most specific first."""
        out: list[str] = []
        for broader in filters.broadenings(spec):
            counts = self.store.run("count_matching", **self._params(broader, fiscal_year))
            n = int(counts.rows[0]["items"])
            if n:
                out.append(
                    f"{filters.describe(broader, spec.language, fiscal_year)}: "
                    f"{t.count_label(n, spec.language)}"
                )
            if len(out) >= 2:
                break
        return tuple(out)

    def _make(
        self,
        question: str,
        spec: QuerySpec,
        fiscal_year: int | None,
        items: tuple[AnswerItem, ...],
        count: int,
        summary: Summary | None,
        lines: list[str],
        reading: str,
        runs: list[QueryRun],
        suggestions: tuple[str, ...],
        *,
        intent: str | None = None,
        ok: bool = True,
        problem: str | None = None,
    ) -> Answer:
        return Answer(
            question=question,
            language=spec.language,
            intent=intent or spec.intent,  # type: ignore[arg-type]
            filters=filters.shown(spec, fiscal_year),
            fiscal_year=fiscal_year,
            items=items,
            count=count,
            summary=summary,
            text=t.join_lines(lines),
            reading=reading,
            queries=tuple(runs),
            suggestions=suggestions,
            ok=ok,
            problem=problem if problem is not None else spec.problem,
        )


@dataclass(frozen=True)
class TopicScope:
    """A question's topic words sorted out against what its filters select."""

    spec: QuerySpec
    #: Words no selected item mentions.
    missing: tuple[str, ...] = ()
    #: Words found, but never together with the one kept.
    apart: tuple[str, ...] = ()
    #: Topic words only, and not all of them found together.
    nothing: bool = False
    #: The topic words some selected item mentions.
    found: tuple[Keyword, ...] = ()

    @property
    def set_aside(self) -> bool:
        return bool(self.missing or self.apart)


def _ranking_line(spec: QuerySpec, summary: Summary, lang: Language) -> str:
    """ "Which department has the most B?" answered first: the department (or tied ones)
    with the most (fewest) evaluations of the grades asked."""
    asked = [g.value for g in spec.grades] or [g.value for g in Grade]
    totals = {d: sum(counts[g] for g in asked) for d, counts in summary.by_department.items()}
    best = (max if spec.ranking == "most" else min)(totals.values())
    leaders = [d for d, n in totals.items() if n == best]
    what = "・".join(asked) if spec.grades else ""
    if lang == "ja":
        most = "最も多い" if spec.ranking == "most" else "最も少ない"
        subject = f"評価{what}が{most}のは" if what else f"事業が{most}のは"
        return f"{subject}{'、'.join(leaders)}（{best}件）"
    most = "Most" if spec.ranking == "most" else "Fewest"
    subject = f"grade {what}" if what else "items"
    return f"{most} {subject}: {', '.join(leaders)} ({best})"


def _words(spec: QuerySpec) -> tuple[str, ...]:
    return tuple(k.word for k in spec.keywords)


def _quoted(words: Sequence[str], lang: Language) -> str:
    return (
        "".join(f"「{w}」" for w in words) if lang == "ja" else ", ".join(f'"{w}"' for w in words)
    )


def _set_aside_note(scoped: TopicScope, lang: Language, fiscal_year: int) -> str:
    """Which topic words were set aside, and what the answer shows instead."""
    notes: list[str] = []
    if scoped.missing:
        shown = filters.describe(scoped.spec, lang, fiscal_year)
        notes.append(
            t.pick(
                lang,
                f"{_quoted(scoped.missing, 'ja')}に当たる事業はないので、この語を除いて"
                f"「{shown}」の事業を表示しています。",
                f"No item here mentions {_quoted(scoped.missing, 'en')}, so those words were "
                f"left out: showing {shown}.",
            )
        )
    if scoped.apart:
        notes.append(
            t.pick(
                lang,
                f"{_quoted(scoped.apart, 'ja')}を同時に含む事業はないため、この語は検索に使っていません。",
                f"No item mentions {_quoted(scoped.apart, 'en')} together with the other "
                "words, so those were left out.",
            )
        )
    return "\n".join(notes)


def rows_query(params: dict[str, Any]) -> str:
    """The named query listing the matching rows: with keywords, name hits come first."""
    return "evaluations_matching" if params.get("keywords") else "evaluations_filtered"


def _count_groups(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """grade_counts_by_department / _by_goal's rows, for rows already fetched in full."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return [{column: key, **_count_rows(group)} for key, group in sorted(groups.items())]


def _item_key(municipality: str, plan: str | None, item_no: int) -> tuple[str, str, int]:
    """An item's identity: numbers repeat across municipalities and restart with a plan."""
    return municipality, plan or "", item_no


def _item_count(items: Sequence[AnswerItem]) -> int:
    """Distinct items among answer items (an item graded by two departments is one)."""
    return len({_item_key(i.municipality, i.plan, i.item_no) for i in items})


def _count_rows(rows: list[dict[str, Any]]) -> dict[str, int]:
    """count_matching's figures for rows already fetched in full."""
    counts = {g.value.lower(): 0 for g in Grade}
    for row in rows:
        counts[str(row["grade"]).lower()] += 1
    items = {_item_key(row["municipality"], row.get("plan"), row["item_no"]) for row in rows}
    return {"items": len(items), "evaluations": len(rows), **counts}


# One validation call for a whole answer instead of one model construction per row:
# 1,000 national rows 8.1 → 5.2 ms.
_ANSWER_ITEMS = TypeAdapter(tuple[AnswerItem, ...])


def answer_items(rows: Sequence[dict[str, Any]]) -> tuple[AnswerItem, ...]:
    """Rows of the evaluations queries (or of grade changes, which name the later year
    to_year and its grade to_grade) as answer items."""
    return _ANSWER_ITEMS.validate_python([_item_fields(r) for r in rows])


def _item_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "municipality": row.get("municipality") or "",
        "plan": row.get("plan") or "",
        "item_no": row["item_no"],
        "name": row["item_name"],
        "department": row["department"],
        "sheet_department": row["sheet_department"],
        "fiscal_year": row["fiscal_year"] if "fiscal_year" in row else row["to_year"],
        "grade": row["grade"] if "grade" in row else row["to_grade"],
        "category": row["category"],
        "target_groups": row["target_groups"] or (),
        "goal": row["goal_no"],
        "policy": row["policy_no"],
        "measure": row["measure_no"],
        "priority": bool(row["priority"]),
        "summary": row["item_summary"],
        "plan_text": row["plan_text"],
        "result_text": row["result_text"],
        "next_plan_text": row["next_plan_text"],
        "relisted_from": row["relisted_from"],
        "from_grade": row.get("from_grade"),
        "from_department": _moved_from(row),
        "source": {
            "file": row["source_file"],
            "sheet": row["source_sheet"],
            "line": row["source_line"],
        },
    }


def _moved_from(row: dict[str, Any]) -> str | None:
    before = row.get("from_department")
    return before if before and before != row["department"] else None


def grade_changes(rows: Sequence[dict[str, Any]]) -> tuple[GradeChange, ...]:
    """The rows of ``grade_changes_between_years`` as the items whose grade changed."""
    return tuple(
        GradeChange(
            municipality=i.municipality,
            plan=i.plan,
            item_no=i.item_no,
            name=i.name,
            department=i.department,
            from_grade=i.from_grade,
            to_grade=i.grade,
        )
        for i in answer_items(rows)
        if i.from_grade is not None
    )


def grade_dict(row: dict[str, Any]) -> dict[str, int]:
    """A count row's a/b/c/d columns as {"A": n, …}."""
    return {g.value: int(row[g.value.lower()]) for g in Grade}


def _jsonable(params: dict[str, Any]) -> dict[str, object]:
    return {k: v for k, v in params.items() if v is not None}


def _none_graded_text(
    spec: QuerySpec, grades: dict[str, int], fiscal_year: int, lang: Language
) -> str:
    """'0 items are graded C (grades in FY2019: A 28 · B 12 · D 1)'."""
    letters = "/".join(g.value for g in spec.grades)
    held = [f"{g} {n}" for g, n in grades.items() if n]
    year = t.fiscal_year_label(fiscal_year, lang)
    if lang == "ja":
        return f"評価{letters}の事業は0件です（{year}の評価: {' / '.join(held) or 'なし'}）。"
    graded = " · ".join(held) or "none"
    return f"0 items are graded {letters} (grades in {year}: {graded})."


def _zero_text(lang: Language, suggestions: tuple[str, ...]) -> str:
    if lang == "ja":
        head = "該当する事業はありませんでした。"
        return head + ("条件を広げると: " + " / ".join(suggestions) if suggestions else "")
    head = "No items match."
    return head + (" Broader: " + " / ".join(suggestions) if suggestions else "")


def _one_year_note(lang: Language, years: list[int]) -> str:
    have = ", ".join(t.fiscal_year_label(y, lang) for y in years)
    return (
        f"比較できる年度がありません（データは{have}のみ）。"
        if lang == "ja"
        else f"Nothing to compare with: the warehouse holds only {have}."
    )


def _unmatched_note(spec: QuerySpec, lang: Language) -> list[str]:
    if not spec.unmatched:
        return []
    words = ", ".join(spec.unmatched[:5])
    return [
        f"（次の語は検索に使いませんでした: {words}）"
        if lang == "ja"
        else f"(words not used in the search: {words})"
    ]
