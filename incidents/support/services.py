"""Every write to tickets and their clocks. Keyword-only arguments, an explicit `acting_user`
(None only for the system or an anonymous portal requester), atomic, row-locked, audited;
notifications are outbox rows written in the same transaction."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from incidents.support import notifications as notes
from incidents.support.choices import (
    CLOCK_RUNNING_STATUSES,
    OPEN_STATUSES,
    TIER_ORDER,
    TIER_ROLE,
    ArticleKind,
    Channel,
    MessageKind,
    Severity,
    SlaClock,
    TicketStatus,
    Tier,
)
from incidents.support.models import Customer, KnowledgeArticle, Ticket, TicketEscalation, TicketMessage
from incidents.support.sla import paused_duration, ticket_deadlines
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from marketplace_ops.services.notifications import notify

MAX_BODY = 20000
MIN_ESCALATION_REASON = 10
SWEEP_LIMIT = 500
SUPPORT_ROLES = tuple(TIER_ROLE.values())


# --- checks ---------------------------------------------------------------------------------

def _is_system(user) -> bool:
    return user is None or not getattr(user, "is_authenticated", False) or user.get_username() == "system"


def user_support_tier(user) -> int:
    """The highest support tier the user works (0: none). Superusers count as L3."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    if user.is_superuser:
        return TIER_ORDER[Tier.L3]
    names = set(user.groups.filter(name__in=SUPPORT_ROLES).values_list("name", flat=True))
    return max((TIER_ORDER[tier] for tier, role in TIER_ROLE.items() if role in names), default=0)


def _require_tier(acting_user, ticket, *, action: str):
    """Support staff act on tickets at their tier or below; the system actor may do anything."""
    if _is_system(acting_user):
        return
    if user_support_tier(acting_user) < TIER_ORDER[ticket.tier]:
        raise PermissionDenied(
            f"Cannot {action}: {ticket.reference} is in the {ticket.get_tier_display()} queue and you are not "
            f"in the {TIER_ROLE[ticket.tier]} group (or a higher tier)."
        )


def _require_perm(acting_user, perm: str, *, action: str):
    if _is_system(acting_user) or acting_user.has_perm(perm):
        return
    raise PermissionDenied(f"Cannot {action}: you lack the permission {perm}.")


def _clean_body(body, *, field="body", what="message") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: f"Write a {what}."})
    if len(body) > MAX_BODY:
        raise ValidationError({field: f"The {what} is too long ({len(body)} characters, at most {MAX_BODY})."})
    return body


def _lock(ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assignee", "dedicated_engineer")
        .get(pk=ticket.pk)
    )


def _require_open(ticket, *, action: str):
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(f"Cannot {action}: {ticket.reference} is closed.")


def _message(ticket, kind, body, *, author=None, author_name=""):
    return TicketMessage.objects.create(
        ticket=ticket,
        kind=kind,
        author=author if not _is_system(author) else None,
        author_name=author_name or (author.get_full_name() or author.get_username() if not _is_system(author) else "System"),
        body=body,
    )


def _save(ticket, acting_user, reason):
    save_with_history(ticket, acting_user=acting_user, reason=reason)


def _audit(ticket, action, acting_user, **details):
    audit_log(
        event_type=f"support.ticket_{action}",
        action=action,
        acting_user=acting_user if not _is_system(acting_user) else None,
        resource=ticket,
        details=details,
    )


# --- clocks ---------------------------------------------------------------------------------

def _set_deadlines(ticket):
    deadlines = ticket_deadlines(severity=ticket.severity, detected_at=ticket.opened_at, paused=ticket.paused_total)
    ticket.response_due = deadlines["response_due"]
    ticket.resolution_due = deadlines["resolution_due"]
    return deadlines


def _record_late_breach(ticket, clock, now):
    """A clock that ran out before the sweep saw it (answered or resolved late) is still a breach."""
    due_field, breached_field = f"{clock}_due", f"{clock}_breached_at"
    due = getattr(ticket, due_field)
    if due is None or due >= now or getattr(ticket, breached_field) is not None:
        return
    setattr(ticket, breached_field, now)
    _message(ticket, MessageKind.SYSTEM, f"SLA breached: the {clock} clock ran out at {due:%Y-%m-%d %H:%M %Z}.")
    _audit(ticket, "sla_breached", None, clock=clock, due=due)


def _stop_clock(ticket, now):
    if ticket.paused_at is None:
        ticket.paused_at = now


