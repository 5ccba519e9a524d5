"""`planbot clock`: the digest scheduler (APScheduler 3), led by one process at a time.

Any number of clock processes may run, on any host: one leads (a PostgreSQL advisory
lock with DATABASE_URL, a file lock on one host without) and runs the scheduler; the
others stand by and take over within seconds of the leader dying (about 30 s when its
host vanished without closing its connection). The job store is never run by two
schedulers at once: a leader checks its lock every LEAD_CHECK_S and stops its scheduler
when the lock is gone, and a new leader waits that long before starting its own.

Each subscription is a cron job with an explicit id (`digest:<id>`, replace_existing) in a
persistent job store, in PLANBOT_TIMEZONE, with a misfire grace time and coalescing: a
clock that was down at 09:00 runs the job once when it returns within the grace time and
not at all after it. A job only calls DigestRunner.run_due — the same code path as
`planbot digest --run-due` — where the ledger makes every delivery happen once. A retry
job picks up failed or interrupted deliveries, and a sync job follows subscription
changes made from Slack or the CLI.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.digest.delivery import DigestRunner
from bot.digest.ledger import Ledger
from bot.slack.housekeeping import Housekeeper
from bot.state.database import StateDB
from bot.state.leadership import leadership_for, wait_to_lead
from bot.state.schema import scheduler_jobs

log = logging.getLogger(__name__)

# The runner the persisted jobs call. Jobs are stored by reference (module:function), so
# the clock process sets this before the scheduler starts.
_RUNNER: DigestRunner | None = None
#: A standing-by clock tries to take the lead this often; a leader checks it still
#: leads this often. Together well within the minute a failover may take.
TAKEOVER_POLL_S = 5.0
LEAD_CHECK_S = 5.0


def job_store(settings: Settings) -> SQLAlchemyJobStore:
    """APScheduler's store in the state database, in the table its migrations made.

    An engine of its own: the scheduler disposes of it when it shuts down.
    """
    db = StateDB.for_settings(settings)
    db.ensure_schema()
    return SQLAlchemyJobStore(engine=db.engine, tablename=scheduler_jobs.name)


def run_subscription(sub_id: str) -> None:
    if _RUNNER is None:
        log.error("digest job %s ran before the clock set its runner", sub_id)
        return
    now = datetime.now(ZoneInfo(_RUNNER.settings.timezone))
    for outcome in _RUNNER.run_due(now, only=sub_id):
        log.info(
            "digest %s at %s: %s %s",
            outcome.subscription_id,
            outcome.fire_time,
            outcome.status,
            outcome.detail,
        )


def retry_due() -> None:
    if _RUNNER is None:
        return
    _RUNNER.run_due(datetime.now(ZoneInfo(_RUNNER.settings.timezone)))


def sync_jobs() -> None:
    if _RUNNER is not None and _SCHEDULER is not None:
        register_jobs(_SCHEDULER, _RUNNER.settings, _RUNNER.ledger)


_SCHEDULER: BaseScheduler | None = None


def configure(scheduler: BaseScheduler, settings: Settings) -> BaseScheduler:
    scheduler.configure(
        jobstores={"default": job_store(settings)},
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": settings.digest_grace_s,
            "max_instances": 1,
        },
        timezone=ZoneInfo(settings.timezone),
    )
    return scheduler


def register_jobs(scheduler: BaseScheduler, settings: Settings, ledger: Ledger) -> list[str]:
    """One cron job per active subscription; jobs of removed subscriptions go."""
    tz = ZoneInfo(settings.timezone)
    wanted = {}
    for sub in ledger.subscriptions():
        job_id = f"digest:{sub.id}"
        wanted[job_id] = sub
        trigger = CronTrigger(timezone=tz, **sub.schedule.cron_fields())
        existing = scheduler.get_job(job_id)
        if existing is not None and str(existing.trigger) == str(trigger):
            # Keep the stored next run time: replacing the job would recompute it from now
            # and lose a run missed while the clock was down (the misfire grace case).
            continue
        scheduler.add_job(
            run_subscription,
            trigger,
            args=[sub.id],
            id=job_id,
            name=f"digest {sub.id} → {sub.channel}",
            replace_existing=True,
        )
    scheduler.add_job(
        retry_due, IntervalTrigger(minutes=5, timezone=tz), id="digest:retry", replace_existing=True
    )
    scheduler.add_job(
        sync_jobs, IntervalTrigger(minutes=5, timezone=tz), id="digest:sync", replace_existing=True
    )
    for job in scheduler.get_jobs():
        if (
            job.id.startswith("digest:")
            and job.id not in wanted
            and job.id not in ("digest:retry", "digest:sync")
        ):
            job.remove()
    return sorted(wanted)


def run_clock(settings: Settings, runner: DigestRunner) -> int:
    """Lead or stand by until stopped: any number of clocks may run, one schedules."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # The question log's retention holds wherever planbot runs for long, not only in serve.
    keeper = Housekeeper(settings).start()
    leadership = leadership_for(settings, "clock")
    while wait_to_lead(leadership, stop, poll_s=TAKEOVER_POLL_S):
        # A leader that lost its lock with a database restart notices at its next
        # check: give it that long to stop its scheduler before this one starts.
        if stop.wait(LEAD_CHECK_S + 1) or not leadership.still_held():
            leadership.release()
            continue
        try:
            scheduler = start_clock(settings, runner)
        except Exception:
            # The database went away between taking the lead and reading the jobs:
            # let go, and lead again (or let another) once it is back.
            log.exception("planbot clock: could not start the scheduler; standing by")
            leadership.release()
            stop.wait(TAKEOVER_POLL_S)
            continue
        while not stop.wait(LEAD_CHECK_S):
            if not leadership.still_held():
                log.error("planbot clock: lost the lead (database session ended); standing by")
                break
        # Paused first: a scheduler shutting down would still run what is due once.
        scheduler.pause()
        scheduler.shutdown(wait=False)
        leadership.release()
    keeper.stop()
    return 0


def start_clock(settings: Settings, runner: DigestRunner) -> BaseScheduler:
    """Start the scheduler paused, reconcile the jobs, then let missed runs fire."""
    global _RUNNER, _SCHEDULER
    _RUNNER = runner
    scheduler = configure(BackgroundScheduler(), settings)
    _SCHEDULER = scheduler
    scheduler.start(paused=True)
    ids = register_jobs(scheduler, settings, runner.ledger)
    from bot.round.reminders import add_clock_job

    add_clock_job(scheduler, settings, runner)
    log.warning(
        "planbot clock: %d digest subscription(s) in %s: %s",
        len(ids),
        settings.timezone,
        ", ".join(ids) or "none",
    )
    scheduler.resume()
    return scheduler
