"""The Celery app. The beat schedule is data in code: each local app may have a
`schedule.py` with BEAT_SCHEDULE (discovered, so the kernel names no domain)."""

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace_ops.settings")

app = Celery("marketplace_ops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def discover_beat_schedule(app_labels) -> dict:
    schedule = {}
    for label in app_labels:
        try:
            module = importlib.import_module(f"{label}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.schedule":
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


def _configure_beat():
    from django.conf import settings

    for path in getattr(settings, "CELERY_BROKER_DIRS", []):
        path.mkdir(parents=True, exist_ok=True)
    app.conf.beat_schedule = discover_beat_schedule(settings.LOCAL_APPS)


_configure_beat()
