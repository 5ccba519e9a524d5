"""Impossible fiscal years are refused at their line, never ingested as a default year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest.fiscal_years import fiscal_year_of, fiscal_year_problem, latest_fiscal_year
from tests import reports

RESULTS_LABEL = "令和元年度事業実績"


def with_results_year(tmp_path: Path, era_year: str) -> tuple[Path, int]:
    text = reports.seed_text()
    line = reports.line_of(text, RESULTS_LABEL)
    changed = text.replace(RESULTS_LABEL, f"{era_year}年度事業実績")
    return reports.write(tmp_path, f"report_{era_year}.txt", changed), line


@pytest.mark.parametrize(
    ("era_year", "why"),
    [
        ("令和99", "FY2117 is after next fiscal year"),
        ("令和0", "令和0年度 is not a year (令和 begins at 元年)"),
        ("平成45", "平成45年度 is not a year"),
        ("平成0", "平成0年度 is not a year"),
    ],
)
def test_an_impossible_results_year_is_refused_at_its_line(
    warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    era_year: str,
    why: str,
) -> None:
    path, line = with_results_year(tmp_path, era_year)

    assert main(["ingest", "--data-dir", str(warehouse), str(path)]) == 1

    err = capsys.readouterr().err
    assert f"{path}:{line}: results header '{era_year}年度事業実績': {why}" in err
    assert "no fiscal-year header" not in err  # one problem, said once
    assert "refused: 1 problem(s)" in err


def test_the_window_runs_from_heisei_to_next_fiscal_year() -> None:
    # A fixed clock: 2020-03-31 is still FY2019, so FY2020 is the latest accepted.
    latest = latest_fiscal_year(date(2020, 3, 31))
    assert (fiscal_year_of(date(2020, 3, 31)), fiscal_year_of(date(2020, 4, 1))) == (2019, 2020)
    assert latest == 2020
    assert fiscal_year_problem("令和2年度事業実績", 2020, latest) is None
    assert fiscal_year_problem("令和3年度事業実績", 2021, latest) is not None
    assert fiscal_year_problem("平成31年度事業実績", 2019, latest) is None
    assert fiscal_year_problem("1988年度事業実績", 1988, latest) is not None
