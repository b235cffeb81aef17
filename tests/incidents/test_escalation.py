"""Emergency paging, escalation steps exactly once, SLA breaches, snapshots, SMS faults."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.core import mail

from incidents.models import EscalationLog, EscalationPolicy, EscalationStep, Incident, SlaBreach
from incidents.services import (
    escalation_sweep,
    incident_acknowledge,
    incident_assign,
    incident_escalate,
    incident_open,
    incident_transition,
)
from marketplace_ops.models import Notification
from marketplace_ops.services import notifications as outbox

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def addresses(event, channel="email"):
    return sorted(Notification.objects.filter(event=event, channel=channel).values_list("recipient_address", flat=True))


def make_policy(staff, **kwargs):
    policy = EscalationPolicy.objects.create(name="P", rotation=staff["rotation"], duty_manager=staff["omar"], **kwargs)
    from django.contrib.auth.models import Group

    steps = [
        ("unacknowledged", 5, "on_call", None, True),
        ("unacknowledged", 15, "group", Group.objects.get(name="incident-response"), False),
        ("unacknowledged", 30, "manager", None, False),
        ("sla_breach", 0, "assignee", None, False),
        ("sla_breach", 0, "manager", None, False),
        ("update_overdue", 0, "commander", None, False),
    ]
    for i, (trigger, wait, target, group, sms) in enumerate(steps):
        EscalationStep.objects.create(policy=policy, position=i, trigger=trigger, wait_minutes=wait, target=target,
                                      group=group, sms=sms)
    return policy


def test_critical_pages_on_call_by_email_and_sms_and_notifies_the_response_group(
    staff, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(T0, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_open(title="Gateway down", description="502s", severity="critical", acting_user=staff["omar"])
    assert addresses("incidents.page") == ["ivy@example.com"]
    assert addresses("incidents.page", "sms") == ["+14155550100"]
    assert addresses("incidents.opened") == ["ian@example.com", "ivy@example.com"]
    sms = Notification.objects.get(event="incidents.page", channel="sms")
    assert sms.status == "sent" and f"INC-{incident.pk}" in sms.body_text
    assert sorted(m.to[0] for m in mail.outbox) == ["ian@example.com", "ivy@example.com", "ivy@example.com"]
    assert EscalationLog.objects.filter(incident=incident).count() == 2


def test_medium_incident_notifies_the_group_but_pages_nobody(staff):
    incident_open(title="Slow search", description="", severity="medium", acting_user=staff["omar"])
    assert addresses("incidents.page") == [] and addresses("incidents.page", "sms") == []
    assert addresses("incidents.opened") == ["ian@example.com", "ivy@example.com"]


def test_steps_fire_at_their_time_and_exactly_once(staff, time_machine):
    make_policy(staff)
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Gateway down", description="", severity="medium", acting_user=None)
    Notification.objects.all().delete()
    escalation_sweep(now=T0 + timedelta(minutes=4))
    assert addresses("incidents.escalation") == []
    escalation_sweep(now=T0 + timedelta(minutes=6))
    escalation_sweep(now=T0 + timedelta(minutes=6))
    assert addresses("incidents.escalation") == ["ivy@example.com"]
    assert addresses("incidents.escalation", "sms") == ["+14155550100"]
    escalation_sweep(now=T0 + timedelta(minutes=31))
    assert addresses("incidents.escalation") == ["ian@example.com", "ivy@example.com", "ivy@example.com", "omar@example.com"]
    escalation_sweep(now=T0 + timedelta(minutes=40))
    assert EscalationLog.objects.filter(incident=incident, trigger="unacknowledged").count() == 3
    assert Incident.objects.get(pk=incident.pk).sweep_due_at == T0 + timedelta(hours=4)  # response clock (4 h)


def test_acknowledging_stops_the_escalation(staff, time_machine):
    make_policy(staff)
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Gateway down", description="", severity="medium", acting_user=None)
    escalation_sweep(now=T0 + timedelta(minutes=6))
    time_machine.move_to(T0 + timedelta(minutes=7), tick=False)
    incident_acknowledge(incident=incident, acting_user=staff["ivy"])
    escalation_sweep(now=T0 + timedelta(minutes=60))
    assert EscalationLog.objects.filter(incident=incident, trigger="unacknowledged").count() == 1
    assert not SlaBreach.objects.filter(incident=incident, clock="response").exists()


def test_running_escalation_keeps_the_policy_it_started_with(staff, time_machine):
    policy = make_policy(staff)
    time_machine.move_to(T0, tick=False)
    incident_open(title="Gateway down", description="", severity="medium", acting_user=None)
    policy.steps.filter(target="on_call").update(wait_minutes=60, target="user", user=staff["lena"])
    escalation_sweep(now=T0 + timedelta(minutes=6))
    assert addresses("incidents.escalation") == ["ivy@example.com"]


def test_breach_is_recorded_and_notifies_assignee_and_manager_update_overdue_reminds_commander(staff, time_machine):
    make_policy(staff)
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Gateway down", description="", severity="critical", acting_user=None)
    incident_assign(incident=incident, acting_user=None, assignee=staff["erin"], commander=staff["ian"])
    Notification.objects.all().delete()
    escalation_sweep(now=T0 + timedelta(minutes=31))
    breach = SlaBreach.objects.get(incident=incident)
    assert breach.clock == "response" and breach.due_at == T0 + timedelta(minutes=30)
    assert addresses("incidents.sla_breach") == ["erin@example.com", "omar@example.com"]
    incident.refresh_from_db()
    assert incident.response_breached_at == T0 + timedelta(minutes=31)
    escalation_sweep(now=T0 + timedelta(minutes=61))
    assert addresses("incidents.update_overdue") == ["ian@example.com"]
    escalation_sweep(now=T0 + timedelta(minutes=62))
    assert addresses("incidents.sla_breach") == ["erin@example.com", "omar@example.com"]
    assert addresses("incidents.update_overdue") == ["ian@example.com"]
    assert incident.timeline.filter(kind="breach").count() == 2


def test_manual_escalation_notifies_the_next_step(staff, time_machine):
    make_policy(staff)
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Gateway down", description="", severity="low", acting_user=None)
    log = incident_escalate(incident=incident, acting_user=staff["omar"], reason="customer on the phone")
    assert log.manual and log.recipients == ["ivy"]
    assert "customer on the phone" in Notification.objects.filter(event="incidents.escalation").first().body_text
    escalation_sweep(now=T0 + timedelta(minutes=6))  # the on-call step is done: not repeated
    assert addresses("incidents.escalation") == ["ivy@example.com"]


def test_sms_backend_timeout_is_retried_and_never_blocks_the_sweep(staff, settings, monkeypatch, time_machine):
    settings.SMS_BACKEND = "marketplace_ops.sms.WebhookSmsBackend"
    settings.SMS_WEBHOOK_URL = "https://sms.example/send"
    calls = []

    def timeout(*args, **kwargs):
        calls.append(kwargs["json"]["to"])
        raise requests.Timeout("provider took too long")

    monkeypatch.setattr("marketplace_ops.sms.requests.post", timeout)
    make_policy(staff)
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Gateway down", description="", severity="medium", acting_user=None)
    assert escalation_sweep(now=T0 + timedelta(minutes=6)) == 1
    sms = Notification.objects.get(event="incidents.escalation", channel="sms")
    outbox.deliver([sms.pk])
    sms.refresh_from_db()
    assert calls == ["+14155550100"]
    assert sms.status == "pending" and sms.attempts == 1 and "Timeout" in sms.last_error
    assert EscalationLog.objects.filter(incident=incident).count() == 1


def test_closed_incidents_are_not_swept(staff, time_machine):
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Blip", description="", severity="low", acting_user=None)
    for name in ("investigate",):
        incident_transition(incident=incident, transition=name, acting_user=staff["ivy"])
    incident.refresh_from_db()
    Incident.objects.filter(pk=incident.pk).update(sweep_due_at=None)
    assert escalation_sweep(now=T0 + timedelta(days=30)) == 0
