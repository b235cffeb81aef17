"""Benchmarks: each prints its figure, a baseline measured in the same run, and their ratio.

Runs on a scratch database (var/bench.sqlite3, or DATABASE_URL if set — use a throwaway one).
Usage: make bench   (or .venv/bin/python bench/run.py [name ...])
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace_ops.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

BENCHES = {}


def bench(func):
    BENCHES[func.__name__] = func
    return func


def timed(func):
    tracemalloc.start()
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


def report(name, figure, baseline, what):
    (t, mem), (bt, bmem) = figure, baseline
    print(f"{name}: {what}")
    print(f"  measured  {t * 1000:9.1f} ms  peak {mem / 1e6:7.1f} MB")
    print(f"  baseline  {bt * 1000:9.1f} ms  peak {bmem / 1e6:7.1f} MB")
    print(f"  ratio     {bt / t:9.2f}  (baseline time / measured time; memory {mem / max(bmem, 1):.2f} of baseline)")


class Rollback(Exception):
    pass


def in_rollback(func):
    def run():
        try:
            with transaction.atomic():
                func()
                raise Rollback
        except Rollback:
            pass

    return run


@bench
def outbox_fanout():
    """notify() to a 10,000-member stakeholder list vs one create() per recipient."""
    from marketplace_ops.models import DistributionList, DistributionListMember, Notification
    from marketplace_ops.services.notifications import notify, render

    dlist, _ = DistributionList.objects.get_or_create(slug="bench-10k", defaults={"name": "bench 10k"})
    if dlist.members.count() < 10_000:
        dlist.members.all().delete()
        DistributionListMember.objects.bulk_create(
            [DistributionListMember(distribution_list=dlist, email=f"s{i}@bench.example") for i in range(10_000)],
            batch_size=2000,
        )
    event = "marketplace_ops.test_email"

    def measured():
        notify(event=event, recipients=[dlist], context={})

    def baseline():
        for member in dlist.members.all():
            subject, text, html = render(event, {})
            Notification.objects.create(event=event, recipient_address=member.email, subject=subject, body_text=text, body_html=html)

    report("outbox_fanout", timed(in_rollback(measured)), timed(in_rollback(baseline)), "10,000 recipients written to the outbox")


@bench
def audit_verify():
    """Verifying 20,000 chained audit events vs only reading them."""
    from marketplace_ops.models import AuditEvent
    from marketplace_ops.services.audit import audit_log, verify_chain

    missing = 20_000 - AuditEvent.objects.count()
    if missing > 0:
        with transaction.atomic():
            for i in range(missing):
                audit_log(event_type="bench.event", action="create", details={"i": i, "note": "x" * 40})

    def measured():
        checked, problem = verify_chain()
        assert problem is None and checked >= 20_000

    def baseline():
        last = 0
        while True:
            batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:2000])
            if not batch:
                break
            last = batch[-1].sequence

    report("audit_verify", timed(measured), timed(baseline), "hash-chain check of 20,000 events (baseline: read only)")


@bench
def window_lookup():
    """next_window() over a year of starts vs scanning minute by minute with window_containing()."""
    from datetime import UTC, datetime, timedelta

    from marketplace_ops.services.calendar import next_window, window_containing

    start = datetime(2026, 1, 1, tzinfo=UTC)

    def measured():
        moment = start
        for _ in range(52):
            occurrence = next_window(moment, kind="primary")
            moment = occurrence.end

    def baseline():
        moment, found = start, 0
        while found < 2:
            if window_containing(moment, kind="primary"):
                found += 1
                moment += timedelta(hours=5)
            moment += timedelta(minutes=15)

    report("window_lookup", timed(measured), timed(baseline), "52 consecutive primary windows (baseline: 15-min scan for 2)")


def main(names):
    call_command("migrate", verbosity=0)
    for name in names or BENCHES:
        BENCHES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
