"""A real worker against a real Redis: notifications created while Redis is down are delivered
exactly once after it comes back and the sweep runs."""

import shutil
import socket
import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from marketplace_ops.celery import app
from marketplace_ops.choices import NotificationStatus
from marketplace_ops.models import Notification
from marketplace_ops.services.notifications import notify, sweep_pending

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_on_free_port():
    """Point Celery at a port where nothing listens yet; yields (url, start_redis)."""
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_connection_retry", "broker_connection_max_retries")}
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.conf.broker_connection_max_retries = 1
    app._pool = None
    app.amqp._producer_pool = None
    processes = []

    def start_redis():
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    yield url, start_redis
    for proc in processes:
        proc.terminate()
        proc.wait(timeout=10)
    for key, value in saved.items():
        app.conf[key] = value
    app._pool = None
    app.amqp._producer_pool = None


def test_notifications_created_while_redis_is_down_are_delivered_once_by_a_real_worker(broker_on_free_port):
    _, start_redis = broker_on_free_port
    with transaction.atomic():
        notify(event="marketplace_ops.test_email", recipients=[f"user{i}@example.com" for i in range(100)], context={})
    # The on-commit enqueue failed: every row committed and waits for the sweep.
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 100
    assert mail.outbox == []

    start_redis()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        assert sweep_pending() == 100
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Notification.objects.filter(status=NotificationStatus.SENT).count() < 100:
            time.sleep(0.2)
        assert sweep_pending() == 0
        time.sleep(1)  # give a duplicate, if any, the chance to arrive

    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 100
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == 100 and len(set(recipients)) == 100
