import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from marketplace_ops.choices import Weekday
from marketplace_ops.history import tracked_history
from marketplace_ops.models.calendar import validate_time_zone


class OnCallContact(models.Model):
    """How to page a person: their phone for SMS."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_contact")
    phone = models.CharField(max_length=32, help_text="E.164, e.g. +14155550101")

    history = tracked_history()

    class Meta:
        verbose_name = "on-call contact"

    def __str__(self):
        return f"{self.user} ({self.phone})"

    def clean(self):
        digits = self.phone.lstrip("+").replace(" ", "")
        if not self.phone.startswith("+") or not digits.isdigit() or not 8 <= len(digits) <= 15:
            raise ValidationError({"phone": "Give the number in E.164 form, e.g. +14155550101."})


class Rotation(models.Model):
    """Members take turns of `length_days`, handing off on a weekday at a local wall-clock time."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    handoff_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    handoff_time = models.TimeField(default="09:00")
    length_days = models.PositiveSmallIntegerField(default=7)
    starts_on = models.DateField(help_text="The first shift starts at the first hand-off on or after this day.")
    is_primary = models.BooleanField(default=False, help_text="Pages for incidents whose policy names no rotation.")
    is_active = models.BooleanField(default=True)

    history = tracked_history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.length_days:
            raise ValidationError({"length_days": "A shift lasts at least one day."})

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def first_handoff(self) -> datetime:
        day = self.starts_on + timedelta(days=(self.handoff_weekday - self.starts_on.weekday()) % 7)
        return datetime.combine(day, self.handoff_time).replace(tzinfo=self.zone)

    def shift_index(self, at: datetime) -> int | None:
        """Which shift (0, 1, …) is running at `at`, counted in local wall-clock days (DST-safe)."""
        first = self.first_handoff()
        local = at.astimezone(self.zone)
        if local < first:
            return None
        days = (local.date() - first.date()).days
        if local.time() < self.handoff_time:
            days -= 1
        return max(days, 0) // self.length_days

    def shift_bounds(self, index: int) -> tuple[datetime, datetime]:
        first = self.first_handoff()
        start_day = first.date() + timedelta(days=index * self.length_days)
        end_day = start_day + timedelta(days=self.length_days)
        start = datetime.combine(start_day, self.handoff_time).replace(tzinfo=self.zone)
        end = datetime.combine(end_day, self.handoff_time).replace(tzinfo=self.zone)
        return start, end


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    history = tracked_history()

    class Meta:
        ordering = ["rotation", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["rotation", "user"], name="uniq_rotation_member")]

    def __str__(self):
        return f"{self.rotation}: #{self.position} {self.user}"


class RotationOverride(models.Model):
    """Someone covers the rotation from `starts_at` to `ends_at` (the latest override wins)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["rotation", "starts_at", "ends_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after_start")]

    def __str__(self):
        return f"{self.user} covers {self.rotation} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The override must end after it starts."})
