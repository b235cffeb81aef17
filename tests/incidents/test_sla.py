"""SLA deadlines per severity, business days across a weekend and a holiday, severity changes."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents.models import Incident, SlaPolicy, TimelineEntry
from incidents.services import incident_change_severity, incident_open
from incidents.sla import sla_deadlines
from marketplace_ops.models import BusinessCalendar, CalendarHoliday

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday


def test_policies_are_seeded_from_the_sla_table():
    terms = {p.severity: p.as_terms() for p in SlaPolicy.objects.all()}
    assert terms["critical"] == {"response_minutes": 30, "resolution_minutes": 240, "resolution_business_days": None, "update_minutes": 60}
    assert terms["high"]["response_minutes"] == 120 and terms["high"]["resolution_minutes"] == 480
    assert terms["high"]["update_minutes"] == 240
    assert terms["medium"]["resolution_minutes"] == 24 * 60 and terms["medium"]["update_minutes"] == 24 * 60
    assert terms["low"]["resolution_business_days"] == 5 and terms["low"]["update_minutes"] is None


@pytest.mark.parametrize(
    "severity,response,resolution,update",
    [
        ("critical", timedelta(minutes=30), timedelta(hours=4), timedelta(hours=1)),
        ("high", timedelta(hours=2), timedelta(hours=8), timedelta(hours=4)),
        ("medium", timedelta(hours=4), timedelta(hours=24), timedelta(days=1)),
    ],
)
def test_wall_clock_deadlines(severity, response, resolution, update):
    due = sla_deadlines(severity=severity, detected_at=T0)
    assert due["response_due"] == T0 + response
    assert due["resolution_due"] == T0 + resolution
    assert due["update_due"] == T0 + update


def test_low_resolution_is_five_business_days_across_a_weekend():
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    due = sla_deadlines(severity="low", detected_at=friday)
    assert due["response_due"] == friday + timedelta(hours=8)
    # Fri 15:00 + 5 working days of 8 h (09–17 UTC, Mon–Fri) → the next Friday 15:00.
    assert due["resolution_due"] == datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
    assert due["update_due"] is None


def test_low_resolution_skips_a_public_holiday_and_a_company_holiday():
    # US calendar: Monday 2026-05-25 is Memorial Day; add a company holiday on Tuesday too.
    calendar = BusinessCalendar.objects.get(is_default=True)
    CalendarHoliday.objects.create(calendar=calendar, date=datetime(2026, 5, 26).date(), name="Company day")
    friday = datetime(2026, 5, 22, 15, 0, tzinfo=UTC)
    due = sla_deadlines(severity="low", detected_at=friday)
    # Fri 2 h, Wed, Thu, Fri, Mon 8 h each = 34 h, then 6 h on Tue 2 June → 15:00.
    assert due["resolution_due"] == datetime(2026, 6, 2, 15, 0, tzinfo=UTC)


def test_paused_time_moves_the_resolution_deadline():
    due = sla_deadlines(severity="high", detected_at=T0, paused=timedelta(hours=3))
    assert due["resolution_due"] == T0 + timedelta(hours=11)
    low = sla_deadlines(severity="low", detected_at=T0, paused=timedelta(hours=8))
    assert low["resolution_due"] == datetime(2026, 3, 12, 10, 0, tzinfo=UTC)  # one more business day


def test_edited_policy_wins_over_the_document_defaults():
    SlaPolicy.objects.filter(severity="critical").update(response_minutes=15)
    assert sla_deadlines(severity="critical", detected_at=T0)["response_due"] == T0 + timedelta(minutes=15)


def test_incident_holds_its_deadlines(system_actor, time_machine):
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Gateway down", description="", severity="critical", acting_user=None)
    assert incident.response_due_at == T0 + timedelta(minutes=30)
    assert incident.resolution_due_at == T0 + timedelta(hours=4)
    assert incident.update_due_at == T0 + timedelta(hours=1)


def test_severity_change_recomputes_from_detection_and_is_on_the_timeline(make_user, time_machine):
    user = make_user("ivy", roles=["incident-response"])
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Slow catalog", description="", severity="medium", acting_user=user)
    time_machine.move_to(T0 + timedelta(minutes=20), tick=False)
    incident_change_severity(incident=incident, severity="critical", acting_user=user, reason="Checkout fails too")
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.response_due_at == T0 + timedelta(minutes=30)
    assert incident.resolution_due_at == T0 + timedelta(hours=4)
    entry = TimelineEntry.objects.filter(incident=incident, kind="severity").get()
    assert "medium → critical" in entry.message and entry.created_by == user
