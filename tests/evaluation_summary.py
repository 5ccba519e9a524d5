"""The evaluation set's closing line: accuracy overall and per kind of question.

Each evaluation test records its kind as a user property, which pytest-xdist carries back
from the workers, so the line is the same with or without ``-n``."""

from __future__ import annotations

from collections import Counter

import pytest

EVALUATION_KIND = "evaluation_kind"


def summary_line(terminalreporter: pytest.TerminalReporter) -> str | None:
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call":
                continue
            kind = dict(getattr(report, "user_properties", ())).get(EVALUATION_KIND)
            if kind is None:
                continue
            total[kind] += 1
            passed[kind] += outcome == "passed"
    if not total:
        return None
    right, asked = sum(passed.values()), sum(total.values())
    per_kind = ", ".join(f"{k} {passed[k]}/{total[k]}" for k in sorted(total))
    return f"evaluation set: {right}/{asked} correct ({100 * right / asked:.1f}%) — {per_kind}"
