"""The public portal: open a ticket without logging in, get a private link by email, follow and
reply through it; CSRF, rate limit and bad input never lose what was typed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from incidents.support.choices import Channel, TicketStatus, Tier
from incidents.support.models import Ticket
from incidents.support.services import ticket_reply
from marketplace_ops.models import Notification

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Dana Developer",
    "email": "dana@globex.example",
    "organisation": "Globex",
    "severity": "high",
    "subject": "Checkout API returns 500",
    "description": "POST /v1/checkout fails with 500 since 09:12 UTC, request id req-123.",
}


def link_from_mail() -> str:
    mail = Notification.objects.get(event="support.ticket_received")
    match = re.search(r"http://testserver(/support/t/[^/\s]+/)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def test_anyone_can_open_a_ticket_and_gets_a_private_link_by_email(client, staff, django_capture_on_commit_callbacks):
    assert client.get("/support/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/support/", FORM)
    assert response.status_code == 302 and response["Location"] == reverse("support:submitted")
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.tier, ticket.severity) == (Channel.PORTAL, Tier.L1, "high")
    from django.core import mail

    assert [m.to for m in mail.outbox if "We received your ticket" in m.subject] == [["dana@globex.example"]]
    link = link_from_mail()
    # Only the hash of the token is stored.
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in ticket.access_token_hash and ticket.access_token_hash == Ticket.hash_access_token(token)
    page = client.get(link)
    assert page.status_code == 200
    assert b"Checkout API returns 500" in page.content and b"New" in page.content
    assert page["Referrer-Policy"] == "no-referrer"


def test_the_requester_follows_status_and_replies_and_the_assignee_is_told(client, staff):
    client.post("/support/", FORM)
    ticket = Ticket.objects.get()
    link = link_from_mail()
    from incidents.support.services import ticket_start

    ticket_start(ticket=ticket, acting_user=staff["l1"])
    ticket_reply(ticket=ticket, body="Which region do you call?", acting_user=staff["l1"], wait_on_customer=True)
    ticket_reply(ticket=ticket, body="SECRET INTERNAL NOTE", acting_user=staff["l1"], internal=True)
    page = client.get(link)
    assert b"Waiting on customer" in page.content and b"Which region do you call?" in page.content
    assert b"SECRET INTERNAL NOTE" not in page.content

    response = client.post(link, {"body": "eu-west-1"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.messages.filter(kind="requester", body="eu-west-1").exists()
    told = Notification.objects.filter(event="support.requester_replied")
    assert list(told.values_list("recipient_address", flat=True)) == ["lena@example.com"]


def test_a_wrong_or_guessed_link_shows_nothing(client, staff):
    client.post("/support/", FORM)
    ticket = Ticket.objects.get()
    assert client.get(f"/support/t/{ticket.pk}/").status_code == 404
    assert client.get("/support/t/" + "0" * 64 + "/").status_code == 404
    assert client.post("/support/t/nope/", {"body": "hi"}).status_code == 404
    assert not ticket.messages.exists()


def test_missing_fields_show_form_errors_and_keep_the_text(client, staff):
    response = client.post("/support/", {**FORM, "email": "not-an-email", "subject": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address." in body and "This field is required." in body
    assert "request id req-123" in body  # what was typed is still there
    assert not Ticket.objects.exists()


def test_empty_reply_is_refused_without_a_500(client, staff):
    client.post("/support/", FORM)
    link = link_from_mail()
    response = client.post(link, {"body": "   "})
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_portal_is_rate_limited_per_client_and_keeps_the_text(client, staff, settings):
    settings.SUPPORT_PORTAL_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post("/support/", FORM).status_code == 302
    response = client.post("/support/", {**FORM, "subject": "Third one"})
    assert response.status_code == 429
    assert b"Too many requests" in response.content and b"Third one" in response.content
    assert Ticket.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post("/support/", FORM).status_code == 302


def test_portal_form_requires_csrf(staff):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/support/", FORM).status_code == 403
    assert not Ticket.objects.exists()
    page = client.get("/support/")
    token = page.cookies["csrftoken"].value
    assert client.post("/support/", {**FORM, "csrfmiddlewaretoken": token}).status_code == 302


def test_closed_ticket_page_has_no_reply_form_and_rejects_replies(client, staff):
    from incidents.support.services import ticket_close, ticket_resolve

    client.post("/support/", FORM)
    ticket = Ticket.objects.get()
    link = link_from_mail()
    ticket_resolve(ticket=ticket, resolution="Fixed.", acting_user=staff["l1"])
    ticket_close(ticket=ticket, acting_user=staff["l1"])
    page = client.get(link)
    assert b"This ticket is closed" in page.content and b"Send reply" not in page.content
    response = client.post(link, {"body": "Hello?"})
    assert response.status_code == 400 and b"This ticket is closed" in response.content


def test_lost_link_is_mailed_only_to_the_tickets_address_and_the_answer_never_tells(client, staff):
    client.post("/support/", FORM)
    ticket = Ticket.objects.get()
    Notification.objects.all().delete()
    response = client.post("/support/link/", {"email": "DANA@globex.example"})
    assert response.status_code == 200 and b"If there are open tickets" in response.content
    mail = Notification.objects.get(event="support.access_links")
    assert mail.recipient_address == "dana@globex.example"
    assert ticket.access_token() in mail.body_text
    stranger = client.post("/support/link/", {"email": "nobody@else.example"})
    assert stranger.content == response.content  # same answer either way
    assert Notification.objects.filter(event="support.access_links").count() == 1


def test_requester_emails_have_an_escaped_html_part_with_the_link(client, staff):
    client.post("/support/", {**FORM, "subject": "<b>Checkout</b> broken"})
    mail = Notification.objects.get(event="support.ticket_received")
    assert "&lt;b&gt;Checkout&lt;/b&gt;" in mail.body_html and "<b>Checkout</b>" not in mail.body_html
    assert "<b>Checkout</b> broken" in mail.body_text  # plain text is not HTML-escaped
    token = link_from_mail().rstrip("/").rsplit("/", 1)[-1]
    assert token in mail.body_html
