"""The evaluation set: every question in questions.toml answered as a person at city hall
would mean it: one test per question (``-k`` selects them by warehouse, kind or words),
and the run ends with the accuracy per kind. The suite requires 100%."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.ask.answer import Answerer
from bot.models import Answer
from tests.evaluation_summary import EVALUATION_KIND

CASES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).with_name("questions.toml")).read_text(encoding="utf-8")
)["case"]
ALIASES = Path(__file__).resolve().parents[2] / "data" / "aliases.toml"


def kind_of(case: dict[str, Any]) -> str:
    """The group a case is counted in: its own ``kind``, else the intent it expects."""
    return str(case.get("kind", case["intent"]))


def case_id(index: int, case: dict[str, Any]) -> str:
    return f"{index:03d}-{case['wh']}-{kind_of(case)}-{case['q'][:30]}"


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
    if "first" in case and (not answer.items or answer.items[0].item_no != case["first"]):
        first = answer.items[0].item_no if answer.items else None
        out.append(f"first item {first}, expected {case['first']}")
    expected_count = case.get("count", len(case["items"]) if "items" in case else None)
    if expected_count is not None and answer.count != expected_count:
        out.append(f"count {answer.count}, expected {expected_count}")
    if "fy" in case and answer.fiscal_year != case["fy"]:
        out.append(f"fiscal year {answer.fiscal_year}, expected {case['fy']}")
    if "entries" in case and len(answer.items) != case["entries"]:
        out.append(f"{len(answer.items)} entries, expected {case['entries']}")
    if "headline" in case and case["headline"] not in answer.text.splitlines()[0]:
        out.append(f"headline {answer.text.splitlines()[0]!r} lacks {case['headline']!r}")
    for words in case.get("says", []):
        if words not in answer.text:
            out.append(f"text lacks {words!r}")
    for words in case.get("never_says", []):
        if words in answer.text:
            out.append(f"text says {words!r}")
    if not answer.text.strip():
        out.append("empty text")
    return out


def test_the_set_is_broad_enough() -> None:
    assert len(CASES) >= 100
    english = [c for c in CASES if c["lang"] == "en"]
    assert len(english) >= 35
    intents = {c["intent"] for c in CASES}
    assert intents == {"list", "count", "detail", "summary", "trend", "compare", "help"}
    assert {c["wh"] for c in CASES} == {"seed", "two", "three"}
    assert len({c["q"] for c in CASES}) + 1 >= len(CASES)  # one repeat on purpose
    # Messages as staff write them (long, polite, with context, by title, ranking …),
    # each counted under its kind in the summary line.
    assert len([c for c in CASES if "kind" in c]) >= 300


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(i, c)) for i, c in enumerate(CASES)])
def test_question(
    case: dict[str, Any],
    answerers: dict[str, Answerer],
    record_property: Callable[[str, object], None],
) -> None:
    # The kind is read back by the summary line (tests/conftest.py), on every worker.
    record_property(EVALUATION_KIND, kind_of(case))
    answer = answerers[case["wh"]].answer(case["q"])
    problems = mismatches(case, answer)
    assert not problems, f"{case['q']!r} [{case['wh']}]: " + "; ".join(problems)
