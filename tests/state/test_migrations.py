"""The state schema: migrations build exactly the declared tables on SQLite and PostgreSQL
(the clock's job store included), concurrent starters migrate once, a newer schema is
refused, old SQLite files are adopted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.digest import clock
from bot.state import QuestionLog, SeenEvents, StateDB
from bot.state.database import (
    SchemaTooNew,
    alembic_config,
    database_url,
    head_revision,
    normalise_url,
)
from bot.state.schema import metadata, scheduler_jobs
from tests.concurrency import race
from tests.postgres import fresh_database


def _differences(db: StateDB) -> list[object]:
    with db.engine.connect() as con:
        return list(compare_metadata(MigrationContext.configure(con), metadata))


def test_migrations_build_the_declared_schema_on_sqlite(tmp_path: Path) -> None:
    dbs = [StateDB(tmp_path / "state" / "planbot.sqlite3") for _ in range(4)]
    race([db.ensure_schema for db in dbs])
    assert _differences(dbs[0]) == []
    with dbs[0].engine.connect() as con:
        assert con.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        versions = con.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    assert versions == [(head_revision(),)]


def test_migrations_build_the_declared_schema_on_postgresql() -> None:
    with fresh_database() as url:
        dbs = [StateDB(url) for _ in range(4)]
        race([db.ensure_schema for db in dbs])
        assert _differences(dbs[0]) == []
        assert dbs[0].scalar(sa.text("SELECT version_num FROM alembic_version")) == (
            head_revision()
        )
        for db in dbs:
            db.dispose()


def test_a_newer_schema_is_refused(state_url: str) -> None:
    db = StateDB(state_url)
    db.ensure_schema()
    with db.engine.begin() as con:
        con.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNew, match=r"9999.*upgrade planbot"):
        StateDB(state_url).ensure_schema()
    with db.engine.begin() as con:  # leave the shared database usable
        con.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})
    db.dispose()


def test_a_state_file_from_before_migrations_is_adopted_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "planbot.sqlite3"
    with sqlite3.connect(path) as con:  # as planbot wrote it before migrations
        con.executescript(
            """
            CREATE TABLE seen_events (event_id TEXT PRIMARY KEY, seen_at REAL NOT NULL);
            CREATE INDEX seen_events_seen_at ON seen_events (seen_at);
            CREATE TABLE question_log (
                id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, user_id TEXT,
                channel_id TEXT, surface TEXT NOT NULL, question TEXT NOT NULL,
                question_key TEXT NOT NULL, intent TEXT, result_count INTEGER,
                latency_ms REAL, ok INTEGER NOT NULL, problem TEXT);
            CREATE INDEX question_log_asked_at ON question_log (asked_at);
            CREATE INDEX question_log_key ON question_log (question_key);
            PRAGMA user_version = 1;
            INSERT INTO seen_events VALUES ('EvOld', 1800000000.0);
            INSERT INTO question_log (asked_at, surface, question, question_key, ok,
                result_count) VALUES (1800000000.0, 'dm', 'D評価の事業は？', 'd評価の事業は', 1, 1);
            """
        )
    db = StateDB(path)
    assert not SeenEvents(db).claim("EvOld", now=1800000100.0)  # answered long ago
    assert QuestionLog(db).most_asked(days=100_000)[0].question == "D評価の事業は？"
    assert SeenEvents(db).claim("EvNew")  # the lease columns were added
    assert db.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()


def test_both_postgres_url_spellings_mean_psycopg(tmp_path: Path) -> None:
    for url in ("postgres://u:p@db.example:5432/planbot", "postgresql://u:p@db.example/planbot"):
        assert normalise_url(url).startswith("postgresql+psycopg://u:p@db.example")
    settings = Settings(_env_file=None, state_dir_override=tmp_path)  # type: ignore[call-arg]
    assert database_url(settings) == f"sqlite:///{tmp_path.resolve()}/planbot.sqlite3"
    heroku = settings.model_copy(update={"database_url": "postgres://u@h/d?sslmode=require"})
    assert database_url(heroku) == "postgresql+psycopg://u@h/d?sslmode=require"


def test_state_migrate_copies_sqlite_state_into_postgresql(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.cli import main
    from bot.digest.ledger import Ledger, Subscription
    from bot.digest.schedule import Schedule
    from tests.slack.test_state import entry

    state_dir = tmp_path / "state"
    here = StateDB(state_dir / "planbot.sqlite3")
    QuestionLog(here).record(entry("D評価の事業は？"))
    QuestionLog(here).record(entry("新規事業は？"))
    seen = SeenEvents(here)
    assert seen.claim("Ev1") and seen.mark_answered("Ev1")
    ledger = Ledger(here)
    ledger.save(Subscription(id="weekly", channel="C1", schedule=Schedule()))
    fire = datetime(2026, 11, 2, 0, tzinfo=UTC)
    assert ledger.claim("weekly", fire) is not None
    ledger.complete("weekly", fire, {"fiscal_years": [2019]})
    settings_args = ["--data-dir", str(tmp_path)]
    with fresh_database() as url:
        for _ in range(2):  # a second copy adds nothing
            assert main(["state", "migrate", *settings_args, "--to", url]) == 0
        there = StateDB(url)
        assert [q.question for q in QuestionLog(there).most_asked(days=100_000)] == [
            "新規事業は？",
            "D評価の事業は？",
        ]
        assert not SeenEvents(there).claim("Ev1")
        moved = Ledger(there)
        assert [s.id for s in moved.subscriptions()] == ["weekly"]
        assert moved.claim("weekly", fire) is None
        assert moved.last_posted("weekly").state == {"fiscal_years": [2019]}
        QuestionLog(there).record(entry("ids continue after the copied ones"))
        assert QuestionLog(there).total(days=1) == 3
        there.dispose()


def test_an_older_releases_ledger_file_is_adopted(tmp_path: Path) -> None:
    legacy = tmp_path / "digests.sqlite3"
    with sqlite3.connect(legacy) as con:
        con.executescript(
            """
            CREATE TABLE subscriptions (id TEXT PRIMARY KEY, channel TEXT NOT NULL,
                schedule TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_value TEXT,
                holiday_rule TEXT NOT NULL, language TEXT NOT NULL, created_by TEXT,
                created_at TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
            INSERT INTO subscriptions VALUES ('weekly', 'C1',
                '{"kind":"weekly","weekday":0,"day":1,"hour":9,"minute":0}', 'plan', NULL,
                'skip', 'ja', 'cli', '2026-01-01T00:00:00+00:00', 1);
            """
        )
    from bot.digest.ledger import Ledger

    ledger = Ledger(StateDB(tmp_path / "planbot.sqlite3"))
    assert [s.id for s in ledger.subscriptions()] == ["weekly"]
    assert not legacy.exists() and (tmp_path / "digests.sqlite3.imported").is_file()


@contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'planbot.sqlite3'}"
    else:
        with fresh_database() as url:
            yield url


def _stored_job_ids(store: SQLAlchemyJobStore) -> list[str]:
    return [job.id for job in store.get_all_jobs()]


def _an_earlier_clock_stores_a_job(store: SQLAlchemyJobStore) -> None:
    """What a clock of an earlier release did: APScheduler made its table, then a job."""
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone="Asia/Tokyo")
    scheduler.start(paused=True)
    scheduler.add_job(clock.retry_due, IntervalTrigger(minutes=5), id="digest:retry")
    scheduler.shutdown(wait=False)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_job_store_made_by_apscheduler_is_kept_by_the_migration(
    kind: str, tmp_path: Path
) -> None:
    with empty_database(kind, tmp_path) as url:
        db = StateDB(url)
        with db.engine.begin() as con:  # the schema of the release before
            command.upgrade(alembic_config(con), "0005")
        _an_earlier_clock_stores_a_job(SQLAlchemyJobStore(url=db.url))
        db.ensure_schema()
        assert _differences(db) == []
        assert db.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, state_dir_override=tmp_path / "state", database_url=db.url
        )
        assert _stored_job_ids(clock.job_store(settings)) == ["digest:retry"]
        db.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_clock_keeps_its_jobs_in_the_migrated_state_database(kind: str, tmp_path: Path) -> None:
    with empty_database(kind, tmp_path) as url:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            state_dir_override=tmp_path / "state",
            database_url=url if kind == "postgresql" else None,
        )
        scheduler = clock.configure(BackgroundScheduler(), settings)
        scheduler.start(paused=True)
        scheduler.add_job(clock.retry_due, IntervalTrigger(minutes=5), id="digest:retry")
        scheduler.shutdown(wait=False)
        db = StateDB.for_settings(settings)
        assert db.scalar(sa.text("SELECT version_num FROM alembic_version")) == head_revision()
        assert db.rows(sa.select(scheduler_jobs.c.id)) == [("digest:retry",)]
        assert not (tmp_path / "state" / "scheduler.sqlite3").exists()
        db.dispose()


def test_an_older_releases_job_store_file_is_adopted(tmp_path: Path) -> None:
    legacy = tmp_path / "scheduler.sqlite3"
    _an_earlier_clock_stores_a_job(SQLAlchemyJobStore(url=f"sqlite:///{legacy}"))
    db = StateDB(tmp_path / "planbot.sqlite3")
    db.ensure_schema()
    assert [r.id for r in db.rows(sa.select(scheduler_jobs.c.id))] == ["digest:retry"]
    assert not legacy.exists() and (tmp_path / "scheduler.sqlite3.imported").is_file()
