"""``planbot check``: verify every warehouse snapshot, and with ``--repair`` mend the rest.

Repairing points CURRENT at the newest snapshot that verifies, moves damaged snapshots
to ``warehouse/damaged/`` (kept for a look, out of the readers' way), and removes what
interrupted writes left (temporary directories, half-written pointer files, complete
snapshots nothing points to).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bot.config import Settings
from bot.ingest.integrity import check_snapshot, choose_snapshot, current_name, snapshot_dirs
from bot.ingest.snapshots import warehouse_dir
from bot.ingest.warehouse import (
    leftovers,
    remove_leftovers,
    stale_index_years,
    switch_current,
    write_reports,
    writer_lock,
)


def check_command(settings: Settings, *, repair: bool) -> int:
    """0: whole (or mended); 1: damage remains (run with --repair); 2: nothing usable."""
    code = _check(settings, repair=repair)
    # A term index of an earlier format is no damage (readers index those years in
    # memory), but repairing writes it; outside the lock, which the writer takes.
    choice = choose_snapshot(settings.data_dir)
    stale = stale_index_years(choice.path) if code == 0 and choice.path is not None else []
    if stale:
        years = ", ".join(f"FY{y}" for y in stale)
        if not repair:
            print(f"term index of an earlier format: {years} (`planbot check --repair` writes it)")
        else:
            result = write_reports(
                settings.data_dir,
                [],
                keep_snapshots=settings.keep_snapshots,
                database_url=settings.database_url,
            )
            print(f"term index written for {years} → snapshot {result.snapshot}")
    return code


def _check(settings: Settings, *, repair: bool) -> int:
    data_dir = settings.data_dir
    root = warehouse_dir(data_dir)
    if not (root / "snapshots").is_dir():
        print(f"no warehouse in {data_dir}: nothing to check (run `planbot ingest` first)")
        return 0
    with writer_lock(root):
        current = current_name(data_dir)
        damaged: list[Path] = []
        for snapshot in snapshot_dirs(data_dir):
            check = check_snapshot(snapshot)
            mark = " (current)" if snapshot.name == current else ""
            if check.ok:
                print(f"ok       {snapshot.name}{mark}")
                continue
            damaged.append(snapshot)
            print(f"DAMAGED  {snapshot.name}{mark}")
            for problem in check.problems:
                print(f"         {problem}")
        left = leftovers(root)
        for path in left:
            print(f"leftover {path.relative_to(root)}")
        choice = choose_snapshot(data_dir)
        if current is not None and choice.path is None:
            print("no snapshot verifies: ingest the reports again", file=sys.stderr)
            return 2
        if not damaged and not left and choice.damaged is None:
            print("the warehouse is whole")
            return 0
        if not repair:
            print(
                "run `planbot check --repair` to switch to the newest whole snapshot,"
                " set damaged ones aside and remove leftovers",
                file=sys.stderr,
            )
            return 1
        if choice.fell_back and choice.path is not None:
            switch_current(root, choice.path.name)
            print(f"CURRENT now names {choice.path.name} (was {current})")
        aside = root / "damaged"
        for snapshot in damaged:
            aside.mkdir(exist_ok=True)
            shutil.move(str(snapshot), str(aside / snapshot.name))
            print(f"moved {snapshot.name} to {aside.relative_to(root)}/")
        removed = remove_leftovers(root)
        if removed:
            print(f"removed {removed} leftover(s) of interrupted writes")
        return 0
