"""API: CI creates a release with its changes; deploy/complete/rollback with 400 and 409 bodies."""

from datetime import timedelta

import pytest
import time_machine

from releases.models import Release
from tests.releases.conftest import PLANNING_TIME, SUNDAY_WINDOW

PAYLOAD = {
    "component": "api-gateway",
    "release_type": "minor",
    "version": "0.1.0",
    "title": "Quota headers",
    "scheduled_start": SUNDAY_WINDOW.isoformat(),
    "rollback_plan": "Redeploy the previous tag.",
    "verification_steps": ["Smoke test", "Check dashboards"],
    "changes": [
        {"change_type": "feature", "description": "Quota headers", "ticket_id": "GW-7"},
        {"change_type": "bugfix", "description": "429 Retry-After"},
    ],
}


@pytest.fixture
def api(client, api_token, component, approvers):
    write = api_token("releases:read", "releases:write")

    def call(method, path, data=None, token=write):
        return getattr(client, method)(path, data=data, content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Bearer {token}")

    call.read_only = api_token("releases:read")
    return call


def test_ci_creates_a_release_with_its_changes(api, approvers):
    with time_machine.travel(PLANNING_TIME, tick=False):
        response = api("post", "/api/v1/releases/", PAYLOAD)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == "0.1.0" and body["status"] == "planned" and body["approval_progress"] == "0/4"
    assert [c["ticket_id"] for c in body["changes"]] == ["GW-7", ""]
    assert body["verification_steps"] == "Smoke test\nCheck dashboards"
    assert body["scheduled_end"].startswith("2027-01-10T03:00")
    assert api("get", f"/api/v1/releases/{body['id']}/").json()["title"] == "Quota headers"
    assert api("get", "/api/v1/releases/?component=api-gateway").json()["results"][0]["id"] == body["id"]


def test_invalid_input_is_a_400_with_field_errors(api):
    response = api("post", "/api/v1/releases/", {**PAYLOAD, "version": "0.2.0", "component": "nope"})
    assert response.status_code == 400
    assert {"field": "component", "message": "Object with slug=nope does not exist.", "code": "does_not_exist"} in \
        response.json()["errors"]
    api("post", "/api/v1/releases/", PAYLOAD)
    response = api("post", "/api/v1/releases/", {**PAYLOAD, "version": "0.1.0"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "version", "message": "Version 0.1.0 of API Gateway already exists.",
                                          "code": "invalid"}]
    assert Release.objects.count() == 1


def test_a_bad_version_after_a_deployed_one_names_the_expected_version(api, deployed_version):
    deployed_version("2.3.1")
    response = api("post", "/api/v1/releases/", {**PAYLOAD, "version": "2.5.0"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "minor release after 2.3.1 must be 2.4.0."


def test_scopes_are_enforced(api):
    response = api("post", "/api/v1/releases/", PAYLOAD, token=api.read_only)
    assert response.status_code == 403 and "releases:write" in response.json()["errors"][0]["message"]


def test_deploying_outside_the_gate_is_a_409_with_the_reason(api, approve_all):
    with time_machine.travel(PLANNING_TIME, tick=False):
        release_id = api("post", "/api/v1/releases/", PAYLOAD).json()["id"]
        response = api("post", f"/api/v1/releases/{release_id}/deploy/")
    assert response.status_code == 409
    assert "Cannot deploy: the release is planned" in response.json()["errors"][0]["message"]
    with time_machine.travel(PLANNING_TIME, tick=False):
        approve_all(Release.objects.get(pk=release_id))
    with time_machine.travel(SUNDAY_WINDOW + timedelta(hours=6), tick=False):
        response = api("post", f"/api/v1/releases/{release_id}/deploy/")
    assert response.status_code == 409
    message = response.json()["errors"][0]["message"]
    assert "outside a primary/secondary maintenance window" in message and "next Wednesday window" in message


def test_deploy_complete_and_rollback_through_the_api(api, approve_all, system_actor):
    from releases.services import release_send_announcement

    with time_machine.travel(PLANNING_TIME, tick=False):
        first = api("post", "/api/v1/releases/", PAYLOAD).json()["id"]
        second = api("post", "/api/v1/releases/", {**PAYLOAD, "component": "api-gateway", "version": "",
                                                    "release_type": "major",
                                                    "scheduled_start": (SUNDAY_WINDOW + timedelta(hours=2)).isoformat()}
                     ).json()
        assert second["version"] == "1.0.0"
        for pk in (first, second["id"]):
            release = approve_all(Release.objects.get(pk=pk), acknowledge_conflict=True)
            release_send_announcement(release=release, acting_user=system_actor)
    with time_machine.travel(SUNDAY_WINDOW + timedelta(hours=2, minutes=30), tick=False):
        deployed = api("post", f"/api/v1/releases/{first}/deploy/")
        assert deployed.status_code == 200 and deployed.json()["status"] == "deployed"
        items = [i["id"] for i in deployed.json()["verification_items"]]
        half = api("post", f"/api/v1/releases/{first}/complete/", {"checked_items": items[:1]})
        assert half.status_code == 409 and "unchecked" in half.json()["errors"][0]["message"]
        from releases.models import VerificationItem

        assert not VerificationItem.objects.filter(checked_at__isnull=False).exists()  # nothing half-saved
        done = api("post", f"/api/v1/releases/{first}/complete/", {"checked_items": items})
        assert done.status_code == 200 and done.json()["status"] == "completed"
        again = api("post", f"/api/v1/releases/{first}/rollback/", {"reason": "late"})
        assert again.status_code == 409 and "the release is completed" in again.json()["errors"][0]["message"]

        assert api("post", f"/api/v1/releases/{second['id']}/deploy/").status_code == 200
        missing = api("post", f"/api/v1/releases/{second['id']}/rollback/", {})
        assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
        rolled = api("post", f"/api/v1/releases/{second['id']}/rollback/", {"reason": "error budget burnt"})
        assert rolled.status_code == 200 and rolled.json()["rollback_reason"] == "error budget burnt"


def test_an_unknown_release_is_a_json_404(api):
    response = api("post", "/api/v1/releases/999/deploy/")
    assert response.status_code == 404 and response.json()["errors"]


def test_the_endpoints_are_in_the_openapi_schema(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/releases/", "/api/v1/releases/{id}/deploy/", "/api/v1/releases/{id}/rollback/"):
        assert path in schema


def test_a_read_token_lists_but_cannot_deploy(api, make_release):
    release = make_release()
    listed = api("get", "/api/v1/releases/?status=planned", token=api.read_only)
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["results"]] == [release.pk]
    assert api("post", f"/api/v1/releases/{release.pk}/deploy/", token=api.read_only).status_code == 403
