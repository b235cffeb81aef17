"""SLA clocks, shared by incidents and support tickets.

`sla_deadlines(severity=..., detected_at=..., paused=...)` is the one computation: response and
update clocks run on wall-clock time; a resolution clock given in business days (low severity:
5 business days) runs on the kernel's default business calendar (working hours, weekdays,
public and company holidays).
"""

from datetime import datetime, timedelta

from incidents.choices import Severity

# The source document's SLA table; the seeded SlaPolicy rows start from these and win over them.
DEFAULT_TERMS = {
    Severity.CRITICAL: {"response_minutes": 30, "resolution_minutes": 4 * 60, "resolution_business_days": None, "update_minutes": 60},
    Severity.HIGH: {"response_minutes": 120, "resolution_minutes": 8 * 60, "resolution_business_days": None, "update_minutes": 240},
    Severity.MEDIUM: {"response_minutes": 240, "resolution_minutes": 24 * 60, "resolution_business_days": None, "update_minutes": 24 * 60},
    Severity.LOW: {"response_minutes": 480, "resolution_minutes": None, "resolution_business_days": 5, "update_minutes": None},
}


def sla_terms(severity: str) -> dict:
    """The terms in force for a severity: the SlaPolicy row, else the document's defaults."""
    from incidents.models import SlaPolicy

    if severity not in Severity.values:
        raise ValueError(f"Unknown severity '{severity}'.")
    policy = SlaPolicy.objects.filter(severity=severity).first()
    return policy.as_terms() if policy else dict(DEFAULT_TERMS[severity])


def sla_deadlines(
    *,
    severity: str,
    detected_at: datetime,
    paused: timedelta = timedelta(0),
    terms: dict | None = None,
    calendar=None,
) -> dict:
    """Deadlines for a record detected at `detected_at` with `severity`.

    Returns {"response_due": datetime, "resolution_due": datetime, "update_due": datetime | None}.
    `paused` is the time the clock stood still (e.g. a ticket waiting on the customer): the
    resolution deadline moves later by that much (for a business-day clock, pass the paused
    *business* time, e.g. from `business_time_between`). `terms` (as `SlaPolicy.as_terms()`)
    skips the database read; `calendar` is a kernel CalendarSpec or BusinessCalendar.
    """
    from marketplace_ops.services.business_calendar import add_business_hours, calendar_spec

    terms = terms or sla_terms(severity)
    response_due = detected_at + timedelta(minutes=terms["response_minutes"])
    if terms.get("resolution_business_days"):
        spec = calendar if calendar is not None and not hasattr(calendar, "pk") else calendar_spec(calendar)
        hours = terms["resolution_business_days"] * spec.hours_per_day + paused.total_seconds() / 3600
        resolution_due = add_business_hours(detected_at, hours, calendar=spec)
    else:
        resolution_due = detected_at + timedelta(minutes=terms["resolution_minutes"]) + paused
    update_minutes = terms.get("update_minutes")
    update_due = detected_at + timedelta(minutes=update_minutes) if update_minutes else None
    return {"response_due": response_due, "resolution_due": resolution_due, "update_due": update_due}
