"""Property: whatever damage a report suffers, the parser parses it or refuses it with
FILE:LINE problems — it never raises anything else."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest.problems import ReportRejected
from bot.ingest.report_text import parse_report_bytes
from bot.models import Report
from tests import reports

SEED_LINES = reports.seed_text().split("\n")
_PROBLEM = re.compile(r"^seed\.txt:\d+: \S.*$")

_cell_values = st.one_of(
    st.sampled_from(
        [
            "",
            "E",
            "Ｄ",
            "A",
            "x",
            "999999",
            "-1",
            "0",
            "<p>",
            "基本目標",
            "\t",
            "令和9年度事業実績",
            "(★)",
            "基本施策",
            "(3)",
            "１６",
            '"',
            '"open',
            '"a""b"',
            '"two\nlines"',
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def mutated_reports(draw: st.DrawFn) -> bytes:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split("\t")
        action = draw(
            st.sampled_from(
                ["set_cell", "drop_cells", "add_cells", "drop_line", "dup_line", "swap", "truncate"]
            )
        )
        if action == "set_cell":
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(_cell_values)
            lines[i] = "\t".join(cells)
        elif action == "drop_cells":
            lines[i] = "\t".join(cells[: draw(st.integers(0, len(cells)))])
        elif action == "add_cells":
            lines[i] = lines[i] + "\t" * draw(st.integers(1, 3)) + draw(_cell_values)
        elif action == "drop_line":
            del lines[i]
        elif action == "dup_line":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines = lines[: i + 1]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_reports())
def test_mutated_reports_parse_or_refuse_cleanly(data: bytes) -> None:
    try:
        report = parse_report_bytes(data, file="seed.txt")
    except ReportRejected as exc:
        assert exc.problems
        for problem in exc.problems:
            assert _PROBLEM.match(str(problem)), str(problem)
        return
    assert isinstance(report, Report)
    assert report.evaluations
    assert all(e.grade.value in "ABCD" for e in report.evaluations)
    numbers = {i.number for i in report.items}
    assert all(e.item_number in numbers for e in report.evaluations)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        parse_report_bytes(data, file="seed.txt")
    except ReportRejected as exc:
        assert all(_PROBLEM.match(str(p)) for p in exc.problems)
