"""When a subscription's digest is due: schedules, timezones and Japanese holidays.

Fire times are computed in the subscription's timezone (Asia/Tokyo by default), never in
the host's, so a clock process on a UTC host still posts at 09:00 JST. A fire time that
falls on a public holiday is skipped or moved to the next business day, per subscription.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import jpholiday
from pydantic import BaseModel, ConfigDict, Field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_JA = {
    "月": "mon",
    "火": "tue",
    "水": "wed",
    "木": "thu",
    "金": "fri",
    "土": "sat",
    "日": "sun",
}


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["weekly", "daily", "monthly", "weekdays"] = "weekly"
    weekday: int = Field(default=0, ge=0, le=6)  # weekly: 0 = Monday
    day: int = Field(default=1, ge=1, le=28)  # monthly: day of month (≤ 28: every month has it)
    hour: int = Field(default=9, ge=0, le=23)
    minute: int = Field(default=0, ge=0, le=59)

    def describe(self, lang: str = "en") -> str:
        hm = f"{self.hour}:{self.minute:02d}"
        if lang == "ja":
            wd = "月火水木金土日"[self.weekday]
            return {
                "weekly": f"毎週{wd}曜 {hm}",
                "daily": f"毎日 {hm}",
                "monthly": f"毎月{self.day}日 {hm}",
                "weekdays": f"平日 {hm}",
            }[self.kind]
        return {
            "weekly": f"weekly {WEEKDAYS[self.weekday]} {hm}",
            "daily": f"daily {hm}",
            "monthly": f"monthly {self.day} {hm}",
            "weekdays": f"weekdays {hm}",
        }[self.kind]

    def cron_fields(self) -> dict[str, str]:
        """APScheduler CronTrigger fields firing on every candidate day (holidays are
        decided when the job runs, so moved digests need every weekday as a candidate)."""
        fields = {"hour": str(self.hour), "minute": str(self.minute)}
        if self.kind == "monthly":
            fields["day"] = "*"
        elif self.kind in ("weekly", "weekdays"):
            fields["day_of_week"] = "mon-sun"
        return fields


class ScheduleError(ValueError):
    pass


_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_JA_KINDS = (("毎週", "weekly"), ("毎日", "daily"), ("毎月", "monthly"), ("平日", "weekdays"))


def parse_schedule(text: str) -> Schedule:
    """'weekly mon 9:00' | 'daily 8:30' | 'monthly 1 9:00' | 'weekdays 9:00', and in
    Japanese 毎週月曜 9:00 | 毎日 8:30 | 毎月 1 9:00 | 平日 9:00."""
    lowered = text.strip().lower()
    for ja, en in _JA_KINDS:
        lowered = lowered.replace(ja, f"{en} ")
    words = lowered.split()
    if not words:
        return Schedule()
    kind = words[0]
    rest = words[1:]
    if kind.endswith("曜") or kind.endswith("曜日"):
        rest, kind = [kind, *rest], "weekly"
    if kind not in ("weekly", "daily", "monthly", "weekdays"):
        raise ScheduleError(
            f"unknown schedule '{words[0]}': use weekly, daily, monthly or weekdays"
        )
    values: dict[str, int] = {}
    for word in rest:
        if m := _TIME.match(word):
            values["hour"], values["minute"] = int(m.group(1)), int(m.group(2))
        elif kind == "weekly" and word[:3] in WEEKDAYS:
            values["weekday"] = WEEKDAYS.index(word[:3])
        elif kind == "weekly" and word[:1] in _WEEKDAY_JA:
            values["weekday"] = WEEKDAYS.index(_WEEKDAY_JA[word[:1]])
        elif kind == "monthly" and word.isdigit():
            values["day"] = int(word)
        else:
            raise ScheduleError(f"cannot read '{word}' in schedule '{text}'")
    try:
        return Schedule(kind=kind, **values)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ScheduleError(f"schedule '{text}': {exc.errors()[0]['msg']}") from None  # type: ignore[attr-defined]


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not jpholiday.is_holiday(day)


def _base_days(schedule: Schedule, start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if (
            schedule.kind == "daily"
            or (schedule.kind == "weekly" and day.weekday() == schedule.weekday)
            or (schedule.kind == "weekdays" and day.weekday() < 5)
            or (schedule.kind == "monthly" and day.day == schedule.day)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def fire_times(
    schedule: Schedule, holiday_rule: str, tz: str, start: datetime, end: datetime
) -> list[datetime]:
    """Effective fire times in [start, end], timezone-aware, after the holiday rule."""
    zone = ZoneInfo(tz)
    local_start = start.astimezone(zone).date() - timedelta(days=10)
    local_end = end.astimezone(zone).date()
    result: set[datetime] = set()
    for day in _base_days(schedule, local_start, local_end):
        if jpholiday.is_holiday(day):
            if holiday_rule == "skip":
                continue
            day = day + timedelta(days=1)
            while not is_business_day(day):
                day += timedelta(days=1)
        fire = datetime.combine(day, time(schedule.hour, schedule.minute), tzinfo=zone)
        if start <= fire <= end:
            result.add(fire)
    return sorted(result)


def latest_fire_time(
    schedule: Schedule,
    holiday_rule: str,
    tz: str,
    now: datetime,
    *,
    lookback: timedelta = timedelta(days=40),
) -> datetime | None:
    times = fire_times(schedule, holiday_rule, tz, now - lookback, now)
    return times[-1] if times else None


def next_fire_time(
    schedule: Schedule, holiday_rule: str, tz: str, now: datetime
) -> datetime | None:
    """The first fire time at or after ``now``; None when none falls within a year."""
    # Two months cover every schedule (monthly days stop at 28) unless holidays skip
    # its fire times; a year covers those.
    for ahead in (timedelta(days=62), timedelta(days=366)):
        times = fire_times(schedule, holiday_rule, tz, now, now + ahead)
        if times:
            return times[0]
    return None
