"""Thin Celery tasks: each enters the system actor and calls one service."""

from celery import shared_task

from marketplace_ops.actors import acting_as, system_user


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_due_announcements(self):
    from releases.services import send_due_announcements as sweep

    with acting_as(system_user(), reason="maintenance announcement due", via="celery"):
        return sweep(acting_user=system_user())
