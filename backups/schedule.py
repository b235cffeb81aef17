"""Periodic tasks of the backups app; every entry expires so a backlog never piles up."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "backups-run-due-policies": {
        "task": "backups.tasks.run_due_policies",
        "schedule": crontab(),  # every minute; the policies' own cron decides what runs
        "options": {"expires": 55},
    },
    "backups-watch-objectives": {
        "task": "backups.tasks.watch_objectives",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    "backups-restore-drill": {
        "task": "backups.tasks.restore_drill",
        "schedule": crontab(minute=30, hour=4),
        "options": {"expires": 3600},
    },
    "backups-prune": {
        "task": "backups.tasks.prune",
        "schedule": crontab(minute=15, hour=5),
        "options": {"expires": 3600},
    },
}
