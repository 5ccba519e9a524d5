"""A reproducible corpus of hostile input: questions as an attacker or bad luck writes them,
and report files damaged the ways copies and exports get damaged.

Deterministic for a given seed, so a failure found in a sweep can be replayed. The suite
runs a sample (``tests/hostile/test_sample.py``); the full sweep is
``python -m tests.hostile.sweep`` (10,000 questions, 50 malformed reports, kills during
ingest, a full disk where a small tmpfs can be mounted).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

# Pieces a hostile question is put together from.
_MENTIONS = ["<!channel>", "<!here>", "<!everyone>", "<@U0BOT>", "<@U999|admin>", "<#C123|general>"]
_MARKUP = [
    "*太字*",
    "_斜体_",
    "~取消~",
    "`code`",
    "```block```",
    "<https://evil.example|click>",
    "&lt;&gt;&amp;",
]
_SQL = ["'; DROP TABLE evaluations; --", '" OR 1=1 --', "1; SELECT * FROM reports", "%s %d {0} {}"]
_CONTROL = ["\x00", "\x07", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\u2028", "\r", "\t"]
_WORDS = [
    "D評価の事業は？",
    "子ども家庭支援センターの事業",
    "事業16の詳細",
    "令和99年度のA評価",
    "令和0年度",
    "事業99999999999999999999",
    "基本目標Ⅻ",
    "which measures are graded D?",
    "how many items in FY2117?",
    "ＤＶ",
    "(a+)+$",
    "評価がＥの事業",
    "🙂👍🏽",
    "𠮷野家",
    "٠١٢٣",
]


@dataclass(frozen=True)
class MalformedReport:
    """A damaged copy of a report: its name, bytes, and how it was damaged."""

    name: str
    data: bytes
    damage: str


def hostile_questions(count: int, *, seed: int = 12) -> Iterator[bytes]:
    """``count`` questions as raw bytes (some not UTF-8), one per line when joined."""
    rng = random.Random(seed)
    for i in range(count):
        kind = i % 8
        if kind == 0:
            parts = rng.choices(_WORDS + _MENTIONS + _MARKUP + _SQL + _CONTROL, k=rng.randint(1, 8))
            text = " ".join(parts).encode("utf-8", "surrogatepass")
        elif kind == 1:  # bytes that are not UTF-8
            text = rng.choice(_WORDS).encode() + bytes(rng.randrange(128, 256) for _ in range(5))
        elif kind == 2:  # a character cut in half
            text = rng.choice(_WORDS).encode()[:-1]
        elif kind == 3:  # long, with markup to clean
            text = (rng.choice(_MARKUP) + rng.choice(_WORDS)).encode() * rng.randint(50, 400)
        elif kind == 4:  # random code points across every plane
            text = "".join(
                chr(rng.choice([rng.randrange(0x20, 0xD800), rng.randrange(0xE000, 0x10FFFF)]))
                for _ in range(rng.randint(1, 60))
            ).encode("utf-8")
        elif kind == 5:
            text = (rng.choice(_SQL) + rng.choice(_WORDS)).encode()
        elif kind == 6:
            text = rng.choice(_MENTIONS).encode() * rng.randint(1, 20) + rng.choice(_WORDS).encode()
        else:
            text = b"\xe3\x81\x82" * rng.randint(1, 3000)
        yield text.replace(b"\n", b" ").replace(b"\r", b" ")


def malformed_reports(seed_text: str, count: int, *, seed: int = 12) -> Iterator[MalformedReport]:
    """``count`` damaged copies of a whole report, each damaged one way."""
    rng = random.Random(seed)
    raw = seed_text.encode("utf-8")
    lines = seed_text.split("\n")
    item_lines = [i for i, line in enumerate(lines) if line.split("\t")[0].isdigit()]
    damages = [
        "cut between lines",
        "cut after an item number",
        "cut inside the last cell",
        "cut at a random byte",
        "a cell removed from a row",
        "tabs turned to spaces on a row",
        "bytes flipped",
        "an impossible year",
        "a grade that is no grade",
        "NUL bytes",
        "a sheet header lost",
        "an item number garbled",
    ]
    for i in range(count):
        damage = damages[i % len(damages)]
        at = rng.choice(item_lines)
        row = lines[at].split("\t")
        if damage == "cut between lines":
            data = ("\n".join(lines[:at]) + "\n").encode()
        elif damage == "cut after an item number":
            data = "\n".join([*lines[:at], row[0]]).encode()
        elif damage == "cut inside the last cell":
            data = "\n".join([*lines[:at], lines[at][: -rng.randint(2, 10)]]).encode()
        elif damage == "cut at a random byte":
            data = raw[: rng.randrange(len(raw) // 3, len(raw))]
        elif damage == "a cell removed from a row":
            del row[rng.randrange(1, len(row) - 1)]
            data = "\n".join([*lines[:at], "\t".join(row), *lines[at + 1 :]]).encode()
        elif damage == "tabs turned to spaces on a row":
            data = "\n".join([*lines[:at], " ".join(row), *lines[at + 1 :]]).encode()
        elif damage == "bytes flipped":
            flipped = bytearray(raw)
            for _ in range(rng.randint(1, 20)):
                flipped[rng.randrange(len(flipped))] ^= 0xFF
            data = bytes(flipped)
        elif damage == "an impossible year":
            data = seed_text.replace(
                "令和元年度", rng.choice(["令和99年度", "令和0年度", "平成45年度"])
            ).encode()
        elif damage == "a grade that is no grade":
            row[8] = rng.choice(["E", "AA", "ー", "", "評価"])
            data = "\n".join([*lines[:at], "\t".join(row), *lines[at + 1 :]]).encode()
        elif damage == "NUL bytes":
            pos = rng.randrange(len(raw))
            data = raw[:pos] + b"\x00" * 8 + raw[pos:]
        elif damage == "a sheet header lost":
            data = "\n".join(line for line in lines if "対象課" not in line).encode()
        else:
            row[0] = rng.choice(["1O", "１２a", "-3", "0", "999999"])
            data = "\n".join([*lines[:at], "\t".join(row), *lines[at + 1 :]]).encode()
        yield MalformedReport(name=f"malformed_{i:03d}.txt", data=data, damage=damage)
