"""Tiers, escalation, premium handling, replies and resolution with a known issue."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.support.choices import MessageKind, TicketStatus, Tier
from incidents.support.models import Ticket, TicketEscalation
from incidents.support.services import (
    ticket_assign,
    ticket_escalate,
    ticket_reply,
    ticket_requester_reply,
    ticket_resolve,
    ticket_start,
)
from marketplace_ops.models import AuditEvent, Notification
from tests.support.factories import CustomerFactory, KnowledgeArticleFactory, make_ticket

pytestmark = pytest.mark.django_db


def recipients(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient_address", flat=True))


def test_new_ticket_lands_in_the_l1_queue_and_l1_is_told(staff):
    ticket = make_ticket()
    assert (ticket.tier, ticket.status) == (Tier.L1, TicketStatus.NEW)
    assert recipients("support.ticket_created") == ["lena@example.com"]
    assert recipients("support.ticket_received") == ["dana@globex.example"]
    assert AuditEvent.objects.filter(event_type="support.ticket_created", resource_id=str(ticket.pk)).exists()


def test_escalation_needs_a_reason_and_nothing_changes_without_one(staff):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as err:
        ticket_escalate(ticket=ticket, to_tier=Tier.L2, reason="  ", acting_user=staff["l1"])
    assert "reason" in err.value.message_dict
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    assert not TicketEscalation.objects.exists()
    assert recipients("support.ticket_escalated") == []


def test_escalation_to_l2_records_the_reason_and_notifies_only_l2(staff):
    ticket = make_ticket()
    ticket_assign(ticket=ticket, assignee=staff["l1"], acting_user=staff["l1"])
    escalation = ticket_escalate(ticket=ticket, to_tier=Tier.L2, acting_user=staff["l1"],
                                 reason="Key is valid; gateway rejects it — configuration issue.")
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    assert ticket.assignee is None  # an L1 engineer does not hold an L2 ticket
    assert (escalation.from_tier, escalation.to_tier, escalation.escalated_by) == (Tier.L1, Tier.L2, staff["l1"])
    assert recipients("support.ticket_escalated") == ["leo@example.com"]
    assert ticket.messages.filter(kind=MessageKind.SYSTEM, body__contains="configuration issue").exists()


def test_escalation_goes_up_only_and_l1_cannot_act_on_an_l3_ticket(staff):
    ticket = make_ticket()
    ticket_escalate(ticket=ticket, to_tier=Tier.L3, reason="Code-level bug in key validation.", acting_user=staff["l1"])
    with pytest.raises(ValidationError):
        ticket_escalate(ticket=ticket, to_tier=Tier.L2, reason="Going back down is not escalation.",
                        acting_user=staff["l3"])
    with pytest.raises(PermissionDenied):
        ticket_reply(ticket=ticket, body="Hello", acting_user=staff["l1"])
    with pytest.raises(PermissionDenied):
        ticket_assign(ticket=ticket, assignee=staff["l3"], acting_user=staff["other"])


def test_assignee_must_work_the_tickets_tier(staff):
    ticket = make_ticket()
    ticket_escalate(ticket=ticket, to_tier=Tier.L2, reason="Performance problem on one route.", acting_user=staff["l1"])
    with pytest.raises(ValidationError) as err:
        ticket_assign(ticket=ticket, assignee=staff["l1"], acting_user=staff["l2"])
    assert "assignee" in err.value.message_dict
    ticket_assign(ticket=ticket, assignee=staff["l3"], acting_user=staff["l2"])
    assert recipients("support.ticket_assigned") == ["lou@example.com"]


def test_premium_customer_tickets_sort_first_and_notify_the_dedicated_engineer(staff):
    CustomerFactory(name="Acme", email_domain="acme.example", is_premium=True, dedicated_engineer=staff["l2"])
    regular = make_ticket(severity="critical", requester_email="x@globex.example")
    premium = make_ticket(severity="low", requester_email="alex@acme.example")
    assert premium.premium and premium.dedicated_engineer == staff["l2"]
    assert premium.requester_organisation == "Acme"
    assert list(Ticket.objects.values_list("id", flat=True)) == [premium.pk, regular.pk]
    assert recipients("support.premium_ticket") == ["leo@example.com"]


def test_non_premium_customer_dedicated_engineer_is_not_used(staff):
    CustomerFactory(email_domain="globex.example", is_premium=False, dedicated_engineer=staff["l2"])
    ticket = make_ticket()
    assert not ticket.premium and ticket.dedicated_engineer is None
    assert recipients("support.premium_ticket") == []


def test_staff_reply_reaches_the_requester_but_internal_notes_do_not(staff):
    ticket = make_ticket()
    ticket_reply(ticket=ticket, body="Internal: looks like cache.", acting_user=staff["l1"], internal=True)
    assert recipients("support.staff_replied") == []
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    ticket_reply(ticket=ticket, body="Please retry now.", acting_user=staff["l1"])
    mail = Notification.objects.get(event="support.staff_replied")
    assert mail.recipient_address == "dana@globex.example"
    assert "Please retry now." in mail.body_text
    assert ticket.access_token() in mail.body_text  # the private link


def test_requester_reply_notifies_the_assignee_or_else_the_queue(staff, make_user):
    make_user("lars", roles=["support-l1"])
    ticket = make_ticket()
    ticket_requester_reply(ticket=ticket, body="Any news?")
    assert recipients("support.requester_replied") == ["lars@example.com", "lena@example.com"]
    ticket_start(ticket=ticket, acting_user=staff["l1"])  # takes it
    Notification.objects.all().delete()
    ticket_requester_reply(ticket=ticket, body="Still broken.")
    assert recipients("support.requester_replied") == ["lena@example.com"]
    ticket.refresh_from_db()
    assert ticket.assignee == staff["l1"]


def test_resolve_with_a_known_issue_article(staff):
    article = KnowledgeArticleFactory(title="Catalog index lag", summary="Search refreshes hourly.", is_public=True)
    ticket = make_ticket()
    ticket = ticket_resolve(ticket=ticket, article=article, acting_user=staff["l1"])
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.knowledge_article == article
    assert ticket.resolution == "Search refreshes hourly."
    mail = Notification.objects.get(event="support.ticket_resolved")
    assert "Catalog index lag" in mail.body_text and article.get_absolute_url() in mail.body_text


def test_resolve_rejects_an_article_that_is_not_a_known_issue_or_no_resolution(staff):
    runbook = KnowledgeArticleFactory(kind="runbook")
    ticket = make_ticket()
    with pytest.raises(ValidationError) as err:
        ticket_resolve(ticket=ticket, article=runbook, acting_user=staff["l1"])
    assert "article" in err.value.message_dict
    with pytest.raises(ValidationError):
        ticket_resolve(ticket=ticket, resolution="", acting_user=staff["l1"])
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_requester_reply_reopens_a_resolved_ticket_but_not_a_closed_one(staff):
    from incidents.support.services import ticket_close

    ticket = make_ticket()
    ticket_resolve(ticket=ticket, resolution="Retry worked.", acting_user=staff["l1"])
    ticket_requester_reply(ticket=ticket, body="It broke again.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.resolved_at is None
    ticket_resolve(ticket=ticket, resolution="Fixed for good.", acting_user=staff["l1"])
    ticket_close(ticket=ticket, acting_user=staff["l1"])
    with pytest.raises(ValidationError):
        ticket_requester_reply(ticket=ticket, body="Hello?")
    assert ticket.messages.filter(body="Hello?").count() == 0


def test_invalid_ticket_input_is_refused_with_field_errors(staff):
    with pytest.raises(ValidationError) as err:
        make_ticket(requester_email="not-an-email", subject="")
    assert {"requester_email", "subject"} <= set(err.value.message_dict)
    assert not Ticket.objects.exists()


def test_escalating_from_a_stale_copy_cannot_escalate_twice(staff):
    ticket = make_ticket()
    stale = Ticket.objects.get(pk=ticket.pk)
    ticket_escalate(ticket=ticket, to_tier=Tier.L2, reason="Configuration problem on the gateway.",
                    acting_user=staff["l1"])
    with pytest.raises(PermissionDenied):  # the locked, fresh row is at L2 now: out of L1's reach
        ticket_escalate(ticket=stale, to_tier=Tier.L2, reason="Configuration problem on the gateway.",
                        acting_user=staff["l1"])
    with pytest.raises(ValidationError):
        ticket_escalate(ticket=stale, to_tier=Tier.L2, reason="Same again from an L2 engineer.",
                        acting_user=staff["l2"])
    assert TicketEscalation.objects.count() == 1
    assert Notification.objects.filter(event="support.ticket_escalated").count() == 1
