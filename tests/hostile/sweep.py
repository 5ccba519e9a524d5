"""The full hostile sweep, repeatable: ``python -m tests.hostile.sweep [--questions N]
[--reports N] [--kills N]``.

1. N hostile questions through the core and every rendering (and ``planbot ask --json``
   as a process, whose output must be valid UTF-8 JSON, one object per line);
2. N malformed reports ingested over a whole warehouse;
3. ingests killed (SIGKILL) at random moments: the warehouse must still open whole;
4. an ingest into a full disk (a 1 MB tmpfs; skipped where it cannot be mounted).
Prints one line per part and exits non-zero on the first broken promise.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.ask.answer import Answerer
from bot.ingest.integrity import choose_snapshot
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.store.database import Store
from tests import reports
from tests.hostile.checks import check_malformed_report, check_question
from tests.hostile.corpus import hostile_questions, malformed_reports

ROOT = Path(__file__).resolve().parents[2]


def _seed_warehouse(at: Path) -> Path:
    write_reports(at, [parse_report_text(reports.SEED)])
    return at


def sweep_questions(data_dir: Path, count: int) -> str:
    questions = list(hostile_questions(count))
    store = Store(data_dir)
    try:
        answerer = Answerer(store)
        for raw in questions:
            check_question(answerer, raw)
    finally:
        store.close()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--data-dir", str(data_dir)],
        input=b"\n".join(questions) + b"\n",
        capture_output=True,
        cwd=ROOT,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.decode("utf-8").rstrip("\n").split("\n")  # JSON Lines: \n only
    assert len(lines) == len(questions), (len(lines), len(questions))
    for line in lines:
        json.loads(line)
    assert b"Traceback" not in done.stderr
    return f"questions: {count} answered, valid UTF-8 JSON, no live mentions, no traceback"


def sweep_reports(work: Path, count: int) -> str:
    outcomes: dict[str, int] = {}
    for report in malformed_reports(reports.seed_text(), count):
        data_dir = _seed_warehouse(work / report.name.replace(".txt", ""))
        outcome = check_malformed_report(data_dir, report, work)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return f"reports: {count} malformed ({outcomes}); no traceback, nothing lost"


def sweep_kills(work: Path, count: int) -> str:
    rng = random.Random(28)
    second = reports.write(work, "fy2020.txt", reports.second_year_text())
    torn = 0
    for i in range(count):
        data_dir = _seed_warehouse(work / f"kill_{i}")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ingest", "--data-dir", str(data_dir), str(second)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 3.0))
        process.kill()
        process.wait()
        choice = choose_snapshot(data_dir)
        if choice.path is None or choice.damaged is not None:
            torn += 1
        store = Store(data_dir)
        try:
            assert Answerer(store).answer("D評価の事業は？").count >= 1
        finally:
            store.close()
    assert torn == 0, f"{torn} torn snapshots"
    return f"kills: {count} ingests killed, 0 torn snapshots, every warehouse answers"


def sweep_full_disk(work: Path) -> str:
    mount = work / "tiny"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        return "full disk: skipped (cannot mount a tmpfs here)"
    try:
        data_dir = _seed_warehouse(mount / "data")
        with (mount / "filler").open("wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass  # the disk is full now
        second = reports.write(work, "fy2020.txt", reports.second_year_text())
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", "--data-dir", str(data_dir), str(second)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
        store = Store(data_dir)
        try:
            assert Answerer(store).answer("D評価の事業は？").count >= 1
        finally:
            store.close()
        return f"full disk: refused in one line (…{done.stderr.strip().splitlines()[-1][-110:]})"
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--kills", type=int, default=28)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planbot-sweep-") as tmp:
        work = Path(tmp)
        data_dir = _seed_warehouse(work / "seed")
        print(sweep_questions(data_dir, args.questions), flush=True)
        print(sweep_reports(work, args.reports), flush=True)
        print(sweep_kills(work, args.kills), flush=True)
        print(sweep_full_disk(work), flush=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
