from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.digest.delivery import DigestRunner
from bot.services import Services
from bot.slack.client import make_web_client
from tests.fakeslack import FakeSlack
from tests.fakeslack.fixtures import fake_slack  # noqa: F401

CHANNEL = "C0DIGEST"


@pytest.fixture
def data_dir(tmp_path: Path, seed_warehouse: Path) -> Path:
    """A private copy of the seed warehouse: digests write state next to it."""
    target = tmp_path / "data"
    shutil.copytree(seed_warehouse, target, symlinks=True)
    return target


def make_settings(data_dir: Path, fake: FakeSlack, **extra: object) -> Settings:
    values = {
        "data_dir": data_dir,
        "slack_bot_token": fake.bot_token,
        "slack_api_url": fake.api_url,
        "digest_channel": CHANNEL,
        "digest_pace_s": 0.0,
        "admins": ("UADMIN",),
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def runner_factory(
    data_dir: Path,
    fake_slack: FakeSlack,  # noqa: F811
    state_database_url: str | None,
) -> Iterator[object]:
    made: list[Services] = []

    def make(**extra: object) -> DigestRunner:
        # Every digest test runs with state in SQLite and again in PostgreSQL.
        settings = make_settings(data_dir, fake_slack, database_url=state_database_url, **extra)
        services = Services.from_settings(settings)
        made.append(services)
        return DigestRunner(settings, services.store, make_web_client(settings))

    yield make
    for services in made:
        services.close()
