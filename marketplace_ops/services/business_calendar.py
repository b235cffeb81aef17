"""Business hours and days for SLA clocks: working hours, weekdays, public and company holidays."""

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays as holidays_lib
from django.conf import settings

from marketplace_ops.models import BusinessCalendar

MAX_DAYS_SCANNED = 3660


@dataclass(frozen=True)
class CalendarSpec:
    """A frozen copy of a BusinessCalendar, so a clock computation reads the database once."""

    time_zone: str
    country: str
    subdivision: str
    workday_start: time
    workday_end: time
    weekdays: tuple[int, ...]
    extra_holidays: frozenset[date]

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def hours_per_day(self) -> float:
        start = datetime.combine(date(2000, 1, 3), self.workday_start)
        end = datetime.combine(date(2000, 1, 3), self.workday_end)
        return (end - start).total_seconds() / 3600


def calendar_spec(calendar: BusinessCalendar | None = None) -> CalendarSpec:
    calendar = calendar or BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        return CalendarSpec("UTC", settings.BUSINESS_HOLIDAYS_COUNTRY, "", time(9), time(17), (0, 1, 2, 3, 4), frozenset())
    return CalendarSpec(
        time_zone=calendar.time_zone,
        country=calendar.holidays_country.upper(),
        subdivision=calendar.holidays_subdivision,
        workday_start=calendar.workday_start,
        workday_end=calendar.workday_end,
        weekdays=tuple(calendar.working_weekdays or (0, 1, 2, 3, 4)),
        extra_holidays=frozenset(calendar.extra_holidays.values_list("date", flat=True)),
    )


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    if not country:
        return frozenset()
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year).keys())


def is_business_day(spec: CalendarSpec, day: date) -> bool:
    if day.weekday() not in spec.weekdays or day in spec.extra_holidays:
        return False
    return day not in _public_holidays(spec.country, spec.subdivision, day.year)


def _day_bounds(spec: CalendarSpec, day: date) -> tuple[datetime, datetime]:
    zone = spec.zone
    return (
        datetime.combine(day, spec.workday_start).replace(tzinfo=zone),
        datetime.combine(day, spec.workday_end).replace(tzinfo=zone),
    )


def add_business_hours(moment: datetime, hours: float, *, calendar: BusinessCalendar | CalendarSpec | None = None) -> datetime:
    """The moment `hours` of working time after `moment` (time outside working hours does not count)."""
    spec = calendar if isinstance(calendar, CalendarSpec) else calendar_spec(calendar)
    remaining = timedelta(hours=hours)
    local = moment.astimezone(spec.zone)
    day = local.date()
    for _ in range(MAX_DAYS_SCANNED):
        if is_business_day(spec, day):
            start, end = _day_bounds(spec, day)
            cursor = max(local, start)
            if cursor < end:
                available = end - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(moment.tzinfo)
                remaining -= available
        day += timedelta(days=1)
        local = datetime.combine(day, time(0)).replace(tzinfo=spec.zone)
    raise ValueError("No business time found within ten years; check the business calendar.")


def add_business_days(moment: datetime, days: float, *, calendar: BusinessCalendar | CalendarSpec | None = None) -> datetime:
    """`days` full working days of business time after `moment` (Friday 16:00 + 5 days = next Friday 16:00)."""
    spec = calendar if isinstance(calendar, CalendarSpec) else calendar_spec(calendar)
    return add_business_hours(moment, days * spec.hours_per_day, calendar=spec)


def business_time_between(start: datetime, end: datetime, *, calendar: BusinessCalendar | CalendarSpec | None = None) -> timedelta:
    """Working time elapsed between two moments (for paused clocks)."""
    spec = calendar if isinstance(calendar, CalendarSpec) else calendar_spec(calendar)
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    day = start.astimezone(spec.zone).date()
    last = end.astimezone(spec.zone).date()
    while day <= last:
        if is_business_day(spec, day):
            day_start, day_end = _day_bounds(spec, day)
            lo, hi = max(day_start, start), min(day_end, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total
