"""The parquet warehouse: immutable snapshots switched atomically.

Layout under ``<data_dir>/warehouse``::

    CURRENT                      name of the live snapshot (replaced with os.replace)
    snapshots/<id>/manifest.json every source: checksum, fiscal year, sheets, row counts
    snapshots/<id>/evaluations/fiscal_year=<FY>/part.parquet
    snapshots/<id>/terms/fiscal_year=<FY>/index.json, *.npy   (bot.ingest.term_index)
    snapshots/<id>/goals.parquet
    snapshots/<id>/reports.parquet

A write builds a complete new snapshot in a temporary directory, renames it into place
and only then points CURRENT at it, so a failure or a kill at any moment leaves the
previous snapshot whole and readable. Fiscal years untouched by an ingest are hard-linked
from the previous snapshot rather than rewritten.

What a report replaces: its (municipality, plan, fiscal year, department sheet) rows.
Ingesting next year's report adds a year; ingesting a year again replaces those sheets;
ingesting the identical file again changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from bot.ingest.integrity import (
    choose_snapshot,
    current_name,
    file_checksums,
    recorded_checksums,
)
from bot.ingest.removals import IngestRemovals, removals_against
from bot.ingest.snapshots import current_snapshot as current_snapshot  # (re-exported)
from bot.ingest.snapshots import read_manifest, warehouse_dir
from bot.ingest.term_index import TERMS, index_files, is_current, write_term_index
from bot.models import DepartmentMove, Report
from bot.reorganisations import MANIFEST_KEY, detected_moves
from bot.state.leadership import across_hosts
from bot.store.named_queries import default_queries_dir, parse_query_file
from bot.text import search_keys

KEEP_SNAPSHOTS = 3
# Small row groups let DuckDB scan a year on every core and skip other cities' rows
# (measured at 1.7 M evaluations: keyword query 704 → 362 ms on 2 cores).
ROW_GROUP_SIZE = 16_384
EVALUATIONS = "evaluations"

EVALUATION_SCHEMA = pa.schema(
    [
        ("municipality", pa.string()),
        ("plan", pa.string()),
        ("item_no", pa.int32()),
        ("item_name", pa.string()),
        ("item_summary", pa.string()),
        ("category", pa.string()),
        ("target_groups", pa.list_(pa.string())),
        ("relisted_from", pa.int32()),
        ("goal_no", pa.int32()),
        ("goal_numeral", pa.string()),
        ("goal_title", pa.string()),
        ("policy_no", pa.int32()),
        ("policy_title", pa.string()),
        ("measure_no", pa.int32()),
        ("measure_title", pa.string()),
        ("priority", pa.bool_()),
        ("department", pa.string()),
        ("department_key", pa.string()),
        ("sheet_department", pa.string()),
        ("grade", pa.string()),
        ("plan_text", pa.string()),
        ("result_text", pa.string()),
        ("next_plan_text", pa.string()),
        # Precomputed at ingest so keyword search never normalises text per question.
        ("name_key", pa.string()),
        ("search_text", pa.string()),
        ("source_file", pa.string()),
        ("source_sheet", pa.string()),
        ("source_line", pa.int32()),
        ("report_checksum", pa.string()),
    ]
)

GOAL_SCHEMA = pa.schema(
    [
        ("municipality", pa.string()),
        ("plan", pa.string()),
        ("fiscal_year", pa.int32()),
        ("goal_no", pa.int32()),
        ("goal_numeral", pa.string()),
        ("goal_title", pa.string()),
        ("category_counts", pa.string()),
    ]
)

REPORT_SCHEMA = pa.schema(
    [
        ("municipality", pa.string()),
        ("plan", pa.string()),
        ("fiscal_year", pa.int32()),
        ("next_fiscal_year", pa.int32()),
        ("title", pa.string()),
        ("source_file", pa.string()),
        ("checksum", pa.string()),
        ("sheets", pa.list_(pa.string())),
        ("items", pa.int32()),
        ("evaluations", pa.int32()),
        ("ingested_at", pa.string()),
    ]
)


class RemovalsRefused(Exception):
    """An ingest that would remove evaluations or sheets, without ``allow_removals``."""

    def __init__(self, removals: IngestRemovals) -> None:
        super().__init__(
            f"the ingest would remove {removals.evaluations_removed} evaluation(s)"
            f" and finds {sum(len(m.sheets) for m in removals.missing_sheets)} sheet(s) missing"
        )
        self.removals = removals


@dataclass(frozen=True)
class IngestResult:
    snapshot: str | None
    changed: bool
    added: list[str]
    unchanged: list[str]
    fiscal_years: list[int]
    evaluations: int
    #: Departments reorganised that this ingest found (renames, splits, merges).
    moves: tuple[DepartmentMove, ...] = ()


class WarehouseWriteError(OSError):
    """The warehouse could not be written (a full disk, a read-only data directory); the
    previous snapshot is untouched and still answers."""


_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _cannot_write(root: Path, exc: BaseException) -> WarehouseWriteError:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
    return WarehouseWriteError(
        f"cannot write the warehouse in {root}: {why}; the previous snapshot is unchanged"
    )


@contextlib.contextmanager
def writer_lock(root: Path, database_url: str | None = None) -> Iterator[None]:
    """One writer at a time; readers never take the lock (snapshots are immutable).

    With ``database_url`` (PostgreSQL) also across every host sharing the warehouse
    volume, through an advisory lock: file locks on network volumes cannot be trusted.
    """
    with across_hosts(database_url, "warehouse-writer"):
        yield from _file_lock(root)


def _file_lock(root: Path) -> Iterator[None]:
    try:
        root.mkdir(parents=True, exist_ok=True)
        fh = (root / ".lock").open("w")
    except OSError as exc:
        raise _cannot_write(root, exc) from exc
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _lock_unless_read_only(root: Path, database_url: str | None) -> Iterator[bool]:
    """The writer lock; on a read-only data directory no writer can exist, so reading
    goes ahead without it (yields False: nothing may be written)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(writer_lock(root, database_url))
        except WarehouseWriteError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, OSError) and cause.errno in _READ_ONLY and root.is_dir()):
                raise
            writable = False
        else:
            writable = True
        yield writable


