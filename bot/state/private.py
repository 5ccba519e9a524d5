"""State files only their owner can read: user ids, DM questions, channel ids.

The state directory is made 0700 and each database file 0600 before SQLite opens it
(SQLite gives its -wal and -shm files the database file's mode). An existing directory
or file with wider modes is narrowed, so an upgrade also closes what older versions left
open.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _narrow(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` (a database about to be opened) created 0600 in a 0700 directory."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    os.close(fd)
    _narrow(path, FILE_MODE)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            _narrow(companion, FILE_MODE)
    return path


def _narrow(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)
    except PermissionError:
        # Not ours to change (a shared deployment directory): say so, keep working.
        log.warning("cannot narrow the permissions of %s to %o", path, mode)
