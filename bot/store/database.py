"""The warehouse as DuckDB sees it: one connection, a cursor per thread, named queries.

Bolt listeners and scheduler jobs run on threads; DuckDB connections are not to be
shared across threads, so each thread gets its own cursor on the one database. Views
point at the live snapshot and are re-pointed when an ingest switches CURRENT.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from bot.ingest.integrity import SnapshotChoice, choose_snapshot
from bot.ingest.snapshots import read_manifest, warehouse_dir
from bot.store.named_queries import NamedQuery, default_queries_dir, load_queries, schema_sql

if TYPE_CHECKING:
    # Imported when a question first has topic words: numpy is no cost of the others.
    from bot.ingest.term_index import YearIndex
    from bot.store.topic_answers import YearDocs
    from bot.store.topic_search import Rows

log = logging.getLogger(__name__)

#: The parameters that name the fiscal years a query's topic words are looked up in.
YEAR_PARAMS = ("fiscal_year", "from_year", "to_year")
#: Questions whose topic lookups are kept: one question runs several queries on the
#: same words (topic_hits, count_matching, evaluations_matching).
TOPIC_CACHE = 32
#: Queries a topic question without structured filters counts from the term index.
INDEX_COUNTED = ("topic_hits", "count_matching")


class WarehouseMissing(RuntimeError):
    """No report has been ingested into this data directory yet."""


class WarehouseDamaged(WarehouseMissing):
    """The current snapshot is damaged and no older one verifies either."""


class QueryTimeout(RuntimeError):
    pass


class TooManyRows(RuntimeError):
    """A query that must be read whole returned more rows than its cap."""


@dataclass(frozen=True)
class QueryResult:
    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    truncated: bool
    elapsed_ms: float
    params: dict[str, Any]


class _Watchdog:
    """One thread that interrupts queries running past their deadline.

    DuckDB has no statement timeout. A ``threading.Timer`` per query would start and stop
    a thread for every question: under load that was a quarter of the app's samples.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._running: dict[int, tuple[float, Any]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, timeout_s: float, interrupt: Any) -> int:
        with self._cond:
            token = next(self._tokens)
            idle = not self._running
            self._running[token] = (time.monotonic() + timeout_s, interrupt)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="planbot-query-watchdog", daemon=True
                )
                self._thread.start()
            elif idle:
                # Deadlines only ever come later than the ones already watched, so the
                # thread needs waking only when it was waiting for any work at all.
                self._cond.notify()
            return token

    def done(self, token: int) -> None:
        with self._cond:
            self._running.pop(token, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for token, (deadline, interrupt) in list(self._running.items()):
                    if deadline <= now:
                        del self._running[token]
                        interrupt()
                nearest = min((d for d, _ in self._running.values()), default=None)
                self._cond.wait(None if nearest is None else max(nearest - now, 0.001))


class Store:
    def __init__(
        self,
        data_dir: Path,
        *,
        queries_dir: Path | None = None,
        row_cap: int = 1000,
        timeout_s: float = 10.0,
        threads: int | None = None,
        memory_rows: int = 0,
        memory_limit_mb: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.queries_dir = queries_dir or default_queries_dir()
        self.queries: dict[str, NamedQuery] = load_queries(self.queries_dir)
        self.row_cap = row_cap
        self.timeout_s = timeout_s
        self.memory_rows = memory_rows
        config: dict[str, Any] = {"threads": threads} if threads else {}
        if memory_limit_mb:
            # DuckDB's default is 80 % of the machine: a national question's joins and
            # the parquet pages it caches grew the process past a GB. Within the limit
            # it spills to its temp directory (by default ".tmp" in whatever directory
            # the process started in) instead.
            config["memory_limit"] = f"{memory_limit_mb}MB"
            config["temp_directory"] = str(Path(tempfile.gettempdir()) / "planbot-duckdb")
        self._con = duckdb.connect(":memory:", config=config)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._manifest: dict[str, Any] = {}
        self._cache: dict[tuple[str, Path], Any] = {}
        self._topics: OrderedDict[tuple[Any, ...], Rows] = OrderedDict()
        self._pointer = warehouse_dir(data_dir) / "CURRENT"
        self._pointer_seen: tuple[int, int] | None = None
        self._watchdog = _Watchdog()
        #: Snapshots this process verified (they never change once written).
        self._verified: set[str] = set()
        self._damage_seen: set[str] = set()
        #: Every fall-back from a damaged snapshot so far, for whoever tells the admins.
        self.fallbacks: list[SnapshotChoice] = []
        self.on_fallback: Callable[[SnapshotChoice], None] | None = None

    # --- snapshot tracking -----------------------------------------------------------
    def refresh(self) -> Path:
        """Point the views at the live snapshot; cheap when nothing changed."""
        # An ingest switches CURRENT by renaming a new file over it: the same inode and
        # modification time mean the same pointer, known without reading it.
        try:
            st = self._pointer.stat()
            seen: tuple[int, int] | None = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            seen = None
        if seen is not None and seen == self._pointer_seen and self._snapshot is not None:
            return self._snapshot
        snapshot = self._whole_snapshot()
        if snapshot != self._snapshot:
            with self._lock:
                if snapshot != self._snapshot:
                    self._con.execute(schema_sql(self.queries_dir, snapshot))
                    self._manifest = read_manifest(snapshot)
                    self._load_small_warehouse()
                    self._snapshot = snapshot
                    self._cache.clear()
                    self._topics.clear()
        self._pointer_seen = seen
        return snapshot

    def _whole_snapshot(self) -> Path:
        """The current snapshot if it verifies, else the newest that does (said once)."""
        choice = choose_snapshot(self.data_dir, verified=self._verified)
        if choice.damaged is not None and choice.damaged.name not in self._damage_seen:
            self._damage_seen.add(choice.damaged.name)
            self._report_damage(choice)
        if choice.path is None:
            if choice.damaged is not None:
                raise WarehouseDamaged(
                    f"the warehouse in {self.data_dir} is damaged and no snapshot verifies:"
                    " run `planbot check`, then ingest the reports again"
                )
            raise WarehouseMissing(
                f"no reports ingested in {self.data_dir}: run `planbot ingest REPORT…` first"
            )
        self._verified.add(choice.path.name)
        return choice.path

    def _report_damage(self, choice: SnapshotChoice) -> None:
        damaged = choice.damaged
        assert damaged is not None
        instead = choice.path.name if choice.path is not None else "nothing (none verifies)"
        log.error(
            "warehouse snapshot %s is damaged (%s); answering from %s."
            " Run `planbot check --repair` to mend the data directory.",
            damaged.name,
            "; ".join(damaged.problems[:3]),
            instead,
        )
        self.fallbacks.append(choice)
        if self.on_fallback is not None:
            try:
                self.on_fallback(choice)
            except Exception as exc:
                log.warning("could not tell the admins about snapshot %s: %s", damaged.name, exc)

    def _load_small_warehouse(self) -> None:
        """Hold a small warehouse's evaluations in memory instead of reading its files.

        A city's thousand rows take a few MB (~4 KB a row); reading them from parquet on
        every question cost more than answering it (1.9 → 1.0 ms for a grade filter on the
        seed). A large warehouse stays in its files, where partition pruning and row-group
        statistics keep each question to the rows it needs.
        """
        if self._small():
            self._con.execute(
                "CREATE OR REPLACE TABLE evaluations_in_memory AS SELECT * FROM evaluations;"
                "CREATE OR REPLACE VIEW evaluations AS SELECT * FROM evaluations_in_memory;"
            )
        else:
            self._con.execute("DROP TABLE IF EXISTS evaluations_in_memory")

    def _small(self) -> bool:
        counts = self._manifest.get("row_counts") or {}
        rows = int(counts.get("evaluations", 0)) if isinstance(counts, dict) else 0
        return 0 < rows <= self.memory_rows

    @property
    def in_memory(self) -> bool:
        """Whether the live snapshot's evaluations are held in memory."""
        self.refresh()
        found = (
            self._cursor()
            .execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'evaluations_in_memory'"
            )
            .fetchone()
        )
        return bool(found and found[0])

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

    # --- topic words ------------------------------------------------------------------
    def term_index(self, fiscal_year: int) -> YearIndex | None:
        """A fiscal year's term index (None: the snapshot has no such year)."""
        return self.cached(f"term_index/{fiscal_year}", lambda: self._open_index(fiscal_year))

    def _open_index(self, fiscal_year: int) -> YearIndex | None:
        from bot.ingest.term_index import TERMS, YearIndex, build_year_index, is_current

        snapshot = self.refresh()
        directory = snapshot / TERMS / f"fiscal_year={fiscal_year}"
        if is_current(directory):
            # Memory-mapped: a lookup reads only the pages of the terms it asks for. A
            # small warehouse's (a city's: a few MB) is read whole, as its rows are.
            return YearIndex.open(directory, mmap=not self._small())
        partition = snapshot / "evaluations" / f"fiscal_year={fiscal_year}" / "part.parquet"
        if not partition.is_file():
            return None
        # A snapshot written before this index format: indexed here, in memory, once per
        # year (the next ingest writes it; snapshots are never changed once written).
        log.warning(
            "snapshot %s has no term index for FY%d in this format: indexing it in memory"
            " (the next `planbot ingest` writes one)",
            snapshot.name,
            fiscal_year,
        )
        with self._lock:
            cursor = self._con.cursor()
        try:
            return build_year_index(cursor, partition)
        finally:
            cursor.close()

    def _topic_table(self, query: NamedQuery, bound: dict[str, Any]) -> Rows | None:
        """The rows of ``topic_found`` for a query's topic words, looked up once per
        question (None: the query has none)."""
        keywords = bound.get("keywords")
        if not keywords:
            return None
        if "matching_between(" in query.sql:
            # The filter over a range of years looks topics up in each of them …
            years = [int(bound[p]) for p in YEAR_PARAMS if bound.get(p) is not None]
            span = list(range(min(years), max(years) + 1))
        else:
            # … the one-year filter in its year only (a change between two years filters
            # the later one: grade_changes_between_years binds it as to_year).
            span = [int(bound.get("fiscal_year") or bound["to_year"])]
        groups = tuple(tuple(str(w) for w in group) for group in keywords)
        municipality = bound.get("municipality")
        key = (self._snapshot, tuple(span), municipality, groups)
        with self._lock:
            found = self._topics.get(key)
            if found is not None:
                self._topics.move_to_end(key)
                return found
        from bot.store.topic_search import topic_rows

        found = topic_rows(self.term_index, groups, span, municipality)
        for year in span:
            index = self.term_index(year)
            if index is not None:
                index.release()
        with self._lock:
            self._topics[key] = found
            while len(self._topics) > TOPIC_CACHE:
                self._topics.popitem(last=False)
        return found

    def year_docs(self, fiscal_year: int) -> YearDocs | None:
        """Each doc's item and grade in a fiscal year (None: the year has no index)."""
        return self.cached(f"year_docs/{fiscal_year}", lambda: self._read_year_docs(fiscal_year))

    def _read_year_docs(self, fiscal_year: int) -> YearDocs | None:
        import numpy as np

        from bot.store.topic_answers import YearDocs

        index = self.term_index(fiscal_year)
        if index is None:
            return None
        query = self.queries["year_docs"]
        with self._watched(query.name) as cursor:
            cursor.execute(query.sql, {"fiscal_year": fiscal_year})
            columns = cursor.fetchnumpy()
        if len(columns["item_no"]) != index.docs:
            return None  # not the partition the index was written from: ask DuckDB
        return YearDocs.from_columns(
            np.asarray(columns["item_no"]), np.asarray(columns["grade"]), index.plan_start
        )

    def _counted_by_index(
        self, name: str, bound: dict[str, Any], topics: Rows | None
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]] | None:
        """A topic question's counts from the term index, when the query has no filter
        the index does not apply (None: DuckDB answers)."""
        if topics is None or name not in INDEX_COUNTED or bound.get("fiscal_year") is None:
            return None
        from bot.store import topic_answers

        if not topic_answers.unfiltered(bound):
            return None
        fiscal_year = int(bound["fiscal_year"])
        docs = self.year_docs(fiscal_year)
        if docs is None:
            return None
        held = len(bound["keywords"])
        if name == "topic_hits":
            found = topic_answers.topic_hits(topics, docs, fiscal_year, held)
        else:
            found = [topic_answers.count_matching(topics, docs, fiscal_year, held)]
        columns = tuple(found[0])
        return columns, [tuple(r.values()) for r in found]

    def _listable(self, name: str, bound: dict[str, Any], topics: Rows | None) -> Rows | None:
        """The topic rows a ranked list needs: without filters the index does not apply,
        only those of the docs it can list (the query ranks them exactly)."""
        if (
            topics is None
            or name != "evaluations_matching"
            or bound.get("fiscal_year") is None
            or not bound.get("row_limit")
        ):
            return topics
        from bot.store import topic_answers

        if not topic_answers.unfiltered(bound):
            return topics
        return topic_answers.listed(
            topics, int(bound["fiscal_year"]), len(bound["keywords"]), int(bound["row_limit"])
        )

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            self._local.cursor = cursor
        return cursor

    # --- running named queries -------------------------------------------------------
    def run(self, name: str, *, cap: int | None = None, **params: Any) -> QueryResult:
        """Run a named query with bound parameters; unknown names and params are errors."""
        query, bound = self._bind(name, params)
        limit = self.row_cap if cap is None else cap
        if "row_limit" in bound:
            # Queries that sort can stop at the cap: DuckDB keeps a top-N, not every row.
            bound["row_limit"] = limit + 1
        start = time.perf_counter()
        topics = self._topic_table(query, bound)
        counted = self._counted_by_index(name, bound, topics)
        if counted is not None:
            columns, raw = counted
        else:
            with self._watched(name, self._listable(name, bound, topics)) as cursor:
                cursor.execute(query.sql, bound)
                columns = tuple(d[0] for d in cursor.description or ())
                raw = cursor.fetchmany(limit + 1)
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

    def mapping(self, name: str, *, cap: int, **params: Any) -> dict[Any, Any]:
        """Run a named query of two columns, key and value, into a dict of every row.

        For fingerprints of a whole scope (a national digest compares 340,000 grades):
        no row dicts. A fingerprint cut short would report false changes, so more rows
        than ``cap`` is an error, not a truncation; the time limit holds as for ``run``.
        """
        query, bound = self._bind(name, params)
        with self._watched(name, self._topic_table(query, bound)) as cursor:
            cursor.execute(query.sql, bound)
            width = len(cursor.description or ())
            if width != 2:
                raise TypeError(f"query {name} returns {width} columns; a mapping needs 2")
            rows = cursor.fetchmany(cap + 1)
        if len(rows) > cap:
            raise TooManyRows(f"query {name} returned more than {cap:,} rows")
        return dict(rows)

    def _bind(self, name: str, params: dict[str, Any]) -> tuple[NamedQuery, dict[str, Any]]:
        self.refresh()
        query = self.queries[name]
        unknown = set(params) - set(query.params)
        if unknown:
            raise TypeError(f"query {name} has no parameters {sorted(unknown)}")
        return query, {p: params.get(p) for p in query.params}

    @contextmanager
    def _watched(
        self, name: str, topics: Rows | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """This thread's cursor, interrupted if it runs past the time limit, with the
        query's topic rows registered on it (cursors are per thread: no other query
        sees them)."""
        cursor = self._cursor()
        if topics is not None:
            cursor.register("topic_found", topics)
        watch = self._watchdog.watch(self.timeout_s, cursor.interrupt)
        try:
            yield cursor
        except duckdb.InterruptException as exc:
            raise QueryTimeout(f"query {name} exceeded {self.timeout_s:.0f} s") from exc
        finally:
            self._watchdog.done(watch)
            # A result read only up to its cap is still open: it holds its buffers (and
            # the topic table), and the cursor can register nothing until it is done.
            cursor.abort()
            if topics is not None:
                cursor.unregister("topic_found")

    def close(self) -> None:
        self._con.close()
