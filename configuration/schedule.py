from datetime import timedelta

BEAT_SCHEDULE = {
    "configuration-sweep-webhooks": {
        "task": "configuration.tasks.sweep_webhook_deliveries",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
}
