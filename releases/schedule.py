BEAT_SCHEDULE = {
    "releases-send-due-announcements": {
        "task": "releases.tasks.send_due_announcements",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
