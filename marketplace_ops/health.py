"""/healthz: database, cache and broker, each answered or named as failing."""

import os
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}".strip()[:300]
    return None


def check_cache() -> str | None:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"[:300]
    return None if value == "ok" else "cache did not return the value it was given"


def check_broker() -> str | None:
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        for path in settings.CELERY_BROKER_DIRS:
            if not os.access(path, os.W_OK):
                return f"broker folder {path} is not writable"
        return None
    from marketplace_ops.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"[:300]
    return None


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def run_checks() -> dict[str, str | None]:
    return {name: check() for name, check in CHECKS.items()}


@never_cache
def healthz(request):
    results = run_checks()
    failing = [name for name, error in results.items() if error]
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: ({"ok": True} if not error else {"ok": False, "error": error}) for name, error in results.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
