"""Departments renamed, split and merged over a plan's years: which names are one
department's, and what a name is called now.

Ingest detects moves (a department gone, its items graded the next year by one that did
not exist before) and records them in the snapshot's manifest; ``[[renames]]`` in
aliases.toml states them explicitly and replaces what was detected for the same former
department. Questions naming either name then find the department's items in every year.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, ValidationError

from bot.models import DepartmentMove, Frozen, Language

if TYPE_CHECKING:
    from bot.store.database import Store

#: Where the detected moves are recorded in a snapshot's manifest.
MANIFEST_KEY = "department_moves"


class ExplicitRename(Frozen):
    """One ``[[renames]]`` entry of aliases.toml (several with one ``from``: a split)."""

    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    fiscal_year: int | None = None
    municipality: str | None = None


class RenamesFileError(ValueError):
    pass


def explicit_moves(aliases_file: Path | None) -> list[DepartmentMove]:
    """The renames aliases.toml states, as moves (kinds worked out as for detected ones)."""
    if aliases_file is None or not aliases_file.is_file():
        return []
    with aliases_file.open("rb") as fh:
        entries = tomllib.load(fh).get("renames", [])
    try:
        renames = [ExplicitRename.model_validate(e) for e in entries]
    except ValidationError as exc:
        raise RenamesFileError(f"{aliases_file}: [[renames]]: {exc}") from exc
    moves = [
        DepartmentMove(
            municipality=r.municipality,
            fiscal_year=r.fiscal_year,
            from_department=r.from_,
            to_department=r.to,
            explicit=True,
        )
        for r in renames
    ]
    return _with_kinds(moves)


def _with_kinds(moves: list[DepartmentMove]) -> list[DepartmentMove]:
    ways: dict[str, int] = {}
    sources: dict[str, int] = {}
    for m in moves:
        ways[m.from_department] = ways.get(m.from_department, 0) + 1
        sources[m.to_department] = sources.get(m.to_department, 0) + 1
    return [
        m.model_copy(
            update={
                "kind": "split"
                if ways[m.from_department] > 1
                else ("merge" if sources[m.to_department] > 1 else "rename")
            }
        )
        for m in moves
    ]


def detected_moves(manifest: Mapping[str, object]) -> list[DepartmentMove]:
    """The moves a snapshot recorded at ingest (none in snapshots made before they were)."""
    raw = manifest.get(MANIFEST_KEY) or []
    return [DepartmentMove.model_validate(m) for m in raw]  # type: ignore[attr-defined]


def effective_moves(
    detected: Sequence[DepartmentMove], explicit: Sequence[DepartmentMove]
) -> list[DepartmentMove]:
    """Explicit renames override what was detected for the same former department."""
    stated = {m.from_department for m in explicit}
    return [*explicit, *(m for m in detected if m.from_department not in stated)]


def reorganisations_for(store: Store, aliases_file: Path | None) -> Reorganisations:
    """The live snapshot's reorganisations with the alias file's renames over them,
    worked out once per snapshot."""

    def build() -> Reorganisations:
        detected = detected_moves(store.manifest)
        return Reorganisations(effective_moves(detected, explicit_moves(aliases_file)))

    history: Reorganisations = store.cached(f"reorganisations:{aliases_file}", build)
    return history


class Reorganisations:
    """The moves between departments, as a graph of names."""

    def __init__(self, moves: Iterable[DepartmentMove] = ()) -> None:
        self.moves = tuple(moves)
        self._next: dict[str, list[str]] = {}
        self._previous: dict[str, list[str]] = {}
        for m in self.moves:
            if m.from_department == m.to_department:
                continue
            self._next.setdefault(m.from_department, []).append(m.to_department)
            self._previous.setdefault(m.to_department, []).append(m.from_department)

    def __bool__(self) -> bool:
        return bool(self._next)

    def _walk(self, name: str, edges: dict[str, list[str]]) -> list[str]:
        seen: list[str] = []
        todo = list(edges.get(name, ()))
        while todo:
            other = todo.pop(0)
            if other != name and other not in seen:
                seen.append(other)
                todo.extend(edges.get(other, ()))
        return seen

    def former(self, name: str) -> list[str]:
        """Every name the department was known by before (its predecessors, transitively)."""
        return self._walk(name, self._previous)

    def later(self, name: str) -> list[str]:
        """Every department its items went to since (its successors, transitively)."""
        return self._walk(name, self._next)

    def names_for(self, name: str) -> tuple[str, ...]:
        """The names a question about this department means in any year: itself, what it
        was called before and what it became (never a sibling of a split)."""
        return (name, *self.former(name), *self.later(name))

    def current(self, name: str) -> str:
        """The name the department has now: renames and merges followed forward; a
        department split several ways keeps its own name."""
        seen = {name}
        while len(nxt := self._next.get(name, [])) == 1 and nxt[0] not in seen:
            name = nxt[0]
            seen.add(name)
        return name

    def under_current_names(
        self, counts: Mapping[str, Mapping[str, int]]
    ) -> dict[str, dict[str, int]]:
        """Per-department grade counts with each former name's added under today's."""
        out: dict[str, dict[str, int]] = {}
        for name, grades in counts.items():
            into = out.setdefault(self.current(name), {})
            for grade, n in grades.items():
                into[grade] = into.get(grade, 0) + n
        return dict(sorted(out.items()))

    def label(self, name: str, lang: Language) -> str:
        """A name with its history: 子ども子育て支援課（旧 子ども政策課）, or for a
        department since split 子ども育成課（現 保育課・児童青少年課）."""
        now = self.current(name)
        if now != name:
            return self.label(now, lang)
        later = self.later(name)
        if later:
            return (
                f"{name}（現 {'・'.join(later)}）"
                if lang == "ja"
                else f"{name} (now {', '.join(later)})"
            )
        former = self.former(name)
        if former:
            return (
                f"{name}（旧 {'・'.join(former)}）"
                if lang == "ja"
                else f"{name} (formerly {', '.join(former)})"
            )
        return name


def describe_move(move: DepartmentMove) -> str:
    """One line of ingest output: 子ども政策課 → 子ども子育て支援課 (4 items)."""
    count = f"{move.items} item{'s' if move.items != 1 else ''}"
    extra = [] if move.kind == "rename" else [move.kind]
    if move.explicit:
        extra.append("aliases.toml")
    details = ", ".join([count, *extra]) if move.items else ", ".join(extra or ["rename"])
    year = f"FY{move.fiscal_year}: " if move.fiscal_year else ""
    return f"{year}{move.from_department} → {move.to_department} ({details})"
