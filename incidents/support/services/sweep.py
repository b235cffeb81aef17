"""The SLA sweep for tickets: breaches, update reminders, auto-close."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from incidents.support import notifications as notes
from incidents.support.choices import (
    CLOCK_RUNNING_STATUSES,
    OPEN_STATUSES,
    MessageKind,
    SlaClock,
    TicketStatus,
)
from incidents.support.models import Ticket
from incidents.support.services.common import (
    SWEEP_LIMIT,
    _audit,
    _message,
    _save,
)


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
