"""``planbot ingest``: parse every file first, write only when all of them are sound."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.ingest.files import parse_report_files
from bot.ingest.warehouse import write_reports
from bot.ingest.workbook import WorkbookLimits
from bot.reorganisations import describe_move, explicit_moves


def ingest_command(settings: Settings, files: list[Path]) -> int:
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
    result = write_reports(settings.data_dir, reports)
    explicit = explicit_moves(settings.vocabulary_file)
    years = ", ".join(f"FY{y}" for y in result.fiscal_years)
    if result.changed:
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
