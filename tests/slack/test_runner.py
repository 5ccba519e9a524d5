"""Starting the bot: clear refusals instead of half-working processes, and the client setup."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_bolt import App
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.cli import main
from bot.config import Settings
from bot.slack.runner import run_slack, serve_http
from tests.fakeslack import FakeSlack

from .conftest import make_settings


def test_app_client_uses_slack_api_url_and_retries(app: App, fake_slack: FakeSlack) -> None:
    assert app.client.base_url == fake_slack.api_url
    for kind in (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler):
        assert sum(isinstance(h, kind) for h in app.client.retry_handlers) == 1, kind
    (auth,) = fake_slack.calls_to("auth.test")
    assert auth.token == fake_slack.bot_token


def test_socket_mode_needs_an_app_token(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_slack(settings.model_copy(update={"slack_app_token": None})) == 2
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_http_mode_refuses_to_run_without_a_signing_secret(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert serve_http(settings.model_copy(update={"slack_signing_secret": None}), 0) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_missing_warehouse_is_a_clear_error(
    tmp_path: Path, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path / "empty", tmp_path / "state", fake_slack)
    assert serve_http(settings, 0) == 2
    assert "planbot ingest" in capsys.readouterr().err
    assert fake_slack.calls == []  # nothing half-started


def test_unreachable_slack_is_a_clear_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-wrong")})
    assert serve_http(bad, 0) == 1
    err = capsys.readouterr().err
    assert "cannot connect to Slack" in err and "invalid_auth" in err


def test_cli_serve_without_tokens_explains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--http", "--port", "0"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_socket_mode_with_a_wrong_app_token_is_a_clear_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = settings.model_copy(update={"slack_app_token": SecretStr("xapp-wrong")})
    assert run_slack(wrong) == 1
    assert "invalid_auth" in capsys.readouterr().err
