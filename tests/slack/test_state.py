"""The state database: atomic event claims, the question log, retention."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

from bot.config import Settings
from bot.slack.housekeeping import purge_state
from bot.state import LoggedQuestion, QuestionLog, SeenEvents, StateDB
from bot.state.database import MIGRATIONS
from bot.state.questions import question_key

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


def test_an_event_is_claimed_once_even_by_racing_workers(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    # One StateDB per "worker": separate connections, as separate processes would have.
    workers = [SeenEvents(StateDB(path)) for _ in range(8)]
    start = threading.Barrier(len(workers))
    results: list[bool] = []
    lock = threading.Lock()

    def claim(seen: SeenEvents) -> None:
        start.wait()
        won = seen.claim("Ev1")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=claim, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == [False] * 7 + [True]


def test_claims_survive_a_new_connection_and_expire_after_a_day(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    now = time.time()
    for event_id, at in (("Ev1", now - DAY - 60), ("Ev2", now - 600)):
        first = SeenEvents(StateDB(path))
        assert first.claim(event_id, now=at)
        assert first.mark_answered(event_id, now=at)
    later = SeenEvents(StateDB(path))
    assert not later.claim("Ev1")  # still remembered until purged
    assert later.purge(now=now) == 1
    assert not later.claim("Ev2")  # ten minutes old: kept
    assert later.claim("Ev1")


def test_schema_is_versioned(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    with db.connect() as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Opening again changes nothing.
    with StateDB(tmp_path / "state.sqlite3").connect() as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_most_asked_groups_spelling_variants(tmp_path: Path) -> None:
    log = QuestionLog(StateDB(tmp_path / "s.sqlite3"))
    for q in ("D評価の事業は？", "D評価の事業は?", "Ｄ評価の事業は？", "新規事業は？"):
        log.record(entry(q))

    top = log.most_asked(days=30)

    assert [(t.asked, question_key(t.question)) for t in top] == [
        (3, "d評価の事業は"),
        (1, "新規事業は"),
    ]


def test_unanswered_are_failures_and_empty_results_not_help(tmp_path: Path) -> None:
    log = QuestionLog(StateDB(tmp_path / "s.sqlite3"))
    log.record(entry("D評価の事業は？"))
    log.record(entry("存在しない課の事業", ok=False, problem="unknown_department", result_count=0))
    log.record(entry("宇宙開発の事業", result_count=0))
    log.record(entry("boom", ok=False, problem="error", intent=None, result_count=None))
    log.record(entry("ヘルプ", intent="help", result_count=0))

    unanswered = {q.question for q in log.unanswered(days=30)}

    assert unanswered == {"存在しない課の事業", "宇宙開発の事業", "boom"}


def test_log_rows_keep_what_stats_need(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "s.sqlite3")
    QuestionLog(db).record(entry("D評価の事業は？", latency_ms=3.14159))
    with db.connect() as con:
        row = con.execute("SELECT * FROM question_log").fetchone()
    assert isinstance(row, sqlite3.Row)
    assert (row["user_id"], row["channel_id"], row["intent"], row["result_count"]) == (
        "U1",
        "C1",
        "list",
        1,
    )
    assert row["latency_ms"] == 3.1 and row["ok"] == 1 and row["problem"] is None
    assert row["asked_at"] > 0


def test_startup_purge_applies_the_retention_setting(settings: Settings) -> None:
    db = StateDB(settings.state_db_file)
    now = time.time()
    log = QuestionLog(db)
    log.record(entry("old", asked_at=now - (settings.log_retention_days + 1) * DAY))
    log.record(entry("recent", asked_at=now - DAY))
    SeenEvents(db).claim("EvOLD", now=now - 2 * DAY)

    assert purge_state(settings) == (1, 1)
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
