"""Copying state between databases: ``planbot state migrate --to URL`` (SQLite into
PostgreSQL when a deployment grows to several hosts), and the one-time adoption of the
delivery ledger and the clock's job store that older releases kept in files of their own.

Rows are inserted with ON CONFLICT DO NOTHING, so a copy can be repeated (or resumed
after an interruption) without duplicating anything, and rows already in the target win.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa

from bot.state.database import StateDB, sqlite_path
from bot.state.schema import metadata

log = logging.getLogger(__name__)

#: Files older releases kept beside the state file: subscriptions and deliveries, and the
#: clock's job store.
LEGACY_FILES = ("digests.sqlite3", "scheduler.sqlite3")
BATCH_ROWS = 500


def copy_state(source: sa.Engine, target: StateDB) -> dict[str, int]:
    """Every row of every planbot table ``source`` has, into ``target``; rows new per table."""
    present = set(sa.inspect(source).get_table_names())
    copied: dict[str, int] = {}
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        columns = {c["name"] for c in sa.inspect(source).get_columns(table.name)}
        wanted = [c for c in table.columns if c.name in columns]
        copied[table.name] = 0
        with source.connect() as con:
            result = con.execution_options(yield_per=BATCH_ROWS).execute(sa.select(*wanted))
            for batch in result.partitions():
                rows = [dict(row._mapping) for row in batch]
                copied[table.name] += target.run(
                    lambda c, rows=rows, table=table: _insert_new(c, target, table, rows)
                )
    if target.is_postgres:
        target.run(_advance_sequences)
    return copied


def _insert_new(
    con: sa.Connection, target: StateDB, table: sa.Table, rows: list[dict[str, object]]
) -> int:
    # RETURNING counts what was new (psycopg has no row count for ON CONFLICT inserts).
    stmt = target.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return len(con.execute(stmt, rows).all())


def _advance_sequences(con: sa.Connection) -> None:
    """Rows copied with their ids leave a serial's sequence behind: move it past them."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                con.execute(
                    sa.select(
                        sa.func.setval(
                            sa.func.pg_get_serial_sequence(table.name, column.name),
                            sa.select(
                                sa.func.coalesce(sa.func.max(column), 0) + 1
                            ).scalar_subquery(),
                            False,
                        )
                    )
                )


def adopt_legacy_files(db: StateDB) -> dict[str, int]:
    """Move older releases' files beside a SQLite state file (the delivery ledger, the
    clock's job store) into it; each file is renamed ``….imported`` once copied."""
    path = sqlite_path(db.url)
    copied: dict[str, int] = {}
    for name in LEGACY_FILES if path is not None else ():
        legacy = path.parent / name
        if not legacy.is_file():
            continue
        engine = sa.create_engine(f"sqlite:///{legacy}")
        try:
            rows = copy_state(engine, db)
        finally:
            engine.dispose()
        done = legacy.with_name(f"{legacy.name}.imported")
        for suffix in ("-wal", "-shm"):
            Path(f"{legacy}{suffix}").unlink(missing_ok=True)
        legacy.rename(done)
        log.warning("the state of %s moved into %r (%s)", legacy, db, rows)
        copied.update(rows)
    return copied
