"""Several hosts sharing one PostgreSQL: web replicas, digest runners and clocks as real
processes, each with its own state directory, against the fake Slack.

Needs a PostgreSQL server (see tests/postgres.py); skipped with one line without one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import Settings
from bot.digest import clock
from bot.digest.delivery import ledger_for
from bot.digest.ledger import Subscription
from bot.digest.schedule import Schedule, is_business_day
from tests.concurrency import race
from tests.fakeslack import FakeSlack, event_callback, fixtures, signed_post
from tests.postgres import fresh_database, terminate_connections
from tests.shifted_clock import shift_to
from tests.slack.conftest import SECRET, blocks_text, mention
from tests.slack.test_serve_process import PLANBOT, free_port, stop, wait_until_healthy

JST = ZoneInfo("Asia/Tokyo")
fake_slack = fixtures.fake_slack
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def host_env(
    data_dir: Path, state_dir: Path, fake: FakeSlack, database_url: str, **extra: str
) -> dict[str, str]:
    """One host's environment: its own state directory, the shared database."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PLANBOT_", "DIGEST_")) and k != "DATABASE_URL"
    }
    return {
        **base,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "PLANBOT_DATA_DIR": str(data_dir),
        "PLANBOT_STATE_DIR": str(state_dir),
        "PLANBOT_HTTP_HOST": "127.0.0.1",
        "PLANBOT_DIGEST_PACE": "0",
        # Answers post once, without a "working on it" notice first.
        "PLANBOT_WORKING_NOTICE": "600",
        "NO_PROXY": "127.0.0.1,localhost",
        **extra,
    }


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``planbot ARGS`` (or another command, given whole) as its own process."""
    command = args if args[0] == sys.executable else [str(PLANBOT), *args]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield proc
        finally:
            stop(proc, timeout_s=15)


def _answers(fake: FakeSlack) -> dict[str, int]:
    """Replies posted per thread (each test event has its own ts)."""
    counts: dict[str, int] = {}
    for call in fake.calls_to("chat.postMessage"):
        if call.status == 200 and call.params.get("thread_ts"):
            ts = str(call.params["thread_ts"])
            counts[ts] = counts.get(ts, 0) + 1
    return counts


def test_three_web_replicas_answer_each_event_once_through_lost_connections(
    tmp_path: Path, warehouse: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    with ExitStack() as stack:
        replicas = []
        for n in range(3):
            host = tmp_path / f"web{n}"
            host.mkdir()
            env = host_env(warehouse, host / "state", fake_slack, database_url)
            port = free_port()
            args = ["serve", "--http", "--port", str(port)]
            proc = stack.enter_context(process(args, env, host / "planbot.log"))
            replicas.append((f"http://127.0.0.1:{port}", proc))
        for n, (base, proc) in enumerate(replicas):
            try:
                wait_until_healthy(f"{base}/healthz", proc, timeout_s=120)
            except AssertionError:
                print((tmp_path / f"web{n}" / "planbot.log").read_text(errors="replace"))
                raise

        def deliver(event_id: str, ts: str) -> list[int]:
            """Slack's delivery and two retries, landing on the three replicas at once."""
            body = event_callback(
                mention("D評価の事業は？", ts=ts),
                event_id=event_id,
                bot_user_id=fake_slack.bot_user_id,
            )
            calls = []
            for n, (base, _) in enumerate(replicas):
                retry = {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}
                headers = retry if n else None
                calls.append(
                    lambda base=base, headers=headers: signed_post(
                        f"{base}/slack/events", body, SECRET, extra_headers=headers
                    )[0]
                )
            return race(calls)

        assert deliver("EvFIRST", "1700000000.000100") == [200, 200, 200]
        fake_slack.wait_for("chat.postMessage", timeout=30)
        # Then a run of events with the database connections cut twice in the middle,
        # as a PostgreSQL restart or failover would.
        events = [(f"EvRUN{i}", f"1700000001.{i:06d}") for i in range(8)]
        for i, (event_id, ts) in enumerate(events):
            if i in (2, 5):
                terminate_connections(database_url)
            assert deliver(event_id, ts) == [200, 200, 200]
        wanted = {"1700000000.000100", *(ts for _, ts in events)}
        deadline = time.monotonic() + 60
        while set(_answers(fake_slack)) != wanted:
            assert time.monotonic() < deadline, f"unanswered: {wanted - set(_answers(fake_slack))}"
            time.sleep(0.2)  # answers come from other processes: nothing to wait on
        for _, proc in replicas:  # let every replica finish what it took on
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
    answers = _answers(fake_slack)
    assert answers == dict.fromkeys(wanted, 1)
    assert all(
        "事業16" in blocks_text(c.params)
        for c in fake_slack.calls_to("chat.postMessage")
        if c.status == 200
    )
    for n in range(3):  # no replica kept state of its own
        assert not (tmp_path / f"web{n}" / "state" / "planbot.sqlite3").exists()