def ingest_removals(data_dir: Path, reports: Sequence[Report]) -> IngestRemovals:
    """What ingesting ``reports`` now would remove from the warehouse (empty: nothing)."""
    previous = choose_snapshot(data_dir).path
    old_sources = _sources(_manifest(previous))
    incoming, fresh, _ = _fresh(old_sources, reports)
    return removals_against(previous, old_sources, incoming, fresh)


def _manifest(snapshot: Path | None) -> dict[str, object]:
    return read_manifest(snapshot) if snapshot else {"sources": []}


def _sources(manifest: dict[str, object]) -> list[dict[str, object]]:
    return list(manifest["sources"])  # type: ignore[call-overload]


def _fresh(
    old_sources: Sequence[dict[str, object]], reports: Sequence[Report]
) -> tuple[list[Report], list[Report], list[str]]:
    """(the reports not already held, those cut to the sheets each wins, unchanged files).

    A file already in, with every sheet still its own, changes nothing; one whose
    sheets a later correction replaced is ingested again (it reverts that correction).
    """
    held: dict[str, set[str]] = {}
    for src in old_sources:
        held.setdefault(str(src["checksum"]), set()).update(src["sheets"])  # type: ignore[call-overload]
    is_held = [r.checksum in held and set(r.sheets) <= held[r.checksum] for r in reports]
    incoming = [r for r, h in zip(reports, is_held, strict=True) if not h]
    unchanged = [r.source_file for r, h in zip(reports, is_held, strict=True) if h]
    return incoming, _last_per_key(incoming), unchanged


