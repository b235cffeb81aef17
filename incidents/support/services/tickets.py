"""Ticket lifecycle: create, replies, triage, wait/resume, resolve, close."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.support import notifications as notes
from incidents.support.choices import (
    ArticleKind,
    Channel,
    MessageKind,
    Severity,
    SlaClock,
    TicketStatus,
    Tier,
)
from incidents.support.models import Customer, KnowledgeArticle, Ticket, TicketMessage
from incidents.support.services.common import (
    MAX_BODY,
    _audit,
    _clean_body,
    _is_system,
    _lock,
    _message,
    _record_late_breach,
    _require_open,
    _require_perm,
    _require_tier,
    _restart_clock,
    _save,
    _set_deadlines,
    _stop_clock,
)
from incidents.support.sla import ticket_deadlines
from marketplace_ops.actors import resolve_actor
from marketplace_ops.services.audit import audit_log
from marketplace_ops.services.notifications import notify


def customer_for_email(email: str) -> Customer | None:
    domain = (email or "").rsplit("@", 1)[-1].strip().lower()
    if not domain:
        return None
    return Customer.objects.select_related("dedicated_engineer").filter(email_domain=domain).first()


def ticket_create(
    *,
    requester_name: str,
    requester_email: str,
    subject: str,
    description: str,
    severity: str = Severity.MEDIUM,
    channel: str = Channel.PORTAL,
    requester_organisation: str = "",
    acting_user=None,
    opened_at: datetime | None = None,
) -> Ticket:
    """A new ticket in the L1 queue with its SLA clocks; the requester gets their private link,
    the L1 group hears of it, and a premium customer's dedicated engineer too."""
    customer = customer_for_email(requester_email)
    ticket = Ticket(
        requester_name=(requester_name or "").strip(),
        requester_email=(requester_email or "").strip(),
        requester_organisation=(requester_organisation or "").strip() or (customer.name if customer else ""),
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        severity=severity,
        channel=channel,
        tier=Tier.L1,
        customer=customer,
        premium=bool(customer and customer.is_premium),
        dedicated_engineer=customer.dedicated_engineer if customer and customer.is_premium else None,
        opened_at=opened_at or timezone.now(),
        access_salt=secrets.token_hex(16),
    )
    ticket.access_token_hash = Ticket.hash_access_token(ticket.access_token())
    if len(ticket.description) > MAX_BODY:
        raise ValidationError({"description": f"The description is too long (at most {MAX_BODY} characters)."})
    ticket.full_clean(exclude=["access_salt", "access_token_hash", "status"])
    _set_deadlines(ticket)
    with transaction.atomic():
        _save(ticket, acting_user, f"ticket opened via {ticket.get_channel_display()}")
        _audit(ticket, "created", acting_user, channel=ticket.channel, severity=ticket.severity, premium=ticket.premium)
        notes.notify_requester("support.ticket_received", ticket, acting_user=acting_user)
        notes.notify_new_ticket(ticket, acting_user=acting_user)
    return ticket


def ticket_resend_links(*, email: str, acting_user=None) -> int:
    """The requester lost their link: mail the links of their tickets that are not closed to the
    address on the tickets (never to anyone else). Returns how many tickets were listed."""
    email = (email or "").strip()
    tickets = list(
        Ticket.objects.filter(requester_email__iexact=email)
        .exclude(status=TicketStatus.CLOSED)
        .order_by("-opened_at")[:20]
    )
    if not tickets:
        return 0
    with transaction.atomic():
        notify(
            event="support.access_links",
            recipients=[tickets[0].requester_email],
            context={"tickets": [(t, notes.requester_link(t)) for t in tickets],
                     "requester_name": tickets[0].requester_name},
            acting_user=acting_user,
        )
        audit_log(event_type="support.ticket_links_resent", action="resend_links",
                  acting_user=acting_user if not _is_system(acting_user) else None,
                  details={"tickets": [t.pk for t in tickets]})
    return len(tickets)


