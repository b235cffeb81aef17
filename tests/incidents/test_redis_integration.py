"""A real worker on a real Redis (db 2 in CI): the webhook answers 202 and the worker opens the incident."""

import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client

from incidents.models import AlertDelivery, Incident
from marketplace_ops.celery import app
from marketplace_ops.models import Component
from tests.incidents.alert_payloads import payload

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker():
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = settings.REDIS_URL
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    for key, value in saved.items():
        app.conf[key] = value
    app._pool = None
    app.amqp._producer_pool = None


def test_webhook_delivery_is_processed_by_a_real_worker(real_broker, api_token):
    Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})
    token = api_token("alerts:write")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        response = Client().post("/api/v1/alerts/alertmanager/", data=json.dumps(payload()),
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 202
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not AlertDelivery.objects.filter(processed_at__isnull=False).exists():
            time.sleep(0.2)
    assert AlertDelivery.objects.get().processed_at is not None
    assert Incident.objects.get().alerts.count() == 1
