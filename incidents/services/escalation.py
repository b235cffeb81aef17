"""Escalation: the policy snapshot, steps performed exactly once, the minute sweep, paging.

Model: Grafana OnCall. The policy in force is copied onto the incident when escalation starts;
the sweep selects only incidents whose `sweep_due_at` has come, locks them with
`select_for_update(skip_locked=True)`, performs what is due and records it (an
`EscalationLog` row whose unique key makes each step happen once per occurrence).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from incidents.choices import EscalationTarget, EscalationTrigger, SlaClock, TimelineKind
from incidents.models import EscalationLog, EscalationPolicy, Incident, Rotation, SlaBreach
from incidents.notifications import groups_by_names, phones_for, send, users_by_ids
from incidents.services.common import add_timeline, next_sweep_at, unack_steps
from incidents.services.oncall import on_call_at, primary_rotation
from marketplace_ops.actors import acting_as, resolve_actor

logger = logging.getLogger(__name__)

EMERGENCY_STEP = 900  # step index of the at-once page for critical and high incidents
MANUAL_STEP = 901
SWEEP_MAX_BATCHES = 50
RETRY_POISONED = timedelta(minutes=5)


def policy_for(severity: str) -> EscalationPolicy | None:
    for policy in EscalationPolicy.objects.filter(is_active=True).order_by("priority", "name"):
        if not policy.severities or severity in policy.severities:
            return policy
    return None


def policy_snapshot(severity: str) -> dict:
    """A frozen copy of the policy for `severity` (or the settings' default steps)."""
    policy = policy_for(severity)
    if policy is not None:
        steps = [
            {
                "trigger": s.trigger,
                "wait_minutes": s.wait_minutes,
                "target": s.target,
                "group_ids": [s.group_id] if s.group_id else [],
                "user_id": s.user_id,
                "sms": s.sms,
            }
            for s in policy.steps.order_by("position", "id")
        ]
        head = {"policy_id": policy.pk, "name": policy.name, "rotation_id": policy.rotation_id,
                "duty_manager_id": policy.duty_manager_id}
    else:
        groups = {g.name: g.pk for g in Group.objects.all()}
        steps = [
            {
                "trigger": s["trigger"],
                "wait_minutes": s.get("wait_minutes", 0),
                "target": s["target"],
                "group_ids": [groups[s["group"]]] if s.get("group") in groups else [],
                "user_id": None,
                "sms": s.get("sms", False),
            }
            for s in settings.INCIDENTS_DEFAULT_ESCALATION
        ]
        head = {"policy_id": None, "name": "Default (settings)", "rotation_id": None, "duty_manager_id": None}
    return {**head, "steps": steps, "state": {"cursor": 0, "update_handled": None}}


def start_escalation(incident: Incident, *, at) -> None:
    """Copy the policy in force onto the incident (caller saves)."""
    incident.escalation_snapshot = policy_snapshot(incident.severity)
    incident.escalation_policy_id = incident.escalation_snapshot["policy_id"]
    incident.escalation_started_at = at
    incident.escalation_generation += 1


def _rotation(snapshot) -> Rotation | None:
    if snapshot.get("rotation_id"):
        rotation = Rotation.objects.filter(pk=snapshot["rotation_id"], is_active=True).first()
        if rotation:
            return rotation
    return primary_rotation()


def step_recipients(incident: Incident, step: dict, *, at) -> tuple[list, list]:
    """(users, groups) a step reaches right now."""
    snapshot = incident.escalation_snapshot or {}
    target = step["target"]
    users, groups = [], []
    if target == EscalationTarget.ON_CALL:
        rotation = _rotation(snapshot)
        person = on_call_at(rotation, at) if rotation else None
        users = [person] if person else []
    elif target == EscalationTarget.GROUP:
        groups = list(Group.objects.filter(pk__in=step.get("group_ids") or []))
    elif target == EscalationTarget.USER:
        users = users_by_ids([step.get("user_id")])
    elif target == EscalationTarget.MANAGER:
        users = users_by_ids([snapshot.get("duty_manager_id")])
    elif target == EscalationTarget.ASSIGNEE:
        users = users_by_ids([incident.assignee_id])
    elif target == EscalationTarget.COMMANDER:
        users = users_by_ids([incident.commander_id or incident.assignee_id])
    return users, groups


def perform_step(incident, *, step_index, step, occurrence, event, at, acting_user=None, manual=False, context=None):
    """Perform one step once: returns the log row, or None if this occurrence was already done."""
    users, groups = step_recipients(incident, step, at=at)
    people = users + [u for g in groups for u in g.user_set.filter(is_active=True)]
    try:
        with transaction.atomic():
            log = EscalationLog.objects.create(
                incident=incident, step_index=step_index, occurrence=occurrence, trigger=step["trigger"],
                target=step["target"], at=at, manual=manual,
                recipients=[u.get_username() for u in users] + [f"group:{g.name}" for g in groups],
            )
    except IntegrityError:
        return None
    sms_to = phones_for(people) if step.get("sms") else []
    rows = send(event=event, incident=incident, recipients=[*users, *groups], sms_to=sms_to,
                context={"step": step, "occurrence": occurrence, **(context or {})}, acting_user=acting_user)
    log.notified = len(rows)
    EscalationLog.objects.filter(pk=log.pk).update(notified=log.notified)
    who = ", ".join(log.recipients) or "nobody (no one to reach for this step)"
    if manual:
        what = "Manual escalation"
    elif step["trigger"] == "emergency":
        what = "Emergency response"
    else:
        what = {"unacknowledged": "Escalation (not acknowledged)", "sla_breach": "SLA breach escalation",
                "update_overdue": "Update overdue reminder"}.get(step["trigger"], "Escalation")
    add_timeline(incident, kind=TimelineKind.ESCALATION, acting_user=acting_user, at=at,
                 message=f"{what} → {step['target'].replace('_', '-')}: notified {who}.")
    return log


def emergency_page(incident: Incident, *, at, acting_user=None):
    """Critical/high: page the on-call (email + SMS) and notify the incident-response group at once."""
    group_ids = list(Group.objects.filter(name=settings.INCIDENTS_RESPONSE_GROUP).values_list("pk", flat=True))
    step_oncall = {"trigger": "emergency", "target": EscalationTarget.ON_CALL, "sms": True}
    step_group = {"trigger": "emergency", "target": EscalationTarget.GROUP, "group_ids": group_ids, "sms": False}
    gen = incident.escalation_generation
    perform_step(incident, step_index=EMERGENCY_STEP, step=step_oncall, occurrence=f"g{gen}:page",
                 event="incidents.page", at=at, acting_user=acting_user)
    perform_step(incident, step_index=EMERGENCY_STEP + 1, step=step_group, occurrence=f"g{gen}:page",
                 event="incidents.opened", at=at, acting_user=acting_user)


def notify_response_group(incident: Incident, *, acting_user=None):
    send(event="incidents.opened", incident=incident, recipients=groups_by_names([settings.INCIDENTS_RESPONSE_GROUP]),
         context={}, acting_user=acting_user)


def _steps_for(snapshot, trigger):
    return [(i, s) for i, s in enumerate(snapshot.get("steps", [])) if s["trigger"] == trigger]


def _record_breach(incident, *, clock, due_at, now) -> bool:
    try:
        with transaction.atomic():
            SlaBreach.objects.create(incident=incident, clock=clock, due_at=due_at, breached_at=now)
    except IntegrityError:
        return False
    label = SlaClock(clock).label.lower()
    add_timeline(incident, kind=TimelineKind.BREACH, at=now,
                 message=f"SLA {label} clock breached (due {due_at:%Y-%m-%d %H:%M} UTC).")
    if incident.paging_suppressed:
        return True
    trigger = EscalationTrigger.UPDATE_OVERDUE if clock == SlaClock.UPDATE else EscalationTrigger.SLA_BREACH
    event = "incidents.update_overdue" if clock == SlaClock.UPDATE else "incidents.sla_breach"
    for index, step in _steps_for(incident.escalation_snapshot or {}, trigger):
        perform_step(incident, step_index=index, step=step, occurrence=f"{clock}:{due_at.isoformat()}",
                     event=event, at=now, context={"clock": label, "due_at": due_at})
    return True


def sweep_incident(incident: Incident, *, now) -> None:
    """Do what is due for one locked incident, then store the bookkeeping."""
    snapshot = incident.escalation_snapshot or {}
    state = snapshot.setdefault("state", {"cursor": 0, "update_handled": None})
    if incident.is_open and incident.acknowledged_at is None and not incident.paging_suppressed and incident.escalation_started_at:
        steps = unack_steps(snapshot)
        cursor = state.get("cursor", 0)
        while cursor < len(steps):
            index, step = steps[cursor]
            if incident.escalation_started_at + timedelta(minutes=step.get("wait_minutes", 0)) > now:
                break
            perform_step(incident, step_index=index, step=step, occurrence=f"g{incident.escalation_generation}:unack",
                         event="incidents.escalation", at=now)
            cursor += 1
        state["cursor"] = cursor
    if incident.is_open:
        if incident.acknowledged_at is None and incident.response_breached_at is None and incident.response_due_at and incident.response_due_at <= now:
            _record_breach(incident, clock=SlaClock.RESPONSE, due_at=incident.response_due_at, now=now)
            incident.response_breached_at = now
        if incident.resolution_breached_at is None and incident.resolution_due_at and incident.resolution_due_at <= now:
            _record_breach(incident, clock=SlaClock.RESOLUTION, due_at=incident.resolution_due_at, now=now)
            incident.resolution_breached_at = now
        due = incident.update_due_at
        if due and due <= now and state.get("update_handled") != due.isoformat():
            _record_breach(incident, clock=SlaClock.UPDATE, due_at=due, now=now)
            state["update_handled"] = due.isoformat()
    incident.escalation_snapshot = snapshot
    incident.sweep_due_at = next_sweep_at(incident)
    Incident.objects.filter(pk=incident.pk).update(
        response_breached_at=incident.response_breached_at,
        resolution_breached_at=incident.resolution_breached_at,
        escalation_snapshot=snapshot,
        sweep_due_at=incident.sweep_due_at,
    )


def escalation_sweep(*, now=None, batch: int | None = None, max_batches: int = SWEEP_MAX_BATCHES) -> int:
    """Handle every incident whose sweep moment has come; safe on several workers at once."""
    now = now or timezone.now()
    batch = batch or settings.INCIDENTS_SWEEP_BATCH
    handled = 0
    with acting_as(resolve_actor(None), reason="incident escalation sweep"):  # resolve the actor once
        for _ in range(max_batches):
            count = _sweep_batch(now=now, batch=batch)
            handled += count
            if count < batch:
                break
    return handled


def _sweep_batch(*, now, batch) -> int:
    with transaction.atomic():
        rows = list(
            Incident.objects.select_for_update(skip_locked=True)
            .filter(sweep_due_at__lte=now)
            .order_by("sweep_due_at", "id")[:batch]
        )
        prefetch_related_objects(rows, "components")
        for incident in rows:
            try:
                with transaction.atomic():
                    sweep_incident(incident, now=now)
            except Exception:  # one bad row must not stop the sweep; try it again later
                logger.exception("Escalation sweep failed for incident %s", incident.pk)
                Incident.objects.filter(pk=incident.pk).update(sweep_due_at=now + RETRY_POISONED)
    return len(rows)


def incident_escalate(*, incident, acting_user, reason: str = "") -> EscalationLog | None:
    """Escalate by hand: notify the next step not yet performed (or the incident-response group)."""
    from incidents.services.common import lock

    now = timezone.now()
    with transaction.atomic():
        incident = lock(incident)
        if not incident.is_open:
            raise ValidationError(f"INC-{incident.pk} is {incident.get_status_display().lower()}: there is nobody to escalate to.")
        snapshot = incident.escalation_snapshot or policy_snapshot(incident.severity)
        incident.escalation_snapshot = snapshot
        steps = unack_steps(snapshot)
        cursor = snapshot.get("state", {}).get("cursor", 0)
        if cursor < len(steps):
            index, step = steps[cursor]
            snapshot["state"]["cursor"] = cursor + 1
        else:
            group_ids = list(Group.objects.filter(name=settings.INCIDENTS_RESPONSE_GROUP).values_list("pk", flat=True))
            index, step = MANUAL_STEP, {"trigger": "manual", "target": EscalationTarget.GROUP, "group_ids": group_ids}
        count = EscalationLog.objects.filter(incident=incident, manual=True).count()
        log = perform_step(incident, step_index=index, step=step, occurrence=f"manual:{count + 1}",
                           event="incidents.escalation", at=now, acting_user=acting_user, manual=True,
                           context={"reason": reason})
        incident.sweep_due_at = next_sweep_at(incident)
        Incident.objects.filter(pk=incident.pk).update(escalation_snapshot=snapshot, sweep_due_at=incident.sweep_due_at)
    return log
