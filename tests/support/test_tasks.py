"""The SLA sweep task: safe on two workers at once (PostgreSQL), and the beat entry expires."""

import secrets
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from incidents.support.models import Ticket
from incidents.support.schedule import BEAT_SCHEDULE
from marketplace_ops.models import Notification


def test_beat_entry_runs_the_task_every_minute_and_expires():
    entry = BEAT_SCHEDULE["support-ticket-sla-sweep"]
    assert entry["task"] == "incidents.support.tasks.sweep_ticket_sla"
    assert entry["schedule"] == timedelta(minutes=1) and 0 < entry["options"]["expires"] <= 60


@pytest.mark.django_db
def test_task_records_due_breaches_as_the_system_actor(staff, time_machine):
    from incidents.support.tasks import sweep_ticket_sla
    from tests.support.factories import make_ticket

    time_machine.move_to(timezone.now(), tick=False)
    ticket = make_ticket(severity="critical")
    time_machine.shift(timedelta(minutes=31))
    assert sweep_ticket_sla.delay().get() == 1
    ticket.refresh_from_db()
    assert ticket.response_breached_at is not None
    assert ticket.history.first().history_user.username == "system"


def _due_tickets(count):
    past = timezone.now() - timedelta(hours=1)
    rows = []
    for i in range(count):
        salt = secrets.token_hex(16)
        rows.append(Ticket(
            requester_name="R", requester_email=f"r{i}@x.example", subject=f"T{i}", description="d",
            severity="critical", opened_at=past - timedelta(hours=4), response_due=past, resolution_due=past,
            access_salt=salt, access_token_hash=secrets.token_hex(32),
        ))
    Ticket.objects.bulk_create(rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_each_breach_exactly_once(staff):
    _due_tickets(100)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        from incidents.support.services import ticket_sla_sweep

        try:
            barrier.wait()
            total = 0
            while True:
                handled = ticket_sla_sweep(limit=50)
                total += handled
                if not handled:
                    break
            results.append(total)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(results) == 200  # 100 response + 100 resolution breaches, once each
    assert Notification.objects.filter(event="support.sla_breached").count() == 200
    assert not Ticket.objects.filter(response_breached_at__isnull=True).exists()
