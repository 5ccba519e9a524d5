"""The done-when check: ``planbot serve --http`` as a real process, against the fake."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeslack import FakeSlack, event_callback, signed_post

from .conftest import SECRET, blocks_text, mention

PLANBOT = Path(sys.executable).with_name("planbot")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], *, timeout_s: float = STARTUP_TIMEOUT_S
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"planbot exited with {process.returncode}")
        try:
            with _OPENER.open(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        # Polling a process we do not control: there is nothing to wait on instead.
        time.sleep(0.1)
    raise AssertionError(f"{url} not healthy within {timeout_s}s")


def stop(process: subprocess.Popen[bytes], *, timeout_s: float = 10) -> None:
    """SIGTERM, as a platform stops a process; SIGKILL if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def served(
    seed_warehouse: Path, tmp_path: Path, fake_slack: FakeSlack
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_"))},
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "PLANBOT_DATA_DIR": str(seed_warehouse),
        "PLANBOT_STATE_DIR": str(tmp_path / "state"),
        # A cold process may take over a second: no "集計中…" notice before the answer.
        "PLANBOT_WORKING_NOTICE": "600",
        "PLANBOT_HTTP_HOST": "127.0.0.1",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    log = (tmp_path / "planbot.log").open("wb")
    process = subprocess.Popen(
        [str(PLANBOT), "serve", "--http", "--port", str(port)],
        env=env,
        cwd=tmp_path,  # no stray .env from the checkout
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{base}/healthz", process)
        yield base, process
    finally:
        stop(process)
        log.close()
        output = (tmp_path / "planbot.log").read_text(errors="replace")
        assert SECRET not in output, "the signing secret must never be logged"


def test_serve_http_answers_a_signed_mention_once_in_its_thread(
    served: tuple[str, subprocess.Popen[bytes]], fake_slack: FakeSlack
) -> None:
    base, process = served
    event = mention("which measures are graded D?", ts="1699999999.000100")
    body = event_callback(event, event_id="EvDONEWHEN", bot_user_id=fake_slack.bot_user_id)

    assert signed_post(f"{base}/slack/events", body, SECRET)[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert signed_post(f"{base}/slack/events", body, SECRET, extra_headers=retry)[0] == 200

    (posted,) = fake_slack.wait_for("chat.postMessage", timeout=15)
    assert posted.params["thread_ts"] == "1699999999.000100"
    assert "Item 16" in blocks_text(posted.params)
    # A second answer would be on its way by now: let the process finish its work.
    process.terminate()
    process.wait(timeout=10)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls[0].method == "auth.test"  # SLACK_API_URL honoured from the start


def test_serve_in_socket_mode_connects_answers_and_stops_on_sigterm(
    seed_warehouse: Path, tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_"))},
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": fake_slack.app_token,
        "SLACK_API_URL": fake_slack.api_url,
        "PLANBOT_DATA_DIR": str(seed_warehouse),
        "PLANBOT_STATE_DIR": str(tmp_path / "state"),
        # A cold process may take over a second: no "集計中…" notice before the answer.
        "PLANBOT_WORKING_NOTICE": "600",
    }
    process = subprocess.Popen(
        [str(PLANBOT), "serve"], env=env, cwd=tmp_path, stderr=subprocess.PIPE
    )
    try:
        fake_slack.wait_for_socket(1, timeout=STARTUP_TIMEOUT_S)
        fake_slack.send_event(mention("D評価の事業は？", ts="9.9"))
        (posted,) = fake_slack.wait_for("chat.postMessage", timeout=15)
        assert posted.params["thread_ts"] == "9.9"
        assert "事業16" in blocks_text(posted.params)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err.decode(errors="replace")