# --- conversation ---------------------------------------------------------------------------

def ticket_requester_reply(*, ticket: Ticket, body: str, acting_user=None) -> TicketMessage:
    """A message from the requester (through their private link): lands on the ticket, restarts a
    paused or resolved ticket, and tells the assignee (or the tier's queue)."""
    body = _clean_body(body)
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.status == TicketStatus.CLOSED:
            raise ValidationError("This ticket is closed. Please open a new ticket from the support portal.")
        now = timezone.now()
        reopened = ticket.status in (TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED)
        if reopened:
            ticket.resume()
            ticket.resolved_at = None
            _restart_clock(ticket, now)
        ticket.last_requester_activity_at = now
        _save(ticket, acting_user, "requester replied" + (" (clock resumed)" if reopened else ""))
        message = _message(ticket, MessageKind.REQUESTER, body, author_name=ticket.requester_name)
        notes.notify_handlers("support.requester_replied", ticket, acting_user=acting_user, message=message)
    return message


def ticket_reply(
    *, ticket: Ticket, body: str, acting_user, internal: bool = False, wait_on_customer: bool = False
) -> TicketMessage:
    """A staff reply (emailed to the requester; starts the response clock's answer) or an
    internal note. `wait_on_customer` also pauses the resolution clock."""
    body = _clean_body(body)
    if internal and wait_on_customer:
        raise ValidationError("An internal note cannot ask the customer for anything; send a reply instead.")
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="reply")
        _require_perm(acting_user, "support.reply_ticket", action="reply")
        _require_open(ticket, action="reply")
        now = timezone.now()
        kind = MessageKind.INTERNAL_NOTE if internal else MessageKind.STAFF_REPLY
        message = _message(ticket, kind, body, author=resolve_actor(acting_user))
        reason = "internal note" if internal else "replied to the requester"
        if not internal:
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                _record_late_breach(ticket, SlaClock.RESPONSE, now)
            every = ticket_deadlines(severity=ticket.severity, detected_at=ticket.opened_at)["update_every"]
            ticket.next_update_due = now + every if every else None
        if wait_on_customer:
            _to_waiting(ticket, now)
            reason += "; waiting on customer"
        _save(ticket, acting_user, reason)
        if not internal:
            notes.notify_requester("support.staff_replied", ticket, acting_user=acting_user, message=message)
    return message


def _to_waiting(ticket, now):
    if ticket.status == TicketStatus.NEW:
        ticket.start()
    if ticket.status not in (TicketStatus.TRIAGED, TicketStatus.IN_PROGRESS):
        raise ValidationError(f"Cannot wait on the customer while the ticket is {ticket.get_status_display().lower()}.")
    ticket.wait_on_customer()
    _stop_clock(ticket, now)


# --- lifecycle ------------------------------------------------------------------------------

def ticket_triage(*, ticket: Ticket, acting_user, severity: str | None = None) -> Ticket:
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="triage")
        ticket.triage()
        reason = "triaged"
        if severity and severity != ticket.severity:
            reason += _change_severity(ticket, severity, acting_user)
        _save(ticket, acting_user, reason)
        _audit(ticket, "triaged", acting_user, severity=ticket.severity)
    return ticket


def _change_severity(ticket, severity, acting_user) -> str:
    if severity not in Severity.values:
        raise ValidationError({"severity": f"Unknown severity '{severity}'."})
    old = ticket.severity
    ticket.severity = severity
    _set_deadlines(ticket)
    _message(ticket, MessageKind.SYSTEM, f"Severity changed from {old} to {severity}; SLA clocks recomputed "
             "from when the ticket was opened.", author=acting_user)
    return f"; severity {old} → {severity}"


