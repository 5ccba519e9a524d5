"""A PostgreSQL server of a test's own, to stop and start for real (a restart, a failover).

Made with the installed server's initdb and pg_ctl in a temporary directory, on a free
port of 127.0.0.1, trust auth for ``postgres``. PostgreSQL refuses to run as root, so as
root the server runs as the ``postgres`` system user (through ``runuser``). Where the
server programs or that user are missing, tests that need one are skipped with one line.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.slack.test_serve_process import free_port


def _bindir() -> Path | None:
    """The directory of initdb and pg_ctl: pg_config's, else the newest installed."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    # Debian's layout, one directory per major version.
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((d for d in candidates if (d / "initdb").is_file()), None)


def _run_as() -> list[str] | None:
    """The prefix that runs a command as a user PostgreSQL accepts; None when none can."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else None


class PrivateServer:
    def __init__(self, bindir: Path, prefix: list[str], root: Path) -> None:
        self.bindir = bindir
        self.prefix = prefix
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.prefix, str(self.bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(
                f"{program} failed: {done.stderr.strip() or done.stdout.strip()}\n"
                + (log.read_text(errors="replace") if log.is_file() else "")
            )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
            # A throwaway server: durability is not what the tests are about.
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown, as a restart or failover does: sessions are cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").is_file()


@contextmanager
def private_server() -> Iterator[PrivateServer]:
    """A started server of this test's own; stopped and removed afterwards, always."""
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server programs (initdb) installed")
    prefix = _run_as()
    if prefix is None:
        pytest.skip("running as root without a postgres user and runuser: initdb refuses root")
    root = Path(tempfile.mkdtemp(prefix="planbot-pg-"))
    try:
        if prefix:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
        server = PrivateServer(bindir, prefix, root)
        server.init()
        server.start()
        try:
            yield server
        finally:
            if server.running():
                subprocess.run(
                    [*prefix, str(bindir / "pg_ctl"), "-D", str(server.data), "-m", "immediate",
                     "-w", "stop"],
                    capture_output=True, timeout=60,
                )  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
