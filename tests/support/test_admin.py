"""Admin: the ticket list (SLA column, no query per row), lifecycle buttons and pages that call
the services and show their errors where the user is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.support.choices import TicketStatus, Tier
from incidents.support.models import Ticket, TicketEscalation
from tests.support.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def l1_client(client, staff):
    client.force_login(staff["l1"])
    return client


def test_changelist_shows_sla_state_without_a_query_per_row(l1_client, staff):
    make_ticket(severity="critical")
    url = reverse("admin:support_ticket_changelist")
    with CaptureQueriesContext(connection) as few:
        assert l1_client.get(url).status_code == 200
    for i in range(15):
        make_ticket(subject=f"Ticket {i}", requester_email=f"r{i}@x.example")
    with CaptureQueriesContext(connection) as many:
        page = l1_client.get(url)
    assert page.status_code == 200 and b"response:" in page.content
    assert len(many) <= len(few) + 1


def test_triage_button_asks_for_severity_and_calls_the_service(l1_client):
    ticket = make_ticket(severity="low")
    url = reverse("admin:support_ticket_transition", kwargs={"object_id": ticket.pk, "transition_name": "triage"})
    assert l1_client.get(url).status_code == 200
    response = l1_client.post(url, {"severity": "critical"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRIAGED and ticket.severity == "critical"
    assert Ticket.history.filter(id=ticket.pk, history_user__username="lena").exists()


def test_escalate_page_without_reason_shows_the_error_and_changes_nothing(l1_client):
    ticket = make_ticket()
    url = reverse("admin:support_ticket_escalate", args=[ticket.pk])
    response = l1_client.post(url, {"to_tier": "l2", "reason": "short"})
    assert response.status_code == 200 and b"Give a reason" in response.content
    assert not TicketEscalation.objects.exists()
    response = l1_client.post(url, {"to_tier": "l2", "reason": "Needs a configuration review by L2."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2


def test_reply_page_sends_the_reply(l1_client):
    ticket = make_ticket()
    response = l1_client.post(reverse("admin:support_ticket_reply", args=[ticket.pk]),
                              {"body": "We are on it.", "wait_on_customer": "on"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_ON_CUSTOMER and ticket.first_response_at is not None


def test_resolve_button_without_resolution_shows_an_error(l1_client):
    ticket = make_ticket()
    url = reverse("admin:support_ticket_transition", kwargs={"object_id": ticket.pk, "transition_name": "resolve"})
    response = l1_client.post(url, {"resolution": ""}, follow=True)
    assert b"Say how the ticket was resolved" in response.content
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_escalate_action_asks_for_a_reason_then_escalates(l1_client):
    a, b = make_ticket(subject="A"), make_ticket(subject="B", requester_email="b@x.example")
    url = reverse("admin:support_ticket_changelist")
    page = l1_client.post(url, {"action": "escalate_selected", "_selected_action": [a.pk, b.pk]})
    assert page.status_code == 200 and b"Escalate tickets" in page.content
    l1_client.post(url, {"action": "escalate_selected", "_selected_action": [a.pk, b.pk], "apply": "1",
                         "to_tier": "l3", "reason": "Code-level bug in the SDK signing."})
    assert set(Ticket.objects.values_list("tier", flat=True)) == {"l3"}


def test_change_page_and_add_through_the_service(l1_client):
    ticket = make_ticket()
    page = l1_client.get(reverse("admin:support_ticket_change", args=[ticket.pk]))
    assert page.status_code == 200 and b"Escalate" in page.content and b"Triage" in page.content
    response = l1_client.post(reverse("admin:support_ticket_add"), {
        "requester_name": "Phone caller", "requester_email": "caller@globex.example", "requester_organisation": "",
        "channel": "phone", "subject": "Billing export empty", "description": "The CSV export has no rows.",
        "severity": "low",
    })
    assert response.status_code == 302
    created = Ticket.objects.get(subject="Billing export empty")
    assert created.channel == "phone" and created.access_token_hash and created.response_due


def test_search_by_text_or_number_and_filters_work(l1_client):
    ticket = make_ticket(subject="Webhook signature mismatch")
    url = reverse("admin:support_ticket_changelist")
    assert b"Webhook signature" in l1_client.get(url, {"q": "signature"}).content
    assert b"Webhook signature" in l1_client.get(url, {"q": str(ticket.pk)}).content
    for params in ({"open": "yes"}, {"sla": "breached"}, {"sla": "due_soon"}, {"tier": "l2"}):
        assert l1_client.get(url, params).status_code == 200


def test_lifecycle_buttons_only_for_staff_of_the_tickets_tier(client, staff):
    from incidents.support.services import ticket_escalate

    ticket = make_ticket()
    ticket_escalate(ticket=ticket, to_tier="l3", reason="Code-level bug in key validation.", acting_user=staff["l1"])
    url = reverse("admin:support_ticket_change", args=[ticket.pk])
    client.force_login(staff["l1"])
    assert b'name="_fsm_transition_to"' not in client.get(url).content
    client.force_login(staff["l3"])
    assert b'value="triage"' in client.get(url).content
