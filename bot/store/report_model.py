"""A fiscal year of the warehouse as the report it came from (a :class:`Report`).

What the export writes back out, and what an upload's preview compares a new report
against. Read straight from the snapshot's parquet files: it is every row of one
partition, no question's query.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from bot.ingest.snapshots import current_snapshot
from bot.ingest.warehouse import EVALUATIONS
from bot.models import (
    BasicPolicy,
    Evaluation,
    Goal,
    Grade,
    Item,
    Measure,
    Report,
    SourceRef,
)


class ReportNotFound(LookupError):
    """The warehouse holds no such fiscal year (or municipality, or plan)."""


def held_reports(snapshot: Path, fiscal_year: int) -> list[tuple[str, str]]:
    """(municipality, plan) of every report the snapshot holds for the year."""
    table = pq.read_table(
        snapshot / "reports.parquet", columns=["municipality", "plan", "fiscal_year"]
    )
    rows = table.filter(pc.equal(table["fiscal_year"], fiscal_year)).to_pylist()
    return sorted({(r["municipality"], r["plan"]) for r in rows})


def load_report(
    data_dir: Path,
    fiscal_year: int,
    *,
    municipality: str | None = None,
    plan: str | None = None,
    snapshot: Path | None = None,
) -> Report:
    """One municipality's plan for one fiscal year, as a report.

    Without a municipality (or plan) the warehouse must hold only one for that year.
    """
    snapshot = snapshot or current_snapshot(data_dir)
    if snapshot is None:
        raise ReportNotFound("the warehouse is empty: run planbot ingest first")
    held = held_reports(snapshot, fiscal_year)
    chosen = [
        (m, p)
        for m, p in held
        if (municipality is None or m == municipality) and (plan is None or p == plan)
    ]
    if not chosen:
        raise ReportNotFound(f"the warehouse holds no report for FY{fiscal_year}")
    if len(chosen) > 1:
        names = ", ".join(f"{m} {p}" for m, p in chosen)
        raise ReportNotFound(
            f"FY{fiscal_year} has several reports ({names}): name the municipality and plan"
        )
    municipality, plan = chosen[0]
    return _report(snapshot, fiscal_year, municipality, plan)


def _report(snapshot: Path, year: int, municipality: str, plan: str) -> Report:
    def mine(table: object) -> object:
        return table.filter(  # type: ignore[attr-defined]
            pc.and_(
                pc.equal(table["municipality"], municipality),  # type: ignore[index]
                pc.equal(table["plan"], plan),  # type: ignore[index]
            )
        )

    sources = [
        r
        for r in mine(pq.read_table(snapshot / "reports.parquet")).to_pylist()  # type: ignore[attr-defined]
        if r["fiscal_year"] == year
    ]
    goal_rows = [
        g
        for g in mine(pq.read_table(snapshot / "goals.parquet")).to_pylist()  # type: ignore[attr-defined]
        if g["fiscal_year"] == year
    ]
    goals = {
        g["goal_no"]: Goal(
            number=g["goal_no"],
            numeral=g["goal_numeral"],
            title=g["goal_title"],
            category_counts=json.loads(g["category_counts"] or "{}"),
        )
        for g in goal_rows
    }
    path = snapshot / EVALUATIONS / f"fiscal_year={year}" / "part.parquet"
    rows = mine(pq.read_table(path)).to_pylist()  # type: ignore[attr-defined]
    # The report's own order: each source file's rows as they stood in it.
    order = {s["source_file"]: i for i, s in enumerate(sources)}
    rows.sort(key=lambda r: (order.get(r["source_file"], 0), r["source_line"]))
    items: dict[int, Item] = {}
    evaluations: list[Evaluation] = []
    for r in rows:
        number = r["item_no"]
        if number not in items:
            goal = goals.get(r["goal_no"]) or Goal(
                number=r["goal_no"], numeral=r["goal_numeral"], title=r["goal_title"]
            )
            items[number] = Item(
                number=number,
                name=r["item_name"],
                summary=r["item_summary"],
                category=r["category"],
                target_groups=tuple(r["target_groups"] or ()),
                relisted_from=r["relisted_from"],
                goal=goal,
                policy=BasicPolicy(
                    goal=goal.number, number=r["policy_no"], title=r["policy_title"]
                ),
                measure=Measure(
                    goal=goal.number,
                    policy=r["policy_no"],
                    number=r["measure_no"],
                    title=r["measure_title"],
                    priority=r["priority"],
                ),
            )
        evaluations.append(
            Evaluation(
                item_number=number,
                department=r["department"],
                sheet_department=r["sheet_department"],
                fiscal_year=year,
                plan_text=r["plan_text"],
                result_text=r["result_text"],
                grade=Grade(r["grade"]),
                next_plan_text=r["next_plan_text"],
                source=SourceRef(
                    file=r["source_file"], sheet=r["source_sheet"], line=r["source_line"]
                ),
            )
        )
    sheets = tuple(dict.fromkeys(e.source.sheet for e in evaluations))
    first = sources[0] if sources else {}
    return Report(
        municipality=municipality,
        plan=plan,
        title=str(first.get("title") or f"{municipality}{plan} 進捗状況調査報告書"),
        fiscal_year=year,
        next_fiscal_year=next(
            (s["next_fiscal_year"] for s in sources if s["next_fiscal_year"]), None
        ),
        source_file=", ".join(s["source_file"] for s in sources),
        checksum=",".join(s["checksum"] for s in sources),
        sheets=sheets,
        goals=tuple(goals[k] for k in sorted(goals)),
        items=tuple(items[k] for k in sorted(items)),
        evaluations=tuple(evaluations),
    )
