"""What ingesting a report would change, worked out before anything is written.

An upload in Slack is shown this first (new year or replacement, items added and
removed, every grade change, texts changed) and ingested only once confirmed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from bot.ingest.snapshots import current_snapshot, read_manifest
from bot.models import Frozen, Grade, Report
from bot.store.report_model import held_reports, load_report

Comparison = Literal["replaces", "previous_year", "nothing"]


class ItemRef(Frozen):
    item_no: int
    name: str
    department: str = ""


class GradeChange(Frozen):
    item_no: int
    name: str
    department: str
    before: Grade
    after: Grade


class ReportPreview(Frozen):
    """A parsed report set against the warehouse as it stood (``snapshot``)."""

    version: Literal[1] = 1
    file_name: str
    checksum: str
    municipality: str
    plan: str
    fiscal_year: int
    sheets: tuple[str, ...]
    items: int
    evaluations: int
    #: What the report was compared with: the year it replaces, the year before, nothing.
    compared_with: Comparison
    compared_year: int | None = None
    #: Files in the warehouse whose sheets this report replaces.
    replaces: tuple[str, ...] = ()
    #: The identical file is already in: ingesting it changes nothing.
    already_in: bool = False
    items_added: tuple[ItemRef, ...] = ()
    items_removed: tuple[ItemRef, ...] = ()
    #: Evaluations (item × department) the warehouse has and this report does not.
    evaluations_removed: tuple[ItemRef, ...] = ()
    grade_changes: tuple[GradeChange, ...] = ()
    texts_changed: int = 0
    snapshot: str | None = None


def preview_report(data_dir: Path, report: Report, file_name: str) -> ReportPreview:
    snapshot = current_snapshot(data_dir)
    base: Report | None = None
    comparison: Comparison = "nothing"
    replaces: tuple[str, ...] = ()
    already_in = False
    if snapshot is not None:
        key = (report.municipality, report.plan)
        if key in held_reports(snapshot, report.fiscal_year):
            base, comparison = _load(data_dir, snapshot, report, report.fiscal_year), "replaces"
            sources = read_manifest(snapshot)["sources"]
            replaces = tuple(
                str(s["file"])
                for s in sources  # type: ignore[attr-defined]
                if (s["municipality"], s["plan"], s["fiscal_year"]) == (*key, report.fiscal_year)
                and set(s["sheets"]) & set(report.sheets)
            )
            already_in = any(
                s["checksum"] == report.checksum and set(report.sheets) <= set(s["sheets"])
                for s in sources  # type: ignore[attr-defined]
            )
        elif key in held_reports(snapshot, report.fiscal_year - 1):
            base = _load(data_dir, snapshot, report, report.fiscal_year - 1)
            comparison = "previous_year"
    preview = ReportPreview(
        file_name=file_name,
        checksum=report.checksum,
        municipality=report.municipality,
        plan=report.plan,
        fiscal_year=report.fiscal_year,
        sheets=report.sheets,
        items=len(report.items),
        evaluations=len(report.evaluations),
        compared_with=comparison,
        compared_year=base.fiscal_year if base else None,
        replaces=replaces,
        already_in=already_in,
        snapshot=snapshot.name if snapshot else None,
    )
    if base is None:
        return preview
    return preview.model_copy(update=_differences(report, base, same_year=comparison == "replaces"))


def _load(data_dir: Path, snapshot: Path, report: Report, year: int) -> Report:
    return load_report(
        data_dir, year, municipality=report.municipality, plan=report.plan, snapshot=snapshot
    )


def _differences(new: Report, base: Report, *, same_year: bool) -> dict[str, object]:
    if same_year:
        # A report replaces only the department sheets it holds.
        sheets = set(new.sheets)
        kept = [e for e in base.evaluations if e.source.sheet in sheets]
        base = base.model_copy(update={"evaluations": tuple(kept)})
    new_items = {i.number: i for i in new.items}
    base_numbers = {e.item_number for e in base.evaluations}
    base_items = {i.number: i for i in base.items if i.number in base_numbers}
    old = {(e.item_number, e.department): e for e in base.evaluations}
    fresh = {(e.item_number, e.department): e for e in new.evaluations}
    changes = []
    texts = 0
    for key, ev in fresh.items():
        before = old.get(key)
        if before is None:
            continue
        if before.grade != ev.grade:
            name = new_items[ev.item_number].name
            changes.append(
                GradeChange(
                    item_no=key[0],
                    name=name,
                    department=key[1],
                    before=before.grade,
                    after=ev.grade,
                )
            )
        if (before.plan_text, before.result_text, before.next_plan_text) != (
            ev.plan_text,
            ev.result_text,
            ev.next_plan_text,
        ):
            texts += 1
    return {
        "items_added": tuple(
            ItemRef(item_no=n, name=i.name)
            for n, i in sorted(new_items.items())
            if n not in base_items
        ),
        "items_removed": tuple(
            ItemRef(item_no=n, name=i.name)
            for n, i in sorted(base_items.items())
            if n not in new_items
        ),
        "evaluations_removed": tuple(
            ItemRef(item_no=k[0], name=base_items[k[0]].name, department=k[1])
            for k in sorted(old)
            if k not in fresh and k[0] in new_items
        ),
        "grade_changes": tuple(sorted(changes, key=lambda c: (c.item_no, c.department))),
        "texts_changed": texts,
    }
