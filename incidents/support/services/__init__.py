"""Every write to tickets and their clocks. Keyword-only arguments, an explicit `acting_user`
(None only for the system or an anonymous portal requester), atomic, row-locked, audited;
notifications are outbox rows written in the same transaction."""

from incidents.support.services.common import (  # noqa: F401
    MAX_BODY,
    MIN_ESCALATION_REASON,
    SUPPORT_ROLES,
    SWEEP_LIMIT,
    user_support_tier,
)
from incidents.support.services.routing import (  # noqa: F401
    ticket_assign,
    ticket_escalate,
    ticket_join_incident,
    ticket_open_incident,
)
from incidents.support.services.sweep import (  # noqa: F401
    ticket_sla_sweep,
)
from incidents.support.services.tickets import (  # noqa: F401
    customer_for_email,
    ticket_close,
    ticket_create,
    ticket_reply,
    ticket_requester_reply,
    ticket_resend_links,
    ticket_resolve,
    ticket_resume,
    ticket_set_severity,
    ticket_start,
    ticket_transition,
    ticket_triage,
    ticket_wait_on_customer,
)
