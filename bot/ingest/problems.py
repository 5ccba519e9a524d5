"""How a refused report explains itself: every problem as ``FILE:LINE: reason``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        # One problem, one line: a quoted cell quoted back may hold line breaks or tabs.
        return f"{self.file}:{self.line}: {_ONE_LINE.sub(' ', self.reason)}"


class ReportRejected(Exception):
    """A report that cannot be ingested; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
