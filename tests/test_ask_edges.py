"""What ``planbot ask`` reads: any bytes, any length; what it writes: valid UTF-8 JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.ask.answer import Answerer
from bot.ask.text import MAX_QUESTION_CHARS, RAW_QUESTION_CHARS
from tests.test_cli import ROOT, clean_env


def planbot_bytes(*args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """planbot as a real process, bytes in and out (arguments too may be any bytes)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=clean_env(),
        timeout=120,
    )


def test_json_output_is_valid_utf8_whatever_bytes_come_in(seed_warehouse: Path) -> None:
    lines = [
        b"D\xe8\xa9\x95\xe4\xbe\xa1\xff\xfe\xe3\x81\xae\xe4\xba\x8b\xe6\xa5\xad",  # broken bytes
        b"\xe3\x81",  # a character cut in half
        b"\xed\xa0\x80 surrogate bytes",  # UTF-8 of a lone surrogate
        b"\x00\x01 controls \x1b[31m",
        b"x" * (RAW_QUESTION_CHARS * 10),  # a line far longer than is read
        "D評価の事業は？".encode(),
    ]
    done = planbot_bytes(
        "ask", "--json", "--data-dir", str(seed_warehouse), stdin=b"\n".join(lines) + b"\n"
    )

    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode("utf-8")  # raises if any byte is not UTF-8
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0]["question"].startswith("D評価") and "\ufffd" in answers[0]["question"]
    assert answers[1]["question"] == "\ufffd"
    assert len(answers[4]["question"]) <= RAW_QUESTION_CHARS
    assert answers[4]["problem"] == "too_long"
    assert "事業16" in answers[5]["text"]


def test_an_argument_that_is_not_utf8_is_answered_in_valid_json(seed_warehouse: Path) -> None:
    done = planbot_bytes("ask", "--json", "--data-dir", str(seed_warehouse), b"D\xff\xfe")
    assert done.returncode == 0
    answer = json.loads(done.stdout.decode("utf-8"))
    assert answer["question"].startswith("D\ufffd")


def test_a_huge_question_is_cut_before_it_is_read(seed_answerer: Answerer) -> None:
    # Five million characters of words and markup: only the first few thousand are read.
    question = "<@U123> D評価の事業は？ " * 300_000
    answer = seed_answerer.answer(question)
    assert len(answer.question) <= RAW_QUESTION_CHARS
    assert answer.problem == "too_long"
    assert MAX_QUESTION_CHARS < RAW_QUESTION_CHARS
