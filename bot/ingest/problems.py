"""How a refused report explains itself: every problem as ``FILE:LINE: reason``
(``FILE:SHEET!CELL: reason`` in a workbook)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    #: The line of a text export; in a workbook, the row's order in the whole workbook.
    line: int
    reason: str
    #: In a workbook, the sheet and cell (``子ども政策課!I86``) that ``line`` stands for.
    place: str = ""

    def __str__(self) -> str:
        # One problem, one line: a quoted cell quoted back may hold line breaks or tabs.
        return f"{self.file}:{self.place or self.line}: {_ONE_LINE.sub(' ', self.reason)}"


class ReportRejected(Exception):
    """A report that cannot be ingested; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
