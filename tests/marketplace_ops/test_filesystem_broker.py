"""The embedded default end to end: a real Celery worker on kombu's filesystem transport
delivers an outbox email enqueued on commit (what `make run` does without Redis)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from marketplace_ops.celery import app
from marketplace_ops.choices import NotificationStatus
from marketplace_ops.models import Notification
from marketplace_ops.services.notifications import notify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filesystem_broker(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")}
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield folders
    for key, value in saved.items():
        app.conf[key] = value
    app._pool = None
    app.amqp._producer_pool = None


def test_worker_on_the_filesystem_broker_delivers_the_outbox(filesystem_broker):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        with transaction.atomic():
            row = notify(event="marketplace_ops.test_email", recipients=["ops@example.com"], context={})[0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row.refresh_from_db()
            if row.status == NotificationStatus.SENT:
                break
            time.sleep(0.2)
    assert row.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [["ops@example.com"]]
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 1
