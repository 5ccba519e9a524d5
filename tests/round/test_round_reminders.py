"""Round reminders: business days by the Japanese calendar, only to assignees with open
items, a daily summary to admins in the last week — each delivered once, also when two
clock processes run at the same moment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from bot.config import Settings
from bot.digest.delivery import ledger_for
from bot.round.models import RawEntry
from bot.round.reminders import reminder_days, round_reminders, summary_days
from bot.round.service import Submitted
from bot.round.store import RoundStore, database_url
from bot.slack.client import make_web_client
from tests.fakeslack import FakeSlack, fixtures
from tests.round.conftest import ADMIN, Clock, make_service

fake_slack = fixtures.fake_slack
UA, UB = "UAKIKO", "UBUNTA"


def test_reminder_days_are_business_days_before_the_deadline() -> None:
    # Deadline Monday 31 May 2021: a week before, the Friday before, (Sunday → Friday), on it.
    assert reminder_days(date(2021, 5, 31), (7, 3, 1, 0)) == [
        date(2021, 5, 24),
        date(2021, 5, 28),
        date(2021, 5, 31),
    ]
    # Golden Week: 29 April (昭和の日) and 3–5 May are holidays; reminders move earlier.
    assert reminder_days(date(2021, 5, 6), (7, 3, 1, 0)) == [
        date(2021, 4, 28),
        date(2021, 4, 30),
        date(2021, 5, 6),
    ]
    assert summary_days(date(2021, 5, 6)) == [date(2021, 4, 30), date(2021, 5, 6)]
    assert summary_days(date(2021, 5, 31)) == [date(2021, 5, d) for d in (25, 26, 27, 28, 31)]


def _remind(env: dict[str, str], now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "round", "remind", "--now", now],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_two(env: dict[str, str], now: str) -> list[str]:
    """Two clock processes at the same moment."""
    procs = [_remind(env, now), _remind(env, now)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out)
    return outputs


def test_two_clock_processes_send_each_reminder_once(
    warehouse: Path, tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    state = tmp_path / "state"
    store = RoundStore.from_url(database_url(state, None))
    rounds = make_service(warehouse, store, clock)
    rnd = rounds.open(2020, date(2021, 5, 31), ADMIN)
    rounds.assign("子ども政策課", [UA], ADMIN)
    rounds.assign("子ども育成課", [UB], ADMIN)
    for ev in rounds.store.evaluations(rnd.id):
        if ev.department == "子ども育成課":  # UB is done: no reminder for UB
            outcome = rounds.submit(rnd, ev.key, RawEntry(result_text="実施", grade="B"), UB)
            assert isinstance(outcome, Submitted)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_"))},
        "PLANBOT_DATA_DIR": str(warehouse),
        "PLANBOT_STATE_DIR": str(state),
        "PLANBOT_ADMINS": ADMIN,
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": "",
    }

    def dms(user: str) -> list[dict[str, object]]:
        return [
            c.params
            for c in fake_slack.calls_to("chat.postMessage")
            if c.params.get("channel") == user
        ]

    # A week before the deadline, 09:01 JST: UA's reminder, once, whichever process wins.
    outputs = _run_two(env, "2021-05-24T09:01+09:00")
    assert sorted(o.strip().split(": ")[-1] for o in outputs) == ["busy", "posted"]
    assert len(dms(UA)) == 1 and dms(UB) == [] and dms(ADMIN) == []
    reminder = dms(UA)[0]
    assert "あと7日" in str(reminder["text"]) and "未提出 4件" in str(reminder["text"])
    assert "事業16" in json.dumps(reminder["blocks"], ensure_ascii=False)

    # The clock's own path, in this process, on the same ledger and state from here on.
    settings = Settings(
        _env_file=None, **{k: v for k, v in env.items() if k.startswith(("PLANBOT_", "SLACK_"))}
    )  # type: ignore[arg-type]
    reminders = round_reminders(rounds, ledger_for(settings), make_web_client(settings), settings)

    def at(text: str) -> list[str]:
        return [s.status for s in reminders.run_due(datetime.fromisoformat(text))]

    # The next day is in the last week: the admins' summary, once; no reminder that day.
    assert at("2021-05-25T09:02+09:00") == ["posted"]
    assert len(dms(ADMIN)) == 1 and len(dms(UA)) == 1
    assert "提出 3/41" in str(dms(ADMIN)[0]["text"])
    # Running again later the same day sends nothing new.
    assert at("2021-05-25T09:30+09:00") == ["busy"]
    # Past the grace time (one hour) a reminder is not sent late.
    assert at("2021-05-28T11:30+09:00") == []
    assert (len(dms(UA)), len(dms(ADMIN))) == (1, 1)
    rows = [r for r in store.audit(rnd.id) if r.action in ("remind", "summary")]
    assert [(r.action, (r.after or {})["to"]) for r in rows] == [("remind", UA), ("summary", ADMIN)]
    rounds.warehouse.close()
    store.close()


def test_the_clock_runs_the_reminders_job(warehouse: Path, tmp_path: Path) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.digest.delivery import DigestRunner
    from bot.round.reminders import add_clock_job
    from bot.store.database import Store

    settings = Settings(_env_file=None, data_dir=warehouse, state_dir_override=tmp_path / "s")  # type: ignore[call-arg]
    store = Store(warehouse)
    scheduler = BackgroundScheduler()
    try:
        add_clock_job(scheduler, settings, DigestRunner(settings, store, None))
        job = scheduler.get_job("round:reminders")
        assert job is not None and job.func.__name__ == "run_round_reminders"
    finally:
        store.close()
