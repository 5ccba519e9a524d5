"""Opening the state database and bringing its schema up to date.

SQLite, because the state is tiny, must outlive restarts and be shared by the
processes of one host (a Socket Mode worker and HTTP workers) without a server.
WAL lets readers and one writer work side by side; busy_timeout makes a writer
wait for the lock instead of failing when two workers write at once.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from bot.state.private import private_file

#: Each entry upgrades the schema by one version (PRAGMA user_version); append only.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at  REAL NOT NULL
    );
    CREATE INDEX seen_events_seen_at ON seen_events (seen_at);
    CREATE TABLE question_log (
        id           INTEGER PRIMARY KEY,
        asked_at     REAL NOT NULL,
        user_id      TEXT,
        channel_id   TEXT,
        surface      TEXT NOT NULL,
        question     TEXT NOT NULL,
        question_key TEXT NOT NULL,
        intent       TEXT,
        result_count INTEGER,
        latency_ms   REAL,
        ok           INTEGER NOT NULL,
        problem      TEXT
    );
    CREATE INDEX question_log_asked_at ON question_log (asked_at);
    CREATE INDEX question_log_key ON question_log (question_key);
    """,
    # Claims with a lease: an event is answered only when its reply was posted, and a
    # claim whose owner died or whose lease ran out can be taken again. Rows claimed
    # before this version were answered at once (at most once), so they count as answered.
    """
    ALTER TABLE seen_events ADD COLUMN owner TEXT;
    ALTER TABLE seen_events ADD COLUMN owner_host TEXT;
    ALTER TABLE seen_events ADD COLUMN owner_pid INTEGER;
    ALTER TABLE seen_events ADD COLUMN lease_until REAL NOT NULL DEFAULT 0;
    ALTER TABLE seen_events ADD COLUMN answered_at REAL;
    ALTER TABLE seen_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
    UPDATE seen_events SET answered_at = seen_at;
    """,
    """
    CREATE TABLE answered (
        ref         TEXT PRIMARY KEY,
        body        TEXT NOT NULL,
        answered_at REAL NOT NULL
    );
    CREATE INDEX answered_at ON answered (answered_at);
    CREATE TABLE answer_threads (
        channel_id  TEXT NOT NULL,
        thread_ts   TEXT NOT NULL,
        ref         TEXT NOT NULL,
        answered_at REAL NOT NULL,
        PRIMARY KEY (channel_id, thread_ts)
    );
    """,
    # Reports uploaded in Slack: previewed, then confirmed (once) or cancelled; and the
    # audit log of uploads, confirmations, refusals and rollbacks.
    """
    CREATE TABLE uploads (
        upload_id   TEXT PRIMARY KEY,
        file_name   TEXT NOT NULL,
        checksum    TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        channel_id  TEXT NOT NULL,
        thread_ts   TEXT NOT NULL,
        preview     TEXT NOT NULL,
        status      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        decided_by  TEXT,
        decided_at  REAL
    );
    CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at        REAL NOT NULL,
        action    TEXT NOT NULL,
        user_id   TEXT,
        file_name TEXT,
        checksum  TEXT,
        detail    TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_at ON audit_log (at);
    """,
)
BUSY_TIMEOUT_S = 10.0


class StateDB:
    """A path and one connection per thread, kept open.

    Every answered event writes here twice (dedupe, question log). Opening a connection
    per operation cost about 1 ms each under load (measured with py-spy at 20 concurrent
    senders); a connection per thread avoids that, and WAL with synchronous=NORMAL keeps
    the file consistent while syncing only at checkpoints.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._migrated = False
        self._lock = threading.Lock()
        self._local = threading.local()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, in autocommit mode: each statement is a transaction."""
        self._ensure_schema()
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._open()
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        yield con

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.row_factory = sqlite3.Row
        return con

    def _ensure_schema(self) -> None:
        if self._migrated:
            return
        with self._lock:
            if self._migrated:
                return
            private_file(self.path)
            with closing(self._open()) as con:
                enable_wal(con)
                # IMMEDIATE takes the write lock first, so two processes starting
                # together cannot both apply the same migration.
                con.execute("BEGIN IMMEDIATE")
                try:
                    version = int(con.execute("PRAGMA user_version").fetchone()[0])
                    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                        for statement in _statements(script):
                            con.execute(statement)
                        con.execute(f"PRAGMA user_version = {int(number)}")
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            self._migrated = True


def enable_wal(con: sqlite3.Connection, *, attempts: int = 100) -> None:
    """Switch a database to WAL, waiting out other processes doing the same.

    Changing the journal mode needs an exclusive lock and SQLite's busy timeout does not
    cover it: several workers opening a new file together get "database is locked".
    """
    for attempt in range(attempts):
        try:
            con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 + 0.002 * attempt)


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT our open transaction; run statement by statement.
    return [s.strip() for s in script.split(";") if s.strip()]
