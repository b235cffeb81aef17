"""What other apps ask this one: is a component being deployed, what maintenance is coming.
Also the per-user ICS feed token."""

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from marketplace_ops.services import calendar
from marketplace_ops.services.audit import audit_log
from releases.choices import ChangeStatus, ReleaseStatus
from releases.models import CalendarFeedToken, ChangeRequest, Release

UPCOMING_RELEASE_STATES = (ReleaseStatus.APPROVED, ReleaseStatus.DEPLOYED)
UPCOMING_CHANGE_STATES = (ChangeStatus.APPROVED, ChangeStatus.SCHEDULED, ChangeStatus.IMPLEMENTING)


def component_is_deploying(*, component_id: int, at: datetime) -> bool:
    """True while a release of the component is deployed (not completed/rolled back), a change
    touching it is implementing, or an approved release/change of it is scheduled in the
    maintenance window in progress at `at` (the incidents app suppresses paging then)."""
    if Release.objects.filter(component_id=component_id, status=ReleaseStatus.DEPLOYED).exists():
        return True
    if ChangeRequest.objects.filter(components=component_id, status=ChangeStatus.IMPLEMENTING).exists():
        return True
    window = calendar.window_containing(at)
    if window is None:
        return False
    if Release.objects.filter(component_id=component_id, status=ReleaseStatus.APPROVED,
                              scheduled_start__lt=window.end, scheduled_end__gt=window.start).exists():
        return True
    return ChangeRequest.objects.filter(
        components=component_id, status__in=(ChangeStatus.APPROVED, ChangeStatus.SCHEDULED),
        planned_start__lt=window.end, planned_end__gt=window.start,
    ).exists()


def upcoming_maintenance(*, start: datetime, end: datetime, public_only: bool = True) -> list[dict]:
    """Approved/deployed releases and approved/scheduled/implementing changes overlapping
    [start, end), for the status page and dashboard, ordered by start."""
    releases = Release.objects.filter(status__in=UPCOMING_RELEASE_STATES, scheduled_start__lt=end,
                                      scheduled_end__gt=start).select_related("component")
    if public_only:
        releases = releases.filter(component__is_public=True)
    items = [
        {"kind": "release", "id": r.pk, "title": f"{r.component} {r.version}: {r.title}",
         "component_ids": [r.component_id], "starts_at": r.scheduled_start, "ends_at": r.scheduled_end,
         "status": r.status, "updated_at": r.updated_at}
        for r in releases
    ]
    changes = ChangeRequest.objects.filter(status__in=UPCOMING_CHANGE_STATES, planned_start__lt=end,
                                           planned_end__gt=start).prefetch_related("components")
    if public_only:
        changes = changes.filter(Q(components__is_public=True)).distinct()
    for change in changes:
        component_ids = [c.pk for c in change.components.all() if c.is_public or not public_only]
        items.append({"kind": "change", "id": change.pk, "title": change.title, "component_ids": component_ids,
                      "starts_at": change.planned_start, "ends_at": change.planned_end, "status": change.status,
                      "updated_at": change.updated_at})
    return sorted(items, key=lambda item: (item["starts_at"], item["kind"], item["id"]))


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_feed_token_rotate(*, user, acting_user) -> str:
    """A new feed token for `user` (the old one stops working); the raw value shows once."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeedToken.objects.update_or_create(user=user, defaults={"token_hash": _hash(raw)})
        audit_log(event_type="releases.calendar_token_rotated", action="create", acting_user=acting_user,
                  resource_type="releases.CalendarFeedToken", resource_id=str(user.pk),
                  resource_name=user.get_username())
    return raw


def calendar_feed_user(raw: str):
    """The active staff user owning this feed token, else None."""
    if not raw:
        return None
    token = CalendarFeedToken.objects.select_related("user").filter(token_hash=_hash(raw)).first()
    if token is None or not (token.user.is_active and token.user.is_staff):
        return None
    return token.user