def _restart_clock(ticket, now):
    """Add the time since the pause to the paused total and move the resolution due time on."""
    if ticket.paused_at is not None:
        ticket.paused_total += paused_duration(severity=ticket.severity, start=ticket.paused_at, end=now)
        ticket.paused_at = None
    deadlines = _set_deadlines(ticket)
    if ticket.next_update_due is not None and deadlines["update_every"]:
        ticket.next_update_due = now + deadlines["update_every"]  # no update was owed while paused


# --- creation -------------------------------------------------------------------------------

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

def ticket_escalate(*, ticket: Ticket, to_tier: str, reason: str, acting_user) -> TicketEscalation:
    """Move the ticket up to L2 or L3 with a reason; that tier's group is notified and the ticket
    waits in its queue (the assignee stays only if they work that tier)."""
    reason = (reason or "").strip()
    if len(reason) < MIN_ESCALATION_REASON:
        raise ValidationError({"reason": "Give a reason for the escalation (what was tried, why the next tier "
                                         f"is needed; at least {MIN_ESCALATION_REASON} characters)."})
    if to_tier not in TIER_ORDER:
        raise ValidationError({"to_tier": f"Unknown tier '{to_tier}'; choose L2 or L3."})
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="escalate")
        _require_perm(acting_user, "support.escalate_ticket", action="escalate")
        if not ticket.is_open:
            raise ValidationError(f"Cannot escalate: {ticket.reference} is {ticket.get_status_display().lower()}.")
        if TIER_ORDER[to_tier] <= TIER_ORDER[ticket.tier]:
            raise ValidationError({"to_tier": f"{ticket.reference} is already at {ticket.get_tier_display()}; "
                                              "escalation goes to a higher tier."})
        from_tier = ticket.tier
        ticket.tier = to_tier
        ticket.escalated_at = timezone.now()
        if ticket.assignee_id and user_support_tier(ticket.assignee) < TIER_ORDER[to_tier]:
            ticket.assignee = None
        _save(ticket, acting_user, f"escalated {from_tier} → {to_tier}: {reason}")
        escalation = TicketEscalation.objects.create(
            ticket=ticket, from_tier=from_tier, to_tier=to_tier, reason=reason,
            escalated_by=resolve_actor(acting_user),
        )
        _message(ticket, MessageKind.SYSTEM, f"Escalated from {from_tier.upper()} to {to_tier.upper()}: {reason}",
                 author=acting_user)
        _audit(ticket, "escalated", acting_user, from_tier=from_tier, to_tier=to_tier, reason=reason)
        notes.notify_escalated(ticket, escalation, acting_user=acting_user)
    return escalation


def ticket_assign(*, ticket: Ticket, assignee, acting_user) -> Ticket:
    """Give the ticket to someone who works its tier (or a higher one); None returns it to the queue."""
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="assign")
        _require_open(ticket, action="assign")
        if assignee is not None and user_support_tier(assignee) < TIER_ORDER[ticket.tier]:
            raise ValidationError({"assignee": f"{assignee.get_username()} does not work the "
                                               f"{ticket.get_tier_display()} queue ({TIER_ROLE[ticket.tier]})."})
        if (assignee and assignee.pk) == ticket.assignee_id:
            return ticket
        ticket.assignee = assignee
        _save(ticket, acting_user, f"assigned to {assignee.get_username()}" if assignee else "returned to the queue")
        if assignee is not None and assignee != acting_user:
            notes.notify_assigned(ticket, acting_user=acting_user)
    return ticket


# --- incidents ------------------------------------------------------------------------------

def ticket_open_incident(
    *, ticket: Ticket, acting_user, title: str = "", severity: str | None = None, component_ids=(),
    affected_users: str = "some",
):
    """Open an incident from the ticket (source "ticket") and link it. Returns the incident."""
    from incidents.services import incident_open

    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="open an incident")
        _require_perm(acting_user, "support.link_incident_ticket", action="open an incident")
        _require_open(ticket, action="open an incident")
        if ticket.incident_id:
            raise ValidationError(f"{ticket.reference} is already linked to incident #{ticket.incident_id}.")
        incident = incident_open(
            title=(title or ticket.subject).strip(),
            description=f"Opened from support ticket {ticket.reference} ({ticket.requester_organisation or ticket.requester_email}).\n\n{ticket.description}",
            severity=severity or ticket.severity,
            component_ids=tuple(component_ids),
            source="ticket",
            acting_user=acting_user,
            external_key=f"support-ticket:{ticket.pk}",
            affected_users=affected_users,
        )
        ticket.incident_id = incident.pk
        _save(ticket, acting_user, f"opened incident #{incident.pk}")
        _message(ticket, MessageKind.SYSTEM, f"Opened incident #{incident.pk}.", author=acting_user)
        _audit(ticket, "incident_opened", acting_user, incident_id=incident.pk)
    return incident


