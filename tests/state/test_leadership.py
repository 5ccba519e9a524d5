"""One leader at a time (the clock) and one warehouse writer at a time, across processes:
an advisory lock with PostgreSQL, a file lock without."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest

from bot.config import Settings
from bot.ingest.warehouse import write_reports
from bot.models import Report
from bot.state.leadership import FileLeadership, PostgresLeadership, leadership_for, lock_key
from bot.store.database import Store
from tests.postgres import fresh_database, terminate_connections


@pytest.fixture
def database_url() -> object:
    with fresh_database() as url:
        yield url


def test_one_clock_leads_on_one_host_until_it_lets_go(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, state_dir_override=tmp_path)  # type: ignore[call-arg]
    first, second = (leadership_for(settings, "clock") for _ in range(2))
    assert isinstance(first, FileLeadership)
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    first.release()  # as when its process dies: the kernel drops the lock
    assert second.try_acquire() and not first.still_held()
    second.release()


def test_one_clock_leads_across_hosts_and_loses_the_lead_with_its_session(
    database_url: str,
) -> None:
    first, second = (PostgresLeadership(database_url, "clock") for _ in range(2))
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire() and not second.still_held()
    # A database restart ends every session: the leader must notice it no longer leads.
    terminate_connections(database_url)
    assert not first.still_held()
    assert second.try_acquire() and second.still_held()
    assert not first.try_acquire()
    second.release()
    assert first.try_acquire()
    first.release()


def years(store: Store) -> list[int]:
    return [row["fiscal_year"] for row in store.run("fiscal_years", municipality=None).rows]


def _waiting_for(database_url: str, key: int) -> bool:
    """Whether some session is queued for the advisory lock ``key``."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            (key,),
        ).fetchone()
    return bool(row and row[0])


def test_a_writer_on_another_host_waits_and_readers_see_its_snapshot_without_restart(
    warehouse: Path, second_year_report: Report, database_url: str
) -> None:
    reader = Store(warehouse)  # a replica, open before the write
    assert years(reader) == [2019]
    other_host = PostgresLeadership(database_url, "warehouse-writer")
    other_host.acquire()  # another host is writing
    done: list[object] = []
    writer = threading.Thread(
        target=lambda: done.append(
            write_reports(warehouse, [second_year_report], database_url=database_url)
        )
    )
    writer.start()
    deadline = time.monotonic() + 30
    while not _waiting_for(database_url, lock_key("warehouse-writer")):
        assert time.monotonic() < deadline, "the writer never asked for the lock"
        time.sleep(0.05)  # another session's state: nothing to wait on
    assert not done  # it waits its turn
    other_host.release()
    writer.join(timeout=60)
    assert done and years(reader) == [2020, 2019]
    reader.close()
