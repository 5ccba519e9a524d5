"""Alembic environment: planbot passes the connection in (see bot/state/database.py)."""

from __future__ import annotations

from alembic import context

from bot.state.schema import metadata

connection = context.config.attributes["connection"]
# Batch mode lets a migration alter a column on SQLite (it copies the table).
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
