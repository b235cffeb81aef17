"""Who is on call at T — across DST changes, with overrides."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from incidents.models import RotationOverride
from incidents.services import on_call_at, rotation_schedule
from tests.incidents.factories import rotation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return [make_user(name) for name in ("anna", "bert", "cleo")]


def test_weekly_handoff_keeps_local_time_across_spring_forward(people):
    # Berlin: CET (UTC+1) until Sunday 29 March 2026, then CEST (UTC+2). Hand-off Monday 09:00 local.
    rotation = rotation_with(people, time_zone="Europe/Berlin", handoff_weekday=0, handoff_time=time(9),
                             length_days=7, starts_on=date(2026, 3, 2))
    anna, bert, cleo = people
    assert on_call_at(rotation, datetime(2026, 3, 2, 8, 0, tzinfo=UTC)) == anna  # 09:00 CET
    assert on_call_at(rotation, datetime(2026, 3, 9, 7, 59, tzinfo=UTC)) == anna  # 08:59 CET
    assert on_call_at(rotation, datetime(2026, 3, 9, 8, 0, tzinfo=UTC)) == bert
    # Shift 4 starts Monday 30 March 09:00 CEST = 07:00 UTC (a naive 7×24 h count would say 08:00 UTC).
    assert on_call_at(rotation, datetime(2026, 3, 30, 6, 59, tzinfo=UTC)) == anna  # shift 3 (index 3 % 3)
    assert on_call_at(rotation, datetime(2026, 3, 30, 7, 0, tzinfo=UTC)) == bert
    assert on_call_at(rotation, datetime(2026, 3, 30, 7, 30, tzinfo=UTC)) == bert


def test_daily_handoff_across_fall_back(people):
    # New York falls back on Sunday 1 November 2026 (EDT UTC-4 → EST UTC-5). Daily hand-off 18:00 local.
    rotation = rotation_with(people[:2], time_zone="America/New_York", handoff_time=time(18), length_days=1,
                             starts_on=date(2026, 10, 26), handoff_weekday=0)
    anna, bert, _ = people
    # Shifts: Mon 26 anna, Tue bert, Wed anna, Thu bert, Fri anna, Sat bert, Sun 1 Nov anna.
    assert on_call_at(rotation, datetime(2026, 10, 31, 21, 59, tzinfo=UTC)) == anna  # Sat 17:59 EDT (Friday's shift)
    assert on_call_at(rotation, datetime(2026, 10, 31, 22, 0, tzinfo=UTC)) == bert  # Sat 18:00 EDT
    # Sunday's hand-off is 18:00 EST = 23:00 UTC (a naive 24 h count would say 22:00 UTC).
    assert on_call_at(rotation, datetime(2026, 11, 1, 22, 59, tzinfo=UTC)) == bert  # Sun 17:59 EST
    assert on_call_at(rotation, datetime(2026, 11, 1, 23, 0, tzinfo=UTC)) == anna  # Sun 18:00 EST


def test_before_the_first_handoff_nobody_is_on_call(people):
    rotation = rotation_with(people, starts_on=date(2026, 3, 4), handoff_weekday=0)  # first hand-off Mon 9 March
    assert on_call_at(rotation, datetime(2026, 3, 8, 12, tzinfo=UTC)) is None
    assert on_call_at(rotation, datetime(2026, 3, 9, 9, tzinfo=UTC)) == people[0]


def test_override_wins_while_it_lasts(people, make_user):
    rotation = rotation_with(people, starts_on=date(2026, 3, 2))
    dora = make_user("dora")
    RotationOverride.objects.create(rotation=rotation, user=dora, starts_at=datetime(2026, 3, 3, 12, tzinfo=UTC),
                                    ends_at=datetime(2026, 3, 4, 12, tzinfo=UTC), reason="Anna at the dentist")
    assert on_call_at(rotation, datetime(2026, 3, 3, 11, 59, tzinfo=UTC)) == people[0]
    assert on_call_at(rotation, datetime(2026, 3, 3, 12, tzinfo=UTC)) == dora
    assert on_call_at(rotation, datetime(2026, 3, 4, 12, tzinfo=UTC)) == people[0]


def test_schedule_lists_this_weeks_shifts_and_overrides(people, make_user):
    rotation = rotation_with(people, starts_on=date(2026, 3, 2), length_days=2)
    dora = make_user("dora")
    RotationOverride.objects.create(rotation=rotation, user=dora, starts_at=datetime(2026, 3, 5, 0, tzinfo=UTC),
                                    ends_at=datetime(2026, 3, 5, 6, tzinfo=UTC))
    rows = rotation_schedule(rotation, start=datetime(2026, 3, 2, 9, tzinfo=UTC), days=7)
    shifts = [(r["start"].astimezone(UTC).day, r["user"].username, r["override"]) for r in rows]
    assert shifts[:3] == [(2, "anna", False), (4, "bert", False), (5, "dora", True)]
    assert [s for s in shifts if not s[2]] == [(2, "anna", False), (4, "bert", False), (6, "cleo", False), (8, "anna", False)]
    assert all(r["end"] > r["start"] for r in rows) and rows[-1]["start"] < datetime(2026, 3, 9, 9, tzinfo=UTC) + timedelta(0)
