"""The admin: list with SLA state, filters, change page with inlines, buttons and actions via services."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from incidents.models import Communication, Incident, Postmortem
from incidents.services import escalation_sweep, incident_open, incident_transition, postmortem_save
from marketplace_ops.models import Component
from tests.incidents.factories import rotation_with

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def admin_client_for(staff):
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def breached(staff, time_machine):
    time_machine.move_to(T0, tick=False)
    gateway = Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})[0]
    incident = incident_open(title="Gateway down", description="", severity="critical", component_ids=[gateway.pk],
                             acting_user=None)
    calm = incident_open(title="Typo on portal", description="", severity="low", acting_user=None)
    escalation_sweep(now=T0 + timedelta(minutes=45))
    time_machine.move_to(T0 + timedelta(minutes=45), tick=False)
    return incident, calm


def test_changelist_shows_sla_state_and_filters_breached(admin_client_for, staff, breached):
    incident, calm = breached
    client = admin_client_for(staff["ivy"])
    page = client.get("/admin/incidents/incident/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "response breached 15 min ago" in html and "color:#c00" in html and "API Gateway" in html
    only = client.get("/admin/incidents/incident/?sla=breached").content.decode()
    assert "Gateway down" in only and "Typo on portal" not in only
    assert "Typo on portal" in client.get("/admin/incidents/incident/?open=yes&severity=low").content.decode()


def test_changelist_queries_do_not_grow_per_row(admin_client_for, staff, breached, django_assert_max_num_queries):
    for i in range(30):
        incident_open(title=f"Noise {i}", description="", severity="low", acting_user=None)
    client = admin_client_for(staff["ivy"])
    with django_assert_max_num_queries(25):
        assert client.get("/admin/incidents/incident/").status_code == 200


def test_change_page_shows_timeline_escalations_and_buttons(admin_client_for, staff, breached):
    incident, _ = breached
    html = admin_client_for(staff["ivy"]).get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert "Incident detected and created" in html
    assert "SLA response clock breached" in html
    assert "Start investigating" in html  # FSM button
    assert "Response clock: due 2026-03-04 10:30" in html
    assert "Runbooks" in html


def test_transition_button_goes_through_the_service_and_reports_refusals(admin_client_for, staff, breached):
    incident, _ = breached
    client = admin_client_for(staff["ivy"])
    url = f"/admin/incidents/incident/{incident.pk}/change/"
    form = {"title": incident.title, "description": "", "severity": "critical", "affected_users": "some",
            "components": [c.pk for c in incident.components.all()], "_fsm_transition_to": "investigate",
            **_empty_inlines()}
    response = client.post(url, form, follow=True)
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == "investigating" and incident.acknowledged_at is not None
    form["_fsm_transition_to"] = "identify"
    response = client.post(url, form, follow=True)
    assert "needs an incident commander" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == "investigating"


def test_lena_in_support_cannot_move_incidents(admin_client_for, staff, breached):
    incident, _ = breached
    client = admin_client_for(staff["lena"])
    assert client.get(f"/admin/incidents/incident/{incident.pk}/change/").status_code == 200
    response = client.get(f"/admin/incidents/incident/{incident.pk}/transition/resolve/", follow=True)
    assert "You may not move incidents" in response.content.decode()


def test_post_update_action_sends_and_reports_errors(admin_client_for, staff, breached):
    incident, calm = breached
    client = admin_client_for(staff["ivy"])
    data = {"action": "post_update", "_selected_action": [incident.pk, calm.pk], "apply": "1",
            "channel": "status_page", "audience": "affected_users", "template": "investigating", "message": ""}
    response = client.post("/admin/incidents/incident/", data, follow=True)
    html = response.content.decode()
    assert "Posted the update to 1 incident(s)" in html
    assert "Record the affected components first" in html
    assert Communication.objects.get().incident_id == incident.pk


def test_escalate_action(admin_client_for, staff, breached):
    incident, _ = breached
    response = admin_client_for(staff["ivy"]).post(
        "/admin/incidents/incident/", {"action": "escalate", "_selected_action": [incident.pk]}, follow=True)
    assert "escalated to" in response.content.decode()
    assert incident.escalations.filter(manual=True).count() == 1
    _, calm = breached
    for name in ("investigate", "identify", "start_resolving", "resolve"):
        incident_transition(incident=calm, transition=name, acting_user=staff["ivy"])
    refused = admin_client_for(staff["ivy"]).post(
        "/admin/incidents/incident/", {"action": "escalate", "_selected_action": [calm.pk]}, follow=True)
    assert "nobody to escalate to" in refused.content.decode() and not calm.escalations.filter(manual=True).exists()


def test_report_page(admin_client_for, staff, breached):
    page = admin_client_for(staff["ivy"]).get("/admin/incidents/incident/report/?start=2026-03-01&end=2026-04-01")
    html = page.content.decode()
    assert page.status_code == 200 and "MTTA" in html and "API Gateway" in html
    assert 'href="/admin/#ops-dashboard" id="dashboard-link"' in html  # the charts live on the dashboard
    assert admin_client_for(staff["lena"]).get("/admin/incidents/incident/report/").status_code == 403
    bad = admin_client_for(staff["ivy"]).get("/admin/incidents/incident/report/?start=2026-04-01&end=2026-03-01")
    assert "The end must be after the start" in bad.content.decode()


def test_rotation_admin_shows_this_weeks_on_call(admin_client_for, staff, time_machine):
    rotation = rotation_with([staff["ian"], staff["omar"]], name="Weekly", starts_on=date(2026, 1, 5))
    time_machine.move_to(datetime(2026, 1, 14, 12, 0, tzinfo=UTC), tick=False)  # Wednesday of the second week
    client = admin_client_for(staff["omar"])
    assert '<td class="field-on_call_now">omar</td>' in client.get("/admin/incidents/rotation/").content.decode()
    html = client.get(f"/admin/incidents/rotation/{rotation.pk}/change/").content.decode()
    assert "Mon 12 Jan 09:00 – Mon 19 Jan 09:00: <strong>omar</strong>" in html


def test_postmortem_page_and_markdown(admin_client_for, staff, breached):
    incident, _ = breached
    ivy = staff["ivy"]
    from incidents.services import incident_assign

    incident_assign(incident=incident, acting_user=ivy, commander=ivy)
    for name in ("investigate", "identify", "start_resolving", "resolve"):
        incident_transition(incident=incident, transition=name, acting_user=ivy)
    postmortem_save(incident=incident, acting_user=ivy, finish=True, root_cause="A bad route table",
                    contributing_factors="No canary", impact="All gateway traffic", lessons_learned="Canary routes")
    client = admin_client_for(ivy)
    html = client.get(f"/incidents/{incident.pk}/postmortem/").content.decode()
    assert "A bad route table" in html and "Incident detected and created" in html
    md = client.get(f"/incidents/{incident.pk}/postmortem.md")
    assert md["Content-Type"].startswith("text/markdown")
    text = md.content.decode()
    assert text.startswith(f"# Post-incident review: INC-{incident.pk}") and "## Root cause\n\nA bad route table" in text
    assert "| Time (UTC) | Status | Event | By |" in text


def _empty_inlines():
    data = {}
    for prefix in ("timeline", "communications", "alerts", "action_items", "postmortem"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
                 f"{prefix}-MAX_NUM_FORMS": "1000"}
    return data


def test_add_form_opens_through_the_service(admin_client_for, staff):
    gateway = Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})[0]
    response = admin_client_for(staff["ivy"]).post("/admin/incidents/incident/add/", {
        "title": "Portal 500s", "description": "Sign-in fails", "severity": "high", "affected_users": "some",
        "components": [gateway.pk], "assignee": staff["erin"].pk, "commander": staff["ivy"].pk,
    }, follow=True)
    assert response.status_code == 200
    incident = Incident.objects.get()
    assert incident.response_due_at and incident.commander == staff["ivy"] and incident.assignee == staff["erin"]
    assert incident.timeline.filter(message__startswith="Incident detected").exists()
    assert incident.escalations.filter(step_index=900).exists()  # high: the on-call was paged


def test_change_form_severity_note_and_review_go_through_services(admin_client_for, staff, breached):
    incident, calm = breached
    client = admin_client_for(staff["ivy"])
    url = f"/admin/incidents/incident/{calm.pk}/change/"
    base = {"title": calm.title, "description": "", "severity": "medium", "affected_users": "some",
            "add_note": "Seen by three customers", **_empty_inlines()}
    assert client.post(url, base).status_code == 302
    calm.refresh_from_db()
    assert calm.severity == "medium" and calm.timeline.filter(kind="severity").exists()
    assert calm.timeline.filter(kind="note", message="Seen by three customers").exists()
    assert calm.acknowledged_at is not None
    gateway = Component.objects.get(slug="api-gateway")
    assert client.post(url, {**base, "add_note": "", "components": [gateway.pk]}).status_code == 302
    assert calm.timeline.filter(message="Affected components: API Gateway (were none).").exists()
    review = {**base, "add_note": "", "postmortem-TOTAL_FORMS": "1", "postmortem-0-root_cause": "x", "postmortem-0-finish": "on"}
    page = client.post(url, review)
    assert page.status_code == 200 and "Resolve the incident before finishing its review" in page.content.decode()
    assert not Postmortem.objects.filter(incident=calm).exists()


def test_resolve_button_asks_for_the_resolution(admin_client_for, staff, breached):
    _, calm = breached
    ivy = staff["ivy"]
    for name in ("investigate", "identify", "start_resolving"):
        incident_transition(incident=calm, transition=name, acting_user=ivy)
    client = admin_client_for(ivy)
    url = f"/admin/incidents/incident/{calm.pk}/transition/resolve/"
    assert "resolution" in client.get(url).content.decode()
    assert "This field is required" in client.post(url, {"resolution": ""}).content.decode()
    assert client.post(url, {"resolution": "Fixed the typo"}).status_code == 302
    calm.refresh_from_db()
    assert calm.status == "resolved" and calm.resolution == "Fixed the typo"