def write_reports(
    data_dir: Path,
    reports: Sequence[Report],
    *,
    allow_removals: bool = False,
    keep_snapshots: int = KEEP_SNAPSHOTS,
    database_url: str | None = None,
) -> IngestResult:
    """Merge parsed reports into a new snapshot and switch to it atomically.

    Raises :class:`RemovalsRefused` (writing nothing) when the reports would remove
    evaluations the warehouse holds, or lack sheets an earlier version of the same file
    had, unless ``allow_removals``; :class:`WarehouseWriteError` when the data directory
    cannot be written (a re-ingest that changes nothing still succeeds read-only).
    The new snapshot builds on the newest one that verifies, so a damaged current
    snapshot is never carried forward.
    """
    root = warehouse_dir(data_dir)
    with _lock_unless_read_only(root, database_url) as writable:
        previous = choose_snapshot(data_dir).path
        manifest = _manifest(previous)
        old_sources = _sources(manifest)
        incoming, fresh, unchanged = _fresh(old_sources, reports)
        if fresh and not allow_removals:
            removals = removals_against(previous, old_sources, incoming, fresh)
            if not removals.empty:
                raise RemovalsRefused(removals)
        # Nothing new, but a term index of an earlier format (or none) is written anew:
        # readers otherwise index those years in memory in every process.
        reindex = bool(writable and previous is not None and stale_index_years(previous))
        if not fresh and not reindex:
            return IngestResult(
                snapshot=previous.name if previous else None,
                changed=False,
                added=[],
                unchanged=unchanged,
                fiscal_years=_years(old_sources),
                evaluations=sum(int(str(s["evaluations"])) for s in old_sources),
            )
        if not writable:
            raise _cannot_write(root, OSError(errno.EROFS, os.strerror(errno.EROFS)))
        # What an interrupted write left, cleaned while it is still told apart from ours:
        # a complete snapshot newer than CURRENT is a write that never switched.
        remove_leftovers(root)
        snapshot_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]
        tmp = root / "snapshots" / f".tmp-{snapshot_id}"
        try:
            tmp.mkdir(parents=True)
            sources, moves = _build_snapshot(tmp, previous, old_sources, fresh, manifest)
            total = sum(int(str(s["evaluations"])) for s in sources)
            new_manifest = {
                "format": 2,
                "snapshot": snapshot_id,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "fiscal_years": _years(sources),
                "row_counts": {"evaluations": total, "reports": len(sources)},
                "sources": sources,
                MANIFEST_KEY: [m.model_dump(mode="json", exclude_defaults=True) for m in moves],
                # Each file's size and SHA-256: readers verify them before trusting it.
                "files": {
                    rel: checksum.model_dump()
                    for rel, checksum in file_checksums(tmp, recorded_checksums(manifest)).items()
                },
            }
            _write_json(tmp / "manifest.json", new_manifest)
            _fsync_tree(tmp)
            final = root / "snapshots" / snapshot_id
            tmp.rename(final)
            switch_current(root, snapshot_id)
        except (OSError, duckdb.IOException, pa.ArrowException) as exc:
            # A full disk or a directory turned read-only: the previous snapshot stays.
            shutil.rmtree(tmp, ignore_errors=True)
            raise _cannot_write(root, exc) from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(root, keep=snapshot_id, keep_snapshots=keep_snapshots)
        return IngestResult(
            snapshot=snapshot_id,
            changed=True,
            added=[r.source_file for r in fresh],
            unchanged=unchanged,
            fiscal_years=_years(sources),
            evaluations=total,
            moves=tuple(m for m in moves if m not in detected_moves(manifest)),
        )


def stale_index_years(snapshot: Path) -> list[int]:
    """The fiscal years of a snapshot whose term index is missing or of another format."""
    return sorted(
        y
        for y in _partition_years(snapshot)
        if not is_current(snapshot / TERMS / f"fiscal_year={y}")
    )


def _years(sources: Sequence[dict[str, object]]) -> list[int]:
    return sorted({int(str(s["fiscal_year"])) for s in sources})


def _last_per_key(reports: Sequence[Report]) -> list[Report]:
    """Within one ingest a later file wins over an earlier one for the sheets they share;
    the earlier keeps its other sheets (a full report and a corrected sheet, together)."""
    owner: dict[tuple[str, str, int, str], int] = {}
    for i, report in enumerate(reports):
        for key in _sheet_keys(report):
            owner[key] = i
    kept: list[Report] = []
    for i, report in enumerate(reports):
        own = [s for s in report.sheets if owner[_sheet_key(report, s)] == i]
        if len(own) == len(report.sheets):
            kept.append(report)
        elif own:
            kept.append(_only_sheets(report, own))
    return kept


def _only_sheets(report: Report, sheets: list[str]) -> Report:
    """A report cut down to some of its sheets: their evaluations, the items they grade."""
    evaluations = tuple(e for e in report.evaluations if e.source.sheet in sheets)
    numbers = {e.item_number for e in evaluations}
    return report.model_copy(
        update={
            "sheets": tuple(sheets),
            "evaluations": evaluations,
            "items": tuple(i for i in report.items if i.number in numbers),
        }
    )


def _sheet_key(report: Report, sheet: str) -> tuple[str, str, int, str]:
    return (report.municipality, report.plan, report.fiscal_year, sheet)


def _sheet_keys(report: Report) -> set[tuple[str, str, int, str]]:
    return {_sheet_key(report, s) for s in report.sheets}


