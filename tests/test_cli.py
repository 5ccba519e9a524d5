"""The planbot command line, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.ask.answer import Answerer
from bot.failures import apology
from bot.render.json_answer import answer_json, error_json
from tests import reports
from tests.contract import JSON_FIELDS
from tests.test_warehouse import tree_digest

ROOT = Path(__file__).resolve().parents[1]


def clean_env() -> dict[str, str]:
    """This environment without any planbot or Slack setting a developer may have."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_", "DIGEST_"))
    }


def planbot(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = clean_env()
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**base, **(env or {})},
        timeout=120,
    )


def test_ingest_then_ask(tmp_path: Path) -> None:
    done = planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED))
    assert done.returncode == 0, done.stderr
    assert "41 evaluations" in done.stdout
    again = planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED))
    assert again.returncode == 0 and "already up to date" in again.stdout
    answer = planbot("ask", "--data-dir", str(tmp_path), "D評価の事業は？")
    assert answer.returncode == 0, answer.stderr
    assert "事業16" in answer.stdout
    assert "ワーク・ライフ・バランスの推進に向けた講演会や情報提供の実施" in answer.stdout


def test_malformed_report_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    assert planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED)).returncode == 0
    before = tree_digest(tmp_path / "warehouse")
    bad_text = reports.replace_cell(reports.seed_text(), 16, 8, "E")
    bad_text = reports.replace_cell(bad_text, 42, 0, "4?")
    bad = reports.write(tmp_path, "bad.txt", bad_text)
    fy2020 = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())
    done = planbot("ingest", "--data-dir", str(tmp_path), str(fy2020), str(bad))
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith(str(bad))]
    assert errors == [
        f"{bad}:{reports.line_of(bad_text, '^4[?]')}: garbled item number '4?': expected digits",
        f"{bad}:{reports.line_of(bad_text, '^16')}: item 16: grade 'E' is not one of A–D",
    ]
    # The good file in the same command was not written either.
    assert tree_digest(tmp_path / "warehouse") == before


def test_json_batch_from_stdin(tmp_path: Path) -> None:
    planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED))
    questions = [
        "D評価の事業は？",
        "",
        "'; DROP TABLE evaluations; --",
        "x" * 5000,
        "show 子ども家庭支援センター items",
        "事業42の詳細",
        "\x00\x1b[31m",
    ]
    done = planbot(
        "ask", "--json", stdin="\n".join(questions) + "\n", env={"PLANBOT_DATA_DIR": str(tmp_path)}
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(questions)
    answers = [json.loads(line) for line in lines]
    for q, a in zip(questions, answers, strict=True):
        assert a["question"] == q
        assert set(a) >= JSON_FIELDS
        assert a["text"]
    assert [i["item_no"] for i in answers[0]["items"]] == [16]
    item = answers[0]["items"][0]
    assert item["department"] == "子ども政策課" and item["grade"] == "D"
    assert item["fiscal_year"] == 2019
    assert item["source"] == {
        "file": reports.SEED.name,
        "report": reports.SEED.name,
        "sheet": "子ども政策課",
        "line": 86,
    }
    assert answers[4]["language"] == "en" and answers[4]["count"] == 23
    assert answers[5]["intent"] == "detail" and answers[5]["items"][0]["item_no"] == 42


def test_ask_without_warehouse_says_what_to_do(tmp_path: Path) -> None:
    done = planbot("ask", "--data-dir", str(tmp_path), "D評価の事業は？")
    assert done.returncode == 2
    assert "planbot ingest" in done.stderr


def test_run_without_tokens_is_a_console(tmp_path: Path) -> None:
    planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED))
    done = planbot(
        "run", "--data-dir", str(tmp_path), stdin="D評価の事業は？\nwhich measures are graded D?\n"
    )
    assert done.returncode == 0, done.stderr
    assert "事業16" in done.stdout and "Item 16" in done.stdout


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    # `planbot ask … | head -1`: the reader closes the pipe before planbot writes.
    assert planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED)).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--data-dir", str(tmp_path), "全事業"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=clean_env(),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert "Traceback" not in errors and "BrokenPipe" not in errors


def test_a_failed_question_in_json_has_every_field_an_answer_has(
    seed_answerer: Answerer,
) -> None:
    answer = json.loads(answer_json(seed_answerer.answer("D評価の事業は？")))
    failed = json.loads(error_json("D評価の事業は？", apology("abc12345")))
    assert failed.keys() == answer.keys() and failed.keys() >= JSON_FIELDS
    assert (failed["intent"], failed["ok"], failed["items"]) == ("error", False, [])
    assert "abc12345" in failed["text"]


def test_console_is_a_console_even_with_slack_tokens(tmp_path: Path) -> None:
    assert planbot("ingest", "--data-dir", str(tmp_path), str(reports.SEED)).returncode == 0
    tokens = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    done = planbot("console", "--data-dir", str(tmp_path), stdin="D評価の事業は？\n", env=tokens)
    assert done.returncode == 0, done.stderr
    assert "事業16" in done.stdout
