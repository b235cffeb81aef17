"""Maintenance windows and policies, and the business calendar for SLA clocks."""

import zoneinfo
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models

from marketplace_ops.choices import PolicyTiming, WindowKind
from marketplace_ops.history import tracked_history


def validate_time_zone(value: str):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"'{value}' is not a known IANA time zone (e.g. UTC, Europe/Berlin).")


def validate_weekdays(value):
    if not isinstance(value, list) or not value or any(not isinstance(d, int) or not 0 <= d <= 6 for d in value):
        raise ValidationError("Weekdays must be a non-empty list of numbers 0 (Monday) to 6 (Sunday).")


class MaintenanceWindow(models.Model):
    """A recurring window, e.g. Sundays 01:00–05:00 UTC; local time is kept across DST."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=WindowKind.choices, db_index=True)
    weekdays = models.JSONField(validators=[validate_weekdays], help_text="0 = Monday … 6 = Sunday")
    start_time = models.TimeField()
    duration = models.DurationField(help_text="e.g. 04:00:00")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.duration is not None and not timedelta(minutes=1) <= self.duration <= timedelta(hours=24):
            raise ValidationError({"duration": "A window lasts between 1 minute and 24 hours."})


class MaintenancePolicy(models.Model):
    """The source document's maintenance schedule table, one row per maintenance type."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    frequency = models.CharField(max_length=100)
    timing = models.CharField(max_length=30, choices=PolicyTiming.choices)
    notice_period = models.DurationField(help_text="How long before the start stakeholders must be told.")
    notice_description = models.CharField(max_length=100, blank=True)
    allowed_window_kinds = models.JSONField(
        default=list, blank=True, help_text="Window kinds a change under this policy may run in."
    )
    description = models.TextField(blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "maintenance policies"

    def __str__(self):
        return self.name


class BusinessCalendar(models.Model):
    """Working hours and holidays for "business hours/days" SLA clocks."""

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    holidays_country = models.CharField(max_length=8, default="US", help_text="ISO code for the holidays package.")
    holidays_subdivision = models.CharField(max_length=16, blank=True)
    workday_start = models.TimeField(default="09:00")
    workday_end = models.TimeField(default="17:00")
    working_weekdays = models.JSONField(default=list, validators=[validate_weekdays])

    history = tracked_history()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_calendar")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.workday_start and self.workday_end and self.workday_start >= self.workday_end:
            raise ValidationError({"workday_end": "The working day must end after it starts."})
        if self.holidays_country:
            import holidays

            if self.holidays_country.upper() not in holidays.list_supported_countries():
                raise ValidationError({"holidays_country": f"'{self.holidays_country}' is not a supported country."})


class CalendarHoliday(models.Model):
    """A company holiday on top of the country's public holidays."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="extra_holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_calendar_holiday")]

    def __str__(self):
        return f"{self.date} {self.name}"
