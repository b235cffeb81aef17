"""Maintenance calendar queries the domains call: which window contains a moment, the next
window of a kind, and whether a notice satisfies a policy. Windows keep their local wall-clock
time across DST changes."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from marketplace_ops.choices import PolicyTiming
from marketplace_ops.models import MaintenancePolicy, MaintenanceWindow

SEARCH_DAYS = 400  # far enough to find any weekly window


@dataclass(frozen=True)
class WindowOccurrence:
    window: MaintenanceWindow
    start: datetime  # aware, UTC
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def __str__(self):
        return f"{self.window.name} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


def _occurrences(window: MaintenanceWindow, first_day, last_day):
    zone = zoneinfo.ZoneInfo(window.time_zone)
    day = first_day
    while day <= last_day:
        if day.weekday() in window.weekdays:
            local = datetime.combine(day, window.start_time).replace(tzinfo=zone)
            start = local.astimezone(UTC)
            yield WindowOccurrence(window, start, start + window.duration)
        day += timedelta(days=1)


def _windows(kinds=None):
    qs = MaintenanceWindow.objects.filter(is_active=True)
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    return list(qs)


def _kinds(kind):
    if kind is None:
        return None
    return [kind] if isinstance(kind, str) else list(kind)


def window_containing(moment: datetime, *, kind=None) -> WindowOccurrence | None:
    """The window (of `kind`, a kind or list of kinds) in progress at `moment`, if any."""
    for window in _windows(_kinds(kind)):
        zone = zoneinfo.ZoneInfo(window.time_zone)
        local_day = moment.astimezone(zone).date()
        for occurrence in _occurrences(window, local_day - timedelta(days=1), local_day + timedelta(days=1)):
            if occurrence.contains(moment):
                return occurrence
    return None


def next_window(after: datetime, *, kind=None) -> WindowOccurrence | None:
    """The first window (of `kind`) starting at or after `after`."""
    best = None
    for window in _windows(_kinds(kind)):
        zone = zoneinfo.ZoneInfo(window.time_zone)
        local_day = after.astimezone(zone).date()
        for occurrence in _occurrences(window, local_day - timedelta(days=1), local_day + timedelta(days=SEARCH_DAYS)):
            if occurrence.start >= after:
                if best is None or occurrence.start < best.start:
                    best = occurrence
                break
    return best


def windows_between(start: datetime, end: datetime, *, kind=None) -> list[WindowOccurrence]:
    """Every occurrence overlapping [start, end), for calendars."""
    found = []
    for window in _windows(_kinds(kind)):
        zone = zoneinfo.ZoneInfo(window.time_zone)
        first = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        found.extend(o for o in _occurrences(window, first, last) if o.start < end and o.end > start)
    return sorted(found, key=lambda o: o.start)


def notice_deadline(policy: MaintenancePolicy, start_at: datetime) -> datetime:
    """The latest moment a notice may go out for a start at `start_at`."""
    return start_at - policy.notice_period


def notice_satisfied(policy: MaintenancePolicy, *, notice_at: datetime | None, start_at: datetime) -> bool:
    """Did a notice given at `notice_at` come at least the policy's notice period before `start_at`?"""
    if policy.notice_period <= timedelta(0):
        return True
    if notice_at is None:
        return False
    return notice_at <= notice_deadline(policy, start_at)


def earliest_start_for_notice(policy: MaintenancePolicy, *, notice_at: datetime) -> datetime:
    return notice_at + policy.notice_period


def policy_requires_window(policy: MaintenancePolicy, *, critical: bool = False) -> bool:
    if policy.timing == PolicyTiming.IMMEDIATE:
        return False
    if policy.timing == PolicyTiming.IMMEDIATE_IF_CRITICAL and critical:
        return False
    return True


def get_policy(slug: str) -> MaintenancePolicy:
    return MaintenancePolicy.objects.get(slug=slug)


def next_occurrence_of(window: MaintenanceWindow, after: datetime) -> WindowOccurrence | None:
    """The occurrence of this one window in progress at, or next after, `after` (no query)."""
    zone = zoneinfo.ZoneInfo(window.time_zone)
    local_day = after.astimezone(zone).date()
    for occurrence in _occurrences(window, local_day - timedelta(days=1), local_day + timedelta(days=SEARCH_DAYS)):
        if occurrence.end > after:
            return occurrence
    return None
