"""Opening the state database and bringing its schema up to date.

SQLite under ``PLANBOT_STATE_DIR`` by default: the state is small and the processes of
one host share the file (WAL lets readers work beside one writer). With
``DATABASE_URL`` every host shares one PostgreSQL database instead (psycopg 3 behind
SQLAlchemy's connection pool). The tables are defined once in ``bot/state/schema.py``;
Alembic migrations in ``bot/state/migrations`` create and change them.

Whichever process opens the database first applies pending migrations, under a lock
(a PostgreSQL transaction-level advisory lock; on SQLite a file lock next to the
database plus ``BEGIN IMMEDIATE``), so processes starting together never apply one
twice. A database whose schema is newer than this planbot knows is refused: an old
release must not write to tables it does not understand.

Writes that must happen once are single statements whose uniqueness the database
enforces (``insert_ignoring``, ``upsert``); ``execute`` retries a statement whose
connection was lost (a restart, a failover) with backoff.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row

from bot.config import Settings
from bot.state.private import private_file
from bot.state.schema import metadata

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 10.0
#: Any fixed number: PostgreSQL advisory locks are keyed by a bigint per database.
MIGRATION_LOCK_KEY = 0x706C616E626F7401  # "planbot" 01
#: Backoff between attempts of a statement whose connection was lost: ~25 s in all,
#: long enough for a PostgreSQL restart or a managed failover.
RETRY_DELAYS_S: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0)

T = TypeVar("T")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer planbot than this one."""


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL of the state database these settings name."""
    if settings.database_url:
        return normalise_url(settings.database_url)
    return f"sqlite:///{settings.state_db_file.resolve()}"


def normalise_url(url: str) -> str:
    """``postgres://`` (Heroku) and ``postgresql://`` both mean psycopg 3."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return sa.engine.make_url(url).get_backend_name() == "postgresql"


def sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


