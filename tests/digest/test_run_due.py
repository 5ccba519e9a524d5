"""Digests delivered exactly once, on time, in Tokyo time, around holidays and crashes.
Time is simulated by passing `now`; Slack is tests/fakeslack."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.digest.ledger import Subscription
from bot.digest.schedule import is_business_day, parse_schedule
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from tests import reports
from tests.digest.conftest import CHANNEL
from tests.fakeslack import FakeSlack

JST = ZoneInfo("Asia/Tokyo")


def _first_monday(wanted: Callable[[date], bool]) -> datetime:
    """09:05 JST on the first Monday a week or more from today that ``wanted`` accepts."""
    ahead = datetime.now(JST).date() + timedelta(days=7)
    first = ahead + timedelta(days=(7 - ahead.weekday()) % 7)
    day = next(d for d in (first + timedelta(weeks=n) for n in range(120)) if wanted(d))
    return datetime.combine(day, time(9, 5), tzinfo=JST)


# Subscriptions are created at the real time and never post for fire times before that, so
# simulated Mondays lie ahead of today: the first with four working Mondays in a row (the
# tests run up to three weeks on), and the first holiday Monday followed by a working day.
MONDAY = _first_monday(lambda d: all(is_business_day(d + timedelta(weeks=w)) for w in range(4)))
HOLIDAY_MONDAY = _first_monday(
    lambda d: not is_business_day(d) and is_business_day(d + timedelta(days=1))
)


def test_the_business_day_rule_knows_a_holiday_monday() -> None:
    # The Mondays above are chosen with is_business_day itself: pin it on known dates
    # (成人の日 2027-01-11, and the Tuesday after it).
    assert not is_business_day(date(2027, 1, 11))
    assert is_business_day(date(2027, 1, 12))


def _iso(moment: datetime, tz: tzinfo = JST) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes")


def digest_posts(fake: FakeSlack, channel: str = CHANNEL) -> list:
    """The first message of every digest posted to a channel (its header block)."""
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("channel") == channel
        and c.status == 200
        and "ダイジェスト" in str(c.params.get("blocks", [{}])[0])
        and "続き" not in str(c.params.get("blocks", [{}])[0])
    ]


def test_three_mondays_two_clocks_each_posted_once(runner_factory, fake_slack) -> None:
    clocks = [runner_factory(), runner_factory()]
    for week in range(3):
        now = MONDAY + timedelta(weeks=week)
        threads = [threading.Thread(target=c.run_due, args=(now,)) for c in clocks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Again, later the same morning: nothing new.
        for c in clocks:
            c.run_due(now + timedelta(minutes=20))
    posts = digest_posts(fake_slack)
    assert len(posts) == 3
    assert "事業16" in str([c.params for c in fake_slack.calls_to("chat.postMessage")])


def test_clock_down_within_grace_posts_once(runner_factory, fake_slack) -> None:
    runner = runner_factory()
    early = runner.run_due(MONDAY.replace(hour=8, minute=59))
    # Nothing is due yet: at most the Monday before (the subscription is older than it,
    # long past grace) is noted as missed.
    assert all(o.status == "missed" and o.fire_time < MONDAY - timedelta(days=6) for o in early)
    assert digest_posts(fake_slack) == []
    outcomes = runner.run_due(MONDAY.replace(hour=9, minute=30))
    assert [o.status for o in outcomes] == ["posted"]
    assert len(digest_posts(fake_slack)) == 1


def test_clock_down_past_grace_posts_nothing_and_logs(runner_factory, fake_slack, caplog) -> None:
    runner = runner_factory()
    with caplog.at_level(logging.WARNING, logger="bot.digest.delivery"):
        outcomes = runner.run_due(MONDAY.replace(hour=11, minute=0))
    assert [o.status for o in outcomes] == ["missed"]
    assert digest_posts(fake_slack) == []
    assert any("missed" in r.message for r in caplog.records)
    # Logged once, not on every later run.
    caplog.clear()
    runner.run_due(MONDAY.replace(hour=11, minute=5))
    assert not any("missed" in r.message for r in caplog.records)


def test_holiday_monday_skipped_or_moved(runner_factory, fake_slack) -> None:
    holiday = HOLIDAY_MONDAY
    runner = runner_factory()
    runner.ledger.save(
        Subscription(
            id="moved",
            channel="C0MOVED",
            schedule=parse_schedule("weekly mon 9:00"),
            holiday_rule="next_business_day",
        )
    )
    # As stored, not as passed: the rule survives the ledger's round trip.
    moved = runner.ledger.get("moved")
    assert moved is not None and moved.holiday_rule == "next_business_day"
    outcomes = {o.subscription_id: o.status for o in runner.run_due(holiday)}
    assert "default" not in outcomes or outcomes["default"] != "posted"
    assert digest_posts(fake_slack) == [] and digest_posts(fake_slack, "C0MOVED") == []
    tuesday = holiday + timedelta(days=1)
    outcomes = {o.subscription_id: o.status for o in runner.run_due(tuesday)}
    assert outcomes.get("moved") == "posted"
    assert digest_posts(fake_slack) == []  # the skip rule does not move
    assert len(digest_posts(fake_slack, "C0MOVED")) == 1


ROOT = Path(__file__).resolve().parents[2]


def process_env(
    data_dir: Path, fake: FakeSlack, database_url: str | None = None, **extra: str
) -> dict[str, str]:
    """This machine's environment minus planbot's own, plus a deployment on the fake."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PLANBOT_")) and k != "DATABASE_URL"
    }
    return {
        **base,
        **({"DATABASE_URL": database_url} if database_url else {}),
        "PLANBOT_DATA_DIR": str(data_dir),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_API_URL": fake.api_url,
        "DIGEST_CHANNEL": CHANNEL,
        "PLANBOT_DIGEST_PACE": "0",
        **extra,
    }


