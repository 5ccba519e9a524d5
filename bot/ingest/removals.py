"""What an ingest would take out of the warehouse, before it is written.

A report replaces the rows of its (municipality, plan, fiscal year, department sheet)
that the warehouse holds. A whole report of a sheet gives every evaluation back (perhaps
regraded); a partial copy or an interrupted export gives back fewer, and writing it
would silently shrink the year. :func:`ingest_removals` lists, per sheet, each held
evaluation the ingest would drop, and each sheet an earlier version of the same file had
that this version lacks (a cut-off file loses its last sheets). ``planbot ingest``
refuses a non-empty list unless given ``--allow-removals``; an upload preview shows the
same list.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict

from bot.models import Report


class HeldEvaluation(BaseModel):
    """One evaluation the warehouse holds, as an ingest would remove it."""

    model_config = ConfigDict(frozen=True)

    item_no: int
    item_name: str
    department: str
    grade: str
    source_file: str
    source_line: int


class SheetRemovals(BaseModel):
    """The held evaluations of one department sheet that the incoming report lacks."""

    model_config = ConfigDict(frozen=True)

    municipality: str
    plan: str
    fiscal_year: int
    sheet: str
    #: The file that would replace the sheet.
    incoming_file: str
    held: int
    incoming: int
    removed: tuple[HeldEvaluation, ...]


class MissingSheets(BaseModel):
    """Sheets an earlier version of the same file had and this one lacks (they would
    stay as held, but their absence says the file is incomplete)."""

    model_config = ConfigDict(frozen=True)

    municipality: str
    plan: str
    fiscal_year: int
    file: str
    sheets: tuple[str, ...]


class IngestRemovals(BaseModel):
    """Everything an ingest would remove from (or find missing against) the warehouse."""

    model_config = ConfigDict(frozen=True)

    sheets: tuple[SheetRemovals, ...] = ()
    missing_sheets: tuple[MissingSheets, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.sheets and not self.missing_sheets

    @property
    def evaluations_removed(self) -> int:
        return sum(len(s.removed) for s in self.sheets)


SheetKey = tuple[str, str, int, str]

_HELD_ROWS = """
SELECT municipality, plan, source_sheet, item_no, item_name, department, grade,
       source_file, source_line
FROM read_parquet(?)
WHERE list_contains(?::VARCHAR[], municipality || chr(31) || plan || chr(31) || source_sheet)
ORDER BY municipality, plan, source_sheet, item_no, source_line
"""


def removals_against(
    previous: Path | None,
    old_sources: Sequence[dict[str, object]],
    incoming: Sequence[Report],
    fresh: Sequence[Report],
) -> IngestRemovals:
    """What writing ``fresh`` (the reports an ingest will write, each cut to the sheets
    it wins) over the snapshot ``previous`` would remove; ``incoming`` are the reports
    as given, for the sheets an earlier version of the same file had."""
    if previous is None:
        return IngestRemovals()
    return IngestRemovals(
        sheets=tuple(_sheet_removals(previous, fresh)),
        missing_sheets=tuple(_missing_sheets(old_sources, incoming)),
    )


def _sheet_removals(previous: Path, fresh: Sequence[Report]) -> list[SheetRemovals]:
    incoming: dict[SheetKey, tuple[str, list[tuple[int, str]]]] = {}
    for r in fresh:
        for sheet in r.sheets:
            incoming[(r.municipality, r.plan, r.fiscal_year, sheet)] = (r.source_file, [])
        for e in r.evaluations:
            key = (r.municipality, r.plan, r.fiscal_year, e.source.sheet)
            incoming[key][1].append((e.item_number, e.department))
    found: list[SheetRemovals] = []
    with contextlib.closing(duckdb.connect(":memory:")) as con:
        for year in sorted({k[2] for k in incoming}):
            part = previous / "evaluations" / f"fiscal_year={year}" / "part.parquet"
            if not part.exists():
                continue
            keys = [f"{m}\x1f{p}\x1f{s}" for (m, p, y, s) in incoming if y == year]
            held: dict[SheetKey, list[HeldEvaluation]] = {}
            for m, p, sheet, *row in con.execute(_HELD_ROWS, [str(part), keys]).fetchall():
                held.setdefault((m, p, year, sheet), []).append(
                    HeldEvaluation(
                        item_no=row[0],
                        item_name=row[1],
                        department=row[2],
                        grade=row[3],
                        source_file=row[4],
                        source_line=row[5],
                    )
                )
            for key, rows in held.items():
                file, coming = incoming[key]
                removed = _removed(rows, coming)
                if removed:
                    found.append(
                        SheetRemovals(
                            municipality=key[0],
                            plan=key[1],
                            fiscal_year=key[2],
                            sheet=key[3],
                            incoming_file=file,
                            held=len(rows),
                            incoming=len(coming),
                            removed=removed,
                        )
                    )
    return found


def _removed(
    held: list[HeldEvaluation], coming: list[tuple[int, str]]
) -> tuple[HeldEvaluation, ...]:
    """Held rows the incoming sheet does not give back. An item whose department was
    renamed or regraded is changed, not removed: only where an item comes back with
    fewer evaluations than it has are the missing ones removed."""
    per_item = Counter(no for no, _ in coming)
    by_item: dict[int, list[HeldEvaluation]] = {}
    for row in held:
        by_item.setdefault(row.item_no, []).append(row)
    removed: list[HeldEvaluation] = []
    for item_no, rows in by_item.items():
        lost = len(rows) - per_item[item_no]
        if lost > 0:
            unmatched = [r for r in rows if (item_no, r.department) not in coming]
            removed.extend((unmatched or rows)[-lost:])
    return tuple(removed)


def _missing_sheets(
    old_sources: Sequence[dict[str, object]], incoming: Sequence[Report]
) -> list[MissingSheets]:
    found: list[MissingSheets] = []
    for r in incoming:
        earlier: list[str] = []
        for src in old_sources:
            same = (src["file"], src["municipality"], src["plan"], src["fiscal_year"]) == (
                r.source_file,
                r.municipality,
                r.plan,
                r.fiscal_year,
            )
            if same:
                earlier.extend(str(s) for s in src["sheets"])  # type: ignore[attr-defined]
        missing = tuple(dict.fromkeys(s for s in earlier if s not in r.sheets))
        if missing:
            found.append(
                MissingSheets(
                    municipality=r.municipality,
                    plan=r.plan,
                    fiscal_year=r.fiscal_year,
                    file=r.source_file,
                    sheets=missing,
                )
            )
    return found
