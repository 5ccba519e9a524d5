"""How long reading a message takes (tokenise + recognise, no query): every question of
the evaluation set, read against the seed's departments, names and titles."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Any

from bot.ask.answer import Answerer
from bot.ask.parser import read_question
from bot.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "ask" / "questions.toml"


def measure_reading(data_dir: Path, rounds: int = 5) -> dict[str, Any]:
    """p50/p99 in ms of reading each evaluation-set question, ``rounds`` times over (the
    first round, which loads the dictionary, is left out)."""
    questions = [c["q"] for c in tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["case"]]
    store = Store(data_dir)
    try:
        answerer = Answerer(store, aliases_file=ROOT / "data" / "aliases.toml")
        lexicon, years = answerer.lexicon(), answerer.years()
        times: list[float] = []
        for k in range(rounds + 1):
            for question in questions:
                start = time.perf_counter()
                read_question(question, lexicon, years=years)
                if k:
                    times.append((time.perf_counter() - start) * 1000)
    finally:
        store.close()
    times.sort()
    return {
        "reading_p50_ms": round(times[len(times) // 2], 3),
        "reading_p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
        "reading_questions": len(questions),
    }
