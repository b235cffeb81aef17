"""Maintenance announcements: due at the latest when the policy's notice period begins."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from releases import notifications
from releases.choices import ReleaseStatus
from releases.gates import effective_policy
from releases.models import Release

SWEEP_LIMIT = 200


def announcement_due_at(release: Release):
    policy = effective_policy(release)
    if release.is_emergency or release.scheduled_start is None or policy is None:
        return None
    lead = timedelta(hours=settings.RELEASES_ANNOUNCEMENT_LEAD_HOURS)
    return release.scheduled_start - policy.notice_period - lead


def schedule_announcement(*, release: Release, acting_user, now) -> None:
    """Called inside the approval transaction: send now if due, else leave it to the sweep."""
    due = announcement_due_at(release)
    if due is None or release.announcement_sent_at:
        return
    if due <= now:
        _send(release, acting_user, now)
    else:
        release.announcement_due_at = due
        save_with_history(release, acting_user=acting_user, reason="maintenance announcement scheduled")


def _send(release: Release, acting_user, now) -> None:
    notifications.send_maintenance_announcement(release=release, acting_user=acting_user)
    release.announcement_sent_at = now
    release.announcement_due_at = None
    save_with_history(release, acting_user=acting_user, reason="maintenance announcement sent")
    audit_log(event_type="release.announced", action="notify", acting_user=acting_user, resource=release,
              details={"scheduled_start": release.scheduled_start})


def release_send_announcement(*, release: Release, acting_user) -> Release:
    """Send the maintenance announcement now (approved, scheduled releases only)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.status != ReleaseStatus.APPROVED:
            raise ValidationError("Only approved releases are announced.")
        if release.scheduled_start is None:
            raise ValidationError({"scheduled_start": "Schedule the release before announcing it."})
        if release.announcement_sent_at:
            raise ValidationError(f"The announcement was already sent at {release.announcement_sent_at:%Y-%m-%d %H:%M} UTC.")
        _send(release, acting_user, timezone.now())
    return release


def send_due_announcements(*, acting_user, limit: int = SWEEP_LIMIT) -> int:
    """The beat sweep: rows due now, locked with skip_locked so two workers never double-send."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Release.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=ReleaseStatus.APPROVED, announcement_sent_at__isnull=True, announcement_due_at__lte=now)
            .select_related("component")
            .order_by("announcement_due_at")[:limit]
        )
        for release in due:
            _send(release, acting_user, now)
    return len(due)
