"""Every filter a question can set, each defined once.

As datasette keeps its filters: one object per filter holds the ``QuerySpec`` fields it
reads, the SQL parameter it binds (by name, in ``queries/_schema.sql``'s ``matching``),
how the JSON contract shows it, how an answer's headline describes it in Japanese and
English, and how a question that found nothing is broadened by dropping it. The SQL
parameters, the JSON ``filters``, the headline and the broader questions are all produced
by walking ``FILTERS`` in order, so adding a filter touches this module, the recogniser
that sets it and the SQL macro.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.models import CATEGORY_EN, TARGET_GROUP_EN, Intent, Language, PlanPart, QuerySpec
from bot.render.text import fiscal_year_label, goal_label


@dataclass(frozen=True)
class Filter:
    """One filter: where it lives in a reading, what SQL gets, what people read."""

    #: The QuerySpec fields it reads (a filter may hold two, as departments do).
    fields: tuple[str, ...]
    #: The SQL parameter of the ``matching`` macro it binds, or None (shown only).
    param: str | None
    #: Its bound value; None means "no filter" to the SQL.
    value: Callable[[QuerySpec], Any]
    #: Its entries in the JSON ``filters`` (empty when the question did not set it).
    shown: Callable[[QuerySpec], dict[str, object]]
    #: Its words in a headline, per language (empty when not set).
    describe: Callable[[QuerySpec, Language], list[str]]
    #: Dropped in this order when a question finds nothing (None: never dropped).
    broaden_rank: int | None = None

    def is_set(self, spec: QuerySpec) -> bool:
        return any(getattr(spec, f) not in (None, ()) for f in self.fields)

    def dropped(self, spec: QuerySpec) -> QuerySpec:
        """The same question without this filter."""
        defaults = QuerySpec()
        return spec.model_copy(update={f: getattr(defaults, f) for f in self.fields})


def _listed(values: tuple[Any, ...]) -> list[Any] | None:
    return [getattr(v, "value", v) for v in values] or None


def _grades(spec: QuerySpec, lang: Language) -> list[str]:
    if not spec.grades:
        return []
    letters = "/".join(g.value for g in spec.grades)
    return [f"評価{letters}" if lang == "ja" else f"grade {letters}"]


def _transition(spec: QuerySpec, lang: Language) -> list[str]:
    if not (spec.from_grades or spec.to_grades):
        return []
    # "評価B→A"; one side only: "評価D→" (out of D), "評価→D" (into D).
    before = "/".join(g.value for g in spec.from_grades)
    after = "/".join(g.value for g in spec.to_grades)
    if lang == "ja":
        return [f"評価{before}→{after}"]
    return [f"grade {before} → {after}".replace("  ", " ").strip()]


def _departments(spec: QuerySpec, lang: Language) -> list[str]:
    if spec.excluded_departments:
        if lang == "ja":
            return [f"{'・'.join(spec.excluded_departments)}以外"]
        return [f"all but {', '.join(spec.excluded_departments)}"]
    return list(spec.department_labels or spec.departments)


def _departments_shown(spec: QuerySpec) -> dict[str, object]:
    if spec.excluded_departments:
        return {"excluded_departments": list(spec.excluded_departments)}
    return {"departments": list(spec.departments)} if spec.departments else {}


def _items(spec: QuerySpec, lang: Language) -> list[str]:
    if not spec.item_numbers:
        return []
    if lang == "ja":
        return [f"事業{'・'.join(_runs(spec.item_numbers, '〜'))}"]
    return [f"item {', '.join(_runs(spec.item_numbers, '–'))}"]


def _runs(numbers: tuple[int, ...], dash: str) -> list[str]:
    """Item numbers as written back: three or more in a row as a range (事業30〜39)."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    sep = "・" if dash == "〜" else ", "
    return [f"{r[0]}{dash}{r[-1]}" if len(r) >= 3 else sep.join(map(str, r)) for r in runs]


def _scalar_shown(field: str) -> Callable[[QuerySpec], dict[str, object]]:
    def shown(spec: QuerySpec) -> dict[str, object]:
        value = getattr(spec, field)
        return {} if value is None else {field: value}

    return shown


def _tuple_shown(field: str, key: str | None = None) -> Callable[[QuerySpec], dict[str, object]]:
    def shown(spec: QuerySpec) -> dict[str, object]:
        values = _listed(getattr(spec, field))
        return {key or field: values} if values else {}

    return shown


def _level_words(
    goal: int | None, policy: int | None, measure: int | None, lang: Language
) -> list[str]:
    ja = lang == "ja"
    words: list[str] = []
    if goal:
        words.append(goal_label(goal, lang))
    if policy:
        words.append(f"基本施策{policy}" if ja else f"basic policy {policy}")
    if measure:
        words.append(f"施策({measure})" if ja else f"measure ({measure})")
    return words


