"""Kernel tasks: thin — ids in, call a service, retry."""

import logging

from celery import shared_task

from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.services import notifications

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=notifications.MAX_ATTEMPTS, ignore_result=True)
def deliver_notifications(self, ids: list[int]):
    with acting_as(system_user(), reason="notification delivery", via="celery"):
        _, retry = notifications.deliver(ids)
    if retry:
        attempt = self.request.retries + 1
        raise self.retry(args=[retry], countdown=notifications.backoff(attempt).total_seconds())


@shared_task(acks_late=True, ignore_result=True)
def sweep_pending_notifications():
    with acting_as(system_user(), reason="notification sweep", via="celery"):
        count = notifications.sweep_pending()
    if count:
        logger.info("Re-enqueued %d pending notifications.", count)
    return count


@shared_task(acks_late=True, ignore_result=True)
def verify_audit_chain():
    from marketplace_ops.services.audit_alerts import audit_chain_check

    with acting_as(system_user(), reason="scheduled audit chain verification", via="celery"):
        return audit_chain_check()


def as_system(reason: str):
    """Decorator for task bodies: everything they write is recorded as the system actor with `reason`."""
    import functools

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with acting_as(system_user(), reason=reason, via="celery"):
                return func(*args, **kwargs)

        return wrapper

    return decorate


@shared_task(acks_late=True, ignore_result=True)
@as_system("component status set by monitoring")
def set_component_status(component_id: int, status: str, reason: str = ""):
    """Lets monitoring integrations move a component's status from a queue, with history."""
    from marketplace_ops.models import Component
    from marketplace_ops.services.components import component_set_status

    component = Component.objects.get(pk=component_id)
    component_set_status(component=component, status=status, acting_user=None, reason=reason or "set by a task")
