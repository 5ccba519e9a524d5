"""`planbot digest …` and `planbot clock`."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.config import Settings
from bot.digest.delivery import DigestRunner, ledger_for
from bot.digest.ledger import Subscription
from bot.digest.render import digest_messages, digest_text
from bot.digest.schedule import ScheduleError, parse_schedule
from bot.services import Services


class ScopeError(ValueError):
    pass


_PLAN_WORDS = {"", "plan", "all", "whole", "全体", "計画", "計画全体", "全庁"}


def parse_scope(services: Services, text: str) -> tuple[str, str | None]:
    """'高齢者支援課' → department; '基本目標Ⅲ' / 'goal 3' → goal; '' / '全体' → plan."""
    if text.strip().lower() in _PLAN_WORDS:
        return "plan", None
    spec = services.answerer.parse(text)
    if spec.departments:
        return "department", spec.departments[0]
    if spec.goal:
        return "goal", str(spec.goal)
    hint = f" (did you mean {', '.join(spec.suggestions)}?)" if spec.suggestions else ""
    raise ScopeError(f"cannot read the scope '{text}': name a department, a goal or 'plan'{hint}")


def new_subscription(
    services: Services,
    *,
    channel: str,
    scope: str,
    schedule: str,
    holiday: str,
    language: str,
    created_by: str | None,
) -> Subscription:
    kind, value = parse_scope(services, scope)
    return Subscription(
        id=uuid.uuid4().hex[:8],
        channel=channel,
        schedule=parse_schedule(schedule),
        scope_kind=kind,
        scope_value=value,  # type: ignore[arg-type]
        holiday_rule="next_business_day" if holiday.startswith("next") else "skip",
        language="en" if language == "en" else "ja",
        created_by=created_by,
    )


def digest_runner(services: Services, *, with_client: bool) -> DigestRunner:
    client = None
    if with_client and services.settings.slack_bot_token is not None:
        from bot.slack.client import make_web_client

        client = make_web_client(services.settings)
    return DigestRunner(services.settings, services.store, client)


def digest_command(settings: Settings, args: object) -> int:
    services = Services.for_command(settings)
    if services is None:
        return 2
    a = args
    posting = bool(getattr(a, "run_due", False) or getattr(a, "post", False))
    if posting and settings.slack_bot_token is None:
        print("planbot: posting digests needs SLACK_BOT_TOKEN (see .env.example)", file=sys.stderr)
        return 2
    try:
        if getattr(a, "run_due", False):
            now = _now(settings, getattr(a, "now", None))
            runner = digest_runner(services, with_client=True)
            for o in runner.run_due(now):
                print(f"{o.subscription_id}\t{o.fire_time.isoformat()}\t{o.status}\t{o.detail}")
            return 0
        if getattr(a, "subscribe", False):
            sub = new_subscription(
                services,
                channel=a.channel,
                scope=a.scope or "",  # type: ignore[attr-defined]
                schedule=a.schedule,
                holiday=a.holiday,
                language=a.lang,  # type: ignore[attr-defined]
                created_by="cli",
            )
            ledger_for(settings).save(sub)
            print(
                f"subscribed {sub.id}: {sub.scope_label()} → {sub.channel}, "
                f"{sub.schedule.describe()} ({sub.holiday_rule})"
            )
            return 0
        if getattr(a, "unsubscribe", None):
            ok = ledger_for(settings).deactivate(a.unsubscribe)  # type: ignore[attr-defined]
            print("unsubscribed" if ok else f"no active subscription {a.unsubscribe}")  # type: ignore[attr-defined]
            return 0 if ok else 1
        if getattr(a, "list", False):
            for s in ledger_for(settings).subscriptions():
                print(
                    f"{s.id}\t{s.channel}\t{s.scope_label()}\t{s.schedule.describe()}\t"
                    f"{s.holiday_rule}\t{s.language}"
                )
            return 0
        kind, value = parse_scope(services, getattr(a, "scope", None) or "")
        sub = Subscription(
            id="preview",
            channel=getattr(a, "channel", None) or "preview",
            schedule=parse_schedule("weekly mon 9:00"),
            scope_kind=kind,
            scope_value=value,  # type: ignore[arg-type]
            language="en" if getattr(a, "lang", "ja") == "en" else "ja",
        )
        runner = digest_runner(services, with_client=bool(getattr(a, "post", False)))
        now = _now(settings, getattr(a, "now", None))
        if getattr(a, "post", False):
            if not getattr(a, "channel", None):
                print("planbot: --post needs --channel", file=sys.stderr)
                return 2
            sub = sub.model_copy(update={"id": f"manual-{uuid.uuid4().hex[:6]}"})
            runner.ledger.save(sub.model_copy(update={"active": False}))
            outcome = runner.deliver(sub, now)
            print(f"{outcome.status} {outcome.detail}")
            return 0 if outcome.status == "posted" else 1
        digest = runner.compose(sub, now)
        if getattr(a, "json", False):
            print(
                json.dumps(
                    {
                        "digest": digest.model_dump(mode="json"),
                        "messages": [
                            {"text": m.text, "blocks": m.blocks} for m in digest_messages(digest)
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(digest_text(digest))
        return 0
    except (ScheduleError, ScopeError) as exc:
        print(f"planbot: {exc}", file=sys.stderr)
        return 2
    except (OSError, sa.exc.SQLAlchemyError) as exc:
        # A read-only or full data directory: the digest's state cannot be kept there.
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(
            f"planbot: cannot use the state directory {settings.state_dir}: {why}"
            " (set PLANBOT_STATE_DIR to a writable directory)",
            file=sys.stderr,
        )
        return 1


def _now(settings: Settings, text: str | None) -> datetime:
    zone = ZoneInfo(settings.timezone)
    if not text:
        return datetime.now(zone)
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=zone)


def clock_command(settings: Settings) -> int:
    from bot.digest.clock import run_clock

    if settings.slack_bot_token is None:
        print(
            "planbot: the clock posts digests and needs SLACK_BOT_TOKEN (see .env.example)",
            file=sys.stderr,
        )
        return 2
    services = Services.from_settings(settings)
    return run_clock(settings, digest_runner(services, with_client=True))
