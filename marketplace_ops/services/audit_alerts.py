"""Scheduled verification of the audit chain: a broken chain is itself audited and reported."""

from django.db import transaction

from marketplace_ops.choices import AuditOutcome, Role
from marketplace_ops.services.audit import audit_log, verify_chain
from marketplace_ops.services.notifications import notify
from marketplace_ops.services.roles import role_members


def audit_chain_check() -> str:
    checked, problem = verify_chain()
    if problem is None:
        return f"ok: {checked} events"
    with transaction.atomic():
        audit_log(
            event_type="audit.chain_broken",
            action="verify",
            outcome=AuditOutcome.FAILURE,
            details={"problem": str(problem), "checked": checked},
        )
        notify(
            event="marketplace_ops.audit_chain_broken",
            recipients=list(role_members(Role.AUDITOR)) + list(role_members(Role.SECURITY)),
            context={"problem": str(problem), "checked": checked},
        )
    return f"broken: {problem}"
