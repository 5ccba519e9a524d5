"""What a digest says: where the plan stands, what needs attention, what changed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.ask.filters import sql_params
from bot.ask.rows import answer_items, grade_changes, grade_dict, rows_query
from bot.digest.ledger import Subscription
from bot.models import AnswerItem, GradeChange, QuerySpec
from bot.render import text as t
from bot.reorganisations import Reorganisations, reorganisations_for
from bot.store.database import Store

#: Items needing attention listed in one digest; the rest are counted ("… and 40 more").
ATTENTION_MAX = 200
#: Change lines listed in one digest; a national year brings tens of thousands.
CHANGES_MAX = 200
#: Rows a digest's fingerprint may hold: two national years are ~344,000.
FINGERPRINT_MAX = 10_000_000


class Digest(BaseModel):
    model_config = ConfigDict(frozen=True)

    subscription_id: str
    language: str
    scope: str
    #: plan | department | goal, as the subscription's.
    scope_kind: str = "plan"
    fire_time: datetime
    period_start: datetime | None
    as_of: str
    fiscal_year: int
    previous_fiscal_year: int | None
    grades: dict[str, int]
    previous_grades: dict[str, int] | None
    #: Items whose grade changed since the previous fiscal year (following item numbers
    #: across department renames, as the trend answers do).
    year_changes: tuple[GradeChange, ...] = ()
    #: The digest covers more than one municipality: its item lines say whose item.
    several_municipalities: bool = False
    items: int
    attention: tuple[AnswerItem, ...]
    #: C/D evaluations in scope; more than len(attention) when the list was capped.
    attention_total: int = 0
    by_department: dict[str, dict[str, int]]
    changes: tuple[str, ...]
    first: bool
    sources: tuple[str, ...]
    #: Fingerprint of the data this digest showed; the next digest diffs against it.
    state: dict[str, Any]


def _scope_params(
    sub: Subscription, municipality: str | None, history: Reorganisations
) -> dict[str, Any]:
    """A subscription's scope as the filter parameters a question would have (a
    department: under every name it has had)."""
    if sub.scope_kind == "department" and sub.scope_value:
        scope = QuerySpec(departments=history.names_for(sub.scope_value))
    elif sub.scope_kind == "goal" and sub.scope_value:
        scope = QuerySpec(goal=int(sub.scope_value))
    else:
        scope = QuerySpec()
    return sql_params(scope, municipality)


def compose_digest(
    store: Store,
    sub: Subscription,
    fire_time: datetime,
    previous_state: dict[str, Any] | None,
    *,
    municipality: str | None = None,
    period_start: datetime | None = None,
    aliases_file: Path | None = None,
) -> Digest:
    years = sorted(
        int(r["fiscal_year"]) for r in store.run("fiscal_years", municipality=municipality).rows
    )
    latest = years[-1]
    before = years[-2] if len(years) > 1 else None
    history = reorganisations_for(store, aliases_file)
    params = _scope_params(sub, municipality, history)
    counts = store.run("count_matching", fiscal_year=latest, **params).rows[0]
    previous_grades = None
    year_changes: tuple[GradeChange, ...] = ()
    if before is not None:
        previous_grades = grade_dict(
            store.run("count_matching", fiscal_year=before, **params).rows[0]
        )
        changed = store.run(
            "grade_changes_between_years",
            **params,
            from_year=before,
            to_year=latest,
            direction="changed",
            from_grades=None,
            to_grades=None,
        )
        year_changes = grade_changes(changed.rows)
    by_dept = history.under_current_names(
        {
            r["department"]: grade_dict(r)
            for r in store.run("grade_counts_by_department", fiscal_year=latest, **params).rows
        }
    )
    attention_params = {**params, "grades": ["C", "D"]}
    attention_rows = store.run(
        rows_query(attention_params), fiscal_year=latest, cap=ATTENTION_MAX, **attention_params
    )
    attention = answer_items(attention_rows.rows)
    attention_total = (
        int(counts["c"]) + int(counts["d"]) if attention_rows.truncated else len(attention)
    )
    state = _state(store, params, years[-2:])
    manifest = store.manifest
    in_scope = [
        s
        for s in manifest.get("sources", [])
        if municipality is None or s.get("municipality") == municipality
    ]
    several = len({s.get("municipality") for s in in_scope}) > 1
    sources = tuple(
        f"{s['file']} (FY{s['fiscal_year']}, sha256 {str(s['checksum'])[:12]})" for s in in_scope
    )
    return Digest(
        subscription_id=sub.id,
        language=sub.language,
        scope=sub.scope_label(),
        scope_kind=sub.scope_kind,
        fire_time=fire_time,
        period_start=period_start,
        as_of=str(manifest.get("created_at", "")),
        fiscal_year=latest,
        previous_fiscal_year=before,
        grades=grade_dict(counts),
        previous_grades=previous_grades,
        year_changes=year_changes,
        several_municipalities=several,
        items=int(counts["items"]),
        attention=attention,
        attention_total=attention_total,
        by_department=by_dept,
        changes=_capped(
            describe_changes(
                previous_state,
                state,
                sub.language,
                several=several,
            ),
            sub.language,
        ),
        first=previous_state is None,
        sources=sources,
        state=state,
    )


def _state(store: Store, params: dict[str, Any], years: list[int]) -> dict[str, Any]:
    """(year|item|department|municipality|plan) → grade for the latest two fiscal years,
    and (municipality|plan|item) → name."""
    scope = {
        "from_year": years[0],
        "municipality": params["municipality"],
        "departments": params["departments"],
        "goal": params["goal"],
    }
    grades = store.mapping("evaluation_grades", cap=FINGERPRINT_MAX, **scope)
    names = store.mapping("item_names", cap=FINGERPRINT_MAX, **scope)
    return {"fiscal_years": years, "grades": grades, "names": names}


def _capped(lines: list[str], lang: str) -> tuple[str, ...]:
    if len(lines) <= CHANGES_MAX:
        return tuple(lines)
    more = len(lines) - CHANGES_MAX
    tail = f"ほか{more}件の変化" if lang == "ja" else f"and {more} more changes"
    return (*lines[:CHANGES_MAX], tail)


def describe_changes(
    previous: dict[str, Any] | None,
    current: dict[str, Any],
    lang: str,
    *,
    several: bool = False,
) -> list[str]:
    """Lines saying what changed since the previous digest: years, grades, items.

    ``several``: the digest covers more than one municipality, so lines say whose item.
    """
    ja = lang == "ja"
    if previous is None:
        return ["今回が最初の配信です。" if ja else "This is the first digest."]
    lines: list[str] = []
    previous = _upgraded(previous, current)
    old, new = previous["grades"], current["grades"]
    # Most weeks bring no new report: comparing the whole dicts is one C-level pass,
    # where looking at each of a national digest's ~340,000 grades took a second.
    if old == new and previous["fiscal_years"] == current["fiscal_years"]:
        return [_nothing_changed(ja)]
    names: dict[str, str] = {**previous.get("names", {}), **current.get("names", {})}
    for year in sorted(set(current["fiscal_years"]) - set(previous["fiscal_years"])):
        label = t.fiscal_year_label(year, "ja" if ja else "en")
        lines.append(
            f"{label}の報告書が追加されました。" if ja else f"The {label} report was added."
        )
        earlier = max((y for y in current["fiscal_years"] if y < year), default=None)
        if earlier is not None:
            lines.extend(_year_changes(new, earlier, year, names, ja, several))
    # Only the changed keys are sorted: a national digest holds ~340,000 unchanged ones.
    changed = [key for key in old.keys() & new.keys() if old[key] != new[key]]
    for key in sorted(changed, key=_key_order):
        _, item, dept, municipality, plan = _parse_key(key)
        label = _item_label(item, dept, municipality, plan, names, ja, several)
        lines.append(
            f"{label}: 評価 {old[key]}→{new[key]}"
            if ja
            else f"{label}: grade {old[key]} → {new[key]}"
        )
    latest = max(current["fiscal_years"])
    if latest in previous["fiscal_years"] and old.keys() != new.keys():
        old_items = _items_of_year(old, latest)
        new_items = _items_of_year(new, latest)
        for items, ja_verb, en_verb in (
            (new_items - old_items, "が追加されました", "was added"),
            (old_items - new_items, "がなくなりました", "was removed"),
        ):
            for municipality, plan, item in sorted(items, key=_item_order):
                name = names.get(f"{municipality}|{plan}|{item}", "")
                where = f"{municipality} " if several else ""
                lines.append(
                    f"{where}事業{item} {name} {ja_verb}。"
                    if ja
                    else f"{where}Item {item} {name} {en_verb}."
                )
    return lines or [_nothing_changed(ja)]


def _upgraded(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """A state stored before keys carried the plan, in today's keys: each old key takes
    the plan of the current key it matches (a key no longer current keeps none)."""
    grades: dict[str, str] = previous["grades"]
    if not grades or next(iter(grades)).count("|") >= 4:
        return previous
    plan_of = {old: plan for old, _, plan in (key.rpartition("|") for key in current["grades"])}
    return {
        **previous,
        "grades": {f"{key}|{plan_of.get(key, '')}": grade for key, grade in grades.items()},
        "names": {},  # (the current names name every item still there)
    }


def _nothing_changed(ja: bool) -> str:
    return (
        "前回の配信から変更はありません。"
        if ja
        else "Nothing has changed since the previous digest."
    )


def _parse_key(key: str) -> tuple[str, str, str, str, str]:
    """A fingerprint key's (year, item, department, municipality, plan) (a state stored
    before keys had the plan is brought to them first, by _upgraded)."""
    year, item, dept, municipality, plan = key.split("|")
    return year, item, dept, municipality, plan


def _items_of_year(grades: dict[str, str], year: int) -> set[tuple[str, str, str]]:
    prefix = f"{year}|"
    return {
        (parts[3], parts[4], parts[1])
        for parts in (_parse_key(k) for k in grades if k.startswith(prefix))
    }


def _item_order(triple: tuple[str, str, str]) -> tuple[str, str, int]:
    return triple[0], triple[1], int(triple[2])


def _item_label(
    item: str,
    dept: str,
    municipality: str,
    plan: str,
    names: dict[str, str],
    ja: bool,
    several: bool,
) -> str:
    name = names.get(f"{municipality}|{plan}|{item}", "")
    where = f"{municipality} {dept}" if several else dept
    return f"事業{item} {name}（{where}）" if ja else f"Item {item} {name} ({where})"


def _year_changes(
    grades: dict[str, str],
    earlier: int,
    year: int,
    names: dict[str, str],
    ja: bool,
    several: bool,
) -> list[str]:
    """Grade changes between two fiscal years, per item: an item whose department was
    renamed, split or merged is compared with the grade its former department gave."""
    # (municipality, plan, item) → {department: grade}, per year; a successor plan
    # renumbers its items, so the plan is part of the item.
    per_year: dict[str, dict[tuple[str, str, str], dict[str, str]]] = {
        str(earlier): {},
        str(year): {},
    }
    for key, grade in grades.items():
        y, item, dept, municipality, plan = _parse_key(key)
        if y in per_year:
            per_year[y].setdefault((municipality, plan, item), {})[dept] = grade
    changed = []
    for (municipality, plan, item), now in per_year[str(year)].items():
        then = per_year[str(earlier)].get((municipality, plan, item), {})
        gone = [d for d in then if d not in now]
        for dept, grade in now.items():
            before = [(dept, then[dept])] if dept in then else [(d, then[d]) for d in gone]
            for old_dept, old_grade in before:
                if old_grade != grade:
                    key = f"{year}|{item}|{dept}|{municipality}|{plan}"
                    changed.append((key, old_dept, old_grade, grade))
    lines = []
    for key, old_dept, before, grade in sorted(changed, key=lambda c: _key_order(c[0])):
        _, item, dept, municipality, plan = _parse_key(key)
        label = _item_label(item, dept, municipality, plan, names, ja, several)
        moved = f"{old_dept} " if old_dept != dept else ""
        lines.append(f"{label}: FY{earlier} {moved}{before} → FY{year} {grade}")
    return lines


def _key_order(key: str) -> tuple[int, int, str, str, str]:
    year, item, dept, municipality, plan = _parse_key(key)
    return int(year), int(item), dept, municipality, plan
