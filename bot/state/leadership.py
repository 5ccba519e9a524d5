"""One leader among processes: the clock, and the warehouse writer.

With ``DATABASE_URL`` a PostgreSQL session-level advisory lock decides, so processes on
any host take part; the lock lives as long as the leader's database session, so a
leader that dies (or whose host does) loses it when the server closes the session,
and another takes over. Without it, an ``flock`` on a file in the state directory
decides between the processes of one host; the kernel releases it when the holder dies.

A leader must check it still leads (``still_held``) before acting on its lead: a
PostgreSQL restart ends every session, and with it the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

import psycopg
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.state.database import is_postgres, normalise_url

log = logging.getLogger(__name__)

#: Server-side TCP keepalives for the lock's session: a leader whose host vanished
#: without closing its connection is noticed in about 10 + 5 × 3 = 25 seconds.
KEEPALIVE_OPTIONS = (
    "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"
)


class Leadership(Protocol):
    name: str

    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


def lock_key(name: str) -> int:
    """A stable 63-bit advisory lock key for a name ("clock", "warehouse-writer")."""
    return (zlib.crc32(f"planbot:{name}".encode()) << 16) | 0x504C


class PostgresLeadership:
    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.key = lock_key(name)
        self._conninfo = (
            make_url(normalise_url(url))
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        self._con: psycopg.Connection | None = None

    def acquire(self) -> None:
        """Wait for the lock (a writer waits its turn; it does not give up)."""
        con = self._connect()
        con.execute("SELECT pg_advisory_lock(%s)", (self.key,))

    def try_acquire(self) -> bool:
        # Twice: a connection kept from an earlier try may have died with a restart.
        for attempt in range(2):
            try:
                con = self._connect()
                row = con.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
                return bool(row and row[0])
            except psycopg.Error as exc:
                self.release()
                if attempt:
                    log.warning("%s: cannot reach PostgreSQL for the lead: %s", self.name, exc)
        return False

    def _connect(self) -> psycopg.Connection:
        if self._con is None or self._con.closed:
            self._con = psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=10,
                application_name=f"planbot {self.name}",
                options=KEEPALIVE_OPTIONS,
                # Client-side too: a leader cut off from the server notices.
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
                # A check sent into a dead network fails within 10 s, well before
                # the server (25 s) lets another process take the lock.
                tcp_user_timeout=10_000,
            )
        return self._con

    def still_held(self) -> bool:
        if self._con is None or self._con.closed:
            return False
        try:
            row = self._con.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid()"
            ).fetchone()
        except psycopg.Error:
            self.release()
            return False
        return bool(row and row[0])

    def release(self) -> None:
        if self._con is not None:
            with contextlib.suppress(psycopg.Error):
                # Let go before closing: a closed session's lock is freed only once the
                # server has ended it, and a successor asking at once would be refused.
                if not self._con.closed:
                    self._con.execute("SELECT pg_advisory_unlock_all()")
                self._con.close()
            self._con = None


class FileLeadership:
    def __init__(self, path: Path, name: str) -> None:
        self.name = name
        self.path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leadership_for(settings: Settings, name: str) -> Leadership:
    if settings.database_url and is_postgres(normalise_url(settings.database_url)):
        return PostgresLeadership(settings.database_url, name)
    return FileLeadership(settings.state_dir / f"{name}.lock", name)


@contextmanager
def across_hosts(database_url: str | None, name: str) -> Iterator[None]:
    """Hold ``name`` alone across hosts (waiting for PostgreSQL's advisory lock); without
    a PostgreSQL ``database_url`` there is one host, and its own locks suffice."""
    if not (database_url and is_postgres(normalise_url(database_url))):
        yield
        return
    held = PostgresLeadership(database_url, name)
    held.acquire()
    try:
        yield
    finally:
        held.release()


def wait_to_lead(
    leadership: Leadership, stop: threading.Event, *, poll_s: float, log_waiting: bool = True
) -> bool:
    """Block until this process leads (True) or ``stop`` is set (False)."""
    waiting_since: float | None = None
    while not stop.is_set():
        if leadership.try_acquire():
            waited = 0.0 if waiting_since is None else time.monotonic() - waiting_since
            log.warning("%s: leading (waited %.0fs)", leadership.name, waited)
            return True
        if waiting_since is None:
            waiting_since = time.monotonic()
            if log_waiting:
                log.warning("%s: another process leads; standing by", leadership.name)
        stop.wait(poll_s)
    return False
