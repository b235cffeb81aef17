import pytest

pytestmark = pytest.mark.django_db


def test_status_page_shows_public_incident_and_update(client, components, open_incident, post_update):
    incident = open_incident(title="Gateway 502s", severity="critical", components=[components["gateway"]])
    post_update(incident, "We are looking into elevated 502s.")
    response = client.get("/status/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gateway 502s" in body
    assert "We are looking into elevated 502s." in body
    assert "Major outage" in body
    assert "SP Internal Billing" not in body
