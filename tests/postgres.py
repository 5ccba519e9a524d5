"""Throwaway PostgreSQL databases for tests: created with a unique name, dropped after.

The server is $PLANBOT_TEST_POSTGRES (an admin URL), by default the local one with
trust auth. Where none answers, tests that need it are skipped with one line saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("PLANBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def server_problem() -> str | None:
    """Why no PostgreSQL can be used, or None when one answers."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as con:
            con.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL at {ADMIN_URL}: {str(exc).strip().splitlines()[0]}"
    return None


def require_server() -> None:
    problem = server_problem()
    if problem is not None:
        pytest.skip(problem)


def _with_database(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(prefix: str = "planbot_test") -> Iterator[str]:
    """A new empty database's URL; dropped (connections and all) afterwards."""
    require_server()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as con:
            con.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def terminate_connections(url: str) -> int:
    """Kill every server process serving ``url``'s database, as a restart would."""
    name = make_url(url).database
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        rows = con.execute(
            # With a timeout, each call returns once that backend is gone.
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


def empty_tables(url: str) -> None:
    """Every planbot table emptied (the schema kept), for the next test."""
    from bot.state.schema import metadata

    tables = list(metadata.tables)
    with psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
        autocommit=True,
    ) as con:
        present = {
            r[0]
            for r in con.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
        names = [sql.Identifier(t) for t in tables if t in present]
        if names:
            con.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(sql.SQL(", ").join(names)))
