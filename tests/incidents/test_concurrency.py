"""PostgreSQL only: concurrent sweeps and deliveries must act exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from incidents.models import EscalationLog, Incident, SlaBreach
from incidents.services import alertmanager_process, escalation_sweep, incident_open
from marketplace_ops.models import Component, Notification
from tests.incidents.alert_payloads import payload

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def run_concurrently(*functions):
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def runner(index, fn):
        try:
            barrier.wait()
            results[index] = fn()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_over_1000_due_escalations_act_exactly_once(make_user):
    first, manager = make_user("first-responder"), make_user("manager")
    snapshot = {
        "policy_id": None, "name": "Test", "rotation_id": None, "duty_manager_id": manager.pk,
        "steps": [
            {"trigger": "unacknowledged", "wait_minutes": 5, "target": "user", "user_id": first.pk, "group_ids": [], "sms": False},
            {"trigger": "sla_breach", "wait_minutes": 0, "target": "manager", "user_id": None, "group_ids": [], "sms": False},
        ],
        "state": {"cursor": 0, "update_handled": None},
    }
    Incident.objects.bulk_create([
        Incident(title=f"Incident {i}", severity="high", detected_at=T0, escalation_started_at=T0,
                 escalation_generation=1, escalation_snapshot=snapshot, response_due_at=T0 + timedelta(minutes=30),
                 resolution_due_at=T0 + timedelta(hours=8), sweep_due_at=T0 + timedelta(minutes=5))
        for i in range(1000)
    ], batch_size=500)
    now = T0 + timedelta(minutes=31)
    handled = run_concurrently(lambda: escalation_sweep(now=now, batch=50), lambda: escalation_sweep(now=now, batch=50))
    assert sum(handled) == 1000
    assert EscalationLog.objects.filter(trigger="unacknowledged").count() == 1000
    assert EscalationLog.objects.filter(trigger="sla_breach").count() == 1000
    assert SlaBreach.objects.filter(clock="response").count() == 1000
    assert Notification.objects.filter(event="incidents.escalation", recipient_user=first).count() == 1000
    assert Notification.objects.filter(event="incidents.sla_breach", recipient_user=manager).count() == 1000
    assert escalation_sweep(now=now) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_alert_deliveries_open_one_incident(make_user):
    Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})
    body = payload()
    run_concurrently(*[lambda: alertmanager_process(payload=body) for _ in range(4)])
    incident = Incident.objects.get()
    alert = incident.alerts.get()
    assert alert.repeat_count == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_with_one_key_give_one_incident():
    results = run_concurrently(*[
        lambda: incident_open(title="RPO breach", description="", severity="high", acting_user=None,
                              external_key="backups:rpo:db")
        for _ in range(4)
    ])
    assert len({r.pk for r in results}) == 1 and Incident.objects.count() == 1
