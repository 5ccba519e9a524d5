"""Whether a warehouse snapshot is whole, and which one to read when the current is not.

Every snapshot's manifest records each parquet file's size and SHA-256 (as it does for
the source reports). A snapshot verifies when every listed file is there with that size
and checksum, and every fiscal year the manifest names has its partition. A truncated or
zeroed file, or a partition deleted by hand, makes the snapshot fail; readers then take
the newest snapshot that verifies, and say so. Snapshots written before checksums were
recorded are checked for their partitions only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot.ingest.snapshots import warehouse_dir

EVALUATIONS = "evaluations"
TERMS = "terms"  # bot.ingest.term_index.TERMS (not imported: that module loads numpy)
_CHUNK = 1 << 20


class FileChecksum(BaseModel):
    """One file of a snapshot as written: its size and SHA-256."""

    model_config = ConfigDict(frozen=True)

    bytes: int
    sha256: str


class SnapshotCheck(BaseModel):
    """A snapshot and what is wrong with it (nothing: it verifies)."""

    model_config = ConfigDict(frozen=True)

    name: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


class SnapshotChoice(BaseModel):
    """The snapshot to read: the current one, or the newest whole one when it is damaged."""

    model_config = ConfigDict(frozen=True)

    #: None: no snapshot verifies (or nothing was ever ingested).
    path: Path | None
    #: What CURRENT names (None when there is no CURRENT).
    current: str | None
    #: The current snapshot's check when it failed, else None.
    damaged: SnapshotCheck | None = None

    @property
    def fell_back(self) -> bool:
        return self.damaged is not None and self.path is not None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def data_files(snapshot: Path) -> list[str]:
    """Every data file of a snapshot (its parquet files and its term index's), relative
    to it, in a stable order."""
    found = [*snapshot.rglob("*.parquet"), *(snapshot / TERMS).glob("*/*")]
    return sorted({p.relative_to(snapshot).as_posix() for p in found if p.is_file()})


def file_checksums(
    snapshot: Path, known: dict[str, FileChecksum] | None = None
) -> dict[str, FileChecksum]:
    """Size and SHA-256 of each parquet file. ``known`` entries are reused for files that
    are hard links to an earlier snapshot's (the same file, already summed)."""
    sums: dict[str, FileChecksum] = {}
    for rel in data_files(snapshot):
        path = snapshot / rel
        size = path.stat().st_size
        reused = (known or {}).get(rel)
        if reused is not None and reused.bytes == size and path.stat().st_nlink > 1:
            sums[rel] = reused
        else:
            sums[rel] = FileChecksum(bytes=size, sha256=sha256_of(path))
    return sums


def recorded_checksums(manifest: dict[str, object]) -> dict[str, FileChecksum]:
    files = manifest.get("files")
    if not isinstance(files, dict):
        return {}
    return {str(rel): FileChecksum.model_validate(entry) for rel, entry in files.items()}


def check_snapshot(snapshot: Path) -> SnapshotCheck:
    """Verify one snapshot directory against its manifest."""
    name = snapshot.name
    try:
        manifest = json.loads((snapshot / "manifest.json").read_text("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        return SnapshotCheck(name=name, problems=(f"manifest.json unreadable: {exc}",))
    problems: list[str] = []
    for year in manifest.get("fiscal_years") or []:
        part = snapshot / EVALUATIONS / f"fiscal_year={year}" / "part.parquet"
        if not part.is_file():
            problems.append(f"FY{year}: partition {part.relative_to(snapshot)} is missing")
    try:
        recorded = recorded_checksums(manifest)
    except ValueError as exc:
        return SnapshotCheck(name=name, problems=(*problems, f"manifest file list: {exc}"))
    for rel, want in recorded.items():
        path = snapshot / rel
        if not path.is_file():
            if not any(rel in p for p in problems):
                problems.append(f"{rel} is missing")
            continue
        size = path.stat().st_size
        if size != want.bytes:
            problems.append(f"{rel} is {size} bytes, {want.bytes} were written (truncated?)")
        elif sha256_of(path) != want.sha256:
            problems.append(f"{rel} does not match its checksum (damaged)")
    return SnapshotCheck(name=name, problems=tuple(problems))


def snapshot_dirs(data_dir: Path) -> list[Path]:
    """Every complete-looking snapshot directory, newest first (names sort by time)."""
    root = warehouse_dir(data_dir) / "snapshots"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: p.name, reverse=True)


def current_name(data_dir: Path) -> str | None:
    try:
        return (warehouse_dir(data_dir) / "CURRENT").read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def choose_snapshot(data_dir: Path, *, verified: Iterable[str] = ()) -> SnapshotChoice:
    """The current snapshot if it verifies, else the newest older one that does.

    ``verified`` names snapshots this process already checked (they are immutable).
    """
    known_good = set(verified)
    current = current_name(data_dir)
    root = warehouse_dir(data_dir) / "snapshots"
    damaged: SnapshotCheck | None = None
    if current is not None:
        path = root / current
        if current in known_good:
            return SnapshotChoice(path=path, current=current)
        check = (
            check_snapshot(path)
            if path.is_dir()
            else SnapshotCheck(name=current, problems=("the snapshot CURRENT names is missing",))
        )
        if check.ok:
            return SnapshotChoice(path=path, current=current)
        damaged = check
    else:
        # Nothing ever switched to: a first write that did not finish is no warehouse.
        return SnapshotChoice(path=None, current=None)
    for candidate in snapshot_dirs(data_dir):
        if candidate.name >= current:
            continue  # newer than CURRENT: a write that never switched, not a fallback
        if candidate.name in known_good or check_snapshot(candidate).ok:
            return SnapshotChoice(path=candidate, current=current, damaged=damaged)
    return SnapshotChoice(path=None, current=current, damaged=damaged)
