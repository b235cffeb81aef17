"""The incidents API: list/detail/create/transition/updates, errors as {"errors": [...]}."""

import pytest
from django.test import Client

from incidents.models import Communication, Incident
from marketplace_ops.models import Component

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_token, staff):
    Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})
    token = api_token("incidents:read", "incidents:write")

    def call(method, url, body=None, *, tok=None):
        client = Client()
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tok or token}"}
        if body is not None:
            return getattr(client, method)(url, data=body, content_type="application/json", **kwargs)
        return getattr(client, method)(url, **kwargs)

    return call


def test_create_list_detail(api):
    created = api("post", "/api/v1/incidents/", {"title": "Gateway 502", "severity": "critical",
                                                  "components": ["api-gateway"], "affected_users": "all"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "detected" and body["components"] == ["api-gateway"] and body["response_due_at"]
    assert body["timeline"][0]["message"].startswith("Incident detected")
    listed = api("get", "/api/v1/incidents/?open=1&severity=critical").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert api("get", f"/api/v1/incidents/{body['id']}/").json()["title"] == "Gateway 502"


def test_create_with_bad_input_is_400_with_field_errors(api):
    response = api("post", "/api/v1/incidents/", {"title": "", "severity": "urgent", "components": ["nope"]})
    assert response.status_code == 400
    fields = {e.get("field") for e in response.json()["errors"]}
    assert {"title", "severity"} <= fields
    unknown = api("post", "/api/v1/incidents/", {"title": "x", "severity": "low", "components": ["nope"]})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "components"
    assert not Incident.objects.exists()


def test_transition_and_409_on_a_wrong_state(api):
    incident_id = api("post", "/api/v1/incidents/", {"title": "x", "severity": "low"}).json()["id"]
    ok = api("post", f"/api/v1/incidents/{incident_id}/transition/", {"transition": "investigate", "message": "looking"})
    assert ok.status_code == 200 and ok.json()["status"] == "investigating"
    wrong = api("post", f"/api/v1/incidents/{incident_id}/transition/", {"transition": "close"})
    assert wrong.status_code == 409 and "while it is investigating" in wrong.json()["errors"][0]["message"]
    unknown = api("post", f"/api/v1/incidents/{incident_id}/transition/", {"transition": "explode"})
    assert unknown.status_code == 400
    assert api("post", "/api/v1/incidents/999999/transition/", {"transition": "investigate"}).status_code == 404


def test_commander_condition_is_400_with_the_reason(api):
    incident_id = api("post", "/api/v1/incidents/", {"title": "x", "severity": "critical"}).json()["id"]
    api("post", f"/api/v1/incidents/{incident_id}/transition/", {"transition": "investigate"})
    response = api("post", f"/api/v1/incidents/{incident_id}/transition/", {"transition": "identify"})
    assert response.status_code == 400 and "incident commander" in response.json()["errors"][0]["message"]


def test_post_update_and_note(api):
    incident_id = api("post", "/api/v1/incidents/", {"title": "x", "severity": "high",
                                                      "components": ["api-gateway"]}).json()["id"]
    update = api("post", f"/api/v1/incidents/{incident_id}/updates/",
                 {"channel": "status_page", "audience": "affected_users", "template": "investigating"})
    assert update.status_code == 201 and update.json()["is_public"] is True
    bad = api("post", f"/api/v1/incidents/{incident_id}/updates/", {"channel": "sms", "audience": "all_users", "message": "x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "audience"
    assert Communication.objects.count() == 1
    note = api("post", f"/api/v1/incidents/{incident_id}/notes/", {"message": "Rolled back"})
    assert note.status_code == 201 and note.json()["kind"] == "note"


def test_scopes(api, api_token):
    read_only = api_token("incidents:read")
    assert api("get", "/api/v1/incidents/", tok=read_only).status_code == 200
    assert api("post", "/api/v1/incidents/", {"title": "x", "severity": "low"}, tok=read_only).status_code == 403
    assert Client().get("/api/v1/incidents/").status_code == 401