def _lead_log(log: Path) -> bool:
    return log.is_file() and "clock: leading" in log.read_text(errors="replace")


def test_two_clocks_post_a_digest_once_and_a_killed_leader_hands_over(
    tmp_path: Path, warehouse: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    channel = "C0CLOCKS"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=warehouse,
        state_dir_override=tmp_path / "setup",
        database_url=database_url,
    )
    # The clocks run on a wall clock shifted to a chosen business day, two minutes after
    # a daily digest's fire time (the subscription is older): whatever today is, the
    # digest is due. Its job was stored by a clock that then went down.
    fire = datetime(2021, 4, 14, 10, 0, tzinfo=JST)  # a Wednesday
    now = fire + timedelta(minutes=2)
    assert is_business_day(fire.date())
    shift = shift_to(now)
    schedule = Schedule(kind="daily", hour=fire.hour, minute=fire.minute)
    ledger = ledger_for(settings)
    ledger.save(
        Subscription(
            id="daily",
            channel=channel,
            schedule=schedule,
            created_at=(now - timedelta(days=2)).isoformat(),
        )
    )
    # Stored on the same shifted clock, so that this scheduler, paused, never finds it due.
    with time_machine.travel(now, tick=True):
        scheduler = clock.configure(BackgroundScheduler(), settings)
        scheduler.start(paused=True)
        clock.register_jobs(scheduler, settings, ledger)
        scheduler.modify_job("digest:daily", next_run_time=now + timedelta(seconds=4))
        scheduler.remove_job("digest:retry")  # the failover alone must bring the digest
        scheduler.shutdown(wait=False)

    logs = [tmp_path / f"clock{n}" / "planbot.log" for n in range(2)]
    with ExitStack() as stack:
        clocks = []
        for log in logs:
            log.parent.mkdir()
            env = host_env(warehouse, log.parent / "state", fake_slack, database_url)
            env["PYTHONPATH"] = str(ROOT)
            command = [sys.executable, "-m", "tests.shifted_clock", str(shift), "clock"]
            clocks.append(stack.enter_context(process(command, env, log)))
            # The first to start leads; the second must find the lead taken.
            deadline = time.monotonic() + 30
            while len(clocks) == 1 and not _lead_log(log):
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.1)
        leader, standby = clocks
        # Killed as soon as it leads: a leader waits out a former leader's lock check
        # before scheduling, so it dies mid-week before the digest's (catch-up) run.
        leader.kill()
        leader.wait(timeout=10)
        deadline = time.monotonic() + 60
        while not _lead_log(logs[1]):
            assert time.monotonic() < deadline, logs[1].read_text(errors="replace")
            time.sleep(0.2)
        deadline = time.monotonic() + 60
        while not [d for d in ledger.deliveries("daily") if d.status != "claimed"]:
            assert time.monotonic() < deadline, logs[1].read_text(errors="replace")
            time.sleep(0.2)
        time.sleep(6)  # another run would have come by now
        assert standby.poll() is None
    (delivery,) = ledger.deliveries("daily")
    assert (delivery.status, delivery.attempts) == ("posted", 1), logs[1].read_text(
        errors="replace"
    )
    assert datetime.fromisoformat(delivery.fire_time) == fire
    posts = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.params.get("channel") == channel and c.status == 200
    ]
    # One digest, each of its messages once (a second run would repeat its headline).
    assert len(posts) == delivery.parts_posted >= 1
    assert len([p for p in posts if "ダイジェスト" in str(p.params.get("blocks"))[:400]]) == 1
