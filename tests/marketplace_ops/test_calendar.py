from datetime import UTC, datetime, time, timedelta

import pytest

from marketplace_ops.models import MaintenancePolicy, MaintenanceWindow
from marketplace_ops.services.calendar import (
    next_window,
    notice_satisfied,
    policy_requires_window,
    window_containing,
    windows_between,
)

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_seeded_windows_sunday_primary_and_wednesday_secondary():
    # 2026-12-06 is a Sunday, 2026-12-09 a Wednesday.
    inside = window_containing(utc(2026, 12, 6, 3, 30))
    assert inside.window.kind == "primary"
    assert (inside.start, inside.end) == (utc(2026, 12, 6, 1), utc(2026, 12, 6, 5))
    assert window_containing(utc(2026, 12, 6, 5, 0)) is None  # end is exclusive
    assert window_containing(utc(2026, 12, 9, 2, 59)).window.kind == "secondary"
    assert window_containing(utc(2026, 12, 9, 3, 0)) is None
    assert window_containing(utc(2026, 12, 9, 2), kind="primary") is None


def test_next_window_of_a_kind():
    assert next_window(utc(2026, 12, 3, 18), kind="primary").start == utc(2026, 12, 6, 1)
    assert next_window(utc(2026, 12, 3, 18)).start == utc(2026, 12, 6, 1)
    assert next_window(utc(2026, 12, 6, 2), kind="secondary").start == utc(2026, 12, 9, 1)
    assert next_window(utc(2026, 12, 6, 2), kind=["primary"]).start == utc(2026, 12, 13, 1)


@pytest.fixture
def berlin_window():
    return MaintenanceWindow.objects.create(
        name="Berlin Sunday", kind="emergency", weekdays=[6], start_time=time(2, 30),
        duration=timedelta(hours=2), time_zone="Europe/Berlin",
    )


def test_local_window_keeps_wall_clock_time_across_spring_forward(berlin_window):
    # Berlin moves from UTC+1 to UTC+2 on Sunday 2027-03-28 at 02:00 local.
    before = next_window(utc(2027, 3, 20), kind="emergency")
    assert before.start == utc(2027, 3, 21, 1, 30)  # 02:30 CET
    # 02:30 does not exist on the change day; it falls to 03:30 CEST = 01:30 UTC.
    on_change = next_window(utc(2027, 3, 27), kind="emergency")
    assert on_change.start.date() == datetime(2027, 3, 28).date()
    after = next_window(utc(2027, 3, 29), kind="emergency")
    assert after.start == utc(2027, 4, 4, 0, 30)  # 02:30 CEST
    assert window_containing(utc(2027, 4, 4, 0, 45), kind="emergency").window == berlin_window


def test_local_window_keeps_wall_clock_time_across_fall_back(berlin_window):
    # Berlin moves from UTC+2 to UTC+1 on Sunday 2026-10-25 at 03:00 local.
    before = next_window(utc(2026, 10, 17), kind="emergency")
    assert before.start == utc(2026, 10, 18, 0, 30)  # 02:30 CEST
    on_change = next_window(utc(2026, 10, 24), kind="emergency")
    assert on_change.start == utc(2026, 10, 25, 0, 30)  # first 02:30 (CEST, fold=0)
    after = next_window(utc(2026, 10, 26), kind="emergency")
    assert after.start == utc(2026, 11, 1, 1, 30)  # 02:30 CET
    assert window_containing(utc(2026, 11, 1, 3, 29), kind="emergency") is not None
    assert window_containing(utc(2026, 11, 1, 3, 30), kind="emergency") is None


def test_windows_between_lists_every_occurrence():
    found = windows_between(utc(2026, 12, 1), utc(2026, 12, 15))
    assert [o.start for o in found] == [utc(2026, 12, 2, 1), utc(2026, 12, 6, 1), utc(2026, 12, 9, 1), utc(2026, 12, 13, 1)]


def test_notice_periods_from_the_policy_table():
    start = utc(2026, 12, 20, 1)
    minor = MaintenancePolicy.objects.get(slug="minor-update")
    assert notice_satisfied(minor, notice_at=start - timedelta(days=7), start_at=start)
    assert not notice_satisfied(minor, notice_at=start - timedelta(days=6, hours=23), start_at=start)
    assert not notice_satisfied(minor, notice_at=None, start_at=start)
    major = MaintenancePolicy.objects.get(slug="major-update")
    assert major.notice_period == timedelta(days=30)
    assert not notice_satisfied(major, notice_at=start - timedelta(days=29), start_at=start)
    security = MaintenancePolicy.objects.get(slug="security-patch")
    assert security.notice_period == timedelta(hours=24)
    emergency = MaintenancePolicy.objects.get(slug="emergency-fix")
    assert notice_satisfied(emergency, notice_at=None, start_at=start)
    assert MaintenancePolicy.objects.get(slug="database-maintenance").notice_period == timedelta(hours=48)


def test_which_policies_need_a_window():
    security = MaintenancePolicy.objects.get(slug="security-patch")
    assert policy_requires_window(security) and not policy_requires_window(security, critical=True)
    assert not policy_requires_window(MaintenancePolicy.objects.get(slug="emergency-fix"))
    assert policy_requires_window(MaintenancePolicy.objects.get(slug="major-update"), critical=True)


def test_window_validation_messages():
    from django.core.exceptions import ValidationError

    window = MaintenanceWindow(name="x", kind="primary", weekdays=[9], start_time=time(1), duration=timedelta(hours=30), time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as excinfo:
        window.full_clean()
    errors = excinfo.value.message_dict
    assert "weekdays" in errors and "time_zone" in errors and "duration" in errors