def ticket_join_incident(*, ticket: Ticket, incident_id: int, acting_user) -> Ticket:
    """Link the ticket to an existing open incident; the incident's timeline notes it."""
    from incidents.models import Incident
    from incidents.services import incident_add_note, incident_reference

    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        raise ValidationError({"incident_id": "Give the incident's number."})
    reference = incident_reference(incident_id)
    if reference is None:
        raise ValidationError({"incident_id": f"There is no incident #{incident_id}."})
    if reference.get("status") == "closed":
        raise ValidationError({"incident_id": f"Incident #{incident_id} is closed; open a new one instead."})
    with transaction.atomic():
        ticket = _lock(ticket)
        _require_tier(acting_user, ticket, action="join an incident")
        _require_perm(acting_user, "support.link_incident_ticket", action="join an incident")
        _require_open(ticket, action="join an incident")
        if ticket.incident_id == incident_id:
            return ticket
        ticket.incident_id = incident_id
        _save(ticket, acting_user, f"joined incident #{incident_id}")
        _message(ticket, MessageKind.SYSTEM, f"Linked to incident #{incident_id}: {reference.get('title', '')}",
                 author=acting_user)
        incident_add_note(
            incident=Incident.objects.get(pk=incident_id),
            message=f"Support ticket {ticket.reference} ({ticket.subject}) is affected by this incident.",
            acting_user=acting_user,
        )
        _audit(ticket, "incident_joined", acting_user, incident_id=incident_id)
    return ticket


# --- the SLA sweep --------------------------------------------------------------------------

def ticket_sla_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Record breaches of due clocks once each (locked rows are skipped: another worker has
    them) and notify the assignee or queue, and a premium ticket's dedicated engineer."""
    now = now or timezone.now()
    handled = 0
    plans = (
        (SlaClock.RESPONSE, "response_breached_at",
         {"status__in": OPEN_STATUSES, "first_response_at__isnull": True, "response_breached_at__isnull": True,
          "response_due__lte": now}, "response_due"),
        (SlaClock.RESOLUTION, "resolution_breached_at",
         {"status__in": CLOCK_RUNNING_STATUSES, "resolution_breached_at__isnull": True,
          "resolution_due__lte": now}, "resolution_due"),
    )
    for clock, field, filters, order in plans:
        with transaction.atomic():
            due = list(
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("assignee", "dedicated_engineer")
                .filter(**filters)
                .order_by(order, "id")[:limit]
            )
            for ticket in due:
                setattr(ticket, field, now)
                _save(ticket, None, f"SLA {clock} clock breached")
                _message(ticket, MessageKind.SYSTEM, f"SLA breached: the {clock} clock ran out at "
                         f"{getattr(ticket, order):%Y-%m-%d %H:%M %Z}.")
                _audit(ticket, "sla_breached", None, clock=clock, due=getattr(ticket, order))
                notes.notify_breach(ticket, clock=clock)
            handled += len(due)
    handled += _remind_updates(now=now, limit=limit)
    handled += _auto_close(now=now, limit=limit)
    return handled


def _auto_close(*, now, limit) -> int:
    """Resolved tickets the requester did not reopen within SUPPORT_AUTO_CLOSE_DAYS are closed."""
    days = settings.SUPPORT_AUTO_CLOSE_DAYS
    if not days:
        return 0
    with transaction.atomic():
        due = list(
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(status=TicketStatus.RESOLVED, resolved_at__lte=now - timedelta(days=days))
            .order_by("resolved_at", "id")[:limit]
        )
        for ticket in due:
            ticket.close()
            ticket.closed_at = now
            _save(ticket, None, f"closed automatically {days} days after resolution")
            _message(ticket, MessageKind.SYSTEM, f"Closed automatically {days} days after it was resolved.")
    return len(due)


def _remind_updates(*, now, limit) -> int:
    """An update to the requester is due (hourly for critical, every 4 h for high, daily for
    medium): remind the assignee (or the queue) once per due time."""
    with transaction.atomic():
        due = list(
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "dedicated_engineer")
            .filter(status__in=CLOCK_RUNNING_STATUSES, next_update_due__lte=now)
            .filter(Q(update_reminded_at__isnull=True) | Q(update_reminded_at__lt=F("next_update_due")))
            .order_by("next_update_due", "id")[:limit]
        )
        for ticket in due:
            ticket.update_reminded_at = now
            _save(ticket, None, "update to the requester overdue; assignee reminded")
            notes.notify_handlers("support.update_due", ticket)
    return len(due)
