"""Every event gets exactly one answer: through 429s, 5xx, failed posts and a killed worker.

The app runs behind real HTTP against the fake Slack; a "worker" that claims an event
and dies is a real child process using the same state database, killed with SIGKILL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import Settings
from bot.state import SeenEvents, StateDB
from bot.state.database import database_url
from tests.fakeslack import FakeSlack

from .conftest import HttpBot, blocks_text, drain, mention

QUESTION = "D評価の事業は？"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def successful_posts(fake: FakeSlack) -> list[str]:
    return [blocks_text(c.params) for c in fake.calls_to("chat.postMessage") if c.status == 200]


def answered(settings: Settings, event_id: str) -> bool:
    return SeenEvents(StateDB.for_settings(settings)).is_answered(event_id)


def test_a_reply_waits_out_three_429s_and_is_posted_once(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0, times=3)

    assert http_bot.event(mention(QUESTION), event_id="Ev429")[0] == 200
    fake_slack.wait_for("chat.postMessage", count=4, timeout=15)
    assert http_bot.event(mention(QUESTION), event_id="Ev429", headers=RETRY)[0] == 200
    drain(http_bot.app)

    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")]
    assert statuses == [429, 429, 429, 200]
    (reply,) = successful_posts(fake_slack)
    assert "事業16" in reply
    assert answered(settings, "Ev429")


def test_429s_do_not_use_up_the_retries_for_a_server_error(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0, times=2)
    fake_slack.fail_next("chat.postMessage", status=500, times=1)

    http_bot.event(mention(QUESTION), event_id="Ev429500")
    fake_slack.wait_for("chat.postMessage", count=4, timeout=15)
    drain(http_bot.app)

    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 429, 500, 200]
    (reply,) = successful_posts(fake_slack)
    assert "事業16" in reply  # the answer, not an apology for a failed post


def test_an_event_nothing_could_be_posted_for_is_answered_by_the_redelivery(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    # A gateway in front of Slack fails the answer and then the apology (502 is not retried).
    failing_posts = 2
    fake_slack.fail_next("chat.postMessage", status=502, times=failing_posts)

    http_bot.event(mention(QUESTION), event_id="EvDOWN")
    fake_slack.wait_for("chat.postMessage", count=failing_posts, timeout=20)
    # Once the first worker has given the event up, Slack redelivers it.
    deadline = time.monotonic() + 15
    while not released(settings, "EvDOWN"):
        assert time.monotonic() < deadline, "the failed claim was never released"
        time.sleep(0.05)  # the worker runs on the app's pool: nothing to wait on instead
    assert not answered(settings, "EvDOWN")
    assert http_bot.event(mention(QUESTION), event_id="EvDOWN", headers=RETRY)[0] == 200
    fake_slack.wait_for("chat.postMessage", count=failing_posts + 1, timeout=15)
    drain(http_bot.app)

    (reply,) = successful_posts(fake_slack)
    assert "事業16" in reply
    assert answered(settings, "EvDOWN")


def released(settings: Settings, event_id: str) -> bool:
    return SeenEvents(StateDB.for_settings(settings)).lease_until(event_id) == 0


_CLAIMING_WORKER = """
import sys
from bot.state import SeenEvents, StateDB
seen = SeenEvents(StateDB(sys.argv[1]), lease_seconds=float(sys.argv[3]))
assert seen.claim(sys.argv[2], now=float(sys.argv[4]))
print("claimed", flush=True)
sys.stdin.read()  # holds the claim until killed
"""


@contextmanager
def worker_holding(
    state_db: str, event_id: str, *, claimed_at: float, lease_s: float = 120.0
) -> Iterator[subprocess.Popen[str]]:
    """Another worker process that has claimed ``event_id`` and not posted yet."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CLAIMING_WORKER,
            str(state_db),
            event_id,
            str(lease_s),
            str(claimed_at),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "claimed"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_a_worker_killed_between_claim_and_post_is_taken_over_by_the_retry(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    with worker_holding(database_url(settings), "EvKILLED", claimed_at=time.time()) as worker:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    assert http_bot.event(mention(QUESTION), event_id="EvKILLED", headers=RETRY)[0] == 200
    fake_slack.wait_for("chat.postMessage", timeout=15)
    retry2 = {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    assert http_bot.event(mention(QUESTION), event_id="EvKILLED", headers=retry2)[0] == 200
    drain(http_bot.app)

    (reply,) = successful_posts(fake_slack)
    assert "事業16" in reply
    assert answered(settings, "EvKILLED")


def test_a_live_worker_keeps_its_claim_until_its_lease_runs_out(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    now = time.time()
    with (
        worker_holding(database_url(settings), "EvBUSY", claimed_at=now),
        worker_holding(database_url(settings), "EvSTUCK", claimed_at=now - 3600),
    ):
        # EvBUSY: still being answered by a live worker, so the retry is only acknowledged.
        assert http_bot.event(mention(QUESTION), event_id="EvBUSY", headers=RETRY)[0] == 200
        # EvSTUCK: its live worker's lease ran out long ago; the retry answers it.
        http_bot.event(mention(QUESTION, ts="1699999999.000700"), event_id="EvSTUCK", headers=RETRY)
        fake_slack.wait_for("chat.postMessage", timeout=15)
        drain(http_bot.app)

    (posted,) = [c for c in fake_slack.calls_to("chat.postMessage") if c.status == 200]
    assert posted.params["thread_ts"] == "1699999999.000700"
    assert answered(settings, "EvSTUCK") and not answered(settings, "EvBUSY")


_TAKING_WORKER = """
import sys
from bot.state import SeenEvents, StateDB
seen = SeenEvents(StateDB(sys.argv[1]))
sys.stdin.readline()  # all start together
print(seen.claim(sys.argv[2]), flush=True)
sys.stdin.read()  # alive until every result is in: a dead taker may be taken over
"""


def test_two_processes_never_both_take_over_a_dead_claim(tmp_path: Path) -> None:
    db_file = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    with worker_holding(db_file, "EvRACE", claimed_at=time.time()) as worker:
        worker.kill()
        worker.wait(timeout=10)
    takers = [
        subprocess.Popen(
            [sys.executable, "-c", _TAKING_WORKER, str(db_file), "EvRACE"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for taker in takers:
        assert taker.stdin is not None
        taker.stdin.write("go\n")
        taker.stdin.flush()
    outputs = [t.stdout.readline().strip() for t in takers if t.stdout is not None]
    for taker in takers:
        taker.communicate(timeout=30)
    assert sorted(outputs) == ["False", "False", "True"]
