"""Shared checks and helpers of the support services (tiers, locks, clocks, audit)."""

from django.core.exceptions import PermissionDenied, ValidationError

from incidents.support.choices import (
    TIER_ORDER,
    TIER_ROLE,
    MessageKind,
    TicketStatus,
    Tier,
)
from incidents.support.models import Ticket, TicketMessage
from incidents.support.sla import paused_duration, ticket_deadlines
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

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
