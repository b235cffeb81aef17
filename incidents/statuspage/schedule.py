"""Periodic status-page tasks (every entry expires, so a backlog never piles up)."""

from datetime import timedelta

BEAT_SCHEDULE = {
    "statuspage-announce-public-events": {
        "task": "incidents.statuspage.tasks.announce_public_events",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
}
