"""A round on the seed: a writable warehouse, a state database, and a fixed clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.round.service import RoundService
from bot.round.store import RoundStore, database_url, make_engine
from bot.store.database import Store

ADMIN = "UADMIN"
DEADLINE = date(2021, 5, 31)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2021, 4, 12, 1, 0, tzinfo=UTC))


def make_service(data_dir: Path, store: RoundStore, clock: Clock) -> RoundService:
    return RoundService(
        store=store,
        warehouse=Store(data_dir),
        data_dir=data_dir,
        admins=(ADMIN,),
        now=clock,
    )


@pytest.fixture
def rounds(warehouse: Path, tmp_path: Path, clock: Clock) -> Iterator[RoundService]:
    store = RoundStore.from_url(database_url(tmp_path / "state", None))
    service = make_service(warehouse, store, clock)
    yield service
    service.warehouse.close()
    store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    name = f"planbot_round_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(
            "host=127.0.0.1 user=postgres", autocommit=True, connect_timeout=3
        ) as con:
            con.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}".splitlines()[0])
    yield PG_URL + name
    with psycopg.connect("host=127.0.0.1 user=postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


__all__ = ["ADMIN", "DEADLINE", "Clock", "make_engine", "make_service"]
