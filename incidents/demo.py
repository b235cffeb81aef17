"""Incident demo data (idempotent): a rotation with this week's on-call, an escalation policy,
an open critical incident with a breached response clock and its escalation history, and a
resolved high incident with a finished post-incident review."""

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from incidents.choices import EscalationTarget, EscalationTrigger
from incidents.models import (
    EscalationPolicy,
    EscalationStep,
    Incident,
    OnCallContact,
    Rotation,
    RotationMember,
    TimelineEntry,
)
from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.models import Component

CRITICAL_KEY = "demo:gateway-502"
RESOLVED_KEY = "demo:analytics-lag"
ROTATION_MEMBERS = ["ivy.incident", "omar.operations", "erin.engineering"]


def _users():
    user_model = get_user_model()
    return {u.username: u for u in user_model.objects.filter(username__in=[*ROTATION_MEMBERS, "lou.l3"])}


def _rotation(users, now):
    monday = (now - timedelta(days=now.weekday())).date()
    rotation, created = Rotation.objects.get_or_create(
        name="Primary on-call",
        defaults={"time_zone": "Europe/Berlin", "handoff_weekday": 0, "handoff_time": time(9), "length_days": 7,
                  "starts_on": monday - timedelta(days=7), "is_primary": True},
    )
    if created:
        for position, name in enumerate(ROTATION_MEMBERS):
            if name in users:
                RotationMember.objects.create(rotation=rotation, user=users[name], position=position)
    for index, name in enumerate(ROTATION_MEMBERS):
        if name in users:
            OnCallContact.objects.get_or_create(user=users[name], defaults={"phone": f"+1415555010{index}"})
    return rotation


def _policy(rotation, users):
    policy, created = EscalationPolicy.objects.get_or_create(
        name="Critical and high",
        defaults={"severities": ["critical", "high"], "rotation": rotation, "duty_manager": users.get("omar.operations"),
                  "priority": 10},
    )
    if created:
        response = Group.objects.filter(name="incident-response").first()
        steps = [
            (EscalationTrigger.UNACKNOWLEDGED, 5, EscalationTarget.ON_CALL, None, True),
            (EscalationTrigger.UNACKNOWLEDGED, 15, EscalationTarget.GROUP, response, False),
            (EscalationTrigger.UNACKNOWLEDGED, 30, EscalationTarget.MANAGER, None, True),
            (EscalationTrigger.SLA_BREACH, 0, EscalationTarget.ASSIGNEE, None, False),
            (EscalationTrigger.SLA_BREACH, 0, EscalationTarget.MANAGER, None, False),
            (EscalationTrigger.UPDATE_OVERDUE, 0, EscalationTarget.COMMANDER, None, False),
        ]
        for position, (trigger, wait, target, group, sms) in enumerate(steps):
            EscalationStep.objects.create(policy=policy, position=position, trigger=trigger, wait_minutes=wait,
                                          target=target, group=group, sms=sms)
    return policy


def _critical(users, now):
    from incidents.services import escalation_sweep, incident_assign
    from incidents.services.lifecycle import open_incident

    if Incident.objects.filter(external_key=CRITICAL_KEY).exists():
        return
    gateway = Component.objects.filter(slug="api-gateway").first()
    incident, _ = open_incident(
        title="API Gateway returns 502 for a third of requests",
        description="Error rate on the gateway jumped to 35% at the edge; consumers report failed calls.",
        severity="critical", component_ids=[gateway.pk] if gateway else [], source="alert",
        external_key=CRITICAL_KEY, affected_users="all", detected_at=now - timedelta(minutes=95),
    )
    detected = incident.detected_at
    incident_assign(incident=incident, acting_user=None, assignee=users.get("erin.engineering"))
    TimelineEntry.objects.filter(incident=incident, kind="assignment").update(at=detected + timedelta(minutes=2))
    # Nobody acknowledges: replay the minute sweep as it would have run, so the history has real times.
    for minutes in (6, 16, 31, 61):
        escalation_sweep(now=detected + timedelta(minutes=minutes))
    escalation_sweep(now=now)


def _resolved(users, now):
    from incidents.services import (
        action_item_add,
        action_item_set_status,
        incident_assign,
        incident_communicate,
        incident_transition,
        postmortem_save,
    )
    from incidents.services.lifecycle import open_incident

    if Incident.objects.filter(external_key=RESOLVED_KEY).exists():
        return
    analytics = Component.objects.filter(slug="analytics").first()
    detected = now - timedelta(days=3, hours=2)
    ivy, erin = users.get("ivy.incident"), users.get("erin.engineering")
    incident, _ = open_incident(
        title="Usage analytics three hours behind", severity="high", source="manual",
        description="The analytics ingestion queue backed up after a schema change; dashboards showed stale usage.",
        component_ids=[analytics.pk] if analytics else [], external_key=RESOLVED_KEY, affected_users="some",
        detected_at=detected,
    )
    incident_assign(incident=incident, acting_user=ivy, assignee=erin, commander=ivy)
    for name in ("investigate", "identify", "start_resolving"):
        incident_transition(incident=incident, transition=name, acting_user=ivy)
    if analytics:
        incident_communicate(incident=incident, channel="status_page", audience="affected_users", template="identified",
                             acting_user=ivy)
    incident_transition(incident=incident, transition="resolve", acting_user=ivy,
                        resolution="Rolled the consumer back to the previous schema and replayed the backlog.")
    postmortem_save(
        incident=incident, acting_user=ivy, finish=True,
        summary="Analytics lagged three hours after a schema change to usage events.",
        root_cause="The usage-event consumer rejected events carrying the new optional field and retried them forever.",
        contributing_factors="The consumer's contract test used an old fixture; the lag alert threshold was 2 hours.",
        impact="Usage dashboards and billing previews were up to three hours stale for all organisations; no data lost.",
        lessons_learned="Schema changes to events need a consumer canary; alert on lag at 15 minutes.",
    )
    done = action_item_add(incident=incident, description="Add a consumer canary to the event schema pipeline",
                           owner=erin, due_date=(now - timedelta(days=1)).date(), acting_user=ivy)
    action_item_set_status(item=done, status="done", acting_user=erin)
    action_item_add(incident=incident, description="Lower the analytics lag alert to 15 minutes", owner=erin,
                    due_date=(now + timedelta(days=7)).date(), acting_user=ivy)
    incident_transition(incident=incident, transition="close", acting_user=ivy, message="Review finished.")
    # Place the story in the past, as it happened.
    steps = list(TimelineEntry.objects.filter(incident=incident).order_by("id"))
    for index, entry in enumerate(steps):
        TimelineEntry.objects.filter(pk=entry.pk).update(at=detected + timedelta(minutes=12 * index))
    Incident.objects.filter(pk=incident.pk).update(
        acknowledged_at=detected + timedelta(minutes=12), resolved_at=detected + timedelta(hours=3, minutes=10),
        closed_at=now - timedelta(days=1),
    )


def seed(*, stdout=None):
    now = timezone.now()
    with acting_as(system_user(), reason="demo data", via="command"):
        users = _users()
        rotation = _rotation(users, now)
        _policy(rotation, users)
        _critical(users, now)
        _resolved(users, now)
    if stdout:
        stdout.write(f"incidents: {Incident.objects.count()} incidents, rotation '{rotation.name}'")


__all__ = ["seed"]
