"""The warehouse as DuckDB sees it: one connection, a cursor per thread, named queries.

Bolt listeners and scheduler jobs run on threads; DuckDB connections are not to be
shared across threads, so each thread gets its own cursor on the one database. Views
point at the live snapshot and are re-pointed when an ingest switches CURRENT.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from bot.ingest.snapshots import current_snapshot, read_manifest
from bot.store.named_queries import NamedQuery, default_queries_dir, load_queries, schema_sql


class WarehouseMissing(RuntimeError):
    """No report has been ingested into this data directory yet."""


class QueryTimeout(RuntimeError):
    pass


@dataclass(frozen=True)
class QueryResult:
    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    truncated: bool
    elapsed_ms: float
    params: dict[str, Any]


class Store:
    def __init__(
        self,
        data_dir: Path,
        *,
        queries_dir: Path | None = None,
        row_cap: int = 1000,
        timeout_s: float = 10.0,
        threads: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.queries_dir = queries_dir or default_queries_dir()
        self.queries: dict[str, NamedQuery] = load_queries(self.queries_dir)
        self.row_cap = row_cap
        self.timeout_s = timeout_s
        config = {"threads": threads} if threads else {}
        self._con = duckdb.connect(":memory:", config=config)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._manifest: dict[str, Any] = {}
        self._cache: dict[tuple[str, Path], Any] = {}

    # --- snapshot tracking -----------------------------------------------------------
    def refresh(self) -> Path:
        """Point the views at the live snapshot; cheap when nothing changed."""
        snapshot = current_snapshot(self.data_dir)
        if snapshot is None:
            raise WarehouseMissing(
                f"no reports ingested in {self.data_dir}: run `planbot ingest REPORT…` first"
            )
        if snapshot != self._snapshot:
            with self._lock:
                if snapshot != self._snapshot:
                    self._con.execute(schema_sql(self.queries_dir, snapshot))
                    self._manifest = read_manifest(snapshot)
                    self._snapshot = snapshot
                    self._cache.clear()
        return snapshot

    @property
    def manifest(self) -> dict[str, Any]:
        self.refresh()
        return self._manifest

    @property
    def snapshot(self) -> Path:
        return self.refresh()

    def cached(self, key: str, compute: Any) -> Any:
        """Memoise a value derived from the live snapshot (vocabularies, latest year)."""
        snapshot = self.refresh()
        cache_key = (key, snapshot)
        if cache_key not in self._cache:
            self._cache[cache_key] = compute()
        return self._cache[cache_key]

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            self._local.cursor = cursor
        return cursor

    # --- running named queries -------------------------------------------------------
    def run(self, name: str, *, cap: int | None = None, **params: Any) -> QueryResult:
        """Run a named query with bound parameters; unknown names and params are errors."""
        self.refresh()
        query = self.queries[name]
        unknown = set(params) - set(query.params)
        if unknown:
            raise TypeError(f"query {name} has no parameters {sorted(unknown)}")
        limit = self.row_cap if cap is None else cap
        bound = {p: params.get(p) for p in query.params}
        if "row_limit" in bound:
            # Queries that sort can stop at the cap: DuckDB keeps a top-N, not every row.
            bound["row_limit"] = limit + 1
        cursor = self._cursor()
        # DuckDB has no statement timeout: a timer interrupts the cursor instead.
        timer = threading.Timer(self.timeout_s, cursor.interrupt)
        start = time.perf_counter()
        timer.start()
        try:
            cursor.execute(query.sql, bound)
            columns = tuple(d[0] for d in cursor.description or ())
            raw = cursor.fetchmany(limit + 1)
        except duckdb.InterruptException as exc:
            raise QueryTimeout(f"query {name} exceeded {self.timeout_s:.0f} s") from exc
        finally:
            timer.cancel()
        elapsed = (time.perf_counter() - start) * 1000
        truncated = len(raw) > limit
        rows = [dict(zip(columns, r, strict=True)) for r in raw[:limit]]
        return QueryResult(
            name=name,
            columns=columns,
            rows=rows,
            truncated=truncated,
            elapsed_ms=elapsed,
            params=bound,
        )

    def close(self) -> None:
        self._con.close()