RUN_DUE = [sys.executable, "-m", "bot.cli", "digest", "--run-due", "--now"]


def run_due_process(env: dict[str, str], now: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RUN_DUE, now], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_utc_host_fires_at_nine_tokyo(
    data_dir: Path, fake_slack: FakeSlack, state_database_url: str | None
) -> None:
    env = process_env(data_dir, fake_slack, state_database_url, TZ="UTC")
    before = run_due_process(env, _iso(MONDAY.replace(hour=8, minute=59), UTC))  # 08:59 JST
    assert before.returncode == 0, before.stderr
    assert digest_posts(fake_slack) == []
    at_nine = run_due_process(env, _iso(MONDAY, UTC))  # 09:05 JST
    assert at_nine.returncode == 0, at_nine.stderr
    assert len(digest_posts(fake_slack)) == 1


def test_done_when_two_concurrent_processes(
    data_dir: Path, fake_slack: FakeSlack, state_database_url: str | None
) -> None:
    env = process_env(data_dir, fake_slack, state_database_url)
    procs = [
        subprocess.Popen(
            [*RUN_DUE, _iso(MONDAY)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    for p in procs:
        p.wait(timeout=120)
        assert p.returncode == 0, p.stderr.read() if p.stderr else ""
    assert len(digest_posts(fake_slack)) == 1
    texts = str([c.params for c in fake_slack.calls_to("chat.postMessage")])
    assert "事業16" in texts
    again = run_due_process(env, _iso(MONDAY + timedelta(minutes=5)))
    assert again.returncode == 0 and len(digest_posts(fake_slack)) == 1
    next_week = run_due_process(env, _iso(MONDAY + timedelta(weeks=1)))
    assert next_week.returncode == 0 and len(digest_posts(fake_slack)) == 2


_KILL_BETWEEN_COMPOSE_AND_POST = """
import os, signal, sys
from datetime import datetime
from bot.config import Settings
from bot.digest.delivery import DigestRunner
from bot.services import Services
from bot.slack.client import make_web_client
settings = Settings()
services = Services.from_settings(settings)
runner = DigestRunner(settings, services.store, make_web_client(settings))
real = runner.compose
def compose_then_die(*a, **k):
    digest = real(*a, **k)
    os.kill(os.getpid(), signal.SIGKILL)  # composed, not posted
runner.compose = compose_then_die
runner.run_due(datetime.fromisoformat(sys.argv[1]))
"""


def test_kill_between_compose_and_post(
    data_dir: Path, fake_slack: FakeSlack, runner_factory, state_database_url: str | None
) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_BETWEEN_COMPOSE_AND_POST, MONDAY.isoformat()],
        env=process_env(data_dir, fake_slack, state_database_url),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert killed.returncode == -9
    assert digest_posts(fake_slack) == []
    restarted = runner_factory()
    outcomes = restarted.run_due(MONDAY + timedelta(minutes=3))
    assert [o.status for o in outcomes] == ["posted"]
    restarted.run_due(MONDAY + timedelta(minutes=6))
    assert len(digest_posts(fake_slack)) == 1


def test_rate_limited_post_is_delivered_once(runner_factory, fake_slack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    outcomes = runner_factory().run_due(MONDAY)
    assert [o.status for o in outcomes] == ["posted"]
    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")]
    assert statuses[0] == 429 and len(digest_posts(fake_slack)) == 1


def test_failing_post_is_retried_never_duplicated(runner_factory, fake_slack) -> None:
    runner = runner_factory()
    # One run tries three times (two server-error retries); all three fail.
    fake_slack.fail_next("chat.postMessage", status=503, retry_after=None, times=3)
    assert [o.status for o in runner.run_due(MONDAY)] == ["failed"]
    assert digest_posts(fake_slack) == []
    assert [o.status for o in runner.run_due(MONDAY + timedelta(minutes=5))] == ["posted"]
    assert [o.status for o in runner.run_due(MONDAY + timedelta(minutes=10))] == ["busy"]
    assert len(digest_posts(fake_slack)) == 1


def test_not_in_channel_is_reported_to_admins(runner_factory, fake_slack) -> None:
    runner = runner_factory(digest_channel="CNOTIN01")
    assert [o.status for o in runner.run_due(MONDAY)] == ["failed"]
    to_admin = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.params.get("channel") in ("UADMIN", "DUADMIN")
        or "UADMIN" in str(c.params.get("channel"))
    ]
    assert to_admin and "/invite" in to_admin[0].params["text"]


def test_changes_section_lists_grade_changes(
    runner_factory, fake_slack, data_dir: Path, tmp_path: Path
) -> None:
    runner = runner_factory()
    runner.run_due(MONDAY)
    first = str(fake_slack.calls_to("chat.postMessage")[-1].params)
    fy2020 = parse_report_text(reports.write(tmp_path, "fy2020.txt", reports.second_year_text()))
    write_reports(data_dir, [fy2020])
    runner.run_due(MONDAY + timedelta(weeks=1))
    texts = str([c.params for c in fake_slack.calls_to("chat.postMessage")])
    assert "最初の配信" in first
    assert "令和2年度（2020年度）の報告書が追加されました" in texts
    assert "事業42" in texts and "FY2019 B → FY2020 C" in texts
    assert "事業16" in texts and "FY2019 D → FY2020 B" in texts
    before = len(fake_slack.calls_to("chat.postMessage"))
    runner.run_due(MONDAY + timedelta(weeks=2))
    third = str([c.params for c in fake_slack.calls_to("chat.postMessage")[before:]])
    assert "前回の配信から変更はありません" in third
    assert "報告書が追加されました" not in third and "→ FY2020" not in third


def test_posting_without_a_bot_token_says_so(data_dir: Path, fake_slack: FakeSlack) -> None:
    env = {k: v for k, v in process_env(data_dir, fake_slack).items() if k != "SLACK_BOT_TOKEN"}
    for command in (["digest", "--run-due"], ["clock"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert done.returncode == 2
        assert "SLACK_BOT_TOKEN" in done.stderr and "Traceback" not in done.stderr
    assert fake_slack.calls_to("chat.postMessage") == []
