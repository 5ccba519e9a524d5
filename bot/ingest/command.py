"""``planbot ingest``: parse every file first, write only when all of them are sound."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.ingest.files import parse_report_files
from bot.ingest.removals import IngestRemovals
from bot.ingest.warehouse import RemovalsRefused, WarehouseWriteError, write_reports
from bot.ingest.workbook import WorkbookLimits
from bot.reorganisations import describe_move, explicit_moves

#: Removed evaluations listed one per line per sheet; the rest are counted.
LISTED_PER_SHEET = 50


def removal_lines(removals: IngestRemovals) -> list[str]:
    """What an ingest would remove, for the operator: a sheet a line, then its rows."""
    lines: list[str] = []
    for s in removals.sheets:
        lines.append(
            f"FY{s.fiscal_year} {s.municipality} {s.plan} sheet '{s.sheet}': {s.held} evaluations"
            f" held, {s.incoming} in {s.incoming_file}; {len(s.removed)} would be removed:"
        )
        for e in s.removed[:LISTED_PER_SHEET]:
            lines.append(
                f"  item {e.item_no} {e.item_name} ({e.department}, grade {e.grade};"
                f" {e.source_file}:{e.source_line})"
            )
        if len(s.removed) > LISTED_PER_SHEET:
            lines.append(f"  … and {len(s.removed) - LISTED_PER_SHEET} more")
    for m in removals.missing_sheets:
        lines.append(
            f"FY{m.fiscal_year} {m.municipality} {m.plan}: {m.file} lacks sheet(s)"
            f" {', '.join(repr(s) for s in m.sheets)} that its earlier version had"
            " (is the file complete?)"
        )
    return lines


def ingest_command(settings: Settings, files: list[Path], *, allow_removals: bool = False) -> int:
    reports, problems = parse_report_files(files, WorkbookLimits.from_settings(settings))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(
            f"refused: {len(problems)} problem(s); the warehouse was not changed", file=sys.stderr
        )
        return 1
    for report in reports:
        for sheet in report.skipped_sheets:
            print(f"{report.source_file}: skipped sheet '{sheet.name}': {sheet.reason}")
    try:
        result = write_reports(
            settings.data_dir,
            reports,
            allow_removals=allow_removals,
            keep_snapshots=settings.keep_snapshots,
            database_url=settings.database_url,
        )
    except WarehouseWriteError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    except RemovalsRefused as refused:
        for line in removal_lines(refused.removals):
            print(line, file=sys.stderr)
        print(
            f"refused: this would remove {refused.removals.evaluations_removed} evaluation(s)"
            " the warehouse holds (a cut-off or partial file?); the warehouse was not changed."
            " If the removals are intended, ingest again with --allow-removals.",
            file=sys.stderr,
        )
        return 1
    explicit = explicit_moves(settings.vocabulary_file)
    years = ", ".join(f"FY{y}" for y in result.fiscal_years)
    if result.changed and not result.added:
        print(
            f"already up to date: {', '.join(result.unchanged)}; term index written anew"
            f" → snapshot {result.snapshot} ({result.evaluations} evaluations; {years})"
        )
    elif result.changed:
        print(
            f"ingested {', '.join(result.added)} → snapshot {result.snapshot} "
            f"({result.evaluations} evaluations; {years})"
        )
        for move in result.moves:
            # What the data suggests; aliases.toml has the last word on a department.
            overridden = [
                describe_move(m) for m in explicit if m.from_department == move.from_department
            ]
            note = f" — aliases.toml states {'; '.join(overridden)}" if overridden else ""
            print(f"reorganised: {describe_move(move)}{note}")
    else:
        print(
            f"already up to date: {', '.join(result.unchanged)} ({result.evaluations} "
            f"evaluations; {years})"
        )
    return 0
