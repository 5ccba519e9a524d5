"""What a digest says: where the plan stands, what needs attention, what changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.ask.answer import answer_item, filter_params, rows_query
from bot.digest.ledger import Subscription
from bot.models import AnswerItem, Grade, QuerySpec
from bot.render import text as t
from bot.store.database import Store

#: Items needing attention listed in one digest; the rest are counted ("… and 40 more").
ATTENTION_MAX = 200


class Digest(BaseModel):
    model_config = ConfigDict(frozen=True)

    subscription_id: str
    language: str
    scope: str
    fire_time: datetime
    period_start: datetime | None
    as_of: str
    fiscal_year: int
    previous_fiscal_year: int | None
    grades: dict[str, int]
    previous_grades: dict[str, int] | None
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


def _scope_params(sub: Subscription, municipality: str | None) -> dict[str, Any]:
    """A subscription's scope as the filter parameters a question would have."""
    if sub.scope_kind == "department" and sub.scope_value:
        scope = QuerySpec(departments=(sub.scope_value,))
    elif sub.scope_kind == "goal" and sub.scope_value:
        scope = QuerySpec(goal=int(sub.scope_value))
    else:
        scope = QuerySpec()
    return filter_params(scope, municipality)


def _grades(row: dict[str, Any]) -> dict[str, int]:
    return {g.value: int(row[g.value.lower()]) for g in Grade}


def compose_digest(
    store: Store,
    sub: Subscription,
    fire_time: datetime,
    previous_state: dict[str, Any] | None,
    *,
    municipality: str | None = None,
    period_start: datetime | None = None,
) -> Digest:
    years = sorted(
        int(r["fiscal_year"]) for r in store.run("fiscal_years", municipality=municipality).rows
    )
    latest = years[-1]
    before = years[-2] if len(years) > 1 else None
    params = _scope_params(sub, municipality)
    counts = store.run("count_matching", fiscal_year=latest, **params).rows[0]
    previous_grades = None
    if before is not None:
        previous_grades = _grades(store.run("count_matching", fiscal_year=before, **params).rows[0])
    by_dept = {
        r["department"]: _grades(r)
        for r in store.run("grade_counts_by_department", fiscal_year=latest, **params).rows
    }
    attention_params = {**params, "grades": ["C", "D"]}
    attention_rows = store.run(
        rows_query(attention_params), fiscal_year=latest, cap=ATTENTION_MAX, **attention_params
    )
    attention = tuple(answer_item(r) for r in attention_rows.rows)
    attention_total = (
        int(counts["c"]) + int(counts["d"]) if attention_rows.truncated else len(attention)
    )
    state = _state(store, params, years[-2:])
    manifest = store.manifest
    sources = tuple(
        f"{s['file']} (FY{s['fiscal_year']}, sha256 {str(s['checksum'])[:12]})"
        for s in manifest.get("sources", [])
        if municipality is None or s.get("municipality") == municipality
    )
    return Digest(
        subscription_id=sub.id,
        language=sub.language,
        scope=sub.scope_label(),
        fire_time=fire_time,
        period_start=period_start,
        as_of=str(manifest.get("created_at", "")),
        fiscal_year=latest,
        previous_fiscal_year=before,
        grades=_grades(counts),
        previous_grades=previous_grades,
        items=int(counts["items"]),
        attention=attention,
        attention_total=attention_total,
        by_department=by_dept,
        changes=tuple(describe_changes(previous_state, state, sub.language)),
        first=previous_state is None,
        sources=sources,
        state=state,
    )


def _state(store: Store, params: dict[str, Any], years: list[int]) -> dict[str, Any]:
    """(year|item|department|municipality) → grade for the latest two fiscal years."""
    rows = store.run(
        "evaluation_grades",
        cap=10_000_000,
        from_year=years[0],
        municipality=params["municipality"],
        departments=params["departments"],
        goal=params["goal"],
    ).rows
    grades = {
        f"{r['fiscal_year']}|{r['item_no']}|{r['department']}|{r['municipality']}": r["grade"]
        for r in rows
    }
    names = {str(r["item_no"]): r["item_name"] for r in rows}
    return {"fiscal_years": years, "grades": grades, "names": names}


def describe_changes(
    previous: dict[str, Any] | None, current: dict[str, Any], lang: str
) -> list[str]:
    """Lines saying what changed since the previous digest: years, grades, items."""
    ja = lang == "ja"
    if previous is None:
        return ["今回が最初の配信です。" if ja else "This is the first digest."]
    lines: list[str] = []
    old, new = previous["grades"], current["grades"]
    names = {**previous.get("names", {}), **current.get("names", {})}
    for year in sorted(set(current["fiscal_years"]) - set(previous["fiscal_years"])):
        label = t.fiscal_year_label(year, "ja" if ja else "en")
        lines.append(
            f"{label}の報告書が追加されました。" if ja else f"The {label} report was added."
        )
        earlier = max((y for y in current["fiscal_years"] if y < year), default=None)
        if earlier is not None:
            lines.extend(_year_changes(new, earlier, year, names, ja))
    for key in sorted(set(old) & set(new), key=_key_order):
        if old[key] != new[key]:
            year, item, dept, _ = key.split("|")
            name = names.get(item, "")
            lines.append(
                f"事業{item} {name}（{dept}）: 評価 {old[key]}→{new[key]}"
                if ja
                else f"Item {item} {name} ({dept}): grade {old[key]} → {new[key]}"
            )
    latest = max(current["fiscal_years"])
    old_items = {k.split("|")[1] for k in old if k.startswith(f"{latest}|")}
    new_items = {k.split("|")[1] for k in new if k.startswith(f"{latest}|")}
    if latest in previous["fiscal_years"]:
        for item in sorted(new_items - old_items, key=int):
            lines.append(
                f"事業{item} {names.get(item, '')} が追加されました。"
                if ja
                else f"Item {item} {names.get(item, '')} was added."
            )
        for item in sorted(old_items - new_items, key=int):
            lines.append(
                f"事業{item} {names.get(item, '')} がなくなりました。"
                if ja
                else f"Item {item} {names.get(item, '')} was removed."
            )
    if not lines:
        lines.append(
            "前回の配信から変更はありません。"
            if ja
            else "Nothing has changed since the previous digest."
        )
    return lines


def _year_changes(
    grades: dict[str, str], earlier: int, year: int, names: dict[str, str], ja: bool
) -> list[str]:
    """Grade changes between two fiscal years, per item and department."""
    lines = []
    for key in sorted((k for k in grades if k.startswith(f"{year}|")), key=_key_order):
        _, item, dept, municipality = key.split("|")
        before = grades.get(f"{earlier}|{item}|{dept}|{municipality}")
        if before and before != grades[key]:
            name = names.get(item, "")
            lines.append(
                f"事業{item} {name}（{dept}）: FY{earlier} {before} → FY{year} {grades[key]}"
                if ja
                else f"Item {item} {name} ({dept}): FY{earlier} {before} → FY{year} {grades[key]}"
            )
    return lines


def _key_order(key: str) -> tuple[int, int, str, str]:
    year, item, dept, municipality = key.split("|")
    return int(year), int(item), dept, municipality
