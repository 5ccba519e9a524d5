from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.models import Report
from tests import reports
from tests.evaluation_summary import summary_line

if TYPE_CHECKING:
    from bot.ask.answer import Answerer

# The vocabulary a deployment reads questions with (its departments' other names).
ALIASES = reports.ROOT / "data" / "aliases.toml"


@pytest.fixture(scope="session")
def seed_report() -> Report:
    return parse_report_text(reports.SEED)


@pytest.fixture(scope="session")
def second_year_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    tmp = tmp_path_factory.mktemp("fy2020")
    path = reports.write(tmp, "musashino_plan4_fy2020.txt", reports.second_year_text())
    return parse_report_text(path)


@pytest.fixture
def warehouse(tmp_path: Path, seed_report: Report) -> Path:
    """A data dir holding the seed report, writable by the test."""
    write_reports(tmp_path, [seed_report])
    return tmp_path


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory, seed_report: Report) -> Path:
    """A read-only data dir holding the seed report (shared across tests)."""
    data_dir = tmp_path_factory.mktemp("seed_wh")
    write_reports(data_dir, [seed_report])
    return data_dir


@pytest.fixture(scope="session")
def two_year_warehouse(
    tmp_path_factory: pytest.TempPathFactory, seed_report: Report, second_year_report: Report
) -> Path:
    data_dir = tmp_path_factory.mktemp("two_year_wh")
    write_reports(data_dir, [seed_report])
    write_reports(data_dir, [second_year_report])
    return data_dir


@pytest.fixture(scope="session")
def three_year_warehouse(
    tmp_path_factory: pytest.TempPathFactory, seed_report: Report, second_year_report: Report
) -> Path:
    """FY2019–FY2021, the last year after a reorganisation (see reports.reorganised_year_text):
    a department renamed, one split, an item dropped and one added."""
    texts = tmp_path_factory.mktemp("fy2021")
    path = reports.write(texts, "musashino_plan4_fy2021.txt", reports.reorganised_year_text())
    data_dir = tmp_path_factory.mktemp("three_year_wh")
    write_reports(data_dir, [seed_report])
    write_reports(data_dir, [second_year_report])
    write_reports(data_dir, [parse_report_text(path)])
    return data_dir


@pytest.fixture(scope="session")
def answerers(
    seed_warehouse: Path, two_year_warehouse: Path, three_year_warehouse: Path
) -> Iterator[dict[str, Answerer]]:
    """One Answerer per read-only warehouse ("seed", "two", "three"), shared by every test
    in a worker: each Store opens DuckDB and builds its lexicon and term index once, and
    answers are frozen, so sharing them cannot leak one test's changes into another."""
    from bot.ask.answer import Answerer
    from bot.store.database import Store

    stores = {
        "seed": Store(seed_warehouse),
        "two": Store(two_year_warehouse),
        "three": Store(three_year_warehouse),
    }
    yield {name: Answerer(store, aliases_file=ALIASES) for name, store in stores.items()}
    for store in stores.values():
        store.close()


@pytest.fixture(scope="session")
def seed_answerer(answerers: dict[str, Answerer]) -> Answerer:
    return answerers["seed"]


@pytest.fixture(scope="session")
def two_year_answerer(answerers: dict[str, Answerer]) -> Answerer:
    return answerers["two"]


@pytest.fixture(scope="session")
def three_year_answerer(answerers: dict[str, Answerer]) -> Answerer:
    return answerers["three"]


@pytest.fixture
def store(seed_warehouse: Path) -> Iterator[object]:
    from bot.store.database import Store

    s = Store(seed_warehouse)
    yield s
    s.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    line = summary_line(terminalreporter)
    if line:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def shared_postgres() -> Iterator[str]:
    """One migrated PostgreSQL database per test worker, emptied before each use."""
    from bot.state import StateDB
    from tests.postgres import fresh_database

    with fresh_database() as url:
        db = StateDB(url)
        db.ensure_schema()
        db.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def state_database_url(request: pytest.FixtureRequest) -> str | None:
    """Where state lives in a test: None (SQLite in the state dir) or a PostgreSQL URL.

    Suites that keep state (Slack, digests) run once on each database.
    """
    if request.param == "sqlite":
        return None
    from tests.postgres import empty_tables

    url: str = request.getfixturevalue("shared_postgres")
    empty_tables(url)
    return url


@pytest.fixture
def state_url(state_database_url: str | None, tmp_path: Path) -> str:
    """A state database URL on either database (SQLite: a fresh file in tmp_path)."""
    return state_database_url or f"sqlite:///{tmp_path / 'state' / 'planbot.sqlite3'}"
