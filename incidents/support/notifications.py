"""Who hears about what on a ticket. Builds outbox rows through the kernel's `notify`; sends nothing."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from incidents.support.choices import TIER_ROLE
from marketplace_ops.services.notifications import notify


def requester_link(ticket) -> str:
    return settings.SITE_URL + reverse("support:ticket", kwargs={"token": ticket.access_token()})


def staff_link(ticket) -> str:
    return settings.SITE_URL + reverse("admin:support_ticket_change", args=[ticket.pk])


def tier_group(tier):
    return Group.objects.filter(name=TIER_ROLE[tier]).first()


def _context(ticket, **extra):
    return {"ticket": ticket, "staff_link": staff_link(ticket), **extra}


def notify_requester(event: str, ticket, *, acting_user=None, **extra):
    """Mail to the requester, always carrying their private link."""
    return notify(
        event=event,
        recipients=[ticket.requester_email],
        context=_context(ticket, requester_link=requester_link(ticket), **extra),
        acting_user=acting_user,
        resource=ticket,
    )


def notify_new_ticket(ticket, *, acting_user=None):
    """The L1 queue hears of every new ticket; a premium ticket's dedicated engineer too."""
    rows = notify(
        event="support.ticket_created",
        recipients=[tier_group(ticket.tier)],
        context=_context(ticket),
        acting_user=acting_user,
        resource=ticket,
        link=staff_link(ticket),
    )
    if ticket.premium and ticket.dedicated_engineer_id:
        rows += notify(
            event="support.premium_ticket",
            recipients=[ticket.dedicated_engineer],
            context=_context(ticket),
            acting_user=acting_user,
            resource=ticket,
            link=staff_link(ticket),
        )
    return rows


def notify_handlers(event: str, ticket, *, acting_user=None, **extra):
    """The assignee, or the tier's queue when nobody holds the ticket."""
    recipient = ticket.assignee if ticket.assignee_id else tier_group(ticket.tier)
    return notify(
        event=event,
        recipients=[recipient],
        context=_context(ticket, **extra),
        acting_user=acting_user,
        resource=ticket,
        link=staff_link(ticket),
    )


def notify_escalated(ticket, escalation, *, acting_user=None):
    recipients = [tier_group(escalation.to_tier)]
    if ticket.premium and ticket.dedicated_engineer_id:
        recipients.append(ticket.dedicated_engineer)
    return notify(
        event="support.ticket_escalated",
        recipients=recipients,
        context=_context(ticket, escalation=escalation),
        acting_user=acting_user,
        resource=ticket,
        link=staff_link(ticket),
    )


def notify_assigned(ticket, *, acting_user=None):
    return notify(
        event="support.ticket_assigned",
        recipients=[ticket.assignee],
        context=_context(ticket),
        acting_user=acting_user,
        resource=ticket,
        link=staff_link(ticket),
    )


def notify_breach(ticket, *, clock: str, acting_user=None):
    recipients = [ticket.assignee if ticket.assignee_id else tier_group(ticket.tier)]
    if ticket.premium and ticket.dedicated_engineer_id:
        recipients.append(ticket.dedicated_engineer)
    return notify(
        event="support.sla_breached",
        recipients=recipients,
        context=_context(ticket, clock=clock),
        acting_user=acting_user,
        resource=ticket,
        link=staff_link(ticket),
    )
