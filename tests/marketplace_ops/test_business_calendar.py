from datetime import UTC, datetime, time, timedelta

import pytest

from marketplace_ops.models import BusinessCalendar, CalendarHoliday
from marketplace_ops.services.business_calendar import (
    add_business_days,
    add_business_hours,
    business_time_between,
)

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_hours_inside_one_working_day():
    assert add_business_hours(utc(2026, 12, 3, 10), 4) == utc(2026, 12, 3, 14)


def test_hours_roll_over_the_evening_and_the_weekend():
    # Friday 2026-12-04 16:00 + 2 business hours = Monday 10:00.
    assert add_business_hours(utc(2026, 12, 4, 16), 2) == utc(2026, 12, 7, 10)
    # Saturday counts from Monday 09:00.
    assert add_business_hours(utc(2026, 12, 5, 12), 1) == utc(2026, 12, 7, 10)


def test_five_business_days_across_a_weekend_and_a_public_holiday():
    # Thursday 2026-12-24 10:00 with 40 business hours to go: 7 h on the 24th, Christmas (Fri 25th)
    # and the weekend skipped, 32 h on 28–31 Dec, New Year's Day (Fri) skipped, the last hour on Mon 4 Jan.
    assert add_business_days(utc(2026, 12, 24, 10), 5) == utc(2027, 1, 4, 10)


def test_company_holidays_and_other_countries():
    calendar = BusinessCalendar.objects.get(is_default=True)
    CalendarHoliday.objects.create(calendar=calendar, date=datetime(2026, 12, 7).date(), name="Company day")
    assert add_business_hours(utc(2026, 12, 4, 16), 2) == utc(2026, 12, 8, 10)
    german = BusinessCalendar.objects.create(
        name="Berlin office", time_zone="Europe/Berlin", holidays_country="DE",
        workday_start=time(8), workday_end=time(16), working_weekdays=[0, 1, 2, 3, 4],
    )
    # 15:00 CET on 24 Dec leaves 1 h; 25/26 Dec are German holidays and then the weekend.
    assert add_business_hours(utc(2026, 12, 24, 14), 2, calendar=german) == utc(2026, 12, 28, 8)


def test_business_time_between_counts_only_working_hours():
    assert business_time_between(utc(2026, 12, 4, 16), utc(2026, 12, 7, 10)) == timedelta(hours=2)
    assert business_time_between(utc(2026, 12, 7, 10), utc(2026, 12, 4, 16)) == timedelta(0)