def _build_snapshot(
    tmp: Path,
    previous: Path | None,
    old_sources: list[dict[str, object]],
    fresh: list[Report],
    manifest: dict[str, object],
) -> tuple[list[dict[str, object]], list[DepartmentMove]]:
    replaced = set().union(*(_sheet_keys(r) for r in fresh))
    ingested_at = datetime.now(UTC).isoformat(timespec="seconds")

    # Sources: drop the sheets a fresh report replaces; a source left with none goes.
    sources: list[dict[str, object]] = []
    for src in old_sources:
        sheets = [
            s
            for s in src["sheets"]  # type: ignore[attr-defined]
            if (src["municipality"], src["plan"], src["fiscal_year"], s) not in replaced
        ]
        if sheets:
            sources.append({**src, "sheets": sheets})

    # One in-memory connection for every partition and the recount: opening one costs
    # ~11 ms, as much as writing a city's year.
    with contextlib.closing(duckdb.connect(":memory:")) as con:
        _write_partitions(con, tmp, previous, fresh, replaced)
        # Counts after replacement: a partly replaced source keeps only its surviving rows.
        for r in fresh:
            sources.append(_source_entry(r, ingested_at))
        _recount(con, tmp, sources, {r.fiscal_year for r in fresh})
        moves = _department_moves(con, tmp, manifest, {r.municipality for r in fresh})
    _write_goals(tmp, previous, fresh)
    _write_reports_table(tmp, sources)
    return sources, moves


