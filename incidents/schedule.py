"""Periodic incident tasks (every entry expires, so a backlog never piles up)."""

from datetime import timedelta

BEAT_SCHEDULE = {
    "incidents-escalation-sweep": {
        "task": "incidents.tasks.escalation_sweep",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "incidents-action-item-reminders": {
        "task": "incidents.tasks.remind_overdue_action_items",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
}
