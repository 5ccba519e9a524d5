"""Reminders for an open round, through the digests' delivery ledger and clock.

On business days (weekends and Japanese public holidays excluded, via jpholiday) at set
days before the deadline and on it, each assignee who still has open items gets a DM;
in the last week admins get a daily summary. A day that is not a business day moves to
the business day before it, so a reminder never comes after the deadline.

Every DM is claimed in the ledger under (round, kind, person) and its fire time before it
is posted and completed after: two clock processes, a rerun of ``planbot round remind``
or a restart post it once. A fire time past the grace period (PLANBOT_DIGEST_GRACE) is
not posted late.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.digest.delivery import DigestRunner
from bot.digest.ledger import Ledger
from bot.digest.schedule import is_business_day
from bot.round.models import Evaluation, Role, Round, RoundStatus
from bot.round.service import RoundService
from bot.round.slack.views import reminder_messages, summary_messages

log = logging.getLogger(__name__)

#: The last week: admins get a daily summary from this many days before the deadline.
SUMMARY_DAYS = 6
ACTOR = "planbot"
#: How often the clock looks for due reminders (a reminder goes out within this of its time).
CHECK_MINUTES = 5

Kind = Literal["remind", "summary"]


def previous_business_day(day: date) -> date:
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def reminder_days(deadline: date, days_before: tuple[int, ...]) -> list[date]:
    """The business days reminders go out on, for a deadline and days before it."""
    return sorted({previous_business_day(deadline - timedelta(days=d)) for d in days_before})


def summary_days(deadline: date) -> list[date]:
    days = (deadline - timedelta(days=d) for d in range(SUMMARY_DAYS, -1, -1))
    return [d for d in days if is_business_day(d)]


@dataclass(frozen=True)
class Fire:
    kind: Kind
    at: datetime


@dataclass(frozen=True)
class Sent:
    kind: Kind
    user: str
    fire_time: datetime
    status: Literal["posted", "busy", "failed"]


@dataclass
class RoundReminders:
    rounds: RoundService
    ledger: Ledger
    client: WebClient | None
    timezone: str
    at: time
    days_before: tuple[int, ...]
    grace: timedelta

    def fire_times(self, rnd: Round) -> list[Fire]:
        zone = ZoneInfo(self.timezone)
        fires = [
            Fire("remind", datetime.combine(d, self.at, zone))
            for d in reminder_days(rnd.deadline, self.days_before)
        ]
        fires += [
            Fire("summary", datetime.combine(d, self.at, zone)) for d in summary_days(rnd.deadline)
        ]
        return sorted(fires, key=lambda f: (f.at, f.kind))

    def due(self, rnd: Round, now: datetime) -> list[Fire]:
        """Fire times reached and still within the grace period (the newest per kind)."""
        latest: dict[Kind, Fire] = {}
        for fire in self.fire_times(rnd):
            if fire.at <= now and now - fire.at <= self.grace:
                latest[fire.kind] = fire
        return list(latest.values())

    def run_due(self, now: datetime) -> list[Sent]:
        sent: list[Sent] = []
        for rnd in self.rounds.store.rounds():
            if rnd.status is not RoundStatus.OPEN:
                continue
            if self.rounds.municipality and rnd.municipality != self.rounds.municipality:
                continue
            for fire in self.due(rnd, now):
                if fire.kind == "remind":
                    sent += self._remind(rnd, fire, now)
                else:
                    sent += self._summarise(rnd, fire, now)
        return sent

    def _remind(self, rnd: Round, fire: Fire, now: datetime) -> list[Sent]:
        evals = self.rounds.store.evaluations(rnd.id)
        open_by_department: dict[str, list[Evaluation]] = {}
        for ev in evals:
            if not ev.status.answered:
                open_by_department.setdefault(ev.department, []).append(ev)
        people: dict[str, list[Evaluation]] = {}
        for m in self.rounds.members(rnd):
            if m.role is Role.ASSIGNEE and m.department in open_by_department:
                people.setdefault(m.user_id, []).extend(open_by_department[m.department])
        days_left = (rnd.deadline - fire.at.date()).days
        return [
            self._deliver(
                rnd, "remind", user, fire, now, reminder_messages(rnd, items, days_left), len(items)
            )
            for user, items in people.items()
        ]

    def _summarise(self, rnd: Round, fire: Fire, now: datetime) -> list[Sent]:
        progress = self.rounds.progress(rnd.fiscal_year)
        messages = summary_messages(rnd, progress)
        return [
            self._deliver(rnd, "summary", admin, fire, now, messages, progress.open)
            for admin in self.rounds.admins
        ]

    def _deliver(
        self,
        rnd: Round,
        kind: Kind,
        user: str,
        fire: Fire,
        now: datetime,
        messages: list[tuple[str, list[dict[str, object]]]],
        open_items: int,
    ) -> Sent:
        key = f"round:{rnd.id}:{kind}:{user}"
        claim = self.ledger.claim(key, fire.at)
        if claim is None:
            return Sent(kind, user, fire.at, "busy")
        if self.client is None:
            self.ledger.fail(key, fire.at, "no Slack client (SLACK_BOT_TOKEN)")
            return Sent(kind, user, fire.at, "failed")
        try:
            for i, (text, blocks) in enumerate(messages):
                if i < claim.parts_posted:
                    continue  # posted before a crash; never twice
                response = self.client.chat_postMessage(channel=user, text=text, blocks=blocks)
                self.ledger.part_posted(key, fire.at, i, str(response.get("ts", "")))
            self.ledger.complete(key, fire.at, {})
        except SlackApiError as exc:
            self.ledger.fail(key, fire.at, str(exc.response.get("error", exc)))
            log.exception("round %s to %s at %s failed", kind, user, fire.at.isoformat())
            return Sent(kind, user, fire.at, "failed")
        self.rounds.store.record(
            rnd.id,
            now,
            ACTOR,
            kind,
            after={"to": user, "fire_time": fire.at.isoformat(), "open_items": open_items},
        )
        return Sent(kind, user, fire.at, "posted")


def round_reminders(
    rounds: RoundService, ledger: Ledger, client: WebClient | None, settings: object
) -> RoundReminders:
    from bot.config import Settings

    assert isinstance(settings, Settings)
    return RoundReminders(
        rounds=rounds,
        ledger=ledger,
        client=client,
        timezone=settings.timezone,
        at=settings.round_reminder_time,
        days_before=settings.round_reminder_days,
        grace=timedelta(seconds=settings.digest_grace_s),
    )


# --- the clock's job ------------------------------------------------------------------------
# Jobs are stored by reference (module:function); the clock process sets this first.
_REMINDERS: RoundReminders | None = None


def run_round_reminders() -> None:
    if _REMINDERS is None:
        return
    now = datetime.now(ZoneInfo(_REMINDERS.timezone))
    for s in _REMINDERS.run_due(now):
        log.info("round %s to %s at %s: %s", s.kind, s.user, s.fire_time.isoformat(), s.status)


def set_clock_reminders(reminders: RoundReminders) -> None:
    global _REMINDERS
    _REMINDERS = reminders


def add_clock_job(scheduler: BaseScheduler, settings: Settings, runner: DigestRunner) -> None:
    """The clock checks for due reminders every few minutes; the ledger keeps each once."""
    from bot.round import round_service

    rounds = round_service(settings, runner.store)
    set_clock_reminders(round_reminders(rounds, runner.ledger, runner.client, settings))
    scheduler.add_job(
        run_round_reminders,
        IntervalTrigger(minutes=CHECK_MINUTES, timezone=ZoneInfo(settings.timezone)),
        id="round:reminders",
        replace_existing=True,
    )
