"""Periodic tasks of the kernel. Every entry expires, so a backlog never piles up."""

from datetime import timedelta

BEAT_SCHEDULE = {
    "notifications-sweep-pending": {
        "task": "marketplace_ops.tasks.sweep_pending_notifications",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "audit-verify-chain": {
        "task": "marketplace_ops.tasks.verify_audit_chain",
        "schedule": timedelta(hours=6),
        "options": {"expires": 3600},
    },
}
