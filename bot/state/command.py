"""``planbot state``: look at the state database, copy it into another one."""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.state.database import StateDB, current_revision, head_revision
from bot.state.transfer import copy_state


def state_command(settings: Settings, action: str, *, to: str | None = None) -> int:
    if action == "migrate":
        if not to:
            print("planbot: state migrate needs --to DATABASE_URL", file=sys.stderr)
            return 2
        return migrate_to(settings, to)
    db = StateDB.for_settings(settings)
    db.ensure_schema()
    with db.engine.connect() as con:
        revision = current_revision(con)
    print(f"{db!r}\tschema {revision} (this planbot: {head_revision()})")
    return 0


def migrate_to(settings: Settings, to: str) -> int:
    """Copy this host's SQLite state (PLANBOT_STATE_DIR) into the database at ``to``."""
    path = settings.state_db_file
    if not path.is_file():
        print(f"planbot: no SQLite state to copy at {path}", file=sys.stderr)
        return 2
    # Brought up to date first, so that its tables have every column the target has.
    source = StateDB(path)
    source.ensure_schema()
    target = StateDB(to)
    target.ensure_schema()
    copied = copy_state(source.engine, target)
    for table, rows in copied.items():
        print(f"{table}\t{rows} row(s) copied")
    print(f"state copied from {source!r} to {target!r}; set DATABASE_URL to use it")
    return 0
