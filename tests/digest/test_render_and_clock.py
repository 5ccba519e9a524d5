"""Digest messages within Slack's limits, and the APScheduler clock's misfire semantics."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import Settings
from bot.digest import clock, compose
from bot.digest.compose import compose_digest
from bot.digest.ledger import Subscription
from bot.digest.render import digest_messages, digest_text
from bot.digest.schedule import Schedule, next_fire_time, parse_schedule
from bot.render.limits import validate_message
from bot.store.database import Store

JST = ZoneInfo("Asia/Tokyo")


def test_a_120_item_digest_splits_within_limits(seed_warehouse: Path) -> None:
    store = Store(seed_warehouse)
    sub = Subscription(id="big", channel="C1", schedule=Schedule(), language="en")
    digest = compose_digest(store, sub, datetime(2026, 11, 30, 9, tzinfo=JST), None)
    store.close()
    base = digest.attention[0]
    attention = tuple(
        base.model_copy(update={"item_no": 1000 + i, "next_plan_text": "計画" * 300})
        for i in range(120)
    )
    big = digest.model_copy(update={"attention": attention})
    messages = digest_messages(big)
    assert len(messages) > 1
    for m in messages:
        assert validate_message(m.blocks, m.text) == []
    joined = str([m.blocks for m in messages])
    assert all(f"Item {1000 + i} " in joined for i in range(120))
    assert "Item 1119" in digest_text(big)


def test_schedule_phrases() -> None:
    assert parse_schedule("weekly mon 9:00") == Schedule(kind="weekly", weekday=0, hour=9)
    assert parse_schedule("daily 8:30") == Schedule(kind="daily", hour=8, minute=30)
    # Japanese for every kind, here and not only in the Slack command.
    assert parse_schedule("平日 9:00") == Schedule(kind="weekdays", hour=9)
    assert parse_schedule("毎月 1 9:00") == Schedule(kind="monthly", day=1, hour=9)
    assert parse_schedule("毎日 8:30") == parse_schedule("daily 8:30")
    assert parse_schedule("monthly 1 9:00") == Schedule(kind="monthly", day=1, hour=9)
    assert parse_schedule("weekdays 9:00") == Schedule(kind="weekdays", hour=9)


class Recorder:
    """Stands in for the runner the persisted job calls, to observe when APScheduler fires."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.calls: list[str | None] = []

    def run_due(self, now: datetime, *, only: str | None = None) -> list[object]:
        self.calls.append(only)
        return []


def _scheduler_with_job(settings: Settings, next_run: datetime) -> BackgroundScheduler:
    """A clock that stored the job and went down, its next run now in the past. (It stays
    paused rather than shut down: APScheduler processes due jobs once while shutting down.)"""
    scheduler = clock.configure(BackgroundScheduler(), settings)
    # Weekly, three days from today: no regular fire time falls between the missed run
    # and now, whatever the hour the suite runs at (a daily 09:00 did between 09:00 and
    # 11:00 JST, and was run as a fresh, not a missed, fire time).
    weekday = (datetime.now(JST).weekday() + 3) % 7
    scheduler.add_job(
        clock.run_subscription,
        "cron",
        args=["weekly"],
        id="digest:weekly",
        day_of_week=weekday,
        hour=9,
        minute=0,
        replace_existing=True,
        next_run_time=next_run,
    )
    scheduler.start(paused=True)
    return scheduler


