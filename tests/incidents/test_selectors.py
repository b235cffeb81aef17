"""Metrics and widgets other apps read."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.loader import render_to_string

from incidents.models import Incident
from incidents.selectors import (
    incidents_per_component,
    mtta_mttr_per_week,
    open_incident_summary,
    sla_compliance,
)
from incidents.services import incident_acknowledge, incident_open, incident_transition
from marketplace_ops.models import Component

pytestmark = pytest.mark.django_db
MON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def handled(user, time_machine, *, at, severity, ack_after, resolve_after, components=()):
    time_machine.move_to(at, tick=False)
    incident = incident_open(title=f"{severity} at {at}", description="", severity=severity, component_ids=components,
                             acting_user=None)
    time_machine.move_to(at + ack_after, tick=False)
    incident_acknowledge(incident=incident, acting_user=user)
    if resolve_after:
        time_machine.move_to(at + resolve_after, tick=False)
        for name in ("investigate", "identify", "start_resolving", "resolve"):
            incident = incident_transition(incident=incident, transition=name, acting_user=user)
    return incident


@pytest.fixture
def history(staff, time_machine):
    ivy = staff["ivy"]
    Incident.objects.all().delete()
    gw = Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})[0].pk
    db = Component.objects.get_or_create(slug="user-database", defaults={"name": "User Database"})[0].pk
    handled(ivy, time_machine, at=MON, severity="medium", ack_after=timedelta(minutes=10), resolve_after=timedelta(hours=2), components=[gw])
    handled(ivy, time_machine, at=MON + timedelta(days=1), severity="medium", ack_after=timedelta(minutes=30),
            resolve_after=timedelta(hours=30), components=[gw, db])  # resolution breached (24 h)
    handled(ivy, time_machine, at=MON + timedelta(days=7), severity="low", ack_after=timedelta(hours=9),
            resolve_after=None, components=[db])  # response breached (8 h)
    time_machine.move_to(MON + timedelta(days=20), tick=False)


def test_mtta_and_mttr_per_week(history):
    weeks = mtta_mttr_per_week(start=MON - timedelta(days=1), end=MON + timedelta(days=14))
    assert [(w["week"], w["incidents"]) for w in weeks] == [(date(2026, 3, 2), 2), (date(2026, 3, 9), 1)]
    assert weeks[0]["mtta"] == timedelta(minutes=20) and weeks[0]["mttr"] == timedelta(hours=16)
    assert weeks[1]["mtta"] == timedelta(hours=9) and weeks[1]["mttr"] is None


def test_sla_compliance_per_severity_per_month(history):
    rows = {(r["month"], r["severity"]): r for r in sla_compliance(start=MON - timedelta(days=1), end=MON + timedelta(days=30))}
    medium, low = rows[(date(2026, 3, 1), "medium")], rows[(date(2026, 3, 1), "low")]
    assert (medium["incidents"], medium["response_pct"], medium["resolution_pct"]) == (2, 100.0, 50.0)
    assert (low["response_met"], low["response_measured"], low["response_pct"]) == (0, 1, 0.0)


def test_incidents_per_component(history):
    rows = incidents_per_component(start=MON - timedelta(days=1), end=MON + timedelta(days=30))
    assert [(r["slug"], r["incidents"]) for r in rows] == [("api-gateway", 2), ("user-database", 2)]


def test_dashboard_widget_renders(history, staff):
    summary = open_incident_summary()
    assert summary["open_total"] == 1 and summary["breached"] == 1
    html = render_to_string("incidents/widgets/open_incidents.html", summary)
    assert "1 breached" in html and "resolution breached 6 d 0 h ago" in html
    late = Incident.objects.get(severity="low")
    assert late.breaches.get().clock == "response"  # acknowledged after its deadline: recorded without a sweep


def test_openapi_schema_includes_the_incident_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"/api/v1/incidents/", "/api/v1/incidents/{id}/transition/", "/api/v1/alerts/alertmanager/"} <= set(paths)
