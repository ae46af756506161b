"""domain/warm_hours.py: the text users write, the windows it means, and the KEDA cron fields it becomes.

KEDA's cron scaler (kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go) reads five-field cron expressions with robfig/cron
(day of week: Sunday = 0) and an IANA `timezone`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from domain.warm_hours import WarmHours, parse_warm_hours


def test_a_weekday_window_in_berlin():
    warm = parse_warm_hours("Mon-Fri 08:00-18:00 Europe/Berlin")
    assert warm == WarmHours((0, 1, 2, 3, 4), time(8), time(18), "Europe/Berlin")
    assert (warm.cron_start, warm.cron_end) == ("0 8 * * 1,2,3,4,5", "0 18 * * 1,2,3,4,5")
    assert warm.text == "Mon-Fri 08:00-18:00 Europe/Berlin"


def test_days_as_a_list_and_sunday_as_cron_writes_it():
    warm = parse_warm_hours("Mon,Wed,Sun 07:30-09:45 UTC")
    assert warm.days == (0, 2, 6)
    assert warm.cron_start == "30 7 * * 1,3,0"
    assert warm.text == "Mon,Wed,Sun 07:30-09:45 UTC"


def test_windows_follow_daylight_saving_time():
    warm = parse_warm_hours("Tue 08:00-18:00 Europe/Berlin")
    winter = warm.windows(date(2026, 12, 1), date(2026, 12, 1))
    summer = warm.windows(date(2026, 6, 2), date(2026, 6, 2))
    assert winter == [(datetime(2026, 12, 1, 7, tzinfo=timezone.utc), datetime(2026, 12, 1, 17, tzinfo=timezone.utc))]
    assert summer == [(datetime(2026, 6, 2, 6, tzinfo=timezone.utc), datetime(2026, 6, 2, 16, tzinfo=timezone.utc))]
    assert warm.windows(date(2026, 12, 2), date(2026, 12, 6)) == []  # Wednesday to Sunday


@pytest.mark.parametrize("value, message", [
    ("Mon-Fri 08:00-18:00", "'Mon-Fri 08:00-18:00' is not days, hours and a time zone. "
                            "Write it like Mon-Fri 08:00-18:00 Europe/Berlin"),
    ("Mon-Fry 08:00-18:00 UTC", "'Mon-Fry' is not a list of days. Use Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range like "
                                "Mon-Fri, or a comma list like Mon,Wed,Fri"),
    ("Fri-Mon 08:00-18:00 UTC", "Fri-Mon runs backwards. Write the earlier day first, like Mon-Fri"),
    ("Mon-Fri 8:00-18:00 UTC", "'8:00' in '8:00-18:00' is not a time of day. Write HH:MM, 00:00 to 23:59"),
    ("Mon-Fri 08:00-24:00 UTC", "'24:00' in '08:00-24:00' is not a time of day. Write HH:MM, 00:00 to 23:59"),
    ("Mon-Fri 08:00 UTC", "'08:00' is not a start and an end. Write hours like 08:00-18:00"),
    ("Mon-Fri 18:00-08:00 UTC", "18:00-08:00 ends before it starts; a window across midnight is not supported. "
                                "Give an end later than the start on the same day, like 08:00-18:00"),
    ("Mon-Fri 08:00-08:00 UTC", "08:00-08:00 ends before it starts"),
    ("Mon-Fri 08:00-18:00 Mars/Olympus", "'Mars/Olympus' is not an IANA time zone. Use a name like Europe/Berlin, "
                                         "America/New_York or UTC"),
    ("Mon-Fri 08:00-18:00 ../../etc/passwd", "is not an IANA time zone"),
])
def test_bad_warm_hours_say_what_is_wrong_and_what_to_write(value: str, message: str):
    with pytest.raises(ValueError) as error:
        parse_warm_hours(value)
    assert message in str(error.value)