def ticket_set_severity(*, ticket: Ticket, severity: str, acting_user) -> Ticket:
    """Reclassify; the clocks are recomputed from when the ticket was opened (paused time kept)."""
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="change the severity")
        _require_open(ticket, action="change the severity")
        if severity == ticket.severity:
            return ticket
        reason = _change_severity(ticket, severity, acting_user).lstrip("; ")
        _save(ticket, acting_user, reason)
        _audit(ticket, "severity_changed", acting_user, severity=severity)
    return ticket


def ticket_start(*, ticket: Ticket, acting_user) -> Ticket:
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="start work")
        ticket.start()
        if ticket.assignee_id is None and not _is_system(acting_user):
            ticket.assignee = acting_user
        _save(ticket, acting_user, "work started")
    return ticket


def ticket_wait_on_customer(*, ticket: Ticket, acting_user, message: str) -> Ticket:
    """Ask the requester for something: the reply is emailed and the resolution clock pauses."""
    ticket_reply(ticket=ticket, body=message, acting_user=acting_user, wait_on_customer=True)
    return Ticket.objects.get(pk=ticket.pk)


def ticket_resume(*, ticket: Ticket, acting_user) -> Ticket:
    """Back to in progress from waiting (clock resumes) or from resolved (reopen)."""
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="resume")
        ticket.resume()
        ticket.resolved_at = None
        _restart_clock(ticket, timezone.now())
        _save(ticket, acting_user, "resumed; resolution clock running")
        _message(ticket, MessageKind.SYSTEM, "Work resumed; the resolution clock is running again.", author=acting_user)
    return ticket


def ticket_resolve(
    *, ticket: Ticket, acting_user, resolution: str = "", article: KnowledgeArticle | None = None
) -> Ticket:
    """Resolve with a written resolution and/or a known-issue article; the requester is told."""
    resolution = (resolution or "").strip()
    if article is not None:
        if article.kind != ArticleKind.KNOWN_ISSUE:
            raise ValidationError({"article": f"'{article.title}' is a {article.get_kind_display().lower()}, "
                                              "not a known-issue article."})
        if not article.is_published:
            raise ValidationError({"article": f"'{article.title}' is not published."})
    elif not resolution:
        raise ValidationError({"resolution": "Say how the ticket was resolved, or pick a known-issue article."})
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="resolve")
        ticket.resolve()
        now = timezone.now()
        ticket.resolution = resolution or (article.summary or article.title)
        ticket.knowledge_article = article
        ticket.resolved_at = now
        if ticket.paused_at is None:
            _record_late_breach(ticket, SlaClock.RESOLUTION, now)
        _stop_clock(ticket, now)
        _save(ticket, acting_user, "resolved" + (f" with known issue '{article.slug}'" if article else ""))
        _message(ticket, MessageKind.SYSTEM, f"Resolved: {ticket.resolution}", author=acting_user)
        _audit(ticket, "resolved", acting_user, article=article.slug if article else None)
        notes.notify_requester("support.ticket_resolved", ticket, acting_user=acting_user, article=article)
    return ticket


def ticket_close(*, ticket: Ticket, acting_user) -> Ticket:
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="close")
        ticket.close()
        ticket.closed_at = timezone.now()
        _save(ticket, acting_user, "closed")
        _audit(ticket, "closed", acting_user)
    return ticket


def ticket_transition(*, ticket: Ticket, transition: str, acting_user, **kwargs) -> Ticket:
    """One entry point for the admin's lifecycle buttons (each maps to its service)."""
    actions = {
        "triage": ticket_triage,
        "start": ticket_start,
        "wait_on_customer": ticket_wait_on_customer,
        "resume": ticket_resume,
        "resolve": ticket_resolve,
        "close": ticket_close,
    }
    if transition not in actions:
        raise ValidationError(f"Unknown ticket transition '{transition}'.")
    return actions[transition](ticket=ticket, acting_user=acting_user, **kwargs)


# --- tiers and people -----------------------------------------------------------------------
