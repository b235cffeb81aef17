"""Who is on call: rotation shifts in local wall-clock time (DST-safe), overrides win."""

from datetime import datetime, timedelta

from django.utils import timezone

from incidents.models import Rotation


def on_call_at(rotation: Rotation, at: datetime):
    """The user on call for `rotation` at `at` (an override covering `at` wins), or None."""
    override = (
        rotation.overrides.filter(starts_at__lte=at, ends_at__gt=at).select_related("user").order_by("-starts_at", "-id").first()
    )
    if override is not None:
        return override.user
    members = list(rotation.members.select_related("user").order_by("position", "id"))
    index = rotation.shift_index(at)
    if index is None or not members:
        return None
    return members[index % len(members)].user


def primary_rotation() -> Rotation | None:
    return Rotation.objects.filter(is_active=True).order_by("-is_primary", "name").first()


def rotation_schedule(rotation: Rotation, *, start: datetime | None = None, days: int = 7) -> list[dict]:
    """Shifts and overrides between `start` (default: now) and `days` later, for the admin."""
    start = start or timezone.now()
    end = start + timedelta(days=days)
    members = list(rotation.members.select_related("user").order_by("position", "id"))
    rows = []
    index = rotation.shift_index(start)
    if index is None:
        index = 0
    for _ in range(days + 1):
        shift_start, shift_end = rotation.shift_bounds(index)
        if shift_start >= end:
            break
        if shift_end > start and members:
            rows.append({"start": shift_start, "end": shift_end, "user": members[index % len(members)].user, "override": False})
        index += 1
    for override in rotation.overrides.filter(starts_at__lt=end, ends_at__gt=start).select_related("user"):
        rows.append({"start": override.starts_at, "end": override.ends_at, "user": override.user, "override": True,
                     "reason": override.reason})
    return sorted(rows, key=lambda r: (r["start"], r["override"]))
