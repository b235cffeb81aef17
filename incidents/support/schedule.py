"""Periodic tasks of the support app (discovered by marketplace_ops/celery.py)."""

from datetime import timedelta

BEAT_SCHEDULE = {
    "support-ticket-sla-sweep": {
        "task": "incidents.support.tasks.sweep_ticket_sla",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
}
