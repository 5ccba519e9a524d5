"""Finding the live warehouse snapshot. Kept apart from the writer so that answering a
question never imports pyarrow (a third of a second at every process start)."""

from __future__ import annotations

import json
from pathlib import Path


def warehouse_dir(data_dir: Path) -> Path:
    return data_dir / "warehouse"


def current_snapshot(data_dir: Path) -> Path | None:
    """The live snapshot directory, or None when nothing has been ingested yet."""
    root = warehouse_dir(data_dir)
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / "snapshots" / name
    return path if (path / "manifest.json").is_file() else None


def read_manifest(snapshot: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((snapshot / "manifest.json").read_text("utf-8"))
    return data
