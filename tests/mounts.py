"""Small real filesystems for tests of a full disk and a read-only data directory.

A tmpfs of a few hundred KB fills up after the first snapshot; remounted read-only it
refuses every write with EROFS, which no permission bit can fake for root. Mounting
needs privileges: where the machine does not allow it, the test is skipped.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), capture_output=True, check=False)


@contextmanager
def tmpfs(at: Path, *, size_kb: int) -> Iterator[Path]:
    at.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(at))
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs privileges)")
    try:
        yield at
    finally:
        _run("umount", "-l", str(at))


def remount_read_only(at: Path) -> None:
    done = _run("mount", "-o", "remount,ro", str(at))
    if done.returncode != 0:
        pytest.skip("cannot remount a tmpfs read-only here")
