"""Topic words: they rank, they never empty an answer that structured filters fill.

A question's topic words are sorted out against what its filters select before a shape
answers it: words no selected item mentions are set aside and named, and a question of
topic words only that no item mentions is answered here, with the nearest items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.ask import filters
from bot.ask.context import AskContext, zero_text
from bot.ask.rows import grade_dict
from bot.models import Answer, Keyword, Language, QuerySpec
from bot.render import text as t
from bot.text import search_key


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
    #: Of ``missing``, the words items of the year do mention, none of them among those
    #: selected ("ひとり親家庭への支援でA以外": every such item is A): a shape that lists
    #: answers that none is; others set them aside with the rest of ``missing``.
    elsewhere: tuple[Keyword, ...] = ()

    @property
    def set_aside(self) -> bool:
        return bool(self.missing or self.apart)


def scope_topics(ctx: AskContext, spec: QuerySpec, fiscal_year: int) -> TopicScope:
    """The question with the topic words no selected item mentions set aside.

    Structured filters (grade, department, …) select; a topic word only narrows what
    they select to the items that speak of it. A word that none of them mentions is
    named and dropped, so "午後の打合せ用に高齢者支援課の事業" lists the department's
    items instead of "0件"; words found apart but never together keep the largest
    group that is found together."""
    if not spec.keywords:
        return TopicScope(spec=spec)
    params = ctx.params(spec, fiscal_year)
    hits = {int(r["topic"]): int(r["items"]) for r in ctx.store.run("topic_hits", **params).rows}
    found = tuple(k for i, k in enumerate(spec.keywords, start=1) if hits.get(i))
    missing = tuple(k.word for k in spec.keywords if k not in found)
    # Topic 0: the selected items that mention every topic word.
    together = hits.get(0, 0)
    if not filters.structured_filters_set(spec):
        # Topic words alone are the whole question: all of them, or say none is found.
        if missing or not together:
            return TopicScope(spec=spec, missing=missing or _words(spec), nothing=True, found=found)
        return TopicScope(spec=spec)
    elsewhere: tuple[Keyword, ...] = ()
    if missing:
        # A word the year's items do speak of is a topic, not a stray word: that none of
        # the selected items mentions it is the answer.
        absent = [k for k in spec.keywords if k.word in missing]
        alone = QuerySpec(
            keywords=tuple(absent), municipality=spec.municipality, language=spec.language
        )
        wide = ctx.store.run("topic_hits", **ctx.params(alone, fiscal_year)).rows
        spoken = {int(r["topic"]) for r in wide if int(r["topic"]) and int(r["items"])}
        elsewhere = tuple(k for i, k in enumerate(absent, start=1) if i in spoken)
    if not found:
        return TopicScope(
            spec=spec.model_copy(update={"keywords": ()}), missing=missing, elsewhere=elsewhere
        )
    apart: tuple[str, ...] = ()
    if len(found) > 1 and not (
        together
        if len(found) == len(spec.keywords)
        else ctx.count(spec.model_copy(update={"keywords": found}), fiscal_year)
    ):
        # Found apart, never together: keep the word that selects most (the others
        # are named), rather than an empty answer.
        best = max(found, key=lambda k: hits[spec.keywords.index(k) + 1])
        apart = tuple(k.word for k in found if k is not best)
        found = (best,)
    return TopicScope(
        spec=spec.model_copy(update={"keywords": found}),
        missing=missing,
        apart=apart,
        found=found,
        elsewhere=elsewhere,
    )


def none_within(
    ctx: AskContext, question: str, spec: QuerySpec, fiscal_year: int, scoped: TopicScope
) -> Answer:
    """Topic words the year's items mention, none of them among the items the other
    filters select: say so, with how those items are graded."""
    lang = spec.language
    topic = QuerySpec(
        keywords=(*scoped.found, *scoped.elsewhere),
        municipality=spec.municipality,
        language=lang,
    )
    counts = ctx.store.run("count_matching", **ctx.params(topic, fiscal_year)).rows[0]
    grades = " / ".join(f"{g} {n}" for g, n in grade_dict(counts).items())
    words = _quoted(tuple(k.word for k in (*scoped.found, *scoped.elsewhere)), lang)
    others = filters.describe(spec.model_copy(update={"keywords": ()}), lang)
    reading = filters.describe(spec, lang, fiscal_year)
    n = int(counts["items"])
    lines = [
        f"{reading}: {t.count_label(0, lang)}",
        t.pick(
            lang,
            f"{words}に当たる事業は{n}件ありますが、そのうち「{others}」の事業はありません"
            f"（{words}の事業の評価: {grades}）。",
            f"{n} items mention {words}, but none of them is {others} "
            f"(their grades: {grades.replace(' / ', ' · ')}).",
        ),
    ]
    suggestions = ctx.broader(spec, fiscal_year)
    if suggestions:
        lines.append(zero_text(lang, suggestions))
    return ctx.make(question, spec, fiscal_year, (), 0, None, lines, reading, suggestions)


def no_topic(
    ctx: AskContext, question: str, spec: QuerySpec, fiscal_year: int, scoped: TopicScope
) -> Answer:
    """Topic words only, none of which any item mentions: say exactly that, and offer
    the items whose names come nearest."""
    lang = spec.language
    words = _quoted(scoped.missing if len(spec.keywords) == 1 else _words(spec), lang)
    nearest = nearest_items(ctx, spec, scoped.found, fiscal_year)
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
    return ctx.make(question, spec, fiscal_year, (), 0, None, lines, reading, nearest)


def nearest_items(
    ctx: AskContext, spec: QuerySpec, found: tuple[Keyword, ...], fiscal_year: int
) -> tuple[str, ...]:
    """At most three items: those that mention the words that were found (names
    first), else those whose names share most with the words asked."""
    lang = spec.language
    if found:
        params = ctx.params(QuerySpec(keywords=found[:1]), fiscal_year)
        rows = ctx.store.run("evaluations_matching", **params).rows
        best = list(dict.fromkeys((r["item_no"], r["item_name"]) for r in rows))[:3]
    else:
        rows = ctx.store.run("evaluations_filtered", **ctx.params(QuerySpec(), fiscal_year)).rows
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


def set_aside_note(scoped: TopicScope, lang: Language, fiscal_year: int) -> str:
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


def _words(spec: QuerySpec) -> tuple[str, ...]:
    return tuple(k.word for k in spec.keywords)


def _quoted(words: Sequence[str], lang: Language) -> str:
    return (
        "".join(f"「{w}」" for w in words) if lang == "ja" else ", ".join(f'"{w}"' for w in words)
    )
