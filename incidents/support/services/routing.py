"""Who works a ticket: tier escalation, assignment, links to incidents."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.support import notifications as notes
from incidents.support.choices import (
    TIER_ORDER,
    TIER_ROLE,
    MessageKind,
)
from incidents.support.models import Ticket, TicketEscalation
from incidents.support.services.common import (
    MIN_ESCALATION_REASON,
    _audit,
    _lock,
    _message,
    _require_open,
    _require_perm,
    _require_tier,
    _save,
    user_support_tier,
)
from marketplace_ops.actors import resolve_actor


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