def _department_moves(
    con: duckdb.DuckDBPyConnection,
    snapshot: Path,
    manifest: dict[str, object],
    municipalities: set[str],
) -> list[DepartmentMove]:
    """Departments reorganised in the municipalities this ingest touched, found again over
    all their years (a corrected earlier year can change them); the others' as they were."""
    kept = [m for m in detected_moves(manifest) if m.municipality not in municipalities]
    query = parse_query_file(default_queries_dir() / "department_moves.sql")
    path = str(snapshot / EVALUATIONS / "*" / "*.parquet").replace("'", "''")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW evaluations AS"
        f" SELECT * FROM read_parquet('{path}', hive_partitioning = true)"
    )
    cursor = con.execute(query.sql, {"municipalities": sorted(municipalities)})
    columns = [d[0] for d in cursor.description or ()]
    found = [DepartmentMove(**dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]
    return kept + found


def _write_partitions(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    previous: Path | None,
    fresh: list[Report],
    replaced: set[tuple[str, str, int, str]],
) -> None:
    touched_years = {r.fiscal_year for r in fresh}
    years_on_disk = _partition_years(previous) if previous else set()
    for year in sorted(years_on_disk | touched_years):
        target = tmp / EVALUATIONS / f"fiscal_year={year}"
        target.mkdir(parents=True)
        old_file = (
            previous / EVALUATIONS / f"fiscal_year={year}" / "part.parquet" if previous else None
        )
        index = tmp / TERMS / f"fiscal_year={year}"
        old_index = previous / TERMS / f"fiscal_year={year}" if previous else None
        if year not in touched_years and old_file is not None:
            _link_or_copy(old_file, target / "part.parquet")
            if old_index is not None and is_current(old_index):
                index.mkdir(parents=True)
                for src, dst in zip(index_files(old_index), index_files(index), strict=True):
                    _link_or_copy(src, dst)
                continue
            # A year linked from a snapshot written before this index format gets one too;
            # its rows' search keys may be of the earlier normalisation.
            fresh_keys = False
        else:
            fresh_rows = _evaluation_table([r for r in fresh if r.fiscal_year == year])
            kept = old_file if old_file is not None and old_file.exists() else None
            _write_year(con, target / "part.parquet", kept, fresh_rows, year, replaced)
            # The rows' search keys are today's unless some were kept from a year whose
            # index was of an earlier format (the format changes with the normalisation);
            # a year new to the warehouse keeps none.
            fresh_keys = kept is None or (old_index is not None and is_current(old_index))
        # The index is written from the partition as written: its docs are the file's rows.
        write_term_index(con, target / "part.parquet", index, fresh=fresh_keys)


def _source_entry(r: Report, ingested_at: str) -> dict[str, object]:
    return {
        "file": r.source_file,
        "checksum": r.checksum,
        "municipality": r.municipality,
        "plan": r.plan,
        "title": r.title,
        "fiscal_year": r.fiscal_year,
        "next_fiscal_year": r.next_fiscal_year,
        "sheets": list(r.sheets),
        "ingested_at": ingested_at,
    }


def _partition_years(snapshot: Path) -> set[int]:
    return {int(p.name.split("=", 1)[1]) for p in (snapshot / EVALUATIONS).glob("fiscal_year=*")}


def _write_year(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    old_file: Path | None,
    fresh_rows: pa.Table,
    year: int,
    replaced: set[tuple[str, str, int, str]],
) -> None:
    """One fiscal year's partition: the old rows minus replaced sheets, plus the new rows.

    DuckDB does the filtering, sorting and parquet writing: it is already loaded for
    reading, and pyarrow's compute module alone takes most of a second to import.
    """
    keys = [f"{m}\x1f{p}\x1f{s}" for (m, p, y, s) in replaced if y == year]
    con.register("fresh_rows", fresh_rows)
    try:
        query = "SELECT * FROM fresh_rows"
        params: list[object] = []
        if old_file is not None:
            query = (
                "SELECT * FROM read_parquet(?) WHERE NOT list_contains(?::VARCHAR[],"
                " municipality || chr(31) || plan || chr(31) || source_sheet)"
                " UNION ALL BY NAME " + query
            )
            params = [str(old_file), keys]
        # Line order within an item; sorted by municipality so a city's rows share row groups.
        ordered = (
            f"SELECT * FROM ({query})"
            " ORDER BY municipality, plan, item_no, source_file, source_line"
        )
        # The path is ours (a temp snapshot dir), never user text; quotes are still escaped.
        path = str(target).replace("'", "''")
        con.execute(
            f"COPY ({ordered}) TO '{path}' (FORMAT parquet, COMPRESSION zstd,"
            f" ROW_GROUP_SIZE {ROW_GROUP_SIZE})",
            params,
        )
    finally:
        con.unregister("fresh_rows")


def _evaluation_table(reports: Sequence[Report]) -> pa.Table:
    """The reports' evaluations as one table, item fields repeated on each evaluation row.

    Columns are gathered over all the reports first: one conversion per column instead of
    one per report and column.
    """
    columns: dict[str, list[object]] = {name: [] for name in EVALUATION_SCHEMA.names}
    for report in reports:
        _add_rows(columns, report)
    return pa.table(columns, schema=EVALUATION_SCHEMA)


def _add_rows(columns: dict[str, list[object]], report: Report) -> None:
    items = {i.number: i for i in report.items}
    evs = report.evaluations
    its = [items[ev.item_number] for ev in evs]
    n = len(evs)
    # Search keys in batches: per item and department once, per row for the three texts.
    numbers = list(items)
    name_keys = dict(zip(numbers, search_keys([items[k].name for k in numbers]), strict=True))
    summary_keys = dict(zip(numbers, search_keys([items[k].summary for k in numbers]), strict=True))
    departments = list({ev.department: None for ev in evs})
    dept_keys = dict(zip(departments, search_keys(departments), strict=True))
    texts = search_keys(
        [t for ev in evs for t in (ev.plan_text, ev.result_text, ev.next_plan_text)]
    )
    rows: dict[str, list[object]] = {
        "municipality": [report.municipality] * n,
        "plan": [report.plan] * n,
        "item_no": [i.number for i in its],
        "item_name": [i.name for i in its],
        "item_summary": [i.summary for i in its],
        "category": [i.category for i in its],
        "target_groups": [list(i.target_groups) for i in its],
        "relisted_from": [i.relisted_from for i in its],
        "goal_no": [i.goal.number for i in its],
        "goal_numeral": [i.goal.numeral for i in its],
        "goal_title": [i.goal.title for i in its],
        "policy_no": [i.policy.number for i in its],
        "policy_title": [i.policy.title for i in its],
        "measure_no": [i.measure.number for i in its],
        "measure_title": [i.measure.title for i in its],
        "priority": [i.measure.priority for i in its],
        "department": [ev.department for ev in evs],
        "department_key": [dept_keys[ev.department] for ev in evs],
        "sheet_department": [ev.sheet_department for ev in evs],
        "grade": [ev.grade.value for ev in evs],
        "plan_text": [ev.plan_text for ev in evs],
        "result_text": [ev.result_text for ev in evs],
        "next_plan_text": [ev.next_plan_text for ev in evs],
        "name_key": [name_keys[i.number] for i in its],
        "search_text": [
            f"{name_keys[i.number]}|{summary_keys[i.number]}|{texts[3 * k]}"
            f"|{texts[3 * k + 1]}|{texts[3 * k + 2]}"
            for k, i in enumerate(its)
        ],
        "source_file": [ev.source.file for ev in evs],
        "source_sheet": [ev.source.sheet for ev in evs],
        "source_line": [ev.source.line for ev in evs],
        "report_checksum": [report.checksum] * n,
    }
    for name, values in rows.items():
        columns[name].extend(values)


def _recount(
    con: duckdb.DuckDBPyConnection,
    snapshot: Path,
    sources: list[dict[str, object]],
    years: set[int],
) -> None:
    """Each source's rows as written, for the years this ingest rewrote.

    A report's rows live in its own year's partition only; the other years were linked
    unchanged and keep the counts the previous manifest has.
    """
    if not years:
        return  # only the term index was written anew
    paths = [str(snapshot / EVALUATIONS / f"fiscal_year={y}" / "part.parquet") for y in years]
    rows = con.execute(
        "SELECT report_checksum, count(*), count(DISTINCT item_no) FROM read_parquet(?)"
        " GROUP BY report_checksum",
        [paths],
    ).fetchall()
    counts = {checksum: (n, items) for checksum, n, items in rows}
    for src in sources:
        if int(str(src["fiscal_year"])) in years:
            n, items = counts.get(str(src["checksum"]), (0, 0))
            src["evaluations"], src["items"] = n, items


def _write_goals(tmp: Path, previous: Path | None, fresh: list[Report]) -> None:
    # Per goal: a report of one department's sheet names only the goals that sheet has,
    # and the year's other goals stay as they were.
    fresh_keys = {(r.municipality, r.plan, r.fiscal_year, g.number) for r in fresh for g in r.goals}
    rows: list[dict[str, object]] = []
    if previous and (previous / "goals.parquet").exists():
        for row in pq.read_table(previous / "goals.parquet").to_pylist():
            key = (row["municipality"], row["plan"], row["fiscal_year"], row["goal_no"])
            if key not in fresh_keys:
                rows.append(row)
    merged: dict[tuple[str, str, int, int], dict[str, object]] = {}
    for r in fresh:
        for g in r.goals:
            merged[(r.municipality, r.plan, r.fiscal_year, g.number)] = {
                "municipality": r.municipality,
                "plan": r.plan,
                "fiscal_year": r.fiscal_year,
                "goal_no": g.number,
                "goal_numeral": g.numeral,
                "goal_title": g.title,
                "category_counts": json.dumps(g.category_counts, ensure_ascii=False),
            }
    rows.extend(merged.values())
    pq.write_table(pa.Table.from_pylist(rows, schema=GOAL_SCHEMA), tmp / "goals.parquet")


def _write_reports_table(tmp: Path, sources: list[dict[str, object]]) -> None:
    rows = [
        {name: src.get(name if name != "source_file" else "file") for name in REPORT_SCHEMA.names}
        for src in sources
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=REPORT_SCHEMA), tmp / "reports.parquet")


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def switch_current(root: Path, snapshot_id: str) -> None:
    tmp = root / f".CURRENT.{uuid.uuid4().hex[:8]}"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(snapshot_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(root / "CURRENT")
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def leftovers(root: Path) -> list[Path]:
    """What interrupted writes left (call with the writer lock held, so none is in
    progress): temporary snapshot directories, pointer files never renamed over CURRENT,
    and complete snapshots newer than the one CURRENT names, which nothing points to."""
    found = sorted((root / "snapshots").glob(".tmp-*")) if (root / "snapshots").is_dir() else []
    found += sorted(root.glob(".CURRENT.*"))
    current = current_name(root.parent) if root.name == "warehouse" else None
    if current is not None and (root / "snapshots").is_dir():
        found += sorted(
            p
            for p in (root / "snapshots").iterdir()
            if not p.name.startswith(".") and p.is_dir() and p.name > current
        )
    return found


def remove_leftovers(root: Path) -> int:
    gone = 0
    for path in leftovers(root):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        gone += 1
    return gone


def _prune(root: Path, *, keep: str, keep_snapshots: int) -> None:
    remove_leftovers(root)
    # Older snapshots stay a while for readers that opened them just before the switch,
    # and as whole ones to fall back to if the newest is damaged.
    snapshots = sorted(
        p for p in (root / "snapshots").iterdir() if not p.name.startswith(".") and p.is_dir()
    )
    for old in snapshots[: -max(keep_snapshots, 1)]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
