"""The state database on SQLite and PostgreSQL: atomic event claims, the question log,
retention."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import sqlalchemy as sa

from bot.config import Settings
from bot.slack.housekeeping import purge_state
from bot.state import LoggedQuestion, QuestionLog, SeenEvents, StateDB
from bot.state.questions import question_key
from bot.state.schema import question_log
from tests.concurrency import race

DAY = 24 * 60 * 60


def entry(question: str, **changes: object) -> LoggedQuestion:
    values: dict[str, object] = {
        "user_id": "U1",
        "channel_id": "C1",
        "surface": "mention",
        "question": question,
        "intent": "list",
        "result_count": 1,
        "latency_ms": 12.5,
        "ok": True,
        "problem": None,
    }
    values.update(changes)
    return LoggedQuestion(**values)  # type: ignore[arg-type]


def test_an_event_is_claimed_once_even_by_racing_workers(state_url: str) -> None:
    # One StateDB per "worker": separate pools, as separate processes would have; the
    # first of them to connect migrates while the others wait.
    workers = [SeenEvents(StateDB(state_url)) for _ in range(8)]
    claims = race([lambda seen=seen: seen.claim("Ev1") for seen in workers])
    assert sorted(claims) == [False] * 7 + [True]


def test_claims_survive_a_new_connection_and_expire_after_a_day(state_url: str) -> None:
    now = time.time()
    for event_id, at in (("Ev1", now - DAY - 60), ("Ev2", now - 600)):
        seen = SeenEvents(StateDB(state_url))
        assert seen.claim(event_id, now=at)
        assert seen.mark_answered(event_id, now=at + 1)
    later = SeenEvents(StateDB(state_url))
    assert not later.claim("Ev1")  # still remembered until purged
    assert later.purge(now=now) == 1
    assert not later.claim("Ev2")  # ten minutes old: kept
    assert later.claim("Ev1")


def test_a_lapsed_lease_is_taken_over_and_an_answered_event_never(state_url: str) -> None:
    now = 1_800_000_000.0
    replicas = [SeenEvents(StateDB(state_url), lease_seconds=60) for _ in range(2)]
    assert replicas[0].claim("EvSTUCK", now=now)
    assert not replicas[1].claim("EvSTUCK", now=now + 30)  # still leased
    assert replicas[1].claim("EvSTUCK", now=now + 61)  # the holder never answered
    assert not replicas[0].mark_answered("EvSTUCK")  # too late: no longer its claim
    assert replicas[1].mark_answered("EvSTUCK")
    assert not replicas[0].claim("EvSTUCK", now=now + 10_000)
    assert replicas[0].is_answered("EvSTUCK")


def test_most_asked_groups_spelling_variants(state_url: str) -> None:
    log = QuestionLog(StateDB(state_url))
    for q in ("D評価の事業は？", "D評価の事業は?", "Ｄ評価の事業は？", "新規事業は？"):
        log.record(entry(q))

    top = log.most_asked(days=30)

    assert [(t.asked, question_key(t.question)) for t in top] == [
        (3, "d評価の事業は"),
        (1, "新規事業は"),
    ]


def test_unanswered_are_failures_and_empty_results_not_help(state_url: str) -> None:
    log = QuestionLog(StateDB(state_url))
    log.record(entry("D評価の事業は？"))
    log.record(entry("存在しない課の事業", ok=False, problem="unknown_department", result_count=0))
    log.record(entry("宇宙開発の事業", result_count=0))
    log.record(entry("boom", ok=False, problem="error", intent=None, result_count=None))
    log.record(entry("ヘルプ", intent="help", result_count=0))

    unanswered = {q.question for q in log.unanswered(days=30)}

    assert unanswered == {"存在しない課の事業", "宇宙開発の事業", "boom"}


def test_log_rows_keep_what_stats_need(state_url: str) -> None:
    db = StateDB(state_url)
    QuestionLog(db).record(entry("D評価の事業は？", latency_ms=3.14159))
    row = db.one(sa.select(question_log))
    assert row is not None
    assert (row.user_id, row.channel_id, row.intent, row.result_count) == ("U1", "C1", "list", 1)
    assert row.latency_ms == 3.1 and row.ok is True and row.problem is None
    assert row.asked_at > 0
    assert QuestionLog(db).total(days=1) == 1


def test_startup_purge_applies_the_retention_setting(settings: Settings) -> None:
    db = StateDB.for_settings(settings)
    now = time.time()
    log = QuestionLog(db)
    log.record(entry("old", asked_at=now - (settings.log_retention_days + 1) * DAY))
    log.record(entry("recent", asked_at=now - DAY))
    SeenEvents(db).claim("EvOLD", now=now - 2 * DAY)

    purged = purge_state(settings)
    assert (purged.events, purged.questions) == (1, 1)
    assert [q.question for q in log.most_asked(days=10_000)] == ["recent"]


def test_state_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    db = StateDB(state_dir / "planbot.sqlite3")
    QuestionLog(db).record(entry("DMで聞いた質問"))

    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    for path in state_dir.iterdir():  # the database and its -wal and -shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_state_dir_left_open_is_narrowed(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o755)
    state_dir.chmod(0o755)
    (state_dir / "planbot.sqlite3").touch(mode=0o644)
    (state_dir / "planbot.sqlite3").chmod(0o644)

    QuestionLog(StateDB(state_dir / "planbot.sqlite3")).record(entry("質問"))

    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((state_dir / "planbot.sqlite3").stat().st_mode) == 0o600
