"""SLA clocks for tickets: the same policy table as incidents (source document, "Service Level
Agreements"). Waiting on customer pauses the resolution clock; the paused time is added back when
the clock resumes.

`ticket_deadlines()` uses the incidents app's `sla_deadlines()` (and so its SLA policy rows) when
it is installed, and otherwise computes with the kernel's business calendar from the same table
(`POLICY`, the source document's defaults), so both apps agree on every clock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from marketplace_ops.services import business_calendar


@dataclass(frozen=True)
class Target:
    response: timedelta
    resolution: timedelta | None = None  # wall-clock target
    resolution_business_days: int | None = None  # business-day target (business calendar)
    update_every: timedelta | None = None  # None: "as needed"

    @property
    def business_clock(self) -> bool:
        return self.resolution_business_days is not None


POLICY = {
    "critical": Target(timedelta(minutes=30), timedelta(hours=4), update_every=timedelta(hours=1)),
    "high": Target(timedelta(hours=2), timedelta(hours=8), update_every=timedelta(hours=4)),
    "medium": Target(timedelta(hours=4), timedelta(hours=24), update_every=timedelta(days=1)),
    "low": Target(timedelta(hours=8), resolution_business_days=5),
}


def target_for(severity: str) -> Target:
    try:
        return POLICY[str(severity)]
    except KeyError:
        raise ValueError(f"Unknown severity '{severity}'; expected one of {', '.join(POLICY)}.")


def _incidents_terms(severity: str) -> dict | None:
    try:
        from incidents.sla import sla_terms
    except ImportError:
        return None
    return sla_terms(str(severity))


def is_business_clock(severity: str) -> bool:
    terms = _incidents_terms(severity)
    if terms is not None:
        return bool(terms.get("resolution_business_days"))
    return target_for(severity).business_clock


def paused_duration(*, severity: str, start: datetime, end: datetime) -> timedelta:
    """How much a pause from `start` to `end` moves the resolution clock: business time for a
    business-day clock (a weekend in waiting does not count twice), wall-clock time otherwise."""
    if end <= start:
        return timedelta(0)
    if is_business_clock(severity):
        return business_calendar.business_time_between(start, end)
    return end - start


def _local_deadlines(*, severity: str, detected_at: datetime, paused: timedelta) -> dict:
    target = target_for(severity)
    if target.business_clock:
        spec = business_calendar.calendar_spec()
        hours = target.resolution_business_days * spec.hours_per_day + paused.total_seconds() / 3600
        resolution_due = business_calendar.add_business_hours(detected_at, hours, calendar=spec)
    else:
        resolution_due = detected_at + target.resolution + paused
    return {
        "response_due": detected_at + target.response,
        "resolution_due": resolution_due,
        "update_every": target.update_every,
    }


def _incidents_deadlines(*, severity: str, detected_at: datetime, paused: timedelta) -> dict | None:
    """The incidents app's computation, if it is there and speaks the agreed keys."""
    try:
        from incidents.sla import sla_deadlines
    except ImportError:
        return None
    result = sla_deadlines(severity=severity, detected_at=detected_at, paused=paused)
    if not isinstance(result, dict) or "response_due" not in result or "resolution_due" not in result:
        return None
    update_due = result.get("update_due")
    return {
        "response_due": result["response_due"],
        "resolution_due": result["resolution_due"],
        "update_every": (update_due - detected_at) if update_due else None,
    }


def ticket_deadlines(*, severity: str, detected_at: datetime, paused: timedelta = timedelta(0)) -> dict:
    """{"response_due", "resolution_due", "update_every"} for a ticket opened at `detected_at`."""
    target_for(severity)  # validates the severity
    return _incidents_deadlines(severity=severity, detected_at=detected_at, paused=paused) or _local_deadlines(
        severity=severity, detected_at=detected_at, paused=paused
    )