def part_label(part: PlanPart, lang: Language) -> str:
    """'基本目標Ⅱ 基本施策1', 'basic policy 2', 'goal III measure (1)'."""
    return " ".join(_level_words(part.goal, part.policy, part.measure, lang))


def _hierarchy_words(spec: QuerySpec, lang: Language) -> list[str]:
    ja = lang == "ja"
    parts: list[str] = []
    if spec.parts:
        labels = [part_label(p, lang) for p in spec.parts]
        parts.append("と".join(labels) if ja else " and ".join(labels))
    parts.extend(_level_words(spec.goal, spec.policy, spec.measure, lang))
    if spec.priority:
        parts.append("重点施策" if ja else "priority measures")
    elif spec.priority is False:
        parts.append("重点施策以外" if ja else "not priority measures")
    return parts


def _hierarchy_shown(spec: QuerySpec) -> dict[str, object]:
    out: dict[str, object] = {}
    for field in ("goal", "policy", "measure", "priority"):
        out.update(_scalar_shown(field)(spec))
    if spec.parts:
        out["parts"] = [p.model_dump(exclude_none=True) for p in spec.parts]
    return out


def _categories(spec: QuerySpec, lang: Language) -> list[str]:
    if lang == "ja":
        return [f"区分:{c}" for c in spec.categories]
    return [f"{CATEGORY_EN.get(c, c)} ({c})" for c in spec.categories]


def _targets(spec: QuerySpec, lang: Language) -> list[str]:
    if lang == "ja":
        return [f"対象:{t}" for t in spec.target_groups]
    return [f"for {TARGET_GROUP_EN.get(t, t)} ({t})" for t in spec.target_groups]


def _keywords(spec: QuerySpec, lang: Language) -> list[str]:
    return [f"「{k.word}」" if lang == "ja" else f'"{k.word}"' for k in spec.keywords]


def _over_words(spec: QuerySpec, lang: Language) -> list[str]:
    if not spec.over or not spec.over_years:
        return []
    ja = lang == "ja"
    first, last = spec.over_years[0], spec.over_years[-1]
    span = f"{fiscal_year_label(first, lang)}{'〜' if ja else '–'}{fiscal_year_label(last, lang)}"
    n = len(spec.over_years)
    consecutive = spec.over_years == tuple(range(first, last + 1))
    if spec.over == "same":
        return [f"{span}の{n}年連続で同じ評価" if ja else f"the same grade {span} ({n} years)"]
    if spec.over == "any":
        return [f"{span}に一度でも" if ja else f"at least once in {span}"]
    if consecutive and n > 2:
        return [f"{span}の{n}年連続" if ja else f"every year {span} ({n} years in a row)"]
    named = [fiscal_year_label(y, lang) for y in spec.over_years]
    return [f"{'と'.join(named)}のいずれも" if ja else f"in {' and '.join(named)} alike"]


def _over_shown(spec: QuerySpec) -> dict[str, object]:
    if not spec.over:
        return {}
    return {"over": spec.over, "over_years": list(spec.over_years)}


def _none(spec: QuerySpec) -> None:
    return None


MUNICIPALITY = Filter(
    fields=("municipality",),
    param="municipality",
    value=lambda s: s.municipality,
    shown=_scalar_shown("municipality"),
    describe=lambda s, lang: [s.municipality] if s.municipality else [],
)
GRADES = Filter(
    fields=("grades",),
    param="grades",
    value=lambda s: _listed(s.grades),
    shown=_tuple_shown("grades"),
    describe=_grades,
    broaden_rank=2,
)
# Grades per year of a two-year question: bound by the trend query, not by ``matching``.
TRANSITION = Filter(
    fields=("from_grades", "to_grades"),
    param=None,
    value=_none,
    shown=lambda s: {**_tuple_shown("from_grades")(s), **_tuple_shown("to_grades")(s)},
    describe=_transition,
)
DEPARTMENTS = Filter(
    fields=("departments", "excluded_departments", "department_labels"),
    param="departments",
    value=lambda s: _listed(s.departments),
    shown=_departments_shown,
    describe=_departments,
    broaden_rank=6,
)
SHARED = Filter(
    fields=("shared",),
    param="shared",
    value=lambda s: True if s.shared else None,
    shown=lambda s: {"shared": True} if s.shared else {},
    describe=lambda s, lang: (
        [("複数課の共管" if lang == "ja" else "shared by departments")] if s.shared else []
    ),
    broaden_rank=7,
)
# A condition over several years: bound by its own query, not by ``matching``.
OVER_YEARS = Filter(
    fields=("over", "over_years"),
    param=None,
    value=_none,
    shown=_over_shown,
    describe=_over_words,
)
ITEMS = Filter(
    fields=("item_numbers",),
    param="item_nos",
    value=lambda s: _listed(s.item_numbers),
    shown=_tuple_shown("item_numbers"),
    describe=_items,
)
HIERARCHY = Filter(
    fields=("goal", "policy", "measure", "priority", "parts"),
    param=None,  # five parameters, bound below by name
    value=_none,
    shown=_hierarchy_shown,
    describe=_hierarchy_words,
    broaden_rank=5,
)
CATEGORIES = Filter(
    fields=("categories",),
    param="categories",
    value=lambda s: _listed(s.categories),
    shown=_tuple_shown("categories"),
    describe=_categories,
    broaden_rank=3,
)
TARGETS = Filter(
    fields=("target_groups",),
    param="targets",
    value=lambda s: _listed(s.target_groups),
    shown=_tuple_shown("target_groups"),
    describe=_targets,
    broaden_rank=4,
)
KEYWORDS = Filter(
    fields=("keywords",),
    param="keywords",
    value=lambda s: [list(k.matches) for k in s.keywords] or None,
    shown=lambda s: {"keywords": [k.word for k in s.keywords]} if s.keywords else {},
    describe=_keywords,
    broaden_rank=1,
)

