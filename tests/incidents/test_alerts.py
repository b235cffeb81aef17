"""Alertmanager ingestion through the real endpoint (202, then Celery — eager in tests)."""

import json

import pytest
from django.test import Client

from incidents.models import Alert, AlertDelivery, Incident
from marketplace_ops.choices import ComponentStatus
from marketplace_ops.models import Component, Notification
from tests.incidents.alert_payloads import alert, payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/alerts/alertmanager/"


@pytest.fixture
def gateway(db):
    return Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})[0]


@pytest.fixture
def post(api_token, django_capture_on_commit_callbacks):
    token = api_token("alerts:write")

    def send(body, *, auth=True, raw=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if auth else {}
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(URL, data=raw if raw is not None else json.dumps(body), content_type="application/json", **headers)

    return send


def test_firing_opens_one_incident_with_severity_component_and_title(post, gateway, staff):
    response = post(payload())
    assert response.status_code == 202 and response.json()["alerts"] == 1
    incident = Incident.objects.get()
    assert (incident.severity, incident.source, incident.title) == ("critical", "alert", "Gateway 5xx rate above 5%")
    assert list(incident.components.values_list("slug", flat=True)) == ["api-gateway"]
    assert incident.external_key.startswith("alertmanager:")
    alert_row = Alert.objects.get()
    assert alert_row.fingerprint == "3d9a1f0c2b7e4a51" and alert_row.component_id == gateway.pk and not alert_row.suppressed
    assert Notification.objects.filter(event="incidents.page", recipient_address="ivy@example.com").exists()
    assert AlertDelivery.objects.get().processed_at is not None


def test_same_group_again_counts_a_repeat_not_a_second_incident(post, gateway, staff):
    post(payload())
    post(payload())
    post(payload(alert(), alert("GatewayLatency", fingerprint="aa11", severity="warning")))
    assert Incident.objects.count() == 1
    assert Alert.objects.get(fingerprint="3d9a1f0c2b7e4a51").repeat_count == 2
    assert Alert.objects.get(fingerprint="aa11").repeat_count == 0
    assert Notification.objects.filter(event="incidents.page", channel="email").count() == 1


def test_resolved_resolves_the_incident_once_all_alerts_resolved(post, gateway, staff):
    post(payload(alert(), alert("GatewayLatency", fingerprint="aa11")))
    post(payload(alert(status="resolved"), alert("GatewayLatency", fingerprint="aa11")))
    incident = Incident.objects.get()
    assert incident.status == "detected"
    post(payload(alert(status="resolved"), alert("GatewayLatency", fingerprint="aa11", status="resolved")))
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert incident.timeline.filter(message__contains="All alerts resolved (Alertmanager)").exists()
    # A new firing of the same group after resolution opens a new incident.
    post(payload())
    assert Incident.objects.count() == 2


def test_two_groups_are_two_incidents(post, gateway, staff):
    post(payload(group_key='{}:{alertname="A"}'))
    post(payload(alert("DbDown", fingerprint="db1", component="user-database"), group_key='{}:{alertname="B"}'))
    assert Incident.objects.count() == 2


def test_severity_mapping_and_service_label(post, gateway, staff, settings):
    post(payload(alert(severity="error", label_key="service"), group_key="g-error"))
    post(payload(alert(severity="warning"), group_key="g-warning"))
    post(payload(alert(severity="info"), group_key="g-info"))
    post(payload(alert(severity="nonsense"), group_key="g-default"))
    got = dict(Incident.objects.values_list("external_key", "severity"))
    assert got == {"alertmanager:g-error": "high", "alertmanager:g-warning": "medium",
                   "alertmanager:g-info": "low", "alertmanager:g-default": "medium"}
    assert Incident.objects.get(external_key="alertmanager:g-error").components.get() == gateway
    settings.INCIDENTS_ALERT_SEVERITY_MAP = {"page": "critical"}
    post(payload(alert(severity="page"), group_key="g-custom"))
    assert Incident.objects.get(external_key="alertmanager:g-custom").severity == "critical"


def test_component_under_maintenance_suppresses_paging(post, gateway, staff):
    Component.objects.filter(pk=gateway.pk).update(status=ComponentStatus.MAINTENANCE)
    post(payload())
    incident = Incident.objects.get()
    assert incident.paging_suppressed
    row = Alert.objects.get()
    assert row.suppressed and row.suppression_reason == "component under maintenance"
    assert not Notification.objects.filter(event__in=["incidents.page", "incidents.opened", "incidents.escalation"]).exists()
    assert incident.sweep_due_at is not None  # breaches are still recorded
    from incidents.services import escalation_sweep

    escalation_sweep(now=incident.detected_at + __import__("datetime").timedelta(hours=5))
    assert incident.breaches.exists()
    assert not Notification.objects.exists()


def test_deploying_release_suppresses_paging(post, gateway, staff, monkeypatch):
    import releases.services

    calls = []

    def deploying(*, component_id, at):
        calls.append(component_id)
        return True

    monkeypatch.setattr(releases.services, "component_is_deploying", deploying, raising=False)
    post(payload())
    assert calls == [gateway.pk]
    assert Alert.objects.get().suppression_reason == "a release is deploying"
    assert not Notification.objects.filter(event="incidents.page").exists()


def test_odd_but_valid_values_do_not_break_processing(post, gateway, staff):
    odd = alert()
    odd["endsAt"] = 42
    odd["labels"]["severity"] = 5
    odd["annotations"] = {"summary": 123}
    assert post(payload(odd)).status_code == 202
    incident = Incident.objects.get()
    assert incident.title == "123" and incident.severity == "medium"


def test_unknown_component_is_recorded_and_flagged(post, gateway, staff):
    post(payload(alert(component="flux-capacitor")))
    row = Alert.objects.get()
    assert row.unknown_component and row.component_label == "flux-capacitor" and row.component_id is None
    assert Incident.objects.get().timeline.filter(message__contains="unknown components: flux-capacitor").exists()


def test_a_thousand_alerts_are_processed_in_few_queries(post, gateway, staff, django_assert_max_num_queries):
    alerts = [alert(f"Alert{i}", fingerprint=f"fp{i:04d}", severity="warning") for i in range(1000)]
    with django_assert_max_num_queries(120):
        response = post(payload(*alerts, group_key="big"))
    assert response.status_code == 202
    assert Alert.objects.count() == 1000
    with django_assert_max_num_queries(120):
        post(payload(*alerts, group_key="big"))
    assert set(Alert.objects.values_list("repeat_count", flat=True)) == {1}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"version": "4", "status": "firing", "alerts": [alert()]}, "groupKey"),
        ({"version": "4", "groupKey": "g", "status": "firing"}, "alerts"),
        ({"version": "4", "groupKey": "g", "status": "burning", "alerts": [alert()]}, "status"),
        ({"version": "4", "groupKey": "g", "status": "firing", "alerts": [{"status": "firing"}]}, "alerts[0].labels"),
        ({"version": "4", "groupKey": "g", "status": "firing", "alerts": [{**alert(), "startsAt": "yesterday"}]}, "alerts[0].startsAt"),
        ({"version": "4", "groupKey": "g", "status": "firing", "alerts": [{**alert(), "startsAt": "2026-13-45T99:00:00Z"}]},
         "alerts[0].startsAt"),
        ([1, 2, 3], None),
    ],
)
def test_bad_payload_is_400_with_errors_and_stores_nothing(post, gateway, body, field):
    response = post(body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and (field is None or field in {e.get("field") for e in errors})
    assert not AlertDelivery.objects.exists() and not Incident.objects.exists()


def test_malformed_json_is_400_and_stores_nothing(post):
    response = post(None, raw='{"version": "4", "groupKey": ')
    assert response.status_code == 400 and response.json()["errors"]
    assert not AlertDelivery.objects.exists()


def test_missing_or_bad_token_is_401_and_wrong_scope_403(post, api_token):
    assert post(payload(), auth=False).status_code == 401
    bad = Client().post(URL, data=json.dumps(payload()), content_type="application/json", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and bad.json()["errors"]
    read_only = api_token("incidents:read")
    wrong = Client().post(URL, data=json.dumps(payload()), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert wrong.status_code == 403
    assert not AlertDelivery.objects.exists() and not Incident.objects.exists()


def test_delivery_left_unprocessed_is_picked_up_by_the_sweep(gateway, staff, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from incidents import tasks
    from incidents.services import alert_delivery_accept

    monkeypatch.setattr(tasks.process_alert_delivery, "delay", lambda *a: (_ for _ in ()).throw(ConnectionError("broker down")))
    delivery = alert_delivery_accept(payload=payload())  # on_commit never runs in this test transaction
    AlertDelivery.objects.filter(pk=delivery.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    monkeypatch.undo()
    tasks.escalation_sweep()
    delivery.refresh_from_db()
    assert delivery.processed_at is not None and Incident.objects.count() == 1
