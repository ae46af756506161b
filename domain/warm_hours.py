"""Warm hours: `Mon-Fri 08:00-18:00 Europe/Berlin`, the week's windows in which runners stay up, and their KEDA cron form.

KEDA's cron scaler (kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go) takes `timezone` (an IANA name, loaded with Go's
time.LoadLocation), `start` and `end` (five-field cron expressions parsed by robfig/cron: minute hour day-of-month
month day-of-week, Sunday = 0) and `desiredReplicas`; it refuses equal start and end. The zone is checked here against
the IANA database Python carries (zoneinfo), the same names Go reads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # Python's weekday(): Monday = 0
EXAMPLE = "Mon-Fri 08:00-18:00 Europe/Berlin"
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class WarmHours:
    days: tuple[int, ...]  # Python weekdays, Monday = 0
    start: time
    end: time
    zone: str

    @property
    def text(self) -> str:
        return f"{_days_text(self.days)} {self.start:%H:%M}-{self.end:%H:%M} {self.zone}"

    @property
    def cron_days(self) -> str:
        """The days as cron's day-of-week list (Sunday = 0)."""
        return ",".join(str((day + 1) % 7) for day in self.days)

    @property
    def cron_start(self) -> str:
        return f"{self.start.minute} {self.start.hour} * * {self.cron_days}"

    @property
    def cron_end(self) -> str:
        return f"{self.end.minute} {self.end.hour} * * {self.cron_days}"

    def windows(self, first: date, last: date) -> list[tuple[datetime, datetime]]:
        """Each window from `first` to `last` (local dates, inclusive), as UTC datetimes."""
        zone = ZoneInfo(self.zone)
        found = []
        day = first
        while day <= last:
            if day.weekday() in self.days:
                start = datetime.combine(day, self.start, zone).astimezone(timezone.utc)
                end = datetime.combine(day, self.end, zone).astimezone(timezone.utc)
                found.append((start, end))
            day += timedelta(days=1)
        return found


def parse_warm_hours(value: str) -> WarmHours:
    """`<days> <HH:MM>-<HH:MM> <IANA zone>`; ValueError with what is wrong and what to write instead."""
    parts = value.split()
    if len(parts) != 3:
        raise ValueError(f"{value!r} is not days, hours and a time zone. Write it like {EXAMPLE}")
    days_text, hours_text, zone = parts
    days = _days(days_text)
    start_text, dash, end_text = hours_text.partition("-")
    start, end = _time(start_text, hours_text), _time(end_text, hours_text) if dash else None
    if end is None:
        raise ValueError(f"{hours_text!r} is not a start and an end. Write hours like 08:00-18:00")
    if end <= start:
        raise ValueError(f"{hours_text} ends before it starts; a window across midnight is not supported. "
                         "Give an end later than the start on the same day, like 08:00-18:00")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{zone!r} is not an IANA time zone. Use a name like Europe/Berlin, America/New_York or UTC") from None
    return WarmHours(days, start, end, zone)


def _days(text: str) -> tuple[int, ...]:
    chosen: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValueError(f"{text!r} is not a list of days. Use {', '.join(DAY_NAMES)}, a range like Mon-Fri, "
                             "or a comma list like Mon,Wed,Fri")
        begin, stop = DAY_NAMES.index(first), DAY_NAMES.index(last if dash else first)
        if stop < begin:
            raise ValueError(f"{part} runs backwards. Write the earlier day first, like Mon-Fri")
        chosen.update(range(begin, stop + 1))
    return tuple(sorted(chosen))


def _time(text: str, hours_text: str) -> time:
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"{text!r} in {hours_text!r} is not a time of day. Write HH:MM, 00:00 to 23:59")
    return time(int(match.group(1)), int(match.group(2)))


def _days_text(days: tuple[int, ...]) -> str:
    if len(days) > 1 and days == tuple(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ",".join(DAY_NAMES[day] for day in days)
