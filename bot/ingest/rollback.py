"""Going back one warehouse snapshot: undoing the last ingest (``/plan rollback``).

Snapshots are immutable and the writer keeps the last few, so going back is pointing
CURRENT at the one before, under the same lock every writer takes.
"""

from __future__ import annotations

from pathlib import Path

from bot.ingest.snapshots import current_snapshot, read_manifest, warehouse_dir
from bot.ingest.warehouse import switch_current, writer_lock
from bot.models import Frozen


class SourceFile(Frozen):
    file: str
    municipality: str
    fiscal_year: int
    checksum: str
    sheets: tuple[str, ...]


class RollbackPlan(Frozen):
    """From the live snapshot back to the one before it, and what that takes out."""

    version: int = 1
    current: str
    previous: str
    removes: tuple[SourceFile, ...]
    restores: tuple[SourceFile, ...]


def plan_rollback(data_dir: Path) -> RollbackPlan | None:
    """What going back one snapshot would do; None when there is no earlier snapshot."""
    current = current_snapshot(data_dir)
    if current is None:
        return None
    earlier = sorted(
        p
        for p in current.parent.iterdir()
        if not p.name.startswith(".") and p.name < current.name and (p / "manifest.json").is_file()
    )
    if not earlier:
        return None
    previous = earlier[-1]
    now, then = _sources(current), _sources(previous)
    return RollbackPlan(
        current=current.name,
        previous=previous.name,
        removes=tuple(s for s in now if s not in then),
        restores=tuple(s for s in then if s not in now),
    )


def roll_back(data_dir: Path, plan: RollbackPlan, *, database_url: str | None = None) -> bool:
    """Carry out a plan; False (nothing done) if the warehouse moved on since it was made."""
    root = warehouse_dir(data_dir)
    with writer_lock(root, database_url):
        current = current_snapshot(data_dir)
        if current is None or current.name != plan.current:
            return False
        if not (root / "snapshots" / plan.previous / "manifest.json").is_file():
            return False
        switch_current(root, plan.previous)
    return True


def _sources(snapshot: Path) -> list[SourceFile]:
    return [
        SourceFile(
            file=str(s["file"]),
            municipality=str(s["municipality"]),
            fiscal_year=int(s["fiscal_year"]),
            checksum=str(s["checksum"]),
            sheets=tuple(s["sheets"]),
        )
        for s in read_manifest(snapshot)["sources"]  # type: ignore[attr-defined]
    ]