#: In the order a headline names them.
FILTERS: tuple[Filter, ...] = (
    MUNICIPALITY,
    GRADES,
    TRANSITION,
    OVER_YEARS,
    DEPARTMENTS,
    SHARED,
    ITEMS,
    HIERARCHY,
    CATEGORIES,
    TARGETS,
    KEYWORDS,
)

#: The filters that select (all but the topic words, which rank).
STRUCTURED: tuple[Filter, ...] = tuple(f for f in FILTERS if f is not KEYWORDS)


def sql_params(
    spec: QuerySpec, municipality: str | None, fiscal_year: int | None = None
) -> dict[str, Any]:
    """The bound parameters of the shared ``matching`` filter for a reading of a question;
    an unset filter is NULL, which the SQL reads as "no filter"."""
    params: dict[str, Any] = {f.param: f.value(spec) for f in FILTERS if f.param}
    params.update(goal=spec.goal, policy=spec.policy, measure=spec.measure)
    params["parts"] = [[p.goal, p.policy, p.measure] for p in spec.parts] or None
    params["priority"] = spec.priority
    # A pinned deployment answers for its own municipality whatever a button says.
    params["municipality"] = municipality or spec.municipality
    if fiscal_year is not None:
        params["fiscal_year"] = fiscal_year
    return params


def shown(spec: QuerySpec, fiscal_year: int | None) -> dict[str, object]:
    """The filters as the JSON contract shows them: only those the question set."""
    out: dict[str, object] = {}
    for f in FILTERS:
        if f is not MUNICIPALITY:
            out.update(f.shown(spec))
    if fiscal_year is not None:
        out["fiscal_year"] = fiscal_year
    if spec.compare_fiscal_year is not None:
        out["compare_fiscal_year"] = spec.compare_fiscal_year
    if spec.trend_direction is not None:
        out["trend_direction"] = spec.trend_direction
    out.update(MUNICIPALITY.shown(spec))
    return out


def describe(spec: QuerySpec, lang: Language, fiscal_year: int | None = None) -> str:
    """The question as planbot read it, e.g. "評価D・子ども政策課・令和元年度"."""
    parts = [word for f in FILTERS for word in f.describe(spec, lang)]
    if fiscal_year is not None:
        if spec.compare_fiscal_year is not None and spec.intent in (
            Intent.TREND,
            Intent.COMPARE,
        ):
            a = fiscal_year_label(spec.compare_fiscal_year, lang)
            b = fiscal_year_label(fiscal_year, lang)
            parts.append(f"{a}→{b}" if lang == "ja" else f"{a} → {b}")
        else:
            parts.append(fiscal_year_label(fiscal_year, lang))
    if not parts:
        parts.append("全事業" if lang == "ja" else "all items")
    return "・".join(parts) if lang == "ja" else " · ".join(parts)


def broadenings(spec: QuerySpec) -> list[QuerySpec]:
    """Broader questions, nearest first: each topic word left out in turn, then each set
    filter dropped in its rank's order."""
    out: list[QuerySpec] = []
    if len(spec.keywords) > 1:
        # Several words found together nowhere: each word alone may still be found.
        out.extend(
            spec.model_copy(update={"keywords": tuple(k for k in spec.keywords if k is not kw)})
            for kw in spec.keywords
        )
    ranked = sorted(
        (f for f in FILTERS if f.broaden_rank is not None and f.is_set(spec)),
        key=lambda f: f.broaden_rank or 0,
    )
    out.extend(f.dropped(spec) for f in ranked)
    return out


def structured_filters_set(spec: QuerySpec) -> bool:
    """Whether anything but topic words selects items."""
    return any(f.is_set(spec) for f in STRUCTURED)
