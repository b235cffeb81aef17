"""Celery tasks: ids in, one service call, retries with backoff.

The attempt count lives on the delivery row (not in Celery's retry counter), so a retry is a
fresh task with a countdown; the beat sweep re-enqueues anything left pending (lost message,
broker outage) once its next attempt is due.
"""

import logging

from celery import shared_task

from configuration.services.publish import webhook_attempt, webhook_due_ids, webhook_next_delay
from marketplace_ops.actors import acting_as, system_user

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int):
    with acting_as(system_user(), reason="configuration webhook delivery", via="celery"):
        ok = webhook_attempt(delivery_id=delivery_id)
    if ok is False:
        delay = webhook_next_delay(delivery_id)
        if delay is not None:
            deliver_webhook.apply_async(args=[delivery_id], countdown=delay)
    return ok


@shared_task(acks_late=True, ignore_result=True)
def sweep_webhook_deliveries():
    """Re-enqueue pending deliveries whose next attempt is due (broker outage, lost retries)."""
    ids = webhook_due_ids()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    if ids:
        logger.info("re-enqueued %d configuration webhook deliveries", len(ids))
    return len(ids)
