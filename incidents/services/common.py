"""Helpers the incident services share: locking, timeline entries, the sweep bookkeeping."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.choices import EscalationTrigger
from incidents.models import Incident, TimelineEntry
from marketplace_ops.actors import SYSTEM_USERNAME, resolve_actor


def lock(incident_or_id) -> Incident:
    """The incident row, locked for the rest of the transaction (fresh copy)."""
    pk = getattr(incident_or_id, "pk", incident_or_id)
    try:
        return Incident.objects.select_for_update().get(pk=pk)
    except Incident.DoesNotExist:
        raise ValidationError({"incident": f"Incident {pk} does not exist."}) from None


def is_human(acting_user) -> bool:
    actor = resolve_actor(acting_user)
    return actor.get_username() != SYSTEM_USERNAME


def add_timeline(incident, *, kind, message, acting_user=None, at: datetime | None = None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        at=at or timezone.now(),
        kind=kind,
        status=incident.status,
        message=message,
        created_by=resolve_actor(acting_user),
    )


def unack_steps(snapshot: dict) -> list[tuple[int, dict]]:
    return sorted(
        ((i, s) for i, s in enumerate(snapshot.get("steps", [])) if s["trigger"] == EscalationTrigger.UNACKNOWLEDGED),
        key=lambda pair: (pair[1].get("wait_minutes", 0), pair[0]),
    )


def next_sweep_at(incident: Incident) -> datetime | None:
    """The next moment the minute sweep has something to do for this incident."""
    if not incident.is_open:
        return None
    moments = []
    snapshot = incident.escalation_snapshot or {}
    state = snapshot.get("state", {})
    if incident.acknowledged_at is None and not incident.paging_suppressed and incident.escalation_started_at:
        pending = unack_steps(snapshot)[state.get("cursor", 0):]
        if pending:
            moments.append(incident.escalation_started_at + timedelta(minutes=pending[0][1].get("wait_minutes", 0)))
    if incident.acknowledged_at is None and incident.response_breached_at is None and incident.response_due_at:
        moments.append(incident.response_due_at)
    if incident.resolution_breached_at is None and incident.resolution_due_at:
        moments.append(incident.resolution_due_at)
    if incident.update_due_at and state.get("update_handled") != incident.update_due_at.isoformat():
        moments.append(incident.update_due_at)
    return min(moments) if moments else None


def refresh_sweep(incident: Incident) -> None:
    """Store the sweep bookkeeping (not tracked by history: the timeline is the record)."""
    incident.sweep_due_at = next_sweep_at(incident)
    Incident.objects.filter(pk=incident.pk).update(
        sweep_due_at=incident.sweep_due_at, escalation_snapshot=incident.escalation_snapshot
    )


def response_group_name() -> str:
    return settings.INCIDENTS_RESPONSE_GROUP


def incident_url(incident) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/admin/incidents/incident/{incident.pk}/change/"
