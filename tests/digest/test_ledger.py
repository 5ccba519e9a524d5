"""The delivery ledger, on SQLite and PostgreSQL: one claim per digest, the fingerprint a
next digest compares against and no more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.digest.delivery import DEFAULT_SUBSCRIPTION_ID, DigestRunner
from bot.digest.ledger import Ledger, Subscription
from bot.digest.schedule import Schedule
from bot.state import StateDB
from bot.store.database import Store
from tests.concurrency import race


def test_only_the_newest_posted_digest_keeps_its_fingerprint(state_url: str) -> None:
    ledger = Ledger(StateDB(state_url))
    ledger.save(Subscription(id="weekly", channel="C1", schedule=Schedule()))
    first = datetime(2026, 11, 2, 0, tzinfo=UTC)
    for week in range(3):
        fire = first + timedelta(weeks=week)
        assert ledger.claim("weekly", fire) is not None
        ledger.complete("weekly", fire, {"fiscal_years": [2019], "grades": {"week": week}})
    kept = {d.fire_time: d.state for d in ledger.deliveries("weekly")}
    assert [d.status for d in ledger.deliveries("weekly")] == ["posted"] * 3
    assert list(kept.values()) == [None, None, {"fiscal_years": [2019], "grades": {"week": 2}}]
    latest = ledger.last_posted("weekly")
    assert latest is not None and latest.state == {"fiscal_years": [2019], "grades": {"week": 2}}


def test_racing_claims_of_one_digest_have_one_winner(state_url: str) -> None:
    ledgers = [Ledger(StateDB(state_url)) for _ in range(6)]
    ledgers[0].save(Subscription(id="weekly", channel="C1", schedule=Schedule()))
    fire = datetime(2026, 11, 2, 0, tzinfo=UTC)
    claims = race([lambda ledger=ledger: ledger.claim("weekly", fire) for ledger in ledgers])
    assert sorted(c is not None for c in claims) == [False] * 5 + [True]
    # A failed post may be claimed again, by anyone, until the attempts run out.
    ledgers[1].fail("weekly", fire, "channel_not_found")
    again = ledgers[2].claim("weekly", fire)
    assert again is not None and again.attempts == 2 and again.status == "claimed"
    assert ledgers[3].claim("weekly", fire) is None
    ledgers[2].complete("weekly", fire, {"fiscal_years": [2019]})
    assert all(ledger.claim("weekly", fire) is None for ledger in ledgers)
    # Marking a posted digest missed changes nothing: the first record stands.
    assert not ledgers[0].mark("weekly", fire, "missed")
    assert [d.status for d in ledgers[4].deliveries("weekly")] == ["posted"]


def test_an_unsubscribed_default_digest_stays_unsubscribed(
    tmp_path: Path, state_database_url: str | None
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        state_dir_override=tmp_path,
        digest_channel="C0DIG",
        database_url=state_database_url,
    )
    store = Store(tmp_path)
    runner = DigestRunner(settings, store, None)
    assert runner.ledger.deactivate(DEFAULT_SUBSCRIPTION_ID)
    # Every later process builds a runner: the admin's unsubscribe must survive them.
    again = DigestRunner(settings, store, None)
    default = again.ledger.get(DEFAULT_SUBSCRIPTION_ID)
    assert default is not None and not default.active
    # A different DIGEST_CHANNEL is a new request for the digest.
    moved = DigestRunner(settings.model_copy(update={"digest_channel": "C0NEW"}), store, None)
    default = moved.ledger.get(DEFAULT_SUBSCRIPTION_ID)
    assert default is not None and default.active and default.channel == "C0NEW"


def test_a_goal_scope_is_named_as_answers_name_goals() -> None:
    goal = Subscription(
        id="g", channel="C1", schedule=Schedule(), scope_kind="goal", scope_value="3"
    )
    assert goal.scope_label() == "基本目標Ⅲ"
    assert goal.model_copy(update={"language": "en"}).scope_label() == "goal III"
