"""The clock keeps the question log's retention too (not only ``serve``)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bot.state import LoggedQuestion, QuestionLog, StateDB
from tests.digest.test_run_due import ROOT, process_env
from tests.fakeslack import FakeSlack

DAY = 24 * 60 * 60


def test_the_clock_purges_questions_past_their_retention(
    data_dir: Path, fake_slack: FakeSlack
) -> None:
    log = QuestionLog(StateDB(data_dir / "state" / "planbot.sqlite3"))
    old = LoggedQuestion(
        user_id="U1",
        channel_id="D1",
        surface="dm",
        question="a DM asked long ago",
        intent="list",
        result_count=1,
        latency_ms=1.0,
        ok=True,
        problem=None,
        asked_at=time.time() - 40 * DAY,
    )
    log.record(old)
    env = process_env(data_dir, fake_slack, PLANBOT_LOG_RETENTION_DAYS="30")
    clock = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "clock"],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while log.most_asked(days=10_000):
            assert clock.poll() is None, clock.communicate()[1].decode(errors="replace")
            assert time.monotonic() < deadline, "the clock never purged the question log"
            time.sleep(0.1)  # another process's work: nothing to wait on instead
    finally:
        clock.terminate()
        clock.wait(timeout=20)
