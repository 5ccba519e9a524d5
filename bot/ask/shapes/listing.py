"""Items that match (list), how many (count), or each in full (detail); an item a
year's report does not hold is answered with when it was reported."""

from __future__ import annotations

from typing import Any

from bot.ask import filters
from bot.ask.context import AskContext, zero_text
from bot.ask.rows import answer_items, count_rows, grade_dict, item_count, rows_query
from bot.ask.shapes.base import Shape
from bot.models import Answer, Intent, Language, Problem, QuerySpec, Summary
from bot.render import text as t


class Listing(Shape):
    name = "list"
    topics = True
    answers_none = True

    def matches(self, ctx: AskContext, spec: QuerySpec) -> bool:
        return True

    def answer(self, ctx: AskContext, question: str, spec: QuerySpec) -> Answer:
        lang = spec.language
        fiscal_year = ctx.fiscal_year(spec)
        params = ctx.params(spec, fiscal_year)
        rows = ctx.run(rows_query(params), **params)
        items = answer_items(rows.rows)
        if spec.ranking in ("best", "worst") and spec.ranked is None:
            # "評価の低い順に": worst (D) first, or best (A) first; ties keep their order.
            items = tuple(
                sorted(items, key=lambda i: i.grade.value, reverse=spec.ranking == "worst")
            )
        # Every matching row is here unless the cap cut it: count them rather than query.
        counts = (
            ctx.run("count_matching", **params).rows[0] if rows.truncated else count_rows(rows.rows)
        )
        count = int(counts["items"])
        reading = filters.describe(spec, lang, fiscal_year)
        if (
            count == 0
            and spec.item_numbers
            and spec.intent in (Intent.DETAIL, Intent.LIST)
            and not ctx.count(_items_only(spec), fiscal_year)
        ):
            # An item that year's report does not hold: when it was reported, and how.
            # (Items it holds that the other filters leave out are an empty answer.)
            absent = not_reported(ctx, question, spec, fiscal_year, reading)
            if absent is not None:
                return absent
        where = t.origins(items)
        summary = None
        if spec.intent == Intent.COUNT:
            summary = Summary(grades=grade_dict(counts), total=int(counts["evaluations"]))
        headline = f"{reading}: {t.count_label(count, lang)}"
        if spec.ranking in ("best", "worst") and spec.ranked is None:
            worst = spec.ranking == "worst"
            headline += t.pick(
                lang,
                "（評価の低い順）" if worst else "（評価の高い順）",
                " (worst first)" if worst else " (best first)",
            )
        earlier = spec.compare_fiscal_year
        if spec.intent == Intent.COUNT and earlier is not None and earlier != fiscal_year:
            # "how many D items in 2019 and 2020?": the other year's count beside it.
            before = ctx.run("count_matching", **ctx.params(spec, earlier)).rows[0]
            other = f"{t.fiscal_year_label(earlier, lang)}: {t.count_label(before['items'], lang)}"
            headline += t.pick(lang, f"（{other}）", f" ({other})")
        lines = [headline, *_matched_note(rows.rows, lang)]
        suggestions: tuple[str, ...] = ()
        if count == 0 and spec.intent == Intent.COUNT and spec.grades:
            # "How many are graded C?" with none: the answer is 0, said with the grades
            # the same items do have, not a broader question to try.
            others = ctx.params(filters.GRADES.dropped(spec), fiscal_year)
            grades = grade_dict(ctx.run("count_matching", **others).rows[0])
            lines.append(_none_graded_text(spec, grades, fiscal_year, lang))
        elif count == 0:
            suggestions = ctx.broader(spec, fiscal_year)
            lines.append(zero_text(lang, suggestions))
        elif spec.intent == Intent.COUNT:
            lines.append(t.summary_lines(summary, lang)[0] if summary else "")
            lines.extend(t.item_line(i, lang, where=where) for i in items)
        elif spec.intent == Intent.DETAIL:
            lines.extend(t.item_detail(i, lang) for i in items)
        else:
            lines.extend(t.item_line(i, lang, where=where) for i in items)
        if rows.truncated:
            lines.append(t.first_rows_note(len(items), lang))
        lines.extend(_unmatched_note(spec, lang))
        return ctx.make(
            question, spec, fiscal_year, items, count, summary, lines, reading, suggestions
        )


def _items_only(spec: QuerySpec) -> QuerySpec:
    """The question's items in its municipality, whatever else it asks of them."""
    return QuerySpec(
        item_numbers=spec.item_numbers, municipality=spec.municipality, language=spec.language
    )


def not_reported(
    ctx: AskContext, question: str, spec: QuerySpec, fiscal_year: int, reading: str
) -> Answer | None:
    """The history of items asked about in a year whose report does not hold them,
    saying when each was last (or first) reported and its grade then; None when the
    warehouse has never held them."""
    lang = spec.language
    rows = ctx.run(
        "item_grade_history",
        item_nos=list(spec.item_numbers),
        municipality=ctx.params(spec)["municipality"],
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
    return ctx.make(
        question,
        spec,
        fiscal_year,
        items,
        item_count(items),
        None,
        lines,
        reading,
        (),
        problem=Problem.NOT_REPORTED,
    )


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


def _unmatched_note(spec: QuerySpec, lang: Language) -> list[str]:
    if not spec.unmatched:
        return []
    words = ", ".join(spec.unmatched[:5])
    return [
        f"（次の語は検索に使いませんでした: {words}）"
        if lang == "ja"
        else f"(words not used in the search: {words})"
    ]


def _matched_note(rows: list[dict[str, Any]], lang: Language) -> list[str]:
    """Which of the topic's words the listed items hold (a synonym, a spelling), best
    first: the list is ranked by them."""
    words = list(dict.fromkeys(w for r in rows for w in (r.get("matched_words") or ())))
    if not words:
        return []
    return [
        t.pick(
            lang,
            f"一致した語: {'、'.join(words)}（関連の強い順）",
            f"Matched: {', '.join(words)} (best first)",
        )
    ]
