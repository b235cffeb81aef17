"""Opening, moving, acknowledging, re-classifying and resolving incidents."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from incidents.choices import (
    URGENT_SEVERITIES,
    AffectedUsers,
    IncidentSource,
    IncidentStatus,
    Severity,
    TimelineKind,
)
from incidents.models import Incident
from incidents.models.incident import OPEN
from incidents.services.common import add_timeline, incident_url, is_human, lock, next_sweep_at
from incidents.services.escalation import emergency_page, notify_response_group, start_escalation
from incidents.sla import sla_deadlines, sla_terms
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.models import Component
from marketplace_ops.services.audit import audit_log

TRANSITIONS = {
    "investigate": "Investigation started",
    "identify": "Cause identified",
    "start_resolving": "Resolution in progress",
    "resolve": "Resolved",
    "close": "Closed",
    "reopen": "Reopened",
}


def _apply_deadlines(incident: Incident, *, now) -> None:
    terms = sla_terms(incident.severity)
    due = sla_deadlines(severity=incident.severity, detected_at=incident.detected_at, terms=terms)
    incident.response_due_at = due["response_due"]
    incident.resolution_due_at = due["resolution_due"]
    if terms.get("update_minutes"):
        base = incident.last_public_update_at or incident.detected_at
        incident.update_due_at = base + timedelta(minutes=terms["update_minutes"])
    else:
        incident.update_due_at = None
    if incident.response_due_at > now:
        incident.response_breached_at = None
    if incident.resolution_due_at > now:
        incident.resolution_breached_at = None


def _validate_open(title, severity, affected_users, source, component_ids):
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Give the incident a title."
    if severity not in Severity.values:
        errors["severity"] = f"Severity must be one of {', '.join(Severity.values)}."
    if affected_users not in AffectedUsers.values:
        errors["affected_users"] = f"Affected users must be one of {', '.join(AffectedUsers.values)}."
    if source not in IncidentSource.values:
        errors["source"] = f"Source must be one of {', '.join(IncidentSource.values)}."
    ids = sorted({int(getattr(c, "pk", c)) for c in component_ids})
    found = set(Component.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        errors["component_ids"] = f"Unknown component ids: {', '.join(map(str, missing))}."
    if errors:
        raise ValidationError(errors)
    return ids


def _existing_open(external_key):
    return Incident.objects.filter(external_key=external_key, status__in=OPEN).first()


def open_incident(
    *, title, description, severity, component_ids=(), source=IncidentSource.MANUAL, acting_user=None,
    external_key=None, affected_users=AffectedUsers.SOME, paging_suppressed=False, detected_at=None,
):
    """The worker behind `incident_open`; also takes alert-only options. Returns (incident, created)."""
    ids = _validate_open(title, severity, affected_users, source, component_ids)
    if external_key:
        existing = _existing_open(external_key)
        if existing:
            return existing, False
    now = timezone.now()
    actor = resolve_actor(acting_user)
    try:
        with transaction.atomic():
            incident = Incident(
                title=title.strip()[:200], description=description or "", severity=severity, source=source,
                external_key=external_key or None, affected_users=affected_users, detected_at=detected_at or now,
                paging_suppressed=paging_suppressed,
            )
            _apply_deadlines(incident, now=now)
            start_escalation(incident, at=incident.detected_at)
            save_with_history(incident, acting_user=actor, reason=f"Incident opened ({source})")
            incident.components.set(ids)
            add_timeline(incident, kind=TimelineKind.STATUS, acting_user=actor, at=incident.detected_at,
                         message=f"Incident detected and created ({incident.get_severity_display()}, source {source}).")
            audit_log(event_type="incident.opened", action="create", acting_user=actor, resource=incident,
                      details={"severity": severity, "components": ids, "source": source})
            if paging_suppressed:
                add_timeline(incident, kind=TimelineKind.ESCALATION, at=now,
                             message="Paging suppressed: the affected components are under maintenance or deploying.")
            elif severity in URGENT_SEVERITIES:
                emergency_page(incident, at=incident.detected_at, acting_user=actor)
            else:
                notify_response_group(incident, acting_user=actor)
            incident.sweep_due_at = next_sweep_at(incident)
            Incident.objects.filter(pk=incident.pk).update(sweep_due_at=incident.sweep_due_at)
    except IntegrityError:
        if not external_key:
            raise
        existing = _existing_open(external_key)
        if existing is None:
            raise
        return existing, False
    return incident, True


def incident_open(
    *, title: str, description: str, severity: str, component_ids=(), source: str = "manual", acting_user,
    external_key: str | None = None, affected_users: str = "some",
) -> Incident:
    """Open an incident (or, with `external_key`, return the open incident with that key)."""
    incident, _ = open_incident(
        title=title, description=description, severity=severity, component_ids=component_ids, source=source,
        acting_user=acting_user, external_key=external_key, affected_users=affected_users,
    )
    return incident


def _late_breach(incident, *, clock, due_at, now):
    """A clock that ran out before the sweep saw it (e.g. acknowledged late): record the breach."""
    from incidents.choices import SlaClock
    from incidents.models import SlaBreach

    if due_at is None or due_at > now:
        return None
    _, created = SlaBreach.objects.get_or_create(incident=incident, clock=clock, due_at=due_at,
                                                 defaults={"breached_at": due_at})
    if created:
        add_timeline(incident, kind=TimelineKind.BREACH, at=now,
                     message=f"SLA {SlaClock(clock).label.lower()} clock breached (due {due_at:%Y-%m-%d %H:%M} UTC).")
    return due_at


def _acknowledge(incident, *, actor, now, why):
    if incident.acknowledged_at is None:
        if incident.response_breached_at is None:
            incident.response_breached_at = _late_breach(incident, clock="response", due_at=incident.response_due_at, now=now)
        incident.acknowledged_at = now
        add_timeline(incident, kind=TimelineKind.NOTE, acting_user=actor, at=now,
                     message=f"Acknowledged by {actor.get_username()} ({why}).")


def incident_acknowledge(*, incident, acting_user) -> Incident:
    now = timezone.now()
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        incident = lock(incident)
        if incident.acknowledged_at is None:
            _acknowledge(incident, actor=actor, now=now, why="acknowledged")
            incident.sweep_due_at = next_sweep_at(incident)
            save_with_history(incident, acting_user=actor, reason="Acknowledged")
            audit_log(event_type="incident.acknowledged", action="update", acting_user=actor, resource=incident)
    return incident


def transition_error(incident, name) -> str:
    method = getattr(incident, name)
    if can_proceed(method, check_conditions=False):
        meta = method._django_fsm
        transition = meta.get_transition(incident.status)
        hints = [getattr(c, "hint", c.__name__) for c in transition.conditions if not c(incident)]
        return f"Cannot {name.replace('_', ' ')} INC-{incident.pk}: {'; '.join(hints)}."
    return f"Cannot {name.replace('_', ' ')} INC-{incident.pk} while it is {incident.get_status_display().lower()}."


def incident_transition(*, incident, transition: str, acting_user, message: str = "", resolution: str = "") -> Incident:
    """Move an incident through its lifecycle; each move is on the timeline.

    Raises ValidationError (unknown transition, unmet condition) or TransitionNotAllowed (wrong state)."""
    if transition not in TRANSITIONS:
        raise ValidationError({"transition": f"Unknown transition '{transition}'; use one of {', '.join(TRANSITIONS)}."})
    now = timezone.now()
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        incident = lock(incident)
        method = getattr(incident, transition)
        if not can_proceed(method):
            text = transition_error(incident, transition)
            if can_proceed(method, check_conditions=False):
                raise ValidationError({"transition": text})
            raise TransitionNotAllowed(text)
        previous = incident.status
        method()
        if transition == "investigate" or is_human(actor):
            _acknowledge(incident, actor=actor, now=now, why=f"moved to {incident.status}")
        if transition == "resolve":
            incident.resolved_at = now
            if incident.resolution_breached_at is None:
                incident.resolution_breached_at = _late_breach(incident, clock="resolution",
                                                               due_at=incident.resolution_due_at, now=now)
            incident.update_due_at = None
            if resolution:
                incident.resolution = resolution
        elif transition == "close":
            incident.closed_at = now
        elif transition == "reopen":
            incident.resolved_at = None
            _apply_deadlines(incident, now=now)
            if incident.external_key and Incident.objects.filter(
                external_key=incident.external_key, status__in=OPEN
            ).exclude(pk=incident.pk).exists():
                raise ValidationError({"transition": "Another open incident already has this incident's key; update that one."})
        incident.sweep_due_at = next_sweep_at(incident)
        save_with_history(incident, acting_user=actor, reason=f"{TRANSITIONS[transition]}: {message}"[:500])
        text = f"{TRANSITIONS[transition]} ({previous} → {incident.status})."
        add_timeline(incident, kind=TimelineKind.STATUS, acting_user=actor, at=now,
                     message=f"{text} {message}".strip())
        audit_log(event_type=f"incident.{transition}", action="update", acting_user=actor, resource=incident,
                  details={"from": previous, "to": incident.status})
    return incident


def incident_add_note(*, incident, message: str, acting_user):
    """A staff note on the timeline (a human note acknowledges the incident)."""
    if not (message or "").strip():
        raise ValidationError({"message": "Write the note."})
    now = timezone.now()
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        incident = lock(incident)
        entry = add_timeline(incident, kind=TimelineKind.NOTE, acting_user=actor, at=now, message=message.strip())
        if is_human(actor) and incident.acknowledged_at is None and incident.is_open:
            _acknowledge(incident, actor=actor, now=now, why="first note")
            incident.sweep_due_at = next_sweep_at(incident)
            save_with_history(incident, acting_user=actor, reason="Acknowledged by a note")
    return entry


def incident_change_severity(*, incident, severity: str, acting_user, reason: str = "") -> Incident:
    """Re-classify: deadlines are recomputed from detection; the escalation restarts with the new policy."""
    if severity not in Severity.values:
        raise ValidationError({"severity": f"Severity must be one of {', '.join(Severity.values)}."})
    now = timezone.now()
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        incident = lock(incident)
        if incident.severity == severity:
            return incident
        if not incident.is_open:
            raise ValidationError({"severity": "Only an open incident can be re-classified."})
        previous = incident.severity
        incident.severity = severity
        _apply_deadlines(incident, now=now)
        if is_human(actor):
            _acknowledge(incident, actor=actor, now=now, why="re-classified")
        start_escalation(incident, at=now)
        add_timeline(incident, kind=TimelineKind.SEVERITY, acting_user=actor, at=now,
                     message=(f"Severity {previous} → {severity}; deadlines recomputed from detection: response "
                              f"{incident.response_due_at:%Y-%m-%d %H:%M}, resolution {incident.resolution_due_at:%Y-%m-%d %H:%M} UTC. "
                              f"{reason}").strip())
        if severity in URGENT_SEVERITIES and previous not in URGENT_SEVERITIES and not incident.paging_suppressed:
            emergency_page(incident, at=now, acting_user=actor)
        incident.sweep_due_at = next_sweep_at(incident)
        save_with_history(incident, acting_user=actor, reason=f"Severity {previous} → {severity}")
        audit_log(event_type="incident.severity_changed", action="update", acting_user=actor, resource=incident,
                  details={"from": previous, "to": severity})
    return incident


def incident_assign(*, incident, acting_user, assignee=..., commander=...) -> Incident:
    """Set the assignee and/or incident commander (pass None to clear)."""
    now = timezone.now()
    actor = resolve_actor(acting_user)
    user_model = get_user_model()
    with transaction.atomic():
        incident = lock(incident)
        changes = []
        for field, value in (("assignee", assignee), ("commander", commander)):
            if value is ...:
                continue
            if value is not None and not isinstance(value, user_model):
                value = user_model.objects.filter(pk=value, is_active=True).first()
                if value is None:
                    raise ValidationError({field: "No active user with that id."})
            if getattr(incident, f"{field}_id") != (value.pk if value else None):
                setattr(incident, field, value)
                changes.append(f"{field} → {value.get_username() if value else 'nobody'}")
        if changes:
            if is_human(actor) and incident.is_open:
                _acknowledge(incident, actor=actor, now=now, why="assignment")
            incident.sweep_due_at = next_sweep_at(incident)
            save_with_history(incident, acting_user=actor, reason="; ".join(changes))
            add_timeline(incident, kind=TimelineKind.ASSIGNMENT, acting_user=actor, at=now, message="; ".join(changes).capitalize() + ".")
    return incident


def system_resolve(incident, *, resolution: str, acting_user, message: str) -> Incident:
    """Resolve from any open state (alerts all resolved, an opener resolving its key). Incident locked."""
    now = timezone.now()
    actor = resolve_actor(acting_user)
    previous = incident.status
    incident.auto_resolve()
    incident.resolved_at = now
    if incident.resolution_breached_at is None:
        incident.resolution_breached_at = _late_breach(incident, clock="resolution", due_at=incident.resolution_due_at, now=now)
    incident.update_due_at = None
    if resolution:
        incident.resolution = resolution
    incident.sweep_due_at = None
    save_with_history(incident, acting_user=actor, reason=message[:500])
    add_timeline(incident, kind=TimelineKind.STATUS, acting_user=actor, at=now, message=f"{message} ({previous} → resolved).")
    audit_log(event_type="incident.resolve", action="update", acting_user=actor, resource=incident,
              details={"from": previous, "to": "resolved", "automatic": True})
    return incident


def incident_resolve_by_key(*, external_key: str, resolution: str, acting_user) -> Incident | None:
    """Resolve the open incident opened with `external_key`; None if there is none."""
    with transaction.atomic():
        found = _existing_open(external_key)
        if found is None:
            return None
        incident = lock(found)
        if not incident.is_open:
            return None
        return system_resolve(incident, resolution=resolution, acting_user=acting_user,
                              message=f"Resolved by its opener: {resolution}".strip())


def incident_reference(incident_id: int) -> dict | None:
    """A small description other domains store next to a plain incident id."""
    try:
        incident = Incident.objects.only("id", "title", "status", "severity").get(pk=int(incident_id))
    except (Incident.DoesNotExist, TypeError, ValueError):
        return None
    return {"id": incident.pk, "title": incident.title, "status": incident.status, "severity": incident.severity,
            "url": incident_url(incident)}


__all__ = [
    "IncidentStatus",
    "incident_acknowledge",
    "incident_add_note",
    "incident_assign",
    "incident_change_severity",
    "incident_open",
    "incident_reference",
    "incident_resolve_by_key",
    "incident_transition",
]
