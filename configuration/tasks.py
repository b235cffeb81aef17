"""Celery tasks: ids in, one service call, retries with backoff."""

from celery import shared_task

from configuration.services.publish import webhook_attempt, webhook_due_ids
from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.services.notifications import backoff


@shared_task(bind=True, acks_late=True, max_retries=8)
def deliver_webhook(self, delivery_id: int):
    with acting_as(system_user(), reason="configuration webhook delivery", via="celery"):
        ok = webhook_attempt(delivery_id=delivery_id)
    if ok is False:
        raise self.retry(countdown=backoff(self.request.retries + 1).total_seconds())
    return ok


@shared_task(acks_late=True)
def sweep_webhook_deliveries():
    """Re-enqueue pending deliveries whose next attempt is due (broker outage, lost retries)."""
    ids = webhook_due_ids()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