def test_clock_runs_a_missed_job_once_within_grace(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    recorder = Recorder(settings)
    clock._RUNNER = recorder  # type: ignore[assignment]
    from apscheduler.schedulers.background import BackgroundScheduler

    down = _scheduler_with_job(settings, datetime.now(JST) - timedelta(minutes=30))
    scheduler = clock.configure(BackgroundScheduler(), settings)
    scheduler.start()
    deadline = time.monotonic() + 10
    while not recorder.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    scheduler.shutdown()
    assert recorder.calls == ["weekly"]
    down.shutdown(wait=False)


def test_clock_skips_a_job_missed_beyond_grace(tmp_path: Path, caplog) -> None:
    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    recorder = Recorder(settings)
    clock._RUNNER = recorder  # type: ignore[assignment]
    from apscheduler.schedulers.background import BackgroundScheduler

    down = _scheduler_with_job(settings, datetime.now(JST) - timedelta(hours=2))
    scheduler = clock.configure(BackgroundScheduler(), settings)
    with caplog.at_level("WARNING", logger="apscheduler"):
        scheduler.start()
        time.sleep(1.0)
        scheduler.shutdown()
    down.shutdown(wait=False)
    assert recorder.calls == []
    assert any("missed" in r.getMessage() for r in caplog.records)


def test_register_jobs_keeps_ids_and_timezone(tmp_path: Path) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.digest.delivery import ledger_for

    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    ledger = ledger_for(settings)
    ledger.save(Subscription(id="weekly", channel="C1", schedule=Schedule()))
    scheduler = clock.configure(BackgroundScheduler(), settings)
    scheduler.start(paused=True)
    assert clock.register_jobs(scheduler, settings, ledger) == ["digest:weekly"]
    job = scheduler.get_job("digest:weekly")
    assert str(job.trigger.timezone) == "Asia/Tokyo"
    assert job.misfire_grace_time == 3600 and job.coalesce
    first = job.next_run_time
    clock.register_jobs(scheduler, settings, ledger)  # again: the stored run time is kept
    assert scheduler.get_job("digest:weekly").next_run_time == first
    ledger.deactivate("weekly")
    clock.register_jobs(scheduler, settings, ledger)
    assert scheduler.get_job("digest:weekly") is None
    scheduler.shutdown(wait=False)


def test_a_capped_attention_list_says_how_many_more(
    seed_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(seed_warehouse)
    sub = Subscription(id="cap", channel="C1", schedule=Schedule(), language="en")
    digest = compose_digest(store, sub, datetime(2026, 11, 30, 9, tzinfo=JST), None)
    # Past the cap, the total comes from the grade counts, not from the rows listed.
    monkeypatch.setattr(compose, "ATTENTION_MAX", 0)
    cut = compose_digest(store, sub, datetime(2026, 11, 30, 9, tzinfo=JST), None)
    store.close()
    assert digest.attention_total == len(digest.attention) == 1  # item 16, graded D
    assert (cut.attention, cut.attention_total) == ((), 1)
    capped = digest.model_copy(update={"attention_total": 250})
    assert "and 249 more" in digest_text(capped)
    assert "and 249 more" in str([m.blocks for m in digest_messages(capped)])


def test_next_fire_time_on_a_leap_day() -> None:
    leap_day = datetime(2028, 2, 29, 10, 0, tzinfo=JST)
    weekly = parse_schedule("毎週月曜 9:00")
    assert next_fire_time(weekly, "skip", "Asia/Tokyo", leap_day) == datetime(
        2028, 3, 6, 9, 0, tzinfo=JST
    )
    monthly = parse_schedule("monthly 1 9:00")
    assert next_fire_time(monthly, "skip", "Asia/Tokyo", leap_day) == datetime(
        2028, 3, 1, 9, 0, tzinfo=JST
    )


def test_the_period_line_names_one_timezone(seed_warehouse: Path) -> None:
    store = Store(seed_warehouse)
    sub = Subscription(id="tz", channel="C1", schedule=Schedule(), language="ja")
    digest = compose_digest(store, sub, datetime(2026, 11, 30, 9, tzinfo=JST), None)
    store.close()
    stamped = digest.model_copy(update={"as_of": "2026-11-29T23:30:00+00:00"})
    (line,) = [ln for ln in digest_text(stamped).splitlines() if ln.startswith("期間")]
    assert "2026-11-30 09:00 JST" in line and "データ時点: 2026-11-30 08:30 JST" in line
    assert "UTC" not in line


def test_a_two_year_digest_names_the_items_whose_grade_changed(two_year_warehouse: Path) -> None:
    store = Store(two_year_warehouse)
    for lang, said in (
        ("ja", "評価が変わった事業: 事業16 D→B, 事業19 B→A, 事業33 A→B, 事業42 B→C, 事業72 B→D"),
        ("en", "Grades changed: item 16 D→B, item 19 B→A, item 33 A→B, item 42 B→C, item 72 B→D"),
    ):
        sub = Subscription(id=f"yoy-{lang}", channel="C1", schedule=Schedule(), language=lang)
        digest = compose_digest(store, sub, datetime(2026, 11, 30, 9, tzinfo=JST), None)
        assert said in digest_text(digest)
        first = digest_messages(digest)[0]
        (grades,) = [b for b in first.blocks if said in (b.get("text") or {}).get("text", "")]
        assert grades["type"] == "section"
    store.close()
