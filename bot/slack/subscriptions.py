"""/plan subscribe | unsubscribe | subscriptions: digest subscriptions, managed by admins.

The clock picks changes up within five minutes (its sync job); `planbot digest --run-due`
sees them at once.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest.command import ScopeError, new_subscription
from bot.digest.delivery import ledger_for
from bot.digest.ledger import Subscription
from bot.digest.schedule import ScheduleError, next_fire_time
from bot.models import Language
from bot.render.text import pick
from bot.slack.context import SlackServices

# Where the schedule starts in "/plan subscribe 高齢者支援課 weekly mon 9:00 next".
_SCHEDULE_START = re.compile(
    r"\b(?:weekly|daily|monthly|weekdays)\b|毎週|毎日|毎月|平日", re.IGNORECASE
)
_HOLIDAY_NEXT = re.compile(r"\b(?:next|move)\b|振替|翌営業日", re.IGNORECASE)
_HOLIDAY_SKIP = re.compile(r"\bskip\b|スキップ", re.IGNORECASE)
_ENGLISH = re.compile(r"\b(?:en|english)\b", re.IGNORECASE)


def subscribe(
    services: SlackServices, args: str, *, channel: str, user: str | None, lang: Language
) -> str:
    holiday = "next" if _HOLIDAY_NEXT.search(args) else "skip"
    language = "en" if _ENGLISH.search(args) else "ja"
    text = _ENGLISH.sub(" ", _HOLIDAY_SKIP.sub(" ", _HOLIDAY_NEXT.sub(" ", args)))
    m = _SCHEDULE_START.search(text)
    scope, schedule = (text[: m.start()], text[m.start() :]) if m else (text, "weekly mon 9:00")
    try:
        sub = new_subscription(
            services.core,
            channel=channel,
            scope=scope.strip(),
            schedule=schedule.strip(),
            holiday=holiday,
            language=language,
            created_by=user,
        )
    except (ScheduleError, ScopeError) as exc:
        return pick(lang, f"登録できませんでした: {exc}", f"Not subscribed: {exc}")
    ledger_for(services.settings).save(sub)
    return pick(lang, "ダイジェストを登録しました: ", "Subscribed: ") + describe(
        services, sub, lang
    )


def unsubscribe(services: SlackServices, args: str, *, lang: Language) -> str:
    sub_id = args.split()[0] if args.split() else ""
    if sub_id and ledger_for(services.settings).deactivate(sub_id):
        return pick(lang, f"ダイジェスト {sub_id} を解除しました。", f"Unsubscribed {sub_id}.")
    return pick(
        lang,
        f"有効なダイジェスト「{sub_id}」はありません。`/plan subscriptions` で確認できます。",
        f"No active subscription '{sub_id}'. See `/plan subscriptions`.",
    )


def list_subscriptions(services: SlackServices, *, lang: Language) -> str:
    subs = ledger_for(services.settings).subscriptions()
    if not subs:
        return pick(lang, "登録されたダイジェストはありません。", "No digest subscriptions.")
    head = pick(lang, "ダイジェストの登録:", "Digest subscriptions:")
    return "\n".join([head, *(f"• {describe(services, s, lang)}" for s in subs)])


def describe(
    services: SlackServices, sub: Subscription, lang: Language, *, now: datetime | None = None
) -> str:
    tz = services.settings.timezone
    now = now or datetime.now(ZoneInfo(tz))
    upcoming = next_fire_time(sub.schedule, sub.holiday_rule, tz, now)
    nxt = upcoming.strftime("%Y-%m-%d %H:%M") if upcoming else "-"
    rule = pick(
        lang,
        "祝日は翌営業日" if sub.holiday_rule == "next_business_day" else "祝日は休み",
        "holidays: next business day"
        if sub.holiday_rule == "next_business_day"
        else "holidays: skipped",
    )
    return (
        f"`{sub.id}` {sub.scope_label()} → <#{sub.channel}>, "
        f"{sub.schedule.describe(lang)} ({rule}), " + pick(lang, f"次回 {nxt}", f"next {nxt}")
    )
