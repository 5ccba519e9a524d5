"""A real PostgreSQL restart under `planbot serve --http`: the server of the test's own is
stopped (sessions cut, connections refused) and started again while Slack keeps
delivering events; every event is answered, once.

Needs the PostgreSQL server programs (see tests/pgserver.py); skipped with one line
without them.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.fakeslack import FakeSlack, event_callback, fixtures, signed_post
from tests.pgserver import private_server
from tests.slack.conftest import SECRET, blocks_text, mention
from tests.slack.test_serve_process import free_port, wait_until_healthy
from tests.state.test_several_hosts import _answers, host_env, process

fake_slack = fixtures.fake_slack


def test_a_postgresql_restart_mid_run_loses_no_event_and_answers_none_twice(
    tmp_path: Path, warehouse: Path, fake_slack: FakeSlack
) -> None:
    with private_server() as server:
        env = host_env(warehouse, tmp_path / "state", fake_slack, server.url)
        port = free_port()
        log = tmp_path / "planbot.log"
        base = f"http://127.0.0.1:{port}"
        with process(["serve", "--http", "--port", str(port)], env, log) as web:
            wait_until_healthy(f"{base}/healthz", web, timeout_s=120)

            def deliver(event_id: str, ts: str, retry: int = 0) -> int:
                """One delivery by Slack; a retry says so, as Slack's headers do."""
                body = event_callback(
                    mention("D評価の事業は？", ts=ts),
                    event_id=event_id,
                    bot_user_id=fake_slack.bot_user_id,
                )
                headers = (
                    {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
                    if retry
                    else None
                )
                return signed_post(f"{base}/slack/events", body, SECRET, extra_headers=headers)[0]

            assert deliver("EvBefore", "1700000000.000100") == 200
            fake_slack.wait_for("chat.postMessage", timeout=30)

            server.stop()
            # While the database is down: two new events, and Slack's retry of one of
            # them; their claims wait for the database, retrying with backoff.
            down = [("EvDown0", "1700000001.000100"), ("EvDown1", "1700000001.000200")]
            acks = [deliver(event_id, ts) for event_id, ts in down]
            acks.append(deliver(*down[0], retry=1))
            assert acks == [200, 200, 200]
            # Restarted once a claim has failed twice and is waiting to try again.
            deadline = time.monotonic() + 30
            while "connection lost (OperationalError); retry 2" not in log.read_text(
                errors="replace"
            ):
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.1)  # the log of another process: nothing to wait on
            server.start()

            # After the restart: a new event, and Slack's late retry of the first.
            assert deliver("EvAfter", "1700000002.000100") == 200
            assert deliver("EvBefore", "1700000000.000100", retry=2) == 200
            wanted = {"1700000000.000100", "1700000002.000100", *(ts for _, ts in down)}
            deadline = time.monotonic() + 60
            while set(_answers(fake_slack)) != wanted:
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)  # answers come from another process: nothing to wait on
            web.send_signal(signal.SIGTERM)  # let it finish what it took on
            web.wait(timeout=30)
    output = log.read_text(errors="replace")
    assert _answers(fake_slack) == dict.fromkeys(wanted, 1), output
    # Every claim waited for the database: none gave up and answered regardless.
    assert "could not claim event" not in output and "could not record" not in output, output
    assert all(
        "事業16" in blocks_text(c.params)
        for c in fake_slack.calls_to("chat.postMessage")
        if c.status == 200
    )
