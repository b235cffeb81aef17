"""`/api/v1/tickets/`: create and list with token scopes; 400/401/403 bodies in the house shape."""

import pytest

from incidents.support.models import Ticket
from marketplace_ops.models import Notification
from tests.support.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
BODY = {
    "requester_name": "Chat Bot Relay",
    "requester_email": "alex@acme.example",
    "subject": "Webhook signature mismatch",
    "description": "Signatures stopped validating after key rotation.",
    "severity": "high",
    "channel": "chat",
}


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_create_ticket_through_the_api(client, api_token, staff):
    CustomerFactory(email_domain="acme.example", is_premium=True, dedicated_engineer=staff["l3"])
    response = client.post(URL, BODY, content_type="application/json", **auth(api_token("tickets:write")))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["tier"] == "l1" and data["status"] == "new" and data["premium"] is True
    assert data["channel"] == "chat" and data["reference"].startswith("TCK-")
    assert Notification.objects.filter(event="support.ticket_received", recipient_address="alex@acme.example").exists()
    assert Notification.objects.filter(event="support.premium_ticket", recipient_address="lou@example.com").exists()


def test_invalid_body_is_400_with_field_errors_and_nothing_stored(client, api_token, staff):
    raw = api_token("tickets:write")
    response = client.post(URL, {**BODY, "requester_email": "nope", "severity": "urgent"},
                           content_type="application/json", **auth(raw))
    assert response.status_code == 400
    fields = {e.get("field") for e in response.json()["errors"]}
    assert {"requester_email", "severity"} <= fields
    response = client.post(URL, "{not json", content_type="application/json", **auth(raw))
    assert response.status_code == 400 and response.json()["errors"]
    response = client.post(URL, ["a list"], content_type="application/json", **auth(raw))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_scopes_are_enforced(client, api_token, staff):
    assert client.post(URL, BODY, content_type="application/json").status_code == 401
    read_only = api_token("tickets:read")
    response = client.post(URL, BODY, content_type="application/json", **auth(read_only))
    assert response.status_code == 403 and "tickets:write" in response.json()["errors"][0]["message"]
    assert client.get(URL, **auth(api_token("tickets:write"))).status_code == 403
    assert not Ticket.objects.exists()


def test_list_sorts_premium_first_and_filters(client, api_token, staff):
    CustomerFactory(email_domain="acme.example", is_premium=True)
    plain = make_ticket(severity="critical")
    premium = make_ticket(severity="low", requester_email="alex@acme.example")
    raw = api_token("tickets:read")
    data = client.get(URL, **auth(raw)).json()
    assert [t["id"] for t in data["results"]] == [premium.pk, plain.pk]
    data = client.get(URL, {"premium": "false"}, **auth(raw)).json()
    assert [t["id"] for t in data["results"]] == [plain.pk]
    response = client.get(URL, {"tier": "l9"}, **auth(raw))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "tier"
