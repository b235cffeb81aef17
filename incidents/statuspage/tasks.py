import logging

from celery import shared_task

from marketplace_ops.actors import acting_as, system_user

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, ignore_result=True)
def announce_public_events(self):
    """Every minute: announce new public incidents, updates, resolutions and maintenance to
    confirmed subscribers (exactly once: see services.py)."""
    from incidents.statuspage.services import announcements_sweep

    try:
        with acting_as(system_user(), reason="status page announcement sweep", via="celery"):
            count = announcements_sweep()
    except Exception as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=min(30 * 2 ** self.request.retries, 300)) from exc
    if count:
        logger.info("Status page: %d announcements", count)
    return count
