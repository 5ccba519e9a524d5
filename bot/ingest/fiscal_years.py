"""Which fiscal years a report may hold: none before the plan's era, none after next year.

令和99年度 read as FY2117 would become the default year of every question, and
令和0年度 (there is no such year: 令和 begins at 元年) as FY2018. A report's results
year must be a real era year, not before 平成元年度 (FY1989: no plan in this layout is
older), and not after next fiscal year (a plan's schedule runs one year ahead).
"""

from __future__ import annotations

import re
from datetime import date

#: 平成元年度: the earliest year of the era the plans' reports are written in.
EARLIEST_FISCAL_YEAR = 1989
#: The last year of each era (平成31 became 令和元 in May 2019).
_ERA_LAST_YEAR = {"平成": 31}
_ERA_YEAR = re.compile(r"(令和|平成)\s*(元|\d+)\s*年")


def fiscal_year_of(day: date) -> int:
    """Japan's fiscal year runs April to March: 2020-03-31 is FY2019."""
    return day.year if day.month >= 4 else day.year - 1


def latest_fiscal_year(today: date | None = None) -> int:
    """Next fiscal year, the latest a report may hold."""
    return fiscal_year_of(today or date.today()) + 1


def fiscal_year_problem(label: str, year: int, latest: int) -> str | None:
    """Why ``year`` (read from ``label``) cannot be a report's year, or None."""
    for m in _ERA_YEAR.finditer(label):
        era, number = m.group(1), m.group(2)
        n = 1 if number == "元" else int(number)
        if n < 1:
            return f"{era}{number}年度 is not a year ({era} begins at 元年)"
        last = _ERA_LAST_YEAR.get(era)
        if last is not None and n > last:
            return f"{era}{number}年度 is not a year ({era} ended in its {last}th year)"
    if year < EARLIEST_FISCAL_YEAR:
        return f"FY{year} is before FY{EARLIEST_FISCAL_YEAR} (平成元年度), earlier than any plan"
    if year > latest:
        return f"FY{year} is after next fiscal year (FY{latest}): a mistyped year?"
    return None
