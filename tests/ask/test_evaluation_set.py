"""The evaluation set: every question in questions.toml answered as a person at city hall
would mean it. The suite prints the accuracy and requires 100%."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.ask.answer import Answerer
from bot.models import Answer
from bot.store.database import Store

CASES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).with_name("questions.toml")).read_text(encoding="utf-8")
)["case"]
ALIASES = Path(__file__).resolve().parents[2] / "data" / "aliases.toml"


@pytest.fixture(scope="module")
def answerers(seed_warehouse: Path, two_year_warehouse: Path) -> Iterator[dict[str, Answerer]]:
    stores = {"seed": Store(seed_warehouse), "two": Store(two_year_warehouse)}
    yield {name: Answerer(store, aliases_file=ALIASES) for name, store in stores.items()}
    for store in stores.values():
        store.close()


def mismatches(case: dict[str, Any], answer: Answer) -> list[str]:
    """Every way the answer differs from what the case expects."""
    out: list[str] = []
    if answer.intent != case["intent"]:
        out.append(f"intent {answer.intent!r}, expected {case['intent']!r}")
    if answer.language != case["lang"]:
        out.append(f"language {answer.language!r}, expected {case['lang']!r}")
    # A case names its problem, or expects none: help for a greeting is not help for a
    # question that was not understood.
    if answer.problem != case.get("problem"):
        out.append(f"problem {answer.problem!r}, expected {case.get('problem')!r}")
    if "items" in case:
        got = sorted({i.item_no for i in answer.items})
        if got != sorted(case["items"]):
            out.append(f"items {got}, expected {sorted(case['items'])}")
    expected_count = case.get("count", len(case["items"]) if "items" in case else None)
    if expected_count is not None and answer.count != expected_count:
        out.append(f"count {answer.count}, expected {expected_count}")
    if "fy" in case and answer.fiscal_year != case["fy"]:
        out.append(f"fiscal year {answer.fiscal_year}, expected {case['fy']}")
    if "entries" in case and len(answer.items) != case["entries"]:
        out.append(f"{len(answer.items)} entries, expected {case['entries']}")
    if not answer.text.strip():
        out.append("empty text")
    return out


def test_the_set_is_broad_enough() -> None:
    assert len(CASES) >= 100
    english = [c for c in CASES if c["lang"] == "en"]
    assert len(english) >= 35
    intents = {c["intent"] for c in CASES}
    assert intents == {"list", "count", "detail", "summary", "trend", "help"}
    assert {c["wh"] for c in CASES} == {"seed", "two"}
    assert len({c["q"] for c in CASES}) + 1 >= len(CASES)  # one repeat on purpose


def test_accuracy_is_100_percent(
    answerers: dict[str, Answerer], capsys: pytest.CaptureFixture[str]
) -> None:
    failures: list[str] = []
    for case in CASES:
        answer = answerers[case["wh"]].answer(case["q"])
        problems = mismatches(case, answer)
        if problems:
            failures.append(f"{case['q']!r} [{case['wh']}]: " + "; ".join(problems))
    correct = len(CASES) - len(failures)
    with capsys.disabled():
        print(
            f"\nevaluation set: {correct}/{len(CASES)} correct ({100 * correct / len(CASES):.1f}%)"
        )
    assert not failures, "\n".join(failures)
