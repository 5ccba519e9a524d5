"""The console and `planbot ask --json` give the same answers as the core, for the whole
evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ask.answer import Answerer
from bot.render.json_answer import answer_dict
from tests.ask.test_evaluation_set import CASES
from tests.test_cli import planbot


@pytest.mark.parametrize("wh", ["seed", "two"])
def test_console_and_json_agree_with_the_core(
    wh: str, answerers: dict[str, Answerer], request: pytest.FixtureRequest
) -> None:
    data_dir: Path = request.getfixturevalue(
        "seed_warehouse" if wh == "seed" else "two_year_warehouse"
    )
    questions = [c["q"] for c in CASES if c["wh"] == wh and c["q"].strip()]
    core = [answerers[wh].answer(q) for q in questions]
    stdin = "\n".join(questions) + "\n"

    batch = planbot("ask", "--json", "--data-dir", str(data_dir), stdin=stdin)
    assert batch.returncode == 0, batch.stderr
    got = [json.loads(line) for line in batch.stdout.splitlines()]
    expected = [answer_dict(a) for a in core]
    for g, e in zip(got, expected, strict=True):
        for run in (*g["queries"], *e["queries"]):
            run.pop("elapsed_ms")  # the only field that may differ between two runs
        assert g == e, g["question"]

    console = planbot("run", "--data-dir", str(data_dir), stdin=stdin)
    assert console.returncode == 0, console.stderr
    assert console.stdout == "".join(f"{a.text}\n\n" for a in core)