class StateDB:
    """One state database: its engine (a connection pool) and its schema, made current once.

    Build one per process and component with ``StateDB.for_settings``; it connects
    lazily, so constructing it costs nothing.
    """

    def __init__(self, url: str | Path) -> None:
        self.url = f"sqlite:///{Path(url).resolve()}" if isinstance(url, Path) else url
        self.url = normalise_url(self.url)
        self.is_postgres = is_postgres(self.url)
        self._engine: Engine | None = None
        self._migrated = False
        self._migrating = False
        self._engine_lock = threading.Lock()
        # Reentrant: migrating may write through this StateDB (adopting old files).
        self._schema_lock = threading.RLock()

    @classmethod
    def for_settings(cls, settings: Settings) -> StateDB:
        return cls(database_url(settings))

    def __repr__(self) -> str:
        return f"StateDB({sa.engine.make_url(self.url)!r})"

    # --- connections --------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:
        if not self.is_postgres:
            path = sqlite_path(self.url)
            if path is not None:
                # User ids, DM questions: readable by their owner only.
                private_file(path)
            engine = sa.create_engine(
                self.url,
                connect_args={"timeout": BUSY_TIMEOUT_S},
                pool_size=8,
                max_overflow=32,
            )
            _sqlite_transactions(engine)
            return engine
        return sa.create_engine(
            self.url,
            # A pooled connection the server dropped (restart, idle timeout) is
            # noticed at checkout and replaced, not handed to a request.
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=15,
            pool_recycle=1800,
            connect_args={"connect_timeout": 10, "application_name": "planbot"},
        )

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction on a pooled connection, the schema made current first."""
        self.ensure_schema()
        with self.engine.begin() as con:
            yield con

    def run(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction, retried with backoff when the connection is lost.

        ``work`` must be safe to repeat: a single idempotent statement, or statements
        whose effect a retry by the same caller finds already done.
        """
        for attempt, delay in enumerate((*RETRY_DELAYS_S, None)):
            try:
                with self.begin() as con:
                    return work(con)
            except sa.exc.DBAPIError as exc:
                if delay is None or not _connection_lost(exc):
                    raise
                log.warning(
                    "state database connection lost (%s); retry %d in %.2fs",
                    type(exc.orig).__name__,
                    attempt + 1,
                    delay,
                )
                time.sleep(delay)
        raise AssertionError("unreachable")

    def execute(self, statement: sa.Executable) -> int:
        """Run one write statement; returns the rows it changed.

        An INSERT counts the rows it returns (``insert_ignoring`` and ``upsert`` return
        their keys): psycopg reports no row count for INSERT … ON CONFLICT.
        """

        def changed(con: Connection) -> int:
            result = con.execute(statement)
            return len(result.all()) if result.returns_rows else result.rowcount

        return self.run(changed)

    def rows(self, statement: sa.Executable) -> list[Row[Any]]:
        return self.run(lambda con: list(con.execute(statement)))

    def one(self, statement: sa.Executable) -> Row[Any] | None:
        return self.run(lambda con: con.execute(statement).first())

    def scalar(self, statement: sa.Executable) -> Any:
        return self.run(lambda con: con.execute(statement).scalar())

    # --- dialect-specific single statements -----------------------------------------------
    def insert(self, table: sa.Table) -> Any:
        """An INSERT that knows ``ON CONFLICT`` for this database."""
        return (postgresql.insert if self.is_postgres else sqlite.insert)(table)

    def insert_ignoring(self, table: sa.Table, values: dict[str, Any]) -> Any:
        """INSERT … ON CONFLICT DO NOTHING: one row changed for the first writer, else none."""
        stmt = self.insert(table).values(**values).on_conflict_do_nothing()
        return stmt.returning(*table.primary_key.columns)

    def upsert(
        self,
        table: sa.Table,
        values: dict[str, Any],
        *,
        update: Sequence[str],
        where: sa.ColumnElement[bool] | None = None,
    ) -> Any:
        """INSERT … ON CONFLICT (primary key) DO UPDATE SET ``update`` [WHERE ``where``]."""
        stmt = self.insert(table).values(**values)
        keys = [c.name for c in table.primary_key.columns]
        return stmt.on_conflict_do_update(
            index_elements=keys,
            set_={name: stmt.excluded[name] for name in update},
            where=where,
        ).returning(*table.primary_key.columns)

    # --- schema ---------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        if self._migrated:
            return
        with self._schema_lock:
            if self._migrated or self._migrating:
                return
            self._migrating = True
            try:
                migrate(self)
            finally:
                self._migrating = False
            self._migrated = True

    def problem(self) -> str | None:
        """None when the database answers a query; else a one-line reason (health checks)."""
        try:
            with self.engine.connect() as con:
                con.execute(sa.select(1))
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            return f"{'postgresql' if self.is_postgres else 'sqlite'} unreachable: {reason[0] if reason else type(exc).__name__}"
        return None

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions, and begin them IMMEDIATE.

    IMMEDIATE takes the write lock at BEGIN, so two processes cannot both read and then
    both write (a deferred transaction upgrading its lock fails at once with "database
    is locked" instead of waiting); busy_timeout makes the second one wait its turn.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(con: Connection) -> None:
        con.exec_driver_sql("BEGIN IMMEDIATE")


def _connection_lost(exc: sa.exc.DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        # psycopg: server closed the connection, could not connect (restarting), admin
        # shutdown. SQLite raises OperationalError only for locks it already waited on.
        return type(exc.orig).__module__.startswith("psycopg")
    return False


# --- migrations ---------------------------------------------------------------------------
def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(con: Connection) -> str | None:
    return MigrationContext.configure(con).get_current_revision()


def migrate(db: StateDB) -> None:
    """Apply pending migrations, once, whoever else is starting at the same moment."""
    with _migration_lock(db):
        if not db.is_postgres:
            _enable_wal(db.engine)
        _migrate_locked(db)
        if not db.is_postgres:
            from bot.state.transfer import adopt_legacy_files

            adopt_legacy_files(db)


def _migrate_locked(db: StateDB) -> None:
    with db.engine.begin() as con:
        if db.is_postgres:
            # Held until this transaction ends: a second process waits here, then finds
            # the schema current.
            con.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        current = current_revision(con)
        if current is not None and current not in known_revisions():
            raise SchemaTooNew(
                f"the state database {db!r} is at schema revision {current}, newer than"
                f" this planbot knows (up to {head_revision()}): upgrade planbot"
            )
        if current != head_revision():
            command.upgrade(alembic_config(con), "head")
            log.info("state database %r migrated %s → %s", db, current, head_revision())


@contextmanager
def _migration_lock(db: StateDB) -> Iterator[None]:
    path = sqlite_path(db.url)
    if db.is_postgres or path is None:
        yield
        return
    # Switching to WAL needs an exclusive lock that busy_timeout does not wait for;
    # a file lock around the whole migration makes concurrent starters take turns.
    with private_file(path.parent / f"{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _enable_wal(engine: Engine) -> None:
    # journal_mode cannot change inside a transaction: run it on the raw connection,
    # outside one. It is persistent, so this changes something once per database file.
    with engine.connect() as con:
        raw = con.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA journal_mode=WAL")


def table_names() -> list[str]:
    return sorted(metadata.tables)
