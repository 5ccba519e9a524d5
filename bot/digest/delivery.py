"""Running due digests exactly once: the code path of both the clock and `--run-due`."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.digest.compose import Digest, compose_digest
from bot.digest.ledger import MAX_ATTEMPTS, Ledger, Subscription
from bot.digest.render import digest_messages
from bot.digest.schedule import Schedule, fire_times, latest_fire_time
from bot.state import StateDB
from bot.store.database import Store

log = logging.getLogger(__name__)

DEFAULT_SUBSCRIPTION_ID = "default"


@dataclass(frozen=True)
class Outcome:
    subscription_id: str
    fire_time: datetime
    status: str  # posted | missed | busy | failed
    detail: str = ""


class NoSlackClient(RuntimeError):
    """Digests can be previewed without Slack, but not posted."""


def ledger_for(settings: Settings) -> Ledger:
    db = StateDB.for_settings(settings)
    db.ensure_schema()
    return Ledger(db)


class DigestRunner:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        client: WebClient | None,
        *,
        ledger: Ledger | None = None,
        sleep: object = time.sleep,
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.ledger = ledger or ledger_for(settings)
        self._sleep = sleep
        self.ensure_default_subscription()

    def ensure_default_subscription(self) -> None:
        """DIGEST_CHANNEL gets the weekly whole-plan digest (Monday 09:00) without setup.

        An admin's unsubscribe stands: only a new or changed DIGEST_CHANNEL (re)creates it.
        """
        channel = self.settings.digest_channel
        if not channel:
            return
        current = self.ledger.get(DEFAULT_SUBSCRIPTION_ID)
        if current is None or current.channel != channel:
            self.ledger.save(
                Subscription(
                    id=DEFAULT_SUBSCRIPTION_ID,
                    channel=channel,
                    schedule=Schedule(),
                    created_by="DIGEST_CHANNEL",
                )
            )

    # --- running ------------------------------------------------------------------------
    def run_due(self, now: datetime, *, only: str | None = None) -> list[Outcome]:
        grace = timedelta(seconds=self.settings.digest_grace_s)
        outcomes = []
        for sub in self.ledger.subscriptions():
            if only is not None and sub.id != only:
                continue
            fire = latest_fire_time(sub.schedule, sub.holiday_rule, self.settings.timezone, now)
            if fire is None or (sub.created_at and fire < datetime.fromisoformat(sub.created_at)):
                continue  # nothing scheduled yet since the subscription was made
            if now - fire > grace:
                if self.ledger.mark(sub.id, fire, "missed", "clock down past the grace time"):
                    log.warning(
                        "digest %s for %s at %s missed: %s late, beyond the %s grace "
                        "time; not posted",
                        sub.id,
                        sub.channel,
                        fire.isoformat(),
                        now - fire,
                        grace,
                    )
                    outcomes.append(Outcome(sub.id, fire, "missed"))
                continue
            outcomes.append(self.deliver(sub, fire))
        return outcomes

    def deliver(self, sub: Subscription, fire: datetime) -> Outcome:
        if self.client is None:
            raise NoSlackClient("posting a digest needs SLACK_BOT_TOKEN")
        claim = self.ledger.claim(sub.id, fire)
        if claim is None:
            return Outcome(sub.id, fire, "busy", "already delivered or being delivered")
        try:
            digest = self.compose(sub, fire)
            messages = digest_messages(digest)
            for i, message in enumerate(messages):
                if i < claim.parts_posted:
                    continue  # posted before a crash; never post a part twice
                if i:
                    self._sleep(self.settings.digest_pace_s)  # ≤ 1 message/s per channel
                response = self.client.chat_postMessage(
                    channel=sub.channel, text=message.text, blocks=message.blocks
                )
                self.ledger.part_posted(sub.id, fire, i, str(response.get("ts", "")))
            self.ledger.complete(sub.id, fire, digest.state)
            log.info("digest %s posted to %s (%d messages)", sub.id, sub.channel, len(messages))
            return Outcome(sub.id, fire, "posted", f"{len(messages)} messages")
        except Exception as exc:  # a failed digest must never stop the clock
            error = _describe(exc)
            delivery = self.ledger.fail(sub.id, fire, error)
            log.exception(
                "digest %s to %s failed (attempt %d): %s",
                sub.id,
                sub.channel,
                delivery.attempts,
                error,
            )
            if delivery.attempts >= MAX_ATTEMPTS or _permanent(exc):
                self._report_failure(sub, fire, error)
            return Outcome(sub.id, fire, "failed", error)

    def compose(self, sub: Subscription, fire: datetime) -> Digest:
        previous = self.ledger.last_posted(sub.id)
        starts = fire_times(
            sub.schedule,
            sub.holiday_rule,
            self.settings.timezone,
            fire - timedelta(days=40),
            fire - timedelta(seconds=1),
        )
        return compose_digest(
            self.store,
            sub,
            fire,
            previous.state if previous else None,
            municipality=self.settings.municipality,
            period_start=starts[-1] if starts else None,
            aliases_file=self.settings.vocabulary_file,
        )

    def _report_failure(self, sub: Subscription, fire: datetime, error: str) -> None:
        if self.client is None:
            return
        hint = " — invite the bot with /invite @planbot" if "not_in_channel" in error else ""
        text = (
            f"planbot: the digest {sub.id} for <#{sub.channel}> scheduled at "
            f"{fire.isoformat()} could not be posted: {error}{hint}"
        )
        for admin in self.settings.admins:
            try:
                self.client.chat_postMessage(channel=admin, text=text)
            except SlackApiError:
                log.exception("could not tell admin %s about the failed digest", admin)


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", exc))
    return f"{type(exc).__name__}: {exc}"


def _permanent(exc: Exception) -> bool:
    # Retrying cannot fix these; tell the admins now rather than after MAX_ATTEMPTS.
    return isinstance(exc, SlackApiError) and exc.response.get("error") in (
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "invalid_auth",
    )
