"""Incident tasks: thin — ids in, call one service, retry with backoff."""

import logging

from celery import shared_task

from marketplace_ops.actors import acting_as, system_user

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=8, ignore_result=True)
def process_alert_delivery(self, delivery_id: int):
    from incidents.services import alert_delivery_process

    try:
        with acting_as(system_user(), reason="Alertmanager webhook", via="celery"):
            alert_delivery_process(delivery_id=delivery_id)
    except Exception as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc


@shared_task(acks_late=True, ignore_result=True)
def escalation_sweep():
    """Every minute: escalation steps, SLA breaches, overdue updates; then stale alert deliveries."""
    from incidents.services import escalation_sweep as sweep
    from incidents.services.alerts import pending_deliveries

    with acting_as(system_user(), reason="incident escalation sweep", via="celery"):
        handled = sweep()
    for delivery_id in pending_deliveries():
        try:
            process_alert_delivery.delay(delivery_id)
        except Exception as exc:  # broker down: next minute
            logger.warning("Could not re-enqueue alert delivery %s: %s", delivery_id, exc)
            break
    return handled


@shared_task(acks_late=True, ignore_result=True)
def remind_overdue_action_items():
    from incidents.services import action_items_remind

    with acting_as(system_user(), reason="overdue action item reminders", via="celery"):
        return action_items_remind()
